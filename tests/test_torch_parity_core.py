"""Tensor, creation, operations and autograd compared with PyTorch, one
case per difference that was found and fixed (values, dtypes, gradients and
error types)."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tgl


def _same(ours: tgl.Tensor, theirs) -> None:
    expected = theirs.detach().numpy()
    assert ours.shape == expected.shape
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_allclose(ours.detach().numpy(), expected, rtol=1e-6, atol=1e-7)


def _raises_like(torch, ours, theirs) -> None:
    with pytest.raises(Exception) as torch_error:
        theirs()
    with pytest.raises(type(torch_error.value)):
        ours()


# ------------------------------------------------------------ autograd hooks
def test_leaf_hook_sees_the_total_gradient_once(torch):
    results = []
    for lib in (tgl, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        calls = []
        x.register_hook(lambda g: calls.append(g.tolist()) or g * 2)
        x.register_hook(lambda g: g + 1)
        (x * x).sum().backward()  # two contributions to x's gradient
        results.append((calls, x.grad.tolist()))
    assert results[0] == results[1] == ([[2.0, 4.0]], [5.0, 9.0])


def test_grad_runs_hooks_of_its_inputs_only(torch):
    results = []
    for lib in (tgl, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0], requires_grad=True)
        seen = []
        x.register_hook(lambda g: seen.append("x"))
        y.register_hook(lambda g: seen.append("y"))
        (gx,) = lib.autograd.grad((x * y * x).sum(), x)
        results.append((seen, gx.tolist()))
    assert results[0] == results[1]


# ------------------------------------------------------------- dims on 0-d
@pytest.mark.parametrize("op", ["sum", "mean", "prod", "amax", "amin", "logsumexp", "var",
                                "std", "squeeze", "all", "any"])
def test_a_0d_tensor_accepts_only_dims_0_and_minus_1(torch, op):
    _raises_like(torch, lambda: getattr(tgl.tensor(2.5), op)(1),
                 lambda: getattr(torch.tensor(2.5), op)(1))
    _same(getattr(tgl.tensor(2.5), op)(-1), getattr(torch.tensor(2.5), op)(-1))


def test_flatten_of_a_0d_tensor_checks_its_dims(torch):
    _raises_like(torch, lambda: tgl.tensor(1.5).flatten(1), lambda: torch.tensor(1.5).flatten(1))
    _same(tgl.tensor(1.5).flatten(0, -1), torch.tensor(1.5).flatten(0, -1))


def test_all_and_any_over_no_dims_reduce_nothing(torch):
    data = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]], np.float32)
    for op in ("all", "any"):
        for keepdim in (False, True):
            _same(getattr(tgl.tensor(data), op)((), keepdim=keepdim),
                  getattr(torch.tensor(data), op)((), keepdim=keepdim))


# ------------------------------------------------------------- shape errors
def test_chunk_and_cat_errors(torch):
    _raises_like(torch, lambda: tgl.tensor(1.0).chunk(1), lambda: torch.tensor(1.0).chunk(1))
    _raises_like(torch, lambda: tgl.cat([]), lambda: torch.cat([]))


@pytest.mark.parametrize("equation, shapes", [("ij->ij", [(3,)]), ("i->k", [(3,)]),
                                              ("ij,jk->ik", [(3, 4)])])
def test_einsum_errors_are_runtime_errors(torch, equation, shapes):
    _raises_like(torch, lambda: tgl.einsum(equation, *[tgl.ones(*s) for s in shapes]),
                 lambda: torch.einsum(equation, *[torch.ones(*s) for s in shapes]))


# --------------------------------------------------------------------- pow
def test_pow_function_takes_a_number_as_base(torch):
    data = np.array([-1.0, 0.0, 2.0], np.float32)
    for base in (2, 2.5, 0.0):
        x, tx = tgl.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        out, tout = tgl.pow(base, x), torch.pow(base, tx)
        _same(out, tout)
        out.sum().backward()
        tout.sum().backward()
        _same(x.grad, tx.grad)
    _same(tgl.pow(2, tgl.tensor([1, 2])), torch.pow(2, torch.tensor([1, 2])))
    _raises_like(torch, lambda: tgl.pow(2, 3), lambda: torch.pow(2, 3))


def test_integer_tensor_to_negative_exponent_tensor(torch):
    base = np.array([0, 1, -1, -1, 2, -3, 0])
    exponent = np.array([-1, -5, -1, -2, -1, -2, 0])
    _same(tgl.tensor(base) ** tgl.tensor(exponent), torch.tensor(base) ** torch.tensor(exponent))
    _same(tgl.tensor([2, 3], dtype=tgl.uint8) ** tgl.tensor([-1, 2], dtype=tgl.int8),
          torch.tensor([2, 3], dtype=torch.uint8) ** torch.tensor([-1, 2], dtype=torch.int8))
    _same(2 ** tgl.tensor([-1, 2]), 2 ** torch.tensor([-1, 2]))
    x, tx = tgl.tensor([1, 2, -1]), torch.tensor([1, 2, -1])
    x.pow_(tgl.tensor([-1, -1, -3]))
    tx.pow_(torch.tensor([-1, -1, -3]))
    _same(x, tx)
    # a negative Python int exponent stays an error, bool tensors included
    for data in ([1, 2], [True]):
        _raises_like(torch, lambda: tgl.tensor(data) ** -1, lambda: torch.tensor(data) ** -1)
        _raises_like(torch, lambda: tgl.tensor(data).pow_(-1),
                     lambda: torch.tensor(data).pow_(-1))


# ------------------------------------------------------------------- clamp
def test_clamp_with_number_bounds_promotes_like_pytorch(torch):
    for data in ([True, False], [-2, 0, 3]):
        for bounds in ((0, 2), (-1.5, 1.5), (None, 0)):
            _same(tgl.tensor(data).clamp(*bounds), torch.tensor(data).clamp(*bounds))


def test_in_place_clamp_of_integers_to_float_bounds_is_an_error(torch):
    _raises_like(torch, lambda: tgl.tensor([1, 5, -3]).clamp_(0.5, 2.5),
                 lambda: torch.tensor([1, 5, -3]).clamp_(0.5, 2.5))
    x, tx = tgl.tensor([1, 5, -3]), torch.tensor([1, 5, -3])
    x.clamp_(0, 2)
    tx.clamp_(0, 2)
    _same(x, tx)


# ------------------------------------------------------------ div_ rounding
@pytest.mark.parametrize("mode", ["trunc", "floor"])
def test_in_place_division_with_rounding_mode(torch, mode):
    for data, other in (([-7, 7], 2), ([-7.0, 7.5], 2), ([-7, 7], tgl.tensor([2, -2]))):
        t_other = torch.tensor(other.tolist()) if isinstance(other, tgl.Tensor) else other
        x, tx = tgl.tensor(data), torch.tensor(data)
        assert x.div_(other, rounding_mode=mode) is x
        tx.div_(t_other, rounding_mode=mode)
        _same(x, tx)
    _raises_like(torch, lambda: tgl.tensor([-7, 7]).div_(2.5, rounding_mode=mode),
                 lambda: torch.tensor([-7, 7]).div_(2.5, rounding_mode=mode))


# ---------------------------------------------------------------- var / std
@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
@pytest.mark.parametrize("op", ["var", "std"])
def test_variance_gradient_with_correction_larger_than_the_count(torch, op):
    data = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    upstream = np.random.default_rng(1).standard_normal(3).astype(np.float32)
    x, tx = tgl.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    out, tout = getattr(x, op)(-1, correction=5), getattr(tx, op)(-1, correction=5)
    _same(out, tout)
    out.backward(tgl.tensor(upstream))
    tout.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)


# ------------------------------------------- found by the parity audit (stop 12)
def _grads(lib, values, fn, upstream=None, dtype="float64"):
    x = lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)
    y = fn(x)
    if upstream is None:
        y.sum().backward()
    else:
        y.backward(lib.tensor(upstream, dtype=getattr(lib, dtype)))
    return np.asarray(x.grad.tolist())


NAN = float("nan")


@pytest.mark.parametrize("name, values, fn, upstream", [
    ("max() with a nan", [1.0, NAN, 3.0], lambda x: x.max(), None),
    ("min() with two nans", [NAN, NAN, 3.0], lambda x: x.min(), None),
    ("max() of a 2-D tensor with nans", [[1.0, NAN], [NAN, 2.0]], lambda x: x.max(), None),
    ("max() with ties and no nan", [3.0, 1.0, 3.0], lambda x: x.max(), None),
    ("amax() with a nan (nan everywhere)", [1.0, NAN, 3.0], lambda x: x.amax(), None),
    ("relu at nan, 0 and with nan upstream", [1.0, NAN, -3.0, 0.0], lambda x: x.relu(),
     [NAN, 2.0, -5.0, -1.0]),
    ("abs at nan and 0", [1.0, NAN, -3.0, 0.0], lambda x: x.abs(), [NAN, 2.0, -5.0, -1.0]),
    ("var() with correction = n", [1.0, 2.0, 4.0], lambda x: x.var(correction=3), None),
    ("var() with correction > n", [1.0, 2.0, 4.0], lambda x: x.var(correction=4), None),
    ("var() at the mean, correction = n", [1.0, 2.0, 3.0], lambda x: x.var(correction=3), None),
    ("var(dim) with correction > n", [[1.0, 2.0, 4.0]], lambda x: x.var(1, correction=4),
     None),
    ("std() with correction > n", [1.0, 2.0, 4.0], lambda x: x.std(correction=5), None),
    ("std(dim) with correction > n", [[1.0, 2.0, 4.0]], lambda x: x.std(1, correction=5),
     None),
    ("var() of a 0-d tensor", 2.0, lambda x: x.var(), None),
])
def test_gradients_at_nan_and_degenerate_points_match_pytorch(torch, name, values, fn,
                                                              upstream):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn about degrees of freedom <= 0
        ours = _grads(tgl, values, fn, upstream)
        theirs = _grads(torch, values, fn, upstream)
    np.testing.assert_array_equal(ours, theirs)


def test_sign_of_nan_is_zero_as_pytorch(torch):
    values = [NAN, -0.0, 2.0, -3.0]
    assert tgl.tensor(values).sign().tolist() == torch.tensor(values).sign().tolist()


def test_squeeze_with_an_empty_dim_tuple_drops_nothing(torch):
    for dim in ((), [], None, (0, 2), 0):
        ours, theirs = tgl.zeros(1, 3, 1), torch.zeros(1, 3, 1)
        args = () if dim is None else (dim,)
        assert tuple(ours.squeeze(*args).shape) == tuple(theirs.squeeze(*args).shape), dim


def test_grad_with_an_input_listed_twice_gives_it_at_both_places(torch):
    results = []
    for lib in (tgl, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        got = [lib.autograd.grad((x * x).sum(), [x, x], allow_unused=True),
               lib.autograd.grad((x * x).sum(), [x, x]),
               lib.autograd.grad((y * y).sum(), [y, x, y])]
        results.append([[g.tolist() for g in gs] for gs in got])
    assert results[0] == results[1]


@pytest.mark.parametrize("hook, words", [
    (lambda g: g[:1], "has changed the size of value"),
    (lambda g: g.double(), "has changed the type of value"),
])
@pytest.mark.parametrize("leaf", [True, False])
def test_a_hook_may_not_change_the_gradients_shape_or_dtype(torch, hook, words, leaf):
    for lib in (tgl, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        t = x if leaf else x * 1
        t.register_hook(hook)
        with pytest.raises(RuntimeError, match=words):
            (t * 2).sum().backward()


@pytest.mark.parametrize("name, make", [
    ("y * c", lambda lib, y, c, w: y * c),
    ("c * y", lambda lib, y, c, w: c * y),
    ("y / c", lambda lib, y, c, w: y / c),
    ("y / 2", lambda lib, y, c, w: y / 2),
    ("c / y", lambda lib, y, c, w: c / y),          # y is saved: both raise
    ("y @ w", lambda lib, y, c, w: y @ w),
    ("w @ y", lambda lib, y, c, w: w @ y),
    ("y @ vector", lambda lib, y, c, w: y @ w[0]),
    ("linear(y, w)", lambda lib, y, c, w: lib.nn.functional.linear(y, w)),
    ("linear(y, w, b)", lambda lib, y, c, w: lib.nn.functional.linear(y, w, w[0])),
    ("y * y", lambda lib, y, c, w: y * y),          # saved: both raise
    ("amax", lambda lib, y, c, w: y.amax()),          # PyTorch saves input and result
    ("max()", lambda lib, y, c, w: y.max()),
])
def test_changing_a_tensor_in_place_raises_only_if_backward_needs_it(torch, name, make):
    """PyTorch saves a product's operand only for the other operand's
    gradient; changing an unsaved one in place afterwards is fine."""
    outcomes = []
    for lib in (tgl, torch):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        c = lib.tensor([[2.0, 3.0], [4.0, 5.0]])
        w = lib.tensor([[1.0, -1.0], [0.5, 2.0]])
        y = x * 1
        z = make(lib, y, c, w)
        y.add_(1)
        try:
            z.sum().backward()
            outcomes.append(x.grad.tolist())
        except RuntimeError as error:
            assert "modified by an inplace operation" in str(error)
            outcomes.append("raised")
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("name, make", [
    ("reciprocal", lambda lib, y, c: y.reciprocal()),   # saves its result, not y
    ("clamp", lambda lib, y, c: y.clamp(0, 1.5)),       # saves y
    ("clamp with Tensor bounds", lambda lib, y, c: y.clamp(c - 2, c)),
    ("maximum", lambda lib, y, c: lib.maximum(y, c)),   # saves both
    ("minimum", lambda lib, y, c: lib.minimum(y, c)),
    ("einsum with a constant", lambda lib, y, c: lib.einsum("ij,jk->ik", y, c)),
    ("einsum of y with y", lambda lib, y, c: lib.einsum("ij,jk->ik", y, y)),
    ("cross_entropy", lambda lib, y, c: lib.nn.functional.cross_entropy(y, lib.tensor([0, 1]))),
    ("layer_norm", lambda lib, y, c: lib.nn.functional.layer_norm(y, (2,))),
    ("layer_norm with weight", lambda lib, y, c: lib.nn.functional.layer_norm(y, (2,), c[0])),
    ("tanh", lambda lib, y, c: y.tanh()),
    ("exp", lambda lib, y, c: y.exp()),
    ("softmax", lambda lib, y, c: y.softmax(1)),
])
@pytest.mark.parametrize("changed", ["input", "output"])
def test_which_in_place_changes_break_backward_matches_pytorch(torch, name, make, changed):
    outcomes = []
    for lib in (tgl, torch):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        c = lib.tensor([[2.0, 1.0], [4.0, 5.0]])
        y = x * 1
        z = make(lib, y, c)
        (y if changed == "input" else z).add_(1)
        try:
            z.sum().backward()
            outcomes.append(x.grad.tolist())
        except RuntimeError as error:
            assert "modified by an inplace operation" in str(error)
            outcomes.append("raised")
    if outcomes[0] != "raised":
        np.testing.assert_allclose(outcomes[0], outcomes[1], rtol=1e-5, atol=1e-6)
    else:
        assert outcomes[1] == "raised"


def test_cross_entropy_under_create_graph_refuses_a_changed_input():
    x = tgl.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    loss = tgl.nn.functional.cross_entropy(y, tgl.tensor([0, 1]))
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        tgl.autograd.grad(loss, x, create_graph=True)
    loss2 = tgl.nn.functional.cross_entropy(x * 1, tgl.tensor([0, 1]))
    (g,) = tgl.autograd.grad(loss2, x, create_graph=True)
    assert g.requires_grad  # the second derivative is recorded
