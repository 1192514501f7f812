"""gradcheck / gradgradcheck: backward against central finite differences.

For every differentiable input and output the full Jacobian is built twice:
from backward (one vector-Jacobian product per output element) and from
``(f(x + eps) - f(x - eps)) / 2 eps`` per input element, in float64. They
must agree within ``atol + rtol * |numerical|`` everywhere.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..tensor import Tensor
from .engine import grad


class GradcheckError(RuntimeError):
    """Raised when an analytical gradient disagrees with finite differences."""


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _float64_inputs(inputs: Sequence[Any]) -> tuple:
    out = []
    for x in inputs:
        if isinstance(x, Tensor) and x.is_floating_point():
            t = Tensor._make(x.data.astype(np.float64, copy=True))
            t.requires_grad = x.requires_grad
            out.append(t)
        else:
            out.append(x)
    return tuple(out)


def _differentiable(outputs: tuple) -> list:
    return [i for i, o in enumerate(outputs) if isinstance(o, Tensor) and o.is_floating_point()]


def _evaluate(fn: Callable, inputs: tuple) -> tuple:
    return _as_tuple(fn(*inputs))


def _values(fn: Callable, inputs: tuple) -> list:
    """fn's outputs as float64 copies (outputs may alias the inputs)."""
    return [o.data.astype(np.float64, copy=True) if isinstance(o, Tensor) else None
            for o in _evaluate(fn, inputs)]


def _analytical(fn: Callable, inputs: tuple, wrt: list) -> dict:
    """Jacobians from backward: {(out, in): array (out.size, in.size)}."""
    outputs = _evaluate(fn, inputs)
    jac = {}
    for o in _differentiable(outputs):
        out = outputs[o]
        rows = {i: np.zeros((out.data.size, inputs[i].data.size)) for i in wrt}
        if out.requires_grad:
            for j in range(out.data.size):
                onehot = np.zeros(out.data.size, out.data.dtype)
                onehot[j] = 1
                grads = grad(out, [inputs[i] for i in wrt],
                             Tensor._make(onehot.reshape(out.shape)),
                             retain_graph=True, allow_unused=True)
                for i, g in zip(wrt, grads):
                    if g is not None:
                        rows[i][j] = g.data.reshape(-1)
        for i in wrt:
            jac[(o, i)] = rows[i]
    return jac


def _numerical(fn: Callable, inputs: tuple, wrt: list, eps: float) -> dict:
    """Jacobians from central differences, same layout as `_analytical`."""
    base = _evaluate(fn, inputs)
    outs = _differentiable(base)
    jac = {(o, i): np.zeros((base[o].data.size, inputs[i].data.size)) for o in outs for i in wrt}
    for i in wrt:
        flat = inputs[i].data.reshape(-1)  # a view: writes reach the input
        for e in range(flat.size):
            keep = flat[e]
            flat[e] = keep + eps
            plus = _values(fn, inputs)
            flat[e] = keep - eps
            minus = _values(fn, inputs)
            flat[e] = keep
            for o in outs:
                jac[(o, i)][:, e] = (plus[o] - minus[o]).reshape(-1) / (2 * eps)
    return jac


def gradcheck(fn: Callable, inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, **unsupported: Any) -> bool:
    """Check `fn`'s gradients with respect to the inputs that require grad.

    Floating inputs are copied to float64 first. Returns True on success; on
    failure raises `GradcheckError` naming the input, output and worst
    element (or returns False when ``raise_exception=False``).
    """
    if unsupported:
        raise NotImplementedError(f"gradcheck: arguments {sorted(unsupported)} are not "
                                  f"supported")
    inputs = _float64_inputs(_as_tuple(inputs))
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad; create at least one with "
                         "requires_grad=True")
    analytical = _analytical(fn, inputs, wrt)
    numerical = _numerical(fn, inputs, wrt, eps)
    for (o, i), num in numerical.items():
        ana = analytical[(o, i)]
        excess = np.abs(ana - num) - (atol + rtol * np.abs(num))
        excess = np.where(np.isnan(ana) != np.isnan(num), np.inf, np.nan_to_num(excess, nan=-1))
        if excess.size and excess.max() > 0:
            if not raise_exception:
                return False
            row, col = np.unravel_index(int(np.argmax(excess)), excess.shape)
            shape = inputs[i].shape
            where_in = np.unravel_index(col, shape) if shape else ()
            raise GradcheckError(
                f"gradcheck: Jacobian mismatch for output {o} with respect to input {i} "
                f"(shape {tuple(shape)}): worst at input element {tuple(int(k) for k in where_in)}"
                f" and output element {int(row)}: numerical {num[row, col]:.8g}, analytical "
                f"{ana[row, col]:.8g} (tolerance atol={atol}, rtol={rtol}).\n"
                f"numerical Jacobian:\n{num}\nanalytical Jacobian:\n{ana}")
    return True


def gradgradcheck(fn: Callable, inputs: Any, grad_outputs: Any = None, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
                  **unsupported: Any) -> bool:
    """Check second derivatives: gradcheck of the function that maps
    (inputs, grad_outputs) to the gradients of `fn` computed with
    ``create_graph=True``. Random grad_outputs are drawn when not given."""
    if unsupported:
        raise NotImplementedError(f"gradgradcheck: arguments {sorted(unsupported)} are "
                                  f"not supported")
    inputs = _float64_inputs(_as_tuple(inputs))
    n_in = len(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outputs = _evaluate(fn, inputs)
    outs = [o for o in _differentiable(outputs) if outputs[o].requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(Tensor._make(rng.standard_normal(outputs[o].shape))
                             .requires_grad_() for o in outs)
    else:
        grad_outputs = _float64_inputs(_as_tuple(grad_outputs))
        for g in grad_outputs:
            g.requires_grad = True

    def first_derivatives(*args: Any) -> tuple:
        xs, gos = args[:n_in], args[n_in:]
        ys = _evaluate(fn, xs)
        grads = grad([ys[o] for o in outs], [xs[i] for i in wrt], list(gos),
                     create_graph=True, allow_unused=True)
        return tuple(g if g is not None else Tensor._make(np.zeros(xs[i].shape))
                     for g, i in zip(grads, wrt))

    return gradcheck(first_derivatives, inputs + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
