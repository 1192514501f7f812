"""Hypothesis strategies for tensors, shapes and broadcasting.

Use them to property-test your own operations::

    from hypothesis import given
    from tinygrad_lite.testing import tensors, assert_grad_close

    @given(tensors(min_value=0.1, max_value=3))
    def test_my_log(x):
        assert_grad_close(my_log, x)

Values are float64 by default (what gradient checks need) and bounded, so
that finite differences stay meaningful. Keep shapes small (the defaults
give at most 4 x 4 x 4): a gradient check costs two evaluations per input
element. To stay away from a kink or a pole, draw the elements yourself,
e.g. ``tensors(elements=floats(-3, 3, min_magnitude=0.1))``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as exc:  # pragma: no cover - exercised only without hypothesis
    raise ImportError("tinygrad_lite.testing needs Hypothesis: pip install hypothesis "
                      "(or pip install -e '.[test]')") from exc

from .. import dtypes
from ..tensor import Tensor


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
           max_side: int = 4) -> st.SearchStrategy:
    """Array shapes: tuples of `min_dims`..`max_dims` sizes in
    `min_side`..`max_side` (min_side=0 allows empty dims)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(shape: tuple, min_dims: int = 0, max_dims: int | None = None,
                         min_side: int = 1, max_side: int | None = None) -> st.SearchStrategy:
    """Shapes that broadcast *with* `shape`: each dim equals the matching
    dim of `shape` or one of the two is 1, and leading dims may be added or
    left out. The broadcast result may therefore be larger than `shape`
    (``(2, 1)`` with ``(3,)`` gives ``(2, 3)``); a binary operation's
    gradient test covers exactly these pairs."""
    max_dims = max(len(shape), min_dims) if max_dims is None else max_dims
    return hnp.broadcastable_shapes(shape, min_dims=min_dims, max_dims=max_dims,
                                    min_side=min_side, max_side=max_side)


def mutually_broadcastable_shapes(num_shapes: int, min_dims: int = 0, max_dims: int = 3,
                                  min_side: int = 1, max_side: int = 4) -> st.SearchStrategy:
    """`num_shapes` shapes that broadcast together: draws a
    ``BroadcastableShapes(input_shapes, result_shape)``."""
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, min_dims=min_dims,
                                             max_dims=max_dims, min_side=min_side,
                                             max_side=max_side)


def floats(min_value: float = -3.0, max_value: float = 3.0, dtype: Any = np.float64,
           exclude_zero: bool = False, min_magnitude: float = 0.0) -> st.SearchStrategy:
    """Finite float values in [min_value, max_value]; with `min_magnitude`
    (or `exclude_zero`) values closer to 0 than that are left out.
    Subnormal numbers (below ~1e-308) are never drawn: they carry too few
    digits for any gradient to be checked on them."""
    width = 64 if np.dtype(dtype) == np.float64 else 32
    base = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False, width=width,
                     allow_subnormal=False)
    low = max(min_magnitude, 1e-3 if exclude_zero else 0.0)
    return base.filter(lambda v: abs(v) >= low) if low else base


def arrays(shape: Any = None, dtype: Any = np.float64, min_value: float = -3.0,
           max_value: float = 3.0, elements: st.SearchStrategy | None = None,
           unique: bool = False) -> st.SearchStrategy:
    """numpy arrays of `shape` (a shape or a strategy of shapes)."""
    np_dtype = dtypes.to_dtype(dtype)
    if elements is None:
        if np_dtype.kind == "f":
            elements = floats(min_value, max_value, np_dtype)
        elif np_dtype.kind == "b":
            elements = st.booleans()
        else:
            elements = st.integers(int(min_value), int(max_value))
    return hnp.arrays(np_dtype, shapes() if shape is None else shape, elements=elements,
                      unique=unique)


def tensors(shape: Any = None, dtype: Any = np.float64, min_value: float = -3.0,
            max_value: float = 3.0, elements: st.SearchStrategy | None = None,
            requires_grad: bool = False, unique: bool = False) -> st.SearchStrategy:
    """Tensors with values from `elements` (default: floats in
    [min_value, max_value]); float64 unless `dtype` says otherwise."""
    return arrays(shape, dtype, min_value, max_value, elements, unique).map(
        lambda a: Tensor(a, requires_grad=requires_grad))
