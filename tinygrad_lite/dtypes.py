"""Data types and PyTorch's type-promotion rules.

A tinygrad_lite dtype *is* a numpy dtype (``tgl.float32 is np.dtype("float32")``),
so ``tensor.dtype == tgl.float32`` and ``tensor.dtype == np.float32`` both work
and no conversion happens on the hot path. What differs from numpy is the
promotion rule for mixed operands, which follows PyTorch (see `result_type`).
"""
from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

float16 = half = np.dtype(np.float16)
float32 = float = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
uint8 = np.dtype(np.uint8)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = int = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
bool = np.dtype(np.bool_)

#: The dtype Python floats become (PyTorch's default dtype).
default_float = float32

SUPPORTED = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NAME = {d.name: d for d in SUPPORTED}
_BY_NAME.update({"half": float16, "float": float32, "double": float64,
                 "short": int16, "int": int32, "long": int64})


def to_dtype(spec: Any) -> np.dtype:
    """Turn a user's dtype spec (tgl/numpy dtype, numpy type, Python type,
    name string, or a ``torch.dtype``) into one of the supported numpy dtypes."""
    if isinstance(spec, np.dtype) and spec in SUPPORTED:
        return spec
    if spec is builtins.float:
        return float64  # as torch: dtype=float means double
    if spec is builtins.int:
        return int64
    if spec is builtins.bool:
        return bool
    if isinstance(spec, str):
        name = spec[len("torch."):] if spec.startswith("torch.") else spec
        if name in _BY_NAME:
            return _BY_NAME[name]
    elif type(spec).__name__ == "dtype" and type(spec).__module__ == "torch":
        return to_dtype(str(spec))
    else:
        try:
            dt = np.dtype(spec)
        except TypeError:
            dt = None
        if dt in SUPPORTED:
            return dt
    raise TypeError(
        f"dtype {spec!r} is not supported; use one of "
        f"{', '.join('tgl.' + d.name for d in SUPPORTED)}")


_TORCH_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short",
                "int32": "Int", "int64": "Long", "float16": "Half", "float32": "Float",
                "float64": "Double"}


def torch_name(dtype: np.dtype) -> str:
    """PyTorch's name for a dtype in its messages (float32 -> "Float")."""
    return _TORCH_NAMES.get(np.dtype(dtype).name, str(dtype))


def check_number(value: Any, dtype: np.dtype, name: str, where: str = "") -> None:
    """Raise PyTorch's RuntimeError when a Python number can't be stored in
    an integer `dtype`: NaN, inf and values outside the dtype's range. As in
    PyTorch, an int may be as low as -max for an unsigned dtype (-1 wraps to
    255 in uint8), a float is compared with the bounds as floats (-1.0 does
    not fit uint8). `where` locates the value in nested data."""
    if dtype.kind not in "iu" or isinstance(value, (builtins.bool, np.bool_)):
        return
    info = np.iinfo(dtype)
    is_int = isinstance(value, (builtins.int, np.integer))
    if is_int:
        fits = (-info.max if dtype.kind == "u" else info.min) <= value <= info.max
    else:  # False for NaN
        fits = builtins.float(info.min) <= value <= builtins.float(info.max)
    if fits:
        return
    fix = ("use a wider dtype (e.g. tgl.int64 or tgl.float64) or bring the value into range"
           if is_int or math.isfinite(value) else
           "replace NaN and inf first, or keep the data as floats (dtype=tgl.float32)")
    raise RuntimeError(f"{name}: value {value!r}{where} cannot be converted to type {dtype} "
                       f"without overflow ({dtype} holds {info.min}..{info.max}); {fix}")


def is_floating_point(dtype: np.dtype) -> builtins.bool:

    """True for float16/32/64: the dtypes that can carry gradients."""
    return dtype.kind == "f"


def _category(dtype: np.dtype) -> builtins.int:
    return {"b": 0, "u": 1, "i": 1, "f": 2}[dtype.kind]


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's pairwise promotion: like numpy, except that an integer meets
    a float by taking the float's dtype (int64 + float32 -> float32)."""
    if a is b:
        return a
    if a.kind == "f" and b.kind != "f":
        return a
    if b.kind == "f" and a.kind != "f":
        return b
    return np.promote_types(a, b)


def scalar_dtype(value: Any) -> np.dtype:
    """The dtype a Python scalar stands for in promotion (PyTorch's rule)."""
    if isinstance(value, builtins.bool):
        return bool
    if isinstance(value, builtins.int):
        return int64
    return default_float


def result_type(*operands: Any) -> np.dtype:
    """The dtype of an elementwise result, following PyTorch.

    Operands are Tensors (anything with ``.data``) or Python scalars. Three
    groups are promoted separately -- tensors with dimensions, 0-d tensors and
    Python scalars -- and a later group only matters when it is of a higher
    category (bool < integer < float) than the groups before it. That is why
    ``float32[3] + float64 0-d`` stays float32 but ``int64[3] + 2.5`` becomes
    float32.
    """
    groups: list = [None, None, None]
    for op in operands:
        data = getattr(op, "data", None)
        if isinstance(data, np.ndarray):
            slot, dt = (0 if data.ndim else 1), data.dtype
        else:
            slot, dt = 2, scalar_dtype(op)
        groups[slot] = dt if groups[slot] is None else promote_types(groups[slot], dt)

    def combine(higher, lower):
        if higher is None:
            return lower
        if lower is None or higher.kind == "f":
            return higher
        if higher is bool or _category(lower) > _category(higher):
            return promote_types(higher, lower)
        return higher

    return combine(groups[0], combine(groups[1], groups[2]))
