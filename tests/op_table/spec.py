"""The shape of an op-table entry.

One `OpEntry` per differentiable operation (or per distinct way of calling
one: ``sum`` over all dims and ``sum(dim, keepdim)`` are two entries). The
tests in ``tests/test_op_table.py`` run every entry through the same checks:

* forward against a numpy `reference` (float64),
* first derivatives against central finite differences (gradcheck),
* second derivatives (gradgradcheck) unless ``gradgrad=False``,
* values and gradients against PyTorch when `torch_fn` is given and torch
  is installed.

`inputs` is a Hypothesis strategy drawing a `Sample`: positional args, where
each float64 numpy array becomes a Tensor that requires grad and anything
wrapped in `Const` is passed as it is (a numpy array inside Const becomes a
Tensor without grad: indices, masks, targets), plus keyword args.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st


@dataclass(frozen=True)
class Const:
    """A non-differentiable argument (an int, a dim, an index array, ...)."""

    value: Any


@dataclass
class Sample:
    args: tuple
    kwargs: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        def show(a: Any) -> str:
            if isinstance(a, np.ndarray):
                return f"array{a.shape}={np.array2string(a, precision=3)}"
            return repr(a)
        return f"Sample({', '.join(show(a) for a in self.args)}, kwargs={self.kwargs})"


@dataclass(frozen=True)
class OpEntry:
    name: str
    fn: Callable[..., Any]
    inputs: st.SearchStrategy
    reference: Callable[..., Any] | None = None
    torch_fn: Callable[..., Any] | None = None
    gradgrad: bool = True
    atol: float = 1e-5          # gradcheck tolerances
    rtol: float = 1e-3
    ref_atol: float = 1e-10     # forward-vs-reference tolerances (float64)
    ref_rtol: float = 1e-7
    note: str = ""

    def __repr__(self) -> str:
        return f"OpEntry({self.name})"
