"""Learning-rate schedulers: the same sequence of rates as PyTorch's (40
steps, past CosineAnnealingLR's T_max several times), the same state dict,
resuming, and errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_lite as tgl
import tinygrad_lite.nn  # noqa: F401  (makes tgl.nn available)
import tinygrad_lite.optim  # noqa: F401
from tinygrad_lite.optim import SGD, lr_scheduler

LRS = (0.1, 0.01)


def halve_every_ten(epoch):
    return 0.5 ** (epoch // 10)


SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=1)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
    ("LambdaLR", dict(lr_lambda=halve_every_ten)),
    ("LambdaLR", dict(lr_lambda=[lambda e: 1 / (e + 1), lambda e: 0.9 ** e])),
]
IDS = [name + "".join(f"-{k}={getattr(v, '__name__', 'list')}" if k == "lr_lambda"
                      else f"-{k}={v}" for k, v in kw.items())
       for name, kw in SCHEDULES]


def make(lib, name, kwargs, param_cls, tensor, **extra):
    params = [param_cls(tensor(np.ones(2, np.float32))) for _ in LRS]
    opt = lib.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, LRS)], lr=1.0)
    return opt, getattr(lib.optim.lr_scheduler, name)(opt, **kwargs, **extra)


def make_tgl(name, kwargs, **extra):
    return make(tgl, name, kwargs, tgl.nn.Parameter, tgl.tensor, **extra)


def make_torch(torch, name, kwargs, **extra):
    return make(torch, name, kwargs, torch.nn.Parameter, torch.tensor, **extra)


def lrs(opt):
    return [g["lr"] for g in opt.param_groups]


def close(a, b):
    return a == pytest.approx(b, rel=1e-13, abs=1e-15)


@pytest.mark.torch
@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=IDS)
def test_forty_steps_match_torch(torch, name, kwargs):
    opt, sched = make_tgl(name, kwargs)
    ref_opt, ref = make_torch(torch, name, kwargs)
    assert [g["initial_lr"] for g in opt.param_groups] == list(LRS)
    assert close(sched.get_last_lr(), ref.get_last_lr())
    for epoch in range(40):
        opt.step()
        ref_opt.step()
        sched.step()
        ref.step()
        assert close(sched.get_last_lr(), ref.get_last_lr()), f"epoch {epoch + 1}"
        assert close(lrs(opt), lrs(ref_opt))
        assert sched.last_epoch == ref.last_epoch == epoch + 1
    mine, theirs = sched.state_dict(), ref.state_dict()
    assert list(mine) == list(theirs)
    for key in theirs:
        if key != "lr_lambdas":
            assert close(mine[key], theirs[key]), key


@pytest.mark.torch
@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=IDS)
def test_resuming_with_last_epoch_matches_torch(torch, name, kwargs):
    """A scheduler created with last_epoch=12 on groups that carry initial_lr."""
    opt, _ = make_tgl(name, kwargs)
    ref_opt, _ = make_torch(torch, name, kwargs)
    for group, ref_group in zip(opt.param_groups, ref_opt.param_groups):
        group["lr"] = ref_group["lr"] = 0.03  # as if restored mid-schedule
    sched = getattr(lr_scheduler, name)(opt, **kwargs, last_epoch=12)
    ref = getattr(torch.optim.lr_scheduler, name)(ref_opt, **kwargs, last_epoch=12)
    for _ in range(15):
        assert close(sched.get_last_lr(), ref.get_last_lr())
        opt.step()
        ref_opt.step()
        sched.step()
        ref.step()


@pytest.mark.torch
@pytest.mark.parametrize("name,kwargs", SCHEDULES[::2], ids=IDS[::2])
def test_deprecated_epoch_argument_uses_the_closed_form_like_torch(torch, name, kwargs):
    opt, sched = make_tgl(name, kwargs)
    ref_opt, ref = make_torch(torch, name, kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in (5, 2, 17):
            opt.step()
            ref_opt.step()
            sched.step(epoch)
            ref.step(epoch)
            assert close(sched.get_last_lr(), ref.get_last_lr())


@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=IDS)
def test_state_dict_round_trip_continues_the_sequence(name, kwargs):
    opt, sched = make_tgl(name, kwargs)
    for _ in range(15):
        opt.step()
        sched.step()
    opt_state, sched_state = opt.state_dict(), sched.state_dict()
    assert sched_state["last_epoch"] == 15 and "optimizer" not in sched_state
    opt2, sched2 = make_tgl(name, kwargs)  # a fresh schedule, then the saved state
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(sched_state)
    for _ in range(20):
        for o, s in ((opt, sched), (opt2, sched2)):
            o.step()
            s.step()
        assert sched2.get_last_lr() == sched.get_last_lr()
        assert lrs(opt2) == lrs(opt)


def test_step_lr_values():
    opt, sched = make_tgl("StepLR", dict(step_size=2, gamma=0.1))
    seen = []
    for _ in range(5):
        seen.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    assert seen == pytest.approx([0.1, 0.1, 0.01, 0.01, 0.001])


def test_cosine_reaches_eta_min_at_t_max_and_comes_back():
    opt, sched = make_tgl("CosineAnnealingLR", dict(T_max=4, eta_min=0.02))
    seen = [sched.get_last_lr()[0]]
    for _ in range(8):
        opt.step()
        sched.step()
        seen.append(sched.get_last_lr()[0])
    closed = [0.02 + (0.1 - 0.02) * (1 + np.cos(np.pi * t / 4)) / 2 for t in range(9)]
    assert seen == pytest.approx(closed, rel=1e-12)
    assert seen[4] == pytest.approx(0.02) and seen[8] == pytest.approx(0.1)


def test_lambda_lr_saves_callable_objects_but_not_functions():
    class Warmup:
        def __init__(self, steps):
            self.steps = steps

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.steps)

    opt, sched = make_tgl("LambdaLR", dict(lr_lambda=[Warmup(4), halve_every_ten]))
    state = sched.state_dict()
    assert state["lr_lambdas"] == [{"steps": 4}, None]
    state["lr_lambdas"][0]["steps"] = 2
    sched.load_state_dict(state)
    assert sched.lr_lambdas[0].steps == 2
    assert "lr_lambdas" in state  # the caller's dict is left whole


def test_scheduler_warns_when_stepped_before_the_optimizer():
    opt, sched = make_tgl("StepLR", dict(step_size=2))
    with pytest.warns(UserWarning, match=r"before `optimizer.step\(\)`"):
        sched.step()
    opt, sched = make_tgl("StepLR", dict(step_size=2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()
    with pytest.warns(UserWarning, match=r"get_last_lr"):
        sched.get_lr()


def test_scheduler_errors():
    opt, _ = make_tgl("StepLR", dict(step_size=2))
    with pytest.raises(TypeError, match=r"list is not an Optimizer"):
        lr_scheduler.StepLR([1, 2], step_size=2)
    with pytest.raises(TypeError, match=r"is not an Optimizer"):
        lr_scheduler.LambdaLR(None, lambda e: 1.0)
    with pytest.raises(ValueError, match=r"Expected 2 lr_lambdas, but got 3"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0] * 3)
    with pytest.raises(TypeError, match=r"lr_lambda must be a function"):
        lr_scheduler.LambdaLR(opt, 0.5)
    with pytest.raises(ValueError, match=r"step_size must be a positive int.*got 0"):
        lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match=r"T_max must be > 0, got 0"):
        lr_scheduler.CosineAnnealingLR(opt, T_max=0)
    with pytest.raises(ValueError, match=r"gamma must be >= 0, got -0.5"):
        lr_scheduler.ExponentialLR(opt, gamma=-0.5)
    fresh = SGD([tgl.nn.Parameter(tgl.ones(2))], lr=0.1)
    with pytest.raises(KeyError, match=r"initial_lr"):
        lr_scheduler.StepLR(fresh, step_size=2, last_epoch=3)
