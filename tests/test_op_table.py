"""Every entry of the op table through the same checks (see op_table/spec.py).

A broken forward, backward or double backward in any operation fails here,
and so does a differentiable operation that has no entry at all.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import tinygrad_lite as tgl
from tinygrad_lite.autograd.engine import topological_order
from tinygrad_lite.autograd.function import Function, Op
from tinygrad_lite.autograd.gradcheck import gradcheck, gradgradcheck
from op_table import ENTRIES, Const, OpEntry, Sample

_EXAMPLES = settings().max_examples
ids = [e.name for e in ENTRIES]


def _prepare(sample: Sample, dtype=np.float64) -> tuple:
    """(call args, differentiable tensors, their positions)."""
    args, diff, where = [], [], []
    for i, a in enumerate(sample.args):
        if isinstance(a, Const):
            v = a.value
            args.append(tgl.Tensor(v) if isinstance(v, np.ndarray) else v)
        elif isinstance(a, np.ndarray):
            t = tgl.Tensor(a.astype(dtype), requires_grad=True)
            args.append(t)
            diff.append(t)
            where.append(i)
        else:
            args.append(a)
    return args, diff, where


def _of_diff(entry: OpEntry, sample: Sample, args: list, where: list):
    """entry.fn as a function of its differentiable inputs only."""
    def fn(*tensors):
        full = list(args)
        for i, t in zip(where, tensors):
            full[i] = t
        return entry.fn(*full, **sample.kwargs)
    return fn


def _outputs(result) -> list:
    return list(result) if isinstance(result, (tuple, list)) else [result]


@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
@given(data=st.data())
def test_forward_matches_reference(entry: OpEntry, data) -> None:
    if entry.reference is None:
        pytest.skip("no numpy reference (checked against PyTorch instead)")
    sample = data.draw(entry.inputs, label="sample")
    args, _, _ = _prepare(sample)
    got = _outputs(entry.fn(*args, **sample.kwargs))
    raw = [a.value if isinstance(a, Const) else a for a in sample.args]
    want = _outputs(entry.reference(*raw, **sample.kwargs))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        w = np.asarray(w)
        assert g.shape == w.shape, f"{entry.name}: shape {g.shape} != reference {w.shape}"
        np.testing.assert_allclose(g.data, w, rtol=entry.ref_rtol, atol=entry.ref_atol,
                                   err_msg=f"{entry.name} forward differs from numpy")


@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
@settings(max_examples=max(4, _EXAMPLES // 2))
@given(data=st.data())
def test_gradient_matches_finite_differences(entry: OpEntry, data) -> None:
    sample = data.draw(entry.inputs, label="sample")
    args, diff, where = _prepare(sample)
    assert diff, f"{entry.name}: the sample has no differentiable input"
    assert gradcheck(_of_diff(entry, sample, args, where), tuple(diff),
                     atol=entry.atol, rtol=entry.rtol)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.gradgrad],
                         ids=[e.name for e in ENTRIES if e.gradgrad])
@settings(max_examples=max(3, _EXAMPLES // 5))
@given(data=st.data())
def test_second_derivative_matches_finite_differences(entry: OpEntry, data) -> None:
    sample = data.draw(entry.inputs, label="sample")
    args, diff, where = _prepare(sample)
    assert gradgradcheck(_of_diff(entry, sample, args, where), tuple(diff),
                         atol=entry.atol, rtol=entry.rtol)


def _to_torch(torch, value, dtype):
    if isinstance(value, Const):
        v = value.value
        return torch.from_numpy(np.array(v)) if isinstance(v, np.ndarray) else v
    if isinstance(value, np.ndarray):
        return torch.tensor(value.astype(dtype), requires_grad=True)
    return value


@pytest.mark.torch
@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.torch_fn],
                         ids=[e.name for e in ENTRIES if e.torch_fn])
@settings(max_examples=max(4, _EXAMPLES // 2))
@given(data=st.data())
def test_matches_pytorch(entry: OpEntry, data, torch) -> None:
    """Values and gradients against PyTorch, in float64 and float32."""
    sample = data.draw(entry.inputs, label="sample")
    for dtype, rtol, atol in ((np.float64, 1e-7, 1e-9), (np.float32, 2e-4, 2e-5)):
        args, diff, _ = _prepare(sample, dtype)
        targs = [_to_torch(torch, a, dtype) for a in sample.args]
        got = _outputs(entry.fn(*args, **sample.kwargs))
        want = _outputs(entry.torch_fn(torch, *targs, **sample.kwargs))
        assert len(got) == len(want), f"{entry.name}: number of outputs"
        rng = np.random.default_rng(1)
        ours, theirs = [], []
        for g, w in zip(got, want):
            w_np = w.detach().numpy()
            assert g.shape == tuple(w_np.shape), f"{entry.name}: shape {g.shape} vs torch {w_np.shape}"
            assert g.dtype == w_np.dtype, f"{entry.name}: dtype {g.dtype} vs torch {w_np.dtype}"
            np.testing.assert_allclose(g.data, w_np, rtol=rtol, atol=atol, equal_nan=True,
                                       err_msg=f"{entry.name} ({np.dtype(dtype).name}) values")
            if g.requires_grad and w.requires_grad:
                up = rng.standard_normal(g.shape).astype(g.dtype)
                ours.append((g * tgl.Tensor(up)).sum())
                theirs.append((w * torch.from_numpy(up)).sum())
        if not ours:
            continue
        sum(ours[1:], ours[0]).backward()
        sum(theirs[1:], theirs[0]).backward()
        tdiff = [t for t in targs if isinstance(t, torch.Tensor) and t.requires_grad]
        for k, (mine, ref) in enumerate(zip(diff, tdiff)):
            if ref.grad is None:
                assert mine.grad is None or not mine.grad.data.any(), \
                    f"{entry.name}: input {k} got a gradient but PyTorch gives none"
                continue
            assert mine.grad is not None, f"{entry.name}: input {k} got no gradient"
            np.testing.assert_allclose(mine.grad.data, ref.grad.numpy(), rtol=rtol * 10,
                                       atol=atol * 10, equal_nan=True,
                                       err_msg=f"{entry.name} ({np.dtype(dtype).name}) grad {k}")


def _library_ops() -> set:
    found, stack = set(), [Function]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("tinygrad_lite.") and "forward" in sub.__dict__:
                found.add(sub)
    return found


def _ops_reached(entry: OpEntry) -> set:
    # the first generated sample is enough; shrinking it costs seconds per entry
    sample = find(entry.inputs, lambda s: True, settings=settings(
        phases=[Phase.generate], database=None, derandomize=True, max_examples=10))
    args, diff, _ = _prepare(sample)
    outs = [o for o in _outputs(entry.fn(*args, **sample.kwargs)) if o.grad_fn is not None]
    reached = {type(n) for n in topological_order([o.grad_fn for o in outs])}
    if outs and entry.gradgrad:
        grads = tgl.autograd.grad([o.sum() for o in outs], diff, create_graph=True,
                                  allow_unused=True)
        roots = [g.grad_fn for g in grads if g is not None and g.grad_fn is not None]
        reached |= {type(n) for n in topological_order(roots)}
    return reached


def test_every_differentiable_op_has_an_entry() -> None:
    covered: set = set()
    for entry in ENTRIES:
        covered |= _ops_reached(entry)
    missing = sorted(cls.__module__ + "." + cls.__name__
                     for cls in _library_ops() - covered if cls is not Op)
    assert not missing, f"operations without an op-table entry: {missing}"
