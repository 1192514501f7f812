"""Views: tensors that share memory with another tensor, and what in-place
changes do to their history.

Reshape, permute, expand and basic indexing return views (numpy views of the
input's memory), as in PyTorch. Every view remembers how it was made: its
parent, the view operation and its arguments, and its *autograd base* -- the
first tensor up the chain that is not itself such a view (detach() starts a
new chain: it shares memory but not history).

When an in-place operation is recorded on the base (or, through a view, on
part of it), the base gets a new ``grad_fn`` and every existing view of it
is out of date. As in PyTorch, a view notices lazily -- when it is next used
by a recorded operation, is a root of backward, or its ``grad_fn`` is read --
and rebuilds its history by replaying its view operations on the base.
"""
from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ..grad_mode import _state
from ..tensor import Tensor


def mark(out: Tensor, parent: Tensor, op: Any, args: tuple) -> None:
    """Record that `out`, made by view operation `op` from `parent` with
    `args`, shares `parent`'s memory."""
    view = parent._view
    base = parent if view is None else view[3]
    out._base = parent if parent._base is None else parent._base
    out._view = (parent, op, args, base, base._ctx)


def is_stale(t: Tensor) -> bool:
    """Whether view `t`'s base was changed in place (recorded) since `t`'s
    history was made."""
    view = t._view
    return view is not None and view[3]._ctx is not view[4]


def path(t: Tensor) -> list:
    """The view operations leading from `t`'s autograd base to `t`, as
    ``(op, args)`` pairs in the order they apply."""
    steps = []
    while t._view is not None:
        parent, op, args = t._view[:3]
        steps.append((op, args))
        t = parent
    steps.reverse()
    return steps


def replay(x: Tensor, steps: list) -> Tensor:
    for op, args in steps:
        x = op.apply(x, *args)
    return x


def refresh(t: Tensor) -> None:
    """Rebuild view `t`'s history from its base if the base changed."""
    view = t._view
    base = view[3]
    if base._ctx is view[4]:
        return
    prev, _state.enabled = _state.enabled, True
    try:
        fresh = replay(base, path(t))
    finally:
        _state.enabled = prev
    t._ctx, t._out_nr, t._rg = fresh._ctx, fresh._out_nr, fresh._rg
    if fresh._ctx is not None:
        fresh._ctx._outputs = weakref.ref(t)
    t._view = view[:4] + (base._ctx,)


def index_in_base(t: Tensor) -> tuple:
    """Where `t`'s elements sit in its autograd base: an advanced index
    (one integer array per dim of the base) with `t`'s shape."""
    base = t._view[3]
    ids = Tensor._make(np.arange(base.data.size).reshape(base.data.shape))
    prev, _state.enabled = _state.enabled, False
    try:
        located = replay(ids, path(t)).data
    finally:
        _state.enabled = prev
    return np.unravel_index(located, base.data.shape)
