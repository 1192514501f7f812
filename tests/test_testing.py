"""tgl.testing used the way a user would: write a custom autograd Function,
property-test its gradients with the public strategies, and see the helper
reject a wrong backward with a message that names the culprit."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_lite as tgl
from tinygrad_lite.testing import assert_grad_close, broadcastable_shapes, shapes, tensors


class Cube(tgl.autograd.Function):
    """x ** 3, with a backward written in Tensor operations (so it is twice
    differentiable)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


class Hypot(tgl.autograd.Function):
    """sqrt(x^2 + y^2) with broadcasting: backward may return gradients of
    the broadcast shape; autograd sums them back to each input's shape."""

    @staticmethod
    def forward(ctx, x, y):
        out = (x * x + y * y).sqrt()
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx.saved_tensors
        return grad * x / out, grad * y / out


class CubeWrongBackward(Cube):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x  # wrong: the derivative is 3 x^2


class HypotWrongSecondInput(Hypot):
    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx.saved_tensors
        return grad * x / out, grad * x / out  # wrong for y only


class CubeBackwardOnNumpy(Cube):
    """Right first derivative, but computed on .data: the graph of the
    gradient is lost, so the second derivative comes out as zero."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * tgl.tensor(3 * x.data * x.data)


@given(tensors(shape=shapes(max_dims=3, max_side=3)))
def test_custom_unary_function_has_correct_gradients(x) -> None:
    np.testing.assert_allclose(Cube.apply(x).data, x.data ** 3)
    assert_grad_close(Cube.apply, x)


@given(st.data())
def test_custom_binary_function_broadcasts(data) -> None:
    shape = data.draw(shapes(max_dims=3, max_side=3), label="shape")
    other = data.draw(broadcastable_shapes(shape, max_side=3), label="other shape")
    x = data.draw(tensors(shape=shape, min_value=0.5, max_value=3.0), label="x")  # keeps |.| > 0
    y = data.draw(tensors(shape=other), label="y")
    out = Hypot.apply(x, y)
    assert out.shape == np.broadcast_shapes(shape, other)
    np.testing.assert_allclose(out.data, np.hypot(x.data, y.data))
    assert_grad_close(Hypot.apply, x, y)


def test_wrong_backward_is_caught_and_the_input_named() -> None:
    x = tgl.tensor([0.5, -1.0, 2.0], dtype=tgl.float64)
    with pytest.raises(AssertionError, match=r"first derivatives.*input 0 \(shape \(3,\)\)"):
        assert_grad_close(CubeWrongBackward.apply, x)


def test_wrong_gradient_for_one_input_names_that_input() -> None:
    x = tgl.tensor([[1.0], [2.0]], dtype=tgl.float64)
    y = tgl.tensor([0.5, -1.5, 3.0], dtype=tgl.float64)
    assert_grad_close(Hypot.apply, x, y)  # the correct version passes
    with pytest.raises(AssertionError, match=r"with respect to input 1 \(shape \(3,\)\)"):
        assert_grad_close(HypotWrongSecondInput.apply, x, y)


def test_backward_on_numpy_fails_only_the_second_order_check() -> None:
    x = tgl.tensor([0.5, -1.0, 2.0], dtype=tgl.float64)
    assert_grad_close(CubeBackwardOnNumpy.apply, x, second_order=False)
    with pytest.raises(AssertionError, match="second derivatives") as info:
        assert_grad_close(CubeBackwardOnNumpy.apply, x)
    assert "output 0 is the gradient for input 0" in str(info.value)


def test_non_tensor_arguments_pass_through_and_float32_is_checked_in_float64() -> None:
    seen = []

    def scaled_cube(x, k):
        seen.append(x.dtype)
        return Cube.apply(x) * k

    assert_grad_close(scaled_cube, tgl.tensor([0.3, -0.7]), 2.5)  # float32 input
    assert set(seen) == {tgl.float64}


def test_needs_a_floating_point_tensor() -> None:
    with pytest.raises(ValueError, match="floating point Tensor"):
        assert_grad_close(lambda k: k * 2, tgl.tensor([1, 2]))


@given(tensors(shape=shapes(min_dims=1, max_dims=2, max_side=3), min_value=-1.0,
               max_value=2.0, requires_grad=True))
def test_tensors_strategy_respects_its_arguments(x) -> None:
    assert isinstance(x, tgl.Tensor) and x.dtype == tgl.float64 and x.requires_grad
    assert 1 <= x.ndim <= 2 and all(1 <= n <= 3 for n in x.shape)
    assert ((x.data >= -1.0) & (x.data <= 2.0)).all()


@given(st.data())
def test_broadcastable_shapes_broadcast_with_the_shape(data) -> None:
    shape = data.draw(shapes(max_dims=3))
    other = data.draw(broadcastable_shapes(shape))
    result = np.broadcast_shapes(shape, other)  # raises if they do not broadcast
    assert len(result) == max(len(shape), len(other))
