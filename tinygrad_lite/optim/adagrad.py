"""Adagrad: per-element step sizes from the sum of squared gradients."""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from ..tensor import Tensor
from ._numerics import addcmul, increment, new_step
from .optimizer import Optimizer, check_non_negative


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), with PyTorch's update for each parameter::

        step += 1
        g = -g if maximize
        g = g + weight_decay * p                    if weight_decay != 0
        clr = lr / (1 + (step - 1) * lr_decay)
        s = s + g * g
        p = p - clr * g / (sqrt(s) + eps)

    State per parameter: ``step`` and ``sum`` (which starts at
    ``initial_accumulator_value``). As in PyTorch the state is created in
    the constructor, and ``initial_accumulator_value`` comes from the
    constructor argument for every group. ``foreach``, ``differentiable``
    and ``fused`` are accepted at their defaults only (other values raise
    NotImplementedError).
    """

    _param_shaped_state = ("sum",)

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        self._check_group(defaults)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p: Tensor) -> dict:
        state = self.state[p]
        state["step"] = new_step()
        state["sum"] = Tensor._make(
            np.full_like(p.data, self.defaults["initial_accumulator_value"]))
        return state

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        check_non_negative("Adagrad", "lr_decay value", "lr_decay", group["lr_decay"])
        check_non_negative("Adagrad", "weight_decay value", "weight_decay",
                           group["weight_decay"])
        check_non_negative("Adagrad", "initial_accumulator_value value",
                           "initial_accumulator_value", group["initial_accumulator_value"])
        check_non_negative("Adagrad", "epsilon value", "eps", group["eps"])

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the
        closure's loss (the closure runs with grad mode on)."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
            weight_decay, maximize = group["weight_decay"], group["maximize"]
            for p, data, g in self._with_grads(group):
                state = self.state[p]
                if len(state) == 0:
                    state = self._init_state(p)
                step = increment(state["step"])
                if maximize:
                    g = -g
                if weight_decay != 0:
                    g = g + weight_decay * data
                clr = lr / (1 + (step - 1) * lr_decay)
                state_sum = state["sum"].data
                state_sum += addcmul(1, g, g)
                std = np.sqrt(state_sum)
                std += eps
                update = np.multiply(g, -clr)
                update /= std
                data += update
                p._bump_version()
        return loss
