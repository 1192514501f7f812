"""The benchmark workloads, each written for tinygrad_lite, hand-written
numpy and PyTorch from the same data and the same initial weights.

A workload's `build(impl)` returns a function that runs one training step
and returns the loss; `run.py` first checks that the implementations agree
on the losses of a few steps, then times them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

import numpy_baselines as nb
import tinygrad_lite as tgl
import tinygrad_lite.nn.functional as F
from tinygrad_lite import nn, optim


@dataclass
class Workload:
    name: str
    build: Callable[[str, object], Callable[[], float]]  # (impl, torch module) -> step
    unit: str = "ms"                                     # how to print the time
    ops: int = 1                                         # per-op figures divide by this


def _linear_init(rng: np.random.Generator, sizes: list) -> tuple:
    """PyTorch's default Linear initialisation, drawn with numpy."""
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        biases.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return weights, biases


def _mlp_modules(ns, sizes: list):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(ns.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(ns.ReLU())
    return ns.Sequential(*layers)


def _load_linear_weights(model, weights: list, biases: list, to_tensor) -> None:
    state = {}
    linear = 0
    for name, _ in model.named_parameters():
        index, kind = name.split(".")
        arr = weights[linear] if kind == "weight" else biases[linear]
        state[name] = to_tensor(arr.copy())
        if kind == "bias":
            linear += 1
    model.load_state_dict(state)


def mlp(sizes: list, batch: int, lr: float = 0.05) -> Callable:
    rng = np.random.default_rng(0)
    weights, biases = _linear_init(rng, sizes)
    X = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)

    def build(impl: str, torch=None) -> Callable[[], float]:
        if impl == "numpy":
            return lambda net=nb.MLP(weights, biases, lr): net.step(X, y)
        if impl == "tinygrad_lite":
            model = _mlp_modules(nn, sizes)
            _load_linear_weights(model, weights, biases, tgl.tensor)
            opt = optim.SGD(model.parameters(), lr=lr)
            Xt, yt = tgl.tensor(X), tgl.tensor(y)
            F_ce = F.cross_entropy
        else:
            model = _mlp_modules(torch.nn, sizes)
            with torch.no_grad():
                _load_linear_weights(model, weights, biases, torch.from_numpy)
            opt = torch.optim.SGD(model.parameters(), lr=lr)
            Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
            F_ce = torch.nn.functional.cross_entropy

        def step() -> float:
            opt.zero_grad()
            loss = F_ce(model(Xt), yt)
            loss.backward()
            opt.step()
            return loss.item()
        return step
    return build


def moons_demo() -> Callable:
    """micrograd's demo: 2-16-16-1 on 100 moons, max-margin loss + L2, SGD."""
    from tinygrad_lite.datasets import make_moons
    X, y = make_moons(100, noise=0.1, random_state=1)
    X = X.numpy().astype(np.float32)
    y = (y.numpy() * 2 - 1).astype(np.float32)
    weights, biases = _linear_init(np.random.default_rng(0), [2, 16, 16, 1])
    alpha, lr = 1e-4, 0.1

    def build(impl: str, torch=None) -> Callable[[], float]:
        if impl == "numpy":
            return lambda net=nb.MoonsMLP(weights, biases, lr, alpha): net.step(X, y)
        ns = nn if impl == "tinygrad_lite" else torch.nn
        model = _mlp_modules(ns, [2, 16, 16, 1])
        to_tensor = tgl.tensor if impl == "tinygrad_lite" else torch.from_numpy
        if impl == "tinygrad_lite":
            _load_linear_weights(model, weights, biases, to_tensor)
            opt = optim.SGD(model.parameters(), lr=lr)
        else:
            with torch.no_grad():
                _load_linear_weights(model, weights, biases, to_tensor)
            opt = torch.optim.SGD(model.parameters(), lr=lr)
        Xt, yt = to_tensor(X), to_tensor(y).reshape(-1, 1)
        ws = [p for n, p in model.named_parameters() if n.endswith("weight")]

        def step() -> float:
            opt.zero_grad()
            scores = model(Xt)
            loss = (1 - yt * scores).relu().mean() + alpha * sum((w * w).sum() for w in ws)
            loss.backward()
            opt.step()
            return loss.item()
        return step
    return build


def lenet(batch: int = 32, lr: float = 0.05) -> Callable:
    rng = np.random.default_rng(0)

    def uniform(shape, fan_in):
        bound = 1 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, shape).astype(np.float32)
    params = {"c1.weight": uniform((8, 1, 3, 3), 9), "c1.bias": uniform(8, 9),
              "c2.weight": uniform((16, 8, 3, 3), 72), "c2.bias": uniform(16, 72),
              "fc.weight": uniform((10, 784), 784), "fc.bias": uniform(10, 784)}
    X = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, batch)

    def build(impl: str, torch=None) -> Callable[[], float]:
        if impl == "numpy":
            return lambda net=nb.LeNet(params, lr): net.step(X, y)
        ns = nn if impl == "tinygrad_lite" else torch.nn
        model = ns.Sequential()
        model.add_module("c1", ns.Conv2d(1, 8, 3, padding=1))
        model.add_module("r1", ns.ReLU())
        model.add_module("p1", ns.MaxPool2d(2))
        model.add_module("c2", ns.Conv2d(8, 16, 3, padding=1))
        model.add_module("r2", ns.ReLU())
        model.add_module("p2", ns.MaxPool2d(2))
        model.add_module("flat", ns.Flatten())
        model.add_module("fc", ns.Linear(784, 10))
        if impl == "tinygrad_lite":
            model.load_state_dict({k: tgl.tensor(v) for k, v in params.items()})
            opt = optim.SGD(model.parameters(), lr=lr)
            Xt, yt, ce = tgl.tensor(X), tgl.tensor(y), F.cross_entropy
        else:
            model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in params.items()})
            opt = torch.optim.SGD(model.parameters(), lr=lr)
            Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
            ce = torch.nn.functional.cross_entropy

        def step() -> float:
            opt.zero_grad()
            loss = ce(model(Xt), yt)
            loss.backward()
            opt.step()
            return loss.item()
        return step
    return build


def elementwise_chain(steps: int = 100, size: int = 16) -> Callable:
    """``y = (y*1.001 + 0.01).tanh()`` x steps, forward + backward."""
    x0 = np.random.default_rng(0).standard_normal(size).astype(np.float32)

    def build(impl: str, torch=None) -> Callable[[], float]:
        if impl == "numpy":
            def step() -> float:
                ys, y = [], x0
                for _ in range(steps):
                    y = np.tanh(y * np.float32(1.001) + np.float32(0.01))
                    ys.append(y)
                g = np.ones_like(x0)
                for y in reversed(ys):
                    g = g * (1 - y * y) * np.float32(1.001)
                return float(g.sum())
            return step
        lib = tgl if impl == "tinygrad_lite" else torch
        x = lib.tensor(x0, requires_grad=True)

        def step() -> float:
            x.grad = None
            y = x
            for _ in range(steps):
                y = (y * 1.001 + 0.01).tanh()
            y.backward(lib.ones_like(y))
            return float(x.grad.sum())
        return step
    return build


def scalar_chain(nodes: int = 10_000) -> Callable:
    """A chain of `nodes` scalar operations (alternating ``*w`` and ``+b``
    on a 0-d tensor, as a scalar autograd like micrograd builds), forward +
    backward; numpy does the same with Python floats."""
    w, b = 0.9999, 0.0001

    def build(impl: str, torch=None) -> Callable[[], float]:
        if impl == "numpy":
            def step() -> float:
                y = 0.5
                for _ in range(nodes // 2):
                    y = y * w + b
                grad = 1.0
                for _ in range(nodes // 2):
                    grad *= w
                return grad
            return step
        lib = tgl if impl == "tinygrad_lite" else torch
        x = lib.tensor(0.5, requires_grad=True)

        def step() -> float:
            x.grad = None
            y = x
            for _ in range(nodes // 2):
                y = y * w + b
            y.backward()
            return float(x.grad)
        return step
    return build


WORKLOADS = [
    Workload("MLP 784-512-256-10, batch 128, train step", mlp([784, 512, 256, 10], 128)),
    Workload("MLP 64-32-10, batch 32, train step", mlp([64, 32, 10], 32)),
    Workload("300-op elementwise chain on 16 elements, fwd+bwd", elementwise_chain(),
             unit="us/op", ops=300),
    Workload("LeNet-like conv step, batch 32 of 1x28x28", lenet()),
    Workload("10,000-node scalar chain, fwd+bwd", scalar_chain()),
    Workload("micrograd demo MLP 2-16-16-1 on 100 moons, step", moons_demo()),
]
