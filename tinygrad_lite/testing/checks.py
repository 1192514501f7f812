"""assert_grad_close: a one-line gradient test for your own operations."""
from __future__ import annotations

from typing import Any, Callable

from ..autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from ..tensor import Tensor


def assert_grad_close(fn: Callable[..., Any], *inputs: Any, atol: float = 1e-5,
                      rtol: float = 1e-3, eps: float = 1e-6, second_order: bool = True) -> None:
    """Assert that `fn`'s backward matches central finite differences.

    Every floating-point Tensor among `inputs` is checked (as a float64 copy
    that requires grad); other inputs (numbers, index tensors, ...) are
    passed through unchanged. With ``second_order`` the second derivatives
    are checked too (gradgradcheck): a backward written with Tensor
    operations passes it; one that computes on ``.data`` or numpy does not.

    Raises AssertionError naming the input, the output and the worst
    element, followed by both Jacobians. Keep inputs small (each element
    costs two evaluations of `fn`) and away from kinks such as |x| at 0,
    where finite differences are meaningless.

    Example::

        class Cube(tgl.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x * x

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 3 * x * x

        assert_grad_close(Cube.apply, tgl.randn(3, dtype=tgl.float64))
    """
    prepared = []
    for x in inputs:
        if isinstance(x, Tensor) and x.is_floating_point():
            x = x.detach().double().requires_grad_()
        prepared.append(x)
    checked = [i for i, x in enumerate(prepared) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("assert_grad_close: give at least one floating point Tensor input "
                         f"(got {[type(x).__name__ for x in inputs]})")
    checks = [("first", gradcheck, "")]
    if second_order:
        legend = "; ".join(f"output {k} is the gradient for input {i}"
                           for k, i in enumerate(checked))
        legend = (f"\n(In this second-order check {legend}; inputs {len(prepared)} and up, if "
                  f"named, are the gradients from above that backward received.)")
        checks.append(("second", gradgradcheck, legend))
    for order, check, legend in checks:
        try:
            check(fn, tuple(prepared), eps=eps, atol=atol, rtol=rtol)
        except GradcheckError as e:
            raise AssertionError(f"assert_grad_close ({order} derivatives): {e}{legend}") from None
