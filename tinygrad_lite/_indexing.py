"""Reading an index the way PyTorch reads it, as one or two numpy indices.

PyTorch's indexing is numpy's with three differences handled here: a short
list holding sequences is a tuple of indices, slice steps must be positive,
and integers are applied before advanced indices (so they never count as
advanced, which changes where the advanced dims go). Error messages use
PyTorch's words ("dimension", "tensor").
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .ops import movement as _mv
from .tensor import Tensor

_INDEX_TYPES = ("only integers, slices (`:`), ellipsis (`...`), None and long or bool "
                "tensors (or lists of them) are valid indices")


def _items(index: Any) -> tuple:
    """An index as a tuple of items, read the way PyTorch reads it: a short
    list holding sequences, tensors, slices, None or ... is a tuple of
    indices (``x[[[0, 1], [1, 0]]]`` is ``x[[0, 1], [1, 0]]``)."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32 and any(
            isinstance(i, (list, tuple, np.ndarray, Tensor, slice)) or i is None or i is Ellipsis
            for i in index):
        return tuple(index)
    return (index,)


def _item(item: Any) -> Any:
    """One index item checked: 0-d integer tensors count as ints, steps
    must be positive, and anything else gets a message."""
    if isinstance(item, (Tensor, np.ndarray)):
        data = item.data if isinstance(item, Tensor) else item
        if data.dtype.kind not in "biu":
            raise IndexError(f"index: tensors used as indices must be long, int, byte or bool "
                             f"tensors, got dtype {data.dtype}")
        if data.ndim == 0 and data.dtype.kind != "b":
            return int(data)
        return item
    if isinstance(item, slice):
        if item.step is not None and item.step <= 0:
            raise ValueError(f"index: step must be greater than zero, got {item}; to "
                             f"reverse a tensor use flip(dims)")
        return item
    if item is None or item is Ellipsis or isinstance(item, (int, np.integer, np.bool_,
                                                             list)):
        return item
    raise IndexError(f"index: {_INDEX_TYPES} (got {type(item).__name__} {item!r})")


def _is_advanced(item: Any) -> bool:
    return isinstance(item, (list, np.ndarray, Tensor, bool, np.bool_))


def steps(index: Any, shape: tuple) -> tuple:
    """The index as one or two numpy indices ``(first, rest)`` (None when a
    step is not needed). PyTorch applies integers before advanced indices
    (so they never count as advanced ones, unlike numpy): when both are
    present, `first` selects the integers and `rest` does the others."""
    items = tuple(_item(i) for i in _items(index))
    ints = [isinstance(i, (int, np.integer)) and not isinstance(i, bool)
            for i in items]
    if not (any(ints) and any(_is_advanced(i) for i in items)):
        return _mv.normalize_index(items, shape), None
    first: list = []
    rest: list = []
    for item, is_int in zip(items, ints):
        if is_int:
            first.append(item)
            continue
        rest.append(item)
        if item is Ellipsis:
            first.append(Ellipsis)
        elif isinstance(item, slice):
            first.append(slice(None))
        elif isinstance(item, (list, np.ndarray, Tensor)):  # an index array or a mask
            array = item.data if isinstance(item, Tensor) else np.asarray(item)
            first.extend([slice(None)] * (array.ndim if array.dtype.kind == "b" else 1))
    return tuple(first), _mv.normalize_index(tuple(rest), shape)


def error(e: IndexError) -> IndexError:
    """numpy's indexing message in PyTorch's words."""
    text = str(e).replace("axis", "dimension").replace("array", "tensor")
    return IndexError(text if text.startswith("index") else f"index: {text}")
