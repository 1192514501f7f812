"""Collect the graph behind some tensors into plain Python records.

The autograd graph is made of nodes (`Function` instances). Tensors are not
stored in it: a node's ``edges`` name its inputs (the producing node and
output number, or the leaf Tensor itself), and ``_outputs`` holds weak
references to the tensors it made, alive only while the user holds them.
Constants (inputs that need no gradient) have no edge; `_link` notes them in
``node._consts``. `walk` turns all of this into `TensorItem` and `OpItem`
records plus the arrows between them, so that drawing never has to know
these details.

Everything here is iterative (no recursion): a 100,000-node chain is fine.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor


@dataclass
class TensorItem:
    """One tensor of the picture: a leaf, a constant, or an op's output."""

    key: tuple
    kind: str                      # "leaf" | "out" (an op's output) | "const"
    shape: tuple
    dtype: np.dtype
    tensor: Tensor | None = None   # the Tensor object, when it is still alive
    node: Function | None = None   # kind "out": the producing node
    nr: int = 0                    # kind "out": which output of `node`
    consumers: list = field(default_factory=list)  # OpItems that read it


@dataclass
class OpItem:
    """One operation (graph node) of the picture."""

    key: tuple
    node: Function


@dataclass
class Walk:
    """The result of `walk`: items in breadth-first order from the roots
    (nearest first) and the arrows between them, in discovery order."""

    items: dict                    # key -> TensorItem | OpItem, BFS order
    arrows: list                   # (src_key, dst_key, slot or None)
    roots: list                    # keys of the roots, in the order given


def tensor_key(t: Tensor) -> tuple:
    """The key of a tensor the user holds (a root, a leaf)."""
    if t._ctx is None:
        return ("leaf", id(t))
    return ("out", id(t._ctx), t._out_nr)


def root_item(t: Tensor) -> TensorItem:
    if t._ctx is None:
        return TensorItem(tensor_key(t), "leaf", t.data.shape, t.data.dtype, tensor=t)
    return TensorItem(tensor_key(t), "out", t.data.shape, t.data.dtype, tensor=t,
                      node=t._ctx, nr=t._out_nr)


def live_output(node: Function, nr: int) -> Tensor | None:
    """Output `nr` of `node` if the user still holds it (and it was not
    since relinked to another node by an in-place operation)."""
    refs = node._outputs
    ref = refs if type(refs) is not tuple else refs[nr]
    t = ref()
    if t is None or t._ctx is not node or t._out_nr != nr:
        return None
    return t


def _input_item(node: Function, slot: int, edge: tuple | None) -> TensorItem | None:
    """The tensor that argument `slot` of `node` came from, or None when the
    argument was not a Tensor (a shape, a dim, ...)."""
    if edge is not None:
        target, nr, shape, dtype = edge
        if isinstance(target, Function):
            return TensorItem(("out", id(target), nr), "out", shape, dtype,
                              tensor=live_output(target, nr), node=target, nr=nr)
        return TensorItem(("leaf", id(target)), "leaf", shape, dtype, tensor=target)
    consts = getattr(node, "_consts", None)
    t = consts.get(slot) if consts else None
    if t is None:
        return None
    shape, dtype = t.data.shape, t.data.dtype
    if t._ctx is None and t.data.ndim:
        return TensorItem(("leaf", id(t)), "leaf", shape, dtype, tensor=t)
    # numbers made constants (0-d) get a node per use, so shared ones do not
    # tie unrelated parts of the picture together
    return TensorItem(("const", id(node), slot), "const", shape, dtype, tensor=t, node=node)


def walk(roots: list) -> Walk:
    """Every tensor and operation behind `roots`, breadth first."""
    items: dict = {}
    arrows: list = []
    queue: deque = deque()

    def discover(item: Any) -> Any:
        known = items.get(item.key)
        if known is not None:
            return known
        items[item.key] = item
        queue.append(item)
        return item

    root_keys = [discover(root_item(t)).key for t in roots]
    while queue:
        item = queue.popleft()
        if isinstance(item, OpItem):
            for slot, edge in enumerate(item.node.edges):
                found = _input_item(item.node, slot, edge)
                if found is not None:
                    source = discover(found)
                    source.consumers.append(item)
                    arrows.append((source.key, item.key, slot))
        elif item.kind == "out":
            op = discover(OpItem(("op", id(item.node)), item.node))
            arrows.append((op.key, item.key, None))
    return Walk(items, arrows, list(dict.fromkeys(root_keys)))


def forward_order(keys: list, upstream: dict, roots: list) -> list:
    """`keys` sorted so that every item comes after the items it is computed
    from (inputs first), by an iterative depth-first search from the roots
    that visits inputs in argument order."""
    order: list = []
    seen: set = set()
    stack = [(key, False) for key in reversed(roots)]
    while stack:
        key, expanded = stack.pop()
        if expanded:
            order.append(key)
            continue
        if key in seen:
            continue
        seen.add(key)
        stack.append((key, True))
        for src in reversed(upstream.get(key, ())):
            if src not in seen:
                stack.append((src, False))
    wanted = set(keys)
    return [key for key in order if key in wanted]
