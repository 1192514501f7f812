"""DataLoader: iterate over a dataset in (shuffled) batches.

Same arguments and behaviour as ``torch.utils.data.DataLoader`` for
map-style datasets, in the main process:

* ``batch_size=None`` turns batching off: each item is one sample, passed
  through `default_convert` (or your `collate_fn`).
* ``shuffle=True`` draws a new order every epoch from `generator` (a
  `tgl.Generator`) or, without one, from the default generator, so
  ``tgl.manual_seed`` makes runs repeatable.
* ``len(loader)`` is the number of batches per epoch.

Fast path: with the default collate, a `TensorDataset` (or a `Subset` of
one, as `random_split` makes) is batched by indexing each tensor once with
the batch's index array -- the same result as stacking the samples, without
a Python loop over them. A dataset that defines ``__getitems__(indices)``
gets all the batch's indices at once, as in PyTorch.

Not supported (NotImplementedError): worker processes (``num_workers > 0``)
and iterable-style datasets (no ``__len__``/``__getitem__``). The
worker-only options are checked as PyTorch checks them with
``num_workers=0``: ``timeout`` and ``worker_init_fn`` are accepted and
unused, ``prefetch_factor``, ``persistent_workers`` and
``multiprocessing_context`` raise ValueError. ``pin_memory``,
``pin_memory_device`` and ``in_order`` are accepted and have no effect (there
is no accelerator, and batches always come in order).
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as np

from ..random import Generator
from .collate import default_collate, default_convert
from .sampler import BatchSampler, RandomSampler, SequentialSampler, _order_of


class DataLoader:
    """Batches of samples from a map-style `dataset`, with PyTorch's
    arguments (see the module docstring for the details).

    Raises NotImplementedError for ``num_workers > 0`` (batches are always
    loaded in the main process) and for datasets without ``__getitem__``
    and ``__len__``; ValueError for a batch_size that is not a positive
    integer or None, and for conflicting options, as PyTorch does.
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Callable | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable | None = None, multiprocessing_context: Any = None,
                 generator: Generator | None = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        _check_workers(num_workers, timeout, multiprocessing_context, prefetch_factor,
                       persistent_workers)
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise NotImplementedError(
                f"DataLoader: the dataset ({type(dataset).__name__}) needs __getitem__ and "
                f"__len__ (a map-style dataset); iterable-style datasets are not supported")
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError(f"DataLoader: generator must be a tgl.Generator, got "
                            f"{type(generator).__name__}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle; "
                             "shuffle inside the sampler instead")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                                 "batch_size, shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None option disables auto-batching and "
                             "is mutually exclusive with drop_last")
        if sampler is None:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self._default_collate = collate_fn is None
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    def __len__(self) -> int:
        return len(self.batch_sampler if self._auto_collation else self.sampler)

    def __iter__(self) -> Iterator[Any]:
        if not self._auto_collation:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        return self._batches()

    def _batches(self) -> Iterator[Any]:
        dataset, collate, sampler = self.dataset, self.collate_fn, self.batch_sampler
        fast = getattr(dataset, "_fetch_batch", None) if self._default_collate else None
        many = getattr(dataset, "__getitems__", None)
        if isinstance(sampler, BatchSampler) and _order_of(sampler.sampler) is not None:
            batches: Any = sampler._index_arrays()  # int64 arrays, no Python lists
        else:
            batches = iter(sampler)
        for indices in batches:
            if fast is not None:
                batch = fast(np.asarray(indices, dtype=np.int64))
                if batch is not None:
                    yield batch
                    continue
            if isinstance(indices, np.ndarray):
                indices = indices.tolist()
            samples = many(indices) if callable(many) else [dataset[i] for i in indices]
            yield collate(samples)


def _check_workers(num_workers: int, timeout: float, context: Any, prefetch_factor: Any,
                   persistent_workers: bool) -> None:
    """Worker processes are not implemented; check their options as
    PyTorch does for ``num_workers=0`` (timeout and worker_init_fn are
    accepted and unused, as there)."""
    if num_workers < 0:
        raise ValueError("DataLoader: num_workers option should be non-negative; use "
                         "num_workers=0 to disable multiprocessing")
    if num_workers > 0:
        raise NotImplementedError(
            f"DataLoader: num_workers={num_workers} is not supported; tinygrad_lite loads "
            f"batches in the main process only. Use num_workers=0 (the default).")
    if timeout < 0:
        raise ValueError("DataLoader: timeout option should be non-negative")
    if prefetch_factor is not None:
        raise ValueError("DataLoader: prefetch_factor option could only be specified with "
                         "worker processes (num_workers > 0), which tinygrad_lite does not "
                         "run; leave it as None")
    if persistent_workers:
        raise ValueError("DataLoader: persistent_workers option needs num_workers > 0, "
                         "which tinygrad_lite does not support; leave it False")
    if context is not None:
        raise ValueError("DataLoader: multiprocessing_context can only be used with "
                         "multi-process loading (num_workers > 0), which tinygrad_lite does "
                         "not support; leave it as None")
