"""Functions that make new tensors: constants, ranges and random draws.

Sizes are given as ``zeros(2, 3)`` or ``zeros((2, 3))``; every function takes
``dtype`` and ``requires_grad`` like PyTorch's.
"""
from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from . import dtypes
from .random import _rng
from .tensor import Tensor, _needs_float, _shape_arg


def _new(data: np.ndarray, dtype: Any, requires_grad: bool, default: np.dtype) -> Tensor:
    want = default if dtype is None else dtypes.to_dtype(dtype)
    t = Tensor._make(data if data.dtype == want else data.astype(want))
    if requires_grad:
        t.requires_grad = True
    return t


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False,
           device: Any = None) -> Tensor:
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


def _size(size: tuple, size_kw: Any, name: str) -> tuple:
    """The shape from ``f(2, 3)``, ``f((2, 3))`` or ``f(size=(2, 3))``."""
    if size_kw is not None:
        if size:
            raise TypeError(f"{name}(): give the size either positionally or as size=, "
                            f"not both")
        size = (size_kw,)
    shape = _shape_arg(size, name)
    if builtins.any(n < 0 for n in shape):
        raise RuntimeError(f"{name}: Dimension size must be non-negative, got size "
                           f"{list(shape)}")
    return shape


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False,
          device: Any = None, **kwargs: Any) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``."""
    _check_device(device)
    shape = _size(size, _size_kw(kwargs, "zeros"), "zeros")
    want = dtypes.default_float if dtype is None else dtypes.to_dtype(dtype)
    return _new(np.zeros(shape, want), want, requires_grad, want)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None,
         **kwargs: Any) -> Tensor:
    """A tensor of ones (sizes as for `zeros`)."""
    _check_device(device)
    shape = _size(size, _size_kw(kwargs, "ones"), "ones")
    want = dtypes.default_float if dtype is None else dtypes.to_dtype(dtype)
    return _new(np.ones(shape, want), want, requires_grad, want)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None,
          **kwargs: Any) -> Tensor:
    """A tensor whose values are whatever memory held (fill it before use)."""
    _check_device(device)
    shape = _size(size, _size_kw(kwargs, "empty"), "empty")
    want = dtypes.default_float if dtype is None else dtypes.to_dtype(dtype)
    return _new(np.empty(shape, want), want, requires_grad, want)


def _size_kw(kwargs: dict, name: str) -> Any:
    """The ``size=`` keyword (a Python keyword can't also be ``*size``)."""
    size = kwargs.pop("size", None)
    if kwargs:
        raise TypeError(f"{name}() got unexpected keyword arguments {sorted(kwargs)}")
    return size


def _fill_value(value: Any, name: str) -> tuple:
    """`fill_value` as a Python number and the dtype it stands for when no
    dtype is given, as in PyTorch: a bool is bool, an int (numpy integers
    too) int64, a float (numpy floats too -- and numpy bools, which PyTorch
    also reads as floats) the default float. A 0-d Tensor counts as a number
    of its kind, whatever its width: tensor(2.5, dtype=float64) gives float32,
    tensor(2, dtype=int32) int64. Anything else is a TypeError, as there."""
    if isinstance(value, Tensor):
        if value.ndim != 0 or value.requires_grad:
            why = (f"a Tensor of shape {tuple(value.shape)}" if value.ndim else
                   "a Tensor that requires grad")
            fix = ("index or reduce it to one value first and pass .item()" if value.ndim
                   else "pass value.item() or value.detach()")
            raise TypeError(f"{name}(): fill_value must be a number (a Python or numpy "
                            f"scalar, or a 0-d Tensor), got {why}; {fix}")
        kind = value.dtype.kind
        value = value.item()
        return value, (dtypes.bool if kind == "b" else dtypes.int64 if kind in "iu"
                       else dtypes.default_float)
    if isinstance(value, builtins.bool):
        return value, dtypes.bool
    if isinstance(value, (builtins.int, np.integer)):
        return builtins.int(value), dtypes.int64
    if isinstance(value, (builtins.float, np.floating, np.bool_)):
        return (value.item() if isinstance(value, np.generic) else value), dtypes.default_float
    if isinstance(value, np.ndarray):
        what, fix = f"a numpy array of shape {value.shape}", "pass one value, e.g. a.item()"
    else:
        what = f"{type(value).__name__} {value!r}"[:80]
        fix = ("tinygrad_lite has no complex dtypes"
               if isinstance(value, (complex, np.complexfloating)) else
               "pass an int, float or bool")
    raise TypeError(f"{name}(): fill_value must be a number (a Python or numpy scalar, or "
                    f"a 0-d Tensor), got {what}; {fix}")


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    """A tensor of `size` filled with `fill_value`; the dtype follows the
    value (bool, int64 or float32, see `_fill_value`) unless given."""
    _check_device(device)
    shape = _size((size,), None, "full")
    value, default = _fill_value(fill_value, "full")
    want = default if dtype is None else dtypes.to_dtype(dtype)
    return _new(_filled(shape, value, want, "full"), dtype, requires_grad, default)


def zeros_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(input.shape, input.dtype), dtype, requires_grad, input.dtype)


def ones_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(np.ones(input.shape, input.dtype), dtype, requires_grad, input.dtype)


def empty_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(np.empty(input.shape, input.dtype), dtype, requires_grad, input.dtype)


def full_like(input: Tensor, fill_value: Any, dtype: Any = None,
              requires_grad: bool = False) -> Tensor:
    """Like `input`'s shape and dtype (the value is cast: 2.7 -> 2 for ints)."""
    want = input.dtype if dtype is None else dtypes.to_dtype(dtype)
    value, _ = _fill_value(fill_value, "full_like")
    return _new(_filled(input.shape, value, want, "full_like"), want, requires_grad, want)


def _filled(shape: tuple, value: Any, dtype: np.dtype, name: str) -> np.ndarray:
    """np.full with PyTorch's checks: NaN, inf and out-of-range numbers are
    errors for integer dtypes (but -1 wraps to 255 in uint8, as there)."""
    dtypes.check_number(value, dtype, name)
    return np.full(shape, np.array(value).astype(dtype))


def _float_dtype(dtype: Any, name: str, kernel: str) -> np.dtype:
    want = dtypes.default_float if dtype is None else dtypes.to_dtype(dtype)
    _needs_float(name, kernel, want)
    return want


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False,
         generator: Any = None, device: Any = None, **kwargs: Any) -> Tensor:
    """Uniform random numbers in [0, 1) from the default generator (seed it
    with `tgl.manual_seed`) or from `generator`."""
    _check_device(device)
    want = _float_dtype(dtype, "rand", "check_uniform_bounds")
    shape = _size(size, _size_kw(kwargs, "rand"), "rand")
    data = _rng(generator).random(shape, dtype=np.float64).astype(want)
    return _new(data, want, requires_grad, want)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False,
          generator: Any = None, device: Any = None, **kwargs: Any) -> Tensor:
    """Standard normal random numbers (mean 0, standard deviation 1)."""
    _check_device(device)
    want = _float_dtype(dtype, "randn", "normal_kernel_cpu")
    shape = _size(size, _size_kw(kwargs, "randn"), "randn")
    data = _rng(generator).standard_normal(shape).astype(want)
    return _new(data, want, requires_grad, want)


def rand_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint(*args: Any, size: Any = None, low: Any = None, high: Any = None,
            dtype: Any = None, generator: Any = None, requires_grad: bool = False,
            device: Any = None) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)`` (also by
    keyword): integers in [low, high), int64 by default."""
    _check_device(device)
    args = list(args)
    if size is None:
        if not args or not isinstance(args[-1], (tuple, list)):
            raise TypeError("randint: give the size as a tuple, e.g. randint(0, 10, (3,))")
        size = args.pop()
    if low is not None:
        args.insert(0, low)
    if high is not None:
        args.append(high)
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    low, high = (int(v.item()) if isinstance(v, Tensor) else int(v) for v in (low, high))
    if high <= low:
        raise RuntimeError(f"randint: random_ expects 'from' to be less than 'to', but got "
                           f"from={low} >= to={high}")
    shape = _size((size,), None, "randint")
    data = _rng(generator).integers(low, high, shape, dtype=np.int64)
    return _new(data, dtype, requires_grad, dtypes.int64)


def randperm(n: int, dtype: Any = None, generator: Any = None,
             requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1."""
    data = _rng(generator).permutation(n).astype(np.int64)
    return _new(data, dtype, requires_grad, dtypes.int64)


def _number(value: Any, name: str) -> Any:
    if isinstance(value, Tensor):
        value = value.item()
    elif isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, (int, float)):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__}")
    return value


class ArangeStepError(ValueError, RuntimeError):
    """``arange(0, 3, 0.5, dtype=int64)``: the step truncates to 0. PyTorch
    raises ValueError there (RuntimeError for a step that is 0 to begin
    with); this error is both."""


_INT64_MIN, _INT64_MAX = -2 ** 63, 2 ** 63 - 1


def _wrap64(value: int) -> int:
    """`value` wrapped to int64, as PyTorch's int64 arithmetic overflows."""
    return (value + 2 ** 63) % 2 ** 64 - 2 ** 63


def _to_int64(value: Any, which: str, args: str) -> int:
    """A start/end/step converted to int64 as PyTorch does: floats truncate
    toward zero; values beyond int64 are an error."""
    dtypes.check_number(value, dtypes.int64, f"arange{args}", f" ({which})")
    return value if isinstance(value, builtins.int) else _wrap64(builtins.int(value))


def arange(start: Any = 0, end: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False, device: Any = None) -> Tensor:
    """Values from start (default 0) up to, not including, end, `step`
    apart: ``arange(5)``, ``arange(1, 2, 0.25)``, ``arange(5, 0, -1)``.
    int64 when every argument is an int, float32 otherwise.

    As in PyTorch: the bounds are checked as floats (step nonzero, start and
    end finite, step pointing from start to end). For int64 the three values
    are first truncated to integers (``arange(0, 3.5, dtype=int64)`` is
    [0, 1, 2], ``arange(0, 3, 1.5, dtype=int64)`` steps by 1, a step that
    truncates to 0 is an error); for other dtypes the length is
    ceil((end - start) / step) computed in double, and integer dtypes then
    count from the truncated start by the truncated step."""
    _check_device(device)
    if end is None:
        start, end = 0, start
    start, end, step = (_number(v, "arange") for v in (start, end, step))
    args = f"(start={start!r}, end={end!r}, step={step!r})"
    dstart, dend, dstep = (builtins.float(v) for v in (start, end, step))
    if not (dstep > 0 or dstep < 0):
        raise RuntimeError(f"arange{args}: step must be nonzero; pass a positive step to "
                           f"count up or a negative one to count down")
    if not (math.isfinite(dstart) and math.isfinite(dend)):
        raise RuntimeError(f"arange{args}: unsupported range: {dstart:g} -> {dend:g}; start and "
                           f"end must be finite numbers (not inf or nan)")
    if not ((dstep > 0 and dend >= dstart) or (dstep < 0 and dend <= dstart)):
        raise RuntimeError(f"arange{args}: upper bound and lower bound inconsistent with "
                           f"step sign; use a {'negative' if dstep > 0 else 'positive'} step "
                           f"or swap start and end")
    is_float = builtins.any(isinstance(v, float) for v in (start, end, step))
    want = ((dtypes.default_float if is_float else dtypes.int64) if dtype is None
            else dtypes.to_dtype(dtype))
    if want == dtypes.int64:
        xstart, xend, xstep = (_to_int64(v, k, args) for v, k in
                               ((start, "start"), (end, "end"), (step, "step")))
        if xstep == 0:
            raise ArangeStepError(f"arange{args}: step must be nonzero, but step={step!r} "
                                  f"truncates to 0 for dtype int64; use a step of at least "
                                  f"1 in size, or a float dtype")
        sign = 1 if xstep > 0 else -1
        span = _wrap64(_wrap64(_wrap64(xend - xstart) + xstep) - sign)
        size = builtins.abs(span) // builtins.abs(xstep)  # C division: toward zero
        size = size if (span >= 0) == (xstep > 0) else -size
    else:
        ratio = (dend - dstart) / dstep  # in double, as PyTorch
        size = math.ceil(ratio) if math.isfinite(ratio) else -1
    if not 0 <= size <= _INT64_MAX:
        raise RuntimeError(f"arange{args}: invalid size, possible overflow? The range would "
                           f"hold {size if size >= 0 else 'too many'} values; use a larger "
                           f"step or a shorter range")
    if size * want.itemsize > _INT64_MAX:  # numpy may wrap, not raise, past this
        raise RuntimeError(f"arange{args}: the {size} values would need more than 2**63 "
                           f"bytes; use a larger step or a shorter range")
    try:
        if want.kind in "iub":
            xstart, xstep = (xstart, xstep) if want == dtypes.int64 else (
                _to_int64(start, "start", args), _to_int64(step, "step", args))
            data = (xstart + np.arange(size, dtype=np.int64) * xstep).astype(want)
        else:
            data = start + np.arange(size, dtype=np.float64 if is_float else np.int64) * step
    except (ValueError, MemoryError) as e:
        raise RuntimeError(f"arange{args}: cannot allocate {size} values "
                           f"({type(e).__name__}: {e}); use a larger step or a shorter "
                           f"range") from None
    return _new(np.asarray(data), want, requires_grad, want)


def linspace(start: Any, end: Any, steps: int, dtype: Any = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    """`steps` evenly spaced values from start to end (both included),
    float32 by default. The values are PyTorch's to the last bit: the first
    half counts up from start, the second half down from end."""
    _check_device(device)
    start, end = _number(start, "linspace"), _number(end, "linspace")
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool):
        raise TypeError(f"linspace: steps must be an int, got {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps}")
    want = dtypes.default_float if dtype is None else dtypes.to_dtype(dtype)
    return _new(_linspace(start, end, int(steps), want), want, requires_grad, want)


def _linspace(start: float, end: float, steps: int, dtype: np.dtype) -> np.ndarray:
    if steps <= 1:
        return np.full(steps, start).astype(dtype)
    i = np.arange(steps)
    if dtype == np.float16:  # PyTorch rounds every half-precision step to half
        with np.errstate(all="ignore"):
            lo, hi = np.float16(start), np.float16(end)
            step = (hi - lo) / np.float16(steps - 1)
            return np.where(i < steps // 2, lo + step * i.astype(np.float16),
                            hi - step * (steps - 1 - i).astype(np.float16)).astype(dtype)

    if dtype.kind == "f":
        lo, hi = dtype.type(start), dtype.type(end)
        step = (hi - lo) / dtype.type(steps - 1)
    else:
        lo, hi = np.int64(int(start)), np.int64(int(end))
        step = (np.float64(hi) - np.float64(lo)) / (steps - 1)
    # PyTorch's kernel uses fused multiply-adds: emulate them exactly in
    # higher precision, rounding once to the step type, then to `dtype`.
    wide = np.longdouble if np.dtype(type(step)).itemsize >= 8 else np.float64
    k = i.astype(wide)

    values = np.where(i < steps // 2, wide(lo) + wide(step) * k,
                      wide(hi) - wide(step) * (wide(steps - 1) - k))
    values = values.astype(type(step))
    return (values if dtype.kind == "f" else np.trunc(values)).astype(dtype)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False,
        device: Any = None) -> Tensor:
    """An n x m (default n x n) identity matrix, float32 by default."""
    _check_device(device)
    m = n if m is None else m
    if n < 0 or m < 0:
        raise RuntimeError(f"eye: n and m must be non-negative, got n={n}, m={m}")
    want = dtypes.default_float if dtype is None else dtypes.to_dtype(dtype)
    return _new(np.eye(n, m, dtype=want), want, requires_grad, want)


class EmptyTensorListError(ValueError, RuntimeError):
    """``cat([])``: PyTorch raises ValueError (earlier versions RuntimeError);
    this error is both."""


def _tensor_list(tensors: Any, name: str) -> list:
    """cat/stack's first argument: a tuple or list of Tensors (as PyTorch:
    not one Tensor, whose rows would silently be joined, nor a generator)."""
    if not isinstance(tensors, (list, tuple)):
        hint = ("; to join a single tensor's rows use list(t) or t.unbind(0), to wrap it "
                "write [t]" if isinstance(tensors, Tensor) else "")
        raise TypeError(f"{name}(): argument 'tensors' must be tuple of Tensors, not "
                        f"{type(tensors).__name__}{hint}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): expected Tensor as element {i} in argument 0, but "
                            f"got {type(t).__name__}; convert it with tgl.tensor(...)")
    return list(tensors)


def cat(tensors: Any, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing dim (dtypes promote as PyTorch)."""
    from .ops.movement import Cat
    from .tensor import _alias, _dim_arg
    tensors = _tensor_list(tensors, "cat")
    dim = _alias(dim, axis, 0, "cat", "dim")
    if not tensors:
        raise EmptyTensorListError("cat: expected a non-empty list of Tensors, got an "
                                   "empty list")
    # PyTorch lets 1-D empty tensors join tensors of more dims; they still
    # take part in type promotion and receive an (empty) gradient
    skip = [t.ndim == 1 and t.shape[0] == 0 for t in tensors]
    ref = next((t for t, s in zip(tensors, skip) if not s), tensors[0])
    if ref.ndim == 0:
        raise RuntimeError("cat: zero-dimensional tensors cannot be concatenated; "
                           "use stack")
    d = _dim_arg(dim, ref.ndim, "cat")
    for i, t in enumerate(tensors):
        if skip[i]:
            continue
        if t.ndim != ref.ndim:
            raise RuntimeError(
                f"cat: Tensors must have same number of dimensions: got {ref.ndim} and "
                f"{t.ndim} (tensor 0 has shape {tuple(ref.shape)}, tensor {i} has shape "
                f"{tuple(t.shape)})")
        if t.shape[:d] + t.shape[d + 1:] != ref.shape[:d] + ref.shape[d + 1:]:
            raise RuntimeError(
                f"cat: Sizes of tensors must match except in dimension {d}; tensor 0 has "
                f"shape {tuple(ref.shape)} but tensor {i} has shape {tuple(t.shape)}")
    dtype = dtypes.result_type(*tensors)
    empty = ref.shape[:d] + (0,) + ref.shape[d + 1:]
    return Cat.apply(*[(t.reshape(empty) if s else t).to(dtype)
                       for t, s in zip(tensors, skip)], dim=d)


concat = concatenate = cat


def stack(tensors: Any, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors of one shape along a new dim."""
    from .tensor import _alias, _dim_arg
    tensors = _tensor_list(tensors, "stack")
    dim = _alias(dim, axis, 0, "stack", "dim")
    if not tensors:
        raise RuntimeError("stack: expected a non-empty list of tensors")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack: expects each tensor to be equal size, but got "
                               f"{tuple(tensors[0].shape)} at entry 0 and "
                               f"{tuple(t.shape)} at entry {i}")
    d = _dim_arg(dim, tensors[0].ndim + 1, "stack")
    return cat([t.unsqueeze(d) for t in tensors], d)

