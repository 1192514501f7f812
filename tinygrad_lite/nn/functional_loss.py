"""The loss functions of ``nn.functional``, with PyTorch's arguments:
``reduction`` is 'mean' (default), 'sum' or 'none'; the legacy
``size_average``/``reduce`` flags are translated as PyTorch does (with its
deprecation warning).

Class-index losses (cross_entropy, nll_loss) take input (C,), (N, C) or
(N, C, d1, ...) and int64 targets (), (N,) or (N, d1, ...); cross_entropy
also takes class probabilities of the input's shape.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import dtypes
from ..ops import nn_ops
from ..tensor import Tensor
from ._errors import ShapeError


def _check_tensor(x: Any, fn: str, arg: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' must be a Tensor, got "
                        f"{type(x).__name__}; wrap data with tgl.tensor(...)")


def _check_input(x: Any, fn: str) -> None:
    _check_tensor(x, fn, "input")
    if x.data.dtype.kind != "f":  # NotImplementedError (a RuntimeError), as PyTorch
        raise NotImplementedError(f"{fn}(): input must be a floating point tensor, got dtype "
                                  f"{x.dtype}; convert it with .float()")


def _reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """The reduction to use, translating the deprecated flags."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", stacklevel=3)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction (use 'mean', "
                         f"'sum' or 'none')")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


# ------------------------------------------------------- regression
def _pointwise_loss(input: Tensor, target: Tensor, weight: Tensor | None, reduction: str,
                    fn: str, elementwise: Any) -> Tensor:
    _check_tensor(input, fn, "input")
    _check_tensor(target, fn, "target")
    if input.dtype.kind != "f" and target.dtype.kind != "f":  # one float is enough (PyTorch)
        raise NotImplementedError(f"{fn}(): not implemented for integer input and target "
                                  f"({input.dtype} and {target.dtype}); convert them with "
                                  f".float()")
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({tuple(target.shape)}) that is different to the "
                      f"input size ({tuple(input.shape)}). This will likely lead to incorrect "
                      f"results due to broadcasting. Please ensure they have the same size.",
                      stacklevel=3)
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise RuntimeError(f"{fn}(): input of shape {tuple(input.shape)} and target of "
                               f"shape {tuple(target.shape)} do not broadcast; give the "
                               f"target the input's shape") from None
    loss = elementwise(input - target)
    if weight is None:
        return _reduce(loss, reduction)
    _check_tensor(weight, fn, "weight")
    if weight.shape != input.shape:
        raise ValueError(f"{fn}(): Weights and input must have the same size (weight "
                         f"{tuple(weight.shape)}, input {tuple(input.shape)})")
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Squared error (input - target)^2, reduced; with `weight` (input's
    shape) 'mean' is sum(weight * error) / sum(weight)."""
    reduction = _reduction(size_average, reduce, reduction)
    return _pointwise_loss(input, target, weight, reduction, "mse_loss", lambda d: d * d)


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Absolute error |input - target|, reduced (weights as in mse_loss)."""
    reduction = _reduction(size_average, reduce, reduction)
    return _pointwise_loss(input, target, weight, reduction, "l1_loss", Tensor.abs)


# ---------------------------------------------------- class indices
def _class_weight(weight: Any, n_classes: int, dtype: np.dtype | None,
                  fn: str) -> Tensor | None:
    """`weight` checked to hold one value per class and, when `dtype` is
    given (class-index targets), to have that dtype: PyTorch does not
    convert it there (with class probabilities it promotes instead)."""
    if weight is None:
        return None
    _check_tensor(weight, fn, "weight")
    if weight.shape != (n_classes,):
        raise RuntimeError(f"{fn}(): weight tensor should be defined either for all "
                           f"{n_classes} classes or no classes but got weight tensor of "
                           f"shape {tuple(weight.shape)}")
    if dtype is not None and weight.dtype != dtype:
        want, got = dtypes.torch_name(dtype), dtypes.torch_name(weight.dtype)
        raise RuntimeError(f"{fn}(): expected scalar type {want} but found {got}: the class "
                           f"weight has dtype {weight.dtype} and the input {dtype}; convert "
                           f"the weight with weight.to(tgl.{dtype})")
    return weight


def _shapes_told(shape: tuple, tshape: tuple) -> str:
    """The shapes involved in a target-shape error (formatted only when raised)."""
    return (f"input of shape {shape} expects a target of shape {_target_shape(shape)}, got "
            f"target of shape {tshape}")


def _target_shape(shape: tuple) -> tuple:
    """The class-index target shape that input of `shape` (C,) or (N, C, *rest) needs."""
    return () if len(shape) == 1 else (shape[0],) + shape[2:]


def _probs_hint(fn: str, shape: tuple) -> str:
    return (f"; for class probabilities pass a float target of the input's shape {shape}"
            if fn == "cross_entropy" else "")


_CLASS_DTYPES = (dtypes.int64, dtypes.uint8)
_UINT64 = np.dtype(np.uint64)


def _class_index_args(input: Tensor, target: Tensor, ignore_index: int, fn: str) -> tuple:
    """input as (N, C, *rest) and target as (N, *rest), checked in
    PyTorch's order (shapes, then the target's dtype and values) and with
    its exception types; and whether the input was a single sample (C,),
    whose target is 0-d or of shape (1,); and ignore_index, or None when
    no target can equal it."""
    t = target.data  # read the arrays' facts directly: this runs every training step
    shape, tshape = input.data.shape, t.shape
    ndim = len(shape)
    if ndim == 0:
        raise ValueError(f"{fn}(): Expected 1 or more dimensions (got 0): the input needs a "
                         f"class dim, shape (C,), (N, C) or (N, C, d1, ...)")
    single = ndim == 1
    if not single and (tshape[0] if tshape else 0) != shape[0]:
        raise ValueError(f"{fn}(): Expected input batch_size ({shape[0]}) to match target "
                         f"batch_size ({tshape[0] if tshape else 0}): "
                         f"{_shapes_told(shape, tshape)}")
    if ndim <= 2:
        if len(tshape) > 1:  # ValueError here, RuntimeError in PyTorch
            raise ShapeError(f"{fn}(): 0D or 1D target tensor expected, multi-target not "
                             f"supported: {_shapes_told(shape, tshape)}"
                             f"{_probs_hint(fn, shape)}")
        if single and tshape not in ((), (1,)):
            raise ValueError(f"{fn}(): For 1D input, 1D target must have size 1, but got "
                             f"target size: {tshape[0]} (input of shape {shape} is one sample; "
                             f"give a 0-d target)")
    elif tshape != _target_shape(shape):
        raise ShapeError(f"{fn}(): Expected target size {_target_shape(shape)}, got {tshape}: "
                         f"{_shapes_told(shape, tshape)}; input (N, C, d1, ...) needs a "
                         f"target of shape (N, d1, ...)")
    if t.dtype not in _CLASS_DTYPES:
        raise RuntimeError(
            f"{fn}(): class-index targets must be int64 (or uint8), got dtype "
            f"{target.dtype}; convert them with target.long()"
            + (" (or pass class probabilities as a float tensor of the input's shape)"
               if fn == "cross_entropy" else ""))
    n_classes = shape[0 if single else 1]
    # The largest value checks 0 <= t < n_classes: read as uint64, a negative
    # int64 is larger than any class count (uint8 cannot be negative).
    # Found by argmax: a third of the instructions of max() (a ufunc reduction).
    u = t.view(_UINT64) if t.dtype.kind == "i" else t
    in_range = not t.size or u.item(u.argmax()) < n_classes
    bad = None if in_range else ((t < 0) | (t >= n_classes)) & (t != ignore_index)
    if bad is not None and bad.any():
        value = t[bad].flat[0]
        raise IndexError(f"{fn}(): target value {value} is out of range for {n_classes} "
                         f"classes: class indices must be in 0..{n_classes - 1} (or equal "
                         f"ignore_index={ignore_index} to skip a sample)")
    if n_classes == 0:
        raise ValueError(f"{fn}(): input of shape {tuple(input.shape)} has no classes")
    if in_range and not 0 <= ignore_index < n_classes:
        ignore_index = None  # no target can equal it: the loss need not look for it
    if single:
        return input.reshape(1, n_classes), Tensor._make(t.reshape(1)), True, ignore_index
    return input, target, False, ignore_index


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: -weight[t] * input[t] for log-probabilities
    `input` and class indices `target`; samples whose target equals
    ignore_index count zero. 'mean' divides by the summed weight of the
    counted samples (nan when every sample is ignored, as PyTorch).
    `weight` must have the input's dtype (PyTorch does not convert it)."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_input(input, "nll_loss")
    _check_tensor(target, "nll_loss", "target")
    x, t, single, ignore = _class_index_args(input, target, ignore_index, "nll_loss")
    w = _class_weight(weight, x.shape[1], x.dtype, "nll_loss")
    out = nn_ops.NLLLoss.apply(x, t, None if w is None else w.detach(), ignore, reduction)
    return out.reshape(()) if single and reduction == "none" else out


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of the logits `input` against class indices (int64)
    or class probabilities (float, input's shape), as one fused,
    numerically stable operation. `weight` rescales each class (with
    class indices it must have the input's dtype; with probabilities the
    result's dtype promotes, as PyTorch's), `label_smoothing` mixes the
    target with the uniform distribution."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_input(input, "cross_entropy")
    _check_tensor(target, "cross_entropy", "target")
    if not label_smoothing <= 1.0:  # PyTorch: a negative value means no smoothing
        raise RuntimeError(f"cross_entropy(): label_smoothing must be between 0.0 and 1.0. "
                           f"Got: {label_smoothing}")
    # a zero becomes 0.0 without the float() and max() calls (run every step)
    label_smoothing = 0.0 if label_smoothing == 0 else max(float(label_smoothing), 0.0)
    if target.data.shape == input.data.shape:  # PyTorch's rule for probabilities
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction,
                                    label_smoothing)
    x, t, single, ignore = _class_index_args(input, target, ignore_index, "cross_entropy")
    if weight is not None:
        weight = _class_weight(weight, x.shape[1], x.dtype, "cross_entropy").detach()
    out = nn_ops.CrossEntropy.apply(x, t, weight, ignore, reduction, label_smoothing)
    return out.reshape(()) if single and reduction == "none" else out


def _cross_entropy_probs(input: Tensor, target: Tensor, weight: Any, ignore_index: int,
                         reduction: str, label_smoothing: float) -> Tensor:
    """Cross-entropy against class probabilities (a target of the input's
    shape): -sum_c w_c t_c log p_c; 'mean' divides by the number of samples
    (not by the weights). The result has the promoted dtype of input and
    target, as PyTorch's."""
    if target.dtype.kind != "f":
        raise RuntimeError(f"cross_entropy(): Expected floating point type for target with "
                           f"class probabilities, got {target.dtype} (the target has the "
                           f"input's shape {tuple(input.shape)}, so it is read as "
                           f"probabilities; class indices have shape (N,) or (N, d1, ...))")
    if input.ndim == 0:
        raise IndexError("cross_entropy(): Dimension specified as 1 but tensor has no "
                         "dimensions: the input needs a class dim, shape (C,) or (N, C, ...)")
    if ignore_index >= 0:
        raise RuntimeError(f"cross_entropy(): ignore_index is not supported for floating "
                           f"point target (got ignore_index={ignore_index}); leave the "
                           f"default -100 with class probabilities")
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    weighted = nn_ops.LogSoftmax.apply(input, class_dim) * target
    w = _class_weight(weight, n_classes, None, "cross_entropy")  # promotes, as PyTorch
    if w is not None:
        weighted = weighted * w.reshape((n_classes,) + (1,) * (input.ndim - 2))
    loss = -weighted.sum(class_dim)
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    count = input.numel() // n_classes if n_classes else 0
    return total / count if count else total * float("nan")


# ---------------------------------------------------------- binary
def _binary_args(input: Tensor, target: Tensor, fn: str) -> Tensor:
    """The target, checked (the input's shape, floating point)."""
    _check_input(input, fn)
    _check_tensor(target, fn, "target")
    if target.shape != input.shape:
        raise ValueError(f"{fn}(): Target size ({tuple(target.shape)}) must be the same as "
                         f"input size ({tuple(input.shape)}); reshape the target (e.g. "
                         f"target.reshape(input.shape) or target.unsqueeze(1))")
    if target.dtype.kind != "f":
        raise RuntimeError(f"{fn}(): target must be a floating point tensor (probabilities "
                           f"in [0, 1]), got dtype {target.dtype}; convert it with "
                           f"target.float()")
    return target


def _check_broadcasts_to(t: Any, shape: tuple, fn: str, what: str) -> None:
    _check_tensor(t, fn, what)
    try:
        ok = np.broadcast_shapes(t.shape, shape) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"{fn}(): {what} of shape {tuple(t.shape)} must broadcast to "
                           f"the input's shape {tuple(shape)}")


def _weighted(loss: Tensor, weight: Any, fn: str) -> Tensor:
    if weight is None:
        return loss
    _check_broadcasts_to(weight, loss.shape, fn, "weight")
    return loss * (weight if weight.dtype == loss.dtype else weight.to(loss.dtype))


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """-(t log x + (1 - t) log(1 - x)) for probabilities x in [0, 1], each
    log clamped to >= -100 (so x = 0 or 1 gives a finite loss, as PyTorch)."""
    reduction = _reduction(size_average, reduce, reduction)
    target = _binary_args(input, target, "binary_cross_entropy")
    if target.dtype != input.dtype:
        raise RuntimeError(f"binary_cross_entropy(): Found dtype {target.dtype} but expected "
                           f"{input.dtype}: the target must have the input's dtype; convert it "
                           f"with target.to(input.dtype)")
    v = input.data
    if v.size and not ((v >= 0) & (v <= 1)).all():
        raise RuntimeError(
            f"binary_cross_entropy(): all elements of input should be between 0 and 1, got "
            f"values from {np.nanmin(v):.4g} to {np.nanmax(v):.4g}"
            + (" and nan" if np.isnan(v).any() else "")
            + ". Apply sigmoid first, or pass the raw scores to "
              "binary_cross_entropy_with_logits (more stable).")
    loss = nn_ops.BinaryCrossEntropy.apply(input, target)
    return _reduce(_weighted(loss, weight, "binary_cross_entropy"), reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, size_average: Any = None,
                                     reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross-entropy of sigmoid(input), computed stably from the
    logits: (1 - t) x + (1 + (pos_weight - 1) t) log(1 + exp(-x)).
    `pos_weight` weighs the positive term (broadcast along the last dim)."""
    reduction = _reduction(size_average, reduce, reduction)
    fn = "binary_cross_entropy_with_logits"
    target = _binary_args(input, target, fn)
    if input.dtype != target.dtype:  # PyTorch computes (and returns) in the target's dtype
        input = input.to(target.dtype)
    pw = None
    if pos_weight is not None:
        _check_broadcasts_to(pos_weight, input.shape, fn, "pos_weight")
        pw = pos_weight.detach().to(input.dtype)
    loss = nn_ops.BCEWithLogits.apply(input, target, pw)
    return _reduce(_weighted(loss, weight, fn), reduction)
