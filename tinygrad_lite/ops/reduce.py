"""Reductions. `dims` is always a sorted tuple of non-negative dims (the
Tensor methods normalise it); backward broadcasts the gradient back over
the reduced dims."""
from __future__ import annotations

import math
import warnings
from collections import namedtuple

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor
from . import dual

#: What ``max(dim)`` / ``min(dim)`` return, as PyTorch's named tuple.
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


class EmptyReductionError(IndexError, RuntimeError):
    """amax/amin over a dim of size 0. PyTorch raises RuntimeError when no
    dim is given and IndexError when one is; the operation cannot tell the
    two apart, so its error is both."""


def kept_shape(shape: tuple, dims: tuple) -> tuple:
    """`shape` with the reduced dims set to 1 (the keepdim shape)."""
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def spread(g, shape: tuple, dims: tuple):
    """The gradient of a reduction, broadcast back to the input's shape."""
    return dual.broadcast_to(g.reshape(kept_shape(shape, dims)), shape)


def _count(shape: tuple, dims: tuple) -> int:
    return math.prod([shape[d] for d in dims])


class Sum(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims = x.data.shape, dims
        return x.data.sum(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return spread(g, ctx.shape, ctx.dims), None, None


def _mean(v: np.ndarray, dims: tuple, keepdim: bool) -> np.ndarray:
    """np.mean's result (float16 summed in float32, as numpy and PyTorch
    do), without np.mean's own overhead: a mean of nothing is nan, silently."""
    n = _count(v.shape, dims)
    total = v.sum(axis=dims, keepdims=keepdim, dtype=np.float32 if v.dtype == np.float16
                  else None)
    if n == 0:
        with np.errstate(invalid="ignore"):
            return np.divide(total, 0).astype(v.dtype)
    return (total / n).astype(v.dtype, copy=False)


class Mean(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims = x.data.shape, dims
        return _mean(x.data, dims, keepdim)

    @staticmethod
    def backward(ctx, g):
        n = _count(ctx.shape, ctx.dims)
        return spread(g / max(n, 1), ctx.shape, ctx.dims), None, None


def _variance(ctx, x, dims: tuple, correction: int, whole: bool) -> np.ndarray:
    """The variance of x over dims, keepdim shape; notes what backward needs
    (`whole`: called without dim, or on a 0-d tensor)."""
    v = x.data
    ctx.shape, ctx.dims, ctx.whole = v.shape, dims, whole
    # forward divides by max(0, n - correction); backward, as PyTorch's,
    # by n - correction itself (so a negative one gives finite gradients)
    n = _count(v.shape, dims)
    ctx.dof = n - correction
    ctx.denom = max(0, ctx.dof)
    if ctx.denom == 0:
        warnings.warn(f"var/std: degrees of freedom is <= 0 ({n} elements "
                      f"per group, correction={correction}), so the result is nan or inf. "
                      f"Use correction=0 or reduce over more elements.", stacklevel=5)
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = v - _mean(v, dims, True)
        return np.sum(dev * dev, axis=dims, keepdims=True) / v.dtype.type(ctx.denom)


def _drop_dims(out: np.ndarray, dims: tuple, keepdim: bool) -> np.ndarray:
    return out if keepdim else out.reshape([n for i, n in enumerate(out.shape) if i not in dims])


def _variance_grad(ctx, g_kept, x):
    """Gradient of the variance for x, from the gradient of the variance
    (in keepdim shape): 2 (x - mean) / (n - correction)."""
    dev = x - x.mean(axis=ctx.dims, keepdims=True)
    if ctx.whole and ctx.dof <= 0:
        # PyTorch, for var()/std() without dim: 2 / 0 is inf, inf * dev is
        # inf, and nan where dev is 0 (inf * 0); never the sign of dev
        d = dev.data if isinstance(dev, Tensor) else dev  # (a constant under create_graph)
        factor = np.where(d == 0, np.nan, np.inf).astype(d.dtype)
        return spread(g_kept, ctx.shape, ctx.dims) * factor
    return spread(g_kept, ctx.shape, ctx.dims) * (2 * dev / ctx.dof)


class Var(Op):
    """Variance with ``correction`` (1: unbiased, 0: population)."""

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim, whole=False):
        ctx.save_for_backward(x)
        return _drop_dims(_variance(ctx, x, dims, correction, whole), dims, keepdim)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        g_kept = g.reshape(kept_shape(ctx.shape, ctx.dims))
        return _variance_grad(ctx, g_kept, x), None, None, None, None


class Std(Op):
    """Standard deviation, the square root of `Var`. Where it is 0 the
    gradient is 0 (PyTorch's choice; the true derivative is infinite)."""

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim, whole=False):
        with np.errstate(invalid="ignore"):
            out = _drop_dims(np.sqrt(_variance(ctx, x, dims, correction, whole)), dims,
                             keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        kshape = kept_shape(ctx.shape, ctx.dims)
        s = out.reshape(kshape)
        # d sqrt(v) = dv / (2 sqrt(v)); where sqrt(v) = 0 the mask gives 0 and
        # adding (s == 0) to the divisor keeps numpy from computing 0 / 0
        g_var = g.reshape(kshape) * (s != 0) / (2 * (s + (s == 0)))
        return _variance_grad(ctx, g_var, x), None, None, None, None


class AMax(Op):
    """amax / amin (and max()/min() without dim): on ties the gradient is
    split evenly among the extreme elements, as in PyTorch. When the result
    is nan, amax/amin give a nan gradient everywhere (nan equals nothing);
    max()/min() without dim (`nan_takes_grad`) split it among the nan
    elements instead, as PyTorch's evenly distributed backward does."""

    _grad_tied_to_saved = False  # (see Op)

    @staticmethod
    def forward(ctx, x, dims, keepdim, is_max, nan_takes_grad=False):
        v = x.data
        name = "amax" if is_max else "amin"
        if any(v.shape[d] == 0 for d in dims):
            raise EmptyReductionError(
                f"{name}(): expected a non-empty reduction, but the input of shape "
                f"{v.shape} has size 0 along the reduced dims {dims}; a maximum or "
                f"minimum of nothing is undefined. Reduce over non-empty dims only (give "
                f"dim=) or check the input")
        out = (np.amax if is_max else np.amin)(v, axis=dims, keepdims=True)
        hit = v == out
        if nan_takes_grad and v.dtype.kind == "f":
            hit |= np.isnan(v) & np.isnan(out)
        with np.errstate(invalid="ignore"):  # a nan result equals nothing: 0 / 0 is nan
            weights = hit / hit.sum(axis=dims, keepdims=True).astype(v.dtype)
        result = out if keepdim else out.reshape([n for i, n in enumerate(v.shape)
                                                  if i not in dims])
        # The input and the result are saved only so that changing either in
        # place makes backward raise, as in PyTorch; the weights are all it uses.
        ctx.save_for_backward(x, result, weights.astype(v.dtype))
        ctx.shape, ctx.dims = v.shape, dims
        return result

    @staticmethod
    def backward(ctx, g):
        weights = ctx.saved_tensors[2]
        return spread(g, ctx.shape, ctx.dims) * weights, None, None, None, None


class TakeAlongDim(Op):
    """The values of ``max(dim)``/``min(dim)`` at the given indices; the
    gradient goes only to those positions."""

    @staticmethod
    def forward(ctx, x, index, dim, keepdim):
        v = x.data
        if v.ndim == 0:
            picked = v
            onehot = np.ones((), v.dtype)
        else:
            picked = np.take_along_axis(v, index, dim)
            onehot = np.zeros(v.shape, v.dtype)
            np.put_along_axis(onehot, index, 1, dim)
        ctx.save_for_backward(onehot)
        ctx.shape, ctx.dims = v.shape, (dim,) if v.ndim else ()
        return picked if keepdim or v.ndim == 0 else picked.squeeze(dim)

    @staticmethod
    def backward(ctx, g):
        (onehot,) = ctx.saved_tensors
        return spread(g, ctx.shape, ctx.dims) * onehot, None, None, None


class LogSumExp(Op):
    """log(sum(exp(x))) with the maximum subtracted first (no overflow)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        v = x.data
        ctx.shape, ctx.dims = v.shape, dims
        if v.size == 0:
            shift = np.zeros(kept_shape(v.shape, dims), v.dtype)
        else:
            shift = np.amax(v, axis=dims, keepdims=True)
            shift = np.where(np.isfinite(shift), shift, 0).astype(v.dtype)
        with np.errstate(divide="ignore"):
            out = np.log(np.sum(np.exp(v - shift), axis=dims, keepdims=True)) + shift
        out = _drop_dims(out, dims, keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        kshape = kept_shape(ctx.shape, ctx.dims)
        return spread(g, ctx.shape, ctx.dims) * dual.exp(x - out.reshape(kshape)), None, None


class Prod(Op):
    """Product over one dim or all. The gradient of each element is the
    product of the others: out / x when no input is zero (as PyTorch), else
    computed exactly without dividing. Double backward always takes the
    exact form: differentiating out / x divides by x twice, which overflows
    for tiny x."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        out = np.asarray(np.prod(x.data, axis=dims, keepdims=keepdim))
        ctx.save_for_backward(x, out)
        ctx.shape, ctx.dims = x.data.shape, dims
        ctx.count = _count(x.data.shape, dims)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        g = spread(g, ctx.shape, ctx.dims)
        if ctx.count == 1:  # a product of one element is that element
            return g, None, None
        if isinstance(x, np.ndarray) and not (x == 0).any():
            return g * (spread(out, ctx.shape, ctx.dims) / x), None, None
        return g * _product_of_others(x, ctx.dims), None, None


def _product_of_others(x, dims: tuple):
    """For each element, the product of the other elements of its group
    (the reduced dims), exact with zeros."""
    shape = x.shape
    rest = [d for d in range(len(shape)) if d not in dims]
    order = rest + list(dims)
    inverse = tuple(np.argsort(order))
    moved = dual.permute(x, tuple(order))
    n = _count(shape, dims)
    flat = moved.reshape(tuple(shape[d] for d in rest) + (n,))
    if isinstance(flat, np.ndarray):
        ones = np.ones(flat.shape[:-1] + (1,), flat.dtype)
        before = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
        after = np.flip(np.cumprod(np.flip(np.concatenate([flat[..., 1:], ones], -1), -1), -1), -1)
        others = before * after
    else:  # create_graph: an n x n masked product, differentiable through Prod
        expanded = flat.unsqueeze(-2).expand(flat.shape[:-1] + (n, n))
        eye = np.eye(n, dtype=bool)
        others = dual.where(eye, 1.0, expanded).prod(dim=-1)
    return dual.permute(others.reshape(tuple(moved.shape)), inverse)
