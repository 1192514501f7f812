"""Deterministic comparisons with PyTorch where the property tests of the op
table look away on purpose: kinks, ties, zeros, infinities, huge inputs,
empty and 0-d tensors. Values and gradients (and second derivatives where
they are defined) must match PyTorch in float32 and float64.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_lite as tgl

DTYPES = [np.float32, np.float64]


def _upstream(shape: tuple, dtype, reverse: bool = False) -> np.ndarray:
    """A fixed, non-uniform gradient from above (so that a wrong split of
    the gradient between elements shows up)."""
    n = int(np.prod(shape, dtype=np.int64))
    ends = (1.5, 0.5) if reverse else (0.5, 1.5)
    return np.linspace(*ends, n).reshape(shape).astype(dtype)


def _assert_close(ours, theirs, what: str, dtype) -> None:
    theirs = theirs.numpy(force=True)  # (force: materializes a ZeroTensor too)
    ours = ours.data if isinstance(ours, tgl.Tensor) else ours
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} vs PyTorch {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{what}: dtype {ours.dtype} vs PyTorch {theirs.dtype}"
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol, equal_nan=True,
                               err_msg=f"{what} differs from PyTorch")


def cases(rows: list) -> list:
    """Parametrize rows ``(name, ...)`` with the name as the test id."""
    return [pytest.param(*row, id=row[0]) for row in rows]


def _as_list(out) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def compare(torch, fn, torch_fn, *values, dtypes=DTYPES, second: bool = False) -> None:
    """fn(*tensors) against torch_fn(torch, *tensors): outputs, gradients
    for every input and, with `second`, second derivatives (the gradient
    of sum(first gradients * weights))."""
    for dtype in dtypes:
        xs = [tgl.tensor(np.array(v, dtype=dtype), requires_grad=True) for v in values]
        ts = [torch.tensor(np.array(v, dtype=dtype), requires_grad=True) for v in values]
        outs, touts = _as_list(fn(*xs)), _as_list(torch_fn(torch, *ts))
        assert len(outs) == len(touts)
        for k, (o, t) in enumerate(zip(outs, touts)):
            if t.dtype == torch.int64:  # indices
                assert o.dtype == np.int64 and o.tolist() == t.tolist(), f"indices {k}"
            else:
                _assert_close(o, t, f"output {k} ({np.dtype(dtype).name})", dtype)
        pairs = [(o, t) for o, t in zip(outs, touts) if t.requires_grad]
        if not pairs:
            continue
        ups = [_upstream(tuple(t.shape), dtype) for _, t in pairs]
        grads = tgl.autograd.grad([o for o, _ in pairs], xs, [tgl.tensor(u) for u in ups],
                                  create_graph=second, allow_unused=True)
        tgrads = torch.autograd.grad([t for _, t in pairs], ts,
                                     [torch.from_numpy(u) for u in ups],
                                     create_graph=second, allow_unused=True)
        for i, (g, tg) in enumerate(zip(grads, tgrads)):
            if tg is None:
                assert g is None or not g.data.any(), f"input {i}: PyTorch gives no gradient"
                continue
            assert g is not None, f"input {i} got no gradient"
            _assert_close(g, tg, f"gradient {i} ({np.dtype(dtype).name})", dtype)
        if second:
            _compare_second(torch, xs, ts, grads, tgrads, dtype)


def _compare_second(torch, xs, ts, grads, tgrads, dtype) -> None:
    live = [(g, tg) for g, tg in zip(grads, tgrads)
            if tg is not None and tg.requires_grad and g is not None and g.requires_grad]
    if not live:
        return
    ws = [_upstream(tuple(tg.shape), dtype, reverse=True) for _, tg in live]
    total = sum(((g * tgl.tensor(w)).sum() for (g, _), w in zip(live, ws)), tgl.tensor(0.0))
    ttotal = sum((tg * torch.from_numpy(w)).sum() for (_, tg), w in zip(live, ws))
    second = tgl.autograd.grad(total, xs, allow_unused=True)
    tsecond = torch.autograd.grad(ttotal, ts, allow_unused=True)
    for i, (g, tg) in enumerate(zip(second, tsecond)):
        if tg is None:
            assert g is None or not g.data.any(), f"second derivative {i}: PyTorch gives none"
        else:
            assert g is not None, f"second derivative {i} missing"
            _assert_close(g, tg, f"second derivative {i} ({np.dtype(dtype).name})", dtype)


# ------------------------------------------------------------------ kinks
KINKS = [-1.5, 0.0, 2.0, 0.5, 3.0, -0.0]


@pytest.mark.torch
@pytest.mark.parametrize("name, fn, tfn", cases([
    ("relu", lambda x: x.relu(), lambda torch, x: x.relu()),
    ("abs", lambda x: x.abs(), lambda torch, x: x.abs()),
    ("leaky_relu", lambda x: x.leaky_relu(),
     lambda torch, x: torch.nn.functional.leaky_relu(x)),
    ("leaky_relu(0.2)", lambda x: tgl.leaky_relu(x, 0.2),
     lambda torch, x: torch.nn.functional.leaky_relu(x, 0.2)),
    ("clamp(0, 2)", lambda x: x.clamp(0.0, 2.0), lambda torch, x: x.clamp(0.0, 2.0)),
    ("clamp(min=0)", lambda x: x.clamp(min=0.0), lambda torch, x: x.clamp(min=0.0)),
    ("clamp(max=2)", lambda x: x.clamp(max=2), lambda torch, x: x.clamp(max=2)),
    ("clamp(2, 0) (min > max)", lambda x: x.clamp(2.0, 0.0), lambda torch, x: x.clamp(2.0, 0.0)),
    ("clamp(0.5, 0.5)", lambda x: x.clamp(0.5, 0.5), lambda torch, x: x.clamp(0.5, 0.5)),
]))
def test_kinks_and_clamp_bounds(torch, name, fn, tfn) -> None:
    compare(torch, fn, tfn, KINKS, second=True)


@pytest.mark.torch
def test_clamp_with_tensor_bounds_at_ties(torch) -> None:
    """x on a bound keeps the gradient; a bound gets it where it is the
    result; where min > max, max wins (all as PyTorch)."""
    x = [-1.0, 0.0, 2.0, 0.0, 5.0, 3.0, 0.0]
    lo = [0.0, 0.0, 0.0, 1.0, 5.0, 1.0, 1.0]
    hi = [2.0, 2.0, 2.0, 0.0, 5.0, 2.0, 1.0]
    compare(torch, lambda a, b, c: a.clamp(b, c), lambda torch, a, b, c: a.clamp(b, c),
            x, lo, hi, second=True)
    compare(torch, lambda a, b: a.clamp(min=b), lambda torch, a, b: a.clamp(min=b), x, lo)
    compare(torch, lambda a, c: tgl.clamp(a, max=c), lambda torch, a, c: torch.clamp(a, max=c),
            x, hi)


@pytest.mark.torch
def test_clamp_broadcasts_tensor_bounds(torch) -> None:
    compare(torch, lambda a, b, c: a.clamp(b, c), lambda torch, a, b, c: a.clamp(b, c),
            [[-1.0, 0.5, 3.0], [0.0, 1.0, 2.0]], [0.0, 0.5, 1.0], [[2.0], [1.0]])


# ------------------------------------------------------------------- ties
TIES = [[1.0, 3.0, 3.0, -2.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 0.0, -1.0, -5.0]]


@pytest.mark.torch
@pytest.mark.parametrize("name, fn, tfn", cases([
    ("amax(1)", lambda x: x.amax(1), lambda torch, x: x.amax(1)),
    ("amax()", lambda x: x.amax(), lambda torch, x: x.amax()),
    ("amax(0, keepdim)", lambda x: x.amax(0, keepdim=True),
     lambda torch, x: x.amax(0, keepdim=True)),
    ("amin(1)", lambda x: x.amin(1), lambda torch, x: x.amin(1)),
    ("amin((0, 1))", lambda x: x.amin((0, 1)), lambda torch, x: x.amin((0, 1))),
    ("max()", lambda x: x.max(), lambda torch, x: x.max()),
    ("min()", lambda x: x.min(), lambda torch, x: x.min()),
    ("max(1)", lambda x: tuple(x.max(1)), lambda torch, x: tuple(x.max(1))),
    ("max(0, keepdim)", lambda x: tuple(x.max(0, keepdim=True)),
     lambda torch, x: tuple(x.max(0, keepdim=True))),
    ("min(1)", lambda x: tuple(x.min(1)), lambda torch, x: tuple(x.min(1))),
    ("min(-1, keepdim)", lambda x: tuple(x.min(-1, keepdim=True)),
     lambda torch, x: tuple(x.min(-1, keepdim=True))),
]))
def test_reductions_with_ties(torch, name, fn, tfn) -> None:
    """amax/amin/max()/min() split the gradient evenly among tied maxima;
    max(dim)/min(dim) send it to the returned index (the first one)."""
    compare(torch, fn, tfn, TIES, second=True)


def test_max_dim_returns_first_index_on_ties() -> None:
    x = tgl.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    values, indices = x.max(1)
    assert indices.tolist() == [1, 0]
    values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    y = tgl.tensor([[2.0, 2.0, 2.0]], requires_grad=True)
    y.amax().backward()
    np.testing.assert_allclose(y.grad.data, [[1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("name, fn, tfn", cases([
    ("maximum", lambda a, b: a.maximum(b), lambda torch, a, b: a.maximum(b)),
    ("minimum", lambda a, b: tgl.minimum(a, b), lambda torch, a, b: torch.minimum(a, b)),
    ("max(other)", lambda a, b: a.max(b), lambda torch, a, b: a.max(b)),
]))
def test_elementwise_extremes_with_ties(torch, name, fn, tfn) -> None:
    """Half the gradient to each side where the two are equal."""
    compare(torch, fn, tfn, [1.0, 2.0, 3.0, 0.0], [1.0, 5.0, 3.0, -0.0], second=True)
    compare(torch, fn, tfn, [[1.0], [2.0]], [1.0, 2.0, 3.0])  # broadcast ties


# ------------------------------------------------------------------ zeros
@pytest.mark.torch
@pytest.mark.parametrize("values", [
    [2.0, 0.0, 3.0], [2.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0], [-2.0, 0.5, 4.0]])
def test_prod_with_zeros(torch, values) -> None:
    compare(torch, lambda x: x.prod(), lambda torch, x: x.prod(), values, second=True)


@pytest.mark.torch
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_prod_dim_with_zeros(torch, dim) -> None:
    rows = [[2.0, 0.0, 3.0], [0.0, 0.0, 1.5], [1.0, -2.0, 0.5]]
    compare(torch, lambda x: x.prod(dim), lambda torch, x: x.prod(dim), rows, second=True)
    compare(torch, lambda x: x.prod(dim, keepdim=True),
            lambda torch, x: x.prod(dim, keepdim=True), rows, second=True)


@pytest.mark.torch
@pytest.mark.parametrize("name, fn, tfn", cases([
    ("sqrt", lambda x: x.sqrt(), lambda torch, x: x.sqrt()),
    ("log", lambda x: x.log(), lambda torch, x: x.log()),
    ("log1p", lambda x: x.log1p(), lambda torch, x: x.log1p()),
    ("reciprocal", lambda x: x.reciprocal(), lambda torch, x: x.reciprocal()),
    ("pow(0.5)", lambda x: x ** 0.5, lambda torch, x: x ** 0.5),
    ("pow(0)", lambda x: x ** 0, lambda torch, x: x ** 0),
    ("pow(2)", lambda x: x ** 2, lambda torch, x: x ** 2),
]))
def test_singular_points(torch, name, fn, tfn) -> None:
    """sqrt(0), log(0), log1p(-1), 1/0: infinite values and gradients as
    PyTorch, no exception."""
    point = -1.0 if name == "log1p" else 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # numpy must not warn either
        compare(torch, fn, tfn, [point, 1.0, 4.0])


@pytest.mark.torch
def test_pow_with_zero_base_and_tensor_exponent(torch) -> None:
    compare(torch, lambda a, b: a ** b, lambda torch, a, b: a ** b,
            [0.0, 0.0, 0.0, 2.0, 2.0], [0.0, 1.0, 2.0, 0.0, -1.0])


# ------------------------------------------------------------- infinities
@pytest.mark.torch
@pytest.mark.parametrize("values", [
    [-np.inf, 1.0, 2.0], [-np.inf, -np.inf], [-np.inf], [[-np.inf, 0.0], [-np.inf, -np.inf]],
    [np.inf, 1.0]])
def test_logsumexp_with_infinities(torch, values) -> None:
    compare(torch, lambda x: x.logsumexp(-1), lambda torch, x: x.logsumexp(-1), values)


@pytest.mark.torch
@pytest.mark.parametrize("name, fn, tfn", cases([
    ("sigmoid", lambda x: x.sigmoid(), lambda torch, x: x.sigmoid()),
    ("softplus", lambda x: x.softplus(), lambda torch, x: torch.nn.functional.softplus(x)),
    ("softplus(beta=0.5)", lambda x: x.softplus(beta=0.5),
     lambda torch, x: torch.nn.functional.softplus(x, beta=0.5)),
    ("logsumexp", lambda x: x.logsumexp(0), lambda torch, x: x.logsumexp(0)),
    ("tanh", lambda x: x.tanh(), lambda torch, x: x.tanh()),
    ("gelu", lambda x: x.gelu(), lambda torch, x: torch.nn.functional.gelu(x)),
    ("gelu(tanh)", lambda x: x.gelu(approximate="tanh"),
     lambda torch, x: torch.nn.functional.gelu(x, approximate="tanh")),
    ("exp", lambda x: x.exp(), lambda torch, x: x.exp()),
    ("expm1", lambda x: x.expm1(), lambda torch, x: x.expm1()),
    ("erf (via gelu backward)", lambda x: tgl.ops.dual.erf(x), lambda torch, x: torch.erf(x)),
]))
def test_large_inputs_do_not_overflow(torch, name, fn, tfn) -> None:
    """|x| = 1e4 in float32: finite where PyTorch is finite, no numpy
    overflow warnings, gradients as PyTorch."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        compare(torch, fn, tfn, [-1e4, 1e4, 0.0, -80.0, 80.0])
    x = tgl.tensor([-1e4, 1e4], requires_grad=True)
    if name in ("sigmoid", "softplus", "logsumexp", "tanh", "gelu", "gelu(tanh)"):
        y = fn(x)
        assert np.isfinite(y.data).all(), f"{name} overflowed: {y}"
        y.sum().backward()
        assert np.isfinite(x.grad.data).all(), f"{name} gradient overflowed: {x.grad}"


@pytest.mark.torch
@pytest.mark.parametrize("name", ["tanh", "sigmoid", "exp", "relu", "sin", "log"])
def test_infinite_and_nan_upstream_gradients_propagate_as_in_torch(torch, name) -> None:
    # How a backward formula is written decides this: g * (1 - y*y) keeps an
    # infinite g infinite where g - g*y*y would turn it into nan.
    values = [0.5, 2.0, 0.25, 3.0]
    upstream = [np.inf, -np.inf, np.nan, 1.0]
    x = tgl.tensor(values, requires_grad=True)
    getattr(x, name)().backward(tgl.tensor(upstream))
    tx = torch.tensor(values, requires_grad=True)
    getattr(tx, name)().backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5)  # inf, nan equal


# --------------------------------------------------------------- var, std
@pytest.mark.torch
@pytest.mark.parametrize("correction", [0, 1])
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_of_one_element(torch, name, correction) -> None:
    """correction=1 gives nan (0/0) as PyTorch; correction=0 gives 0 with a
    zero gradient (also for std, whose derivative at 0 PyTorch sets to 0)."""
    for dims in ({}, {"dim": 0}, {"dim": 1, "keepdim": True}):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            compare(torch, lambda x: getattr(x, name)(correction=correction, **dims),
                    lambda torch, x: getattr(x, name)(correction=correction, **dims), [[3.0]])
        ours = [w for w in caught if str(w.message).startswith("var/std: degrees of freedom")]
        assert bool(ours) == (correction == 1), "a warning exactly when n - correction <= 0"


@pytest.mark.torch
def test_std_of_constant_has_zero_gradient(torch) -> None:
    compare(torch, lambda x: x.std(1), lambda torch, x: x.std(1),
            [[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]], second=True)


# ------------------------------------------------------------------ empty
EMPTY = np.zeros((0, 3))


@pytest.mark.torch
@pytest.mark.parametrize("name, fn, tfn", cases([
    ("sum()", lambda x: x.sum(), lambda torch, x: x.sum()),
    ("sum(0)", lambda x: x.sum(0), lambda torch, x: x.sum(0)),
    ("sum(1)", lambda x: x.sum(1), lambda torch, x: x.sum(1)),
    ("mean()", lambda x: x.mean(), lambda torch, x: x.mean()),
    ("mean(0)", lambda x: x.mean(0), lambda torch, x: x.mean(0)),
    ("mean(1, keepdim)", lambda x: x.mean(1, keepdim=True),
     lambda torch, x: x.mean(1, keepdim=True)),
    ("amax(1)", lambda x: x.amax(1), lambda torch, x: x.amax(1)),
    ("amin(-1)", lambda x: x.amin(-1), lambda torch, x: x.amin(-1)),
    ("max(1)", lambda x: tuple(x.max(1)), lambda torch, x: tuple(x.max(1))),
    ("prod()", lambda x: x.prod(), lambda torch, x: x.prod()),
    ("prod(0)", lambda x: x.prod(0), lambda torch, x: x.prod(0)),
    ("logsumexp(0)", lambda x: x.logsumexp(0), lambda torch, x: x.logsumexp(0)),
    ("logsumexp(1)", lambda x: x.logsumexp(1), lambda torch, x: x.logsumexp(1)),
    ("var(0)", lambda x: x.var(0), lambda torch, x: x.var(0)),
]))
def test_empty_tensors_through_reductions(torch, name, fn, tfn) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns about var of nothing
        compare(torch, fn, tfn, EMPTY)


@pytest.mark.torch
@pytest.mark.parametrize("name, call, error", [
    pytest.param("amax", lambda x: x.amax(), RuntimeError, id="amax()"),
    pytest.param("amax", lambda x: x.amax(0), IndexError, id="amax(0)"),
    pytest.param("amin", lambda x: x.amin((0, 1)), IndexError, id="amin((0, 1))"),
    pytest.param("max", lambda x: x.max(), RuntimeError, id="max()"),
    pytest.param("max", lambda x: x.max(0), IndexError, id="max(0)"),
    pytest.param("min", lambda x: x.min(), RuntimeError, id="min()"),
    pytest.param("argmax", lambda x: x.argmax(), IndexError, id="argmax()"),
])
def test_extremes_of_nothing_raise_like_pytorch(torch, name, call, error) -> None:
    """The maximum of an empty set is undefined: an error of PyTorch's type
    whose message names the operation and the shape."""
    with pytest.raises(error):
        call(torch.zeros(0, 3))
    with pytest.raises(error) as info:
        call(tgl.zeros(0, 3, requires_grad=True))
    message = str(info.value)
    assert name in message and "(0, 3)" in message, message


# ---------------------------------------------------------- size-1 dims
@pytest.mark.torch
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp", "prod", "max",
                                  "min"])
def test_reductions_over_size_one_dims(torch, name, keepdim) -> None:
    def fn(x):
        out = getattr(x, name)(1, keepdim=keepdim)
        return tuple(out) if name in ("max", "min") else out

    compare(torch, fn, lambda torch, x: fn(x), [[[1.5, -2.0]], [[0.0, 3.0]]], second=True)


@pytest.mark.torch
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_over_size_one_dims(torch, name) -> None:
    x = [[[1.5, -2.0]], [[0.0, 3.0]]]
    compare(torch, lambda t: getattr(t, name)((1, 2), correction=0),
            lambda torch, t: getattr(t, name)((1, 2), correction=0), x, second=True)
    compare(torch, lambda t: getattr(t, name)(1, correction=0, keepdim=True),
            lambda torch, t: getattr(t, name)(1, correction=0, keepdim=True), x)


# ------------------------------------------------------------------- 0-d
REDUCTIONS = ["sum", "mean", "amax", "amin", "logsumexp", "prod", "var", "std"]


@pytest.mark.torch
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("name", REDUCTIONS + ["max", "min"])
def test_zero_dim_tensors_through_reductions(torch, name, dim, keepdim) -> None:
    def fn(x):
        kwargs = {"correction": 0} if name in ("var", "std") else {}
        out = getattr(x, name)(dim, keepdim=keepdim, **kwargs)
        return tuple(out) if name in ("max", "min") else out

    compare(torch, fn, lambda torch, x: fn(x), 2.5, second=True)


@pytest.mark.torch
@pytest.mark.parametrize("name", REDUCTIONS + ["max", "min"])
def test_zero_dim_tensors_reduced_entirely(torch, name) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns: var of one element
        compare(torch, lambda x: getattr(x, name)() if name != "logsumexp" else x.logsumexp(()),
                lambda torch, x: getattr(x, name)() if name != "logsumexp" else
                x.logsumexp(()), -1.25)


@pytest.mark.torch
@pytest.mark.parametrize("dim", [0, -1])
def test_zero_dim_argmax_argmin(torch, dim) -> None:
    for name in ("argmax", "argmin"):
        ours = getattr(tgl.tensor(2.5), name)(dim)
        theirs = getattr(torch.tensor(2.5), name)(dim)
        assert ours.shape == tuple(theirs.shape) and ours.item() == theirs.item()
        assert ours.dtype == tgl.int64


# ---------------------------------------------------------------- indexing
@pytest.mark.torch
@pytest.mark.parametrize("index", [
    [0, 0, 2, 0], [-1, 2, 2], [[0, 1], [1, 1]]])
def test_getitem_with_repeated_indices_accumulates(torch, index) -> None:
    compare(torch, lambda x: x[tgl.tensor(index)], lambda torch, x: x[torch.tensor(index)],
            [1.0, 2.0, 3.0], second=True)
    compare(torch, lambda x: x[:, index], lambda torch, x: x[:, index],
            [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], second=True)


def test_getitem_repeated_gradient_counts_occurrences() -> None:
    x = tgl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0, -3]].sum().backward()
    assert x.grad.tolist() == [4.0, 0.0, 1.0]


@pytest.mark.torch
@pytest.mark.parametrize("mask_shape", [(2, 3), (2,)])
def test_boolean_mask_all_false(torch, mask_shape) -> None:
    """The result is empty and the gradient is all zeros of x's shape."""
    mask = np.zeros(mask_shape, bool)
    x = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    compare(torch, lambda t: t[tgl.tensor(mask)], lambda torch, t: t[torch.from_numpy(mask)], x)
    t = tgl.tensor(x, requires_grad=True)
    t[tgl.tensor(mask)].sum().backward()
    assert t.grad.shape == (2, 3) and not t.grad.data.any()


@pytest.mark.torch
def test_boolean_mask_mixed_with_slices(torch) -> None:
    mask = np.array([True, False, True])
    x = np.arange(12.0).reshape(2, 3, 2)
    compare(torch, lambda t: t[:, tgl.tensor(mask), 1], lambda torch, t: t[:, torch.from_numpy(
        mask), 1], x, second=True)


@pytest.mark.torch
def test_negative_slice_steps_are_rejected_like_pytorch(torch) -> None:
    with pytest.raises(ValueError):
        torch.zeros(3)[::-1]
    with pytest.raises(ValueError, match="flip"):
        tgl.zeros(3)[::-1]


# ------------------------------------------------------------------- casts
@pytest.mark.torch
def test_cast_between_float_dtypes_double_backward(torch) -> None:
    """.to(float32) and .double() pass gradients (cast back to the input's
    dtype) through first and second derivatives."""
    compare(torch, lambda x: x.to(tgl.float32) ** 3, lambda torch, x: x.to(torch.float32) ** 3,
            [0.5, -1.25, 2.0], dtypes=[np.float64], second=True)
    compare(torch, lambda x: x.double() ** 3, lambda torch, x: x.double() ** 3,
            [0.5, -1.25, 2.0], dtypes=[np.float32], second=True)


def test_cast_gradient_has_the_input_dtype() -> None:
    x = tgl.tensor([1.0, 2.0], dtype=tgl.float64, requires_grad=True)
    (x.float() * 2).sum().backward()
    assert x.grad.dtype == tgl.float64 and x.grad.tolist() == [2.0, 2.0]
