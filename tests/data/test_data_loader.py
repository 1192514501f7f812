"""DataLoader: batching, shuffling, lengths, the TensorDataset fast path, errors."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tgl
from tinygrad_lite.data import (BatchSampler, DataLoader, Dataset, RandomSampler,
                                SequentialSampler, TensorDataset, random_split)


def _data(n: int = 10) -> TensorDataset:
    return TensorDataset(tgl.arange(3 * n).reshape(n, 3).float(), tgl.arange(n))


class RowDataset(Dataset):
    """The same samples as `_data`, served one by one (no fast path)."""

    def __init__(self, n: int = 10) -> None:
        self.inner = _data(n)

    def __getitem__(self, i):
        return self.inner[i]

    def __len__(self):
        return len(self.inner)


def _labels(loader) -> list:
    return [batch[1].tolist() for batch in loader]


def test_batches_in_order_with_a_short_last_batch():
    loader = DataLoader(_data(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 == len(batches)
    assert all(isinstance(b, list) and len(b) == 2 for b in batches)
    assert _labels(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[0][0].shape == (4, 3) and batches[0][0].dtype == tgl.float32
    assert batches[2][0].tolist() == [[24, 25, 26], [27, 28, 29]]
    dropped = DataLoader(_data(10), batch_size=4, drop_last=True)
    assert len(dropped) == 2 and _labels(dropped) == [[0, 1, 2, 3], [4, 5, 6, 7]]


@pytest.mark.parametrize("n,batch_size,drop_last", [(10, 3, False), (10, 3, True),
                                                     (9, 3, True), (2, 5, False),
                                                     (2, 5, True), (0, 4, False)])
def test_len_matches_pytorch(torch, n, batch_size, drop_last):
    ours = DataLoader(list(range(n)), batch_size=batch_size, drop_last=drop_last)
    theirs = torch.utils.data.DataLoader(list(range(n)), batch_size=batch_size,
                                         drop_last=drop_last)
    assert len(ours) == len(theirs) == len(list(ours))
    assert [b.tolist() for b in ours] == [b.tolist() for b in theirs]


def test_shuffle_is_a_new_permutation_each_epoch_and_repeatable():
    def epochs(seed, count=3):
        loader = DataLoader(_data(20), batch_size=6, shuffle=True,
                            generator=tgl.Generator().manual_seed(seed))
        return [sum(_labels(loader), []) for _ in range(count)]

    first = epochs(0)
    assert all(sorted(e) == list(range(20)) for e in first)
    assert first[0] != first[1] != first[2]
    assert first[0] != list(range(20))
    assert epochs(0) == first  # same seed, same sequence of epochs
    assert epochs(1) != first


def test_shuffle_without_generator_follows_manual_seed():
    loader = DataLoader(_data(20), batch_size=20, shuffle=True)
    tgl.manual_seed(3)
    a = _labels(loader)
    tgl.manual_seed(3)
    assert _labels(loader) == a
    assert _labels(loader) != a


def test_fast_path_gives_what_sample_by_sample_loading_gives():
    for kwargs in ({"batch_size": 4}, {"batch_size": 3, "drop_last": True},
                   {"batch_size": 4, "shuffle": True}):
        fast = DataLoader(_data(10), generator=tgl.Generator().manual_seed(7), **kwargs)
        slow = DataLoader(RowDataset(10), generator=tgl.Generator().manual_seed(7), **kwargs)
        for a, b in zip(fast, slow, strict=True):
            assert type(a) is type(b) is list
            assert [t.tolist() for t in a] == [t.tolist() for t in b]
            assert [t.dtype for t in a] == [t.dtype for t in b]


def test_fast_path_indexes_whole_batches(monkeypatch):
    def per_sample(self, index):
        raise AssertionError("the TensorDataset fast path fetched a single sample")

    monkeypatch.setattr(TensorDataset, "__getitem__", per_sample)
    loader = DataLoader(_data(10), batch_size=4, shuffle=True)
    assert sorted(sum(_labels(loader), [])) == list(range(10))
    train, _ = random_split(_data(10), [6, 4])
    assert sorted(sum(_labels(DataLoader(train, batch_size=4)), [])) == sorted(train.indices)


def test_subclass_that_changes_samples_is_not_fast_pathed():
    class Doubled(TensorDataset):
        def __getitem__(self, index):
            x, y = super().__getitem__(index)
            return x, y * 2

    data = _data(5)
    assert _labels(DataLoader(Doubled(*data.tensors), batch_size=5)) == [[0, 2, 4, 6, 8]]


def test_gradients_flow_through_batches():
    X = tgl.arange(8.0).reshape(4, 2).requires_grad_()
    xb, _ = next(iter(DataLoader(TensorDataset(X, tgl.arange(4)), batch_size=2)))
    xb.sum().backward()
    assert X.grad.tolist() == [[1, 1], [1, 1], [0, 0], [0, 0]]


def test_random_split_subsets_load_their_own_samples():
    train, val = random_split(_data(10), [0.7, 0.3], generator=tgl.Generator().manual_seed(0))
    seen = sum(_labels(DataLoader(train, batch_size=3)), [])
    assert seen == list(train.indices)
    x, y = next(iter(DataLoader(val, batch_size=3)))
    assert x.tolist() == [[3 * i, 3 * i + 1, 3 * i + 2] for i in val.indices]


def test_batch_size_none_yields_converted_samples(torch):
    ours = list(DataLoader(_data(3), batch_size=None))
    assert len(ours) == 3 and isinstance(ours[0], list)  # tuples become lists, as in PyTorch
    assert ours[2][1].item() == 2 and ours[2][1].ndim == 0
    arrays = [np.arange(2) + i for i in range(3)]
    got = [t.tolist() for t in DataLoader(arrays, batch_size=None)]
    want = [t.tolist() for t in torch.utils.data.DataLoader(arrays, batch_size=None)]
    assert got == want
    assert len(DataLoader(arrays, batch_size=None)) == 3


def test_collate_fn_sampler_batch_sampler_and_getitems():
    loader = DataLoader(list(range(6)), batch_size=4, collate_fn=lambda b: sum(b))
    assert list(loader) == [6, 9]
    loader = DataLoader(list("abcdef"), batch_size=2, sampler=[5, 0, 3])
    assert list(loader) == [["f", "a"], ["d"]] and len(loader) == 2
    loader = DataLoader(_data(6), batch_sampler=[[5, 4], [0]])
    assert _labels(loader) == [[5, 4], [0]]

    class Bulk(Dataset):
        calls: list = []

        def __getitems__(self, indices):
            self.calls.append(list(indices))
            return [i * 10 for i in indices]

        def __len__(self):
            return 5

    assert [b.tolist() for b in DataLoader(Bulk(), batch_size=3)] == [[0, 10, 20], [30, 40]]
    assert Bulk.calls == [[0, 1, 2], [3, 4]]


def test_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    g = tgl.Generator().manual_seed(0)
    perm = list(RandomSampler(range(6), generator=g))
    assert sorted(perm) == list(range(6))
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=50, generator=g))
    assert len(drawn) == 50 and set(drawn) <= {0, 1, 2} and len(set(drawn)) == 3
    more = list(RandomSampler(range(3), num_samples=7, generator=g))
    assert len(more) == 7 and sorted(more[:3]) == [0, 1, 2] and sorted(more[3:6]) == [0, 1, 2]
    assert list(BatchSampler(range(5), 2, drop_last=False)) == [[0, 1], [2, 3], [4]]
    assert list(BatchSampler(SequentialSampler(range(5)), 2, True)) == [[0, 1], [2, 3]]
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler([])
    with pytest.raises(TypeError, match="replacement"):
        RandomSampler(range(3), replacement=1)


@pytest.mark.parametrize("bad", [0, -1, 2.0, True])
def test_bad_batch_size_is_a_clear_value_error(bad):
    with pytest.raises(ValueError, match=f"batch_size={bad!r}"):
        DataLoader(_data(), batch_size=bad)


def test_unsupported_and_conflicting_options():
    with pytest.raises(NotImplementedError, match="num_workers=2 is not supported"):
        DataLoader(_data(), num_workers=2)
    with pytest.raises(ValueError, match="non-negative"):
        DataLoader(_data(), num_workers=-1)
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(_data(), sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(_data(), batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match="drop_last"):
        DataLoader(_data(), batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="drop_last should be a boolean"):
        DataLoader(_data(), drop_last="yes")
    with pytest.raises(ValueError, match="persistent_workers"):
        DataLoader(_data(), persistent_workers=True)
    with pytest.raises(TypeError, match="tgl.Generator"):
        DataLoader(_data(), shuffle=True, generator=np.random.default_rng(0))
    with pytest.raises(NotImplementedError, match="map-style"):
        DataLoader(iter(range(3)))


def test_out_of_range_sampler_index_is_named():
    with pytest.raises(IndexError, match=r"sample\(s\) \[7\] of a dataset of 5 samples"):
        list(DataLoader(_data(5), batch_size=2, sampler=[0, 7, 3]))
