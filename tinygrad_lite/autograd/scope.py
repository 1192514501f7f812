"""Which module calls are running, so that graph nodes know where they were
made (``tgl.viz.draw_graph`` boxes the operations of each module).

`current` is the tuple of module objects whose ``__call__`` is running,
outermost first. `nn.Module.__call__` enters and leaves it (cheaply: one
tuple per call); every recorded node keeps the tuple that was current when
it was made, and `describe` turns it into names only when a picture needs
them.
"""
from __future__ import annotations

from typing import Any

current: tuple = ()


def enter(module: Any) -> tuple:
    """Push `module`; returns the previous state for `leave`."""
    global current
    prev = current
    current = prev + (module,)
    return prev


def leave(prev: tuple) -> None:
    global current
    current = prev


def describe(modules: tuple) -> tuple:
    """``(path, class_name)`` for each module of a scope, e.g.
    ``(("", "Net"), ("encoder", "Sequential"), ("encoder.0", "Linear"))``."""
    described = []
    path = ""
    for depth, module in enumerate(modules):
        if depth:
            child = _child_name(modules[depth - 1], module)
            path = child if not path else f"{path}.{child}"
        described.append((path, type(module).__name__))
    return tuple(described)


def _child_name(parent: Any, module: Any) -> str:
    for name, child in getattr(parent, "_modules", {}).items():
        if child is module:
            return name
    for name, child in parent.named_modules():  # e.g. a ModuleList's item
        if child is module and name:
            return name
    return type(module).__name__  # called from a parent it is not registered in
