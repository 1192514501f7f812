"""Train a network on the 8x8 handwritten digits shipped with tinygrad_lite.

    python examples/train_digits.py               # the course's L-layer MLP
    python examples/train_digits.py --model cnn   # a small convolutional net

The MLP is the course's network: Z = W·A + b, A = ReLU(Z) for every hidden
layer, and a softmax output trained with cross-entropy (F.cross_entropy is
log-softmax + negative log-likelihood in one numerically stable step).
Written to the output folder (default runs/digits/):

  curves.png          loss and accuracy per epoch
  model.safetensors   the trained weights (tgl.save; loads in PyTorch too)
  graph.gv / .svg     the computation graph of one forward pass (the SVG
                      needs Graphviz's `dot` program)
"""
from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import numpy as np

import tinygrad_lite as tgl
import tinygrad_lite.nn.functional as F
from tinygrad_lite import nn, optim
from tinygrad_lite.data import DataLoader, TensorDataset


def mlp(sizes: list[int]) -> nn.Module:
    """Linear + ReLU layers; the last layer's outputs are the softmax logits."""
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 16 x 4 x 4
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 32 x 2 x 2
        nn.Flatten(), nn.Linear(32 * 2 * 2, 10))


def accuracy(model: nn.Module, X: tgl.Tensor, y: tgl.Tensor) -> float:
    model.eval()
    with tgl.no_grad():
        predicted = model(X).argmax(dim=1)
    model.train()
    return (predicted == y).float().mean().item()


def save_curves(history: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    epochs = range(1, len(history["loss"]) + 1)
    left.plot(epochs, history["loss"], marker="o")
    left.set(title="training loss", xlabel="epoch", ylabel="cross-entropy")
    right.plot(epochs, history["train_acc"], marker="o", label="train")
    right.plot(epochs, history["test_acc"], marker="o", label="test")
    right.set(title="accuracy", xlabel="epoch", ylabel="accuracy", ylim=(0, 1.01))
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def save_graph(model: nn.Module, X: tgl.Tensor, y: tgl.Tensor, out: Path) -> list[str]:
    """The graph of one forward pass (a few samples, so it stays legible)."""
    loss = F.cross_entropy(model(X[:4]), y[:4])
    graph = tgl.viz.draw_graph(loss, params=model.named_parameters(), show_data=False)
    (out / "graph.gv").write_text(graph.source)
    written = ["graph.gv"]
    if shutil.which("dot"):
        graph.render(out / "graph", format="svg", cleanup=True)
        written.append("graph.svg")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("runs/digits"))
    args = parser.parse_args()
    from tqdm import tqdm

    tgl.manual_seed(args.seed)
    X, y = tgl.datasets.load_digits(flatten=args.model == "mlp")
    order = np.random.default_rng(args.seed).permutation(len(y))  # fixed split
    test_idx, train_idx = order[:360], order[360:]
    X_train, y_train, X_test, y_test = X[train_idx], y[train_idx], X[test_idx], y[test_idx]
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=args.batch_size,
                        shuffle=True, generator=tgl.Generator().manual_seed(args.seed))

    model = mlp([64, 128, 64, 10]) if args.model == "mlp" else cnn()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    history: dict[str, list[float]] = {"loss": [], "train_acc": [], "test_acc": []}
    print(f"training a {args.model.upper()} on {len(y_train)} digits, testing on {len(y_test)}")
    started = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        total, seen = 0.0, 0
        # The bar is advanced by hand: iterating `tqdm(loader)` counts batches in
        # a local variable that reaches `bar.n` only when tqdm redraws on its
        # own (every 0.1 s), so a set_postfix() redraw each batch would show a
        # stale "0/45" for the whole of a short epoch.
        with tqdm(total=len(loader), desc=f"epoch {epoch:2d}/{args.epochs}",
                  unit="batch", leave=False) as bar:
            for xb, yb in loader:
                optimizer.zero_grad()
                loss = F.cross_entropy(model(xb), yb)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(yb)
                seen += len(yb)
                bar.set_postfix(loss=f"{total / seen:.4f}", refresh=False)
                bar.update(1)
        history["loss"].append(total / seen)
        history["train_acc"].append(accuracy(model, X_train, y_train))
        history["test_acc"].append(accuracy(model, X_test, y_test))
        tqdm.write(f"epoch {epoch:2d}  loss {total / seen:.4f}  "
                   f"train acc {history['train_acc'][-1]:.3f}  "
                   f"test acc {history['test_acc'][-1]:.3f}")
    elapsed = time.perf_counter() - started

    args.out.mkdir(parents=True, exist_ok=True)
    save_curves(history, args.out / "curves.png")
    tgl.save(model.state_dict(), args.out / "model.safetensors")
    written = ["curves.png", "model.safetensors"] + save_graph(model, X_test, y_test, args.out)
    print(f"test accuracy: {history['test_acc'][-1]:.2%} after {args.epochs} epochs "
          f"({elapsed:.1f} s of training)")
    print(f"wrote {', '.join(str(args.out / name) for name in written)}")


if __name__ == "__main__":
    main()
