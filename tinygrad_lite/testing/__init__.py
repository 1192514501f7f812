"""Tools for testing operations, yours and ours (``tgl.testing``).

`assert_grad_close` compares backward with finite differences; the
Hypothesis strategies (`tensors`, `shapes`, `broadcastable_shapes`, ...)
generate the inputs. The strategies need Hypothesis (``pip install
hypothesis``); `assert_grad_close` does not.
"""
from .checks import assert_grad_close

__all__ = ["assert_grad_close", "tensors", "arrays", "shapes", "broadcastable_shapes",
           "mutually_broadcastable_shapes", "floats"]


def __getattr__(name: str):  # the strategies import Hypothesis only when asked for
    if name in ("tensors", "arrays", "shapes", "broadcastable_shapes",
                "mutually_broadcastable_shapes", "floats"):
        from . import strategies
        return getattr(strategies, name)
    raise AttributeError(f"module 'tinygrad_lite.testing' has no attribute {name!r}")
