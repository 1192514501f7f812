"""Which module calls are running, so that graph nodes know where they were
made (``tgl.viz.draw_graph`` boxes the operations of each module).

`current` is a tuple of ``(path, class_name)`` pairs, outermost first, e.g.
``(("", "Net"), ("encoder", "Sequential"), ("encoder.0", "Linear"))``.
`nn.Module.__call__` enters and leaves it; every recorded node keeps the
tuple that was current when it was made.
"""
from __future__ import annotations

from typing import Any

current: tuple = ()
_objects: tuple = ()  # the module objects behind `current`


def enter(module: Any) -> tuple:
    """Push `module`; returns the previous state for `leave`."""
    global current, _objects
    prev = (current, _objects)
    name = ""
    if _objects:
        parent_path = current[-1][0]
        child = _child_name(_objects[-1], module)
        name = child if not parent_path else f"{parent_path}.{child}"
    current = current + ((name, type(module).__name__),)
    _objects = _objects + (module,)
    return prev


def leave(prev: tuple) -> None:
    global current, _objects
    current, _objects = prev


def _child_name(parent: Any, module: Any) -> str:
    for name, child in getattr(parent, "_modules", {}).items():
        if child is module:
            return name
    for name, child in parent.named_modules():  # e.g. a ModuleList's item
        if child is module and name:
            return name
    return type(module).__name__  # called from a parent it is not registered in
