"""BatchNorm1d/2d and LayerNorm against PyTorch: outputs, gradients and
running statistics over several training steps, then evaluation."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tgl
import tinygrad_lite.nn.functional as F
from tinygrad_lite import nn
from nn_helpers import DTYPES, assert_close, copy_weights, pair, torch_dtype

rng = np.random.default_rng(0)


def _randomize(theirs, torch) -> None:
    """Non-trivial affine parameters and running statistics."""
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, p.shape)))


def _step(torch, ours, theirs, x_np, dtype) -> None:
    """One forward/backward on both, comparing outputs and every gradient."""
    x, tx = pair(torch, x_np, dtype)
    out, ref = ours(x), theirs(tx)
    assert_close(out, ref, dtype, msg="output")
    up = rng.standard_normal(out.shape).astype(dtype)
    (out * tgl.tensor(up)).sum().backward()
    (ref * torch.from_numpy(up)).sum().backward()
    assert_close(x.grad, tx.grad, dtype, grad=True, msg="input grad")
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_close(p.grad, grads[name].grad, dtype, grad=True, msg=name)
        p.grad = None
    theirs.zero_grad()


def _check_buffers(ours, theirs, dtype) -> None:
    mine = ours.state_dict()
    for name, value in theirs.state_dict().items():
        assert_close(mine[name], value, dtype, msg=name)


CASES = [("BatchNorm1d", (6, 3)), ("BatchNorm1d", (4, 3, 5)), ("BatchNorm2d", (2, 3, 4, 5))]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, shape", CASES)
@pytest.mark.parametrize("momentum", [0.1, 0.7, None])
def test_batchnorm_train_then_eval_matches_torch(torch, dtype, name, shape, momentum) -> None:
    kw = {"momentum": momentum, "dtype": torch_dtype(torch, dtype)}
    theirs = getattr(torch.nn, name)(3, **kw)
    _randomize(theirs, torch)
    ours = getattr(nn, name)(3, momentum=momentum, dtype=dtype)
    copy_weights(ours, theirs)
    for _ in range(3):
        _step(torch, ours, theirs, rng.standard_normal(shape) * 2 + 1, dtype)
        _check_buffers(ours, theirs, dtype)
    assert int(ours.num_batches_tracked.item()) == 3
    ours.eval(), theirs.eval()
    _step(torch, ours, theirs, rng.standard_normal(shape), dtype)
    _check_buffers(ours, theirs, dtype)  # eval leaves the statistics alone
    assert repr(ours) == repr(theirs)


@pytest.mark.torch
@pytest.mark.parametrize("kwargs", [{"affine": False}, {"track_running_stats": False},
                                    {"affine": False, "track_running_stats": False},
                                    {"bias": False}, {"eps": 0.1}])
def test_batchnorm_options_match_torch(torch, kwargs) -> None:
    theirs = torch.nn.BatchNorm1d(3, **kwargs)
    ours = nn.BatchNorm1d(3, **kwargs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    copy_weights(ours, theirs)
    for train in (True, False):
        ours.train(train), theirs.train(train)
        _step(torch, ours, theirs, rng.standard_normal((5, 3, 2)), np.float32)
        _check_buffers(ours, theirs, np.float32)


def test_batchnorm_statistics_by_hand() -> None:
    """Normalised with the biased variance; running_var gets the unbiased one."""
    bn = nn.BatchNorm1d(2, momentum=0.5, affine=False).double()
    x = rng.standard_normal((4, 2, 3))
    out = bn(tgl.tensor(x)).data
    mean, var = x.mean(axis=(0, 2)), x.var(axis=(0, 2))
    np.testing.assert_allclose(out, (x - mean[:, None]) / np.sqrt(var[:, None] + 1e-5))
    np.testing.assert_allclose(bn.running_mean.data, 0.5 * mean)
    np.testing.assert_allclose(bn.running_var.data, 0.5 + 0.5 * var * 12 / 11)


def test_batchnorm_momentum_none_is_the_cumulative_average() -> None:
    bn = nn.BatchNorm1d(1, momentum=None).double()
    batches = [rng.standard_normal((5, 1)) + i for i in range(4)]
    for b in batches:
        bn(tgl.tensor(b))
    np.testing.assert_allclose(bn.running_mean.data, np.mean([b.mean() for b in batches]))
    np.testing.assert_allclose(bn.running_var.data,
                               np.mean([b.var(ddof=1) for b in batches]))


def test_batchnorm_running_buffers_update_in_place() -> None:
    bn = nn.BatchNorm2d(2)
    mean, var = bn.running_mean, bn.running_var
    bn(tgl.randn(3, 2, 2, 2))
    assert bn.running_mean is mean and bn.running_var is var and mean.data.any()
    bn.reset_running_stats()
    assert not mean.data.any() and (var.data == 1).all() and bn.num_batches_tracked.item() == 0


@pytest.mark.torch
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("other", ["running_mean", "running_var", "weight", "bias"])
def test_batch_norm_with_a_tensor_of_another_dtype_is_an_error_as_in_torch(
        torch, training, other) -> None:
    args = {"running_mean": np.zeros(3), "running_var": np.ones(3), "weight": np.ones(3),
            "bias": np.zeros(3)}
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)

    def call(lib, functional):
        tensors = {k: lib.tensor(v.astype(np.float64 if k == other else np.float32))
                   for k, v in args.items()}
        return functional.batch_norm(lib.tensor(x), training=training, **tensors)
    with pytest.raises(RuntimeError, match="mixed dtype|expected scalar type"):
        call(torch, torch.nn.functional)
    with pytest.raises(RuntimeError, match=f"batch_norm.*mixed dtypes.*{other} is float64"):
        call(tgl, F)


def test_batchnorm_needs_more_than_one_value_per_channel_in_training() -> None:
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(tgl.randn(1, 3))
    bn.eval()
    assert bn(tgl.randn(1, 3)).shape == (1, 3)  # eval uses the running statistics


# --------------------------------------------------------------- LayerNorm
@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, normalized", [((4, 5), 5), ((2, 3, 4), (3, 4)),
                                               ((2, 3, 4), [4]), ((6,), 6)])
@pytest.mark.parametrize("kwargs", [{}, {"elementwise_affine": False}, {"bias": False},
                                    {"eps": 0.5}])
def test_layernorm_matches_torch(torch, dtype, shape, normalized, kwargs) -> None:
    theirs = torch.nn.LayerNorm(normalized, dtype=torch_dtype(torch, dtype), **kwargs)
    _randomize(theirs, torch)
    ours = nn.LayerNorm(normalized, dtype=dtype, **kwargs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(ours, theirs)
    _step(torch, ours, theirs, rng.standard_normal(shape) * 3, dtype)
    ours.eval(), theirs.eval()  # no difference between the modes
    _step(torch, ours, theirs, rng.standard_normal(shape), dtype)
    assert repr(ours) == repr(theirs)


@pytest.mark.torch
def test_norms_are_stable_for_large_and_constant_inputs(torch) -> None:
    for x_np in (np.full((2, 4), 7.0), rng.standard_normal((2, 4)) * 1e4 + 1e6):
        for ours, theirs in ((nn.LayerNorm(4), torch.nn.LayerNorm(4)),
                             (nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4))):
            x, tx = pair(torch, x_np, np.float32)
            out, ref = ours(x), theirs(tx)
            assert np.isfinite(out.data).all()
            np.testing.assert_allclose(out.data, ref.detach().numpy(), atol=2e-3)


# ------------------------------------------------------------ functional
@pytest.mark.torch
@pytest.mark.parametrize("training", [True, False])
def test_functional_batch_norm_matches_torch(torch, training) -> None:
    x_np = rng.standard_normal((4, 3, 2))
    stats = rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    w_np, b_np = rng.standard_normal(3), rng.standard_normal(3)
    (x, tx), (w, tw), (b, tb) = pair(torch, x_np), pair(torch, w_np), pair(torch, b_np)
    rm, trm = pair(torch, stats[0], requires_grad=False)
    rv, trv = pair(torch, stats[1], requires_grad=False)
    out = F.batch_norm(x, rm, rv, w, b, training=training, momentum=0.3, eps=1e-3)
    ref = torch.nn.functional.batch_norm(tx, trm, trv, tw, tb, training=training,
                                         momentum=0.3, eps=1e-3)
    assert_close(out, ref)
    out.sum().backward(), ref.sum().backward()
    for ours, theirs in ((x, tx), (w, tw), (b, tb)):
        assert_close(ours.grad, theirs.grad, grad=True)
    assert_close(rm, trm), assert_close(rv, trv)
    with pytest.raises(RuntimeError, match="running_mean and running_var must be given"):
        F.batch_norm(x, None, None)


@pytest.mark.torch
def test_functional_layer_norm_without_affine(torch) -> None:
    x, tx = pair(torch, rng.standard_normal((3, 2, 2)))
    out = F.layer_norm(x, (2, 2))
    ref = torch.nn.functional.layer_norm(tx, (2, 2))
    assert_close(out, ref)
    (out * out).sum().backward(), (ref * ref).sum().backward()
    assert_close(x.grad, tx.grad, grad=True)
