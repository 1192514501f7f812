"""Functions that make new tensors: constants, ranges and random draws.

Sizes are given as ``zeros(2, 3)`` or ``zeros((2, 3))``; every function takes
``dtype`` and ``requires_grad`` like PyTorch's.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .random import _rng
from .tensor import Tensor, _shape_arg


def _new(data: np.ndarray, dtype: Any, requires_grad: bool, default: np.dtype) -> Tensor:
    want = default if dtype is None else dtypes.to_dtype(dtype)
    t = Tensor._make(data if data.dtype == want else data.astype(want))
    if requires_grad:
        t.requires_grad = True
    return t


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A new tensor holding a copy of `data` (as ``torch.tensor``)."""
    _check_device(device)
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def _check_device(device: Any) -> None:
    if device is not None and str(device).split(":")[0] != "cpu":
        raise NotImplementedError(f"device {device!r} is not supported; tinygrad_lite "
                                  f"runs on the CPU only")


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with a numpy array (no copy)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    if array.dtype not in dtypes.SUPPORTED:
        raise TypeError(f"from_numpy: dtype {array.dtype} is not supported")
    return Tensor._make(array)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    _check_device(device)
    shape = _shape_arg(size, "zeros")
    return _new(np.zeros(shape, dtypes.to_dtype(dtype) if dtype else dtypes.default_float),
                dtype, requires_grad, dtypes.default_float)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    _check_device(device)
    shape = _shape_arg(size, "ones")
    return _new(np.ones(shape, dtypes.to_dtype(dtype) if dtype else dtypes.default_float),
                dtype, requires_grad, dtypes.default_float)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor whose values are whatever memory held (fill it before use)."""
    _check_device(device)
    shape = _shape_arg(size, "empty")
    return _new(np.empty(shape, dtypes.to_dtype(dtype) if dtype else dtypes.default_float),
                dtype, requires_grad, dtypes.default_float)


def _fill_dtype(value: Any) -> np.dtype:
    if isinstance(value, Tensor):
        return value.dtype
    return dtypes.scalar_dtype(value)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    """A tensor of `size` filled with `fill_value` (dtype from the value)."""
    _check_device(device)
    shape = _shape_arg((size,), "full")
    default = _fill_dtype(fill_value)
    want = default if dtype is None else dtypes.to_dtype(dtype)
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _new(np.full(shape, value, want), dtype, requires_grad, default)


def zeros_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(input.shape, input.dtype), dtype, requires_grad, input.dtype)


def ones_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(np.ones(input.shape, input.dtype), dtype, requires_grad, input.dtype)


def empty_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(np.empty(input.shape, input.dtype), dtype, requires_grad, input.dtype)


def full_like(input: Tensor, fill_value: Any, dtype: Any = None,
              requires_grad: bool = False) -> Tensor:
    return _new(np.full(input.shape, fill_value, input.dtype if dtype is None
                        else dtypes.to_dtype(dtype)), dtype, requires_grad, input.dtype)


def _float_dtype(dtype: Any, name: str) -> np.dtype:
    want = dtypes.default_float if dtype is None else dtypes.to_dtype(dtype)
    if want.kind != "f":
        raise TypeError(f"{name}: needs a floating point dtype, got {want}")
    return want


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False,
         generator: Any = None, device: Any = None) -> Tensor:
    """Uniform random numbers in [0, 1)."""
    _check_device(device)
    want = _float_dtype(dtype, "rand")
    data = _rng(generator).random(_shape_arg(size, "rand"), dtype=np.float64).astype(want)
    return _new(data, want, requires_grad, want)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False,
          generator: Any = None, device: Any = None) -> Tensor:
    """Standard normal random numbers."""
    _check_device(device)
    want = _float_dtype(dtype, "randn")
    data = _rng(generator).standard_normal(_shape_arg(size, "randn")).astype(want)
    return _new(data, want, requires_grad, want)


def rand_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint(*args: Any, size: Any = None, dtype: Any = None, generator: Any = None,
            requires_grad: bool = False, device: Any = None) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in
    [low, high), int64 by default."""
    _check_device(device)
    args = list(args)
    if size is None:
        if not args or not isinstance(args[-1], (tuple, list)):
            raise TypeError("randint: give the size as a tuple, e.g. randint(0, 10, (3,))")
        size = args.pop()
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    if high <= low:
        raise RuntimeError(f"randint: low ({low}) must be smaller than high ({high})")
    data = _rng(generator).integers(low, high, _shape_arg((size,), "randint"), dtype=np.int64)
    return _new(data, dtype, requires_grad, dtypes.int64)


def randperm(n: int, dtype: Any = None, generator: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1."""
    return _new(_rng(generator).permutation(n).astype(np.int64), dtype, requires_grad, dtypes.int64)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False, device: Any = None) -> Tensor:
    """Values from start (default 0) up to, not including, end."""
    _check_device(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and larger bound inconsistent with step "
                           f"sign (start={start}, end={end}, step={step})")
    is_float = any(isinstance(v, float) or (isinstance(v, Tensor) and v.is_floating_point())
                   for v in (start, end, step))
    default = dtypes.default_float if is_float else dtypes.int64
    count = int(np.ceil((end - start) / step))
    data = start + np.arange(count, dtype=np.float64 if is_float else np.int64) * step
    return _new(np.asarray(data), dtype, requires_grad, default)


def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    _check_device(device)
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps}")
    return _new(np.linspace(start, end, steps), dtype, requires_grad, dtypes.default_float)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False,
        device: Any = None) -> Tensor:
    _check_device(device)
    return _new(np.eye(n, n if m is None else m), dtype, requires_grad, dtypes.default_float)


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """Join tensors along an existing dim (dtypes promote as PyTorch)."""
    from .ops.movement import Cat
    from .tensor import _dim_arg
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("cat: expected a non-empty list of tensors")
    # PyTorch skips 1-D empty tensors when joining tensors of more dims
    kept = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or tensors[:1]
    ref = kept[0]
    if ref.ndim == 0:
        raise RuntimeError("cat: zero-dimensional tensors cannot be concatenated; "
                           "use stack")
    d = _dim_arg(dim, ref.ndim, "cat")
    for i, t in enumerate(kept):
        if t.ndim != ref.ndim or t.shape[:d] + t.shape[d + 1:] != ref.shape[:d] + ref.shape[d + 1:]:
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {d}; tensor 0 has "
                f"shape {tuple(ref.shape)} but tensor {i} has shape {tuple(t.shape)}")
    dtype = dtypes.result_type(*kept)
    return Cat.apply(*[t.to(dtype) for t in kept], dim=d)


concat = concatenate = cat


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """Join tensors of one shape along a new dim."""
    from .tensor import _dim_arg
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("stack: expected a non-empty list of tensors")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack: expects each tensor to be equal size, but got "
                               f"{tuple(tensors[0].shape)} at entry 0 and "
                               f"{tuple(t.shape)} at entry {i}")
    d = _dim_arg(dim, tensors[0].ndim + 1, "stack")
    return cat([t.unsqueeze(d) for t in tensors], d)

