"""tgl.viz: draw_graph (checked through its DOT text), retain_grads, summary.

The DOT text is parsed with a few regular expressions: tensor nodes are
``t<k>``, operation nodes ``op<k>``, the truncation marker ``more``; module
boxes are ``subgraph cluster_<k>`` blocks.
"""
from __future__ import annotations

import json
import re
import runpy
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_lite as tgl
from tinygrad_lite import nn
from tinygrad_lite.autograd import Function
from tinygrad_lite.viz import draw_graph, retain_grads, summary
from tinygrad_lite.viz import style
from tinygrad_lite.viz.style import NAN_RED, ROLES

HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot program is not installed")

NODE_LINE = re.compile(r"^\s*(t\d+|op\d+|more) \[(.*)\]$")
EDGE_LINE = re.compile(r"^\s*(\w+) -> (\w+)")
CLUSTER_OPEN = re.compile(r"^\s*subgraph (cluster_\d+) \{")
CLUSTER_LABEL = re.compile(r'\blabel=(?:"([^"]*)"|(\w+))')


# ----------------------------------------------------------- DOT parsing
class Dot:
    """The parts of draw_graph's DOT text that the tests look at."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.nodes: dict = {}      # node id -> its attribute text
        self.edges: list = []      # (src id, dst id)
        self.box_of: dict = {}     # node id -> label of its innermost cluster
        self.parent: dict = {}     # cluster label -> enclosing cluster label (or None)
        stack: list = []           # open clusters: [name, label]
        for line in source.splitlines():
            opened = CLUSTER_OPEN.match(line)
            if opened:
                stack.append([opened.group(1), None])
                continue
            if line.strip() == "}" and stack:
                stack.pop()
                continue
            if stack and stack[-1][1] is None and line.strip().startswith("color="):
                m = CLUSTER_LABEL.search(line)
                stack[-1][1] = m.group(1) or m.group(2)
                self.parent[stack[-1][1]] = stack[-2][1] if len(stack) > 1 else None
                continue
            node = NODE_LINE.match(line)
            if node:
                self.nodes[node.group(1)] = node.group(2)
                self.box_of[node.group(1)] = stack[-1][1] if stack else None
                continue
            edge = EDGE_LINE.match(line)
            if edge:
                self.edges.append((edge.group(1), edge.group(2)))

    @property
    def tensors(self) -> list:
        return [k for k in self.nodes if k.startswith("t")]

    @property
    def ops(self) -> list:
        return [k for k in self.nodes if k.startswith("op")]

    def title(self, node_id: str) -> str:
        """A tensor's name or an operation's label (the first bold text)."""
        return re.search(r"<B>([^<]*)</B>", self.nodes[node_id]).group(1)

    def text(self, node_id: str) -> str:
        """A node's label as plain text, tags removed, spaces collapsed."""
        attrs = self.nodes[node_id]
        html = re.search(r"label=<(.*)>\s", attrs)
        label = html.group(1) if html else re.search(r'label="([^"]*)"', attrs).group(1)
        plain = re.sub(r"<[^>]*>", " ", label).replace("\u00a0", " ")
        return " ".join(plain.replace("&#x27;", "'").split())

    def by_title(self, title: str) -> str:
        found = [k for k in self.nodes if k != "more" and self.title(k) == title]
        assert len(found) == 1, f"{len(found)} nodes titled {title!r}"
        return found[0]

    def named_edges(self) -> set:
        return {(self.title(a), self.title(b)) for a, b in self.edges
                if a in self.nodes and b in self.nodes and "more" not in (a, b)}

    def fill(self, node_id: str) -> str:
        return re.search(r'BGCOLOR="([^"]+)" ROWS', self.nodes[node_id]).group(1)


def dot(root, **kwargs) -> Dot:
    return Dot(draw_graph(root, **kwargs).source)


# ------------------------------------------------------------ fixtures
def lecture():
    """micrograd's lecture expression: L = (a*b + c) * f."""
    a = tgl.tensor(2.0, requires_grad=True)
    b = tgl.tensor(-3.0, requires_grad=True)
    c = tgl.tensor(10.0, requires_grad=True)
    f = tgl.tensor(-2.0, requires_grad=True)
    e = a * b
    d = e + c
    L = d * f
    return dict(a=a, b=b, c=c, e=e, d=d, f=f, L=L)


class Lin(nn.Module):
    """A Linear layer made of tensor ops (independent of nn.Linear)."""

    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(tgl.randn(n_out, n_in))
        self.bias = nn.Parameter(tgl.zeros(n_out))

    def forward(self, x):
        return x @ self.weight.T + self.bias


class Act(nn.Module):
    def forward(self, x):
        return x.relu()


class Chain(nn.Module):
    def __init__(self, *layers) -> None:
        super().__init__()
        for i, layer in enumerate(layers):
            setattr(self, str(i), layer)

    def forward(self, x):
        for layer in self._modules.values():
            x = layer(x)
        return x


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = Chain(Lin(3, 4), Act())
        self.head = Lin(4, 2)

    def forward(self, x):
        return self.head(self.encoder(x))


def net_loss(seed: int = 0):
    tgl.manual_seed(seed)
    net = Net()
    x = tgl.randn(5, 3)
    loss = (net(x) ** 2).mean()
    return net, x, loss


# ------------------------------------------------------- structure, labels
def test_lecture_graph_has_one_node_per_tensor_and_operation():
    v = lecture()
    g = dot(v["L"], params=v)
    assert len(g.tensors) == 7 and len(g.ops) == 3
    assert len(g.edges) == 9
    assert g.named_edges() == {
        ("a", "Mul (*)"), ("b", "Mul (*)"), ("Mul (*)", "e"), ("e", "Add (+)"),
        ("c", "Add (+)"), ("Add (+)", "d"), ("d", "Mul (*)"), ("f", "Mul (*)"),
        ("Mul (*)", "L")}
    assert sorted(g.title(o) for o in g.ops) == ["Add (+)", "Mul (*)", "Mul (*)"]


def test_tensor_labels_show_name_shape_dtype_and_values():
    v = lecture()
    g = dot(v["L"], params=v)
    assert g.text(g.by_title("a")) == "a scalar float32 data 2.0"
    assert g.text(g.by_title("e")) == "e scalar float32 data -6.0"
    assert g.text(g.by_title("L")) == "L scalar float32 data -8.0"
    assert all("grad" not in g.text(t) for t in g.tensors)  # none exists before backward


def test_small_tensors_show_every_value_larger_ones_statistics():
    small = tgl.tensor([[1.5, -2.0, 3.0], [0.25, 4.0, 5.0]], dtype=tgl.float64,
                       requires_grad=True)
    big = tgl.tensor(np.arange(12, dtype=np.float32).reshape(3, 4), requires_grad=True)
    g = dot([small.sum(), big.sum()])
    s, b = g.by_title("input_1"), g.by_title("input_2")
    assert "(2, 3) float64" in g.text(s)
    assert "data [[1.5, -2.0, 3.0], [0.25, 4.0, 5.0]]" in g.text(s)
    text = g.text(b)
    assert "(3, 4) float32" in text
    assert "mean 5.5 std 3.452 min 0.0 max 11.0" in text
    assert "[0.0, 1.0" not in text


def test_grads_show_on_leaves_after_backward_and_everywhere_with_retain_grads():
    v = lecture()
    v["L"].backward(retain_graph=True)
    g = dot(v["L"], params=v)
    assert "grad 6.0" in g.text(g.by_title("a"))
    assert "grad -4.0" in g.text(g.by_title("b"))
    assert "grad 4.0" in g.text(g.by_title("f"))
    assert "grad" not in g.text(g.by_title("d"))  # intermediates drop theirs

    v = lecture()
    assert retain_grads(v["L"]) == 3          # e, d and L
    v["L"].backward()
    g = dot(v["L"], params=v)
    expected = {"a": 6.0, "b": -4.0, "c": -2.0, "e": -2.0, "d": -2.0, "f": 4.0, "L": 1.0}
    for name, grad in expected.items():
        assert f"grad {grad}" in g.text(g.by_title(name)), name
    assert v["d"].grad.item() == -2.0        # held tensors got retain_grad()


def test_retain_grads_reaches_intermediates_nobody_holds():
    x = tgl.tensor([1.0, -2.0, 3.0], requires_grad=True)
    loss = ((x.relu() - 1.0) ** 2).sum()     # relu, sub, pow: not held anywhere
    retain_grads(loss)
    loss.backward()
    g = dot(loss)
    for name in ("relu", "sub", "pow", "loss"):
        assert "grad" in g.text(g.by_title(name)), name
    assert "grad [0.0, -2.0, 4.0]" in g.text(g.by_title("relu"))  # 2 * (relu - 1)
    assert "data [1.0, 0.0, 3.0]" in g.text(g.by_title("relu"))  # kept past backward


def test_show_data_and_show_grad_switch_rows_off():
    v = lecture()
    retain_grads(v["L"])
    v["L"].backward()
    g = dot(v["L"], show_grad=False)
    assert all("grad" not in g.text(t) for t in g.tensors)
    g = dot(v["L"], show_data=False)
    assert all("data" not in g.text(t) for t in g.tensors)
    assert all("grad" in g.text(t) for t in g.tensors)


def test_intermediate_without_values_says_so():
    w = tgl.randn(3, 3, requires_grad=True)
    loss = ((w @ w) + 1.0).sum()  # the matmul result is neither held nor saved
    g = dot(loss)
    assert "values not kept" in g.text(g.by_title("matmul"))
    assert "values not kept" not in g.text(g.by_title("input"))


# ------------------------------------------------------------ names, roles
def test_parameter_names_from_named_parameters_or_module():
    net, x, loss = net_loss()
    for params in (net.named_parameters(), net, dict(net.named_parameters())):
        g = dot(loss, params=params)
        titles = {g.title(t) for t in g.tensors}
        assert {"encoder.0.weight", "encoder.0.bias", "head.weight", "head.bias"} <= titles
        assert "loss" in titles and "const" in titles  # x: a leaf without grad


@pytest.mark.skipif(not all(hasattr(nn, n) for n in ("BatchNorm1d", "Linear", "Sequential")),
                    reason="nn.BatchNorm1d/Linear/Sequential not built yet")
def test_a_module_as_params_names_its_buffers_too():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    g = dot(model(tgl.randn(5, 3)).sum(), params=model)  # training: BatchNorm updates them
    for name in ("1.running_mean", "1.running_var"):
        node = g.by_title(name)
        assert g.fill(node) == ROLES["constant"][0]  # named, but still no gradient
        assert g.box_of[node] == "1 (BatchNorm1d)"
    assert g.fill(g.by_title("1.weight")) == ROLES["parameter"][0]


def test_roles_have_their_colours_and_default_names():
    w = tgl.randn(2, 2, requires_grad=True)
    u = tgl.randn(2, requires_grad=True)
    v = tgl.randn(2, requires_grad=True)
    data = tgl.randn(2, 2)
    out = (w @ data) * 3.0 + (u * v)
    g = dot(out, params={"w": w})
    fills = {g.title(t): g.fill(t) for t in g.tensors}
    assert fills["w"] == ROLES["parameter"][0]
    assert fills["input_1"] == fills["input_2"] == ROLES["input"][0]
    assert fills["output"] == ROLES["output"][0]        # not scalar: "output"
    assert fills["matmul"] == ROLES["intermediate"][0]
    assert [g.fill(t) for t in g.tensors if g.title(t) == "const"] == [ROLES["constant"][0]] * 2
    consts = sorted(g.text(t) for t in g.tensors if g.title(t) == "const")
    assert consts[1] == "const scalar float32 data 3.0"  # a Python number, kept
    assert "(2, 2) float32" in consts[0]
    assert len(set(v for v, _ in ROLES.values())) == len(ROLES)  # colours differ
    for role, (colour, text) in ROLES.items():  # the legend lists them
        assert f'BGCOLOR="{colour}" BORDER="1"><FONT POINT-SIZE="10">{text}' in g.source


def test_unnamed_parameters_are_still_parameters():
    net, x, loss = net_loss()
    g = dot(loss)
    params = [t for t in g.tensors if g.fill(t) == ROLES["parameter"][0]]
    assert sorted(g.title(t) for t in params) == ["param_1", "param_2", "param_3", "param_4"]


def test_several_roots_and_a_leaf_root():
    x = tgl.tensor([1.0, 2.0], requires_grad=True)
    g = dot([(x * 2).sum(), (x * 3).sum()])
    assert {"loss_1", "loss_2", "input"} <= {g.title(t) for t in g.tensors}
    g = dot(x)
    assert len(g.nodes) == 1 and g.title("t0") == "output"


def test_multi_output_function_is_one_node_with_two_outputs():
    class TwoWay(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    x = tgl.tensor([1.0, 2.0], requires_grad=True)
    p, q = TwoWay.apply(x)
    g = dot((p + q).sum())
    assert [g.title(o) for o in g.ops].count("TwoWay") == 1
    two = g.by_title("TwoWay")
    outs = sorted(g.title(b) for a, b in g.edges if a == two)
    assert outs == ["twoway[0]", "twoway[1]"]
    assert "data [2.0, 4.0]" in g.text(g.by_title("twoway[0]"))


# ------------------------------------------------------------- NaN marking
def test_nan_and_inf_are_marked_in_red():
    x = tgl.tensor([1.0, 0.0, -1.0], requires_grad=True)
    y = x.log().abs().sum()  # Abs keeps log's values: its gradient needs them
    retain_grads(y)
    with np.errstate(all="ignore"):
        y.backward()
    g = dot(y)
    log = g.by_title("log")
    assert "nan, inf in data" in g.text(log)
    assert f'BORDER="3" COLOR="{NAN_RED}"' in g.nodes[log]
    assert "inf in grad" in g.text(g.by_title("input"))
    assert "nan in data" in g.text(g.by_title("loss"))
    assert "nan" not in g.text(g.by_title("abs")) and NAN_RED not in g.nodes[g.by_title("abs")]
    assert "nan / inf" in g.source  # the legend explains the red


def test_clean_graph_has_no_nan_marking():
    v = lecture()
    assert NAN_RED not in draw_graph(v["L"]).source


# ------------------------------------------------------------ module boxes
def test_operations_are_boxed_by_module_nested_as_the_modules():
    net, x, loss = net_loss()
    g = dot(loss, params=net.named_parameters())
    assert g.parent == {"Net": None, "encoder (Chain)": "Net",
                        "encoder.0 (Lin)": "encoder (Chain)",
                        "encoder.1 (Act)": "encoder (Chain)", "head (Lin)": "Net"}
    boxes = {}
    for node in g.ops:
        boxes.setdefault(g.box_of[node], []).append(g.title(node))
    assert sorted(boxes["encoder.0 (Lin)"]) == ["Add (+)", "MatMul (@)", "Permute"]
    assert boxes["encoder.1 (Act)"] == ["Relu"]
    assert sorted(boxes["head (Lin)"]) == ["Add (+)", "MatMul (@)", "Permute"]
    assert sorted(boxes[None]) == ["Mean", "Pow (**)"]  # the loss is outside the model
    assert g.box_of[g.by_title("encoder.0.weight")] == "encoder.0 (Lin)"
    assert g.box_of[g.by_title("head.bias")] == "head (Lin)"
    assert g.box_of[g.by_title("loss")] is None


def test_no_boxes_outside_modules():
    v = lecture()
    assert "subgraph" not in draw_graph(v["L"]).source


# -------------------------------------------------- truncation, determinism
def chain(n: int, seed: int = 0):
    tgl.manual_seed(seed)
    h = tgl.randn(3, requires_grad=True)
    for _ in range(n):
        h = h.tanh()
    return h.sum()


def test_max_nodes_truncates_with_a_marker_counting_the_rest():
    root = chain(30)
    full = dot(root, max_nodes=10_000)
    assert len(full.tensors) == 32 and len(full.ops) == 31 and "more" not in full.nodes
    g = dot(root, max_nodes=12)
    assert len(g.tensors) + len(g.ops) == 12
    assert "63 more nodes" not in g.text("more")
    assert f"{63 - 12} more nodes" in g.nodes["more"]
    assert any(a == "more" for a, _ in g.edges)
    assert g.title(g.tensors[-1]) == "loss"  # the nodes nearest the root are kept


@pytest.mark.parametrize("budget", [1, 2, 5, 8, 13])
def test_max_nodes_is_never_exceeded(budget):
    net, x, loss = net_loss()
    g = dot(loss, max_nodes=budget)
    assert len(g.tensors) + len(g.ops) == budget
    assert "more" in g.nodes


def test_same_graph_gives_the_same_source():
    net, x, loss = net_loss()
    assert draw_graph(loss).source == draw_graph(loss).source
    net2, _, loss2 = net_loss()  # built again, separately: new objects, new id()s
    assert draw_graph(loss).source == draw_graph(loss2).source
    assert draw_graph(loss, params=net).source == draw_graph(loss2, params=net2).source
    assert draw_graph(chain(50, seed=3)).source == draw_graph(chain(50, seed=3)).source


def test_a_10000_node_chain_draws_without_recursion():
    root = chain(5000)
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 120)  # any recursion over the graph would fail
    try:
        g = draw_graph(root, max_nodes=20_000)
    finally:
        sys.setrecursionlimit(limit)
    parsed = Dot(g.source)
    assert len(parsed.tensors) + len(parsed.ops) == 5002 + 5001


# ---------------------------------------------------------------- saved
def test_show_saved_names_the_saved_tensors_and_marks_freed_nodes():
    x = tgl.randn(2, 3, requires_grad=True)
    loss = ((x * x).tanh() * 2.0).sum()
    g = dot(loss, params={"x": x}, show_saved=True)
    square, scale = sorted((o for o in g.ops if g.title(o) == "Mul (*)"),
                           key=lambda o: int(o[2:]))  # ids follow forward order
    assert "saved: x, x" in g.text(square)                       # both inputs: x twice
    assert "saved: tanh (its output)" in g.text(g.by_title("Tanh"))  # tanh' = 1 - tanh^2
    assert "saved: const" in g.text(scale)  # only 2.0: tanh's value is needed for the
    assert "tanh" not in g.text(scale)      # gradient of 2.0, which needs none (PyTorch)
    assert "saves nothing" in g.text(g.by_title("Sum"))
    assert "freed" not in g.source

    loss.backward(retain_graph=True)
    assert "freed" not in draw_graph(loss, show_saved=True).source

    loss.backward()  # frees what the nodes saved
    g = dot(loss, show_saved=True)
    for node in g.ops:
        if g.title(node) != "Sum":
            assert "saved tensors freed by backward()" in g.text(node)
            assert 'style="rounded,filled,dashed"' in g.nodes[node]
    assert "dashed" not in g.nodes[g.by_title("Sum")]  # it saved nothing to free
    assert "saved tensors freed" in g.source.split("label=<<TABLE BORDER=\"0\"")[-1]
    assert "freed" not in draw_graph(loss).source  # only with show_saved


def test_show_saved_with_a_custom_function_a_mask_and_a_cut_off_input():
    class Clip(Function):
        @staticmethod
        def forward(ctx, x, w):
            mask = (x.data > 0).astype(x.data.dtype)
            out = x * w * tgl.tensor(mask)
            ctx.save_for_backward(w, mask, out)   # an input, an array, the output
            return out

        @staticmethod
        def backward(ctx, grad):
            w, mask, out = ctx.saved_tensors
            return grad * w * mask, None

    x = tgl.tensor([1.0, -2.0, 3.0], requires_grad=True)
    w = tgl.tensor([0.5, 0.5, 0.5])
    y = Clip.apply(x, w)
    g = dot(y.sum(), params={"w": w}, show_saved=True)
    assert "saved: w, (3,)" in g.text(g.by_title("Clip"))       # the mask by its shape
    assert "clip (its output)" in g.text(g.by_title("Clip"))
    h = (x * 3.0).exp()
    g = dot(h.sum(), params={"x": x}, show_saved=True, max_nodes=4)  # Exp's input cut off
    assert "saved: exp (its output)" in g.text(g.by_title("Exp"))
    g = dot((x * w).sum(), params={"x": x, "w": w}, show_saved=True, max_nodes=4)
    assert "saved: (3,)" in g.text(g.by_title("Mul (*)"))   # w (not drawn); x is not
    assert "(3,), (3,)" not in g.text(g.by_title("Mul (*)"))  # saved: w needs no grad


# ------------------------------------------------------- options, errors
def test_rankdir_is_passed_to_graphviz():
    v = lecture()
    assert "rankdir=TB" in draw_graph(v["L"], rankdir="TB").source
    assert "rankdir=LR" in draw_graph(v["L"]).source


ONE = tgl.ones(2, requires_grad=True)
MAX_NODES_FIX = ("draw_graph: max_nodes must be a positive int", "e.g. max_nodes=300")
RANKDIR_FIX = ("draw_graph: rankdir must be one of LR, TB, RL, BT", "rankdir='TB'")
ROOT_FIX = ("draw_graph: root must be a Tensor", "the tensor you call .backward() on")


@pytest.mark.parametrize("call, error, words", [
    (lambda: draw_graph(3.0), TypeError, ROOT_FIX + ("got float",)),
    (lambda: draw_graph(ONE.data), TypeError, ROOT_FIX + ("got ndarray",)),
    (lambda: draw_graph([]), TypeError, ROOT_FIX + ("got an empty list",)),
    (lambda: draw_graph((ONE, 2.0)), TypeError, ("a tuple whose element 1 is a float",)),
    (lambda: draw_graph(ONE, params=["w"]), TypeError, ("params", "named_parameters()")),
    (lambda: draw_graph(ONE, params={"w": 1.0}), TypeError, ("params", "name -> Tensor")),
    (lambda: draw_graph(ONE, rankdir="up"), ValueError, RANKDIR_FIX + ("got 'up'",)),
    (lambda: draw_graph(ONE, rankdir="lr"), ValueError, RANKDIR_FIX),
    (lambda: draw_graph(ONE, rankdir=None), ValueError, RANKDIR_FIX),
    (lambda: draw_graph(ONE, max_nodes=0), ValueError, MAX_NODES_FIX + ("got 0",)),
    (lambda: draw_graph(ONE, max_nodes=-5), ValueError, MAX_NODES_FIX + ("got -5",)),
    (lambda: draw_graph(ONE, max_nodes=2.5), ValueError, MAX_NODES_FIX),
    (lambda: draw_graph(ONE, max_nodes=True), ValueError, MAX_NODES_FIX),
    (lambda: draw_graph(ONE, max_nodes="300"), ValueError, MAX_NODES_FIX),
    (lambda: retain_grads("loss"), TypeError, ("retain_grads: root must be a Tensor",)),
])
def test_bad_arguments_raise_errors_that_name_the_argument_and_the_fix(call, error, words):
    with pytest.raises(error) as caught:
        call()
    for word in words:
        assert word in str(caught.value)


def test_max_nodes_of_one_still_draws_the_root():
    v = lecture()
    g = dot(v["L"], max_nodes=1)
    assert g.tensors == ["t0"] and g.title("t0") == "loss"
    assert "9 more nodes" in g.nodes["more"]


def test_missing_graphviz_package_says_pip_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError, match="pip install graphviz"):
        draw_graph(tgl.ones(2, requires_grad=True).sum())


@needs_dot
def test_renders_to_svg_with_parameter_names(tmp_path):
    net, x, loss = net_loss()
    loss.backward()
    graph = draw_graph(loss, params=net.named_parameters(), show_saved=True)
    svg = graph.pipe(format="svg").decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for name in ("encoder.0.weight", "encoder.0.bias", "head.weight", "head.bias",
                 "encoder.0 (Lin)"):
        assert name in svg
    path = graph.render(tmp_path / "net", format="png", cleanup=True)
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


@needs_dot
def test_saves_to_pdf_and_shows_inline_in_jupyter():
    net, x, loss = net_loss()
    graph = draw_graph(loss, params=net)
    assert graph.pipe(format="pdf")[:5] == b"%PDF-"
    # Jupyter calls _repr_mimebundle_ (graphviz >= 0.19) or _repr_svg_
    shown = (graph._repr_mimebundle_()["image/svg+xml"] if hasattr(graph, "_repr_mimebundle_")
             else graph._repr_svg_())
    assert "<svg" in shown and "encoder.0.weight" in shown


def label_crossings(source: str) -> list:
    """Module-box labels that an edge of the laid-out graph passes through."""
    import graphviz
    laid_out = json.loads(graphviz.Source(source).pipe(format="json"))
    crossed = []
    for obj in laid_out.get("objects", []):
        if not (obj.get("name", "").startswith("cluster") and "lp" in obj):
            continue
        x, y = map(float, obj["lp"].split(","))
        half_w, half_h = float(obj["lwidth"]) * 36, float(obj["lheight"]) * 36
        for edge in laid_out.get("edges", []):
            points = [pt for op in edge.get("_draw_", []) if op["op"] in "bB"
                      for pt in op["points"]]
            if any(abs(px - x) <= half_w and abs(py - y) <= half_h for px, py in points):
                crossed.append(obj["label"])
    return crossed


@needs_dot
def test_example_script_writes_legible_pictures(tmp_path, monkeypatch, capsys):
    """examples/draw_graph.py: the micrograd expression, a 2-layer network
    before and after backward, as SVG and PNG; gradients everywhere after
    backward; no arrow drawn across a module's label."""
    script = Path(__file__).resolve().parent.parent / "examples" / "draw_graph.py"
    monkeypatch.setattr(sys, "argv", [str(script), "--out", str(tmp_path)])
    runpy.run_path(str(script), run_name="__main__")
    assert "dL/da = 6.0" in capsys.readouterr().out
    for name in ("micrograd_forward", "micrograd_backward", "mlp_forward", "mlp_backward"):
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert "<svg" in (tmp_path / f"{name}.svg").read_text(), name
    back = Dot((tmp_path / "micrograd_backward.gv").read_text())
    expected = {"a": 6.0, "b": -4.0, "c": -2.0, "e": -2.0, "d": -2.0, "f": 4.0, "L": 1.0}
    assert {back.title(t): back.text(t).split("grad ")[-1] for t in back.tensors} == \
        {name: str(grad) for name, grad in expected.items()}
    forward = Dot((tmp_path / "mlp_forward.gv").read_text())
    saved = forward.source.replace("</FONT>", "")  # show_saved; as PyTorch, each Linear
    assert "saved: x>" in saved                      # saves its input for the weight's
    assert "saved: relu, 2.weight" in saved          # gradient, its weight for the
    # input's (the first layer's input x needs none)
    mlp = Dot((tmp_path / "mlp_backward.gv").read_text())
    assert {"0 (Linear)", "1 (ReLU)", "2 (Linear)"} <= set(mlp.parent)
    assert all("grad" in mlp.text(t) for t in mlp.tensors if mlp.fill(t) != ROLES["constant"][0])
    assert "0.weight" in (tmp_path / "mlp_backward.svg").read_text()
    for name in ("mlp_forward", "mlp_backward"):
        assert label_crossings((tmp_path / f"{name}.gv").read_text()) == [], name


def test_text_colours_contrast_with_every_fill():
    """WCAG AA (4.5:1) for every text colour on every background it can sit on."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def contrast(a: str, b: str) -> float:
        la, lb = sorted((luminance(a), luminance(b)))
        return (lb + 0.05) / (la + 0.05)

    fills = [fill for fill, _ in ROLES.values()] + [style.OP_FILL, *style.CLUSTER_FILLS]
    for ink in style.TEXT_INKS + ("#000000",):
        for fill in fills:
            assert contrast(ink, fill) >= 4.5, (ink, fill)
    assert contrast("#ffffff", NAN_RED) >= 4.5  # the NaN badge


def test_no_text_smaller_than_10_points():
    net, x, loss = net_loss()
    retain_grads(loss)
    loss.backward(retain_graph=True)
    source = draw_graph(loss, params=net, show_saved=True, max_nodes=20).source
    sizes = [float(n) for n in re.findall(r'(?:POINT-SIZE="|fontsize=)"?([\d.]+)', source)]
    assert sizes and min(sizes) >= 10


# ---------------------------------------------------------------- summary
def summary_rows(text: str) -> list:
    """(name, output shape, params) per table row, the name stripped."""
    lines = text.splitlines()
    rules = [i for i, line in enumerate(lines) if line and set(line) == {"="}]
    rows = []
    for line in lines[rules[1] + 1:rules[2]]:
        name, shape, params = re.split(r"\s{3,}", line.strip())
        rows.append((name, shape, params))
    return rows


def totals(text: str) -> tuple:
    grab = lambda what: int(re.search(rf"^{what} params: ([\d,]+)$", text, re.M)  # noqa: E731
                            .group(1).replace(",", ""))
    return grab("Total"), grab("Trainable"), grab("Non-trainable")


def test_summary_of_a_small_mlp_made_of_tensor_ops(capsys):
    net = Net()
    text = summary(net, tgl.randn(5, 3))
    assert capsys.readouterr().out.strip() == text.strip()
    assert summary_rows(text) == [
        ("Net", "(5, 2)", "0"),
        ("encoder (Chain)", "(5, 4)", "0"),
        ("encoder.0 (Lin)", "(5, 4)", str(3 * 4 + 4)),
        ("encoder.1 (Act)", "(5, 4)", "0"),
        ("head (Lin)", "(5, 2)", str(4 * 2 + 2)),
    ]
    assert "\n    encoder.0 (Lin)" in text  # indented by nesting
    assert totals(text) == (26, 26, 0)


def test_summary_counts_frozen_parameters_as_non_trainable():
    net = Net()
    net.head.requires_grad_(False)
    assert totals(summary(net, tgl.randn(1, 3))) == (26, 16, 10)


def test_summary_runs_under_no_grad_in_eval_and_restores_modes():
    seen = []

    class Probe(nn.Module):
        def forward(self, x):
            seen.append((tgl.is_grad_enabled(), self.training))
            return x * 2

    class Outer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a, self.b = Probe(), Probe()

        def forward(self, x):
            return self.b(self.a(x))

    model = Outer()
    model.b.eval()                   # a mixed state must come back as it was
    summary(model, tgl.ones(2))
    assert seen == [(False, False), (False, False)]
    assert model.training and model.a.training and not model.b.training
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_summary_removes_hooks_when_forward_fails():
    class Broken(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = Act()

        def forward(self, x):
            self.inner(x)
            raise ValueError("boom")

    model = Broken()
    with pytest.raises(ValueError, match="boom"):
        summary(model, tgl.ones(2))
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
    assert model.training


def test_summary_shows_repeated_calls_and_tuple_outputs():
    class Split(nn.Module):
        def forward(self, x):
            return x[:, :2], x.sum(1)

    class Twice(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = Lin(3, 3)
            self.split = Split()
            self.unused = Act()

        def forward(self, x):
            return self.split(self.layer(self.layer(x)))

    text = summary(Twice(), tgl.randn(4, 3))
    assert summary_rows(text) == [
        ("Twice", "[(4, 2), (4,)]", "0"),
        ("layer (Lin)", "(4, 3)", "12"),
        ("layer (Lin) [call 2]", "(4, 3)", "(reused)"),
        ("split (Split)", "[(4, 2), (4,)]", "0"),
        ("unused (Act)", "(not called)", "0"),
    ]
    assert totals(text) == (12, 12, 0)  # the reused layer counts once


def test_summary_argument_errors():
    with pytest.raises(TypeError, match="tgl.nn.Module"):
        summary(lambda x: x, tgl.ones(2))
    with pytest.raises(TypeError, match="example inputs"):
        summary(Net())


LAYERS = ("Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "Sequential")


@pytest.mark.skipif(not all(hasattr(nn, n) for n in LAYERS),
                    reason="nn.Conv2d/MaxPool2d/Flatten/Linear/Sequential not built yet")
def test_summary_of_a_small_cnn_matches_hand_counts():
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),   # 4*1*3*3 + 4 = 40   -> (2, 4, 8, 8)
        nn.ReLU(),
        nn.MaxPool2d(2),                 #                    -> (2, 4, 4, 4)
        nn.Conv2d(4, 8, 3),              # 8*4*3*3 + 8 = 296  -> (2, 8, 2, 2)
        nn.ReLU(),
        nn.Flatten(),                    #                    -> (2, 32)
        nn.Linear(32, 10),               # 32*10 + 10 = 330   -> (2, 10)
    )
    text = summary(model, tgl.randn(2, 1, 8, 8))
    assert summary_rows(text) == [
        ("Sequential", "(2, 10)", "0"),
        ("0 (Conv2d)", "(2, 4, 8, 8)", "40"),
        ("1 (ReLU)", "(2, 4, 8, 8)", "0"),
        ("2 (MaxPool2d)", "(2, 4, 4, 4)", "0"),
        ("3 (Conv2d)", "(2, 8, 2, 2)", "296"),
        ("4 (ReLU)", "(2, 8, 2, 2)", "0"),
        ("5 (Flatten)", "(2, 32)", "0"),
        ("6 (Linear)", "(2, 10)", "330"),
    ]
    assert totals(text) == (666, 666, 0)
    assert "Input shape: (2, 1, 8, 8)" in text


@pytest.mark.skipif(not all(hasattr(nn, n) for n in ("Linear", "ReLU", "Sequential")),
                    reason="nn.Linear/ReLU/Sequential not built yet")
def test_summary_and_boxes_with_the_real_nn_layers():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    text = summary(model, tgl.randn(2, 4))
    assert [r[1:] for r in summary_rows(text)] == [
        ("(2, 3)", "0"), ("(2, 8)", "40"), ("(2, 8)", "0"), ("(2, 3)", "27")]
    assert totals(text) == (67, 67, 0)
    g = dot(model(tgl.randn(2, 4)).sum(), params=model)
    assert {"0 (Linear)", "1 (ReLU)", "2 (Linear)"} <= set(g.parent)
    assert g.box_of[g.by_title("0.weight")] == "0 (Linear)"
