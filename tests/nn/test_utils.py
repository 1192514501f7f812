"""tgl.nn.utils: gradient clipping and flat parameter vectors, against
PyTorch where it is installed."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tgl
import tinygrad_lite.nn  # noqa: F401  (makes tgl.nn available)
from tinygrad_lite.nn.utils import (clip_grad_norm_, clip_grad_value_, get_total_norm,
                                    parameters_to_vector, vector_to_parameters)

SHAPES = [(3, 4), (4,), (2, 2, 2)]


def make_params(dtype=np.float32, scale=1.0, seed=0):
    """(tgl params, the same grads as arrays); parameter 1 has no gradient."""
    rng = np.random.default_rng(seed)
    params, grads = [], []
    for i, shape in enumerate(SHAPES + [(5,)]):
        p = tgl.nn.Parameter(tgl.tensor(rng.standard_normal(shape).astype(dtype)))
        g = None if i == 1 else (rng.standard_normal(shape) * scale).astype(dtype)
        if g is not None:
            p.grad = tgl.tensor(g)
        params.append(p)
        grads.append(g)
    return params, grads


def torch_params(torch, params, grads):
    out = []
    for p, g in zip(params, grads):
        q = torch.nn.Parameter(torch.tensor(p.data))
        if g is not None:
            q.grad = torch.tensor(g)
        out.append(q)
    return out


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3, float("inf"), "inf", 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 1e4])  # clipping, and no change (coefficient 1)
def test_clip_grad_norm_matches_torch(torch, dtype, norm_type, max_norm):
    params, grads = make_params(dtype)
    ref = torch_params(torch, params, grads)
    total = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, max_norm, norm_type=norm_type)
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    assert isinstance(total, tgl.Tensor) and total.shape == () and total.dtype == dtype
    np.testing.assert_allclose(total.item(), ref_total.item(), rtol=rtol)
    for p, q, g in zip(params, ref, grads):
        if g is None:
            assert p.grad is None
            continue
        assert p.grad.dtype == dtype
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=rtol, atol=1e-7)
    if max_norm == 1e4:
        for p, g in zip(params, grads):
            if g is not None:
                np.testing.assert_array_equal(p.grad.data, g)


def test_clip_grad_norm_scales_by_torchs_coefficient():
    p = tgl.nn.Parameter(tgl.zeros(2))
    p.grad = tgl.tensor([3.0, 4.0])
    grad_array = p.grad.data
    total = clip_grad_norm_(p, max_norm=1.0)  # a single tensor is accepted
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.data, np.float32([3.0, 4.0]) / np.float32(5.0 + 1e-6),
                               rtol=1e-7)
    assert p.grad.data is grad_array  # scaled in place


@pytest.mark.torch
def test_nonfinite_norms_like_torch(torch):
    params, grads = make_params()
    grads[0][0, 0] = np.nan
    params[0].grad.data[0, 0] = np.nan
    ref = torch_params(torch, params, grads)
    with pytest.raises(RuntimeError, match=r"total norm of order 2.0 for gradients from "
                                           r"`parameters` is non-finite \(nan\)"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError):
        torch.nn.utils.clip_grad_norm_(ref, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(params[2].grad.data, grads[2])  # untouched on error
    total = clip_grad_norm_(params, 1.0)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, 1.0)
    assert np.isnan(total.item()) and np.isnan(ref_total.item())
    for p, q in zip(params, ref):
        if p.grad is not None:
            np.testing.assert_array_equal(np.isnan(p.grad.data), np.isnan(q.grad.numpy()))


def test_inf_gradient_with_inf_norm():
    p = tgl.nn.Parameter(tgl.zeros(3))
    p.grad = tgl.tensor([1.0, -np.inf, 2.0])
    with pytest.raises(RuntimeError, match=r"non-finite \(inf\)"):
        clip_grad_norm_([p], 1.0, norm_type="inf", error_if_nonfinite=True)


def test_clip_grad_norm_edge_cases():
    assert clip_grad_norm_([], 1.0).item() == 0.0
    p = tgl.nn.Parameter(tgl.zeros(2))
    assert clip_grad_norm_([p], 1.0).item() == 0.0  # no gradients at all
    with pytest.warns(UserWarning, match=r"empty generator"):
        clip_grad_norm_((q for q in []), 1.0)
    p.grad = tgl.tensor([1.0, 1.0])
    with pytest.raises(ValueError, match=r"max_norm must be >= 0, got -1.0"):
        clip_grad_norm_([p], -1.0)
    with pytest.raises(NotImplementedError, match=r"foreach=True is not supported"):
        clip_grad_norm_([p], 1.0, foreach=True)
    with pytest.raises(TypeError, match=r"pass model.parameters\(\)"):
        clip_grad_norm_(tgl.nn.Module(), 1.0)
    with pytest.raises(TypeError, match=r"max_norm must be a number"):
        clip_grad_norm_([p], None)
    e = tgl.nn.Parameter(tgl.zeros(0))
    e.grad = tgl.zeros(0)
    with pytest.raises(RuntimeError, match=r"inf-norm of an empty gradient"):
        clip_grad_norm_([e], 1.0, norm_type="inf")


def test_get_total_norm_of_tensors():
    total = get_total_norm([tgl.tensor([3.0]), tgl.tensor([[4.0]])])
    assert total.item() == pytest.approx(5.0)


@pytest.mark.torch
@pytest.mark.parametrize("clip_value", [0.3, 100.0])
def test_clip_grad_value_matches_torch(torch, clip_value):
    params, grads = make_params(scale=2.0)
    ref = torch_params(torch, params, grads)
    arrays = [None if p.grad is None else p.grad.data for p in params]
    clip_grad_value_(params, clip_value)
    torch.nn.utils.clip_grad_value_(ref, clip_value)
    for p, q, a in zip(params, ref, arrays):
        if p.grad is not None:
            assert p.grad.data is a
            np.testing.assert_array_equal(p.grad.data, q.grad.numpy())
    assert np.abs(params[0].grad.data).max() <= clip_value


def test_clip_grad_value_errors():
    p = tgl.nn.Parameter(tgl.zeros(2))
    p.grad = tgl.tensor([1.0, -3.0])
    clip_grad_value_(p, 2)
    np.testing.assert_array_equal(p.grad.data, [1.0, -2.0])
    with pytest.raises(ValueError, match=r"clip_value must be >= 0, got -1.0"):
        clip_grad_value_(p, -1.0)


@pytest.mark.torch
def test_parameters_to_vector_and_back(torch):
    params, _ = make_params()
    vec = parameters_to_vector(params)
    ref = torch.nn.utils.parameters_to_vector(
        [torch.tensor(p.data) for p in params])
    np.testing.assert_array_equal(vec.data, ref.numpy())
    assert vec.requires_grad  # stays in the graph, as in PyTorch
    new = tgl.arange(vec.shape[0], dtype=tgl.float32)
    vector_to_parameters(new, params)
    np.testing.assert_array_equal(parameters_to_vector(params).data, new.data)
    assert params[1].shape == SHAPES[1]
    with pytest.raises(ValueError, match=r"vec must be 1-D with 29 elements"):
        vector_to_parameters(tgl.zeros(5), params)
    with pytest.raises(TypeError, match=r"expected a Tensor, but got: ndarray"):
        vector_to_parameters(np.zeros(29), params)


def test_parameters_to_vector_gradient_flows_back():
    a, b = tgl.nn.Parameter(tgl.ones(2)), tgl.nn.Parameter(tgl.ones(1, 2))
    (parameters_to_vector([a, b]) * tgl.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [1.0, 2.0])
    np.testing.assert_array_equal(b.grad.data, [[3.0, 4.0]])


@pytest.mark.torch
@pytest.mark.parametrize("name", ["clip_grad_norm_", "clip_grad_value_", "get_total_norm",
                                  "clip_grads_with_norm_", "parameters_to_vector",
                                  "vector_to_parameters"])
def test_signatures_match_torch(torch, name):
    import inspect

    def signature(fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]

    assert signature(getattr(tgl.nn.utils, name)) == signature(getattr(torch.nn.utils, name))
