"""The ``tgl.<op>(tensor, ...)`` function forms of Tensor methods.

Each is the method itself (``tgl.exp(x)`` is ``Tensor.exp(x)``), so the two
forms can never disagree; `pow` also takes a number as the base.
"""
from __future__ import annotations

from typing import Any

from .creation import cat, concat, concatenate, stack  # noqa: F401
from .ops.linalg import einsum  # noqa: F401
from .tensor import Tensor, chunk, split, where  # noqa: F401

add = Tensor.add
sub = subtract = Tensor.sub
mul = multiply = Tensor.mul
div = divide = true_divide = Tensor.div


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


matmul = Tensor.matmul
neg = negative = Tensor.neg
exp = Tensor.exp
log = Tensor.log
sqrt = Tensor.sqrt
rsqrt = Tensor.rsqrt
abs = absolute = Tensor.abs
sin = Tensor.sin
cos = Tensor.cos
tanh = Tensor.tanh
sigmoid = Tensor.sigmoid
relu = Tensor.relu
leaky_relu = Tensor.leaky_relu
gelu = Tensor.gelu
softplus = Tensor.softplus
log1p = Tensor.log1p
expm1 = Tensor.expm1
square = Tensor.square
reciprocal = Tensor.reciprocal
clamp = clip = Tensor.clamp
maximum = Tensor.maximum
minimum = Tensor.minimum
sign = Tensor.sign
floor = Tensor.floor
ceil = Tensor.ceil
round = Tensor.round
sum = Tensor.sum
mean = Tensor.mean
var = Tensor.var
std = Tensor.std
prod = Tensor.prod
amax = Tensor.amax
amin = Tensor.amin
max = Tensor.max
min = Tensor.min
argmax = Tensor.argmax
argmin = Tensor.argmin
logsumexp = Tensor.logsumexp
norm = Tensor.norm
all = Tensor.all
any = Tensor.any
softmax = Tensor.softmax
log_softmax = Tensor.log_softmax
reshape = Tensor.reshape
flatten = Tensor.flatten
unflatten = Tensor.unflatten
transpose = swapaxes = Tensor.transpose
permute = Tensor.permute
squeeze = Tensor.squeeze
unsqueeze = Tensor.unsqueeze
broadcast_to = Tensor.broadcast_to
flip = Tensor.flip
unbind = Tensor.unbind
clone = Tensor.clone
detach = Tensor.detach
numel = Tensor.numel
isnan = Tensor.isnan
isinf = Tensor.isinf
isfinite = Tensor.isfinite
equal = Tensor.equal
allclose = Tensor.allclose
isclose = Tensor.isclose
eq, ne, lt, le, gt, ge = Tensor.eq, Tensor.ne, Tensor.lt, Tensor.le, Tensor.gt, Tensor.ge
logical_not = Tensor.logical_not
logical_and = Tensor.logical_and
logical_or = Tensor.logical_or
remainder = Tensor.remainder
floor_divide = Tensor.floor_divide


def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(t: Tensor) -> bool:
    return t.is_floating_point()
