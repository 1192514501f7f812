"""Samplers decide which indices a DataLoader reads, and in what order.

As in ``torch.utils.data``: `SequentialSampler` (0, 1, 2, ...),
`RandomSampler` (a new permutation every epoch), `SubsetRandomSampler`, and
`BatchSampler`, which groups another sampler's indices into lists.

The built-in samplers also answer ``_order()``, the whole epoch's indices as
one numpy array, so that `BatchSampler._index_arrays()` can cut batches by
slicing instead of collecting Python lists (the DataLoader's hot path).
Both routes draw the same random numbers.
"""
from __future__ import annotations

import builtins
from typing import Any, Generic, Iterator, Sequence, TypeVar

import numpy as np

from ..random import Generator, _rng


def _check_generator(generator: Any, name: str) -> None:
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(f"{name}: generator must be a tgl.Generator or None, got "
                        f"{type(generator).__name__}")


T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):
    """Base class: subclass it and define ``__iter__`` (yielding dataset
    indices) and, if you can, ``__len__``. Generic, as ``Sampler[int]``."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """Indices 0, 1, ..., len(data_source) - 1, in order."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def _order(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Indices in random order, a fresh permutation each time it is iterated.

    `generator` (a `tgl.Generator`) gives a repeatable sequence of epochs;
    without it the default generator is used (see `tgl.manual_seed`). With
    ``replacement=True`` it draws `num_samples` indices independently.
    """

    def __init__(self, data_source: Any, replacement: bool = False,
                 num_samples: int | None = None, generator: Generator | None = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        _check_generator(generator, "RandomSampler")
        if not isinstance(replacement, builtins.bool):
            raise TypeError(f"RandomSampler: replacement should be a boolean value, but got "
                            f"replacement={replacement!r}")
        n = self.num_samples
        if isinstance(n, builtins.bool) or not isinstance(n, (int, np.integer)) or n <= 0:
            raise ValueError(f"RandomSampler: num_samples should be a positive integer value, "
                             f"but got num_samples={n!r} (is the dataset empty?)")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _order(self) -> np.ndarray:
        n, k = len(self.data_source), self.num_samples
        rng = _rng(self.generator)
        if self.replacement:
            return rng.integers(0, n, size=k, dtype=np.int64)
        rounds = [rng.permutation(n) for _ in range(-(-k // n))]
        return np.concatenate(rounds)[:k].astype(np.int64, copy=False)

    def __iter__(self) -> Iterator[int]:
        return iter(self._order().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order, new each epoch."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        _check_generator(generator, "SubsetRandomSampler")
        self.indices = indices
        self.generator = generator

    def _order(self) -> np.ndarray:
        perm = _rng(self.generator).permutation(len(self.indices))
        return np.asarray(self.indices, dtype=np.int64).reshape(-1)[perm]

    def __iter__(self) -> Iterator[int]:
        return iter(self._order().tolist())

    def __len__(self) -> int:
        return len(self.indices)


def _order_of(sampler: Any) -> Any:
    """`sampler._order` when it is the built-in one that matches the
    sampler's iteration (a subclass that redefines __iter__ gets None)."""
    own = getattr(type(sampler), "__iter__", None)
    if own in (SequentialSampler.__iter__, RandomSampler.__iter__,
               SubsetRandomSampler.__iter__):
        return sampler._order
    return None


class BatchSampler(Sampler):
    """Groups the indices of `sampler` into lists of `batch_size`; the last,
    shorter list is dropped when `drop_last` is True."""

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, builtins.bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size!r} (use batch_size=None to turn "
                             f"batching off)")
        if not isinstance(drop_last, builtins.bool):
            raise ValueError(f"drop_last should be a boolean value, but got "
                             f"drop_last={drop_last!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def _index_arrays(self) -> Iterator[np.ndarray]:
        """The batches as int64 arrays sliced from the epoch's order; only
        for samplers whose `_order_of` is not None."""
        order = _order_of(self.sampler)()
        n, size = len(order), self.batch_size
        stop = n - n % size if self.drop_last else n
        for start in range(0, stop, size):
            yield order[start:start + size]

    def __iter__(self) -> Iterator[list]:
        if _order_of(self.sampler) is not None:
            for batch in self._index_arrays():
                yield batch.tolist()
            return
        batch: list = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
