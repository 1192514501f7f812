"""Gradient clipping and flat parameter vectors (``tgl.nn.utils``), as in PyTorch.

The clipping functions change ``p.grad`` in place between ``backward()`` and
``optimizer.step()``; they work on the numpy arrays directly and record no
graph.
"""
from __future__ import annotations

import math
import numbers
import types
import warnings
from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor

TensorOrTensors = Any  # a Tensor or an iterable of Tensors


def _as_list(parameters: TensorOrTensors, name: str) -> list:
    if isinstance(parameters, Tensor):
        return [parameters]
    try:
        return list(parameters)
    except TypeError:
        hint = "model.parameters()" if hasattr(parameters, "parameters") else "a list of Tensors"
        raise TypeError(f"{name}: parameters must be a Tensor or an iterable of Tensors, got "
                        f"{type(parameters).__name__}; pass {hint}") from None


def _float_arg(value: Any, name: str, key: str) -> float:
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, str)):
        raise TypeError(f"{name}: {key} must be a number, got {type(value).__name__} {value!r}")
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name}: {key} must be a number (or 'inf'), got {value!r}") from None


def _check_foreach(foreach: Any, name: str) -> None:
    if foreach not in (None, False):
        raise NotImplementedError(f"{name}: foreach={foreach!r} is not supported by "
                                  f"tinygrad_lite (it handles one gradient at a time with "
                                  f"numpy); leave foreach=None")


def _vector_norm(array: np.ndarray, ord: float) -> np.ndarray:
    """The p-norm of all elements of `array`, in its dtype (torch.linalg.vector_norm)."""
    flat = array.reshape(-1)
    if flat.size == 0:
        if ord < 0 or ord == math.inf:
            raise RuntimeError(f"clip_grad_norm_: the {ord}-norm of an empty gradient is not "
                               f"defined (there is no largest/smallest element); remove "
                               f"parameters with empty gradients or use norm_type=2")
        return np.zeros((), array.dtype)
    with np.errstate(divide="ignore"):  # negative orders: 0 ** -p = inf is intended
        return np.asarray(np.linalg.norm(flat, ord), dtype=array.dtype)


def get_total_norm(tensors: TensorOrTensors, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The norm of all elements of `tensors` taken together, as if they were
    concatenated into one vector (a 0-d Tensor; ``tgl.tensor(0.)`` for no
    tensors). ``norm_type`` may be ``float('inf')`` or ``'inf'``. With
    ``error_if_nonfinite=True`` a NaN or infinite norm raises RuntimeError.
    ``foreach=True`` is not supported (NotImplementedError)."""
    _check_foreach(foreach, "get_total_norm")
    arrays = [t.data for t in _as_list(tensors, "get_total_norm")]
    norm_type = _float_arg(norm_type, "get_total_norm", "norm_type")
    if not arrays:
        return Tensor._make(np.zeros((), np.float32))
    dtype = np.result_type(*arrays)
    norms = np.array([_vector_norm(a, norm_type) for a in arrays], dtype=dtype)
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            f"non-finite ({float(total)}), so it cannot be clipped. To disable this error and "
            f"scale the gradients by the non-finite norm anyway, set "
            f"`error_if_nonfinite=False` (or find where the NaN/inf comes from, e.g. with "
            f"tgl.autograd.detect_anomaly())")
    return Tensor._make(total)


def clip_grads_with_norm_(parameters: TensorOrTensors, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scale every ``p.grad`` in place by ``min(max_norm / (total_norm + 1e-6), 1)``
    (PyTorch's clip coefficient) for a norm computed beforehand."""
    _check_foreach(foreach, "clip_grads_with_norm_")
    params = _as_list(parameters, "clip_grads_with_norm_")
    max_norm = _float_arg(max_norm, "clip_grads_with_norm_", "max_norm")
    if not max_norm >= 0:
        raise ValueError(f"clip_grads_with_norm_: max_norm must be >= 0, got {max_norm} (a "
                         f"negative bound would flip the gradients' sign)")
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    total = total_norm.data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    coef = max_norm / (total + total.dtype.type(1e-6))
    coef = np.minimum(coef, total.dtype.type(1.0))
    for grad in grads:
        np.multiply(grad.data, coef, out=grad.data, casting="unsafe")
        grad._bump_version()


def clip_grad_norm_(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Rescale the gradients of `parameters` in place so that their total
    norm (all gradients seen as one vector) is at most `max_norm`; return
    the total norm before clipping (a 0-d Tensor).

    The gradients are multiplied by ``min(max_norm / (total_norm + 1e-6), 1)``
    as in PyTorch; parameters without a gradient are skipped. ``norm_type``
    may be ``float('inf')`` (largest absolute value). A NaN/inf norm raises
    RuntimeError when ``error_if_nonfinite=True``. ``foreach=True`` is not
    supported (NotImplementedError).
    """
    _check_foreach(foreach, "clip_grad_norm_")
    if isinstance(parameters, Tensor):
        params = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        params = _as_list(parameters, "clip_grad_norm_")
        if is_generator and not params:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=2)
    max_norm = _float_arg(max_norm, "clip_grad_norm_", "max_norm")
    if not max_norm >= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm} (a negative "
                         f"bound would flip the gradients' sign)")
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_value_(parameters: TensorOrTensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every ``p.grad`` in place to ``[-clip_value, clip_value]``.
    ``foreach=True`` is not supported (NotImplementedError)."""
    _check_foreach(foreach, "clip_grad_value_")
    params = _as_list(parameters, "clip_grad_value_")
    clip_value = _float_arg(clip_value, "clip_grad_value_", "clip_value")
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value} "
                         f"(gradients are clamped to [-clip_value, clip_value])")
    for p in params:
        grad = p.grad
        if grad is not None:
            np.clip(grad.data, -clip_value, clip_value, out=grad.data)
            grad._bump_version()


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one 1-D Tensor (a copy that
    stays in the graph, as ``tgl.cat`` of the flattened tensors)."""
    from ..creation import cat
    params = _as_list(parameters, "parameters_to_vector")
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"parameters_to_vector: expected Tensors, but got "
                            f"{type(p).__name__}")
    if not params:
        raise ValueError("parameters_to_vector: got no parameters; pass model.parameters() of a "
                         "model that has some")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D `vec` into the parameters (the
    inverse of ``parameters_to_vector``). As in PyTorch, each parameter's
    ``data`` becomes a view of ``vec``'s memory."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, but got: "
                        f"{type(vec).__name__}")
    params = _as_list(parameters, "vector_to_parameters")
    total = sum(int(np.prod(p.shape)) for p in params)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ValueError(f"vector_to_parameters: vec must be 1-D with {total} elements (the "
                         f"parameters' total size), got shape {vec.shape}")
    pointer = 0
    for p in params:
        n = int(np.prod(p.shape))
        p.data = vec.data[pointer:pointer + n].reshape(p.shape)
        p._bump_version()
        pointer += n


__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
           "parameters_to_vector", "vector_to_parameters"]
