"""Grad mode: whether operations record the graph.

One owner: the thread-local `_state` (every thread starts with grad mode
on). `no_grad`, `enable_grad` and `set_grad_enabled` are context managers
and decorators, as in PyTorch: they restore the previous mode on exit, even
when the body raises, and a decorated generator function runs each of its
steps in the mode without leaking it to the caller between steps.
"""
from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState(threading.local):
    enabled = True  # class default: every new thread starts with grad on


_state = _GradState()


def is_grad_enabled() -> bool:
    """True when operations record the graph for backward."""
    return _state.enabled


def _decorate(fn: F, mode: bool) -> F:
    """`fn` running with grad mode `mode` (generators: each step)."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Any:
            gen = fn(*args, **kwargs)
            sent = None
            while True:
                prev, _state.enabled = _state.enabled, mode
                try:
                    item = gen.send(sent)
                except StopIteration as stop:
                    return stop.value
                finally:
                    _state.enabled = prev
                sent = yield item
        return generator  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        prev, _state.enabled = _state.enabled, mode
        try:
            return fn(*args, **kwargs)
        finally:
            _state.enabled = prev

    return wrapper  # type: ignore[return-value]


class _GradModeContext:
    mode: bool = True

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        # `@no_grad` without parentheses decorates directly, as in PyTorch.
        self = super().__new__(cls)
        return self if func is None else _decorate(func, cls.mode)

    def __enter__(self) -> None:
        self.prev = _state.enabled
        _state.enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self.prev

    def __call__(self, fn: F) -> F:
        """Use as a decorator: the function runs in this mode."""
        return _decorate(fn, self.mode)


class no_grad(_GradModeContext):
    """Operations inside do not record the graph (use it for parameter
    updates such as ``W -= lr * W.grad`` and for evaluation)."""

    mode = False


class enable_grad(_GradModeContext):
    """Operations inside record the graph even within a ``no_grad`` block."""

    mode = True


class set_grad_enabled:
    """Turn graph recording on or off: immediately when called, and as a
    context manager or decorator that restores the previous mode afterwards
    (PyTorch's semantics)."""

    def __init__(self, mode: bool) -> None:
        self.prev = _state.enabled
        self.mode = bool(mode)
        _state.enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self.prev

    def __call__(self, fn: F) -> F:
        """As a decorator the mode applies to calls of `fn` only."""
        _state.enabled = self.prev
        return _decorate(fn, self.mode)
