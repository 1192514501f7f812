"""tinygrad_lite: automatic differentiation on numpy, with PyTorch's names.

    import tinygrad_lite as tgl
    x = tgl.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad  # tensor([2., 4.])
"""
from . import dtypes
from .dtypes import (bool, double, float, float16, float32, float64, half, int, int8,
                     int16, int32, int64, long, short, uint8)
from .tensor import Tensor
from . import autograd
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (arange, cat, concat, concatenate, empty, empty_like, eye, from_numpy,
                       full, full_like, linspace, ones, ones_like, rand, rand_like, randint,
                       randn, randn_like, randperm, stack, tensor, zeros, zeros_like)
from .functions import (abs, absolute, add, all, allclose, amax, amin, any, argmax, argmin,
                        broadcast_to, ceil, chunk, clamp, clip, clone, cos, detach, div,
                        divide, einsum, eq, equal, exp, expm1, flatten, flip, floor, floor_divide,
                        ge, gelu,
                        gt, is_floating_point, is_tensor, isclose, isfinite, isinf, isnan, le,
                        leaky_relu, log, log1p, log_softmax, logical_and, logical_not,
                        logical_or, logsumexp, lt, matmul, max, maximum, mean, min, minimum,
                        mul, multiply, ne, neg, negative, norm, numel, permute, pow, prod,
                        reciprocal, relu, remainder, reshape, round, rsqrt, sigmoid, sign, sin,
                        softmax, softplus, split, sqrt, square, squeeze, std, sub, subtract,
                        sum, swapaxes, tanh, transpose, true_divide, unbind, unflatten,
                        unsqueeze, var, where)
from .random import Generator, default_generator, initial_seed, manual_seed, seed
from . import viz
from . import data, datasets
from . import testing  # light: the Hypothesis strategies load on first use
from .serialization import load, save
from . import optim
from . import nn  # tgl.nn, as torch.nn after `import torch`

__version__ = "0.1.0"

__all__ = [
    "Tensor", "autograd", "dtypes", "viz", "no_grad", "enable_grad", "set_grad_enabled",
    "is_grad_enabled", "Generator", "default_generator", "manual_seed", "seed",
    "initial_seed",
    # data, files
    "data", "datasets", "load", "save", "testing",
    # nn, optimizers
    "nn", "optim",
    # dtypes
    "bool", "double", "float", "float16", "float32", "float64", "half", "int", "int8",
    "int16", "int32", "int64", "long", "short", "uint8",
    # creation
    "arange", "cat", "concat", "concatenate", "empty", "empty_like", "eye", "from_numpy",
    "full", "full_like", "linspace", "ones", "ones_like", "rand", "rand_like", "randint",
    "randn", "randn_like", "randperm", "stack", "tensor", "zeros", "zeros_like",
    # operations
    "abs", "absolute", "add", "all", "allclose", "amax", "amin", "any", "argmax", "argmin",
    "broadcast_to", "ceil", "chunk", "clamp", "clip", "clone", "cos", "detach", "div",
    "divide", "einsum", "eq", "equal", "exp", "expm1", "flatten", "flip", "floor",
    "floor_divide", "ge",
    "gelu", "gt", "is_floating_point", "is_tensor", "isclose", "isfinite", "isinf", "isnan",
    "le", "leaky_relu", "log", "log1p", "log_softmax", "logical_and", "logical_not",
    "logical_or", "logsumexp", "lt", "matmul", "max", "maximum", "mean", "min", "minimum",
    "mul", "multiply", "ne", "neg", "negative", "norm", "numel", "permute", "pow", "prod",
    "reciprocal", "relu", "remainder", "reshape", "round", "rsqrt", "sigmoid", "sign", "sin",
    "softmax", "softplus", "split", "sqrt", "square", "squeeze", "std", "sub", "subtract",
    "sum", "swapaxes", "tanh", "transpose", "true_divide", "unbind", "unflatten",
    "unsqueeze", "var", "where",
]
