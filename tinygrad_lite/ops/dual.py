"""Functions for backward formulas that run on numpy arrays *and* Tensors.

A built-in operation's backward is written once. In an ordinary backward it
receives numpy arrays and computes with numpy (no Tensor objects, so it is
fast); under ``create_graph=True`` it receives Tensors and every step is
recorded, which is what makes double backward work. Operators (``+ * / @``),
indexing, ``.sum(axis=, keepdims=)``, ``.reshape`` and comparisons already
behave the same on both; the few functions below cover what does not.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor, _sign, where as _tensor_where
from .special import erf as _erf


def exp(x: Any) -> Any:
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def log(x: Any) -> Any:
    return x.log() if isinstance(x, Tensor) else np.log(x)


def sin(x: Any) -> Any:
    return x.sin() if isinstance(x, Tensor) else np.sin(x)


def cos(x: Any) -> Any:
    return x.cos() if isinstance(x, Tensor) else np.cos(x)


def tanh(x: Any) -> Any:
    return x.tanh() if isinstance(x, Tensor) else np.tanh(x)


def sigmoid(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x.sigmoid()
    return np.exp(-np.logaddexp(0, -x))


def erf(x: Any) -> Any:
    if isinstance(x, Tensor):
        from .elementwise import Erf
        return Erf.apply(x)
    return _erf(x)


def sign(x: Any) -> Any:
    """Sign as a constant (its derivative is zero); 0 at nan, as PyTorch."""
    return Tensor._make(_sign(x.data)) if isinstance(x, Tensor) else _sign(x)


def where(cond: Any, a: Any, b: Any) -> Any:
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return _tensor_where(cond, a, b)
    return np.where(cond.data if isinstance(cond, Tensor) else cond, a, b)


def permute(x: Any, axes: tuple) -> Any:
    return x.permute(tuple(axes)) if isinstance(x, Tensor) else x.transpose(axes)


#: Below this many elements, `broadcast_to` copies instead of making a view.
COPY_BELOW = 1 << 14


def broadcast_to(x: Any, shape: tuple) -> Any:
    """`x` broadcast to `shape`: ``Tensor.expand``, or for an array a small
    fresh copy or, from `COPY_BELOW` elements on, a read-only view. Every
    reduction's backward comes here: ``np.broadcast_to`` spends some
    microseconds on Python-level checks, more than copying a few thousand
    numbers costs, and a fresh array can become a leaf's ``.grad`` as it is."""
    if isinstance(x, Tensor):
        return x.expand(shape)
    if math.prod(shape) < COPY_BELOW:
        out = np.empty(shape, x.dtype)
        out[...] = x
        return out
    return np.broadcast_to(x, shape)


def matmul(a: Any, b: Any) -> Any:
    return a @ b


def zeros(shape: tuple, like: Any) -> Any:
    """Zeros of `shape` in the dtype (and kind: array or Tensor) of `like`."""
    data = np.zeros(shape, like.dtype)
    return Tensor._make(data) if isinstance(like, Tensor) else data


def index_add(grad: Any, shape: tuple, index: Any) -> Any:
    """Zeros of `shape` with `grad` added at `index` (repeated positions
    accumulate): the backward of indexing."""
    from .movement import IndexAdd, index_add_array
    if isinstance(grad, Tensor):
        return IndexAdd.apply(grad, shape, index)
    return index_add_array(grad, shape, index)


def pad(x: Any, pads: tuple) -> Any:
    """Zero padding, `pads` a ((before, after), ...) per dim."""
    from .movement import Pad
    if isinstance(x, Tensor):
        return Pad.apply(x, pads, 0.0)
    return np.pad(x, pads)


def einsum(subscripts: str, *operands: Any) -> Any:
    if any(isinstance(o, Tensor) for o in operands):
        from .linalg import einsum as _einsum
        return _einsum(subscripts, *operands)
    return np.einsum(subscripts, *operands, optimize=len(operands) > 2)
