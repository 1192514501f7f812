"""How much of the small MLP step's cost is the autograd core itself.

Times the 64-32-10 MLP train step (batch 32) three ways, from the same data
and weights, interleaved, medians: hand-written numpy; the usual
tinygrad_lite step (nn.Sequential, F.cross_entropy, optim.SGD); and the same
step written with the operations alone (``Linear.apply``, ``Relu.apply``,
``CrossEntropy.apply`` and a plain ``p.data -= lr * p.grad.data`` loop),
which leaves out every layer above the graph recording and the engine.
If the operations alone come near the target ratio, the layers above them
cannot be where the rest of the gap is.

    python benchmarks/mlp_floor.py
"""
from __future__ import annotations

from typing import Callable

import numpy as np

import tinygrad_lite as tgl
from harness import format_table, machine_info, measure
from tinygrad_lite.ops import elementwise, nn_ops
from workloads import _linear_init, mlp

SIZES, BATCH, LR = [64, 32, 10], 32, 0.05


def ops_only_step() -> Callable[[], float]:
    """The step with no Module, nn.functional or optimizer code."""
    rng = np.random.default_rng(0)  # the same draws as workloads.mlp
    weights, biases = _linear_init(rng, SIZES)
    X = tgl.tensor(rng.standard_normal((BATCH, SIZES[0])).astype(np.float32))
    y = tgl.tensor(rng.integers(0, SIZES[-1], BATCH))
    w1, w2 = (tgl.tensor(w, requires_grad=True) for w in weights)
    b1, b2 = (tgl.tensor(b, requires_grad=True) for b in biases)
    params = [w1, b1, w2, b2]

    def step() -> float:
        for p in params:
            p.grad = None
        hidden = elementwise.Relu.apply(nn_ops.Linear.apply(X, w1, b1))
        loss = nn_ops.CrossEntropy.apply(nn_ops.Linear.apply(hidden, w2, b2), y, None, -100,
                                         "mean", 0.0)
        loss.backward()
        with tgl.no_grad():
            for p in params:
                p.data -= LR * p.grad.data
        return loss.item()
    return step


def main() -> None:
    build = mlp(SIZES, BATCH, LR)
    steps = {"numpy": build("numpy"), "tinygrad_lite": build("tinygrad_lite"),
             "operations alone": ops_only_step()}
    losses = {name: [step() for _ in range(3)] for name, step in
              {"numpy": build("numpy"), "operations alone": ops_only_step()}.items()}
    np.testing.assert_allclose(losses["operations alone"], losses["numpy"], rtol=1e-4)
    times = measure(steps, rounds=9, target=0.1)
    rows = [[name, f"{t * 1e6:.1f} us", f"{t / times['numpy']:.2f}x"]
            for name, t in times.items()]
    print(machine_info())
    print()
    print(format_table(rows, ["MLP 64-32-10 step", "time", "/ numpy"]))
    print("\n(medians of 9 interleaved rounds; numpy: forward and backward by hand)")


if __name__ == "__main__":
    main()
