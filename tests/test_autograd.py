"""Autograd semantics against PyTorch: accumulation, retain_graph and
create_graph, autograd.grad, hooks, grad mode, custom Functions,
gradcheck, anomaly detection, deep graphs and graph lifetime."""
from __future__ import annotations

import gc
import sys
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_lite as tgl


def _values(t):
    return None if t is None else np.asarray(t.detach(), dtype=np.float64)


def _both(torch, fn):
    """fn(lib) for both libraries; results as nested float64 arrays."""
    return fn(tgl), fn(torch)


def _assert_close(ours, theirs, rtol=1e-5):
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_close(a, b, rtol)
    elif theirs is None:
        assert ours is None
    else:
        np.testing.assert_allclose(_values(ours), _values(theirs), rtol=rtol, atol=1e-6)


# ------------------------------------------------------------ backward
# Each case runs with L = tgl and L = torch; it returns what is compared.
def accumulate_over_two_backward_calls(L):
    x = L.tensor([1., 2.], requires_grad=True)
    (x * x).sum().backward()
    (x * x).sum().backward()
    return x.grad


def non_leaf_reached_by_several_paths(L):
    x = L.tensor([0.5, -1.], requires_grad=True)
    b = x.exp()
    (b * b + b.sin() + b).sum().backward()
    return x.grad


def broadcasting_reduces_to_input_shapes(L):
    a = L.tensor([[1., 2., 3.]], requires_grad=True)
    b = L.tensor([[1.], [2.]], requires_grad=True)
    c = L.tensor(2., requires_grad=True)
    (a * b * c + a).sum().backward()
    return a.grad, b.grad, c.grad


def zero_dim_tensor(L):
    a = L.tensor(3., requires_grad=True)
    (a * a).backward()
    return a.grad


def one_element_tensor(L):
    a = L.tensor([[3.]], requires_grad=True)
    (a * a).backward()
    return a.grad


def explicit_integer_gradient(L):
    x = L.tensor([1., 2.], requires_grad=True)
    (x * 2).backward(L.tensor([1, 3]))
    return x.grad


def leaf_hook_and_its_removal(L):
    x = L.tensor([1., 2.], requires_grad=True)
    handle = x.register_hook(lambda g: g * 2)
    (x * 3).sum().backward()
    handle.remove()
    (x * 3).sum().backward()
    return x.grad


def non_leaf_hook_then_retain_grad(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = x * 3
    y.register_hook(lambda g: g * 10)
    y.retain_grad()
    (y * y).sum().backward()
    return y.grad, x.grad


def retain_grad_then_non_leaf_hook(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = x * 3
    y.retain_grad()
    y.register_hook(lambda g: g + 1)
    (y * y).sum().backward()
    return y.grad, x.grad


def backward_with_inputs(L):
    a = L.tensor([1., 2.], requires_grad=True)
    b = L.tensor([3., 4.], requires_grad=True)
    (a * b).sum().backward(inputs=[a])
    return a.grad, b.grad


def zero_grad_between_calls(L):
    x = L.tensor([1., 2.], requires_grad=True)
    (x * 2).sum().backward()
    x.grad.zero_()
    (x * 3).sum().backward()
    return x.grad


@pytest.mark.torch
@pytest.mark.parametrize("case", [
    accumulate_over_two_backward_calls, non_leaf_reached_by_several_paths,
    broadcasting_reduces_to_input_shapes, zero_dim_tensor, one_element_tensor,
    explicit_integer_gradient, leaf_hook_and_its_removal, non_leaf_hook_then_retain_grad,
    retain_grad_then_non_leaf_hook, backward_with_inputs, zero_grad_between_calls,
])
def test_backward_matches_pytorch(torch, case):
    ours, theirs = _both(torch, case)
    _assert_close(ours, theirs)


@pytest.mark.torch
def test_second_backward_without_retain_graph(torch):
    for lib in (tgl, torch):
        x = lib.tensor([1., 2.], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.backward()
    x = tgl.tensor([1., 2.], requires_grad=True)
    y = x.exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True") as info:
        y.backward()
    assert "ExpBackward0" in str(info.value)


@pytest.mark.torch
def test_second_backward_through_ops_that_saved_nothing_works_like_pytorch(torch):
    def case(L):
        x = L.tensor([1., 2.], requires_grad=True)
        y = (x + 1).sum()
        y.backward()
        y.backward()  # Add and Sum saved no tensors: nothing was freed
        return x.grad
    ours, theirs = _both(torch, case)
    _assert_close(ours, theirs)
    assert ours.tolist() == [2., 2.]


def test_retain_graph_allows_a_second_backward():
    x = tgl.tensor([1., 2.], requires_grad=True)
    y = (x * x).exp().sum()
    y.backward(retain_graph=True)
    first = x.grad.tolist()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.array(first))


def test_backward_errors():
    x = tgl.tensor([1., 2.], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar") as e:
        (x * 2).backward()
    assert "(2,)" in str(e.value)
    with pytest.raises(RuntimeError, match="does not require grad"):
        tgl.tensor([1., 2.]).sum().backward()
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(tgl.ones(3))
    with tgl.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()


# ------------------------------------------------------------ higher order
def second_derivative_of_cube(L):
    x = L.tensor([1., 2., -3.], requires_grad=True)
    (g,) = L.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (gg,) = L.autograd.grad(g.sum(), x)
    return g, gg


def hessian_vector_product(L):
    x = L.tensor([0.3, -1.2, 2.], requires_grad=True)
    v = L.tensor([1., 0.5, -2.])
    (g,) = L.autograd.grad((x.sin() * x[[1, 2, 0]] ** 2).sum(), x, create_graph=True)
    return L.autograd.grad((g * v).sum(), x)[0]


def dot_grad_is_differentiable(L):
    x = L.tensor([0.5, 1.5], requires_grad=True)
    (x.exp() * x).sum().backward(create_graph=True)
    return L.autograd.grad(x.grad.sum(), x)[0]


def third_derivative_of_tanh(L):
    x = L.tensor([0.2, -0.7], requires_grad=True)
    (g1,) = L.autograd.grad(x.tanh().sum(), x, create_graph=True)
    (g2,) = L.autograd.grad(g1.sum(), x, create_graph=True)
    return L.autograd.grad(g2.sum(), x)[0]


@pytest.mark.torch
@pytest.mark.parametrize("case", [second_derivative_of_cube, hessian_vector_product,
                                  dot_grad_is_differentiable, third_derivative_of_tanh])
def test_higher_order_derivatives_match_pytorch(torch, case):
    ours, theirs = _both(torch, case)
    _assert_close(ours, theirs, rtol=1e-4)


def test_create_graph_grad_requires_grad():
    x = tgl.tensor([1., 2.], requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.grad_fn is not None
    assert x.grad.tolist() == [3., 12.]


# ------------------------------------------------------------ autograd.grad
@pytest.mark.torch
def test_grad_multiple_inputs_outputs_grad_outputs_allow_unused(torch):
    def case(L):
        a = L.tensor([1., 2.], requires_grad=True)
        b = L.tensor(3., requires_grad=True)
        c = L.tensor(1., requires_grad=True)
        y1, y2 = (a * b).sum(), (a ** 2).sum()
        ga, gb, gc = L.autograd.grad([y1, y2], [a, b, c],
                                     grad_outputs=[L.tensor(2.), L.tensor(1.)], allow_unused=True)
        return ga, gb, gc, a.grad, b.grad
    ours, theirs = _both(torch, case)
    _assert_close(ours, theirs)
    assert ours[2] is None and ours[3] is None  # unused input; .grad untouched


@pytest.mark.torch
def test_grad_with_respect_to_a_non_leaf(torch):
    def case(L):
        a = L.tensor([1., 2.], requires_grad=True)
        h = a * 3
        y = (h ** 2).sum()
        (g,) = L.autograd.grad(y, h, retain_graph=True)
        y.backward()
        return g, a.grad
    ours, theirs = _both(torch, case)
    _assert_close(ours, theirs)


def test_grad_errors():
    a = tgl.tensor([1., 2.], requires_grad=True)
    c = tgl.tensor(1., requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused=True") as info:
        tgl.autograd.grad((a * 2).sum(), [a, c])
    assert "index 1" in str(info.value)
    with pytest.raises(RuntimeError, match="does not require grad"):
        tgl.autograd.grad((a * 2).sum(), tgl.tensor([1.]))
    with pytest.raises(RuntimeError, match="scalar outputs"):
        tgl.autograd.grad(a * 2, a)
    y = (a * a).sum()
    tgl.autograd.grad(y, a)  # retain_graph defaults to create_graph (False)
    with pytest.raises(RuntimeError, match="second time"):
        tgl.autograd.grad(y, a)


# ------------------------------------------------------------ grad mode
def test_no_grad_and_enable_grad_as_context_managers_and_decorators():
    x = tgl.tensor([1.], requires_grad=True)
    with tgl.no_grad():
        assert not tgl.is_grad_enabled()
        y = x * 2
        with tgl.enable_grad():
            assert tgl.is_grad_enabled()
            z = x * 2
        assert not tgl.is_grad_enabled()
    assert tgl.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and z.requires_grad

    @tgl.no_grad()
    def with_parens(t):
        return t * 2

    @tgl.no_grad
    def without_parens(t):
        return t * 2

    @tgl.enable_grad()
    def enabled(t):
        return t * 2

    assert not with_parens(x).requires_grad and not without_parens(x).requires_grad
    with tgl.no_grad():
        assert enabled(x).requires_grad
    assert with_parens.__name__ == "with_parens"


def test_grad_mode_is_restored_after_exceptions():
    with pytest.raises(ValueError):
        with tgl.no_grad():
            raise ValueError
    assert tgl.is_grad_enabled()

    @tgl.no_grad()
    def fail():
        raise KeyError

    with pytest.raises(KeyError):
        fail()
    assert tgl.is_grad_enabled()


def test_set_grad_enabled():
    with tgl.set_grad_enabled(False):
        assert not tgl.is_grad_enabled()
    assert tgl.is_grad_enabled()
    tgl.set_grad_enabled(False)
    try:
        assert not tgl.is_grad_enabled()
    finally:
        tgl.set_grad_enabled(True)

    @tgl.set_grad_enabled(False)
    def off():
        return tgl.is_grad_enabled()

    assert tgl.is_grad_enabled()  # decorating does not switch the mode
    assert off() is False and tgl.is_grad_enabled()


def test_no_grad_decorated_generator_does_not_leak_the_mode():
    @tgl.no_grad()
    def gen():
        yield tgl.is_grad_enabled()
        yield tgl.is_grad_enabled()

    it = gen()
    assert next(it) is False
    assert tgl.is_grad_enabled()
    assert next(it) is False


def test_grad_mode_is_thread_local():
    seen = []
    with tgl.no_grad():
        worker = threading.Thread(target=lambda: seen.append(tgl.is_grad_enabled()))
        worker.start()
        worker.join()
    assert seen == [True]


# ------------------------------------------------------------ custom Function
def _cube(L):
    class Cube(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x * x * x * k

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x * ctx.k, None
    return Cube


@pytest.mark.torch
def test_custom_function_values_gradients_and_double_backward(torch):
    def case(L):
        x = L.tensor([1., 2.], requires_grad=True)
        y = _cube(L).apply(x, 2.)
        (g,) = L.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = L.autograd.grad(g.sum(), x)
        return y, g, gg
    ours, theirs = _both(torch, case)
    _assert_close(ours, theirs)
    y = _cube(tgl).apply(tgl.tensor([1.], requires_grad=True), 1.)
    assert y.grad_fn.name() == "CubeBackward" and repr(y).endswith("grad_fn=<CubeBackward>)")


@pytest.mark.torch
def test_custom_function_multiple_outputs_and_needs_input_grad(torch):
    def case(L):
        seen = []

        class Two(L.autograd.Function):
            @staticmethod
            def forward(ctx, x, y, k):
                seen.append(tuple(ctx.needs_input_grad))
                ctx.save_for_backward(x, y)
                return x * y * k, x + y

            @staticmethod
            def backward(ctx, g1, g2):
                seen.append(tuple(ctx.needs_input_grad))
                x, y = ctx.saved_tensors
                return g1 * y * 2 + g2, None, None

        x = L.tensor([1., 2.], requires_grad=True)
        y = L.tensor([3., 4.])
        a, b = Two.apply(x, y, 2)
        (a.sum() + 3 * b.sum()).backward()
        first = x.grad.clone()
        x.grad = None
        a, b = Two.apply(x, y, 2)
        a.sum().backward()  # the unused output's gradient arrives as zeros
        return first, x.grad, seen
    (o1, o2, o_seen), (t1, t2, t_seen) = _both(torch, case)
    _assert_close((o1, o2), (t1, t2))
    assert o_seen == t_seen == [(True, False, False)] * 4


def test_custom_function_details():
    class Mark(tgl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y, idx = x * 2, (x > 1)
            ctx.mark_non_differentiable(idx)
            return y, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            return g * 2

    x = tgl.tensor([1., 2.], requires_grad=True)
    y, idx = Mark.apply(x)
    assert y.requires_grad and not idx.requires_grad and idx.dtype == tgl.bool
    with tgl.no_grad():
        assert not Mark.apply(x)[0].requires_grad
    assert not Mark.apply(tgl.tensor([1.]))[0].requires_grad


@pytest.mark.parametrize("returned, message", [
    (lambda g: g, "expected 2, got 1"),
    (lambda g: (g, g, g), "expected 2, got 3"),
    (lambda g: (g.sum().reshape(1, 1, 1), None), "invalid gradient at index 0"),
    (lambda g: ("text", None), "returned a str"),
])
def test_custom_function_returning_wrong_gradients_is_a_clear_error(returned, message):
    class Bad(tgl.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return returned(g)

    x = tgl.tensor([1., 2.], requires_grad=True)
    with pytest.raises((RuntimeError, TypeError), match=message) as info:
        Bad.apply(x, 2.).sum().backward()
    assert "Bad" in str(info.value)


def test_custom_function_gradient_of_broadcast_shape_is_reduced():
    class Spread(tgl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g.expand(3, 2)  # broadcast form of the (2,) gradient

    x = tgl.tensor([1., 2.], requires_grad=True)
    Spread.apply(x).sum().backward()
    assert x.grad.tolist() == [3., 3.]


# ------------------------------------------------------------ gradcheck
def test_gradcheck_and_gradgradcheck_pass_on_correct_functions():
    x = tgl.tensor([0.3, 1.2, -0.7], dtype=tgl.float64, requires_grad=True)
    w = tgl.tensor([[1., 2., 0.5]], dtype=tgl.float64, requires_grad=True)
    assert tgl.autograd.gradcheck(lambda a, b: (a.exp() * b).tanh(), (x, w))
    assert tgl.autograd.gradgradcheck(lambda a, b: (a.exp() * b).tanh(), (x, w))
    assert tgl.autograd.gradcheck(_cube(tgl).apply, (x, 2.))


def _wrong_square():
    class WrongSquare(tgl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # should be 2 * g * x
    return WrongSquare


def test_gradcheck_names_the_input_and_the_worst_element():
    x = tgl.tensor([1., 2., 3.], dtype=tgl.float64, requires_grad=True)
    with pytest.raises(tgl.autograd.GradcheckError, match="input 0") as info:
        tgl.autograd.gradcheck(_wrong_square().apply, (x,))
    text = str(info.value)
    assert "(2,)" in text  # the worst element: the largest error is at x = 3
    assert "numerical 6" in text and "analytical 3" in text
    assert isinstance(info.value, RuntimeError)
    assert tgl.autograd.gradcheck(_wrong_square().apply, (x,), raise_exception=False) is False


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class BadSecond(tgl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x.detach() * x.detach()  # detached: d2 is lost

    x = tgl.tensor([1., 2.], dtype=tgl.float64, requires_grad=True)
    assert tgl.autograd.gradcheck(BadSecond.apply, (x,))
    assert tgl.autograd.gradgradcheck(BadSecond.apply, (x,), raise_exception=False) is False


# ------------------------------------------------------------ anomaly
def test_detect_anomaly_names_the_operation():
    x = tgl.tensor([0., 1.], requires_grad=True)
    with tgl.autograd.detect_anomaly():
        y = x.sqrt()
        with pytest.raises(RuntimeError, match="SqrtBackward0") as info:
            (y * 0).sum().backward()
    assert "nan" in str(info.value) and "test_autograd.py" in str(info.value)
    x.grad = None
    (x.sqrt() * 0).sum().backward()  # outside: no check, NaN as in PyTorch
    assert np.isnan(x.grad.numpy()[0]) and not tgl.autograd.is_anomaly_enabled()


# ------------------------------------------------------------ graph size and lifetime
def _chain(n: int):
    x = tgl.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0
    return x, y


def test_backward_through_a_100000_op_chain():
    limit = sys.getrecursionlimit()
    x, y = _chain(100_000)
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    assert sys.getrecursionlimit() == limit


def test_deleting_a_deep_graph_without_backward():
    x, y = _chain(100_000)
    z = y.exp()
    del y, z  # frees 100,001 nodes, one after the other, without recursion
    gc.collect()
    assert x.grad is None and x.is_leaf


def test_graph_is_freed_after_use():
    import weakref
    x = tgl.tensor([1., 2.], requires_grad=True)
    y = (x * 2).exp()
    node = weakref.ref(y.grad_fn)
    y.sum().backward()
    del y
    gc.collect()
    assert node() is None


def test_backward_silences_numpy_float_warnings_and_restores_the_callers_state():
    """backward() lets inf and nan flow as PyTorch does, without numpy
    RuntimeWarnings, and leaves numpy's error state as it found it, also
    when backward raises."""
    import warnings
    x = tgl.tensor([0.0, 1.0], requires_grad=True)
    with np.errstate(divide="raise", invalid="warn", over="print", under="ignore"):
        before = np.geterr()
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            (x.log() * 2).sum().backward()  # d log(x) at 0: 2 / 0 = inf
        assert x.grad.tolist() == [np.inf, 2.0]
        assert np.geterr() == before
        y = x.exp()

        def fail(grad):
            raise ValueError("hook failed")
        y.register_hook(fail)
        with pytest.raises(ValueError, match="hook failed"):
            y.sum().backward()
        assert np.geterr() == before


@given(shapes=st.sampled_from([((), ()), ((3,), (3,)), ((2, 3), (3,)), ((1,), (2, 1)), ((0,), (4,))]),
       seed=st.integers(0, 2**16))
@settings(max_examples=25, deadline=None)
def test_the_link_to_saved_tensors_passes_the_gradient_and_adds_zero(shapes, seed):
    """engine.SavedLink (create_graph's tie to what an op saved): its value
    is the gradient's; its derivative is 1 for the gradient and 0 for the
    tied tensors, checked against finite differences in float64."""
    from tinygrad_lite.autograd.engine import SavedLink
    rng = np.random.default_rng(seed)
    g = tgl.tensor(rng.standard_normal(shapes[0]), requires_grad=True)
    s = tgl.tensor(rng.standard_normal(shapes[1]), requires_grad=True)
    out = SavedLink.apply(g, s)
    assert out.data.tolist() == g.data.tolist() and out.requires_grad
    assert tgl.autograd.gradcheck(lambda a, b: SavedLink.apply(a, b), (g, s))
    assert tgl.autograd.gradgradcheck(lambda a, b: SavedLink.apply(a, b) * a, (g, s))
