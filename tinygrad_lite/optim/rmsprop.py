"""RMSprop: divide the gradient by a running root-mean-square (PyTorch's rule)."""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from ..tensor import Tensor
from ._numerics import addcmul, increment, lerp_, new_step
from .optimizer import Optimizer, check_non_negative


class RMSprop(Optimizer):
    """RMSprop (Hinton), with PyTorch's update for each parameter::

        step += 1
        g = -g if maximize
        g = g + weight_decay * p                       if weight_decay != 0
        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v - mean_g**2) + eps  with mean_g = lerp(mean_g, g, 1 - alpha)  if centered
        avg = sqrt(v) + eps                                                     otherwise
        b = momentum * b + g / avg;  p = p - lr * b    if momentum > 0
        p = p - lr * g / avg                           otherwise

    State per parameter: ``step``, ``square_avg`` and, when enabled,
    ``momentum_buffer`` and ``grad_avg``. ``capturable``, ``foreach`` and
    ``differentiable`` are accepted at their defaults only (other values
    raise NotImplementedError).
    """

    _param_shaped_state = ("square_avg", "momentum_buffer", "grad_avg")

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False) -> None:
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        check_non_negative("RMSprop", "epsilon value", "eps", group["eps"])
        check_non_negative("RMSprop", "momentum value", "momentum", group["momentum"])
        check_non_negative("RMSprop", "weight_decay value", "weight_decay",
                           group["weight_decay"])
        check_non_negative("RMSprop", "alpha value", "alpha", group["alpha"])

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the
        closure's loss (the closure runs with grad mode on)."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            weight_decay, momentum = group["weight_decay"], group["momentum"]
            centered, maximize = group["centered"], group["maximize"]
            for p, data, g in self._with_grads(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = new_step()
                    state["square_avg"] = Tensor._make(np.zeros_like(p.data))
                    if momentum > 0:
                        state["momentum_buffer"] = Tensor._make(np.zeros_like(p.data))
                    if centered:
                        state["grad_avg"] = Tensor._make(np.zeros_like(p.data))
                increment(state["step"])
                if maximize:
                    g = -g
                if weight_decay != 0:
                    g = g + weight_decay * data
                square_avg = state["square_avg"].data
                square_avg *= alpha
                square_avg += addcmul(1 - alpha, g, g)
                if centered:
                    grad_avg = state["grad_avg"].data
                    lerp_(grad_avg, g, 1 - alpha)
                    # np.sqrt of a new array, not in place: for a 0-d parameter
                    # the sum is a numpy scalar, which has no buffer to write to
                    avg = np.sqrt(square_avg + addcmul(-1, grad_avg, grad_avg))
                else:
                    avg = np.sqrt(square_avg)
                avg += eps
                if momentum > 0:
                    buf = state["momentum_buffer"].data
                    buf *= momentum
                    buf += g / avg
                    data -= lr * buf
                else:
                    update = np.multiply(g, -lr)
                    update /= avg
                    data += update
                p._bump_version()
        return loss
