"""Indexing against PyTorch: result shapes, values and gradients for basic,
advanced and mixed indices, views, and clear errors for bad indices."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tgl

BASE = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)

# Index specs; strings stand for Tensors built for each library.
INDICES = {
    "int": 1, "negative int": -1, "ints": (1, 2), "slice": slice(1, None),
    "step": (slice(None), slice(None, None, 2)),
    "slice and step": (0, slice(1, 3), slice(0, 5, 3)),
    "None": None, "None inside": (0, None, 1), "Ellipsis": (Ellipsis, 1),
    "Ellipsis inside": (0, Ellipsis, 2), "Ellipsis None": (Ellipsis, None),
    "list": [0, 1, 1], "negative list": [-1, 0], "nested list": [[0, 1], [1, 0]],
    "empty list": [], "bool list": [True, False], "int tensor": "T[1,0]",
    "two tensors": ("T[0,1]", "T[2,0]"), "slice then tensor": (slice(None), "T[2,0]"),
    "separated tensors": ("T[0,1]", slice(None), "T[1,2]"),
    "separated tensors 2": (slice(None), "T[0,1]", slice(None), "T[1,2]"),
    "adjacent tensors": (slice(None), "T[0,1]", "T[1,2]"),
    "2-d index tensor": (slice(None), "T[[0,2],[1,1]]"),
    "mask": "M", "2-d mask": "M2", "mask from comparison": "CMP", "mask and int": ("M", 0),
    "mask and slice": ("M", slice(None), slice(1, 3)), "True": True, "0-d bool tensor": "B0",
    "int and list": (1, [0, 2]), "int list int": (1, slice(None), [0, 3], 2),
    "list None": ([0, 1], None), "0-d int tensor": "T0",
    "0-d tensor and list": ("T0", slice(None), [1, 2]),
    "slice past the end": slice(5, 10), "empty slice": (slice(1, 1),),
}


def _index(lib, spec, x):
    if isinstance(spec, tuple):
        return tuple(_index(lib, s, x) for s in spec)
    if spec == "M":
        return lib.tensor([True, False])
    if spec == "M2":
        return lib.tensor([[True, False, True], [False, False, True]])
    if spec == "CMP":
        return x > 60
    if spec == "T0":
        return lib.tensor(1)
    if spec == "B0":
        return lib.tensor(True)
    if isinstance(spec, str) and spec.startswith("T["):
        return lib.tensor(eval(spec[1:]))  # noqa: S307 - literal lists above
    return spec


@pytest.mark.torch
@pytest.mark.parametrize("name", list(INDICES))
def test_getitem_matches_pytorch(torch, name):
    results = []
    for lib in (tgl, torch):
        x = lib.tensor(BASE, requires_grad=True)
        out = x[_index(lib, INDICES[name], x)]
        weights = lib.tensor(np.arange(out.numel(), dtype=np.float32).reshape(tuple(out.shape)))
        (out * weights).sum().backward()
        results.append((tuple(out.shape), out.detach().numpy(), x.grad.numpy()))
    (shape, values, grad), (t_shape, t_values, t_grad) = results
    assert shape == t_shape
    np.testing.assert_array_equal(values, t_values)
    np.testing.assert_array_equal(grad, t_grad)


def test_basic_indexing_returns_views_advanced_returns_copies():
    x = tgl.zeros(3, 4)
    x[1][2] = 5.
    x[:, 0][1:] = 1.
    x[[0]][0, 0] = 9.  # a copy: no effect
    assert x.tolist() == [[0., 0., 0., 0.], [1., 0., 5., 0.], [1., 0., 0., 0.]]
    r = x.reshape(12)
    r[0] = 3.
    assert x[0, 0].item() == 3.


def test_repeated_indices_accumulate_gradients():
    x = tgl.tensor([1., 2., 3.], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3., 0., 1.]


def test_double_backward_through_indexing():
    x = tgl.tensor([1., 2., 3.], requires_grad=True)
    (g,) = tgl.autograd.grad((x[[0, 2, 2]] ** 2).sum(), x, create_graph=True)
    assert g.tolist() == [2., 0., 12.]
    (h,) = tgl.autograd.grad(g.sum(), x)
    assert h.tolist() == [2., 0., 4.]


@pytest.mark.torch
@pytest.mark.parametrize("index, error", [
    (5, IndexError), (-4, IndexError), ([0, 5], IndexError), ((0, 0), IndexError),
    (1.5, IndexError), ("FT", IndexError), ("MW", IndexError), (slice(None, None, -1), ValueError),
    (slice(None, None, 0), ValueError),
])
def test_bad_indices_raise_like_pytorch(torch, index, error):
    for lib in (tgl, torch):
        x = lib.tensor([1., 2., 3.])
        idx = {"FT": lib.tensor([1.]), "MW": lib.tensor([True, False])}.get(index, index) \
            if isinstance(index, str) else index
        with pytest.raises(error):
            x[idx]


@pytest.mark.parametrize("index, words", [
    (5, ["index 5 is out of bounds for dimension 0 with size 3"]),
    ([0, -7], ["out of bounds", "size 3"]),
    ((0, 0), ["too many indices", "(3,)"]),
    (1.5, ["valid indices", "float"]),
    (slice(None, None, -1), ["step must be greater than zero", "flip"]),
])
def test_index_errors_explain(index, words):
    with pytest.raises((IndexError, ValueError)) as info:
        tgl.tensor([1., 2., 3.])[index]
    for word in words:
        assert word in str(info.value)
    with pytest.raises(IndexError, match="long, int, byte or bool"):
        tgl.tensor([1., 2., 3.])[tgl.tensor([1.])]
    with pytest.raises(IndexError, match="does not match|did not match"):
        tgl.tensor([1., 2., 3.])[tgl.tensor([True, False])]


def test_flip_copies_and_differentiates():
    x = tgl.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    f = x.flip(0)
    assert f.tolist() == [[3., 4.], [1., 2.]]
    (f * tgl.tensor([[1., 10.], [100., 1000.]])).sum().backward()
    assert x.grad.tolist() == [[100., 1000.], [1., 10.]]
    plain = tgl.tensor([1., 2.])
    flipped = plain.flip(0)
    flipped[0] = 9.
    assert plain.tolist() == [1., 2.]
