"""The ``tgl.<op>(tensor, ...)`` function forms of Tensor methods.

Each calls the method itself (``tgl.exp(x)`` is ``Tensor.exp(x)``), so the
two forms can never disagree; as in PyTorch the tensor may also be given as
``input=`` (``tgl.sum(input=x, dim=0)``). `pow` also takes a number as the base.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

from .creation import cat, concat, concatenate, stack  # noqa: F401
from .ops.linalg import einsum  # noqa: F401
from .tensor import Tensor, chunk, split, where  # noqa: F401


def _function(method: Callable) -> Callable:
    """The function form of a Tensor method, its first argument named
    `input` as PyTorch's (positional calls pass straight through)."""
    def function(*args: Any, **kwargs: Any) -> Any:
        if "input" in kwargs:
            if args:
                raise TypeError(f"{method.__name__}() got multiple values for argument "
                                f"'input'")
            args = (kwargs.pop("input"),)
        return method(*args, **kwargs)

    signature = inspect.signature(method)
    first, *rest = signature.parameters.values()
    function.__signature__ = signature.replace(parameters=[first.replace(name="input"), *rest])
    function.__name__ = function.__qualname__ = method.__name__
    function.__doc__ = method.__doc__
    function.__wrapped__ = method  # what it is, for the API reference
    return function


add = _function(Tensor.add)
sub = subtract = _function(Tensor.sub)
mul = multiply = _function(Tensor.mul)
div = divide = true_divide = _function(Tensor.div)


def pow(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent``; as ``torch.pow``, the base may be a number
    when the exponent is a Tensor (``tgl.pow(2, x)``)."""
    if not isinstance(input, Tensor) and isinstance(exponent, Tensor):
        result = exponent.__rpow__(input)
        if result is NotImplemented:
            raise TypeError(f"pow(): unsupported operand type(s): "
                            f"'{type(input).__name__}' and 'Tensor'; use a number or a Tensor")
        return result
    if not isinstance(input, Tensor):
        raise TypeError(f"pow(): expected a Tensor as the base or the exponent, got "
                        f"{type(input).__name__} and {type(exponent).__name__}")
    return Tensor.pow(input, exponent)


matmul = _function(Tensor.matmul)
neg = negative = _function(Tensor.neg)
exp = _function(Tensor.exp)
log = _function(Tensor.log)
sqrt = _function(Tensor.sqrt)
rsqrt = _function(Tensor.rsqrt)
abs = absolute = _function(Tensor.abs)
sin = _function(Tensor.sin)
cos = _function(Tensor.cos)
tanh = _function(Tensor.tanh)
sigmoid = _function(Tensor.sigmoid)
relu = _function(Tensor.relu)
leaky_relu = _function(Tensor.leaky_relu)
gelu = _function(Tensor.gelu)
softplus = _function(Tensor.softplus)
log1p = _function(Tensor.log1p)
expm1 = _function(Tensor.expm1)
square = _function(Tensor.square)
reciprocal = _function(Tensor.reciprocal)
clamp = clip = _function(Tensor.clamp)
maximum = _function(Tensor.maximum)
minimum = _function(Tensor.minimum)
sign = _function(Tensor.sign)
floor = _function(Tensor.floor)
ceil = _function(Tensor.ceil)
round = _function(Tensor.round)
sum = _function(Tensor.sum)
mean = _function(Tensor.mean)
var = _function(Tensor.var)
std = _function(Tensor.std)
prod = _function(Tensor.prod)
amax = _function(Tensor.amax)
amin = _function(Tensor.amin)
max = _function(Tensor.max)
min = _function(Tensor.min)
argmax = _function(Tensor.argmax)
argmin = _function(Tensor.argmin)
logsumexp = _function(Tensor.logsumexp)
norm = _function(Tensor.norm)
all = _function(Tensor.all)
any = _function(Tensor.any)
softmax = _function(Tensor.softmax)
log_softmax = _function(Tensor.log_softmax)
reshape = _function(Tensor.reshape)
flatten = _function(Tensor.flatten)
unflatten = _function(Tensor.unflatten)
transpose = _function(Tensor.transpose)
swapaxes = _function(Tensor.swapaxes)
permute = _function(Tensor.permute)
squeeze = _function(Tensor.squeeze)
unsqueeze = _function(Tensor.unsqueeze)
broadcast_to = _function(Tensor.broadcast_to)
flip = _function(Tensor.flip)
unbind = _function(Tensor.unbind)
clone = _function(Tensor.clone)
detach = _function(Tensor.detach)
numel = _function(Tensor.numel)
isnan = _function(Tensor.isnan)
isinf = _function(Tensor.isinf)
isfinite = _function(Tensor.isfinite)
equal = _function(Tensor.equal)
allclose = _function(Tensor.allclose)
isclose = _function(Tensor.isclose)
eq, ne, lt, le, gt, ge = (_function(getattr(Tensor, name))
                          for name in ("eq", "ne", "lt", "le", "gt", "ge"))
logical_not = _function(Tensor.logical_not)
logical_and = _function(Tensor.logical_and)
logical_or = _function(Tensor.logical_or)
remainder = _function(Tensor.remainder)
floor_divide = _function(Tensor.floor_divide)


def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()
