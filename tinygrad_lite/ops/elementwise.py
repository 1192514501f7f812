"""Elementwise operations: forward and backward side by side.

Binary operations receive two Tensors of one dtype (Tensor's methods apply
PyTorch's type promotion and turn Python numbers into constants first) and
may broadcast: the engine sums each gradient back to its input's shape.
Backward formulas run on arrays or Tensors alike (see `ops.dual`).
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor
from . import dual
from .special import erf


class Add(Op):
    @staticmethod
    def forward(ctx, x, y):
        return x.data + y.data

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Op):
    @staticmethod
    def forward(ctx, x, y):
        return x.data - y.data

    @staticmethod
    def backward(ctx, g):
        return g, -g


class Mul(Op):
    @staticmethod
    def forward(ctx, x, y):
        # Each operand is needed only for the other's gradient, and PyTorch
        # saves it only then: changing x in place after ``x * 2`` is fine.
        ctx.save_for_backward(x if y._rg else None, y if x._rg else None)
        return x.data * y.data

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        return (g * y if need_x else None), (g * x if need_y else None)


class Div(Op):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x if y._rg else None, y)  # x only for y's gradient
        with np.errstate(divide="ignore", invalid="ignore"):
            return x.data / y.data

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        return (g / y if need_x else None), (-g * x / (y * y) if need_y else None)


class _Stepwise(Op):
    """A function constant between its jumps (floor, round, sign, rounded
    division): the gradient is zero for every input, as PyTorch defines it
    (at a jump, where there is none, too). Subclasses compute the values;
    the result still requires grad, so it can be used in a loss."""

    @staticmethod
    def backward(ctx, g):
        zero = dual.zeros(g.shape, g)  # (the engine sums it to each input's shape)
        return (zero,) * len(ctx.edges)


class Floor(_Stepwise):
    @staticmethod
    def forward(ctx, x):
        return np.floor(x.data)


class Ceil(_Stepwise):
    @staticmethod
    def forward(ctx, x):
        return np.ceil(x.data)


class Trunc(_Stepwise):
    @staticmethod
    def forward(ctx, x):
        return np.trunc(x.data)


class Round(_Stepwise):
    """Half to even, as PyTorch (and numpy), to `decimals` places."""

    @staticmethod
    def forward(ctx, x, decimals):
        return np.round(x.data, decimals)


class Sign(_Stepwise):
    @staticmethod
    def forward(ctx, x):
        return dual.sign(x.data)


class RoundedDiv(_Stepwise):
    """x / y rounded down or toward zero (computed by the caller, which
    handles integers and errors)."""

    @staticmethod
    def forward(ctx, x, y, quotient):
        return quotient


class Reciprocal(Op):
    """1 / x, saving its result as PyTorch does: d(1/x)/dx = -1/x^2 = -out^2."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore"):  # 1 / 0 = inf, as PyTorch
            out = np.reciprocal(x.data)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return -g * out * out


class Pow(Op):
    """x ** y. As PyTorch: the gradient for x is 0 where y == 0, and for y
    it is 0 where x == 0 and y >= 0 (instead of NaN from 0 * log 0)."""

    @staticmethod
    def forward(ctx, x, y):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if y.data.dtype.kind == "i" and (y.data < 0).any():
                out = _integer_power(x.data, y.data)
            else:
                out = np.power(x.data, y.data)
        # the result is needed only for the exponent's gradient (as in PyTorch,
        # so that `y = x ** 2; y.mul_(3)` keeps y differentiable)
        ctx.save_for_backward(x, y, out if y._rg else None)
        return out

    @staticmethod
    def backward(ctx, g):
        x, y, out = ctx.saved_tensors

        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            gx = dual.where(y == 0, 0.0, g * y * x ** (y - 1))
        if need_y:
            gy = dual.where((x == 0) & (y >= 0), 0.0, g * out * dual.log(x))
        return gx, gy


def _integer_power(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Integer ``x ** y`` with some negative exponents, as PyTorch computes
    it for an exponent tensor (numpy refuses): 1 ** -n is 1, (-1) ** -n is
    1 or -1 by the parity of n, and any other base gives 0 (1 / x truncated)."""
    x, y = np.broadcast_arrays(x, y)
    negative = y < 0
    out = np.power(x, np.where(negative, 0, y).astype(y.dtype))
    parity = np.where(y % 2 == 0, 1, -1)
    small = np.where(x == 1, 1, np.where(x == -1, parity, 0))
    return np.where(negative, small, out).astype(out.dtype)


def power_into(x: np.ndarray, y: np.ndarray, out: np.ndarray, casting: str) -> None:
    """``np.power(x, y, out=out)`` that follows PyTorch for integer tensors
    raised to negative exponents (pow_ with an exponent tensor)."""
    if y.dtype.kind == "i" and (y < 0).any():
        np.copyto(out, _integer_power(x, y.astype(np.result_type(x, y))), casting=casting)
    else:
        np.power(x, y, out=out, casting=casting)


class Neg(Op):
    @staticmethod
    def forward(ctx, x):
        return -x.data

    @staticmethod
    def backward(ctx, g):
        return -g


class Clone(Op):
    @staticmethod
    def forward(ctx, x):
        return x.data.copy()

    @staticmethod
    def backward(ctx, g):
        return g


class Cast(Op):
    """Change of float dtype; the engine casts the gradient back."""

    @staticmethod
    def forward(ctx, x, dtype):
        return x.data.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g, None


class Exp(Op):
    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            out = np.exp(x.data)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class Log(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


class Sqrt(Op):
    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            out = np.sqrt(x.data)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (2 * out)


class Abs(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * dual.sign(x)


class Sin(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * dual.cos(x)


class Cos(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * dual.sin(x)


class Tanh(Op):
    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x.data)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 - out * out)


class Sigmoid(Op):
    """1 / (1 + exp(-x)), computed as exp(-log(1 + exp(-x))) so that no
    exp overflows."""

    @staticmethod
    def forward(ctx, x):
        out = np.exp(-np.logaddexp(0, -x.data))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * (1 - out)


class Relu(Op):
    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x.data, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        # g where not out <= 0, which passes g at a nan input as PyTorch
        # does (g * (out > 0) would drop it); np.where is 10x slower here
        return g * ~(out <= 0)


class LeakyRelu(Op):
    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x)
        ctx.slope = negative_slope
        return np.where(x.data > 0, x.data, x.data * negative_slope)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return dual.where(x > 0, g, g * ctx.slope), None


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_GELU_C = 0.044715


class Gelu(Op):
    """x * Phi(x) with the exact normal CDF, or PyTorch's tanh form."""

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        v = x.data
        if approximate == "tanh":
            return 0.5 * v * (1 + np.tanh(_SQRT_2_OVER_PI * (v + _GELU_C * v ** 3)))
        return 0.5 * v * (1 + erf(v * _SQRT_HALF))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            t = dual.tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x * x * x))
            dt = _SQRT_2_OVER_PI * (1 + 3 * _GELU_C * x * x)
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dt), None
        cdf = 0.5 * (1 + dual.erf(x * _SQRT_HALF))
        pdf = _INV_SQRT_2PI * dual.exp(-0.5 * x * x)
        return g * (cdf + x * pdf), None


class Erf(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (2 / math.sqrt(math.pi)) * dual.exp(-x * x)


class Softplus(Op):
    """log(1 + exp(beta x)) / beta, linear where beta x > threshold."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        bx = x.data * beta
        return np.where(bx > threshold, x.data, np.logaddexp(0, bx) / beta)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        return dual.where(bx > ctx.threshold, g, g * dual.sigmoid(bx)), None, None


class Log1p(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x)


class Expm1(Op):
    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            out = np.expm1(x.data)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out + 1)


class Clamp(Op):
    """clamp(x, lo, hi); each bound is None, a number or a Tensor.

    Gradients follow PyTorch: x gets it where lo <= x <= hi (bounds
    included); a Tensor bound gets it where it is the result: lo where
    x < lo < hi, hi where x > hi or hi < lo (then hi wins everywhere).
    """

    _grad_tied_to_saved = False  # (see Op)

    @staticmethod
    def forward(ctx, x, lo, hi):
        v = x.data
        lo_v = lo.data if isinstance(lo, Tensor) else lo
        hi_v = hi.data if isinstance(hi, Tensor) else hi
        inside = np.ones(v.shape, np.bool_)
        out = v
        try:
            if lo is not None:
                inside = inside & (v >= lo_v)
                out = np.maximum(out, lo_v if isinstance(lo, Tensor) else np.asarray(lo_v, v.dtype))
            if hi is not None:
                inside = inside & (v <= hi_v)
                out = np.minimum(out, hi_v if isinstance(hi, Tensor) else np.asarray(hi_v, v.dtype))
        except ValueError:
            shapes = [np.shape(b) for b in (v, lo_v, hi_v) if b is not None]
            raise RuntimeError(f"clamp: the shapes of the input and the bounds {shapes} do "
                               f"not broadcast together; reshape the bounds") from None
        to_lo = to_hi = None
        if isinstance(lo, Tensor) and lo._rg:
            to_lo = v < lo_v if hi is None else (v < lo_v) & (lo_v < hi_v)
        if isinstance(hi, Tensor) and hi._rg:
            to_hi = v > hi_v if lo is None else (v > hi_v) | (hi_v < lo_v)
        # backward needs only the masks; x and Tensor bounds are saved, as
        # PyTorch saves them, so that changing one in place raises as there
        ctx.save_for_backward(inside, to_lo, to_hi, x,
                              lo if isinstance(lo, Tensor) else None,
                              hi if isinstance(hi, Tensor) else None)
        return out

    @staticmethod
    def backward(ctx, g):
        inside, to_lo, to_hi = ctx.saved_tensors[:3]
        return (g * inside, None if to_lo is None else g * to_lo,
                None if to_hi is None else g * to_hi)


def _tie_weights(x: np.ndarray, y: np.ndarray, x_loses: np.ndarray,
                 y_loses: np.ndarray) -> tuple:
    """How much of the gradient each side of maximum/minimum gets: all of it
    to the winner, half each on a tie (PyTorch's rule)."""
    share = np.where(x == y, 0.5, 1.0).astype(x.dtype)
    return share * ~x_loses, share * ~y_loses


class Maximum(Op):
    _grad_tied_to_saved = False  # (see Op)

    @staticmethod
    def forward(ctx, x, y):
        wx, wy = _tie_weights(x.data, y.data, x.data < y.data, x.data > y.data)
        # backward needs only the weights; x and y are saved, as PyTorch saves
        # them, so that changing one in place makes backward raise as there
        ctx.save_for_backward(wx, wy, x, y)
        return np.maximum(x.data, y.data)

    @staticmethod
    def backward(ctx, g):
        wx, wy = ctx.saved_tensors[:2]
        return g * wx, g * wy


class Minimum(Op):
    _grad_tied_to_saved = False  # (see Op)

    @staticmethod
    def forward(ctx, x, y):
        wx, wy = _tie_weights(x.data, y.data, x.data > y.data, x.data < y.data)
        # backward needs only the weights; x and y are saved, as PyTorch saves
        # them, so that changing one in place makes backward raise as there
        ctx.save_for_backward(wx, wy, x, y)
        return np.minimum(x.data, y.data)

    @staticmethod
    def backward(ctx, g):
        wx, wy = ctx.saved_tensors[:2]
        return g * wx, g * wy


class Where(Op):
    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.save_for_backward(cond)
        return np.where(cond, x.data, y.data)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad[1:]
        return (None, dual.where(cond, g, 0.0) if need_x else None,
                dual.where(cond, 0.0, g) if need_y else None)
