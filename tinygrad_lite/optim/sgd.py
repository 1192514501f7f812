"""SGD: stochastic gradient descent with optional momentum (PyTorch's rule)."""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_non_negative, check_real


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    Per parameter with gradient ``g`` (PyTorch's update, step for step)::

        g = -g if maximize
        g = g + weight_decay * p                 if weight_decay != 0
        b = g (first step)  or  momentum * b + (1 - dampening) * g
        g = g + momentum * b  if nesterov  else  b     (when momentum != 0)
        p = p - lr * g

    The momentum buffer is ``state[p]["momentum_buffer"]``. ``foreach``,
    ``differentiable`` and ``fused`` are accepted at their defaults only
    (other values raise NotImplementedError).
    """

    _param_shaped_state = ("momentum_buffer",)

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        check_non_negative("SGD", "momentum value", "momentum", group["momentum"])
        check_non_negative("SGD", "weight_decay value", "weight_decay", group["weight_decay"])
        check_real("SGD", "dampening", group["dampening"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"SGD: Nesterov momentum requires a momentum and zero dampening "
                             f"(got momentum={group['momentum']}, "
                             f"dampening={group['dampening']}); e.g. momentum=0.9, dampening=0")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the
        closure's loss (the closure runs with grad mode on)."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, weight_decay = group["lr"], group["weight_decay"]
            momentum, dampening = group["momentum"], group["dampening"]
            nesterov, maximize = group["nesterov"], group["maximize"]
            # one test per parameter instead of three for plain SGD (the default options)
            plain = not maximize and weight_decay == 0 and momentum == 0
            for p, data, g in self._with_grads(group):
                if not plain:
                    if maximize:
                        g = -g
                    if weight_decay != 0:
                        g = g + weight_decay * data
                    if momentum != 0:
                        state = self.state[p]
                        buf = state.get("momentum_buffer")
                        if buf is None:
                            # np.array, not g.copy(): for a 0-d parameter g may be a
                            # numpy scalar (what -g or g + x give), and the buffer
                            # must be an array so that the in-place updates below stick
                            b = np.array(g, dtype=data.dtype)
                            state["momentum_buffer"] = Tensor._make(b)
                        else:
                            b = buf.data
                            b *= momentum
                            b += g if dampening == 0 else (1 - dampening) * g
                        g = g + momentum * b if nesterov else b
                data -= lr * g
                p._bump_version()
        return loss
