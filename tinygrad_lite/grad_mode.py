"""Grad mode: whether operations record the graph.

One owner: the thread-local `_state`. `no_grad`, `enable_grad` and
`set_grad_enabled` are context managers (and decorators) that restore the
previous state on exit, even when the body raises.
"""
from __future__ import annotations

import functools
import threading
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState(threading.local):
    enabled = True  # class default: every new thread starts with grad on


_state = _GradState()


def is_grad_enabled() -> bool:
    """True when operations record the graph for backward."""
    return _state.enabled


class set_grad_enabled:
    """Turn graph recording on or off: immediately, and as a context manager
    that restores the previous mode on exit (PyTorch's semantics)."""

    def __init__(self, mode: bool) -> None:
        self.prev = _state.enabled
        self.mode = bool(mode)
        _state.enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self.prev


class _GradModeContext:
    mode: bool = True

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        # `@no_grad` without parentheses decorates directly, as in PyTorch.
        self = super().__new__(cls)
        return self if func is None else self(func)

    def __enter__(self) -> None:
        self.prev = _state.enabled
        _state.enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self.prev

    def __call__(self, fn: F) -> F:
        """Use as a decorator: the function runs in this mode."""
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = _state.enabled
            _state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _state.enabled = prev

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):
    """Operations inside do not record the graph (use it for parameter
    updates such as ``W -= lr * W.grad`` and for evaluation)."""

    mode = False


class enable_grad(_GradModeContext):
    """Operations inside record the graph even within a ``no_grad`` block."""

    mode = True
