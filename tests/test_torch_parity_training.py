"""Parity with PyTorch for the training utilities: optimizers, schedulers,
data loading and checkpoint files.

Regression tests for differences found in an audit against torch:

* SGD (momentum with weight_decay or maximize) and RMSprop (centered) on a
  0-d parameter: numpy turns ``-g`` / ``g + wd * p`` of a 0-d array into a
  scalar, so SGD's momentum buffer stopped updating in place (wrong values)
  and centered RMSprop crashed (``np.sqrt(..., out=scalar)``).
* ``tgl.load`` on a protocol 0/1 pickle (or torch's legacy, non-zip format)
  said "not a valid safetensors file" instead of naming it a pickle.
"""
from __future__ import annotations

import os
import pickle

import numpy as np
import pytest

import tinygrad_lite as tgl
import tinygrad_lite.optim  # noqa: F401
from tinygrad_lite.serialization import SerializationError

SHAPES = [(3, 2), (4,), ()]  # the last one is a 0-d parameter (a learnable scalar)
STEPS = 20
TOL = {np.float32: dict(rtol=1e-6, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-12)}

CONFIGS = [
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, maximize=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.05)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1, maximize=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, alpha=0.5, eps=1e-3)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, maximize=True,
                     initial_accumulator_value=0.5)),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw in CONFIGS]


def _data(dtype):
    rng = np.random.default_rng(0)
    start = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(STEPS)]
    return start, grads


def _feed(lib, params, grads):
    for p, g in zip(params, grads):
        p.grad = lib.tensor(g.copy())


def _state_arrays(opt, lib_params):
    """{(param index, key): array} of an optimizer's per-parameter state."""
    out = {}
    for i, p in enumerate(lib_params):
        for key, value in opt.state[p].items():
            if value is not None and hasattr(value, "shape"):
                out[(i, key)] = np.asarray(value.detach().numpy() if hasattr(value, "detach")
                                           else value)
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_optimizers_with_a_0d_parameter_match_torch(torch, name, kw, dtype):
    start, grads = _data(dtype)
    ours = [tgl.tensor(a.copy(), requires_grad=True) for a in start]
    ref = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    opt = getattr(tgl.optim, name)([{"params": ours[:2]}, {"params": ours[2:], "lr": 0.05}],
                                   **kw)
    ref_opt = getattr(torch.optim, name)([{"params": ref[:2]}, {"params": ref[2:], "lr": 0.05}],
                                         **kw)
    for step, gs in enumerate(grads):
        _feed(tgl, ours, gs)
        _feed(torch, ref, gs)
        opt.step()
        ref_opt.step()
        for i, (p, q) in enumerate(zip(ours, ref)):
            assert p.dtype == tgl.tensor(start[i]).dtype and p.shape == tuple(q.shape)
            np.testing.assert_allclose(p.data, q.detach().numpy(), **TOL[dtype],
                                       err_msg=f"{name}{kw}: parameter {i} (shape "
                                               f"{SHAPES[i]}) after step {step + 1}")
    ours_state, ref_state = _state_arrays(opt, ours), _state_arrays(ref_opt, ref)
    assert set(ours_state) == set(ref_state)
    for key, value in ref_state.items():
        assert ours_state[key].shape == value.shape, key
        np.testing.assert_allclose(ours_state[key], value, **TOL[dtype], err_msg=str(key))


def test_sgd_momentum_buffer_of_a_0d_parameter_is_an_array_that_updates(torch):
    """The buffer must be a 0-d array updated in place, as torch's is."""
    p = tgl.tensor(1.0, requires_grad=True)
    q = torch.tensor(1.0, requires_grad=True)
    opt = tgl.optim.SGD([p], lr=0.1, momentum=0.9, maximize=True)
    ref = torch.optim.SGD([q], lr=0.1, momentum=0.9, maximize=True)
    for g in (0.5, -1.0, 2.0):
        p.grad, q.grad = tgl.tensor(g), torch.tensor(g)
        opt.step()
        ref.step()
    buf = opt.state[p]["momentum_buffer"]
    assert isinstance(buf.data, np.ndarray) and buf.shape == ()
    assert buf.item() == pytest.approx(ref.state[q]["momentum_buffer"].item(), rel=1e-6)
    assert p.item() == pytest.approx(q.item(), rel=1e-6)


@pytest.mark.parametrize("name,kw", [CONFIGS[2], CONFIGS[8]], ids=[IDS[2], IDS[8]])
def test_resume_through_a_file_with_a_0d_parameter_matches_torch(torch, tmp_path, name, kw):
    """Save the optimizer's state with tgl.save halfway, load it into a fresh
    optimizer, and finish: the same numbers as torch training straight through."""
    start, grads = _data(np.float64)
    ours = [tgl.tensor(a.copy(), requires_grad=True) for a in start]
    ref = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    opt = getattr(tgl.optim, name)(ours, **kw)
    ref_opt = getattr(torch.optim, name)(ref, **kw)
    for gs in grads[:STEPS // 2]:
        _feed(tgl, ours, gs)
        _feed(torch, ref, gs)
        opt.step()
        ref_opt.step()
    path = tmp_path / "checkpoint.safetensors"
    tgl.save({"params": [p.detach() for p in ours], "optimizer": opt.state_dict()}, path)
    checkpoint = tgl.load(path)
    resumed = [t.clone().requires_grad_() for t in checkpoint["params"]]
    opt2 = getattr(tgl.optim, name)(resumed, lr=123.0)
    opt2.load_state_dict(checkpoint["optimizer"])
    for gs in grads[STEPS // 2:]:
        _feed(tgl, resumed, gs)
        _feed(torch, ref, gs)
        opt2.step()
        ref_opt.step()
    for i, (p, q) in enumerate(zip(resumed, ref)):
        np.testing.assert_allclose(p.data, q.detach().numpy(), **TOL[np.float64],
                                   err_msg=f"parameter {i}")


@pytest.mark.parametrize("protocol", [0, 1])
def test_load_names_a_text_pickle_file(tmp_path, protocol):
    path = tmp_path / f"state_p{protocol}.pkl"
    with open(path, "wb") as f:
        pickle.dump({"weight": [1.0, 2.0]}, f, protocol=protocol)
    with pytest.raises(SerializationError, match=r"is a pickle file") as info:
        tgl.load(path)
    assert os.fspath(path) in str(info.value) and "never unpickles" in str(info.value)


@pytest.mark.parametrize("protocol", [0, 1, 2])
def test_load_names_torch_legacy_format_as_pickle(torch, tmp_path, protocol):
    path = tmp_path / f"legacy_p{protocol}.pt"
    torch.save({"weight": torch.ones(2)}, path, _use_new_zipfile_serialization=False,
               pickle_protocol=protocol)
    with pytest.raises(SerializationError, match=r"is a pickle file") as info:
        tgl.load(path)
    assert os.fspath(path) in str(info.value)
    with pytest.raises(RuntimeError):  # SerializationError is also what torch users catch
        tgl.load(path)


def test_random_bytes_starting_like_a_pickle_are_still_an_error(tmp_path):
    path = tmp_path / "garbage.bin"
    path.write_bytes(b"(" + bytes(range(256)) * 3)
    with pytest.raises(SerializationError, match=r"not a valid safetensors file"):
        tgl.load(path)
