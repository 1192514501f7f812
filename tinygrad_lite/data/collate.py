"""Turning a list of samples into a batch (PyTorch's ``default_collate``).

`default_collate(samples)` stacks Tensors and numpy arrays along a new first
dim, turns Python ints into an int64 Tensor, floats into a float64 Tensor
(as PyTorch does), bools into a bool Tensor and numpy scalars into a Tensor
of their dtype; it leaves strings as they are and recurses into dicts,
named tuples, tuples and lists (a tuple of fields comes back as a *list*
of batches, exactly like PyTorch). `default_convert(sample)` is what the
DataLoader uses when batching is off: numpy arrays and scalars become
Tensors, containers are walked the same way.
"""
from __future__ import annotations

import collections.abc
import copy
from typing import Any, Sequence

import numpy as np

from .. import dtypes
from ..creation import stack
from ..tensor import Tensor

_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
          "lists; found {}. Pass collate_fn= to the DataLoader to batch other types.")


def _is_text_array(array: np.ndarray) -> bool:
    return array.dtype.kind in "SaUO"


def _array_tensor(value: Any) -> Tensor:
    """A numpy array or scalar as a Tensor of the same dtype (as torch.as_tensor)."""
    array = np.asarray(value)
    if array.dtype not in dtypes.SUPPORTED:
        raise TypeError(f"default_collate: numpy dtype {array.dtype} is not supported; "
                        f"convert the data to one of "
                        f"{', '.join(d.name for d in dtypes.SUPPORTED)} in the dataset")
    return Tensor._make(array)


def _stack_tensors(batch: Sequence[Tensor]) -> Tensor:
    first = batch[0]
    if any(t.requires_grad for t in batch) or any(t.dtype != first.dtype or
                                                  t.shape != first.shape for t in batch):
        return stack(list(batch))  # keeps the graph, promotes dtypes, names bad shapes
    return Tensor._make(np.stack([t.data for t in batch]))


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch (see the module docstring)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack_tensors(batch)
    if isinstance(elem, np.ndarray):
        if _is_text_array(elem):
            raise TypeError(_ERROR.format(elem.dtype))
        return _stack_tensors([_array_tensor(b) for b in batch])
    if isinstance(elem, (np.bool_, np.number, np.object_)):
        return _array_tensor(np.array(batch))
    if isinstance(elem, float):
        return Tensor(list(batch), dtype=dtypes.float64)
    if isinstance(elem, int):  # bools too: PyTorch gives a bool tensor
        return Tensor(list(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        merged = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(merged)
                return clone
            return type(elem)(merged)
        except TypeError:
            return merged
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError(
                f"default_collate: each element in list of batch should be of equal size; "
                f"got lengths {[len(sample) for sample in batch]}")
        columns = [default_collate(s) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # a list, as PyTorch does
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, column in enumerate(columns):
                    clone[i] = column
                return clone
            return type(elem)(columns)
        except TypeError:
            return columns
    raise TypeError(_ERROR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Numpy arrays and scalars inside `data` become Tensors; everything
    else stays (what the DataLoader does with batch_size=None)."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if _is_text_array(data) else _array_tensor(data)
    if isinstance(data, (np.bool_, np.number)):
        return _array_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update(converted)
                return clone
            return type(data)(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
