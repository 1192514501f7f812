"""``repr(tensor)`` in PyTorch's format, character for character.

The rules are those of ``torch/_tensor_str.py`` with PyTorch's default print
options (precision 4, threshold 1000 elements, 3 edge items, 80 columns):

* floats whose non-zero finite values are all whole numbers print as
  ``1.`` ("int mode"); otherwise with 4 decimals (``1.5000``);
* scientific notation (``1.0000e-05``) when the largest non-zero magnitude
  is over 1e8, the smallest under 1e-4, or their ratio over 1000;
* every element is padded to the widest one; lines wrap at 80 columns;
* more than 1000 elements are summarized with ``...`` (3 items per edge);
* suffixes: ``size=`` for empty tensors not of shape (0,), ``dtype=`` for
  dtypes other than float32/int64/bool (always for empty non-float32
  tensors), then ``grad_fn=<...>`` or ``requires_grad=True``.

The only difference from PyTorch is the module name in ``dtype=``:
``dtype=tinygrad_lite.float64`` where PyTorch prints ``dtype=torch.float64``;
line breaks stay where PyTorch puts them (so such a line may be 8 characters
longer than PyTorch's). The grad_fn names are the nodes' ``name()``:
``MulBackward0`` for a built-in `Mul`, ``CubeBackward`` for a user's Function.

"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80

_DEFAULT_DTYPES = (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_))
_MODULE = "tinygrad_lite."


class _Formatter:
    """Chooses one format (int mode, fixed or scientific) and one width for
    all the elements of a tensor, as PyTorch's ``_Formatter``."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return
        magnitudes = np.abs(finite)
        lo, hi = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        for v in finite.tolist():
            if self.sci_mode:
                width = len(f"{v:.{PRECISION}e}")
            elif self.int_mode:
                width = len(f"{v:.0f}") + 1
            else:
                width = len(f"{v:.{PRECISION}f}")
            self.max_width = max(self.max_width, width)

    def format(self, value: Any) -> str:
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{PRECISION}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{PRECISION}f}"
        else:
            text = str(value)
        return " " * (self.max_width - len(text)) + text


def _summarized(data: np.ndarray) -> np.ndarray:
    """The elements that will be shown (the edges of every dim), which
    alone decide the format, as PyTorch's ``get_summarized_data``."""
    if data.ndim == 0:
        return data
    if data.shape[0] > 2 * EDGEITEMS:
        parts = [data[:EDGEITEMS], data[-EDGEITEMS:]]
    else:
        parts = [data]
    if data.ndim == 1:
        return np.concatenate(parts)
    rows = [_summarized(row) for part in parts for row in part]
    return np.stack(rows)


def _vector(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    element_length = fmt.max_width + 2
    per_line = max(1, math.floor((LINEWIDTH - indent) / element_length))
    if summarize and data.shape[0] > 2 * EDGEITEMS:
        items = ([fmt.format(v) for v in data[:EDGEITEMS].tolist()] + [" ..."]
                 + [fmt.format(v) for v in data[-EDGEITEMS:].tolist()])
    else:
        items = [fmt.format(v) for v in data.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _vector(data, indent, summarize, fmt)
    n = data.shape[0]
    if summarize and n > 2 * EDGEITEMS:
        rows = ([_nested(data[i], indent + 1, summarize, fmt) for i in range(EDGEITEMS)]
                + ["..."]
                + [_nested(data[i], indent + 1, summarize, fmt) for i in range(n - EDGEITEMS, n)])
    else:
        rows = [_nested(data[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _body(data: np.ndarray, indent: int) -> str:
    if data.size == 0:
        return "[]"
    summarize = data.size > THRESHOLD
    fmt = _Formatter(_summarized(data) if summarize else data)
    return _nested(data, indent, summarize, fmt)


def _with_suffixes(text: str, suffixes: list, indent: int) -> str:
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        # wrap where PyTorch wraps: measure "dtype=torch.float64", not ours
        width = len(suffix.replace(_MODULE, "torch."))
        if last_line_len + width + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + width
        else:
            parts.append(", " + suffix)
            last_line_len += width + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(data: np.ndarray, grad_fn: Any = None, requires_grad: bool = False,
                  prefix: str = "tensor(") -> str:
    """The repr of a tensor holding `data`, PyTorch's way."""
    indent = len(prefix)
    suffixes = []
    dtype_suffix = f"dtype={_MODULE}{data.dtype.name}"
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if data.dtype != np.float32:
            suffixes.append(dtype_suffix)
    elif data.dtype not in _DEFAULT_DTYPES:
        suffixes.append(dtype_suffix)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn.name()}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + _body(data, indent), suffixes, indent)
