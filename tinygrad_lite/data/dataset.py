"""Map-style datasets: anything with ``__getitem__(i)`` and ``__len__()``.

`Dataset` is the base class (``a + b`` joins two datasets), `TensorDataset`
serves rows of tensors, `Subset` a chosen set of indices of another dataset,
`ConcatDataset` several datasets one after another, and `random_split`
shuffles a dataset into Subsets. Names and behaviour follow
``torch.utils.data``.

`TensorDataset` and `Subset` also answer ``_fetch_batch(indices)``: the
DataLoader's fast path, which gathers a whole batch with one fancy-indexing
step per tensor instead of stacking rows one by one.
"""
from __future__ import annotations

import bisect
import itertools
import math
import warnings
from typing import Any, Generic, Iterable, Sequence, TypeVar

import numpy as np

from ..creation import randperm
from ..random import Generator
from ..tensor import Tensor


class SizeMismatchError(ValueError, AssertionError):
    """Tensors of a TensorDataset disagree in their first dimension.

    A ValueError, and also an AssertionError because that is what PyTorch's
    TensorDataset raises, so code written for either catches it."""


T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """Base class of map-style datasets: subclass it and define
    ``__getitem__(index)`` (one sample) and ``__len__()``. Generic like
    PyTorch's, so ``class Digits(Dataset[tuple])`` works."""

    def __getitem__(self, index: int) -> T_co:
        raise NotImplementedError(
            f"{type(self).__name__} must define __getitem__(self, index) returning one "
            f"sample (and __len__(self) returning the number of samples)")

    def __add__(self, other: Any) -> "ConcatDataset":
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Rows of tensors that share their first dimension: sample ``i`` is
    ``tuple(t[i] for t in tensors)``.

    Raises `SizeMismatchError` (a ValueError) naming the sizes when the
    first dimensions differ."""

    def __init__(self, *tensors: Tensor) -> None:
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: argument {i} is a {type(t).__name__}, "
                                f"expected a Tensor; wrap arrays with tgl.tensor(...)")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-d; every tensor needs a "
                                 f"first dimension that counts the samples")
        sizes = [t.shape[0] for t in tensors]
        if len(set(sizes)) > 1:
            shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
            raise SizeMismatchError(
                f"TensorDataset: size mismatch between tensors: their first dimensions "
                f"are {sizes} (shapes {shapes}); every tensor must have one row per sample")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0] if self.tensors else 0

    def _fetch_batch(self, indices: np.ndarray) -> list | None:
        """The collated batch for `indices` (what default_collate would make
        of the samples: a list of stacked tensors), in one step per tensor."""
        if type(self).__getitem__ is not TensorDataset.__getitem__ \
                or hasattr(type(self), "__getitems__"):
            return None  # a subclass changed what a sample or a batch is
        # integer-array indexing copies, so a tensor outside the graph can
        # skip the indexing op; one that requires grad keeps its history
        try:
            return [t[indices] if t.requires_grad else Tensor._make(t.data[indices])
                    for t in self.tensors]
        except IndexError:
            n = len(self)
            bad = indices[(indices >= n) | (indices < -n)].tolist()
            raise IndexError(f"TensorDataset: a batch asks for sample(s) {bad} of a dataset "
                             f"of {n} samples; check the sampler") from None


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list) -> list:
        """The samples at several positions (what the DataLoader asks for)."""
        inner = [self.indices[i] for i in indices]
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(inner)
        return [self.dataset[i] for i in inner]

    def __len__(self) -> int:
        return len(self.indices)

    def _fetch_batch(self, indices: np.ndarray) -> Any:
        fetch = getattr(self.dataset, "_fetch_batch", None)
        if fetch is None or type(self).__getitem__ is not Subset.__getitem__ \
                or type(self).__getitems__ is not Subset.__getitems__:
            return None
        own = self.indices
        if isinstance(own, (np.ndarray, Tensor)):
            inner = np.asarray(own)[indices]
        else:  # only the batch's entries of a list: O(batch), not O(subset)
            inner = np.array([own[i] for i in indices.tolist()], dtype=np.int64)
        return fetch(inner)


class ConcatDataset(Dataset):
    """Several datasets one after another (``a + b`` makes one)."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        if idx < 0:
            if -idx > len(self):
                raise ValueError(f"ConcatDataset: index {idx} is out of range for a dataset "
                                 f"of length {len(self)} (absolute value of index should "
                                 f"not exceed dataset length)")
            idx = len(self) + idx
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which else 0
        if which == len(self.datasets):
            raise IndexError(f"ConcatDataset: index {idx} is out of range for a dataset "
                             f"of length {len(self)}")
        return self.datasets[which][idx - start]


def random_split(dataset: Any, lengths: Sequence[int | float],
                 generator: Generator | None = None) -> list[Subset]:
    """Shuffle `dataset` and cut it into Subsets of the given `lengths`.

    `lengths` are integers summing to ``len(dataset)``, or fractions summing
    to 1: each split then gets ``floor(n * fraction)`` items and the
    remainder is dealt out one by one from the first split on (PyTorch's
    rule). `generator` (a `tgl.Generator`) makes the split repeatable;
    without it the default generator is used (see `tgl.manual_seed`).
    """
    lengths = list(lengths)
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(f"random_split: generator must be a tgl.Generator, got "
                        f"{type(generator).__name__}")
    n = len(dataset)
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"random_split: fraction at index {i} is {frac}, not "
                                 f"between 0 and 1")
        counts = [math.floor(n * frac) for frac in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, length in enumerate(counts):
            if length == 0:
                warnings.warn(f"random_split: length of split at index {i} is 0. This "
                              f"might result in an empty dataset.", stacklevel=2)
        lengths = counts
    for i, length in enumerate(lengths):
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
            raise ValueError(f"random_split: length at index {i} is {length!r}; give "
                             f"non-negative integers that sum to {n} or fractions that "
                             f"sum to 1")
    if sum(lengths) != n:
        raise ValueError(f"random_split: sum of input lengths ({sum(lengths)}, from "
                         f"{lengths}) does not equal the length of the input dataset ({n})")
    order = randperm(n, generator=generator).tolist()
    ends = itertools.accumulate(lengths)
    return [Subset(dataset, order[end - length:end]) for end, length in zip(ends, lengths)]
