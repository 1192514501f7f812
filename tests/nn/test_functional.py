"""nn.functional against PyTorch: names and signatures, softmax family,
pad in every mode, one_hot, embedding, activations."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import tinygrad_lite as tgl
import tinygrad_lite.nn.functional as F
from nn_helpers import DTYPES, assert_close, pair

rng = np.random.default_rng(0)
API = ("relu sigmoid tanh softmax log_softmax gelu leaky_relu dropout linear softplus conv2d "
       "max_pool2d avg_pool2d pad one_hot embedding layer_norm batch_norm mse_loss l1_loss "
       "cross_entropy nll_loss binary_cross_entropy binary_cross_entropy_with_logits").split()


@pytest.mark.torch
@pytest.mark.parametrize("name", [n for n in API if n not in (
    "gelu", "linear", "softplus", "one_hot",  # torch builtins: no signature
    "conv2d", "max_pool2d", "avg_pool2d")])  # tested in test_conv.py
def test_signatures_match_torch(torch, name) -> None:
    """Same argument names and defaults (builtins without signatures aside)."""
    ours = inspect.signature(getattr(F, name)).parameters
    theirs = inspect.signature(getattr(torch.nn.functional, name)).parameters
    assert list(ours) == list(theirs)
    for arg in theirs:
        assert ours[arg].default == theirs[arg].default, arg


def test_every_contract_name_exists() -> None:
    assert all(callable(getattr(F, name)) for name in API)
    assert set(API) <= set(F.__all__)


def _grad_compare(torch, ours_fn, torch_fn, x_np, dtype=np.float64):
    x, tx = pair(torch, x_np, dtype)
    out, ref = ours_fn(x), torch_fn(tx)
    assert_close(out, ref, dtype)
    up = rng.standard_normal(out.shape).astype(dtype)
    (out * tgl.tensor(up)).sum().backward()
    (ref * torch.from_numpy(up)).sum().backward()
    assert_close(x.grad, tx.grad, dtype, grad=True)
    return out


# -------------------------------------------------------- softmax family
@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape, dim", [((3, 4), 1), ((3, 4), 0), ((2, 3, 4), -1),
                                        ((), 0), ((5,), -1), ((2, 0), 1), ((0, 3), 1)])
def test_softmax_family_matches_torch(torch, dtype, name, shape, dim) -> None:
    x_np = rng.standard_normal(shape) * 5
    _grad_compare(torch, lambda x: getattr(F, name)(x, dim),
                  lambda x: getattr(torch.nn.functional, name)(x, dim), x_np, dtype)
    _grad_compare(torch, lambda x: getattr(x, name)(dim), lambda x: getattr(x, name)(dim),
                  x_np, dtype)


@pytest.mark.torch
@pytest.mark.parametrize("ndim", [0, 1, 2, 3, 4])
def test_implicit_softmax_dim_follows_torch(torch, ndim) -> None:
    x_np = rng.standard_normal((2, 3, 2, 2)[:ndim])
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        out = F.softmax(tgl.tensor(x_np))
    with pytest.warns(UserWarning):
        ref = torch.nn.functional.softmax(torch.from_numpy(x_np))
    assert_close(out, ref)


@pytest.mark.torch
def test_softmax_dtype_argument_and_extreme_inputs(torch) -> None:
    x_np = np.array([[1000.0, -1000.0, 0.0], [-np.inf, 0.0, 1.0]], np.float32)
    for name in ("softmax", "log_softmax"):
        out = getattr(F, name)(tgl.tensor(x_np), 1, dtype=tgl.float64)
        ref = getattr(torch.nn.functional, name)(torch.from_numpy(x_np), 1,
                                                 dtype=torch.float64)
        assert_close(out, ref)
        assert not np.isnan(out.data).any()
    with pytest.raises(RuntimeError, match="floating point"):
        F.softmax(tgl.tensor([1, 2, 3]), 0)
    assert F.softmax(tgl.tensor([1, 2, 3]), 0, dtype=tgl.float32).dtype == np.float32
    with pytest.raises(IndexError, match="out of range"):
        F.log_softmax(tgl.ones(2, 3), 2)


# -------------------------------------------------------------------- pad
@pytest.mark.torch
@pytest.mark.parametrize("shape, pads, kwargs", [
    ((2, 3), (1, 2), {}),
    ((2, 3), (1, 0, 0, 2), {"value": -1.5}),
    ((2, 3, 4), (-1, 2, 1, -1), {}),
    ((4,), (-2, -1), {"value": 3.0}),
    ((1, 2, 5), (2, 3), {"mode": "reflect"}),
    ((1, 2, 3, 4), (1, 2, 2, 1), {"mode": "reflect"}),
    ((2, 5), (4, 4), {"mode": "reflect"}),
    ((1, 2, 3), (3, 1), {"mode": "replicate"}),
    ((1, 1, 2, 3), (2, 2, 1, 3), {"mode": "replicate"}),
    ((1, 1, 2, 2, 3), (1, 1, 1, 1, 2, 0), {"mode": "replicate"}),
    ((1, 2, 4), (4, 1), {"mode": "circular"}),
    ((1, 1, 3, 3), (1, 2, 3, 0), {"mode": "circular"}),
])
def test_pad_matches_torch(torch, shape, pads, kwargs) -> None:
    _grad_compare(torch, lambda x: F.pad(x, pads, **kwargs),
                  lambda x: torch.nn.functional.pad(x, pads, **kwargs),
                  rng.standard_normal(shape))


@pytest.mark.torch
def test_pad_of_an_integer_tensor_casts_the_value_like_torch(torch) -> None:
    x = np.arange(6).reshape(2, 3)
    ours = F.pad(tgl.tensor(x), (1, 1), value=2.5)
    ref = torch.nn.functional.pad(torch.from_numpy(x), (1, 1), value=2.5)
    np.testing.assert_array_equal(ours.data, ref.numpy())
    assert ours.dtype == np.int64


def test_pad_errors_explain() -> None:
    x = tgl.ones(2, 3)
    with pytest.raises(RuntimeError, match="divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(RuntimeError, match="padding length 6 and input of dimension 2"):
        F.pad(x, (1, 1, 1, 1, 1, 1))
    with pytest.raises(RuntimeError, match="less than the size 3"):
        F.pad(tgl.ones(1, 1, 3), (3, 0), mode="reflect")
    with pytest.raises(NotImplementedError, match="padding size 4 is not supported for 2D"):
        F.pad(x, (1, 1, 1, 1), mode="replicate")
    with pytest.raises(NotImplementedError, match="mode 'symmetric' is not supported"):
        F.pad(x, (1, 1), mode="symmetric")
    with pytest.raises(NotImplementedError, match="negative padding"):
        F.pad(tgl.ones(1, 4), (-1, 1), mode="circular")


# ---------------------------------------------------------------- one_hot
@pytest.mark.torch
@pytest.mark.parametrize("values, n", [([0, 2, 1], -1), ([[1], [0]], 4), (2, 3), ([], 3)])
def test_one_hot_matches_torch(torch, values, n) -> None:
    idx = np.array(values, dtype=np.int64)
    ours = F.one_hot(tgl.tensor(idx), n)
    ref = torch.nn.functional.one_hot(torch.from_numpy(idx), n)
    np.testing.assert_array_equal(ours.data, ref.numpy())
    assert ours.dtype == np.int64 and ours.shape == tuple(ref.shape)


def test_one_hot_errors() -> None:
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(tgl.tensor([1, -1]), 3)
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(tgl.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="empty"):
        F.one_hot(tgl.tensor([], dtype=tgl.int64))
    with pytest.raises(RuntimeError, match="int64"):
        F.one_hot(tgl.tensor([1.0]), 2)


# ------------------------------------------------------------ activations
@pytest.mark.torch
@pytest.mark.parametrize("name, kwargs", [("relu", {}), ("sigmoid", {}), ("tanh", {}),
                                          ("gelu", {}), ("gelu", {"approximate": "tanh"}),
                                          ("leaky_relu", {"negative_slope": 0.3}),
                                          ("softplus", {"beta": 2, "threshold": 5})])
def test_activation_functions_match_torch(torch, name, kwargs) -> None:
    x_np = rng.standard_normal((3, 4)) * 4
    x_np[0, 0] = 0.0  # the kink of relu / leaky_relu
    _grad_compare(torch, lambda x: getattr(F, name)(x, **kwargs),
                  lambda x: getattr(torch.nn.functional, name)(x, **kwargs), x_np)


@pytest.mark.torch
def test_inplace_relu_on_a_leaf_that_requires_grad_is_refused_like_torch(torch) -> None:
    with pytest.raises(RuntimeError, match="leaf"):
        F.relu(tgl.ones(2, requires_grad=True), inplace=True)
    with pytest.raises(RuntimeError, match="leaf"):
        torch.nn.functional.relu(torch.ones(2, requires_grad=True), inplace=True)


# ---------------------------------------------------- linear, embedding
@pytest.mark.torch
def test_functional_linear_and_embedding(torch) -> None:
    w_np, b_np = rng.standard_normal((3, 4)), rng.standard_normal(3)
    (w, tw), (b, tb) = pair(torch, w_np), pair(torch, b_np)
    _grad_compare(torch, lambda x: F.linear(x, w, b), lambda x: torch.nn.functional.linear(
        x, tw, tb), rng.standard_normal(4))
    assert_close(w.grad, tw.grad, grad=True), assert_close(b.grad, tb.grad, grad=True)
    idx = np.array([[0, 2], [2, 2]])
    _grad_compare(torch, lambda t: F.embedding(tgl.tensor(idx), t, padding_idx=2),
                  lambda t: torch.nn.functional.embedding(torch.from_numpy(idx), t,
                                                          padding_idx=2),
                  rng.standard_normal((3, 2)))
    with pytest.raises(NotImplementedError, match="sparse"):
        F.embedding(tgl.tensor([0]), w, sparse=True)
