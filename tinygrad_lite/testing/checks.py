"""assert_grad_close: a one-line gradient test for your own operations."""
from __future__ import annotations

from typing import Any, Callable

from ..autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from ..tensor import Tensor


def assert_grad_close(fn: Callable[..., Any], *inputs: Any, atol: float = 1e-5,
                      rtol: float = 1e-3, eps: float = 1e-6, second_order: bool = True) -> None:
    """Assert that `fn`'s backward matches central finite differences.

    Every floating-point Tensor among `inputs` is checked (as a float64 copy
    that requires grad); other inputs are passed through unchanged. With
    ``second_order`` the second derivatives are checked too (gradgradcheck).
    Raises AssertionError naming the input and the worst element.
    """
    prepared = []
    for x in inputs:
        if isinstance(x, Tensor) and x.is_floating_point():
            x = x.detach().double().requires_grad_()
        prepared.append(x)
    if not any(isinstance(x, Tensor) and x.requires_grad for x in prepared):
        raise ValueError("assert_grad_close: give at least one floating point Tensor input")
    checks = [("first", gradcheck)] + ([("second", gradgradcheck)] if second_order else [])
    for order, check in checks:
        try:
            check(fn, tuple(prepared), eps=eps, atol=atol, rtol=rtol)
        except GradcheckError as e:
            raise AssertionError(f"assert_grad_close ({order} derivatives): {e}") from None
