"""See what backward() walks: pictures of computation graphs.

    python examples/draw_graph.py                  # writes runs/graphs/*.svg, *.png
    python examples/draw_graph.py --out somewhere  # another folder

Two graphs, each drawn before and after backward (four pictures):

  micrograd_forward / micrograd_backward
      the scalar expression of micrograd's lecture, L = (a*b + c) * f,
      with the value and then the gradient at every node
  mlp_forward / mlp_backward
      a 2-layer network (Linear, ReLU, Linear) and its mean squared error,
      the operations of each module in a labelled box, each operation
      listing the tensors it saved for backward; after backward every
      tensor shows its gradient

How to read them: rounded boxes are operations, tables are tensors (name,
shape and dtype, values, gradient). Colours: blue parameters, green inputs
that require grad, white intermediate tensors, yellow the output or loss,
grey constants. A red border means NaN or inf.

The gradient of *every* node after backward needs one extra call before
backward: ``tgl.viz.retain_grads(loss)`` (leaves get ``.grad`` anyway;
intermediate tensors, like PyTorch's, drop theirs unless asked to keep it).

The pictures need Graphviz's `dot` program (apt-get install graphviz / brew
install graphviz); without it the DOT sources (.gv) are still written.
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import tinygrad_lite as tgl
from tinygrad_lite import nn


PNG_DPI = "144"  # 1.5 times the default 96: sharp text on today's screens


def save(graph, out: Path, name: str) -> list[str]:  # graph: graphviz.Digraph
    """Write name.gv, and name.svg / name.png when `dot` is installed.

    The PNG is drawn at `PNG_DPI` (on a copy: ``dpi`` would scale the SVG
    too, which is already sharp at any size)."""
    (out / f"{name}.gv").write_text(graph.source)
    written = [f"{name}.gv"]
    if shutil.which("dot"):
        graph.render(out / name, format="svg", cleanup=True)
        sharp = graph.copy()
        sharp.attr(dpi=PNG_DPI)
        sharp.render(out / name, format="png", cleanup=True)
        written += [f"{name}.svg", f"{name}.png"]
    return written


def micrograd_expression(out: Path) -> list[str]:
    """micrograd's lecture example, before and after backward."""
    a = tgl.tensor(2.0, requires_grad=True)
    b = tgl.tensor(-3.0, requires_grad=True)
    c = tgl.tensor(10.0, requires_grad=True)
    f = tgl.tensor(-2.0, requires_grad=True)
    e = a * b
    d = e + c
    L = d * f
    names = {"a": a, "b": b, "c": c, "e": e, "d": d, "f": f, "L": L}
    written = save(tgl.viz.draw_graph(L, params=names), out, "micrograd_forward")

    tgl.viz.retain_grads(L)  # keep e's, d's and L's gradients too
    L.backward()
    print(f"dL/da = {a.grad.item()}  (by hand: f * b = {f.item() * b.item()})")
    return written + save(tgl.viz.draw_graph(L, params=names), out, "micrograd_backward")


def two_layer_network(out: Path) -> list[str]:
    """A 2-layer network's forward pass, then the same after backward."""
    tgl.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = tgl.randn(5, 3)          # a batch of 5 samples, 3 features
    target = tgl.randn(5, 2)
    tgl.viz.summary(model, x)

    loss = ((model(x) - target) ** 2).mean()
    names = {**dict(model.named_parameters()), "x": x, "target": target}
    # show_saved: what each operation keeps for backward (freed by backward)
    graph = tgl.viz.draw_graph(loss, params=names, show_saved=True, rankdir="TB")
    written = save(graph, out, "mlp_forward")

    tgl.viz.retain_grads(loss)
    loss.backward()
    graph = tgl.viz.draw_graph(loss, params=names, rankdir="TB")
    return written + save(graph, out, "mlp_backward")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("runs/graphs"),
                        help="output folder (created if missing)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    written = micrograd_expression(args.out) + two_layer_network(args.out)
    print(f"wrote to {args.out}/: {', '.join(written)}")
    if not shutil.which("dot"):
        print("Graphviz's `dot` program is not installed, so only the DOT sources (.gv) "
              "were written; install it (apt-get install graphviz / brew install "
              "graphviz) to get the pictures.")


if __name__ == "__main__":
    main()
