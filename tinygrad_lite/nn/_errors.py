"""Exception types for the few cases where this library's documented error
type and PyTorch's differ.

tinygrad_lite has long raised ValueError (or TypeError) for some wrong
shapes and dtypes where PyTorch raises RuntimeError. These classes derive
from both, so ``except RuntimeError`` (code written for PyTorch) and
``except ValueError`` (code written for tinygrad_lite) both catch them.
"""
from __future__ import annotations


class ShapeError(ValueError, RuntimeError):
    """A wrong shape: a ValueError here, a RuntimeError in PyTorch."""


class DtypeError(TypeError, RuntimeError):
    """A wrong dtype: a TypeError here, a RuntimeError in PyTorch."""


__all__ = ["ShapeError", "DtypeError"]
