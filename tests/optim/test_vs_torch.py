"""Every optimizer against PyTorch: the same 10 steps from the same weights
on the same data give the same parameters after each step, the same state
and the same state-dict layout; state dicts move between the two."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tgl
import tinygrad_lite.nn  # noqa: F401  (makes tgl.nn available)
import tinygrad_lite.optim  # noqa: F401

from .helpers import (TOL, TglRun, TorchRun, batches, groups_of, initial_arrays, state_arrays,
                      to_torch_state, train)


def two_groups(params):
    """First layer at its own learning rate, the rest at the default."""
    return [{"params": params[:2], "lr": 0.05}, {"params": params[2:]}]


def two_groups_options(params):
    """Groups that differ in more than lr."""
    return [{"params": params[:2], "lr": 0.02, "weight_decay": 0.1}, {"params": params[2:]}]


CASES = [
    ("SGD", dict(lr=0.1), None),
    ("SGD", dict(lr=0.1, momentum=0.9), None),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3), None),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True), None),
    ("SGD", dict(lr=0.1, weight_decay=0.1), None),
    ("SGD", dict(lr=0.05, momentum=0.8, weight_decay=0.05, nesterov=True), None),
    ("SGD", dict(lr=0.02, momentum=0.5, maximize=True), None),
    ("SGD", dict(lr=0.1, momentum=0.9), two_groups),
    ("Adam", dict(lr=0.01), None),
    ("Adam", dict(lr=0.01, amsgrad=True), None),
    ("Adam", dict(lr=0.01, weight_decay=0.1), None),
    ("Adam", dict(lr=0.01, betas=(0.5, 0.9), eps=1e-6), None),
    ("Adam", dict(lr=0.01, maximize=True), None),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), None),
    ("Adam", dict(lr=0.01), two_groups_options),
    ("AdamW", dict(lr=0.01), None),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True), None),
    ("AdamW", dict(lr=0.01, maximize=True), two_groups),
    ("RMSprop", dict(lr=0.01), None),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True), None),
    ("RMSprop", dict(lr=0.01, momentum=0.9), None),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1), None),
    ("RMSprop", dict(lr=0.005, maximize=True), None),
    ("RMSprop", dict(lr=0.01), two_groups),
    ("Adagrad", dict(lr=0.1), None),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05), None),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.1), None),
    ("Adagrad", dict(lr=0.05, maximize=True, eps=1e-6), None),
    ("Adagrad", dict(lr=0.1), two_groups),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}{'-groups' if g else ''}"
       for name, kw, g in CASES]
DTYPES = [np.float32, np.float64]


def build(torch, name, kwargs, spec, dtype, seed=0):
    arrays = initial_arrays(dtype, seed)
    mine, theirs = TglRun(arrays), TorchRun(torch, arrays)
    opt = getattr(tgl.optim, name)(groups_of(mine.params, spec), **kwargs)
    ref = getattr(torch.optim, name)(groups_of(theirs.params, spec), **kwargs)
    return mine, opt, theirs, ref


def assert_same_history(got, want, dtype):
    for step, (g_params, w_params) in enumerate(zip(got, want)):
        for i, (g, w) in enumerate(zip(g_params, w_params)):
            assert g.dtype == w.dtype
            np.testing.assert_allclose(g, w, **TOL[dtype],
                                       err_msg=f"parameter {i} after step {step + 1}")


def assert_same_state(sd, ref_sd, dtype):
    assert list(sd["state"]) == list(ref_sd["state"])
    mine, theirs = state_arrays(sd), state_arrays(ref_sd)
    for i in theirs:
        assert list(mine[i]) == list(theirs[i]), f"state keys of parameter {i}"
        for key in theirs[i]:
            assert mine[i][key].dtype == theirs[i][key].dtype, (i, key)
            np.testing.assert_allclose(mine[i][key], theirs[i][key], **TOL[dtype],
                                       err_msg=f"state {key!r} of parameter {i}")
    assert len(sd["param_groups"]) == len(ref_sd["param_groups"])
    for group, ref_group in zip(sd["param_groups"], ref_sd["param_groups"]):
        assert list(group) == list(ref_group)  # same keys in the same order
        assert group == ref_group


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name,kwargs,spec", CASES, ids=IDS)
def test_ten_steps_match_torch(torch, name, kwargs, spec, dtype):
    mine, opt, theirs, ref = build(torch, name, kwargs, spec, dtype)
    data = batches(dtype, 10)
    assert_same_history(train(mine, opt, data), train(theirs, ref, data), dtype)
    assert mine.params[4].grad is None  # never used: skipped, left unchanged
    np.testing.assert_array_equal(mine.params[4].data, initial_arrays(dtype)["unused"])
    assert_same_state(opt.state_dict(), ref.state_dict(), dtype)


@pytest.mark.torch
@pytest.mark.parametrize("name,kwargs,spec", CASES[::3], ids=IDS[::3])
def test_state_dict_moves_between_frameworks(torch, name, kwargs, spec):
    """5 steps in tinygrad_lite, its state dict loaded into PyTorch (and the
    other way round), 5 more steps in each: same parameters."""
    dtype = np.float64
    data = batches(dtype, 10)
    mine, opt, theirs, ref = build(torch, name, kwargs, spec, dtype)
    train(mine, opt, data[:5])
    train(theirs, ref, data[:5])
    # swap optimizer states across frameworks (params are equal up to rounding)
    mine2, opt2, theirs2, ref2 = build(torch, name, dict(kwargs, lr=123.0), spec, dtype)
    for p2, p in zip(mine2.params, mine.params):
        p2.data[...] = p.data
    for p2, p in zip(theirs2.params, theirs.params):
        p2.data.copy_(p.data)
    ref2.load_state_dict(to_torch_state(torch, opt.state_dict()))
    opt2.load_state_dict(ref.state_dict())
    assert opt2.param_groups[0]["lr"] == ref.param_groups[0]["lr"]  # lr=123 was replaced
    want = train(theirs, ref, data[5:])
    assert_same_history(train(theirs2, ref2, data[5:]), want, dtype)
    assert_same_history(train(mine2, opt2, data[5:]), want, dtype)
    assert_same_history(train(mine, opt, data[5:]), want, dtype)


@pytest.mark.torch
def test_closure_loss_is_returned_like_torch(torch):
    mine, opt, theirs, ref = build(torch, "SGD", dict(lr=0.1, momentum=0.9), None, np.float64)
    (x, y), = batches(np.float64, 1)

    def closure(run, optimizer):
        def fn():
            optimizer.zero_grad()
            loss = run.loss(x, y)
            loss.backward()
            return loss
        return fn

    with tgl.no_grad():  # the closure runs with grad mode on regardless
        loss = opt.step(closure(mine, opt))
    with torch.no_grad():
        ref_loss = ref.step(closure(theirs, ref))
    assert loss.item() == pytest.approx(ref_loss.item(), rel=1e-12)
    for p, q in zip(mine.params, theirs.params):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_fresh_state_dict_layout_matches_torch(torch, name):
    """Before any step (Adagrad creates its state up front) and with named
    parameters (param_names), as PyTorch lays it out."""
    arrays = initial_arrays(np.float32)
    mine, theirs = TglRun(arrays), TorchRun(torch, arrays)
    names = list(arrays)
    opt = getattr(tgl.optim, name)(list(zip(names, mine.params)), lr=0.1)
    ref = getattr(torch.optim, name)(list(zip(names, theirs.params)), lr=0.1)
    sd, ref_sd = opt.state_dict(), ref.state_dict()
    assert sd["param_groups"] == ref_sd["param_groups"]
    assert list(sd["param_groups"][0]) == list(ref_sd["param_groups"][0])
    assert_same_state(sd, ref_sd, np.float32)
    assert repr(opt) == repr(ref)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name,kwargs,spec", CASES, ids=IDS)
def test_update_rule_with_given_gradients(torch, name, kwargs, spec, dtype):
    """The update rule alone: both frameworks get the same gradients, of
    very different scales, and parameter 1 has no gradient in steps 4-6
    (skipped: no update, no step count, no state change)."""
    rng = np.random.default_rng(7)
    init = [rng.standard_normal(s).astype(dtype) for s in [(50,), (7, 3), (4,)]]
    mine = [tgl.nn.Parameter(tgl.tensor(a)) for a in init]
    theirs = [torch.nn.Parameter(torch.tensor(a)) for a in init]
    opt = getattr(tgl.optim, name)(groups_of(mine, spec), **kwargs)
    ref = getattr(torch.optim, name)(groups_of(theirs, spec), **kwargs)
    for step in range(10):
        for i, (p, q) in enumerate(zip(mine, theirs)):
            if i == 1 and 3 <= step <= 5:
                p.grad, q.grad = None, None
                continue
            g = (rng.standard_normal(p.shape) * rng.choice([1e-3, 1.0, 10.0])).astype(dtype)
            p.grad, q.grad = tgl.tensor(g), torch.tensor(g)
        opt.step()
        ref.step()
        for i, (p, q) in enumerate(zip(mine, theirs)):
            np.testing.assert_allclose(p.data, q.detach().numpy(), **TOL[dtype],
                                       err_msg=f"parameter {i} after step {step + 1}")
    assert_same_state(opt.state_dict(), ref.state_dict(), dtype)


def plain_and_momentum_groups(params):
    """One group with SGD's default options next to one that has momentum."""
    return [{"params": params[:2]}, {"params": params[2:], "momentum": 0.9, "maximize": True}]


# plain SGD skips the per-parameter option tests: each option alone must still apply
SGD_OPTIONS_ALONE = [
    (dict(lr=0.1, maximize=True), None),
    (dict(lr=0.1, weight_decay=0.1, maximize=True), None),
    (dict(lr=0.1), plain_and_momentum_groups),
]


@pytest.mark.torch
@pytest.mark.parametrize("kwargs,spec", SGD_OPTIONS_ALONE,
                         ids=["maximize", "weight_decay-maximize", "plain-and-momentum-groups"])
def test_sgd_options_alone_and_mixed_groups_match_torch(torch, kwargs, spec):
    dtype = np.float64
    mine, opt, theirs, ref = build(torch, "SGD", kwargs, spec, dtype)
    data = batches(dtype, 5)
    assert_same_history(train(mine, opt, data), train(theirs, ref, data), dtype)
    assert_same_state(opt.state_dict(), ref.state_dict(), dtype)
