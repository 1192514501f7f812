"""Fused neural-network operations: one graph node each where composing
primitives would cost extra nodes, copies or numerical stability.

Each class reads like the math: forward on numpy arrays, backward written
once with operators and `ops.dual` helpers, so it runs on arrays (fast) and
on Tensors under ``create_graph=True`` (double backward). Where a backward
needs a quantity that forward computed from an input (softmax
probabilities, normalised activations), forward saves the array for speed
and backward recomputes it from the input Tensor under ``create_graph`` so
that the second derivative sees its dependence on the input.

The `nn.functional` functions check arguments and call these.
"""
from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor
from . import dual


def _is_graph(a: Any) -> bool:
    """Whether backward is running under create_graph (it got Tensors)."""
    return isinstance(a, Tensor)


def _const(array: np.ndarray, like: Any) -> Any:
    """A constant array in the kind (array or Tensor) of `like`."""
    return Tensor._make(array) if isinstance(like, Tensor) else array


# ------------------------------------------------------ array helpers
#: Constant index and ones vectors shorter than this are made once per size
#: (they come back every training step) and shared, read-only.
_CACHE_BELOW = 1 << 12


@functools.lru_cache(maxsize=256)
def _cached(make: Any, *args: Any) -> np.ndarray:
    array = make(*args)
    array.flags.writeable = False
    return array


def _ones(n: int, dtype: np.dtype) -> np.ndarray:
    return _cached(np.ones, n, dtype) if n < _CACHE_BELOW else np.ones(n, dtype)


#: Below this many multiply-adds, `_mm` calls np.dot rather than `@`.
_DOT_BELOW = 1 << 20


def _mm(a: Any, b: Any) -> Any:
    """a @ b for 2-D operands only. For small arrays np.dot: the same BLAS
    call with 0.3 us less overhead than `@`. For large ones `@`: np.dot is
    slower there when an operand is transposed (10-15% measured for 128 x
    784 x 512), and 30x slower above 2-D."""
    if type(a) is np.ndarray and a.shape[0] * a.shape[1] * b.shape[1] < _DOT_BELOW:
        return np.dot(a, b)
    return a @ b


def _col_sums(g: Any) -> Any:
    """The sum of each column of the 2-D `g`; for arrays one BLAS product
    with ones, 2x faster than g.sum(axis=0) for small gradients."""
    return np.dot(_ones(g.shape[0], g.dtype), g) if type(g) is np.ndarray else g.sum(axis=0)


def _row_sums(e: np.ndarray) -> np.ndarray:
    """The sum of each row of the 2-D array `e`: one BLAS product with
    ones, 2-4x faster than np.add.reduce(e, axis=1) on short rows."""
    return np.dot(e, _ones(e.shape[1], e.dtype))


def _row_max(v: np.ndarray) -> np.ndarray:
    """The maximum of each row of the 2-D array `v`, shape (M,). numpy
    reduces a short row at a time (2 us for 32 rows of 10 classes, 13 us
    for 256 rows); with few columns, reducing a transposed copy down its
    columns works on all rows at once and is 2-6x faster."""
    if v.shape[1] <= 32 and v.shape[0] >= 16:
        return np.maximum.reduce(v.T.copy(), axis=0)
    return np.maximum.reduce(v, axis=1)


# --------------------------------------------------------------- linear
class Linear(Op):
    """``x @ W.T + b`` as one node; x has shape (*, in), W (out, in), b (out,)."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        # x is needed only for the weight's gradient and the weight only for
        # x's; PyTorch saves each only then (changing a saved one in place
        # makes backward raise, so saving more would raise needlessly).
        ctx.save_for_backward(x if weight._rg else None, weight if x._rg else None)
        v, w = x.data, weight.data
        out = _mm(v, w.T) if v.ndim == 2 else v @ w.T
        if bias is not None:
            out += bias.data  # `out` is a fresh array: add in place, no copy
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        if g.ndim == 2:  # (g has the input's number of dims)
            gx = _mm(g, w) if need_x else None
        else:  # (*, in) -> (rows, in); not reshape(-1, ...): sizes may be 0
            gx = g @ w if need_x else None
            rows = math.prod(g.shape[:-1])
            g = g.reshape((rows, g.shape[-1]))
            if need_w:
                x = x.reshape((rows, x.shape[-1]))
        gw = _mm(g.T, x) if need_w else None
        gb = _col_sums(g) if need_b else None
        return gx, gw, gb


# ------------------------------------------------------ softmax family
def _softmax_array(v: np.ndarray, axis: int) -> np.ndarray:
    """exp(v - max) / sum(exp(v - max)) along `axis`, with few temporaries."""
    if v.ndim == 0:
        return _softmax_array(v.reshape(1), 0).reshape(())
    if v.size == 0:
        return v.copy()
    with np.errstate(invalid="ignore"):  # inf - inf: nan, as PyTorch, without a warning
        e = v - v.max(axis=axis, keepdims=True)
        np.exp(e, out=e)
        e /= e.sum(axis=axis, keepdims=True)
    return e


def _log_softmax_array(v: np.ndarray, axis: int) -> np.ndarray:
    """v - max - log(sum(exp(v - max))) along `axis`."""
    if v.ndim == 0:
        return _log_softmax_array(v.reshape(1), 0).reshape(())
    if v.size == 0:
        return v.copy()
    with np.errstate(invalid="ignore"):  # inf - inf: nan, as PyTorch, without a warning
        z = v - v.max(axis=axis, keepdims=True)
        z -= np.log(np.exp(z).sum(axis=axis, keepdims=True))
    return z


class Softmax(Op):
    """exp(x_i) / sum_j exp(x_j) along `dim`, with the maximum subtracted."""

    @staticmethod
    def forward(ctx, x, dim):
        out = _softmax_array(x.data, dim)
        ctx.axis = dim if x.data.ndim else None  # a 0-d tensor: its only element
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        gy = g * out
        return gy - out * gy.sum(axis=ctx.axis, keepdims=True), None


class LogSoftmax(Op):
    """x_i - log sum_j exp(x_j) along `dim`, with the maximum subtracted."""

    @staticmethod
    def forward(ctx, x, dim):
        out = _log_softmax_array(x.data, dim)
        ctx.axis = dim if x.data.ndim else None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g - dual.exp(out) * g.sum(axis=ctx.axis, keepdims=True), None


def softmax(x: Any, axis: int) -> Any:
    """Softmax of an array or (differentiably) of a Tensor."""
    return Softmax.apply(x, axis) if _is_graph(x) else _softmax_array(x, axis)


# --------------------------------------------------- class-index losses
def _as_rows(v: np.ndarray) -> np.ndarray:
    """(N, C, *rest) -> (M, C): one row of class scores per sample (a view
    for the common 2-D case; the class dim moved last otherwise)."""
    if v.ndim == 2:
        return v
    return np.moveaxis(v, 1, -1).reshape(-1, v.shape[1])


def _as_rows_tensor(x: Tensor) -> Tensor:
    """`_as_rows` for a Tensor, recorded in the graph."""
    if x.ndim == 2:
        return x
    return x.permute(0, *range(2, x.ndim), 1).reshape(-1, x.shape[1])


def _from_rows(g: Any, shape: tuple) -> Any:
    """The inverse of `_as_rows` for a gradient (array or Tensor)."""
    if len(shape) == 2:
        return g
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    last = len(shape) - 1
    return dual.permute(g.reshape(moved), (0, last) + tuple(range(1, last)))


def _row_starts(rows: int, n_classes: int) -> np.ndarray:
    """0, C, 2C, ...: where each row of (rows, C) scores starts when flattened."""
    if rows < _CACHE_BELOW:
        return _cached(np.arange, 0, rows * n_classes, n_classes)
    return np.arange(0, rows * n_classes, n_classes)


class _Targets:
    """What the class-index losses need to know about their targets, one
    entry per row (sample) of the (M, C) scores: the class to pick (0 for
    ignored rows) and its position `flat` in the flattened scores, which
    rows count (`kept`, None when all do), the class weight of each row
    (`wt`, 0 when ignored; None when all are 1) and their sum, the 'mean'
    denominator."""

    def __init__(self, target: np.ndarray, weight: np.ndarray | None,
                 ignore_index: int | None, n_classes: int, dtype: np.dtype) -> None:
        t = target.reshape(-1)
        self.shape = target.shape
        ignored = None if ignore_index is None else t == ignore_index  # None: none can be
        if ignored is not None and ignored.any():
            self.ignored, self.cls, self.kept = ignored, np.where(ignored, 0, t), \
                (~ignored).astype(dtype)
        else:
            self.ignored, self.cls, self.kept = None, t, None
        # Picking v.reshape(-1)[flat] is 2-3x faster than v[np.arange(M), cls].
        self.flat = _row_starts(t.size, n_classes) + self.cls
        if weight is None:
            self.wt = self.kept
        else:
            self.wt = weight[self.cls] if self.kept is None else weight[self.cls] * self.kept
        self.total = dtype.type(t.size) if self.wt is None else np.add.reduce(self.wt)

    def onehot(self, n_classes: int) -> np.ndarray:
        """(M, C) bools, True at each row's class."""
        mask = np.zeros((self.cls.size, n_classes), np.bool_)
        mask.reshape(-1)[self.flat] = True
        return mask


def _times(values: Any, factors: np.ndarray | None) -> Any:
    """values * factors, where factors=None stands for all ones."""
    return values if factors is None else values * _const(factors, values)


def _column(a: Any) -> Any:
    """One value per row (M,) as a column (M, 1); a single value (0-d) for
    every row stays as it is (multiplying by a 0-d array is 2x faster)."""
    return a if a.ndim == 0 else a.reshape((-1, 1))


def _reduce_rows(per: np.ndarray, tg: _Targets, reduction: str) -> np.ndarray:
    """Per-row losses (M,) reduced as `reduction` says ('mean': nan when
    the total weight is 0, e.g. every sample ignored, as PyTorch)."""
    if reduction == "none":
        return per.reshape(tg.shape)
    total = np.add.reduce(per)
    if reduction == "sum":
        return total
    return np.asarray(total / tg.total if tg.total else np.nan, per.dtype)


def _row_scale(ctx: Any, g: Any) -> Any:
    """The upstream gradient of each row's loss: g itself ('none'), g
    ('sum') or g / total weight ('mean'); zero for ignored rows (even when
    the total is 0, as PyTorch)."""
    tg = ctx.targets
    if ctx.reduction == "none":
        g = g.reshape(-1)
    elif ctx.reduction == "mean":
        g = g / tg.total if tg.total else g * np.inf  # 1 / 0 without a warning
    if tg.ignored is not None:
        g = dual.where(tg.ignored, 0.0, g)
    return g


def _minus_at_targets(gx: Any, a: Any, tg: _Targets) -> Any:
    """gx (M, C) with `a` (one value per row, or one for all) subtracted at
    each row's class."""
    if _is_graph(gx):
        return gx - dual.where(tg.onehot(gx.shape[1]), _column(a), 0.0)
    # gx is a fresh array, but in the memory order of the scores (numpy keeps
    # a transposed input's order): only a row-major one flattens to a view.
    gx = np.ascontiguousarray(gx)
    flat = gx.reshape(-1)
    flat[tg.flat] -= a
    return gx


class CrossEntropy(Op):
    """Softmax cross-entropy with class-index targets in one node.

    loss_i = (1 - eps) * w[t_i] * (-log p_i[t_i])
             + eps / C * sum_c w[c] * (-log p_i[c])
    with p_i = softmax(x_i), eps = label_smoothing, w the class weights
    (ones when not given); ignored samples count zero. 'mean' divides the
    sum by sum_i w[t_i] over the samples not ignored (as PyTorch). The
    gradient is p_i * coef_i - (1 - eps) w[t_i] at t_i - eps / C * w.
    """

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction, label_smoothing):
        v = _as_rows(x.data)
        n_classes = v.shape[1]
        tg = _Targets(target.data, None if weight is None else weight.data, ignore_index,
                      n_classes, v.dtype)
        z = v - _row_max(v)[:, None]
        e = np.exp(z)
        sums = _row_sums(e)
        log_sums = np.log(sums)
        per = _times(log_sums - z.reshape(-1)[tg.flat], tg.wt)
        eps = ctx.eps = label_smoothing
        if eps > 0:
            w = np.ones(n_classes, v.dtype) if weight is None else weight.data
            smooth = _times(log_sums * w.sum() - z @ w, tg.kept)  # sum_c w_c (-log p_c)
            per = (1 - eps) * per + (eps / n_classes) * smooth
            ctx.w = w
        e /= sums[:, None]  # the probabilities, for backward
        # Not x itself: backward needs only the probabilities, so changing x
        # in place afterwards is no error (as in PyTorch, which saves its
        # log-softmax). x is kept for a create_graph backward only.
        ctx.save_for_backward(e)
        ctx.x, ctx.x_version = x, x._version
        ctx.targets, ctx.reduction, ctx.shape = tg, reduction, x.data.shape
        return _reduce_rows(per, tg, reduction)

    @staticmethod
    def backward(ctx, g):
        (p,) = ctx.saved_tensors
        if _is_graph(p):  # create_graph: recompute p from x, for the 2nd derivative
            x = ctx.x
            if x._version != ctx.x_version:
                raise RuntimeError(
                    f"{ctx.name()}: one of the variables needed for gradient computation "
                    f"has been modified by an inplace operation: its input, of shape "
                    f"{list(x.shape)}, is at version {x._version}; expected version "
                    f"{ctx.x_version} instead. With create_graph=True the loss needs its "
                    f"input unchanged: clone() it before changing it in place.")
            p = softmax(_as_rows_tensor(x), 1)
        tg, eps = ctx.targets, ctx.eps
        r = _row_scale(ctx, g)
        a = _times(r * (1 - eps), tg.wt)
        if eps == 0:
            gx = p * _column(a)
        else:
            b = _times(r * (eps / p.shape[1]), tg.kept)
            w = _const(ctx.w, r)
            gx = p * _column(a + b * float(ctx.w.sum())) - _column(b) * w
        return _from_rows(_minus_at_targets(gx, a, tg), ctx.shape), None, None, None, None, None


class NLLLoss(Op):
    """Negative log-likelihood of log-probabilities x (N, C, *rest) at the
    target classes: loss_i = -w[t_i] * x_i[t_i]; ignored samples count zero."""

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        v = _as_rows(x.data)
        tg = _Targets(target.data, None if weight is None else weight.data, ignore_index,
                      v.shape[1], v.dtype)
        per = -_times(v.reshape(-1)[tg.flat], tg.wt)
        ctx.targets, ctx.reduction, ctx.shape = tg, reduction, x.data.shape
        ctx.n_classes = v.shape[1]
        return _reduce_rows(per, tg, reduction)

    @staticmethod
    def backward(ctx, g):
        tg = ctx.targets
        a = _times(_row_scale(ctx, g), tg.wt)
        gx = dual.zeros((tg.cls.size, ctx.n_classes), a)
        return _from_rows(_minus_at_targets(gx, a, tg), ctx.shape), None, None, None, None


# ------------------------------------------------------- binary losses
def _clamped_log(v: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.maximum(np.log(v), -100)


_BCE_EPS = float(np.float32(1e-12))  # PyTorch's constant is the float32 nearest 1e-12


class BinaryCrossEntropy(Op):
    """Elementwise -(t log x + (1 - t) log(1 - x)), each log clamped to
    >= -100 (as PyTorch) so that x = 0 or 1 gives a finite loss."""

    @staticmethod
    def forward(ctx, x, t):
        ctx.save_for_backward(x, t)
        v, tv = x.data, t.data
        with np.errstate(divide="ignore", invalid="ignore"):
            log_1mx = np.maximum(np.log1p(-v), -100)
        return (tv - 1) * log_1mx - tv * _clamped_log(v)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        need_x, need_t = ctx.needs_input_grad
        gx = gt = None
        if need_x:  # PyTorch's formula: (x - t) / max(x (1 - x), 1e-12)
            denom = x * (1 - x)
            denom = denom.clamp(min=_BCE_EPS) if _is_graph(denom) else np.maximum(denom, _BCE_EPS)
            gx = g * (x - t) / denom
        if need_t:  # -logit(x)
            gt = g * (dual.log(1 - x) - dual.log(x))
        return gx, gt


def _softplus_neg(v: np.ndarray) -> np.ndarray:
    """log(1 + exp(-v)) without overflow."""
    return np.maximum(-v, 0) + np.log1p(np.exp(-np.abs(v)))


class BCEWithLogits(Op):
    """Elementwise (1 - t) x + (1 + (pw - 1) t) log(1 + exp(-x)): binary
    cross-entropy of sigmoid(x), computed stably from the logits x.
    `pos_weight` (pw) is an array broadcasting along the last dim, or None."""

    @staticmethod
    def forward(ctx, x, t, pos_weight):
        ctx.save_for_backward(x, t)
        v, tv = x.data, t.data
        sp = _softplus_neg(v)
        if pos_weight is None:
            ctx.pw = None
            return (1 - tv) * v + sp
        ctx.pw = pos_weight.data
        return (1 - tv) * v + (1 + (ctx.pw - 1) * tv) * sp

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        need_x, need_t = ctx.needs_input_grad[:2]
        gx = gt = None
        s = dual.sigmoid(x)
        if ctx.pw is None:
            if need_x:
                gx = g * (s - t)
            if need_t:
                gt = -g * x
        else:
            pw = _const(ctx.pw, x)
            if need_x:
                gx = g * ((pw * t + 1 - t) * s - pw * t)
            if need_t:
                sp = (-x).softplus() if _is_graph(x) else _softplus_neg(x)
                gt = g * ((pw - 1) * sp - x)
        return gx, gt, None


# ------------------------------------------------------- normalisation
def _normalize_array(v: np.ndarray, axes: tuple, eps: float) -> tuple:
    """(xhat, rstd, mean, var): v normalised over `axes` by its mean and
    biased variance, xhat = (v - mean) * rstd with rstd = 1 / sqrt(var + eps)."""
    mean = v.mean(axis=axes, keepdims=True)
    xhat = v - mean
    var = np.mean(np.square(xhat), axis=axes, keepdims=True)
    rstd = 1.0 / np.sqrt(var + v.dtype.type(eps))
    xhat *= rstd
    return xhat, rstd, mean, var


def _normalize_tensor(x: Tensor, axes: tuple, eps: float) -> tuple:
    """(xhat, rstd) as `_normalize_array`, recorded in the graph."""
    d = x - x.mean(axis=axes, keepdims=True)
    rstd = ((d * d).mean(axis=axes, keepdims=True) + eps) ** -0.5
    return d * rstd, rstd


def _affine(xhat: np.ndarray, weight: Any, bias: Any, shape: tuple) -> np.ndarray:
    """xhat * weight + bias, the parameters reshaped to broadcast as `shape`;
    a new array even without weight and bias: backward reads xhat, and the
    caller may change the result in place (PyTorch allows it)."""
    if weight is None:
        return xhat.copy() if bias is None else xhat + bias.data.reshape(shape)
    out = xhat * weight.data.reshape(shape)
    if bias is not None:
        out += bias.data.reshape(shape)
    return out


def _sum_over(g: Any, axes: tuple) -> Any:
    return g.sum(axis=axes) if axes else g  # Tensor.sum(axis=()) means every dim


def _normalize_backward(ctx: Any, g: Any) -> tuple:
    """Gradients of y = xhat * w + b with xhat normalised over ctx.axes:
    gx = rstd * (h - mean(h) - xhat * mean(h * xhat)) with h = g * w."""
    x, w, xhat, rstd = ctx.saved_tensors
    if _is_graph(x):
        xhat, rstd = _normalize_tensor(x, ctx.axes, ctx.eps)
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    gx = gw = gb = None
    if need_x:
        h = g * w.reshape(ctx.pshape) if w is not None else g
        gx = rstd * (h - h.mean(axis=ctx.axes, keepdims=True)
                     - xhat * (h * xhat).mean(axis=ctx.axes, keepdims=True))
    if need_w:
        gw = _sum_over(g * xhat, ctx.paxes).reshape(w.shape)
    if need_b:
        gb = _sum_over(g, ctx.paxes).reshape(ctx.bshape)
    return gx, gw, gb


class LayerNorm(Op):
    """Normalise over the last len(normalized_shape) dims, then scale and
    shift by weight and bias (of shape normalized_shape, or None)."""

    @staticmethod
    def forward(ctx, x, weight, bias, n_dims, eps):
        v = x.data
        ctx.axes = tuple(range(v.ndim - n_dims, v.ndim))
        ctx.paxes = tuple(range(v.ndim - n_dims))  # summed for weight/bias grads
        ctx.pshape = v.shape[v.ndim - n_dims:]
        ctx.bshape, ctx.eps = None if bias is None else bias.shape, eps
        xhat, rstd, _, _ = _normalize_array(v, ctx.axes, eps)
        ctx.save_for_backward(x, weight, xhat, rstd)
        return _affine(xhat, weight, bias, ctx.pshape)

    @staticmethod
    def backward(ctx, g):
        return _normalize_backward(ctx, g) + (None, None)


class BatchNorm(Op):
    """Batch normalisation in training: normalise each channel (dim 1) by
    the batch's mean and biased variance, scale and shift, and (if given)
    update the running statistics in place with PyTorch's rule
    ``running = (1 - momentum) * running + momentum * batch_stat``, the
    variance unbiased (n / (n - 1))."""

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, momentum, eps):
        v = x.data
        ctx.axes = ctx.paxes = (0,) + tuple(range(2, v.ndim))
        ctx.pshape = (1, v.shape[1]) + (1,) * (v.ndim - 2)
        ctx.bshape, ctx.eps = None if bias is None else bias.shape, eps
        xhat, rstd, mean, var = _normalize_array(v, ctx.axes, eps)
        if running_mean is not None:
            _update_running(running_mean, mean.reshape(-1), momentum)
        if running_var is not None:
            n = v.size // v.shape[1]
            _update_running(running_var, var.reshape(-1) * (n / max(n - 1, 1)), momentum)
        ctx.save_for_backward(x, weight, xhat, rstd)
        return _affine(xhat, weight, bias, ctx.pshape)

    @staticmethod
    def backward(ctx, g):
        return _normalize_backward(ctx, g) + (None, None, None, None)


def _update_running(buffer: Tensor, batch_value: np.ndarray, momentum: float) -> None:
    """buffer <- (1 - momentum) * buffer + momentum * batch_value, in place."""
    data = buffer.data
    data *= 1 - momentum
    data += (momentum * batch_value).astype(data.dtype, copy=False)
    buffer._bump_version()


# ------------------------------------------------------------ embedding
class Embedding(Op):
    """Rows of `weight` picked by integer `indices`; the gradient of each
    row is the sum of the gradients where it was picked, zero for the
    `padding_idx` row, divided by its count with `scale_grad_by_freq`."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        idx = indices.data
        ctx.shape, ctx.index = weight.data.shape, (idx,)
        scale = None
        if padding_idx is not None or scale_grad_by_freq:
            scale = np.ones(idx.shape + (1,), weight.data.dtype)
            if scale_grad_by_freq:
                _, inverse, counts = np.unique(idx, return_inverse=True, return_counts=True)
                scale /= counts[inverse.reshape(idx.shape)][..., None]
            if padding_idx is not None:
                scale[idx == padding_idx] = 0
        ctx.save_for_backward(scale)
        return weight.data[idx]

    @staticmethod
    def backward(ctx, g):
        (scale,) = ctx.saved_tensors
        if scale is not None:
            g = g * scale
        return dual.index_add(g, ctx.shape, ctx.index), None, None, None
