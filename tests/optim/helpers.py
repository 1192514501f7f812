"""A tiny model built the same way in tinygrad_lite and PyTorch.

``Run`` holds one framework's parameters and data; ``loss()`` is a small
tanh MLP with an MSE loss, so gradients change from step to step. The fifth
parameter never enters the loss: its ``.grad`` stays None and optimizers
must skip it.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

import tinygrad_lite as tgl
import tinygrad_lite.nn  # noqa: F401  (makes tgl.nn available)
import tinygrad_lite.optim  # noqa: F401

SHAPES = {"w1": (4, 6), "b1": (6,), "w2": (6, 3), "b2": (3,), "unused": (2,)}
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}


def initial_arrays(dtype: Any, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {k: (rng.standard_normal(s) * 0.5).astype(dtype) for k, s in SHAPES.items()}


def batches(dtype: Any, steps: int, seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((8, 4)).astype(dtype), rng.standard_normal((8, 3)).astype(dtype))
            for _ in range(steps)]


class TglRun:
    """The model in tinygrad_lite."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.params = [tgl.nn.Parameter(tgl.tensor(a)) for a in arrays.values()]

    def loss(self, x: np.ndarray, y: np.ndarray) -> Any:
        w1, b1, w2, b2, _ = self.params
        h = (tgl.tensor(x) @ w1 + b1).tanh()
        return ((h @ w2 + b2 - tgl.tensor(y)) ** 2).mean()

    def arrays(self) -> list[np.ndarray]:
        return [p.data.copy() for p in self.params]


class TorchRun:
    """The same model in PyTorch."""

    def __init__(self, torch: Any, arrays: dict[str, np.ndarray]) -> None:
        self.torch = torch
        self.params = [torch.nn.Parameter(torch.tensor(a)) for a in arrays.values()]

    def loss(self, x: np.ndarray, y: np.ndarray) -> Any:
        w1, b1, w2, b2, _ = self.params
        h = (self.torch.tensor(x) @ w1 + b1).tanh()
        return ((h @ w2 + b2 - self.torch.tensor(y)) ** 2).mean()

    def arrays(self) -> list[np.ndarray]:
        return [p.detach().numpy().copy() for p in self.params]


def train(run: Any, opt: Any, data: list, sched: Any = None) -> list[list[np.ndarray]]:
    """One optimizer step per batch; the parameters after every step."""
    history = []
    for x, y in data:
        opt.zero_grad()
        run.loss(x, y).backward()
        opt.step()
        if sched is not None:
            sched.step()
        history.append(run.arrays())
    return history


def groups_of(params: list, spec: Callable | None) -> Any:
    """The `params` argument for an optimizer: plain list or groups."""
    return params if spec is None else spec(params)


def to_torch_state(torch: Any, state_dict: dict) -> dict:
    """A tinygrad_lite optimizer state dict with torch tensors in it."""
    def convert(v: Any) -> Any:
        if isinstance(v, tgl.Tensor):
            return torch.tensor(np.array(v.data))
        if isinstance(v, dict):
            return {k: convert(x) for k, x in v.items()}
        return v
    return {"state": convert(state_dict["state"]),
            "param_groups": [dict(g) for g in state_dict["param_groups"]]}


def state_arrays(state_dict: dict) -> dict:
    """{index: {key: numpy array or number}} from either framework's state dict."""
    out = {}
    for i, entry in state_dict["state"].items():
        out[i] = {k: np.asarray(v.data if isinstance(v, tgl.Tensor) else v.detach().numpy())
                  for k, v in entry.items()}
    return out
