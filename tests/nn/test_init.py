"""nn.init: PyTorch's formulas (gains, fans, bounds), checked exactly where
they are deterministic and statistically on large tensors otherwise."""
from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_lite as tgl
from tinygrad_lite import nn
from tinygrad_lite.nn import init

BIG = (400, 500)  # 200,000 draws: sample std within ~0.3% of the true one


def _param(*shape, dtype=tgl.float32):
    return nn.Parameter(tgl.empty(*shape, dtype=dtype))


@pytest.mark.torch
@pytest.mark.parametrize("name, param", [
    ("linear", None), ("conv2d", None), ("conv_transpose3d", None), ("sigmoid", None),
    ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
    ("leaky_relu", 3), ("leaky_relu", math.sqrt(5)), ("selu", None)])
def test_calculate_gain_matches_torch(torch, name, param) -> None:
    assert init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)


def test_calculate_gain_rejects_unknown_names_and_slopes() -> None:
    with pytest.raises(ValueError, match="Unsupported nonlinearity softsign"):
        init.calculate_gain("softsign")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(3, 4), (8, 2, 3, 3), (5, 0), (2, 7, 4)])
def test_fan_in_and_fan_out_match_torch(torch, shape) -> None:
    want = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert init._calculate_fan_in_and_fan_out(tgl.empty(*shape)) == want


def test_fans_need_two_dims() -> None:
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(tgl.empty(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(_param(3, 4), mode="fan_avg")


def _check_uniform(t, bound) -> None:
    v = t.data.astype(np.float64)
    assert v.min() >= -bound and v.max() <= bound
    assert v.min() < -0.99 * bound and v.max() > 0.99 * bound  # the whole range is used
    assert abs(v.mean()) < 0.01 * bound
    assert v.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)


def _check_normal(t, std, mean=0.0) -> None:
    v = t.data.astype(np.float64)
    assert v.mean() == pytest.approx(mean, abs=0.01 * std)
    assert v.std() == pytest.approx(std, rel=0.01)
    assert np.abs(v - mean).max() > 3.5 * std  # unbounded tails, not a uniform


def test_uniform_and_normal() -> None:
    _check_uniform(init.uniform_(_param(*BIG), -2.0, 2.0), 2.0)
    w = init.uniform_(_param(*BIG), 1.0, 3.0)
    assert w.data.min() >= 1.0 and w.data.max() < 3.0
    _check_normal(init.normal_(_param(*BIG), 1.5, 0.5), 0.5, 1.5)


@pytest.mark.parametrize("shape", [BIG, (200, 50, 3, 3)])
def test_xavier(shape) -> None:
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(tgl.empty(*shape))
    std = 0.5 * math.sqrt(2.0 / (fan_in + fan_out))
    _check_uniform(init.xavier_uniform_(_param(*shape), gain=0.5), math.sqrt(3) * std)
    _check_normal(init.xavier_normal_(_param(*shape), gain=0.5), std)


def test_kaiming_defaults_use_leaky_relu_gain_of_a_and_fan_in() -> None:
    fan_in = BIG[1]
    _check_uniform(init.kaiming_uniform_(_param(*BIG)), math.sqrt(2) * math.sqrt(3 / fan_in))
    a = math.sqrt(5)  # nn.Linear's choice: bound 1 / sqrt(fan_in)
    _check_uniform(init.kaiming_uniform_(_param(*BIG), a=a), 1 / math.sqrt(fan_in))
    _check_normal(init.kaiming_normal_(_param(*BIG), a=0.3), math.sqrt(2 / 1.09 / fan_in))


def test_kaiming_mode_and_nonlinearity() -> None:
    fan_out = BIG[0]
    _check_normal(init.kaiming_normal_(_param(*BIG), mode="fan_out", nonlinearity="relu"),
                  math.sqrt(2 / fan_out))
    _check_uniform(init.kaiming_uniform_(_param(*BIG), mode="FAN_OUT", nonlinearity="tanh"),
                   5 / 3 * math.sqrt(3 / fan_out))


def test_kaiming_on_an_empty_tensor_warns_and_does_nothing() -> None:
    w = _param(0, 3)
    with pytest.warns(UserWarning, match="zero-element"):
        assert init.kaiming_uniform_(w) is w


def test_fills_work_in_place_on_parameters_without_recording() -> None:
    w = _param(3, 4, dtype=tgl.float64)
    data = w.data
    for fn, args in [(init.uniform_, ()), (init.normal_, ()), (init.xavier_uniform_, ()),
                     (init.kaiming_normal_, ()), (init.constant_, (0.25,)),
                     (init.trunc_normal_, ()), (init.orthogonal_, ())]:
        out = fn(w, *args)
        assert out is w and w.data is data, fn.__name__  # same object, same memory
        assert w.is_leaf and w.grad_fn is None and w.requires_grad
        assert w.dtype == np.float64


def test_constant_ones_zeros_eye() -> None:
    w = _param(2, 3)
    assert (init.constant_(w, 0.3).data == np.float32(0.3)).all()
    assert (init.ones_(w).data == 1).all()
    assert (init.zeros_(w).data == 0).all()
    np.testing.assert_array_equal(init.eye_(w).data, np.eye(2, 3))
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(_param(2, 2, 2))


def test_trunc_normal_stays_in_bounds_and_orthogonal_is_orthogonal() -> None:
    w = init.trunc_normal_(_param(*BIG), mean=0.5, std=1.0, a=-0.5, b=1.0)
    assert w.data.min() >= -0.5 and w.data.max() <= 1.0
    q = init.orthogonal_(_param(30, 50), gain=2.0).data.astype(np.float64)
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(30), atol=1e-4)


def test_seeded_generators_repeat() -> None:
    tgl.manual_seed(3)
    a = init.kaiming_uniform_(_param(4, 5)).data.copy()
    tgl.manual_seed(3)
    b = init.kaiming_uniform_(_param(4, 5)).data.copy()
    np.testing.assert_array_equal(a, b)
    g1, g2 = tgl.Generator().manual_seed(7), tgl.Generator().manual_seed(7)
    np.testing.assert_array_equal(init.normal_(_param(6), generator=g1).data,
                                  init.normal_(_param(6), generator=g2).data)


def test_init_needs_a_tensor() -> None:
    with pytest.raises(TypeError, match="expected a Tensor"):
        init.uniform_(np.zeros(3))
