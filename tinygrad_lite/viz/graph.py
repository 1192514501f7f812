"""`draw_graph`: a picture of the graph that ``backward()`` walks.

Each operation is a rounded box (``Mul (*)``); each tensor is a small table
with its name, shape and dtype, its values and its gradient. Colours say
what a tensor is (parameter, input, intermediate, output, constant), a red
border and badge flag NaN/inf, and the operations made inside
``nn.Module`` calls sit in a labelled box per module, nested as the modules
are. See `draw_graph` for the options and `retain_grads` for seeing the
gradient of every intermediate tensor.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

from ..autograd.function import FREED, Function, SavedOutput
from ..autograd.scope import describe
from ..tensor import Tensor
from . import style
from .walk import OpItem, TensorItem, Walk, forward_order, tensor_key, walk

if TYPE_CHECKING:  # pragma: no cover
    import graphviz

RANKDIRS = ("LR", "TB", "RL", "BT")


def _scope_of(node: Any) -> tuple:
    """The ``(path, class_name)`` module scope a node was made in."""
    return describe(getattr(node, "_scope", ()))


def draw_graph(root: Tensor | Iterable[Tensor], params: Any = None, show_data: bool = True,
               show_grad: bool = True, show_saved: bool = False, rankdir: str = "LR",
               max_nodes: int = 300) -> "graphviz.Digraph":
    """Draw the graph behind `root` (a Tensor, or a list/tuple of Tensors).

    Args:
        root: the tensor(s) whose history to draw, e.g. the loss.
        params: names for tensors: a mapping ``name -> tensor``, an iterable
            of ``(name, tensor)`` pairs such as ``model.named_parameters()``,
            or a Module (its named parameters and buffers, such as a batch
            norm's ``running_mean``). Leaves named here are drawn
            as parameters; intermediate tensors may be named too.
        show_data: show each tensor's values (all of them when there are at
            most 6, otherwise mean/std/min/max). An intermediate tensor's
            values are known while you still hold it (or while its operation
            keeps it for backward); otherwise only its shape and dtype show.
        show_grad: show ``.grad`` once it exists (leaves after backward;
            intermediates after `retain_grads` or ``retain_grad()``).
        show_saved: list in each operation the tensors it saved for
            backward (by their names in the picture), and mark (dashed
            border) operations whose saved tensors a backward without
            ``retain_graph=True`` freed.
        rankdir: "LR" (inputs on the left), "TB", "RL" or "BT".
        max_nodes: at most this many tensor and operation nodes, the ones
            nearest the root; a "N more nodes" box stands for the rest.

    Returns:
        a ``graphviz.Digraph``: ``.source`` is the DOT text; it shows inline
        in Jupyter; ``.render("graph", format="svg")`` or ``.pipe("png")``
        need the Graphviz ``dot`` program.

    To see the gradient at *every* node after backward (as in micrograd's
    lecture), call `retain_grads` before ``backward()``::

        L = d * f
        tgl.viz.retain_grads(L)
        L.backward()
        tgl.viz.draw_graph(L, params={"a": a, "b": b, "d": d, "L": L})
    """
    gv = _import_graphviz()
    roots = _as_roots(root, "draw_graph")
    names, keep_alive = _param_names(params)
    _check_layout(rankdir, max_nodes)
    picture = _Picture(walk(roots), names, max_nodes, show_data, show_grad, show_saved)
    del keep_alive
    return picture.digraph(gv, rankdir)


def retain_grads(root: Tensor | Iterable[Tensor]) -> int:
    """Keep the gradient of every intermediate tensor behind `root` in the
    next ``backward()``, so that `draw_graph` can show a gradient at every
    node (leaves get ``.grad`` anyway). Call it after the forward pass and
    before ``backward()``.

    Tensors you still hold get ``retain_grad()`` (their ``.grad`` is set,
    as in PyTorch). For intermediates no variable holds any more, the
    gradient is kept on their operation instead, where only `draw_graph`
    reads it, together with the values the operation saved for backward.
    Returns how many intermediate tensors were marked.
    """
    found = walk(_as_roots(root, "retain_grads"))
    count = 0
    for item in found.items.values():
        if not (isinstance(item, TensorItem) and item.kind == "out"):
            continue
        count += 1
        if item.tensor is not None:
            item.tensor.retain_grad()
        # also on the node: a tensor alive now only because an operation
        # saved it for backward dies when backward frees the saved tensors
        data = item.tensor.data if item.tensor is not None else _saved_output(item.node, item.nr)
        _keep_on_node(item.node, item.nr, data)
    return count


class _KeptGrad:
    """A gradient hook on one output slot of a node (see `retain_grads`):
    stores the gradient that arrives there. The engine calls it as
    ``hook(run, grad)`` and uses what it returns."""

    def __init__(self) -> None:
        self.grad: np.ndarray | None = None

    def __call__(self, run: Any, grad: Any) -> Any:
        data = np.array(grad.data if isinstance(grad, Tensor) else grad, copy=True)
        self.grad = data if self.grad is None else self.grad + data
        return grad


def _keep_on_node(node: Function, nr: int, data: np.ndarray | None) -> None:
    """Hook a `_KeptGrad` on output `nr` of `node` and keep its values."""
    hooks = node._out_hooks
    if hooks is None:
        hooks = node._out_hooks = {}
    slot = hooks.setdefault(nr, [])
    if not any(isinstance(h, _KeptGrad) for h in slot):
        slot.append(_KeptGrad())
    if data is not None:
        node.__dict__.setdefault("_viz_data", {})[nr] = data


def _saved_output(node: Function, nr: int) -> np.ndarray | None:
    saved = node._saved
    if saved is FREED or not saved:
        return None
    for s in saved:
        if isinstance(s, SavedOutput) and s.nr == nr:
            return s.data
    return None


# ------------------------------------------------------------ arguments
def _import_graphviz() -> Any:
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "tgl.viz.draw_graph needs the graphviz Python package: pip install graphviz "
            "(to render pictures you also need the Graphviz 'dot' program, e.g. "
            "apt-get install graphviz or brew install graphviz)") from None
    return graphviz


def _check_layout(rankdir: Any, max_nodes: Any) -> None:
    """Errors that name the bad argument and say what to pass instead."""
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {', '.join(RANKDIRS)} "
                         f"(LR: inputs on the left, TB: inputs at the top), "
                         f"got {rankdir!r}; e.g. draw_graph(loss, rankdir='TB')")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be a positive int (how many tensor "
                         f"and operation nodes to draw, nearest the root first), got "
                         f"{max_nodes!r}; e.g. max_nodes=300, the default")


def _as_roots(root: Any, caller: str) -> list:
    """`root` as a list of Tensors (a TypeError naming `caller` otherwise)."""
    roots = [root] if isinstance(root, Tensor) else root
    if isinstance(roots, (list, tuple)) and roots and all(isinstance(t, Tensor) for t in roots):
        return list(roots)
    raise TypeError(f"{caller}: root must be a Tensor or a non-empty list/tuple of Tensors "
                    f"(the tensor you call .backward() on, e.g. the loss), got "
                    f"{_describe_root(root)}")


def _describe_root(root: Any) -> str:
    """What was passed as root, for the error: its type, or which element
    of a list/tuple is not a Tensor."""
    if not isinstance(root, (list, tuple)):
        return type(root).__name__
    if not root:
        return f"an empty {type(root).__name__}"
    bad = next(i for i, t in enumerate(root) if not isinstance(t, Tensor))
    return f"a {type(root).__name__} whose element {bad} is a {type(root[bad]).__name__}"


def _param_names(params: Any) -> tuple:
    """{id(tensor): name} from a mapping, (name, tensor) pairs or a Module,
    and a list holding the tensors alive while the ids are used."""
    if params is None:
        return {}, []
    if callable(getattr(params, "named_parameters", None)):  # a Module: buffers too
        buffers = getattr(params, "named_buffers", None)
        params = [*params.named_parameters(), *(buffers() if callable(buffers) else ())]
    pairs = params.items() if isinstance(params, Mapping) else params
    names: dict = {}
    keep_alive = []
    for entry in pairs:
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], Tensor)):
            raise TypeError(
                f"draw_graph: params must be a mapping name -> Tensor or (name, Tensor) "
                f"pairs such as model.named_parameters(); got the entry {entry!r:.80}")
        names.setdefault(id(entry[1]), str(entry[0]))
        keep_alive.append(entry[1])
    return names, keep_alive


# --------------------------------------------------------------- picture
class _Picture:
    """The walked graph trimmed to `max_nodes`, with ids, names, roles and
    module boxes decided, ready to become DOT."""

    def __init__(self, found: Walk, names: dict, max_nodes: int, show_data: bool,
                 show_grad: bool, show_saved: bool) -> None:
        self.found, self.names = found, names
        self.show_data, self.show_grad, self.show_saved = show_data, show_grad, show_saved
        keys = list(found.items)
        kept = keys[:max_nodes]
        self.kept = set(kept)
        self.hidden = len(keys) - len(kept)
        self.upstream: dict = {}
        for src, dst, _ in found.arrows:
            if src in self.kept and dst in self.kept:
                self.upstream.setdefault(dst, []).append(src)
        roots = [r for r in found.roots if r in self.kept]
        self.order = forward_order(kept, self.upstream, roots)
        self.ids = self._ids()
        self.roles = {k: self._role(found.items[k]) for k in self.order
                      if isinstance(found.items[k], TensorItem)}
        self.labels = self._names()

    # ---- ids, roles, names
    def _ids(self) -> dict:
        ids, n_tensors, n_ops = {}, 0, 0
        for key in self.order:
            if isinstance(self.found.items[key], OpItem):
                ids[key], n_ops = f"op{n_ops}", n_ops + 1
            else:
                ids[key], n_tensors = f"t{n_tensors}", n_tensors + 1
        return ids

    def _role(self, item: TensorItem) -> str:
        if item.key in self.found.roots:
            return "output"
        if item.kind == "out":
            return "intermediate"
        t = item.tensor
        if item.kind == "const" or not t._rg:
            return "constant"
        from ..nn.module import Parameter
        if id(t) in self.names or isinstance(t, Parameter):
            return "parameter"
        return "input"

    def _base_name(self, item: TensorItem, role: str) -> str:
        if role == "output":
            return "loss" if int(np.prod(item.shape)) == 1 else "output"
        if role == "intermediate":
            base = type(item.node).__name__.lower()
            n_outputs = len(item.node._outputs) if type(item.node._outputs) is tuple else 1
            return f"{base}[{item.nr}]" if n_outputs > 1 else base
        return {"parameter": "param", "input": "input", "constant": "const"}[role]

    def _names(self) -> dict:
        """Given names first; the rest by role, numbered in forward order
        when a base name repeats (input_1, input_2, ...; not constants)."""
        bases = {}
        for key, role in self.roles.items():
            t = self.found.items[key].tensor
            given = self.names.get(id(t)) if t is not None else None
            bases[key] = (given, self._base_name(self.found.items[key], role))
        totals: dict = {}
        for given, base in bases.values():
            if given is None:
                totals[base] = totals.get(base, 0) + 1
        seen: dict = {}
        names = {}
        for key, (given, base) in bases.items():
            if given is not None:
                names[key] = given
            elif totals[base] == 1 or base == "const":
                names[key] = base
            else:
                seen[base] = seen.get(base, 0) + 1
                names[key] = f"{base}_{seen[base]}"
        return names

    # ---- values
    def _data(self, item: TensorItem) -> np.ndarray | None:
        if item.tensor is not None:
            return item.tensor.data
        if item.kind == "out":
            data = _saved_output(item.node, item.nr)
            if data is None:
                data = item.node.__dict__.get("_viz_data", {}).get(item.nr)
            return data
        return None

    def _grad(self, item: TensorItem) -> np.ndarray | None:
        t = item.tensor
        if t is not None and t.grad is not None:
            return t.grad.data
        if item.kind == "out":
            hooks = (item.node._out_hooks or {}).get(item.nr, ())
            for hook in hooks:
                if isinstance(hook, _KeptGrad) and hook.grad is not None:
                    return hook.grad
        return None

    # ---- module boxes
    def _scope(self, item: Any, role: str | None) -> tuple:
        """The module scope an item is drawn in: an operation's own scope;
        a tensor made by an operation, that operation's; a parameter named
        ``<module path>.<name>``, that module's (when its operations show);
        a scalar constant, its first consumer's; other leaves, none."""
        if isinstance(item, OpItem):
            return _scope_of(item.node)
        if item.kind == "out":
            return _scope_of(item.node)
        consumers = [op for op in item.consumers if op.key in self.kept]
        if role == "constant" and int(np.prod(item.shape)) == 1 and consumers:
            return _scope_of(consumers[0].node)
        name = self.labels.get(item.key, "")
        owner = name.rpartition(".")[0]
        for op in consumers:
            scope = _scope_of(op.node)
            for depth, (path, _) in enumerate(scope):
                if path == owner and owner:
                    return scope[:depth + 1]
        return ()

    # ---- DOT
    def digraph(self, gv: Any, rankdir: str) -> "graphviz.Digraph":
        graph = gv.Digraph("autograd_graph")
        graph.attr(rankdir=rankdir, fontname=style.FONT, nodesep="0.25", ranksep="0.35")
        graph.attr("node", fontname=style.FONT, fontsize="10")
        graph.attr("edge", color="#555555", arrowsize="0.7")
        clusters: dict = {}
        flags = {"nan": False, "freed": False}
        for key in self.order:
            item = self.found.items[key]
            role = self.roles.get(key)
            target = self._cluster_for(gv, graph, clusters, self._scope(item, role))
            if isinstance(item, OpItem):
                self._draw_op(target, item, flags)
            else:
                self._draw_tensor(target, item, role, flags)
        self._attach_clusters(graph, clusters)
        self._draw_arrows(graph)
        self._draw_legend(graph, flags)
        return graph

    def _cluster_for(self, gv: Any, graph: Any, clusters: dict, scope: tuple) -> Any:
        """The (possibly new) cluster subgraph for `scope`, creating the
        boxes of its enclosing modules too; the top graph for ()."""
        for depth in range(1, len(scope) + 1):
            prefix = scope[:depth]
            if prefix not in clusters:
                path, cls = prefix[-1]
                sub = gv.Digraph(f"cluster_{len(clusters)}")
                # label on the right: arrows mostly enter a box on its left,
                # where its first inputs are laid out, and would cross it there
                sub.attr(label=f"{path} ({cls})" if path else cls, style="rounded,filled",
                         fillcolor=style.CLUSTER_FILLS[(depth - 1) % 2],
                         color=style.CLUSTER_BORDER, fontname=style.FONT, fontsize="11",
                         fontcolor=style.CLUSTER_INK, labeljust="r")
                clusters[prefix] = sub
        return clusters[scope] if scope else graph

    @staticmethod
    def _attach_clusters(graph: Any, clusters: dict) -> None:
        """Put each box inside its parent, innermost first (a subgraph is
        copied into its parent when attached, so it must be complete)."""
        for prefix in sorted(clusters, key=len, reverse=True):
            parent = clusters[prefix[:-1]] if len(prefix) > 1 else graph
            parent.subgraph(clusters[prefix])

    def _draw_op(self, target: Any, item: OpItem, flags: dict) -> None:
        node = item.node
        name = type(node).__name__
        symbol = style.OP_SYMBOLS.get(name)
        title = f"{name} ({symbol})" if symbol else name
        saved_lines, freed = self._saved_lines(node) if self.show_saved else ([], False)
        flags["freed"] = flags["freed"] or freed
        target.node(self.ids[item.key], style.op_label(title, saved_lines, freed),
                    shape="box", style="rounded,filled,dashed" if freed else "rounded,filled",
                    fillcolor=style.OP_FILL, color=style.OP_BORDER, margin="0.08,0.04",
                    height="0.3")

    def _saved_lines(self, node: Function) -> tuple:
        """The lines listing what `node` saved for backward, and whether a
        backward freed it: ``saved: x, tanh (its output)``. Saved tensors
        are called by their names in the picture; one not drawn (a mask the
        operation made, or a tensor cut off by `max_nodes`) by its shape."""
        saved = node._saved
        if saved is FREED:
            return ["saved tensors freed", "by backward()"], True
        parts = [self._saved_name(node, s) for s in saved or () if s is not None]
        if not parts:
            return ["saves nothing"], False
        lines = [", ".join(parts[i:i + 2]) for i in range(0, len(parts), 2)]
        return ["saved: " + lines[0]] + lines[1:], False

    def _saved_name(self, node: Function, saved: Any) -> str:
        """How one saved entry of `node` is called in its label."""
        shape = style.format_shape(saved.data.shape)
        if isinstance(saved, SavedOutput):
            name = self.labels.get(("out", id(node), saved.nr))
            return f"{name} (its output)" if name else f"its output {shape}"
        key = tensor_key(saved)
        if key not in self.labels:  # a number made a constant has a node per use
            consts = getattr(node, "_consts", None) or {}
            key = next((("const", id(node), slot) for slot, const in consts.items()
                        if const is saved), key)
        return self.labels.get(key, shape)

    def _draw_tensor(self, target: Any, item: TensorItem, role: str, flags: dict) -> None:
        data, grad = self._data(item), self._grad(item)
        data_lines = grad_lines = []
        note = ""
        if self.show_data and data is not None:
            data_lines = style.format_values(data)
        elif self.show_data and item.kind == "out":
            note = "values not kept"  # nobody holds it and its op did not save it
        if self.show_grad and grad is not None:
            grad_lines = style.format_values(grad)
        bad_data, bad_grad = style.non_finite(data), style.non_finite(grad)
        badge = " ".join(x for x in (bad_data and f"{bad_data} in data",
                                     bad_grad and f"{bad_grad} in grad") if x)
        flags["nan"] = flags["nan"] or bool(badge)
        label = style.tensor_label(self.labels[item.key], role, item.shape, item.dtype,
                                   data_lines, grad_lines, badge, note)
        target.node(self.ids[item.key], label, shape="plain")

    def _draw_arrows(self, graph: Any) -> None:
        position = {key: i for i, key in enumerate(self.order)}
        lines = []
        cut = []  # kept items with a hidden input
        for src, dst, slot in self.found.arrows:
            if dst not in self.kept:
                continue
            if src in self.kept:
                lines.append((position[dst], -1 if slot is None else slot, src, dst))
            elif dst not in cut:
                cut.append(dst)
        for _, _, src, dst in sorted(lines, key=lambda x: x[:2]):
            graph.edge(self.ids[src], self.ids[dst])
        if self.hidden:
            graph.node("more", f"{self.hidden} more nodes\\n(raise max_nodes to see them)",
                       shape="box", style="dashed", fontsize="10", fontcolor=style.TITLE_INK)
            for dst in sorted(cut, key=position.__getitem__):
                graph.edge("more", self.ids[dst], style="dashed")

    def _draw_legend(self, graph: Any, flags: dict) -> None:
        present = set(self.roles.values())
        roles = [r for r in style.ROLES if r in present]
        with_ops = any(isinstance(self.found.items[k], OpItem) for k in self.order)
        # the graph's own label, under the drawing: it takes no rank, so it
        # never pushes the first column of tensors apart
        graph.attr(label=style.legend_label(roles, with_ops, flags["nan"], flags["freed"]),
                   labelloc="b", labeljust="l")
