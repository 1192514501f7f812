"""Dataset, TensorDataset, Subset, ConcatDataset and random_split."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tgl
from tinygrad_lite.data import ConcatDataset, Dataset, Subset, TensorDataset, random_split


def _rows(n: int = 6) -> TensorDataset:
    return TensorDataset(tgl.arange(2 * n).reshape(n, 2).float(), tgl.arange(n))


def test_tensor_dataset_serves_rows_of_every_tensor():
    ds = _rows(6)
    assert len(ds) == 6
    x, y = ds[4]
    assert x.tolist() == [8.0, 9.0] and y.item() == 4 and y.dtype == tgl.int64
    assert isinstance(ds[0], tuple) and len(ds[0]) == 2
    x, y = ds[-1]
    assert y.item() == 5
    with pytest.raises(IndexError):
        ds[6]


def test_tensor_dataset_size_mismatch_names_the_sizes():
    with pytest.raises(ValueError, match=r"\[3, 4\]") as info:
        TensorDataset(tgl.zeros(3, 2), tgl.zeros(4))
    assert isinstance(info.value, AssertionError)  # what PyTorch raises, too
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(tgl.tensor(1.0))
    with pytest.raises(TypeError, match="argument 1 is a ndarray"):
        TensorDataset(tgl.zeros(3), np.zeros(3))


def test_dataset_base_needs_getitem_and_add_concatenates():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]
    both = _rows(3) + _rows(4)
    assert isinstance(both, ConcatDataset)
    assert len(both) == 7 and both.cumulative_sizes == [3, 7]
    assert [both[i][1].item() for i in range(7)] == [0, 1, 2, 0, 1, 2, 3]
    assert both[-1][1].item() == 3 and both[-7][1].item() == 0
    with pytest.raises(ValueError, match="index -8"):
        both[-8]
    with pytest.raises(IndexError, match="index 7"):
        both[7]
    with pytest.raises(ValueError, match="empty"):
        ConcatDataset([])


def test_subset_maps_indices():
    sub = Subset(_rows(6), [5, 0, 3])
    assert len(sub) == 3
    assert [sub[i][1].item() for i in range(3)] == [5, 0, 3]
    assert [s[1].item() for s in sub.__getitems__([2, 0])] == [3, 5]
    plain = Subset(list("abcdef"), [1, 4])
    assert plain.__getitems__([0, 1]) == ["b", "e"]


def test_random_split_partitions_and_repeats_with_a_generator():
    ds = _rows(10)
    parts = random_split(ds, [3, 7], generator=tgl.Generator().manual_seed(1))
    again = random_split(ds, [3, 7], generator=tgl.Generator().manual_seed(1))
    other = random_split(ds, [3, 7], generator=tgl.Generator().manual_seed(2))
    assert [len(p) for p in parts] == [3, 7]
    assert all(isinstance(p, Subset) and p.dataset is ds for p in parts)
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    assert [p.indices for p in parts] == [p.indices for p in again]
    assert [p.indices for p in parts] != [p.indices for p in other]
    tgl.manual_seed(5)
    a = random_split(range(10), [5, 5])
    tgl.manual_seed(5)
    b = random_split(range(10), [5, 5])
    assert a[0].indices == b[0].indices


@pytest.mark.parametrize("n,fractions", [(10, [0.3, 0.3, 0.4]), (7, [0.5, 0.5]),
                                         (11, [0.1, 0.2, 0.7]), (5, [1 / 3, 1 / 3, 1 / 3]),
                                         (1797, [0.8, 0.2])])
def test_random_split_fractions_round_as_pytorch(torch, n, fractions):
    ours = [len(s) for s in random_split(range(n), fractions)]
    theirs = [len(s) for s in torch.utils.data.random_split(range(n), fractions)]
    assert ours == theirs


def test_random_split_rejects_bad_lengths():
    with pytest.raises(ValueError, match=r"sum of input lengths \(9.*\(10\)"):
        random_split(range(10), [4, 5])
    with pytest.raises(ValueError, match="fraction at index 1 is -0.5"):
        random_split(range(10), [0.5, -0.5, 1.0])
    with pytest.warns(UserWarning) as record:
        parts = random_split(range(2), [0.9, 0.05, 0.05])
    assert ["index 1 is 0" in str(w.message) for w in record] == [True, False]
    assert [len(p) for p in parts] == [2, 0, 0]
    with pytest.raises(TypeError, match="tgl.Generator"):
        random_split(range(4), [2, 2], generator=np.random.default_rng(0))
