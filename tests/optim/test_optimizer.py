"""Optimizer behaviour that needs no oracle: in-place float32 updates,
zero_grad, parameter groups, state-dict snapshots and round trips."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tgl
import tinygrad_lite.nn  # noqa: F401  (makes tgl.nn available)
import tinygrad_lite.optim  # noqa: F401
from tinygrad_lite.optim import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop, required

from .helpers import TglRun, batches, initial_arrays, train

ALL = [(SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
       (Adam, dict(lr=0.01, amsgrad=True, weight_decay=0.01)),
       (AdamW, dict(lr=0.01)),
       (RMSprop, dict(lr=0.01, momentum=0.9, centered=True)),
       (Adagrad, dict(lr=0.1, lr_decay=0.01))]
ALL_IDS = [cls.__name__ for cls, _ in ALL]


def param(*shape, dtype=np.float32):
    return tgl.nn.Parameter(tgl.tensor(np.ones(shape, dtype)))


@pytest.mark.parametrize("cls,kwargs", ALL, ids=ALL_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_step_updates_in_place_keeping_dtype_and_bumping_version(cls, kwargs, dtype):
    run = TglRun(initial_arrays(dtype))
    opt = cls(run.params, **kwargs)
    arrays = [p.data for p in run.params]
    (x, y), = batches(dtype, 1)
    run.loss(x, y).backward()
    grads = [None if p.grad is None else p.grad.data.copy() for p in run.params]
    versions = [p._version_counter() for p in run.params]
    opt.step()
    for p, array, g, v in zip(run.params, arrays, grads, versions):
        assert p.data is array  # the same memory, updated in place
        assert p.dtype == dtype
        assert p.is_leaf and p.grad_fn is None
        if g is None:
            assert p._version_counter() == v  # skipped
        else:
            assert p._version_counter() == v + 1
            np.testing.assert_array_equal(p.grad.data, g)  # .grad is left untouched
    for entry in opt.state.values():
        for key, value in entry.items():
            assert isinstance(value, tgl.Tensor)
            if key != "step":
                assert value.dtype == dtype


def test_sgd_first_momentum_step_copies_the_gradient():
    p = param(3)
    opt = SGD([p], lr=0.5, momentum=0.9, dampening=0.5)
    p.grad = tgl.tensor([1.0, 2.0, 3.0])
    opt.step()
    # no dampening on the first step: the buffer is the gradient itself
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].data, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(p.data, [0.5, 0.0, -0.5])
    assert opt.state[p]["momentum_buffer"].data is not p.grad.data
    p.grad = tgl.tensor([1.0, 1.0, 1.0])
    opt.step()  # b = 0.9 b + 0.5 g
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].data, [1.4, 2.3, 3.2], rtol=1e-6)


def test_adam_first_step_moves_each_weight_by_lr():
    """With bias correction, step 1 moves every weight by lr * sign(grad)."""
    p = param(4)
    opt = Adam([p], lr=0.1)
    p.grad = tgl.tensor([3.0, -0.5, 1e-3, -20.0])
    opt.step()
    np.testing.assert_allclose(p.data, 1 - 0.1 * np.sign(p.grad.data), rtol=1e-5)
    assert opt.state[p]["step"].item() == 1.0
    assert opt.state[p]["step"].shape == ()


def test_adamw_decays_weights_without_touching_the_moments():
    p = param(2)
    opt = AdamW([p], lr=0.1, weight_decay=0.5)
    p.grad = tgl.tensor([0.0, 0.0])
    opt.step()
    # zero gradient: only the decoupled decay acts, p * (1 - lr * wd)
    np.testing.assert_allclose(p.data, [0.95, 0.95], rtol=1e-6)
    np.testing.assert_array_equal(opt.state[p]["exp_avg"].data, [0.0, 0.0])


def test_parameters_without_grad_are_skipped_and_get_no_state():
    a, b = param(2), param(2)
    opt = Adam([a, b], lr=0.1)
    a.grad = tgl.tensor([1.0, 1.0])
    opt.step()
    np.testing.assert_array_equal(b.data, [1.0, 1.0])
    assert b not in opt.state
    assert list(opt.state_dict()["state"]) == [0]


def test_zero_grad_to_none_or_zeros_in_place():
    p = param(3)
    opt = SGD([p], lr=0.1)
    p.grad = tgl.tensor([1.0, 2.0, 3.0])
    opt.zero_grad()
    assert p.grad is None
    p.grad = tgl.tensor([1.0, 2.0, 3.0])
    grad, array = p.grad, p.grad.data
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad and p.grad.data is array
    np.testing.assert_array_equal(array, [0.0, 0.0, 0.0])
    opt.step()  # a zero gradient is still a step (not skipped); SGD leaves p
    np.testing.assert_array_equal(p.data, [1.0, 1.0, 1.0])


def test_groups_take_their_own_options_and_defaults_fill_the_rest():
    a, b = param(2), param(2)
    opt = SGD([{"params": [a], "lr": 0.0}, {"params": b, "momentum": 0.5}], lr=0.1)
    assert opt.param_groups[0]["momentum"] == 0 and opt.param_groups[1]["lr"] == 0.1
    assert len(opt.param_groups[1]["params"]) == 1 and opt.param_groups[1]["params"][0] is b
    a.grad, b.grad = tgl.tensor([1.0, 1.0]), tgl.tensor([1.0, 1.0])
    opt.step()
    np.testing.assert_array_equal(a.data, [1.0, 1.0])  # lr 0: unchanged
    np.testing.assert_allclose(b.data, [0.9, 0.9])
    assert a not in opt.state and b in opt.state


def test_add_param_group_trains_the_new_group():
    a, b = param(2), param(2)
    opt = Adam([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.2})
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)
    a.grad, b.grad = tgl.tensor([1.0, 1.0]), tgl.tensor([1.0, 1.0])
    opt.step()
    np.testing.assert_allclose(b.data, [0.8, 0.8], rtol=1e-5)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_named_parameters_are_accepted_and_saved():
    a, b = param(2), param(3)
    opt = SGD([("w", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["params"][0] is a
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


@pytest.mark.parametrize("cls,kwargs", ALL, ids=ALL_IDS)
def test_state_dict_round_trip_reproduces_the_trajectory(cls, kwargs):
    """5 steps, save, continue in a fresh optimizer over a copy of the
    model: bit-for-bit the run that never stopped."""
    def groups(params):
        return [{"params": params[:2]}, {"params": params[2:], "lr": kwargs["lr"] / 2}]

    data = batches(np.float32, 10)
    whole = TglRun(initial_arrays(np.float32))
    want = train(whole, cls(groups(whole.params), **kwargs), data)

    first = TglRun(initial_arrays(np.float32))
    opt = cls(groups(first.params), **kwargs)
    train(first, opt, data[:5])
    saved = opt.state_dict()
    resumed = TglRun({str(i): p.data.copy() for i, p in enumerate(first.params)})
    opt2 = cls(groups(resumed.params), **dict(kwargs, lr=999.0))
    opt2.load_state_dict(saved)
    assert [g["lr"] for g in opt2.param_groups] == [kwargs["lr"], kwargs["lr"] / 2]
    got = train(resumed, opt2, data[5:])
    for g_params, w_params in zip(got, want[5:]):
        for g, w in zip(g_params, w_params):
            np.testing.assert_array_equal(g, w)


def test_state_dict_layout_and_snapshot():
    a, b, c = param(2), param(3), param(1)
    opt = SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
    for p in (a, b, c):
        p.grad = tgl.ones_like(p)
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert [g["lr"] for g in sd["param_groups"]] == [0.1, 0.5]
    assert sorted(sd["state"]) == [0, 1, 2]
    assert list(sd["state"][1]) == ["momentum_buffer"]
    assert isinstance(sd["state"][1]["momentum_buffer"], tgl.Tensor)
    before = sd["state"][0]["momentum_buffer"].data.copy()
    opt.step()  # the saved dict is a snapshot: later steps do not change it
    np.testing.assert_array_equal(sd["state"][0]["momentum_buffer"].data, before)
    assert not np.array_equal(opt.state[a]["momentum_buffer"].data, before)


def test_load_state_dict_copies_and_casts():
    a = param(3, dtype=np.float64)
    opt = Adam([a], lr=0.1)
    sd = {"state": {"0": {"step": 4.0, "exp_avg": np.ones(3, np.float32),
                          "exp_avg_sq": tgl.ones(3)}},
          "param_groups": [{"lr": 0.2, "betas": [0.8, 0.9], "eps": 1e-8, "weight_decay": 0,
                            "amsgrad": False, "maximize": False, "params": [0]}]}
    opt.load_state_dict(sd)  # keys as strings and numbers as plain values, as from a file
    state = opt.state[a]
    assert isinstance(state["step"], tgl.Tensor) and state["step"].item() == 4.0
    assert state["exp_avg"].dtype == np.float64 and state["exp_avg_sq"].dtype == np.float64
    assert opt.param_groups[0]["lr"] == 0.2 and opt.param_groups[0]["foreach"] is None
    a.grad = tgl.ones(3, dtype=tgl.float64)
    opt.step()
    np.testing.assert_array_equal(sd["state"]["0"]["exp_avg"], np.ones(3))  # not aliased
    assert state["step"].item() == 5.0


def test_adagrad_creates_state_up_front_from_the_constructor_value():
    a, b = param(2), param(2)
    opt = Adagrad([{"params": [a]}, {"params": [b], "initial_accumulator_value": 5.0}],
                  initial_accumulator_value=0.5)
    # as PyTorch: every group starts from the constructor's value
    np.testing.assert_array_equal(opt.state[b]["sum"].data, [0.5, 0.5])
    assert opt.state[a]["step"].item() == 0.0


def test_user_defined_optimizer_subclass():
    class PlainSGD(Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, {"lr": lr})

        def step(self, closure=None):
            loss = self._run_closure(closure)
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.data -= group["lr"] * p.grad.data
            return loss

    a, b = param(2), param(2)
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        PlainSGD([{"params": [a]}])
    opt = PlainSGD([{"params": [a], "lr": 0.5}, {"params": [b], "lr": 0.25}])
    a.grad, b.grad = tgl.ones(2), tgl.ones(2)
    assert opt.step(lambda: 7) == 7
    np.testing.assert_array_equal(a.data, [0.5, 0.5])
    np.testing.assert_array_equal(b.data, [0.75, 0.75])


def test_repr_lists_groups():
    opt = SGD([param(2)], lr=0.1)
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0\n") and "    lr: 0.1\n" in text


@pytest.mark.skipif(not hasattr(tgl, "save"), reason="tgl.save is not available")
def test_state_dict_survives_tgl_save_and_load(tmp_path):
    """Optimizer and scheduler state written with tgl.save (safetensors) and
    read back resume the run exactly."""
    data = batches(np.float32, 8)
    whole = TglRun(initial_arrays(np.float32))
    opt = Adam(whole.params, lr=0.01, amsgrad=True)
    sched = tgl.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    want = train(whole, opt, data, sched)

    first = TglRun(initial_arrays(np.float32))
    opt = Adam(first.params, lr=0.01, amsgrad=True)
    sched = tgl.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    train(first, opt, data[:3], sched)
    tgl.save(opt.state_dict(), tmp_path / "opt.safetensors")
    tgl.save(sched.state_dict(), tmp_path / "sched.safetensors")

    resumed = TglRun({str(i): p.data.copy() for i, p in enumerate(first.params)})
    opt2 = Adam(resumed.params)
    sched2 = tgl.optim.lr_scheduler.StepLR(opt2, step_size=2, gamma=0.5)
    opt2.load_state_dict(tgl.load(tmp_path / "opt.safetensors"))
    sched2.load_state_dict(tgl.load(tmp_path / "sched.safetensors"))
    got = train(resumed, opt2, data[3:], sched2)
    for g_params, w_params in zip(got, want[3:]):
        for g, w in zip(g_params, w_params):
            np.testing.assert_array_equal(g, w)


def test_scheduler_does_not_keep_the_optimizer_alive_through_a_cycle():
    import weakref
    p = param(2)
    opt = SGD([p], lr=0.1)
    sched = tgl.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    ref = weakref.ref(opt)
    del opt, sched
    assert ref() is None  # freed by reference counting, no garbage cycle
