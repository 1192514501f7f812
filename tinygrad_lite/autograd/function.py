"""Function: one node of the graph, and the context of one call.

Calling ``SomeFunction.apply(*args)`` runs ``forward(ctx, *args)``. When grad
mode is on and an input requires grad, the result is linked to ``ctx``, which
becomes the result's ``grad_fn``: it remembers where each input's gradient
must go (its *edges*) and what ``save_for_backward`` kept. ``backward()``
later calls ``backward(ctx, *grad_outputs)`` on each node, outputs first.

Two flavours share this machinery:

* `Function` -- PyTorch's public protocol. ``forward`` receives Tensors and
  returns Tensors (it runs under ``no_grad``); ``backward`` receives and
  returns Tensors. Write backward with Tensor operations and double backward
  (``create_graph=True``) works through it.
* `Op` -- the protocol of the built-in operations, tuned for speed. ``forward``
  receives Tensors and returns a numpy array. ``backward`` is written once
  with operators and the helpers of `tinygrad_lite.ops.dual`, so that it runs
  on numpy arrays in an ordinary backward (fast: no Tensor objects are made)
  and on Tensors under ``create_graph=True`` (recording the graph of the
  gradient itself, so every built-in operation is twice differentiable).
"""
from __future__ import annotations

import itertools
import weakref
from typing import Any, NamedTuple

import numpy as np

from . import anomaly, scope, views

from .. import tensor as _tensor
from ..grad_mode import _state, no_grad
from ..tensor import Tensor

_new_tensor = Tensor._make


class _Freed:
    def __repr__(self) -> str:
        return "<freed>"


FREED = _Freed()  # what `_saved` becomes once backward released the node


class SavedOutput(NamedTuple):
    """A node's own output kept for backward, stored without the Tensor
    object (which would make a reference cycle output -> node -> output).
    Its version is read from the output Tensor while that is alive; once
    it is gone, nothing can change the array in place any more."""

    nr: int
    data: np.ndarray




def _saved_output(nr: int, data: np.ndarray) -> SavedOutput:
    """`SavedOutput(nr, data)` without the Python-level ``__new__`` of a
    NamedTuple (ops save their result on every call)."""
    return _new_tuple(SavedOutput, (nr, data))


_new_tuple = tuple.__new__


class Function:
    """Base class of a differentiable function (PyTorch's protocol).

    Subclass it with two static methods::

        class Cube(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x * x

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 3 * x * x

        y = Cube.apply(x)

    ``backward`` returns one gradient per argument of ``forward`` (None for
    arguments that are not Tensors or need no gradient). The instance passed
    as ``ctx`` is the graph node; it accepts any extra attributes.
    """

    __slots__ = ("edges", "needs_input_grad", "_saved", "_saved_versions", "_changes",
                 "_saved_data", "_outputs", "_consts", "_seq", "_trace", "_scope", "__dict__")

    #: Hooks on this node's outputs (non-leaf ``register_hook``, grad()'s
    #: capture): ``{output_nr: [hook, ...]}``, set on the few nodes that have any.
    _out_hooks = None

    #: Whether this is a built-in `Op` (one output, array gradients), whose
    #: backward the engine calls directly.
    _builtin = False

    # ----------------------------------------------------------- ctx API
    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors (inputs or outputs of this call) for backward."""
        self._saved = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Outputs that never carry a gradient (indices, masks, ...)."""
        self.__dict__["_non_differentiable"] = tuple(id(t) for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to `save_for_backward`, checked to be unchanged."""
        saved = self._check_saved()
        return tuple(self._as_tensor(s) for s in saved)

    @property
    def next_functions(self) -> tuple:
        """Where each input's gradient goes: ``(node, output_nr)`` pairs,
        ``(leaf_tensor, 0)`` for leaves, ``(None, 0)`` for inputs without grad."""
        return tuple((None, 0) if e is None else (e[0], e[1]) for e in self.edges)

    def name(self) -> str:
        """The node's name as PyTorch prints it: ``CubeBackward`` for a
        user's Function ``Cube`` (built-in operations: ``MulBackward0``)."""
        return type(self).__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    def register_hook(self, fn: Any) -> None:
        raise NotImplementedError(
            "grad_fn.register_hook is not supported; register the hook on the "
            "tensor instead (tensor.register_hook(fn))")

    # ------------------------------------------------------ calling it
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward and, if grad mode is on and an input requires grad,
        record the call in the graph."""
        ctx = object.__new__(cls)
        ctx._saved = None
        needs = tuple(isinstance(a, Tensor) and a._rg for a in args)
        ctx.needs_input_grad = needs
        with no_grad():
            result = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(result, tuple)
        raw = (result,) if single else result
        inputs = {id(a) for a in args if isinstance(a, Tensor)}
        outputs = []
        for item in raw:
            if isinstance(item, Tensor):
                if id(item) in inputs or item._ctx is not None:
                    item = item._alias()  # never relink a tensor the caller owns
            elif isinstance(item, (np.ndarray, np.generic, int, float, bool)):
                item = Tensor(item)
            outputs.append(item)
        if _state.enabled and True in needs:
            _link(ctx, args, outputs)
        return outputs[0] if single else tuple(outputs)

    def _call_backward(self, grads: list) -> tuple:
        """Called by the engine with one gradient per output (None where no
        gradient arrived); returns one gradient per forward argument."""
        create_graph = _state.enabled
        wrapped = []
        for nr, g in enumerate(grads):
            if g is None:  # PyTorch materializes missing output grads as zeros
                out = self._output_tensor(nr)
                g = np.zeros(out.shape, out.dtype)
            wrapped.append(g if isinstance(g, Tensor) else _new_tensor(np.asarray(g)))
        result = type(self).backward(self, *wrapped)
        result = result if isinstance(result, tuple) else (result,)
        n_in = len(self.edges)
        if len(result) < n_in or any(r is not None for r in result[n_in:]):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {n_in}, got {len(result)}): {type(self).__name__}.backward "
                f"must return one gradient (or None) per argument of forward")
        grads_in = []
        for i, (g, edge) in enumerate(zip(result, self.edges)):
            if g is not None and not isinstance(g, Tensor):
                if not isinstance(g, (np.ndarray, int, float)):
                    raise TypeError(
                        f"{type(self).__name__}.backward returned a {type(g).__name__} "
                        f"as gradient {i}; return a Tensor or None")
                g = _new_tensor(np.asarray(g))
            if g is not None and edge is not None and not create_graph:
                g = g.data
            grads_in.append(g if edge is not None else None)
        return tuple(grads_in)

    # -------------------------------------------------- saved tensors
    def _check_saved(self) -> tuple:
        saved = self._saved
        if saved is FREED:
            raise RuntimeError(
                f"{self.name()}: Trying to backward through the graph a second time (or "
                f"directly access saved tensors after they have already been freed). The "
                f"first backward freed the tensors this operation saved; specify "
                f"retain_graph=True in the first backward() (or autograd.grad()) if you "
                f"need to backward through the graph a second time.")
        if saved is None:
            return ()
        for i, (s, v) in enumerate(zip(saved, self._saved_versions)):
            now = self._current_version(s)
            if now != v and now is not None:
                if isinstance(s, SavedOutput):
                    what = f"[{s.data.dtype} tensor of shape {list(s.data.shape)}], which is " \
                           f"output {s.nr} of {self.name()},"
                else:
                    what = f"[{s.dtype} tensor of shape {list(s.shape)}], saved by " \
                           f"{self.name()} as its tensor {i},"
                raise RuntimeError(
                    f"{self.name()}: one of the variables needed for gradient computation "
                    f"has been modified by an inplace operation: {what} is at version "
                    f"{now}; expected version {v} instead. Use the out-of-place form "
                    f"(x = x + 1 instead of x += 1) or clone() the tensor before changing it.")
        return saved

    def _current_version(self, s: Any) -> int:
        if s is None:
            return 0
        if isinstance(s, SavedOutput):
            out = self._output_ref(s.nr)
            return None if out is None else out._version
        return s._version

    def _output_ref(self, nr: int) -> Tensor | None:
        refs = self._outputs
        return refs() if nr == 0 and not isinstance(refs, tuple) else refs[nr]()

    def _output_tensor(self, nr: int) -> Tensor:
        """Output `nr` of this node as a Tensor linked to this node (the
        original object when it is still alive)."""
        out = self._output_ref(nr)
        if out is None:
            meta = self.__dict__.get("_out_meta")
            data = self._saved_output_data(nr)
            if data is None:
                shape, dtype = meta[nr]
                data = np.zeros(shape, dtype)
            out = _new_tensor(data, True, self, nr)
        return out

    def _saved_output_data(self, nr: int) -> np.ndarray | None:
        for s in self._saved or ():
            if isinstance(s, SavedOutput) and s.nr == nr:
                return s.data
        return None

    def _as_tensor(self, s: Any) -> Tensor | None:
        return self._output_tensor(s.nr) if isinstance(s, SavedOutput) else s


class Op(Function):
    """Base class of the built-in operations (see the module docstring).

    ``forward(ctx, *args)`` gets Tensors (and plain arguments) and returns a
    numpy array. It may save input Tensors and its own result array with
    ``ctx.save_for_backward``; other arrays it saves are constants.
    ``backward(ctx, grad)`` receives arrays in an ordinary backward and
    Tensors under ``create_graph=True``; ``ctx.saved_tensors`` follows suit.
    """

    __slots__ = ()
    _builtin = True

    #: Under create_graph, whether the gradients this op computes depend on
    #: the tensors it saved (see `engine._tie_to_saved`). PyTorch's rule:
    #: yes for most ops, also where backward only reads a mask (relu, abs,
    #: pooling); no where PyTorch's formula selects with a mask that is not
    #: differentiable (clamp, maximum, minimum, amax and max).
    _grad_tied_to_saved = True

    def name(self) -> str:
        """PyTorch's name for the node: ``MulBackward0`` for `Mul`."""
        return type(self).__name__ + "Backward0"

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Run forward; when grad mode is on and an input requires grad,
        record the call. The per-operation hot path, so it is one plain loop
        that calls helpers only off the common case (views, saved inputs)."""
        ctx = _new_node(cls)
        ctx._saved = None
        # (A call without `**kwargs` is cheaper; only Einsum takes keywords.)
        raw = cls.forward(ctx, *args, **kwargs) if kwargs else cls.forward(ctx, *args)
        data = raw if type(raw) is _ndarray else np.asarray(raw)  # numpy gives 0-d scalars
        if not _state.enabled:
            return _new_tensor(data)
        # Where each argument's gradient goes: an edge to the node that made
        # it or to the leaf itself, with the shape and dtype it must have.
        edges, needs = [], ()
        consts = None
        for a in args:
            if isinstance(a, Tensor):
                if a._rg:
                    if a._view is None:
                        d, node = a.data, a._ctx
                        edges.append((a, 0, d.shape, d.dtype) if node is None
                                     else (node, a._out_nr, d.shape, d.dtype))
                        needs += (True,)
                        continue
                    edge = _edge(a)  # a view: its history may need a refresh
                    if edge is not None:
                        edges.append(edge)
                        needs += (True,)
                        continue
                if consts is None:
                    consts = {}
                consts[len(edges)] = a  # kept for graph pictures (tgl.viz)
            edges.append(None)
            needs += (False,)
        if True not in needs:
            return _new_tensor(data)
        ctx.edges = edges
        ctx.needs_input_grad = needs
        if consts is not None:
            ctx._consts = consts  # (unset otherwise: viz reads it with getattr)
        ctx._seq = _next_seq()
        out = _new_tensor(data, True, ctx)
        ctx._outputs = _weakref(out)
        saved = ctx._saved
        if saved:
            ctx._changes = _tensor._inplace_changes
            if len(saved) == 1 and (saved[0] is data or saved[0] is raw):
                # The usual case (tanh, exp, ...): `_saved_output(0, data)`, inlined.
                ctx._saved = (_new_tuple(SavedOutput, (0, data)),)
                ctx._saved_versions = _VERSION_ZERO
                ctx._saved_data = (data,)
            else:
                _seal_op_saved(ctx, saved, data, raw)
        if scope.current:
            ctx._scope = scope.current
        if anomaly._enabled:
            ctx._trace = anomaly.creation_trace()
        return out

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if not saved:
            return ()
        if _state.enabled or saved is FREED:
            return tuple([self._as_tensor(s) for s in self._check_saved()])
        if self._changes == _tensor._inplace_changes:
            # No tensor was changed in place since this node was recorded, so
            # each saved one is still at the version noted then.
            return self._saved_data
        # The hot path of an ordinary backward: arrays, versions checked inline.
        arrays = []
        for s, version in zip(saved, self._saved_versions):
            if s is None:
                arrays.append(None)
                continue
            if type(s) is SavedOutput:
                out = self._outputs()
                now = version if out is None else out._version
            else:
                base = s._base
                now = s._ver if base is None else base._ver
            if now != version:
                self._check_saved()  # raises, naming the operation
            arrays.append(s.data)
        return tuple(arrays)


_new_node = object.__new__

#: Each recorded node's sequence number, in recording order: the engine
#: runs pending nodes highest number first (see autograd.engine).
_next_seq = itertools.count().__next__


def _edge(a: Any) -> tuple | None:
    """Where the gradient for argument `a` goes: its node (non-leaf) or the
    leaf Tensor itself, with the shape and dtype it must arrive in."""
    if not (isinstance(a, Tensor) and a._rg):
        return None
    view = a._view
    if view is not None and view[3]._ctx is not view[4]:
        views.refresh(a)  # its base was changed in place since it was made
        if not a._rg:
            return None
    data = a.data
    if a._ctx is None:
        return (a, 0, data.shape, data.dtype)
    return (a._ctx, a._out_nr, data.shape, data.dtype)


_weakref = weakref.ref
_ndarray = np.ndarray
_VERSION_ZERO = (0,)


def _seal_op_saved(ctx: Op, saved: tuple, data: np.ndarray, raw: Any) -> None:
    """Keep what an op saved: input Tensors as they are, with their
    versions noted; its own result as a `SavedOutput`; other arrays as
    constant Tensors. ``_saved_data`` holds the arrays themselves, which is
    what an ordinary backward hands the op's backward."""
    versions, arrays = [], []
    sealed = None  # a copy of `saved`, made only when something is replaced
    for i, s in enumerate(saved):
        if isinstance(s, Tensor):
            base = s._base
            versions.append(s._ver if base is None else base._ver)
            arrays.append(s.data)
            continue
        if s is None:  # a slot the op left empty (not needed for this call)
            versions.append(0)
            arrays.append(None)
            continue
        if s is data or s is raw:
            s = _saved_output(0, data)  # its own result
        else:
            s = _new_tensor(np.asarray(s))  # a constant (mask, weights, numpy scalar)
        if sealed is None:
            sealed = list(saved)
        sealed[i] = s
        versions.append(0)
        arrays.append(s.data)
    if sealed is not None:
        ctx._saved = tuple(sealed)
    ctx._saved_versions = tuple(versions)
    ctx._saved_data = tuple(arrays)


def _link(ctx: Function, args: tuple, outputs: list) -> list:
    """Record the public Function `ctx` as the maker of `outputs`."""
    ctx.edges = edges = tuple([_edge(a) for a in args])
    ctx.needs_input_grad = tuple([e is not None for e in edges])
    consts = {i: a for i, a in enumerate(args) if isinstance(a, Tensor) and not a._rg}
    ctx._consts = consts or None
    ctx._seq = _next_seq()
    skip = ctx.__dict__.get("_non_differentiable", ())
    refs = []
    for nr, out in enumerate(outputs):
        if isinstance(out, Tensor):
            if out.data.dtype.kind == "f" and id(out) not in skip:
                out._ctx, out._rg, out._out_nr = ctx, True, nr
            refs.append(weakref.ref(out))
        else:
            refs.append(lambda: None)
    ctx._outputs = tuple(refs)
    ctx.__dict__["_out_meta"] = tuple(
        (o.data.shape, o.data.dtype) if isinstance(o, Tensor) else ((), np.dtype("float32"))
        for o in outputs)
    if ctx._saved:
        _seal_saved(ctx, outputs)
    if scope.current:
        ctx._scope = scope.current
    if anomaly._enabled:
        ctx._trace = anomaly.creation_trace()
    return outputs


def _seal_saved(ctx: Function, outputs: list) -> None:
    """Turn what a public Function's forward saved into Tensors (inputs,
    constants) and SavedOutput markers (its own outputs), and note versions."""
    sealed = []
    for s in ctx._saved:
        for nr, out in enumerate(outputs):
            if s is out or (isinstance(out, Tensor) and s is out.data):
                s = _saved_output(nr, out.data)
                break
        else:
            if s is not None and not isinstance(s, Tensor):
                s = _new_tensor(np.asarray(s))
        sealed.append(s)
    ctx._saved = tuple(sealed)
    ctx._saved_versions = tuple([ctx._current_version(s) for s in sealed])


def adopt_output(node: Function, nr: int, tensor: Tensor, version: int | None = None) -> None:
    """Make `tensor` output `nr` of `node` (an in-place operation gave it the
    node's result). `version`: what the tensor's version counter will read
    once the change is counted; an output the node saved is noted at that
    version, so that only later changes count as modifications."""
    refs = node._outputs
    if type(refs) is tuple:
        node._outputs = refs[:nr] + (weakref.ref(tensor),) + refs[nr + 1:]
    else:
        node._outputs = weakref.ref(tensor)
    saved = node._saved
    if version is not None and saved is not None and saved is not FREED:
        node._saved_versions = tuple(
            version if isinstance(s, SavedOutput) and s.nr == nr else v
            for s, v in zip(saved, node._saved_versions))
