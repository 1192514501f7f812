"""Layers and activations against PyTorch: same weights and inputs give the
same outputs and gradients (float32 and float64); default initialisations
have PyTorch's distributions; reprs are identical."""
from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_lite as tgl
import tinygrad_lite.nn.functional as F
from tinygrad_lite import nn
from nn_helpers import DTYPES, assert_close, copy_weights, pair, torch_dtype

rng = np.random.default_rng(0)


def _run_both(torch, ours, theirs, x_np, dtype, upstream_seed=1):
    """Forward both modules on x, backward a random upstream gradient;
    compare outputs, input gradients and parameter gradients."""
    x, tx = pair(torch, x_np, dtype)
    out, ref = ours(x), theirs(tx)
    assert_close(out, ref, dtype, msg="output")
    up = np.random.default_rng(upstream_seed).standard_normal(out.shape).astype(dtype)
    (out * tgl.tensor(up)).sum().backward()
    (ref * torch.from_numpy(up)).sum().backward()
    assert_close(x.grad, tx.grad, dtype, grad=True, msg="input grad")
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        if grads[name].grad is None:
            assert p.grad is None or not p.grad.data.any(), name
        else:
            assert_close(p.grad, grads[name].grad, dtype, grad=True, msg=name)
    return out, ref


# ------------------------------------------------------------------ Linear
@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 3, 4), (0, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(torch, dtype, shape, bias) -> None:
    theirs = torch.nn.Linear(4, 3, bias=bias, dtype=torch_dtype(torch, dtype))
    ours = nn.Linear(4, 3, bias=bias, dtype=dtype)
    copy_weights(ours, theirs)
    assert ours.weight.dtype == dtype
    _run_both(torch, ours, theirs, rng.standard_normal(shape), dtype)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", [(32, 64, 32), (128, 784, 512), (4, 300, 1000)])
def test_linear_matches_torch_on_small_and_large_products(torch, dtype, sizes) -> None:
    # Small products take np.dot, large ones `@` (see ops.nn_ops._mm).
    batch, n_in, n_out = sizes
    theirs = torch.nn.Linear(n_in, n_out, dtype=torch_dtype(torch, dtype))
    ours = nn.Linear(n_in, n_out, dtype=dtype)
    copy_weights(ours, theirs)
    _run_both(torch, ours, theirs, rng.standard_normal((batch, n_in)), dtype)


def test_linear_default_init_is_pytorchs() -> None:
    lin = nn.Linear(300, 400)
    bound = 1 / math.sqrt(300)
    w, b = lin.weight.data.astype(np.float64), lin.bias.data
    assert lin.weight.dtype == lin.bias.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    assert np.abs(b).max() <= bound and b.std() == pytest.approx(bound / math.sqrt(3), rel=0.15)
    assert lin.weight.requires_grad and lin.weight.is_leaf
    with pytest.warns(UserWarning, match="zero-element"):  # as PyTorch
        empty = nn.Linear(0, 3)
    assert not empty.bias.data.any()  # fan_in 0: bias bound 0


@pytest.mark.torch
def test_linear_repr_matches_torch(torch) -> None:
    for args in [(3, 4), (1, 2, False)]:
        assert repr(nn.Linear(*args)) == repr(torch.nn.Linear(*args))


def test_linear_is_one_graph_node() -> None:
    lin = nn.Linear(3, 2)
    out = lin(tgl.randn(4, 3))
    assert type(out.grad_fn).__name__ == "Linear"
    assert all(e is None or not hasattr(e[0], "edges") for e in out.grad_fn.edges)


# --------------------------------------------------------------- Embedding
@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 1}, {"padding_idx": -1},
                                    {"scale_grad_by_freq": True},
                                    {"padding_idx": 0, "scale_grad_by_freq": True}])
def test_embedding_matches_torch(torch, dtype, kwargs) -> None:
    theirs = torch.nn.Embedding(5, 3, dtype=torch_dtype(torch, dtype), **kwargs)
    ours = nn.Embedding(5, 3, dtype=dtype, **kwargs)
    copy_weights(ours, theirs)
    idx = np.array([[0, 1, 1], [4, 1, 0]])
    out, ref = ours(tgl.tensor(idx)), theirs(torch.from_numpy(idx))
    assert_close(out, ref, dtype)
    up = rng.standard_normal(out.shape).astype(dtype)
    (out * tgl.tensor(up)).sum().backward()
    (ref * torch.from_numpy(up)).sum().backward()
    assert_close(ours.weight.grad, theirs.weight.grad, dtype, grad=True)
    assert repr(ours) == repr(theirs)


@pytest.mark.torch
def test_embedding_max_norm_renormalises_rows_like_torch(torch) -> None:
    theirs = torch.nn.Embedding(4, 3, max_norm=1.0, norm_type=1.0)
    ours = nn.Embedding(4, 3, max_norm=1.0, norm_type=1.0)
    copy_weights(ours, theirs)
    idx = np.array([2, 0, 2])
    assert_close(ours(tgl.tensor(idx)), theirs(torch.from_numpy(idx)), np.float32)
    assert_close(ours.weight, theirs.weight, np.float32)  # rows 0 and 2 renormed in place
    assert repr(ours) == repr(theirs)


def test_embedding_init_and_padding_row() -> None:
    emb = nn.Embedding(1000, 200, padding_idx=3)
    w = np.delete(emb.weight.data, 3, axis=0).astype(np.float64)
    assert w.mean() == pytest.approx(0, abs=0.01) and w.std() == pytest.approx(1, rel=0.01)
    assert not emb.weight.data[3].any()
    assert emb(tgl.tensor([[3, 5]])).shape == (1, 2, 200)
    assert emb(tgl.tensor(7)).shape == (200,)


def test_embedding_from_pretrained() -> None:
    table = tgl.tensor([[1.0, 2.0], [3.0, 4.0]])
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(emb(tgl.tensor([1])).data, [[3.0, 4.0]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


# ----------------------------------------------------------------- Dropout
def test_dropout_in_training_zeroes_about_p_and_scales_the_rest() -> None:
    drop = nn.Dropout(0.3)
    x = tgl.ones(200, 500, requires_grad=True)
    out = drop(x)
    kept = out.data != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.01)
    np.testing.assert_allclose(out.data[kept], np.float32(1 / 0.7), rtol=1e-6)
    assert out.dtype == np.float32
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, out.data)  # gradient = mask / (1 - p)


def test_dropout_eval_p0_p1_and_seeding() -> None:
    x = tgl.randn(4, 5, requires_grad=True)
    drop = nn.Dropout(0.5).eval()
    assert drop(x) is x and F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    zero = F.dropout(x, 1.0)
    assert not zero.data.any()
    zero.sum().backward()
    assert not x.grad.data.any()
    tgl.manual_seed(5)
    a = F.dropout(x, 0.5).data
    tgl.manual_seed(5)
    np.testing.assert_array_equal(a, F.dropout(x, 0.5).data)
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, -0.1)


def test_dropout_inplace() -> None:
    x = tgl.ones(100, 100)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x and (x.data == 0).any() and (x.data == 2).any()


@pytest.mark.torch
def test_dropout_repr(torch) -> None:
    assert repr(nn.Dropout(0.25, True)) == repr(torch.nn.Dropout(0.25, True))


# ---------------------------------------------------- Flatten and Identity
@pytest.mark.torch
@pytest.mark.parametrize("args", [(), (0,), (1, 2), (-2, -1)])
def test_flatten_matches_torch(torch, args) -> None:
    x = rng.standard_normal((2, 3, 4, 5))
    ours, theirs = nn.Flatten(*args), torch.nn.Flatten(*args)
    _run_both(torch, ours, theirs, x, np.float64)
    assert repr(ours) == repr(theirs)


@pytest.mark.torch
def test_identity_passes_through(torch) -> None:
    x = tgl.ones(2)
    assert nn.Identity(3, key="ignored")(x) is x
    assert repr(nn.Identity()) == repr(torch.nn.Identity())


# ------------------------------------------------------------- activations
ACTIVATIONS = [("ReLU", ()), ("Sigmoid", ()), ("Tanh", ()), ("LeakyReLU", ()),
               ("LeakyReLU", (0.2,)), ("GELU", ()), ("GELU", ("tanh",)), ("Softmax", (1,)),
               ("Softmax", (-1,)), ("LogSoftmax", (0,)), ("LogSoftmax", (2,))]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, args", ACTIVATIONS)
def test_activation_modules_match_torch(torch, dtype, name, args) -> None:
    x = rng.standard_normal((3, 4, 2)) * 3
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    out, _ = _run_both(torch, ours, theirs, x, dtype)
    assert out.dtype == dtype
    assert repr(ours) == repr(theirs)


@pytest.mark.torch
def test_activation_kinks_follow_torch(torch) -> None:
    x_np = np.array([-1.0, 0.0, 1.0])
    for name in ("ReLU", "LeakyReLU"):
        x, tx = pair(torch, x_np)
        getattr(nn, name)()(x).sum().backward()
        getattr(torch.nn, name)()(tx).sum().backward()
        assert_close(x.grad, tx.grad)


@pytest.mark.torch
def test_inplace_activations_change_their_input_like_torch(torch) -> None:
    for name in ("ReLU", "LeakyReLU"):
        x_np = rng.standard_normal((3, 3))
        x, tx = pair(torch, x_np)
        y, ty = x * 2, tx * 2
        out, ref = getattr(nn, name)(inplace=True)(y), getattr(torch.nn, name)(inplace=True)(ty)
        assert out is y
        assert_close(y, ty)
        out.sum().backward()
        ref.sum().backward()
        assert_close(x.grad, tx.grad)
        assert repr(getattr(nn, name)(inplace=True)) == repr(getattr(torch.nn, name)(inplace=True))


@pytest.mark.torch
def test_relu_module_on_any_input_behaves_as_torchs(torch) -> None:
    """nn.ReLU takes a shortcut for float Tensors; every other input must
    still behave as F.relu and PyTorch: ints kept, bools and non-Tensors
    rejected, a Parameter (a Tensor subclass) and a hooked module served."""
    relu, ref = nn.ReLU(), torch.nn.ReLU()
    ints = np.array([-2, 0, 3])
    out = relu(tgl.tensor(ints))
    assert out.dtype == tgl.int64 and out.tolist() == ref(torch.tensor(ints)).tolist()
    with pytest.raises(RuntimeError, match="Boolean inputs not supported"):
        relu(tgl.tensor([True, False]))
    with pytest.raises(RuntimeError):
        ref(torch.tensor([True, False]))
    with pytest.raises(TypeError, match=r"relu\(\): argument 'input' must be a Tensor, got list"):
        relu([1.0, -1.0])
    w = nn.Parameter(tgl.tensor([-1.0, 2.0]))
    out = relu(w)
    out.sum().backward()
    assert type(out) is tgl.Tensor and out.tolist() == [0.0, 2.0] and w.grad.tolist() == [0, 1]
    relu.register_forward_hook(lambda m, args, out: out * 10)
    assert relu(tgl.tensor([-1.0, 2.0])).tolist() == [0.0, 20.0]


def test_softmax_module_without_dim_warns_and_uses_pytorchs_choice() -> None:
    x = tgl.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        out = nn.Softmax()(x)
    np.testing.assert_allclose(out.data.sum(1), 1, rtol=1e-6)
