"""micrograd's demo, done with tinygrad_lite: a small MLP separates two moons.

    python examples/moons.py                    # 100 steps, seed 1337
    python examples/moons.py --steps 50 --seed 0

Andrej Karpathy's micrograd ends with a binary classifier trained on
``make_moons(n_samples=100, noise=0.1)``; this is the same demo, with the
same loss and schedule, written with tensors instead of scalar Values:

  data    100 points of two interleaving half circles, labels y in {-1, +1}
          (the seed also seeds the weights; 1337 gives micrograd's points)
  model   Linear(2, 16) - ReLU - Linear(16, 16) - ReLU - Linear(16, 1):
          one score per point, its sign is the predicted class
  loss    SVM max-margin loss relu(1 - y * score).mean()
          + L2 regularisation alpha * sum(p * p) over every weight (alpha 1e-4)
  train   full batch, plain SGD, learning rate decayed as micrograd does:
          lr = 1.0 - 0.9 * k / 100 at step k of 100 (set in
          optimizer.param_groups; other --steps stretch the same decay)

With the default seed it reaches 100% training accuracy (micrograd's demo
does too); other seeds land between 95% and 100%. Written to the output
folder (default runs/moons/):

  decision_boundary.png   the score over the plane (its sign is the
                          decision, the black line score = 0 the boundary)
                          with the training points coloured by label
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import tinygrad_lite as tgl
from tinygrad_lite import nn, optim

ALPHA = 1e-4  # L2 regularisation strength (micrograd's)


def loss_and_accuracy(model: nn.Module, X: tgl.Tensor,
                      y: tgl.Tensor) -> tuple[tgl.Tensor, float]:
    """micrograd's loss: max-margin data loss plus L2 regularisation."""
    scores = model(X).squeeze(1)
    data_loss = (1 - y * scores).relu().mean()
    reg_loss = ALPHA * sum((p * p).sum() for p in model.parameters())
    accuracy = ((scores.detach() > 0) == (y > 0)).float().mean().item()
    return data_loss + reg_loss, accuracy


def save_boundary(model: nn.Module, X: np.ndarray, y: np.ndarray, accuracy: float,
                  steps: int, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    h = 0.02
    x_min, x_max = X[:, 0].min() - 0.5, X[:, 0].max() + 0.5
    y_min, y_max = X[:, 1].min() - 0.5, X[:, 1].max() + 0.5
    xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
    grid = tgl.tensor(np.c_[xx.ravel(), yy.ravel()].astype(np.float32))
    with tgl.no_grad():
        scores = model(grid).numpy().reshape(xx.shape)

    fig, ax = plt.subplots(figsize=(7, 5.5))
    limit = float(np.abs(scores).max()) or 1.0
    filled = ax.contourf(xx, yy, scores, levels=20, cmap="RdBu", alpha=0.8,
                         norm=TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit))
    ax.contour(xx, yy, scores, levels=[0.0], colors="black", linewidths=1.5)
    colorbar = fig.colorbar(filled, ax=ax)
    colorbar.set_label("score (> 0: class +1, < 0: class -1)")
    for label, colour, marker in ((-1, "tab:red", "o"), (1, "tab:blue", "s")):
        chosen = y == label
        ax.scatter(X[chosen, 0], X[chosen, 1], c=colour, marker=marker, s=36,
                   edgecolors="black", linewidths=0.7, label=f"y = {label:+d}")
    ax.plot([], [], color="black", linewidth=1.5, label="decision boundary (score = 0)")
    ax.legend(loc="upper right", framealpha=0.9, fontsize=9)
    ax.set(title=f"MLP 2-16-16-1 on make_moons: {accuracy:.0%} training accuracy "
                 f"after {steps} steps",
           xlabel="$x_1$", ylabel="$x_2$", xlim=(xx.min(), xx.max()), ylim=(yy.min(), yy.max()))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--out", type=Path, default=Path("runs/moons"))
    args = parser.parse_args()
    from tqdm import tqdm

    tgl.manual_seed(args.seed)
    X, labels = tgl.datasets.make_moons(n_samples=100, noise=0.1, random_state=args.seed)
    y = labels.float() * 2 - 1  # 0/1 -> -1/+1

    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(),    # micrograd's MLP(2, [16, 16, 1])
                          nn.Linear(16, 16), nn.ReLU(),
                          nn.Linear(16, 1))                # the score: its sign is the class
    optimizer = optim.SGD(model.parameters(), lr=1.0)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"training an MLP 2-16-16-1 ({n_params} parameters) on {len(y)} moons points")
    started = time.perf_counter()
    with tqdm(total=args.steps, desc="training", unit="step", leave=False) as bar:
        for k in range(args.steps):
            loss, accuracy = loss_and_accuracy(model, X, y)
            optimizer.zero_grad()
            loss.backward()
            lr = 1.0 - 0.9 * k / args.steps  # micrograd's schedule (k / 100)
            for group in optimizer.param_groups:
                group["lr"] = lr
            optimizer.step()
            bar.set_postfix(loss=f"{loss.item():.4f}", acc=f"{accuracy:.2f}", refresh=False)
            bar.update(1)
            if k % 10 == 0 or k == args.steps - 1:
                tqdm.write(f"step {k:3d}  loss {loss.item():.4f}  accuracy {accuracy:.0%}")
    elapsed = time.perf_counter() - started

    with tgl.no_grad():
        _, accuracy = loss_and_accuracy(model, X, y)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "decision_boundary.png"
    save_boundary(model, X.numpy(), y.numpy(), accuracy, args.steps, path)
    print(f"training accuracy: {accuracy:.2%} after {args.steps} steps "
          f"({elapsed:.1f} s of training)")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
