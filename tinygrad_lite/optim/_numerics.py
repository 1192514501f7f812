"""Numeric building blocks of the update rules, on numpy arrays in place.

They round the way PyTorch's CPU kernels do where that is cheap (operation
order, scalars in the array's precision), so runs agree to float32 rounding.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..tensor import Tensor


def scalar_dtype() -> np.dtype:
    """dtype of step counters: float32 unless the default dtype is float64."""
    return np.dtype(np.float64) if dtypes.default_float == np.float64 else np.dtype(np.float32)


def new_step() -> Tensor:
    """A fresh step counter (0-d, 0.0)."""
    return Tensor._make(np.zeros((), scalar_dtype()))


def increment(step: Tensor) -> float:
    """Add one to a step counter in place; return the new count."""
    step.data += 1
    return float(step.data)


def lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start += weight * (end - start)`` in place, the way PyTorch's
    ``lerp_`` rounds (weight in the array's precision, two branches)."""
    w = start.dtype.type(weight)
    diff = np.subtract(end, start)
    if abs(w) < 0.5:
        diff *= w
        start += diff
    else:
        diff *= 1 - w
        np.subtract(end, diff, out=start)


def addcmul(value: float, t1: np.ndarray, t2: np.ndarray) -> np.ndarray:
    """``value * t1 * t2`` evaluated left to right (PyTorch's addcmul order)."""
    out = np.multiply(t1, value)
    out *= t2
    return out
