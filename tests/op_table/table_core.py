"""Op-table entries for the core Tensor operations (elementwise, reductions,
movement, linear algebra). Starter entries; see spec.py for the format."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tinygrad_lite.testing.strategies import arrays, mutually_broadcastable_shapes, shapes
from .spec import Const, OpEntry, Sample


@st.composite
def unary(draw, min_value=-3.0, max_value=3.0, min_dims=0, min_side=0):
    return Sample((draw(arrays(shapes(min_dims=min_dims, min_side=min_side), min_value=min_value,
                               max_value=max_value)),))


@st.composite
def binary(draw, min_value=-3.0, max_value=3.0):
    shps = draw(mutually_broadcastable_shapes(2, min_side=0))
    a, b = (draw(arrays(s, min_value=min_value, max_value=max_value)) for s in shps.input_shapes)
    return Sample((a, b))


@st.composite
def with_dim(draw, keepdim=True):
    x = draw(arrays(shapes(min_dims=1, min_side=0)))
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    return Sample((x, Const(dim)), {"keepdim": draw(st.booleans())} if keepdim else {})


ENTRIES = [
    OpEntry("exp", lambda x: x.exp(), unary(), np.exp, lambda torch, x: x.exp()),
    OpEntry("add", lambda a, b: a + b, binary(), np.add, lambda torch, a, b: a + b),
    OpEntry("sum(dim)", lambda x, d, keepdim: x.sum(d, keepdim=keepdim), with_dim(),
            lambda x, d, keepdim: np.sum(x, d, keepdims=keepdim),
            lambda torch, x, d, keepdim: x.sum(d, keepdim=keepdim)),
]
