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


def _same_or_raises_like(torch, ours, theirs) -> None:
    """ours() gives what theirs() gives, or raises what it raises."""
    try:
        expected = theirs()
    except Exception:
        _raises_like(torch, ours, theirs)
    else:
        _same(ours(), expected)


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


def _backward_outcome(z, x):
    """x's gradient after z.sum().backward(), or "raised" when backward
    refuses because a saved tensor was changed in place."""
    try:
        z.sum().backward()
    except RuntimeError as error:
        assert "modified by an inplace operation" in str(error)
        return "raised"
    return x.grad.tolist()


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
        outcomes.append(_backward_outcome(z, x))
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
    ("max_pool2d", lambda lib, y, c: lib.nn.functional.max_pool2d(y.reshape(1, 1, 2, 2), 2)),
    ("avg_pool2d", lambda lib, y, c: lib.nn.functional.avg_pool2d(y.reshape(1, 1, 2, 2), 2)),
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
        outcomes.append(_backward_outcome(z, x))
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


# ------------------------------------------- numbers that don't fit a dtype
NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "bool",
                                   "float32", "float16"])
@pytest.mark.parametrize("value", [NAN, INF, -INF, 1e20, 9.3e18, 300, 300.0, 255.9, -1, -1.0,
                                   -0.5, -256, 128, -129, 2 ** 31, 2 ** 63, -2 ** 63 - 1,
                                   2 ** 64, 2.5, True])
def test_python_numbers_that_do_not_fit_an_integer_dtype(torch, dtype, value):
    ours = lambda: tgl.tensor([[1, 2], [3, value]], dtype=getattr(tgl, dtype))  # noqa: E731
    theirs = lambda: torch.tensor([[1, 2], [3, value]], dtype=getattr(torch, dtype))  # noqa: E731
    try:
        expected = theirs()
    except Exception:
        _raises_like(torch, ours, theirs)
    else:
        np.testing.assert_array_equal(ours().numpy(), expected.numpy())


@pytest.mark.parametrize("data", [2 ** 63, -2 ** 63 - 1, [1, 2 ** 63], [True, 2 ** 63],
                                  [1.5, 2 ** 63], [2 ** 64, 0.5], None, [1, None], [[1], [None]],
                                  np.float64(NAN), [np.int64(300), 1]])
def test_tensor_from_numbers_beyond_int64_or_none(torch, data):
    for dtype in (None, "int64", "uint8", "float32", "bool"):
        kw = {} if dtype is None else {"dtype": getattr(tgl, dtype)}
        tkw = {} if dtype is None else {"dtype": getattr(torch, dtype)}
        try:
            expected = torch.tensor(data, **tkw)
        except Exception:
            _raises_like(torch, lambda: tgl.tensor(data, **kw), lambda: torch.tensor(data, **tkw))
        else:
            _same(tgl.tensor(data, **kw), expected)


def test_numpy_arrays_are_cast_without_the_number_checks(torch):
    data = np.array([300, -1])
    _same(tgl.tensor(data, dtype=tgl.uint8), torch.tensor(data, dtype=torch.uint8))


@pytest.mark.parametrize("value, dtype", [(NAN, "int64"), (INF, "int32"), (300, "uint8"),
                                          (-1, "uint8"), (300.0, "int8"), (2 ** 63, "int64"),
                                          (-1.0, "uint8"), (2.5, "int64")])
def test_full_and_fill_check_the_number(torch, value, dtype):
    cases = [(lambda lib: lib.full((2,), value, dtype=getattr(lib, dtype))),
             (lambda lib: lib.full_like(lib.zeros(2, dtype=getattr(lib, dtype)), value)),
             (lambda lib: lib.zeros(2, dtype=getattr(lib, dtype)).fill_(value))]
    for make in cases:
        _same_or_raises_like(torch, lambda: make(tgl), lambda: make(torch))


def test_a_number_that_does_not_fit_says_which_where_and_what_to_do():
    with pytest.raises(RuntimeError, match=r"value nan at index \[1, 1\] cannot be converted "
                                           r"to type int64.*replace NaN"):
        tgl.tensor([[1, 2], [3, NAN]], dtype=tgl.int64)
    with pytest.raises(RuntimeError, match=r"value 300 cannot .* uint8 .*0\.\.255.*wider dtype"):
        tgl.full((2,), 300, dtype=tgl.uint8)
    with pytest.raises(ValueError, match=r"int 9223372036854775808 does not fit int64.*float"):
        tgl.tensor(2 ** 63)
    with pytest.raises(RuntimeError, match=r"None at index \[1\]"):
        tgl.tensor([1, None])


# ------------------------------------------------------ cat/stack arguments
@pytest.mark.parametrize("name", ["cat", "concat", "stack"])
@pytest.mark.parametrize("make", [
    lambda lib: lib.ones(2, 3),                          # one Tensor: its rows were joined
    lambda lib: (t for t in [lib.ones(2), lib.ones(2)]),  # a generator
    lambda lib: [lib.ones(2), [3.0, 4.0]],              # an element that is no Tensor
    lambda lib: [lib.ones(2), np.ones(2, np.float32)],
    lambda lib: 1.0, lambda lib: None,
])
def test_cat_and_stack_take_a_sequence_of_tensors(torch, name, make):
    _raises_like(torch, lambda: getattr(tgl, name)(make(tgl)),
                 lambda: getattr(torch, name)(make(torch)))


def test_cat_and_stack_accept_axis(torch):
    for name in ("cat", "stack"):
        _same(getattr(tgl, name)([tgl.ones(2, 3), tgl.zeros(2, 3)], axis=1),
              getattr(torch, name)([torch.ones(2, 3), torch.zeros(2, 3)], axis=1))


def test_cat_of_one_tensor_says_how_to_join_its_rows():
    with pytest.raises(TypeError, match=r"cat\(\): argument 'tensors' must be tuple of "
                                        r"Tensors, not Tensor.*unbind"):
        tgl.cat(tgl.ones(2, 3))


# ------------------------------------------------------- exception classes
@pytest.mark.parametrize("make", [
    lambda lib: lib.einsum("ij->ii", lib.ones(2, 2)),
    lambda lib: lib.einsum("ij->j->i", lib.ones(2, 2)),
    lambda lib: lib.einsum("i1->i", lib.ones(2)),
    lambda lib: lib.einsum(3, lib.ones(2)),
    lambda lib: lib.einsum("i", [1.0, 2.0]),
    lambda lib: lib.ones(2).div(lib.ones(2), rounding_mode="round"),
    lambda lib: lib.div(lib.ones(2), 2, rounding_mode="round"),
    lambda lib: lib.ones(2).div(lib.ones(2), rounding_mode=3),
    lambda lib: lib.tensor(None),
    lambda lib: lib.tensor(2 ** 63),
    lambda lib: lib.ones(2, 3).permute(),
    lambda lib: lib.ones(()).permute(),
    lambda lib: lib.permute(lib.ones(2, 3)),
    lambda lib: lib.ones(1).expand(),
    lambda lib: lib.ones(1).reshape(),
    lambda lib: lib.ones(1).view(),
    lambda lib: lib.ones(1).repeat(),
    lambda lib: lib.ones(1, 1).expand(2, -2),
    lambda lib: lib.ones(1).broadcast_to((-2,)),
    lambda lib: lib.rand_like(lib.ones(2, dtype=lib.int64)),
    lambda lib: lib.randn_like(lib.ones(2, dtype=lib.bool)),
    lambda lib: lib.rand(2, dtype=lib.int32),
    lambda lib: lib.randn(2, dtype=lib.int64),
    lambda lib: lib.ones(2, dtype=lib.uint8).uniform_(),
    lambda lib: lib.ones(2, dtype=lib.int64).normal_(),
])
def test_exception_classes_match_pytorch(torch, make):
    _raises_like(torch, lambda: make(tgl), lambda: make(torch))


# ------------------------------------------------ matrix products and dtypes
@pytest.mark.parametrize("a_dtype, b_dtype", [("float32", "float64"), ("int32", "int64"),
                                              ("int64", "float32"), ("float32", "float16"),
                                              ("bool", "bool"), ("int32", "int32")])
@pytest.mark.parametrize("a_shape, b_shape", [((2, 3), (3, 2)), ((3,), (3,)), ((3,), (3, 2)),
                                              ((2, 3), (3,)), ((4, 2, 3), (3, 2)),
                                              ((4, 2, 3), (4, 3, 2))])
def test_matmul_does_not_promote(torch, a_dtype, b_dtype, a_shape, b_shape):
    for make in (lambda lib, a, b: a @ b, lambda lib, a, b: lib.matmul(a, b),
                 lambda lib, a, b: a.matmul(b)):
        def run(lib, make=make):
            a = lib.ones(*a_shape, dtype=getattr(lib, a_dtype))
            return make(lib, a, lib.ones(*b_shape, dtype=getattr(lib, b_dtype)))
        try:
            expected = run(torch)
        except Exception as error:
            with pytest.raises(RuntimeError):  # (bmm of bools: NotImplementedError in both)
                run(tgl)
            assert isinstance(error, RuntimeError)
        else:
            _same(run(tgl), expected)


@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk->ik", [(2, 3), (3, 2)]), ("i,i->", [(3,), (3,)]), ("i,i->i", [(3,), (3,)]),
    ("i,j->ij", [(3,), (2,)]), ("i,j->", [(3,), (2,)]), (",i->i", [(), (3,)]),
    ("i,j,i->j", [(3,), (2,), (3,)]), ("i,i,j->ij", [(3,), (3,), (2,)]),
])
@pytest.mark.parametrize("dtypes", [("float32", "float64", "float32"),
                                    ("float64", "float32", "float32"),
                                    ("int32", "int64", "int64"), ("float32", "bool", "float32")])
def test_einsum_promotes_only_where_pytorch_does(torch, equation, shapes, dtypes):
    def run(lib):
        return lib.einsum(equation, *[lib.ones(s, dtype=getattr(lib, d))
                                      for s, d in zip(shapes, dtypes)])
    _same_or_raises_like(torch, lambda: run(tgl), lambda: run(torch))


def test_mixed_dtype_matmul_names_both_dtypes_and_the_fix():
    with pytest.raises(RuntimeError, match=r"matmul: .*same dtype.*float32 and float64.*"
                                           r"\(2, 3\) and \(3, 2\).*\.to\("):
        tgl.ones(2, 3) @ tgl.ones(3, 2, dtype=tgl.float64)


# ------------------------------------------------ PyTorch's keyword names
KEYWORD_CALLS = [
    lambda lib, x: x.reshape(shape=(3, 2)), lambda lib, x: x.view(size=(3, 2)),
    lambda lib, x: x.permute(dims=(1, 0)), lambda lib, x: x[:1].expand(size=(4, 3)),
    lambda lib, x: x.repeat(repeats=(2, 1)), lambda lib, x: x.split(split_size=1),
    lambda lib, x: x[:1].broadcast_to(size=(2, 3)), lambda lib, x: x.swapaxes(axis0=0, axis1=1),
    lambda lib, x: x.softmax(dim=1, dtype=lib.float64),
    lambda lib, x: lib.clamp(input=x, min=0), lambda lib, x: lib.clip(input=x, max=0),
    lambda lib, x: lib.sum(input=x), lambda lib, x: lib.sum(input=x, dim=1, keepdim=True),
    lambda lib, x: lib.mean(input=x, dim=0), lambda lib, x: lib.var(input=x, dim=0),
    lambda lib, x: lib.std(input=x, correction=0), lambda lib, x: lib.prod(input=x, dim=1),
    lambda lib, x: lib.amax(input=x, dim=1), lambda lib, x: lib.amin(input=x, dim=0),
    lambda lib, x: lib.max(input=x), lambda lib, x: lib.min(input=x, dim=1),
    lambda lib, x: lib.argmax(input=x, dim=1), lambda lib, x: lib.argmin(input=x),
    lambda lib, x: lib.logsumexp(input=x, dim=1), lambda lib, x: lib.norm(input=x, p=1),
    lambda lib, x: lib.all(input=x), lambda lib, x: lib.any(input=x, dim=0),
    lambda lib, x: lib.matmul(input=x, other=x.T), lambda lib, x: lib.add(input=x, other=x),
    lambda lib, x: lib.add(input=x, other=x, alpha=2), lambda lib, x: lib.sub(input=x, other=1),
    lambda lib, x: lib.mul(input=x, other=x), lambda lib, x: lib.div(input=x, other=2),
    lambda lib, x: lib.div(input=x, other=2, rounding_mode="floor"),
    lambda lib, x: lib.true_divide(input=x, other=2), lambda lib, x: lib.pow(input=x, exponent=2),
    lambda lib, x: lib.maximum(input=x, other=x), lambda lib, x: lib.minimum(input=x, other=x),
    lambda lib, x: lib.remainder(input=x, other=2),
    lambda lib, x: lib.floor_divide(input=x, other=2),
    lambda lib, x: lib.eq(input=x, other=x), lambda lib, x: lib.lt(input=x, other=1),
    lambda lib, x: lib.logical_and(input=x, other=x), lambda lib, x: lib.logical_not(input=x),
    lambda lib, x: lib.equal(input=x, other=x), lambda lib, x: lib.allclose(input=x, other=x),
    lambda lib, x: lib.isclose(input=x, other=x), lambda lib, x: lib.isnan(input=x),
    lambda lib, x: lib.isinf(input=x), lambda lib, x: lib.isfinite(input=x),
    lambda lib, x: lib.where(condition=x > 0, input=x, other=0.0),
    lambda lib, x: lib.reshape(input=x, shape=(3, 2)), lambda lib, x: lib.flatten(input=x),
    lambda lib, x: lib.unflatten(input=x, dim=1, sizes=(3, 1)),
    lambda lib, x: lib.transpose(input=x, dim0=0, dim1=1),
    lambda lib, x: lib.swapaxes(input=x, axis0=0, axis1=1),
    lambda lib, x: lib.permute(input=x, dims=(1, 0)), lambda lib, x: lib.squeeze(input=x),
    lambda lib, x: lib.unsqueeze(input=x, dim=0), lambda lib, x: lib.flip(input=x, dims=(0,)),
    lambda lib, x: lib.broadcast_to(input=x[:1], size=(2, 3)),
    lambda lib, x: lib.unbind(input=x, dim=1), lambda lib, x: lib.chunk(input=x, chunks=2),
    lambda lib, x: lib.split(tensor=x, split_size_or_sections=1),
    lambda lib, x: lib.cat(tensors=[x, x], dim=1), lambda lib, x: lib.stack(tensors=[x], dim=0),
    lambda lib, x: lib.softmax(input=x, dim=1), lambda lib, x: lib.log_softmax(input=x, dim=0),
    lambda lib, x: lib.clone(input=x), lambda lib, x: lib.detach(input=x),
    lambda lib, x: lib.numel(input=x), lambda lib, x: lib.is_floating_point(input=x),
    lambda lib, x: lib.round(input=x), lambda lib, x: lib.relu(input=x),
    *[lambda lib, x, name=name: getattr(lib, name)(input=x)
      for name in ["abs", "absolute", "ceil", "cos", "exp", "expm1", "floor", "log", "log1p",
                   "neg", "negative", "reciprocal", "rsqrt", "sigmoid", "sign", "sin", "sqrt",
                   "square", "tanh"]],
]


@pytest.mark.parametrize("call", KEYWORD_CALLS)
def test_pytorch_keyword_names_work(torch, call):
    data = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -3.0]], np.float32)
    ours, theirs = call(tgl, tgl.tensor(data)), call(torch, torch.tensor(data))
    if isinstance(theirs, torch.Tensor):
        _same(ours, theirs)
    elif isinstance(theirs, tuple):
        for a, b in zip(ours, theirs, strict=True):
            _same(a, b)
    else:
        assert ours == theirs


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.add(x, input=x),                 # the tensor twice
    lambda lib, x: x.split(split_size_or_sections=1),  # the function's name, not the method's
    lambda lib, x: x.reshape((3, 2), shape=(3, 2)),
    lambda lib, x: x.view(shape=(3, 2)),
    lambda lib, x: x.repeat(sizes=(2, 1)),
])
def test_wrong_keyword_names_fail_as_in_pytorch(torch, call):
    data = np.ones((2, 3), np.float32)
    _raises_like(torch, lambda: call(tgl, tgl.tensor(data)),
                 lambda: call(torch, torch.tensor(data)))


def test_function_forms_show_pytorch_names():
    import inspect
    assert list(inspect.signature(tgl.sum).parameters)[:3] == ["input", "dim", "keepdim"]
    assert list(inspect.signature(tgl.add).parameters)[:2] == ["input", "other"]


@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(3),                        # wrong shape
    lambda lib: lib.zeros(2, dtype=lib.float64),     # wrong dtype
    lambda lib: lib.zeros(2, dtype=lib.int64),
    lambda lib: "not a tensor",
], ids=["shape", "float64", "int64", "str"])
def test_assigning_a_gradient_that_does_not_fit_raises_as_pytorch(torch, make):
    for lib in (tgl, torch):
        p = lib.zeros(2, requires_grad=True)
        with pytest.raises((RuntimeError, TypeError)) as error:
            p.grad = make(lib)
        if lib is torch:
            torch_type = type(error.value)
        else:
            ours = type(error.value)
        assert p.grad is None
    assert ours is torch_type


def test_assigning_a_fitting_gradient_or_none_works():
    p = tgl.zeros(2, requires_grad=True)
    g = tgl.ones(2)
    p.grad = g
    assert p.grad is g
    p.grad = None
    assert p.grad is None


def test_stepwise_functions_record_a_zero_gradient_as_pytorch(torch):
    results = []
    for lib in (tgl, torch):
        x = lib.tensor([1.5, -2.5, 0.25], requires_grad=True)
        y = lib.tensor([2.0, 3.0, -1.0], requires_grad=True)
        outs = [x.floor(), x.ceil(), x.round(), x.trunc(), x.sign(),
                x.div(y, rounding_mode="floor"), x.div(y, rounding_mode="trunc"), x % y]
        total = sum((out * (i + 1)).sum() for i, out in enumerate(outs))
        total.backward()
        results.append(([o.requires_grad for o in outs], [o.tolist() for o in outs],
                        x.grad.tolist(), y.grad.tolist()))
    assert results[0] == results[1]
    x = tgl.tensor([1.5, -2.5], requires_grad=True)
    (x // 2).sum().backward()  # PyTorch raises here ("not implemented"); a zero gradient
    assert x.grad.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("act", ["relu", "leaky_relu", "abs", "tanh", "clamp"])
def test_gradient_penalty_reaches_parameters_behind_masks_as_pytorch(torch, act):
    """A first-order gradient under create_graph depends on what its ops
    saved, as in PyTorch: a bias seen only through relu's mask gets a zero
    second-order gradient (not None), so an optimizer updates it."""
    results = []
    for lib in (tgl, torch):
        F_ = tgl.nn.functional if lib is tgl else torch.nn.functional
        f = {"relu": F_.relu, "leaky_relu": F_.leaky_relu, "abs": lambda t: t.abs(),
             "tanh": lambda t: t.tanh(), "clamp": lambda t: t.clamp(-0.5, 0.5)}[act]
        w = lib.tensor([[0.5, -1.0], [2.0, 1.0]], dtype=lib.float64, requires_grad=True)
        b = lib.tensor([0.1, -0.2], dtype=lib.float64, requires_grad=True)
        w2 = lib.tensor([[1.0, -1.0]], dtype=lib.float64, requires_grad=True)
        x = lib.tensor([[1.0, 2.0], [-0.5, 0.25]], dtype=lib.float64, requires_grad=True)
        out = F_.linear(f(F_.linear(x, w, b)), w2).sum()
        (g,) = lib.autograd.grad(out, x, create_graph=True)
        (g * g).sum().backward()
        results.append((g.requires_grad,
                        [None if t.grad is None else np.round(t.grad.tolist(), 10).tolist()
                         for t in (w, b, w2)]))
    assert results[0] == results[1]


_FIRST_GRAD_OPS = {
    "relu": lambda lib, F_, x, c: F_.relu(x), "abs": lambda lib, F_, x, c: x.abs(),
    "leaky_relu": lambda lib, F_, x, c: F_.leaky_relu(x),
    "clamp": lambda lib, F_, x, c: x.clamp(-0.5, 0.5),
    "maximum": lambda lib, F_, x, c: lib.maximum(x, c), "amax": lambda lib, F_, x, c: x.amax(),
    "max": lambda lib, F_, x, c: x.max(), "max(dim)": lambda lib, F_, x, c: x.max(0)[0],
    "l1_loss": lambda lib, F_, x, c: F_.l1_loss(x, c), "mse_loss": lambda lib, F_, x, c:
    F_.mse_loss(x, c), "exp": lambda lib, F_, x, c: x.exp(), "x * c": lambda lib, F_, x, c: x * c,
    "x / c": lambda lib, F_, x, c: x / c, "sum": lambda lib, F_, x, c: x.sum(),
    "where": lambda lib, F_, x, c: lib.where(x > 0, x, c), "floor": lambda lib, F_, x, c:
    x.floor(), "max_pool2d": lambda lib, F_, x, c: F_.max_pool2d(x.reshape(1, 1, 1, 2), (1, 2)),
    "avg_pool2d": lambda lib, F_, x, c: F_.avg_pool2d(x.reshape(1, 1, 1, 2), (1, 2)),
    "x @ c": lambda lib, F_, x, c: x @ c.reshape(2, 1), "getitem": lambda lib, F_, x, c: x[0],
}


@pytest.mark.parametrize("name", sorted(_FIRST_GRAD_OPS))
def test_which_create_graph_gradients_require_grad_matches_pytorch(torch, name):
    flags = []
    for lib in (tgl, torch):
        F_ = tgl.nn.functional if lib is tgl else torch.nn.functional
        x = lib.tensor([0.3, -1.2], requires_grad=True)
        c = lib.tensor([0.5, 0.5])
        (g,) = lib.autograd.grad(_FIRST_GRAD_OPS[name](lib, F_, x, c).sum(), x,
                                 create_graph=True)
        flags.append(g.requires_grad)
    assert flags[0] == flags[1]


@pytest.mark.parametrize("make", [
    lambda lib: [lib.tensor([1.0]), lib.tensor([2.0])],
    lambda lib: [lib.tensor(1.0, dtype=lib.float64), lib.tensor(2.0, dtype=lib.float64)],
    lambda lib: [lib.tensor(1), lib.tensor(2)],
    lambda lib: [[lib.tensor(1.0), 2.0], [3.0, 4.0]],
    lambda lib: [lib.ones(1, 1), lib.ones(1)],
], ids=["1-element", "float64 0-d", "int 0-d", "nested", "mixed shapes"])
def test_tensors_inside_a_list_count_as_numbers(torch, make):
    ours, theirs = tgl.tensor(make(tgl)), torch.tensor(make(torch))
    _same(ours, theirs)


def test_a_list_of_bigger_tensors_is_an_error_as_in_pytorch(torch):
    _raises_like(torch, lambda: tgl.tensor([tgl.ones(2), tgl.ones(2)]),
                 lambda: torch.tensor([torch.ones(2), torch.ones(2)]))
