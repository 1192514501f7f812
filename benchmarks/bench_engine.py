"""Engine overhead: the 300-op chain ``y = (y*1.001 + 0.01).tanh()`` x100 on
a 16-element float32 tensor, forward + backward.

Reports microseconds per op for tinygrad_lite, hand-written numpy (the
floor) and PyTorch when installed, with the ratio to PyTorch.

    python benchmarks/bench_engine.py
"""
from __future__ import annotations

import numpy as np

import tinygrad_lite as tgl
from harness import format_table, machine_info, measure, try_import_torch

STEPS = 100
OPS = 3 * STEPS  # mul, add, tanh per step


def chain_tgl(x0: np.ndarray):
    x = tgl.tensor(x0, requires_grad=True)

    def run():
        x.grad = None
        y = x
        for _ in range(STEPS):
            y = (y * 1.001 + 0.01).tanh()
        y.backward(tgl.ones_like(y))
        return x.grad
    return run


def chain_numpy(x0: np.ndarray):
    def run():
        ys, y = [], x0
        for _ in range(STEPS):
            y = np.tanh(y * np.float32(1.001) + np.float32(0.01))
            ys.append(y)
        g = np.ones_like(x0)
        for y in reversed(ys):
            g = g * (1 - y * y) * np.float32(1.001)
        return g
    return run


def chain_torch(torch, x0: np.ndarray):
    x = torch.tensor(x0, requires_grad=True)

    def run():
        x.grad = None
        y = x
        for _ in range(STEPS):
            y = (y * 1.001 + 0.01).tanh()
        y.backward(torch.ones_like(y))
        return x.grad
    return run


def check_agreement(fns: dict) -> None:
    ref = np.asarray(fns["numpy"]())
    for name, fn in fns.items():
        got = fn()
        got = got.detach().numpy() if hasattr(got, "detach") else np.asarray(got)
        np.testing.assert_allclose(got, ref, rtol=1e-4, err_msg=f"{name} gradient differs")


def main() -> None:
    x0 = np.random.default_rng(0).standard_normal(16).astype(np.float32)
    fns = {"tinygrad_lite": chain_tgl(x0), "numpy": chain_numpy(x0)}
    torch = try_import_torch()
    if torch:
        fns["torch"] = chain_torch(torch, x0)
    check_agreement(fns)
    times = measure(fns)
    rows = []
    for name, t in times.items():
        row = [name, f"{t * 1e6 / OPS:.2f}", f"{t / times['numpy']:.2f}x"]
        row.append(f"{t / times['torch']:.2f}x" if torch else "-")
        rows.append(row)
    print(machine_info())
    print(format_table(rows, ["implementation", "us per op (fwd+bwd)", "vs numpy", "vs torch"]))


if __name__ == "__main__":
    main()
