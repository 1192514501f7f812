"""default_collate and default_convert, checked against PyTorch's."""
from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import tinygrad_lite as tgl
from tinygrad_lite.data import default_collate, default_convert

Point = namedtuple("Point", ["x", "y"])


def _shape(obj, tensor_type):
    """A comparable picture of a batch: containers kept, tensors as
    (dtype name, values)."""
    if isinstance(obj, tensor_type):
        return ("T", str(obj.dtype).replace("torch.", ""), obj.tolist())
    if isinstance(obj, np.ndarray):
        return ("A", obj.dtype.name, obj.tolist())
    if isinstance(obj, dict):
        return (type(obj).__name__, [(k, _shape(v, tensor_type)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [_shape(v, tensor_type) for v in obj])
    return obj


def _samples(make_tensor):
    """Batches of samples built with `make_tensor` (tgl.tensor or torch.tensor)."""
    return {
        "ints": [1, 2, 3],
        "floats": [1.5, 2.0],
        "int then float": [1, 2.5],
        "bools": [True, False],
        "numpy float32 scalars": [np.float32(1), np.float32(2.5)],
        "numpy int32 scalars": [np.int32(1), np.int32(7)],
        "numpy bools": [np.bool_(True), np.bool_(False)],
        "numpy arrays": [np.arange(3, dtype=np.int16), np.arange(3, 6, dtype=np.int16)],
        "float64 arrays": [np.ones((2, 2)), np.zeros((2, 2))],
        "tensors": [make_tensor([1.0, 2.0]), make_tensor([3.0, 4.0])],
        "0-d tensors": [make_tensor(1), make_tensor(2)],
        "strings": ["a", "b"],
        "tuples": [(make_tensor([1.0]), 1, "x"), (make_tensor([2.0]), 2, "y")],
        "lists": [[1, 2.0], [3, 4.0]],
        "dicts": [{"a": 1, 0: np.array([1.0])}, {"a": 2, 0: np.array([2.0])}],
        "ordered dicts": [OrderedDict(b=1.0, a=2), OrderedDict(b=3.0, a=4)],
        "nested": [{"pair": (1, [2.0, 3.0])}, {"pair": (4, [5.0, 6.0])}],
        "named tuples": [Point(1, 2.0), Point(3, 4.0)],
    }


def test_default_collate_matches_pytorch(torch):
    from torch.utils.data import default_collate as torch_collate
    ours = _samples(tgl.tensor)
    theirs = _samples(torch.tensor)
    for case in ours:
        got = _shape(default_collate(ours[case]), tgl.Tensor)
        want = _shape(torch_collate(theirs[case]), torch.Tensor)
        assert got == want, case


def test_default_convert_matches_pytorch(torch):
    from torch.utils.data._utils.collate import default_convert as torch_convert
    samples = [np.arange(3), np.float32(2.5), 7, "s", (np.ones(2), 3),
               {"k": np.int64(4), "l": [np.zeros(1), 1.5]}, Point(np.array(1), 2)]
    for sample in samples:
        got = _shape(default_convert(sample), tgl.Tensor)
        want = _shape(torch_convert(sample), torch.Tensor)
        assert got == want, sample


def test_default_collate_without_pytorch_gives_pytorch_dtypes():
    assert default_collate([1, 2]).dtype == tgl.int64
    assert default_collate([1.0, 2.0]).dtype == tgl.float64
    assert default_collate([True, False]).dtype == tgl.bool
    batch = default_collate([(tgl.zeros(2), 0), (tgl.ones(2), 1)])
    assert isinstance(batch, list) and batch[0].shape == (2, 2)
    assert batch[0].tolist() == [[0.0, 0.0], [1.0, 1.0]] and batch[1].tolist() == [0, 1]


def test_default_collate_stacking_keeps_the_graph():
    w = tgl.tensor([1.0, 2.0], requires_grad=True)
    batch = default_collate([w * 2, w * 3])
    assert batch.shape == (2, 2)
    batch.sum().backward()
    assert w.grad.tolist() == [5.0, 5.0]


def test_default_collate_errors_name_the_problem():
    with pytest.raises(TypeError, match="found <class 'NoneType'>"):
        default_collate([None, None])
    with pytest.raises(TypeError, match="<U1"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(RuntimeError, match=r"equal size; got lengths \[2, 1\]"):
        default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match=r"\(2,\).*\(3,\)"):
        default_collate([tgl.zeros(2), tgl.zeros(3)])
    with pytest.raises(TypeError, match="complex128"):
        default_collate([np.zeros(2, complex), np.zeros(2, complex)])
