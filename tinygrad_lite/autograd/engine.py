"""The backward engine: topological order, chain rule, accumulation.

`run_backward` walks the graph behind some root tensors, outputs first. Each
node receives the sum of the gradients of its outputs, asks its Function for
the gradients of its inputs, and passes each one along its edge: to another
node's buffer, or into a leaf's ``.grad``. Every gradient is reduced to the
shape and dtype of the input it belongs to here, in one place (`conform`), so
that operations that broadcast never un-broadcast themselves.

The order needs no search of the graph: every node gets a sequence number
when it is recorded (`Function._seq`), and all of a node's inputs were
recorded before it. So running the pending node with the highest number
first (a heap) runs each node after every node that used its output, which
is what PyTorch's engine does too. Nothing recurses, so a graph of any depth
works; `topological_order` computes the same kind of order explicitly, for
``grad()`` and for readers. Unless ``retain_graph`` is set, each node frees its saved tensors after
use; a second backward through such a node raises an error that says so.
"""
from __future__ import annotations

from heapq import heappop, heappush
from typing import Any, Iterable, Sequence

import numpy as np

from . import anomaly, views

from .function import FREED, Function, Op
from ..grad_mode import _state
from ..tensor import Tensor

_new_tensor = Tensor._make

try:
    # numpy >= 2 keeps the floating-point error state in a context variable.
    # Setting it directly costs 0.2 us, np.errstate 0.8 us; every backward()
    # pays it once, which shows on small networks.
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj

    _IGNORE_ALL = _make_extobj(all="ignore")

    def _quiet_float_errors() -> Any:
        """Silence numpy's floating-point warnings; returns what
        `_restore_float_errors` needs to undo it."""
        return _extobj_contextvar.set(_IGNORE_ALL)

    def _restore_float_errors(token: Any) -> None:
        _extobj_contextvar.reset(token)
except ImportError:  # numpy 1.x
    def _quiet_float_errors() -> Any:
        """Silence numpy's floating-point warnings; returns what
        `_restore_float_errors` needs to undo it."""
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def _restore_float_errors(token: Any) -> None:
        token.__exit__(None, None, None)


def sum_to(grad: Any, shape: tuple) -> Any:
    """Sum a broadcast gradient (array or Tensor) back down to `shape`."""
    gshape = grad.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    if lead < 0 or any(n != 1 and n != gshape[lead + i] for i, n in enumerate(shape)):
        raise RuntimeError(
            f"backward: a gradient of shape {tuple(gshape)} cannot belong to an "
            f"input of shape {tuple(shape)} (the shapes do not broadcast)")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def conform(grad: Any, shape: tuple, dtype: np.dtype) -> Any:
    """The gradient in the shape and dtype of its input."""
    if grad.shape != shape:
        grad = sum_to(grad, shape)
    if grad.dtype != dtype:
        grad = grad.to(dtype) if isinstance(grad, Tensor) else grad.astype(dtype)
    return grad


def _conform_from(node: Function, edge: tuple, grad: Any) -> Any:
    """`conform` for the gradient `node` computed for `edge`, with an error
    naming the node when the shape cannot be its input's."""
    try:
        return conform(grad, edge[2], edge[3])
    except RuntimeError:
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index "
            f"{node.edges.index(edge)} - got {list(grad.shape)} but expected shape "
            f"compatible with {list(edge[2])} (the shape of that input of "
            f"{type(node).__name__}.forward)") from None


def topological_order(roots: Iterable[Function]) -> list:
    """Nodes reachable from `roots`, each before the nodes it depends on
    (outputs first), found by an iterative depth-first search."""
    order: list = []
    seen: set = set()
    stack = [(node, False) for node in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        for edge in node.edges:
            if edge is not None and isinstance(edge[0], Function) and edge[0] not in seen:
                stack.append((edge[0], False))
    order.reverse()
    return order


def _n_outputs(node: Function) -> int:
    outs = node._outputs
    return len(outs) if type(outs) is tuple else 1


class _Backward:
    """One run of the engine (state shared by the helper methods)."""

    def __init__(self, retain_graph: bool, create_graph: bool,
                 capture: dict | None) -> None:
        self.retain_graph = retain_graph
        self.create_graph = create_graph
        self.capture = capture          # grad(): where to put input grads
        self.captured: dict = {}
        self.owned: set = set()         # arrays already stored in a .grad
        self.buffers: dict = {}         # node._seq -> [node, grad per output]
        self.leaf_grads: dict = {}      # id(leaf) -> [leaf, sum of its gradients]

    def send(self, heap: list, node: Function, nr: int, grad: Any) -> None:
        """Add `grad` to what output `nr` of `node` has received; a node
        that receives its first gradient joins the heap of pending nodes."""
        entry = self.buffers.get(node._seq)
        if entry is None:
            entry = self.buffers[node._seq] = [node] + [None] * _n_outputs(node)
            heappush(heap, -node._seq)
        old = entry[nr + 1]
        entry[nr + 1] = grad if old is None else old + grad

    def as_tensor(self, grad: Any) -> Tensor:
        return grad if isinstance(grad, Tensor) else _new_tensor(np.asarray(grad))

    def run_hooks(self, hooks: list, grad: Any) -> Any:
        for hook in hooks:
            new = hook(self.as_tensor(grad))
            if new is not None:
                if not isinstance(new, Tensor):
                    raise TypeError(f"a gradient hook returned {type(new).__name__}; "
                                    f"return a Tensor or None")
                _check_hook_result(hook, grad, new)
                grad = new if self.create_graph else new.data
        return grad

    def leaf(self, leaf: Tensor, grad: Any) -> None:
        """Collect one contribution to a leaf's gradient. As in PyTorch, the
        leaf's hooks then see the sum of all contributions, once (see
        `deliver`), not each contribution on its own."""
        entry = self.leaf_grads.get(id(leaf))
        if entry is None:
            self.leaf_grads[id(leaf)] = [leaf, grad]
        else:
            entry[1] = entry[1] + grad

    def deliver(self, leaf: Tensor, grad: Any) -> None:
        """Run the leaf's hooks on its total gradient, then accumulate it
        into ``.grad`` (or hand it to grad() when the leaf is an input)."""
        if self.capture is not None:
            slot = self.capture.get(id(leaf))
            if slot is None:
                return  # grad() does not touch other leaves (nor run their hooks)
            if leaf._hooks:
                grad = self.run_hooks(leaf._hooks, grad)
            old = self.captured.get(slot)
            self.captured[slot] = grad if old is None else old + grad
            return
        if leaf._hooks:
            grad = self.run_hooks(leaf._hooks, grad)
        if self.create_graph:
            grad = self.as_tensor(grad)
            leaf._grad = grad if leaf._grad is None else leaf._grad + grad
            return
        if leaf._grad is None:
            # The stored array must belong to this leaf alone: users and
            # optimizers change .grad in place (zero_, clip_grad_norm_).
            if type(grad) is not np.ndarray:
                grad = np.array(grad)  # numpy makes 0-d results scalars
            elif grad.base is not None or id(grad) in self.owned:
                grad = grad.copy()
            self.owned.add(id(grad))
            leaf._grad = _new_tensor(grad)
        else:
            old = leaf._grad.data
            if old.shape != grad.shape:
                raise RuntimeError(
                    f"backward: cannot accumulate a gradient of shape {grad.shape} "
                    f"into .grad of shape {old.shape}; set .grad = None first")
            leaf._grad.data = np.asarray(old + grad)

    def node_output_hooks(self, node: Function, grads: list) -> list:
        hooks = node._out_hooks
        for nr, g in enumerate(grads):
            if g is None:
                continue
            for hook in hooks.get(nr, ()):
                g = hook(self, g)
            grads[nr] = g
        return grads

    def check_finite(self, node: Function, grads: tuple) -> None:
        for i, g in enumerate(grads):
            if g is None:
                continue
            data = g.data if isinstance(g, Tensor) else g
            if not np.isfinite(data).all():
                what = "nan" if np.isnan(data).any() else "inf"
                trace = getattr(node, "_trace", None)
                where = "".join(trace) if trace else ""
                raise RuntimeError(
                    f"Function '{node.name()}' returned {what} values in its {i}th output "
                    f"(the gradient for input {i} of {type(node).__name__})."
                    + (f" The operation was created here:\n{where}" if where else ""))

    def run(self, roots: list, grads: list, needed: set | None = None) -> None:
        """Propagate `grads` from `roots` to the leaves. Nodes run highest
        sequence number first (see `_pending`): a node runs only after every
        node recorded later, so after every node that used its output."""
        heap: list = []
        buffers = self.buffers  # sequence number -> [node, grad of output 0, ...]
        for root, grad in zip(roots, grads):
            if root._ctx is None:
                self.leaf(root, grad)
            else:
                self.send(heap, root._ctx, root._out_nr, grad)
        prev = _state.enabled
        _state.enabled = self.create_graph
        leaf, send = self.leaf, self.send
        free = not self.retain_graph
        check_finite = anomaly._enabled
        tie = self.create_graph  # see `_tie_to_saved`
        quiet = _quiet_float_errors()  # inf and nan propagate as in PyTorch
        try:
            while heap:
                entry = buffers.pop(-heappop(heap))
                node = entry[0]
                if needed is not None and node not in needed:
                    continue
                if node._out_hooks:
                    entry[1:] = self.node_output_hooks(node, entry[1:])
                if node._builtin:  # an Op: one output, called directly (the hot path)
                    grads_in = node.backward(node, entry[1])
                    if type(grads_in) is not tuple:
                        grads_in = (grads_in,)
                    if tie:
                        grads_in = _tie_to_saved(node, grads_in)
                else:
                    grads_in = node._call_backward(entry[1:])
                if check_finite:
                    self.check_finite(node, grads_in)
                for edge, g in zip(node.edges, grads_in):
                    if g is None or edge is None:
                        continue
                    target, nr, shape, dtype = edge
                    if g.shape != shape or (g.dtype is not dtype and g.dtype != dtype):
                        g = _conform_from(node, edge, g)
                    if isinstance(target, Function):
                        seq = target._seq
                        if seq not in buffers and type(target._outputs) is not tuple:
                            buffers[seq] = [target, g]  # the usual case: one output
                            heappush(heap, -seq)
                        else:
                            send(heap, target, nr, g)
                    else:
                        leaf(target, g)
                if free and node._saved is not None:
                    node._saved = FREED
                    node._saved_data = None
            for target, g in self.leaf_grads.values():
                self.deliver(target, g)
        finally:
            _restore_float_errors(quiet)
            _state.enabled = prev


class SavedLink(Op):
    """A gradient tied, with a zero derivative, to tensors an op saved."""

    @staticmethod
    def forward(ctx, grad, *saved):
        ctx.shapes = [s.data.shape for s in saved]
        return grad.data

    @staticmethod
    def backward(ctx, g):
        zeros = [np.zeros(shape, g.dtype) for shape in ctx.shapes]
        if isinstance(g, Tensor):  # under create_graph: constant Tensors
            zeros = [_new_tensor(z) for z in zeros]
        return (g, *zeros)


def _tie_to_saved(node: Function, grads: tuple) -> tuple:
    """Under create_graph: make the gradient an op of one input computed
    depend on the tensors it saved, with a zero derivative. PyTorch's
    backward formulas take the saved tensors as inputs, so there a gradient
    requires grad whenever a saved tensor does, even where the formula only
    reads a mask from it (relu, abs, leaky_relu, pooling): a second-order
    gradient that reaches a parameter only through such a mask is then
    zeros, not None (and the optimizer updates it, e.g. with weight decay).
    Ops of several inputs (products, linear) are left as they are: there
    each gradient's formula uses the other inputs, as PyTorch's do."""
    if not node._grad_tied_to_saved or sum(e is not None for e in node.edges) != 1:
        return grads
    saved = [s for s in node.saved_tensors if isinstance(s, Tensor) and s._rg]
    if not saved:
        return grads
    return tuple(g if g is None else SavedLink.apply(
        g if isinstance(g, Tensor) else _new_tensor(np.asarray(g)), *saved) for g in grads)


def _check_hook_result(hook: Any, grad: Any, new: Tensor) -> None:
    """A hook may replace a gradient, but not with one of another shape or
    dtype (PyTorch's rule): it would not fit the tensor it belongs to."""
    name = getattr(hook, "__name__", type(hook).__name__)
    if tuple(new.shape) != tuple(grad.shape):
        raise RuntimeError(
            f"hook '{name}' has changed the size of value: the gradient has shape "
            f"{tuple(grad.shape)}, the hook returned shape {tuple(new.shape)}; a hook "
            f"must return a gradient of the same shape (or None)")
    if new.dtype != grad.dtype:
        raise RuntimeError(
            f"hook '{name}' has changed the type of value (was {grad.dtype} got "
            f"{new.dtype}); convert what the hook returns back, e.g. "
            f"return new_grad.to(grad.dtype)")


def _root_grads(outputs: Sequence[Tensor], grad_outputs: Sequence[Any] | None,
                create_graph: bool, caller: str) -> list:
    grads = []
    for i, out in enumerate(outputs):
        g = None if grad_outputs is None else grad_outputs[i]
        if g is None:
            if out.data.size != 1:
                raise RuntimeError(
                    f"{caller}: grad can be implicitly created only for scalar "
                    f"outputs, but this output has shape {tuple(out.shape)}. Reduce it "
                    f"first (e.g. loss.sum() or loss.mean()) or pass gradient= a "
                    f"tensor of shape {tuple(out.shape)}.")
            g = np.array(1, out.data.dtype)  # d out / d out, for a one-element output
            if out.data.ndim:
                g = g.reshape(out.data.shape)
        else:
            if not isinstance(g, Tensor):
                g = Tensor(g)
            if g.shape != out.shape:
                raise RuntimeError(
                    f"{caller}: Mismatch in shape: grad_output[{i}] has a shape of "
                    f"{tuple(g.shape)} and output[{i}] has a shape of {tuple(out.shape)}; "
                    f"the gradient must have the shape of the output")
            if create_graph:
                g = g if g.dtype == out.dtype else g.to(out.dtype)
                grads.append(g)
                continue
            g = g.data.astype(out.data.dtype, copy=True)  # never alias user memory
        grads.append(_new_tensor(g) if create_graph else g)
    return grads


def _as_tuple(x: Any) -> tuple:
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _check_requires_grad(outputs: Sequence[Tensor], caller: str) -> None:
    for i, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise TypeError(f"{caller}: expected Tensors, got {type(out).__name__}")
        if out._view is not None and out._rg:
            views.refresh(out)
        if not out._rg:
            raise RuntimeError(
                f"{caller}: element {i} of tensors does not require grad and does not "
                f"have a grad_fn, so there is nothing to differentiate. Create the inputs "
                f"with requires_grad=True (or call .requires_grad_()) before computing "
                f"it, and do not compute it under no_grad().")


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """Accumulate into leaves' ``.grad`` the gradients of `tensors`."""
    outputs = _as_tuple(tensors)
    if grad_tensors is not None:
        grad_tensors = _as_tuple(grad_tensors) if not isinstance(grad_tensors, (list, tuple)) \
            else tuple(grad_tensors)
    _check_requires_grad(outputs, "backward")
    if retain_graph is None:
        retain_graph = create_graph
    grads = _root_grads(outputs, grad_tensors, create_graph, "backward")
    if inputs is not None:
        inputs = _as_tuple(inputs)
        got = grad(outputs, inputs, grads if create_graph else [_new_tensor(g) for g in grads],
                   retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)
        for t, g in zip(inputs, got):
            if g is not None:
                t.grad = g if t.grad is None else t.grad + g
        return
    _Backward(retain_graph, create_graph, None).run(list(outputs), grads)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None,
         retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool | None = None, materialize_grads: bool = False) -> tuple:
    """The gradients of `outputs` with respect to `inputs`, returned as a
    tuple (no ``.grad`` is touched). As ``torch.autograd.grad``."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if grad_outputs is not None:
        grad_outputs = _as_tuple(grad_outputs)
        if len(grad_outputs) != len(outputs):
            raise RuntimeError(f"grad: got {len(grad_outputs)} grad_outputs for "
                               f"{len(outputs)} outputs; give one per output")
    if allow_unused is None:
        allow_unused = materialize_grads
    _check_requires_grad(outputs, "grad")
    capture: dict = {}
    node_inputs: dict = {}
    first: dict = {}  # id(input) -> where it first appears (an input may repeat)
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t._rg:
            raise RuntimeError(f"grad: One of the differentiated Tensors (input {i}) does "
                               f"not require grad; every tensor in inputs must have "
                               f"requires_grad=True")
        if t._view is not None:
            views.refresh(t)
        if first.setdefault(id(t), i) != i:
            continue
        if t._ctx is None:
            capture[id(t)] = i
        else:
            node_inputs.setdefault(t._ctx, {})[t._out_nr] = i
    if retain_graph is None:
        retain_graph = create_graph
    grads = _root_grads(outputs, grad_outputs, create_graph, "grad")
    run = _Backward(retain_graph, create_graph, capture)
    for node, slots in node_inputs.items():
        node._out_hooks = dict(node._out_hooks or {})
        for nr, slot in slots.items():
            node._out_hooks[nr] = list(node._out_hooks.get(nr, ())) + [_capture_hook(slot)]
    needed = _needed_nodes(outputs, capture, node_inputs)
    try:
        run.run(list(outputs), grads, needed)
    finally:
        for node, slots in node_inputs.items():
            for nr in slots:
                node._out_hooks[nr] = node._out_hooks[nr][:-1]
    result = []
    for i, t in enumerate(inputs):
        g = run.captured.get(first[id(t)])
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: The differentiated Tensor at index {i} (shape "
                    f"{tuple(t.shape)}) appears to not have been used in the graph, so it "
                    f"has no gradient. Set allow_unused=True if this is the desired "
                    f"behavior (its gradient is then None).")
            if materialize_grads:
                g = np.zeros(t.data.shape, t.data.dtype)
        if g is not None and not isinstance(g, Tensor):
            g = _new_tensor(np.asarray(g))
        result.append(g)
    return tuple(result)


def _capture_hook(slot: int):  # type: ignore[no-untyped-def]
    def hook(run: _Backward, g: Any) -> Any:
        old = run.captured.get(slot)
        run.captured[slot] = g if old is None else old + g
        return g
    return hook


def _needed_nodes(outputs: Sequence[Tensor], capture: dict, node_inputs: dict) -> set:
    """Nodes on a path from the outputs to one of grad()'s inputs."""
    order = topological_order({o._ctx: None for o in outputs if o._ctx is not None})
    needed: set = set()
    for node in reversed(order):  # inputs first
        if node in node_inputs or any(
                e is not None and (e[0] in needed if isinstance(e[0], Function)
                                   else id(e[0]) in capture)
                for e in node.edges):
            needed.add(node)
    return needed
