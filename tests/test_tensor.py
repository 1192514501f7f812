"""The Tensor object: construction, dtypes of new tensors, attributes,
methods, ``np.asarray`` and ``repr`` -- each compared with PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tgl
from tinygrad_lite import Tensor


def _torch_repr(text: str) -> str:
    """PyTorch's repr with its module name replaced by ours."""
    return text.replace("torch.", "tinygrad_lite.")


# ------------------------------------------------------------ construction
CONSTRUCTION_DATA = [
    1, 1.5, True, -0.0, [1, 2], [1.0, 2], [1, 2.5], [True, False], [True, 1], [True, 1.5],
    [], [[]], [[], []], [[1, 2], [3, 4]], (1, 2), [[True], [2]], 2 ** 40,
    [np.float32(1), 2], [np.int32(1), 2], [np.int32(1), 2.5], [2.5, np.float64(1)],
    np.float64(3.0), np.int32(3), np.float32(2.5), np.bool_(True),
    np.array([1, 2], dtype=np.float16), np.array([1, 2], dtype=np.uint8),
    np.array([1, 2], dtype=np.int32), np.array(2.0), np.array([[1.5]], dtype=np.float64),
    np.zeros((2, 0), dtype=np.int16),
]


@pytest.mark.torch
@pytest.mark.parametrize("data", CONSTRUCTION_DATA, ids=lambda d: repr(d)[:30])
def test_construction_dtype_shape_values_match_pytorch(torch, data):
    ours, theirs = tgl.tensor(data), torch.tensor(data)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert Tensor(data).dtype == ours.dtype  # the class and tgl.tensor agree


def test_python_floats_are_float32_ints_int64():
    assert tgl.tensor(1.5).dtype == tgl.float32
    assert tgl.tensor(3).dtype == tgl.int64
    assert tgl.tensor([[1.0, 2.0]]).dtype == tgl.float32
    assert tgl.tensor([1, 2], dtype=tgl.float64).dtype == tgl.float64
    assert tgl.tensor([1.7, -1.7], dtype=tgl.int64).tolist() == [1, -1]


def test_numpy_data_keeps_its_dtype_and_is_copied():
    for dtype in (np.float16, np.float64, np.uint8, np.int32, np.bool_):
        a = np.ones(3, dtype=dtype)
        t = tgl.tensor(a)
        assert t.dtype == dtype
        a[0] = 0
        assert t.numpy()[0] == 1  # a copy, unlike from_numpy


def test_tensor_from_tensor_copies_data_and_drops_history():
    x = tgl.tensor([1., 2.], requires_grad=True)
    y = tgl.tensor(x * 2)
    assert y.is_leaf and not y.requires_grad and y.tolist() == [2., 4.]
    z = Tensor(x)
    z.data[0] = 9
    assert x.tolist() == [1., 2.]


@pytest.mark.parametrize("data, message", [
    ([[1, 2], [3]], "expected sequence of length 2 at dim 1 (got 1)"),
    ([[[1, 2], [3, 4]], [[1, 2], [3]]], "expected sequence of length 2 at dim 2 (got 1)"),
    ([1, [2]], "expected a number at dim 1"),
])
def test_ragged_lists_are_a_clear_error(data, message):
    with pytest.raises(ValueError, match="rectangular") as info:
        tgl.tensor(data)
    assert message in str(info.value)


@pytest.mark.parametrize("data", ["abc", [1, "a"], 1 + 2j, {"a": 1}])
def test_unsupported_data_is_a_type_error(data):
    with pytest.raises(TypeError, match="Tensor"):
        tgl.tensor(data)


@pytest.mark.parametrize("make", [
    lambda: tgl.tensor([1, 2], requires_grad=True),
    lambda: Tensor([True], requires_grad=True),
    lambda: tgl.ones(2, dtype=tgl.int64, requires_grad=True),
    lambda: tgl.tensor([1, 2]).requires_grad_(),
    lambda: tgl.arange(3, requires_grad=True),
])
def test_requires_grad_on_integer_dtype_is_an_error(make):
    with pytest.raises(RuntimeError, match="floating point") as info:
        make()
    assert "int64" in str(info.value) or "bool" in str(info.value)


# ------------------------------------------------------------ attributes
def test_attributes():
    x = tgl.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
    assert isinstance(x.data, np.ndarray) and x.data.shape == (2, 3)
    assert x.grad is None and x.requires_grad and x.is_leaf and x.grad_fn is None
    assert x.shape == (2, 3) and isinstance(x.shape, tuple)
    assert x.ndim == 2 and x.dtype == tgl.float32
    y = x * 2
    assert not y.is_leaf and y.requires_grad and y.grad_fn is not None
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    assert isinstance(x.grad, Tensor) and x.grad.shape == (2, 3)
    assert not x.grad.requires_grad


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4)])
def test_T_reverses_dims_like_pytorch(torch, shape):
    a = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    ours = tgl.tensor(a).T
    theirs = torch.tensor(a)
    if theirs.ndim:
        theirs = theirs.permute(*reversed(range(theirs.ndim)))

    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_T_is_differentiable_and_shares_memory():
    x = tgl.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    (x.T * tgl.tensor([[1., 10.], [100., 1000.]])).sum().backward()
    assert x.grad.tolist() == [[1., 100.], [10., 1000.]]
    plain = tgl.tensor([[1., 2.], [3., 4.]])
    plain.T[0, 1] = 7
    assert plain.tolist() == [[1., 2.], [7., 4.]]


# ------------------------------------------------------------ methods
def test_numpy_shares_memory_and_refuses_tensors_that_require_grad():
    t = tgl.tensor([1., 2.])
    t.numpy()[0] = 5
    assert t.tolist() == [5., 2.]
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        tgl.tensor([1.], requires_grad=True).numpy()


def test_np_asarray_works_for_every_shape_and_result():
    x = tgl.tensor(1.5)
    for t in (x, x.floor(), x.sign(), x > 1, x.isnan(), tgl.tensor([[1, 2]]), x * 2):
        a = np.asarray(t)
        assert isinstance(a, np.ndarray) and a.shape == t.shape
    assert np.asarray(tgl.tensor([1., 2.]), dtype=np.float64).dtype == np.float64
    g = tgl.tensor(2., requires_grad=True)
    (g * g).backward()
    assert np.asarray(g.grad).shape == () and g.grad.item() == 4.0


def test_item_tolist_size_numel():
    assert tgl.tensor([1.5]).item() == 1.5 and isinstance(tgl.tensor([1.5]).item(), float)
    assert isinstance(tgl.tensor([[3]]).item(), int)
    assert tgl.tensor(True).item() is True
    assert tgl.tensor([[1., 2.], [3., 4.]]).tolist() == [[1., 2.], [3., 4.]]
    assert tgl.tensor(3).tolist() == 3
    t = tgl.zeros(2, 3, 4)
    assert t.size() == (2, 3, 4) and t.size(1) == 3 and t.size(-1) == 4
    assert t.numel() == 24 and tgl.zeros(2, 0).numel() == 0 and tgl.tensor(1.).numel() == 1
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.size(3)
    with pytest.raises(IndexError, match="no dimensions"):
        tgl.tensor(1.).size(0)
    with pytest.raises(RuntimeError, match="2 elements cannot be converted to Scalar"):
        tgl.tensor([1., 2.]).item()
    with pytest.raises(ValueError, match="only one element tensors"):
        float(tgl.tensor([1., 2.]))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(tgl.tensor([1., 2.]))


def test_detach_shares_memory_and_version_but_not_history():
    x = tgl.tensor([1., 2.], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    d[0] = 10.
    assert y.tolist() == [10., 4.]
    assert y._version == d._version == 1


def test_clone_copies_and_keeps_the_gradient_path():
    x = tgl.tensor([1., 2.], requires_grad=True)
    c = x.clone()
    assert c.requires_grad and not c.is_leaf and c.grad_fn.name() == "CloneBackward0"
    (c * 3).sum().backward()
    assert x.grad.tolist() == [3., 3.]
    plain = tgl.tensor([1., 2.])
    copy = plain.clone()
    copy[0] = 5
    assert plain.tolist() == [1., 2.] and copy.grad_fn is None


def test_requires_grad_flag():
    x = tgl.tensor([1., 2.])
    assert x.requires_grad_() is x and x.requires_grad
    assert x.requires_grad_(False) is x and not x.requires_grad
    y = tgl.tensor([1.], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
        y.requires_grad = False


def test_float_double_to():
    x = tgl.tensor([1.5, -2.5], requires_grad=True)
    d = x.double()
    assert d.dtype == tgl.float64 and d.grad_fn is not None
    (d * 2).sum().backward()
    assert x.grad.dtype == tgl.float32 and x.grad.tolist() == [2., 2.]
    assert tgl.tensor([1, 2]).to(tgl.float64).dtype == tgl.float64
    assert x.to(dtype=tgl.float16).dtype == tgl.float16
    assert x.to(tgl.tensor([1], dtype=tgl.int32)).dtype == tgl.int32
    assert x.to("cpu") is x
    with pytest.raises(NotImplementedError, match="CPU only"):
        x.to("cuda")


def test_backward_method_arguments():
    x = tgl.tensor([1., 2.], requires_grad=True)
    (x * x).backward(tgl.tensor([1., 10.]))
    assert x.grad.tolist() == [2., 40.]
    y = (x ** 3).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [2. + 6., 40. + 24.]


# ------------------------------------------------------------ repr
REPR_CASES = [
    lambda L: L.tensor([1., 2.]),
    lambda L: L.tensor([1.5, 2.25]),
    lambda L: L.tensor(3.0),
    lambda L: L.tensor(-0.0),
    lambda L: L.tensor(3),
    lambda L: L.tensor(True),
    lambda L: L.tensor([True, False]),
    lambda L: L.tensor([]),
    lambda L: L.zeros(2, 0),
    lambda L: L.zeros(0, dtype=L.int64),
    lambda L: L.zeros(0, 3, dtype=L.float64),
    lambda L: L.zeros(0, dtype=L.bool),
    lambda L: L.tensor([1, 2, 3]),
    lambda L: L.tensor([-1, 10, 100]),
    lambda L: L.tensor([1, 2], dtype=L.int32),
    lambda L: L.tensor([1, 2], dtype=L.uint8),
    lambda L: L.tensor([1., 2.], dtype=L.float64),
    lambda L: L.tensor([1., 2.5], dtype=L.float16),
    lambda L: L.tensor(2.5, dtype=L.float64),
    lambda L: L.tensor([1., 2.], requires_grad=True),
    lambda L: L.tensor([1e-5, 1e5], dtype=L.float64, requires_grad=True),
    lambda L: L.tensor([1., 2.], requires_grad=True) * 2,
    lambda L: L.tensor([1., 2.], requires_grad=True, dtype=L.float64) + 1,
    lambda L: L.tensor([1., 2.], requires_grad=True).sum(),
    lambda L: L.tensor([1., 2.], requires_grad=True).exp(),
    lambda L: L.tensor([1e-5, 1.0]),
    lambda L: L.tensor([1e10, 1.0]),
    lambda L: L.tensor([1e8, 1.0]),
    lambda L: L.tensor([12345678., 1.0]),
    lambda L: L.tensor([1e-4, 1.0]),
    lambda L: L.tensor([1.23456789, -100.5]),
    lambda L: L.tensor([float("nan"), 1.0, float("inf")]),
    lambda L: L.tensor([float("nan"), 1.5, -float("inf")]),
    lambda L: L.tensor([float("nan")]),
    lambda L: L.tensor([[1.5, 2.], [3., 4.]]),
    lambda L: L.tensor([[[1., 2.], [3., 4.]], [[1., 2.], [3., 4.]]]),
    lambda L: L.tensor([0.1, 0.2, 0.3]),
    lambda L: L.tensor([1000.5, 2.]),
    lambda L: L.tensor(1e-10),
    lambda L: L.tensor(1e20),
    lambda L: L.arange(12).reshape(3, 4),
    lambda L: L.arange(30.).reshape(3, 10) * 1.5,
    lambda L: L.arange(2000),
    lambda L: L.arange(2000).float(),
    lambda L: L.arange(2000).reshape(40, 50),
    lambda L: L.arange(2000.).reshape(2, 10, 100) / 7,
    lambda L: L.tensor(np.linspace(-3, 3, 60, dtype=np.float32).reshape(3, 20)),
]


@pytest.mark.torch
@pytest.mark.parametrize("make", REPR_CASES, ids=[str(i) for i in range(len(REPR_CASES))])
def test_repr_matches_pytorch(torch, make):
    assert repr(make(tgl)) == _torch_repr(repr(make(torch)))


@pytest.mark.torch
def test_repr_of_random_values_matches_pytorch(torch):
    rng = np.random.default_rng(0)
    for scale in (1e-6, 1e-3, 1.0, 50.0, 1e4, 1e9):
        a = (rng.standard_normal((3, 7)) * scale).astype(np.float32)
        assert repr(tgl.tensor(a)) == _torch_repr(repr(torch.tensor(a)))


def test_repr_names_the_node_and_dtype():
    x = tgl.tensor([1., 2.], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert repr(x.double()).startswith("tensor([1., 2.], dtype=tinygrad_lite.float64, grad_fn=")
