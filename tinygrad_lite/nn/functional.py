"""``tinygrad_lite.nn.functional`` (import it as F): the stateless form of
every layer, with PyTorch's names, argument names and defaults.

Functions check their arguments here, at the public edge, and raise errors
that name the function, the shapes and the fix; the computation is one
fused operation from `tinygrad_lite.ops.nn_ops` or a few Tensor methods.
The losses live in `nn/functional_loss.py` and are re-exported here.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Sequence

import numpy as np

from .. import dtypes
from ..grad_mode import no_grad
from ..ops import nn_ops
from ..ops.movement import Pad
from ..random import _rng
from ..tensor import Tensor, _dim_arg
from ._errors import DtypeError
from .conv import avg_pool2d, conv2d, max_pool2d
from .functional_loss import (binary_cross_entropy, binary_cross_entropy_with_logits,
                              cross_entropy, l1_loss, mse_loss, nll_loss)


def _check_tensor(x: Any, fn: str, arg: str = "input") -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' must be a Tensor, got "
                        f"{type(x).__name__}; wrap data with tgl.tensor(...)")


def _check_float(x: Tensor, fn: str, arg: str = "input") -> None:
    _check_tensor(x, fn, arg)
    if x.dtype.kind != "f":
        raise RuntimeError(f"{fn}(): '{arg}' must be a floating point tensor, got dtype "
                           f"{x.dtype}; convert it with .float()")


def _check_float_kernel(x: Tensor, fn: str) -> None:
    """Operations PyTorch has no integer kernel for raise NotImplementedError
    (a RuntimeError) on integer or bool input, as PyTorch does."""
    if x.dtype.kind != "f":
        raise NotImplementedError(f"{fn}(): not implemented for dtype {x.dtype}; it needs a "
                                  f"floating point input: convert it with .float()")


def _inplace(x: Tensor, name: str, fn: Any, numpy_fn: Any) -> Tensor:
    """Run an in-place activation with Tensor's in-place rules (recorded
    for autograd on non-leaf tensors, an error on leaves that need grad)."""
    return x._inplace(name, fn, numpy_fn)


# ---------------------------------------------------------- activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0) elementwise (gradient 0 at 0, as PyTorch)."""
    _check_tensor(input, "relu")
    if inplace:
        return _inplace(input, "relu_", Tensor.relu, lambda d: np.maximum(d, 0, out=d))
    return input.relu()


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)), computed without overflow."""
    _check_tensor(input, "sigmoid")
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    _check_tensor(input, "tanh")
    return input.tanh()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    _check_tensor(input, "leaky_relu")
    _check_float_kernel(input, "leaky_relu")
    if inplace:
        def numpy_fn(d: np.ndarray) -> None:
            np.multiply(d, negative_slope, out=d, where=d <= 0, casting="unsafe")
        return _inplace(input, "leaky_relu_", lambda t: t.leaky_relu(negative_slope), numpy_fn)
    return input.leaky_relu(negative_slope)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) (exact normal CDF) or its tanh approximation."""
    _check_tensor(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"gelu(): approximate argument must be either 'none' or 'tanh', got "
                           f"approximate={approximate!r}")
    _check_float_kernel(input, "gelu")
    return input.gelu(approximate=approximate)


def softplus(input: Tensor, beta: float = 1, threshold: float = 20) -> Tensor:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold."""
    _check_tensor(input, "softplus")
    _check_float_kernel(input, "softplus")
    return input.softplus(beta=beta, threshold=threshold)


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                  f"call to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_input(input: Tensor, dim: Any, dtype: Any, name: str, stacklevel: int) -> tuple:
    _check_tensor(input, name)
    if dtype is not None:
        input = input.to(dtype)
    if input.dtype.kind != "f":
        raise NotImplementedError(f"{name}(): not implemented for dtype {input.dtype}: it "
                                  f"needs a floating point input; call .float() first or "
                                  f"pass dtype=tgl.float32")
    if dim is None:
        dim = _softmax_dim(name, input.ndim, stacklevel + 1)
    return input, _dim_arg(dim, input.ndim, name)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """exp(x) / exp(x).sum(dim), numerically stable; `dtype` casts first."""
    x, d = _softmax_input(input, dim, dtype, "softmax", _stacklevel)
    return nn_ops.Softmax.apply(x, d)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """x - logsumexp(x, dim), numerically stable; `dtype` casts first."""
    x, d = _softmax_input(input, dim, dtype, "log_softmax", _stacklevel)
    return nn_ops.LogSoftmax.apply(x, d)


# ------------------------------------------------------ dropout, linear
def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p),
    when `training`; otherwise return the input unchanged. The mask comes
    from the seeded default generator (`tgl.manual_seed`)."""
    _check_tensor(input, "dropout")
    if not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input.numel() == 0:
        return input
    _check_float(input, "dropout")
    dtype = input.dtype
    if p == 1:
        mask = np.zeros(input.shape, dtype)
    else:
        draw_dtype = np.float32 if dtype == np.float32 else np.float64
        keep = _rng().random(input.shape, dtype=draw_dtype) >= p
        mask = keep.astype(dtype) / dtype.type(1 - p)
    if inplace:
        return _inplace(input, "dropout_", lambda t: t * Tensor._make(mask),
                        lambda d: np.multiply(d, mask, out=d))
    return input * Tensor._make(mask)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight.T + bias as one operation; input (*, in_features),
    weight (out_features, in_features), bias (out_features,) or None. A 1-D
    weight (in_features,) and no bias gives input @ weight, of shape (*), as
    PyTorch."""
    _check_tensor(input, "linear")
    _check_tensor(weight, "linear", "weight")
    v, w = input.data, weight.data  # the arrays' facts, read once: this runs per layer call
    if w.ndim == 1:
        return _linear_vector(input, weight, bias)
    if w.ndim != 2:
        raise RuntimeError(f"linear(): weight must be 2-D (out_features, in_features), got "
                           f"shape {w.shape}")
    out_f, in_f = w.shape
    if v.ndim == 0 or v.shape[-1] != in_f:
        raise RuntimeError(
            f"linear(): input of shape {v.shape} does not fit a weight of shape "
            f"{w.shape}: the input's last dim must be in_features={in_f}, i.e. "
            f"shape (*, {in_f}). Check the layer sizes, or flatten the input first.")
    if bias is not None:
        _check_tensor(bias, "linear", "bias")
        if bias.data.shape not in ((out_f,), (1,), ()):  # (1,) and () broadcast, as in PyTorch
            raise RuntimeError(f"linear(): bias must have shape ({out_f},) to match weight "
                               f"{w.shape}, got {bias.data.shape}")
    if w.dtype != v.dtype:
        raise _linear_dtype_error("weight", v.dtype, w.dtype)
    if bias is not None and bias.data.dtype != v.dtype:
        raise _linear_dtype_error("bias", v.dtype, bias.data.dtype)
    if v.dtype.kind not in "fiu":  # integer linear works, as in PyTorch
        raise NotImplementedError(f"linear(): not implemented for dtype {v.dtype}; call "
                                  f".float() on the input and the layer")
    return nn_ops.Linear.apply(input, weight, bias)


def _linear_dtype_error(name: str, dtype: np.dtype, other: np.dtype) -> RuntimeError:
    return RuntimeError(
        f"linear(): input and {name} must have the same dtype, but got {dtype} and {other}; "
        f"convert the input (x.float() / x.double()) or the layer (model.float() / "
        f"model.double())")


def _linear_vector(input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """linear() with a 1-D weight (in_features,): input @ weight (+ bias)."""
    if input.ndim == 0 or input.shape[-1] != weight.shape[0]:
        raise RuntimeError(
            f"linear(): input of shape {tuple(input.shape)} does not fit a 1-D weight of shape "
            f"{tuple(weight.shape)}: the input's last dim must be {weight.shape[0]}")
    if bias is not None:
        raise RuntimeError(f"linear(): a 1-D weight {tuple(weight.shape)} takes no bias (as "
                           f"PyTorch: mat2 must be a matrix); give the weight shape "
                           f"(1, {weight.shape[0]}) to use a bias")
    if weight.dtype != input.dtype:
        raise RuntimeError(f"linear(): input and weight must have the same dtype, got "
                           f"{input.dtype} and {weight.dtype}")
    return input @ weight


# -------------------------------------------------- embedding, one_hot
def _check_indices(input: Any, fn: str) -> Tensor:
    _check_tensor(input, fn)
    if input.dtype.kind not in "iu":
        raise DtypeError(f"{fn}(): indices must be an integer tensor (int64 or int32), got "
                         f"dtype {input.dtype}; convert them with .long()")
    return input


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of `weight` (num_embeddings, embedding_dim) picked by the integer
    `input`: the result has shape input.shape + (embedding_dim,). The
    `padding_idx` row gets no gradient; `max_norm` renormalises the picked
    rows in place first; `scale_grad_by_freq` divides each row's gradient
    by its count in the batch. ``sparse=True`` is not supported
    (NotImplementedError): gradients are always dense."""
    _check_indices(input, "embedding")
    _check_tensor(weight, "embedding", "weight")
    if sparse:
        raise NotImplementedError("embedding(): sparse=True is not supported; tinygrad_lite "
                                  "has dense gradients only (use sparse=False)")
    if weight.ndim != 2:
        raise RuntimeError(f"embedding(): weight must be 2-D (num_embeddings, embedding_dim), "
                           f"got shape {tuple(weight.shape)}")
    n = weight.shape[0]
    idx = input.data
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"embedding(): index {bad} is out of range for an embedding of "
                         f"{n} rows (num_embeddings={n}); indices must be in 0..{n - 1}")
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise AssertionError(f"Padding_idx must be within num_embeddings (got "
                                 f"padding_idx={padding_idx} for {n} rows)")
        padding_idx = padding_idx % n
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    return nn_ops.Embedding.apply(weight, input, padding_idx, bool(scale_grad_by_freq))


def _renorm_rows(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Scale the rows of `weight` that `idx` uses to norm <= max_norm, in
    place and without gradient (as PyTorch's embedding_renorm_)."""
    rows = np.unique(idx)
    data = weight.data
    norms = np.linalg.norm(data[rows].astype(np.float64), ord=norm_type, axis=1)
    over = norms > max_norm
    if over.any():
        with no_grad():
            scale = (max_norm / (norms[over] + 1e-7)).astype(data.dtype)
            data[rows[over]] *= scale[:, None]
            weight._bump_version()


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding: shape tensor.shape + (num_classes,); with
    num_classes=-1 it is max(tensor) + 1."""
    _check_tensor(tensor, "one_hot", "tensor")
    if tensor.dtype != dtypes.int64:
        raise RuntimeError(f"one_hot is only applicable to index tensor of type int64 "
                           f"(LongTensor), got {tensor.dtype}; convert it with .long()")
    idx = tensor.data
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("one_hot: Can not infer total number of classes from empty "
                               "tensor; pass num_classes")
        num_classes = int(idx.max()) + 1
    if idx.size and idx.min() < 0:
        raise RuntimeError(f"one_hot: Class values must be non-negative, got {idx.min()}")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError(f"one_hot: Class values must be smaller than num_classes "
                           f"({num_classes}), got {idx.max()}")
    out = np.zeros(idx.shape + (num_classes,), np.int64)
    np.put_along_axis(out, idx[..., None], 1, -1)
    return Tensor._make(out)


# ------------------------------------------------------------------ pad
_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad (or, with negative sizes and mode='constant', crop) the last
    dims: pad = (left, right) for the last dim, then (top, bottom) for the
    one before, and so on. Modes 'constant' (with `value`, default 0),
    'reflect', 'replicate' and 'circular' (the last three on the last 1-3
    dims of a 2-D to 5-D input, as PyTorch). Negative sizes crop in every
    mode but 'circular', where they are not supported (NotImplementedError)."""
    _check_tensor(input, "pad")
    pads = [int(p) for p in pad]
    if len(pads) % 2:
        raise RuntimeError(f"pad(): Padding length must be divisible by 2, got {tuple(pads)}")
    k = len(pads) // 2
    if k > input.ndim:
        raise RuntimeError(f"pad(): Padding length should be less than or equal to two times "
                           f"the input dimension but got padding length {len(pads)} and "
                           f"input of dimension {input.ndim}")
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"pad(): mode {mode!r} is not supported; use one of "
                                  f"{_PAD_MODES}")
    # (before, after) for each padded dim, from the last dim backwards
    amounts = {input.ndim - 1 - i: (pads[2 * i], pads[2 * i + 1]) for i in range(k)}
    if mode == "constant":
        return _pad_constant(input, amounts, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f"pad(): padding mode {mode!r} doesn't take in value argument "
                           f"(value={value}); leave value=None, or use mode='constant'")
    if k not in (1, 2, 3) or input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"pad(): padding size {len(pads)} is not supported for {input.ndim}D input with "
            f"mode {mode!r}. Supported: 2D or 3D input with 2 pads (last dim), 3D or 4D with "
            f"4 pads (last 2 dims), 4D or 5D with 6 pads (last 3 dims)")
    # as PyTorch: only the batch dim (of a (N, C, *spatial) input) may be empty
    first = 1 if input.ndim == k + 2 else 0
    if mode != "circular" and 0 in input.shape[first:]:
        raise RuntimeError(
            f"pad(): mode {mode!r} expects a {k + 1}D or {k + 2}D (batch mode) tensor with "
            f"possibly 0 batch size and other non-zero dimensions, but got input of shape "
            f"{tuple(input.shape)}")
    out = input
    for d, (before, after) in sorted(amounts.items()):
        out = _pad_indexed(out, d, before, after, mode)
    return out


def _pad_constant(x: Tensor, amounts: dict, value: float) -> Tensor:
    """Crop the negative amounts first (as PyTorch), then pad with `value`."""
    widths = [amounts.get(d, (0, 0)) for d in range(x.ndim)]
    if any(before < 0 or after < 0 for before, after in widths):
        crop = []
        for d, ((before, after), n) in enumerate(zip(widths, x.shape)):
            start, stop = max(-before, 0), n - max(-after, 0)
            if stop < start:
                raise RuntimeError(f"pad(): the padding ({before}, {after}) of dim {d} crops "
                                   f"more than its size {n} (input shape {tuple(x.shape)})")
            crop.append(slice(start, stop))
        x = x[tuple(crop)]
    widths = tuple((max(before, 0), max(after, 0)) for before, after in widths)
    return Pad.apply(x, widths, np.asarray(value).astype(x.dtype).item())


def _pad_indexed(x: Tensor, d: int, before: int, after: int, mode: str) -> Tensor:
    """Pad dim `d` by gathering existing elements (gradient flows back to
    every element a padded position copies). Output position j reads the
    input at j - before, reflected, clamped or wrapped into 0..n-1, so a
    negative amount crops (as PyTorch's reflect and replicate)."""
    n = x.shape[d]
    if mode == "circular" and (before < 0 or after < 0):
        raise NotImplementedError(f"pad(): negative padding is not supported with "
                                  f"mode='circular', got ({before}, {after}); crop first "
                                  f"(x[..., a:b]) or use mode='constant'")
    if not before and not after:
        return x
    if mode != "circular" and n + before + after < 1:
        raise RuntimeError(f"pad(): input (size {n} in dim {d}, shape {tuple(x.shape)}) is "
                           f"too small for the padding ({before}, {after}): calculated output "
                           f"size {n + before + after}; the output must have at least 1 "
                           f"element")
    positions = np.arange(-before, n + after)
    if mode == "reflect":
        if before >= n or after >= n:
            raise RuntimeError(f"pad(): with mode='reflect' the padding ({before}, {after}) must "
                               f"be less than the size {n} of dim {d} (input shape "
                               f"{tuple(x.shape)})")
        positions = np.abs(positions)
        positions = np.where(positions >= n, 2 * (n - 1) - positions, positions)
    elif mode == "replicate":
        if n == 0:
            raise RuntimeError(f"pad(): mode='replicate' needs a non-empty dim {d} (input "
                               f"shape {tuple(x.shape)})")
        positions = np.clip(positions, 0, n - 1)
    else:  # circular
        if before > n or after > n:
            raise RuntimeError(f"pad(): with mode='circular' the padding ({before}, {after}) "
                               f"can't be larger than the size {n} of dim {d}")
        positions = positions % n
    return x[(slice(None),) * d + (positions,)]


# -------------------------------------------------------- normalisation
def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the last dims (those of `normalized_shape`) by their
    mean and biased variance, then scale by weight and shift by bias."""
    _check_tensor(input, "layer_norm")
    _check_float_kernel(input, "layer_norm")
    shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) \
        else tuple(int(n) for n in normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        raise RuntimeError(
            f"layer_norm(): normalized_shape={shape} expects an input of shape "
            f"(*, {', '.join(map(str, shape))}), but got input of shape {tuple(input.shape)}. "
            f"The last dims of the input must equal normalized_shape.")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None:
            _check_tensor(t, "layer_norm", name)
            if tuple(t.shape) != shape:
                raise RuntimeError(f"layer_norm(): {name} must have shape {shape} "
                                   f"(normalized_shape), got {tuple(t.shape)}")
            _check_same_dtype(input, t, name, "layer_norm")
    return nn_ops.LayerNorm.apply(input, weight, bias, k, eps)


def _check_same_dtype(input: Tensor, t: Tensor, name: str, fn: str) -> None:
    if t.dtype != input.dtype:
        raise RuntimeError(
            f"{fn}(): mixed dtypes: input is {input.dtype} but {name} is {t.dtype}; all "
            f"tensors must share the same dtype: convert the input (x.float() / x.double()) "
            f"or the layer (model.float() / model.double())")


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) of an (N, C, *) input. In training:
    by the batch's mean and biased variance, updating the running
    statistics (if given) in place with `momentum` (running_var gets the
    unbiased variance). Otherwise by running_mean and running_var. All
    four tensors must have the input's dtype (PyTorch's mixed-dtype error)."""
    _check_tensor(input, "batch_norm")
    _check_float_kernel(input, "batch_norm")
    if input.ndim < 2:
        raise ValueError(f"batch_norm(): expected an input of shape (N, C, *) with at least 2 "
                         f"dims, got shape {tuple(input.shape)}")
    for name, number in (("momentum", momentum), ("eps", eps)):
        if not isinstance(number, (int, float, np.number)):
            raise TypeError(f"batch_norm(): argument '{name}' must be float, not "
                            f"{type(number).__name__} (nn.BatchNorm's momentum=None, a "
                            f"cumulative average, is the module's option, not this function's)")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and (not isinstance(t, Tensor) or t.shape != (c,)):
            got = tuple(t.shape) if isinstance(t, Tensor) else type(t).__name__
            raise RuntimeError(f"batch_norm(): {name} should have shape ({c},) for an input "
                               f"with {c} channels in dim 1 (shape {tuple(input.shape)}), "
                               f"got {got}")
        if t is not None:  # PyTorch casts none of them (its "mixed dtype" error)
            _check_same_dtype(input, t, name, "batch_norm")
    bshape = (1, c) + (1,) * (input.ndim - 2)
    if training:
        # PyTorch's rule: an error for exactly one value per channel; an
        # empty batch gives an empty output and leaves the statistics alone
        values_per_channel = input.shape[0] * math.prod(input.shape[2:])
        if values_per_channel == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {tuple(input.shape)}")
        if input.numel() == 0:
            out = input.clone() if weight is None else input * weight.reshape(bshape)
            return out if bias is None else out + bias.reshape(bshape)
        return nn_ops.BatchNorm.apply(input, weight, bias, running_mean, running_var,
                                      momentum, eps)
    if running_mean is None or running_var is None:
        raise RuntimeError("batch_norm(): running_mean and running_var must be given when "
                           "training=False (evaluation uses the running statistics)")
    dtype = input.dtype
    mean = Tensor._make(running_mean.data.reshape(bshape).astype(dtype, copy=False))
    rstd = 1.0 / np.sqrt(running_var.data.astype(dtype, copy=False) + dtype.type(eps))
    scale = Tensor._make(rstd) if weight is None else weight * Tensor._make(rstd)
    out = (input - mean) * scale.reshape(bshape)
    return out if bias is None else out + bias.reshape(bshape)


__all__ = [
    "relu", "sigmoid", "tanh", "softmax", "log_softmax", "gelu", "leaky_relu", "softplus",
    "dropout", "linear", "conv2d", "max_pool2d", "avg_pool2d", "pad", "one_hot", "embedding",
    "layer_norm", "batch_norm",
    "mse_loss", "l1_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
]
