"""Tensor: a numpy array that remembers how it was made.

The class holds the data, the gradient and the link to the graph node that
produced it (``grad_fn``). Its methods are thin: each checks and normalises
its arguments at the public edge, then calls one operation from
`tinygrad_lite.ops`, where the forward and backward formulas live.
"""
from __future__ import annotations

import builtins
import numbers
import weakref
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from . import dtypes
from .grad_mode import _state

ShapeLike = Any  # an int, several ints, or a sequence of ints


def _shape_arg(args: tuple, name: str) -> tuple:
    """``f(2, 3)`` and ``f((2, 3))`` both mean shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    try:
        return tuple(builtins.int(a) if not isinstance(a, Tensor) else builtins.int(a.item())
                     for a in args)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: sizes must be integers, got {args!r}") from None


def _dim_arg(dim: Any, ndim: int, name: str) -> int:
    """A dimension index checked and made non-negative (as PyTorch's
    messages: a 0-d tensor accepts dims -1 and 0)."""
    top = max(ndim, 1)
    if not isinstance(dim, (builtins.int, np.integer)) or isinstance(dim, builtins.bool):
        raise TypeError(f"{name}: dim must be an int, got {type(dim).__name__}")
    if not -top <= dim < top:
        raise IndexError(f"{name}: dimension out of range (expected to be in range of "
                         f"[{-top}, {top - 1}], but got {dim})")
    return builtins.int(dim) % top


def _dims_arg(dim: Any, ndim: int, name: str) -> tuple:
    """Reduction dims: None, an int, or a sequence of ints -> sorted tuple
    of non-negative dims (None and () mean every dim, as in PyTorch)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return tuple(range(ndim))
        dims = tuple(_dim_arg(d, ndim, name) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{name}: dim {tuple(dim)} names a dimension twice")
        return tuple(sorted(dims)) if ndim else ()
    return (_dim_arg(dim, ndim, name),) if ndim else ()


def _alias(primary: Any, alias: Any, default: Any, name: str, what: str) -> Any:
    """Accept numpy-style aliases (axis=, keepdims=) next to PyTorch names."""
    if alias is None:
        return default if primary is None else primary
    if primary is not None and primary != default:
        raise TypeError(f"{name}: got both {what} and its alias")
    return alias


class _HookHandle:
    """Returned by register_hook; ``remove()`` unregisters the hook."""

    def __init__(self, hooks: list, hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class Tensor:
    """An n-dimensional array with automatic differentiation.

    ``Tensor(data, requires_grad=False, dtype=None)``: data is a number,
    nested list, numpy array or Tensor. Python floats become float32, Python
    ints int64, numpy arrays keep their dtype (the data is copied).
    """

    __slots__ = ("data", "grad", "_rg", "_ctx", "_out_nr", "_version", "_base",
                 "_hooks", "__weakref__")
    __array_ufunc__ = None  # `ndarray + Tensor` calls Tensor.__radd__
    __array_priority__ = 1000

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        array = _to_array(data, dtype)
        self.data = array
        self.grad = None
        self._rg = False
        self._ctx = None
        self._out_nr = 0
        self._version = 0
        self._base = None
        self._hooks = None
        if requires_grad:
            self.requires_grad = True

    @staticmethod
    def _make(data: np.ndarray, requires_grad: bool = False, ctx: Any = None,
              out_nr: int = 0) -> "Tensor":
        """Internal fast constructor: no checks, no copy."""
        t = _new(Tensor)
        t.data = data
        t.grad = None
        t._rg = requires_grad
        t._ctx = ctx
        t._out_nr = out_nr
        t._version = 0
        t._base = None
        t._hooks = None
        return t

    def _alias(self) -> "Tensor":
        """A new Tensor object sharing this one's data (a view of it)."""
        t = Tensor._make(self.data)
        t._base = self if self._base is None else self._base
        return t

    def _version_counter(self) -> int:
        return self._version if self._base is None else self._base._version

    def _bump_version(self) -> None:
        if self._base is None:
            self._version += 1
        else:
            self._base._version += 1

    # ------------------------------------------------------------ properties
    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        flag = builtins.bool(flag)
        if self._ctx is not None and not flag:
            raise RuntimeError(
                "requires_grad: you can only change requires_grad of leaf tensors; "
                "this one was computed by an operation (grad_fn="
                f"{self._ctx!r}). Use .detach() to get a tensor without history.")
        if flag and self.data.dtype.kind != "f":
            raise RuntimeError(
                f"requires_grad: only tensors of floating point dtype can require "
                f"gradients, but this tensor has dtype {self.data.dtype}. Create it "
                f"with dtype=tgl.float32 (e.g. Tensor([1., 2.]) or x.float()).")
        self._rg = flag

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def grad_fn(self) -> Any:
        return self._ctx

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def device(self) -> str:
        return "cpu"

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def T(self) -> "Tensor":
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> "Tensor":
        if self.ndim < 2:
            raise RuntimeError(f"mT: needs at least 2 dims, got shape {self.shape}")
        return self.transpose(-2, -1)

    @property
    def retains_grad(self) -> bool:
        return self._ctx is not None and _RETAIN in self._node_hooks(create=False)

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    # --------------------------------------------------------------- basics
    def numpy(self) -> np.ndarray:
        """The data as a numpy array (shared, not copied, as in PyTorch)."""
        if self._rg:
            raise RuntimeError("numpy: can't call numpy() on a tensor that requires "
                               "grad; use tensor.detach().numpy()")
        return self.data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if dtype is None and not copy:
            return self.data
        return np.array(self.data, dtype=dtype, copy=True)

    def item(self) -> Any:
        """The single value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise RuntimeError(
                f"item: a tensor with {self.data.size} elements (shape "
                f"{tuple(self.shape)}) cannot be converted to a Python number; only "
                f"one-element tensors can. Index it first (t[0]) or reduce it "
                f"(t.sum()), or use .tolist().")
        return self.data.reshape(()).item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return self.data.shape
        return self.data.shape[_dim_arg(dim, self.ndim, "size")] if self.ndim else 1

    def numel(self) -> int:
        return builtins.int(self.data.size)

    nelement = numel

    def dim(self) -> int:
        return self.data.ndim

    def element_size(self) -> int:
        return self.data.itemsize

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"bool: the truth value of a tensor with {self.data.size} elements is "
                f"ambiguous; use .any() or .all()")
        return builtins.bool(self.data.reshape(()))

    def __float__(self) -> float:
        return builtins.float(self.item())

    def __int__(self) -> int:
        return builtins.int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "biu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be "
                            "converted to an index")
        return builtins.int(self.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return _format_tensor(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("tinygrad_lite tensors are not pickled; save them with "
                        "tgl.save(obj, path) (safetensors)")

    # ----------------------------------------------------- graph handling
    def detach(self) -> "Tensor":
        """The same data, cut from the graph (shares memory and version)."""
        return self._alias()

    def detach_(self) -> "Tensor":
        if self._base is not None:
            raise RuntimeError("detach_: can't detach a view in place; use detach()")
        self._ctx, self._rg = None, False
        return self

    def clone(self) -> "Tensor":
        """A copy of the data that stays in the graph (gradient flows back)."""
        from .ops.elementwise import Clone
        return Clone.apply(self)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    def _node_hooks(self, create: bool = True) -> list:
        """The hook list of this (non-leaf) tensor's output slot in its node."""
        node = self._ctx
        hooks = node._out_hooks
        if hooks is None:
            if not create:
                return []
            hooks = node._out_hooks = {}
        if self._out_nr not in hooks:
            if not create:
                return []
            hooks[self._out_nr] = []
        return hooks[self._out_nr]

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward."""
        if not self._rg:
            raise RuntimeError("retain_grad: can't retain the grad of a tensor that "
                               "does not require grad")
        if self._ctx is None:
            return
        hooks = self._node_hooks()
        if _RETAIN not in hooks:
            hooks.append(_RetainGrad(self))

    def register_hook(self, hook: Callable[["Tensor"], Any]) -> _HookHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a
        returned Tensor replaces the gradient."""
        if not self._rg:
            raise RuntimeError("register_hook: can't register a hook on a tensor that "
                               "does not require grad")
        if self._ctx is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            return _HookHandle(self._hooks, hook)
        hooks = self._node_hooks()
        wrapped = _UserHook(hook)
        # user hooks run before retain_grad stores the gradient (as in PyTorch)
        pos = next((i for i, h in enumerate(hooks) if h == _RETAIN), len(hooks))
        hooks.insert(pos, wrapped)
        return _HookHandle(hooks, wrapped)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Compute the gradient of this tensor with respect to the leaves of
        its graph and accumulate it into their ``.grad``."""
        from .autograd.engine import backward
        backward(self, None if gradient is None else [gradient], retain_graph,
                 create_graph, inputs)

    # ---------------------------------------------------------- dtypes
    def to(self, *args: Any, **kwargs: Any) -> "Tensor":
        """``to(dtype)``, ``to("cpu")``, ``to(other_tensor)``; differentiable
        between float dtypes."""
        dtype = kwargs.pop("dtype", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        device = kwargs.pop("device", None)
        if kwargs:
            raise TypeError(f"to: unexpected arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, str) and a.split(":")[0] in ("cpu", "cuda", "mps", "meta"):
                device = a
            elif a is not None:
                dtype = a
        if device is not None and str(device).split(":")[0] != "cpu":
            raise NotImplementedError(
                f"to: device {device!r} is not supported; tinygrad_lite runs on the "
                f"CPU only (numpy)")
        if dtype is None:
            return self.clone() if copy else self
        dtype = dtypes.to_dtype(dtype)
        if dtype == self.data.dtype:
            return self.clone() if copy else self
        if dtype.kind != "f" or not self._rg:
            return Tensor._make(self.data.astype(dtype))
        from .ops.elementwise import Cast
        return Cast.apply(self, dtype)

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return f"tinygrad_lite.{self.dtype.name}"
        return self.to(dtype)

    def float(self) -> "Tensor":
        return self.to(dtypes.float32)

    def double(self) -> "Tensor":
        return self.to(dtypes.float64)

    def half(self) -> "Tensor":
        return self.to(dtypes.float16)

    def long(self) -> "Tensor":
        return self.to(dtypes.int64)

    def int(self) -> "Tensor":
        return self.to(dtypes.int32)

    def bool(self) -> "Tensor":
        return self.to(dtypes.bool)

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.to(other.dtype)

    def cpu(self) -> "Tensor":
        return self

    def contiguous(self) -> "Tensor":
        return self

    def is_contiguous(self) -> bool:
        return True

    # ------------------------------------------------------- arithmetic
    def add(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        if alpha != 1:
            other = _coerce(self, other)[1] * alpha
        return _binary(_ew.Add, self, other)

    def sub(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        if alpha != 1:
            other = _coerce(self, other)[1] * alpha
        return _binary(_ew.Sub, self, other)

    def mul(self, other: Any) -> "Tensor":
        return _binary(_ew.Mul, self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        if rounding_mode is not None:
            return _rounded_div(self, other, rounding_mode)
        a, b = _coerce(self, other)
        if a.data.dtype.kind != "f":
            a, b = a.to(dtypes.default_float), b.to(dtypes.default_float)
        return _ew.Div.apply(a, b)

    def pow(self, exponent: Any) -> "Tensor":
        return _binary(_ew.Pow, self, exponent)

    def matmul(self, other: "Tensor") -> "Tensor":
        if not isinstance(other, Tensor):
            raise TypeError(f"matmul: expected a Tensor, got {type(other).__name__}")
        a, b = _coerce(self, other)
        return _linalg.MatMul.apply(a, b)

    true_divide = divide = div
    multiply = mul
    subtract = sub

    def neg(self) -> "Tensor":
        return _ew.Neg.apply(self)

    negative = neg

    def __add__(self, other: Any) -> "Tensor":
        return _binary(_ew.Add, self, other)

    def __radd__(self, other: Any) -> "Tensor":
        return _binary(_ew.Add, self, other, reverse=True)

    def __sub__(self, other: Any) -> "Tensor":
        return _binary(_ew.Sub, self, other)

    def __rsub__(self, other: Any) -> "Tensor":
        return _binary(_ew.Sub, self, other, reverse=True)

    def __mul__(self, other: Any) -> "Tensor":
        return _binary(_ew.Mul, self, other)

    def __rmul__(self, other: Any) -> "Tensor":
        return _binary(_ew.Mul, self, other, reverse=True)

    def __truediv__(self, other: Any) -> "Tensor":
        return self.div(other)

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _coerce(self, other)[1].div(self)

    def __floordiv__(self, other: Any) -> "Tensor":
        return _rounded_div(self, other, "floor")

    def __rfloordiv__(self, other: Any) -> "Tensor":
        return _rounded_div(_coerce(self, other)[1], self, "floor")

    def __mod__(self, other: Any) -> "Tensor":
        return self.remainder(other)

    def remainder(self, other: Any) -> "Tensor":
        a, b = _coerce(self, other)
        return a - _rounded_div(a, b, "floor") * b

    def __pow__(self, exponent: Any) -> "Tensor":
        return _binary(_ew.Pow, self, exponent)

    def __rpow__(self, base: Any) -> "Tensor":
        return _binary(_ew.Pow, self, base, reverse=True)

    def __matmul__(self, other: Any) -> "Tensor":
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _coerce(self, other)[1].matmul(self)

    def __neg__(self) -> "Tensor":
        return _ew.Neg.apply(self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return self.abs()

    # ------------------------------------------------------- comparisons
    def _compare(self, other: Any, fn: Callable) -> "Tensor":
        a, b = _coerce(self, other)
        try:
            return Tensor._make(np.asarray(fn(a.data, b.data)))
        except ValueError:
            raise _broadcast_error(fn.__name__, a.shape, b.shape) from None

    def __lt__(self, other: Any) -> "Tensor":
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> "Tensor":
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> "Tensor":
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> "Tensor":
        return self._compare(other, np.greater_equal)

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(other, np.not_equal)

    lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__
    less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne

    def equal(self, other: "Tensor") -> bool:
        """True if both tensors have the same shape and values."""
        return self.shape == other.shape and builtins.bool((self.data == other.data).all())

    def allclose(self, other: "Tensor", rtol: float = 1e-5, atol: float = 1e-8,
                 equal_nan: bool = False) -> bool:
        return builtins.bool(np.allclose(self.data, _data_of(other), rtol, atol, equal_nan))

    def isclose(self, other: Any, rtol: float = 1e-5, atol: float = 1e-8,
                equal_nan: bool = False) -> "Tensor":
        return Tensor._make(np.isclose(self.data, _data_of(other), rtol, atol, equal_nan))

    def __and__(self, other: Any) -> "Tensor":
        return _logical(np.bitwise_and, self, other)

    def __or__(self, other: Any) -> "Tensor":
        return _logical(np.bitwise_or, self, other)

    def __xor__(self, other: Any) -> "Tensor":
        return _logical(np.bitwise_xor, self, other)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> "Tensor":
        if self.data.dtype.kind not in "biu":
            raise TypeError(f"~ (bitwise not) needs a bool or integer tensor, got "
                            f"{self.dtype}")
        return Tensor._make(np.invert(self.data))

    def logical_not(self) -> "Tensor":
        return Tensor._make(np.logical_not(self.data))

    def logical_and(self, other: Any) -> "Tensor":
        return Tensor._make(np.logical_and(self.data, _data_of(other)))

    def logical_or(self, other: Any) -> "Tensor":
        return Tensor._make(np.logical_or(self.data, _data_of(other)))

    def isnan(self) -> "Tensor":
        return Tensor._make(np.isnan(self.data))

    def isinf(self) -> "Tensor":
        return Tensor._make(np.isinf(self.data))

    def isfinite(self) -> "Tensor":
        return Tensor._make(np.isfinite(self.data))

    def all(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        dims = _dims_arg(dim, self.ndim, "all")
        return Tensor._make(np.asarray(np.all(self.data, axis=dims, keepdims=keepdim)))

    def any(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        dims = _dims_arg(dim, self.ndim, "any")
        return Tensor._make(np.asarray(np.any(self.data, axis=dims, keepdims=keepdim)))

    # ------------------------------------------------- non-differentiable
    def sign(self) -> "Tensor":
        """Sign of each element (-1, 0 or 1); carries no gradient."""
        return Tensor._make(np.sign(self.data))

    def floor(self) -> "Tensor":
        return Tensor._make(np.floor(self.data))

    def ceil(self) -> "Tensor":
        return Tensor._make(np.ceil(self.data))

    def round(self, decimals: int = 0) -> "Tensor":
        return Tensor._make(np.round(self.data, decimals))

    def trunc(self) -> "Tensor":
        return Tensor._make(np.trunc(self.data))

    # ------------------------------------------------------ elementwise
    def exp(self) -> "Tensor":
        return _ew.Exp.apply(_floating(self))

    def log(self) -> "Tensor":
        return _ew.Log.apply(_floating(self))

    def sqrt(self) -> "Tensor":
        return _ew.Sqrt.apply(_floating(self))

    def rsqrt(self) -> "Tensor":
        return self.sqrt().reciprocal()

    def abs(self) -> "Tensor":
        return _ew.Abs.apply(self)

    absolute = abs

    def sin(self) -> "Tensor":
        return _ew.Sin.apply(_floating(self))

    def cos(self) -> "Tensor":
        return _ew.Cos.apply(_floating(self))

    def tanh(self) -> "Tensor":
        return _ew.Tanh.apply(_floating(self))

    def sigmoid(self) -> "Tensor":
        return _ew.Sigmoid.apply(_floating(self))

    def relu(self) -> "Tensor":
        return _ew.Relu.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> "Tensor":
        return _ew.LeakyRelu.apply(_floating(self), negative_slope)

    def gelu(self, approximate: str = "none") -> "Tensor":
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got "
                             f"{approximate!r}")
        return _ew.Gelu.apply(_floating(self), approximate)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> "Tensor":
        return _ew.Softplus.apply(_floating(self), beta, threshold)

    def log1p(self) -> "Tensor":
        return _ew.Log1p.apply(_floating(self))

    def expm1(self) -> "Tensor":
        return _ew.Expm1.apply(_floating(self))

    def square(self) -> "Tensor":
        return self * self

    def reciprocal(self) -> "Tensor":
        return 1.0 / _floating(self)

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":
        """Limit values to [min, max]; min/max may be numbers or tensors."""
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of min or max must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            out = self
            if min is not None:
                out = out.maximum(min if isinstance(min, Tensor) else _coerce(out, min)[1])
            if max is not None:
                out = out.minimum(max if isinstance(max, Tensor) else _coerce(out, max)[1])
            return out
        x = self
        if isinstance(min, builtins.float) or isinstance(max, builtins.float):
            x = _floating(self)
        return _ew.Clamp.apply(x, min, max)

    clip = clamp

    def maximum(self, other: "Tensor") -> "Tensor":
        return _binary(_ew.Maximum, self, other)

    def minimum(self, other: "Tensor") -> "Tensor":
        return _binary(_ew.Minimum, self, other)

    def where(self, condition: Any, other: Any) -> "Tensor":
        return where(condition, self, other)

    def softmax(self, dim: int) -> "Tensor":
        from .nn import functional as F
        return F.softmax(self, dim)

    def log_softmax(self, dim: int) -> "Tensor":
        from .nn import functional as F
        return F.log_softmax(self, dim)

    # ------------------------------------------------------- reductions
    def sum(self, dim: Any = None, keepdim: bool | None = None, *, dtype: Any = None,
            axis: Any = None, keepdims: bool | None = None) -> "Tensor":
        dim = _alias(dim, axis, None, "sum", "dim")
        keepdim = _alias(keepdim, keepdims, False, "sum", "keepdim")
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind in "bu" or x.data.dtype.kind == "i" and x.data.dtype != dtypes.int64:
            x = x.to(dtypes.int64)  # PyTorch sums integers and bools in int64
        return _red.Sum.apply(x, _dims_arg(dim, x.ndim, "sum"), keepdim)

    def mean(self, dim: Any = None, keepdim: bool | None = None, *, dtype: Any = None,
             axis: Any = None, keepdims: bool | None = None) -> "Tensor":
        dim = _alias(dim, axis, None, "mean", "dim")
        keepdim = _alias(keepdim, keepdims, False, "mean", "keepdim")
        x = self if dtype is None else self.to(dtype)
        _require_float(x, "mean")
        return _red.Mean.apply(x, _dims_arg(dim, x.ndim, "mean"), keepdim)

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool | None = None, *,
            correction: Any = None, axis: Any = None, keepdims: bool | None = None) -> "Tensor":
        dim, corr, keepdim = _var_args("var", dim, unbiased, keepdim, correction, axis, keepdims)
        _require_float(self, "var")
        return _red.Var.apply(self, _dims_arg(dim, self.ndim, "var"), corr, keepdim)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool | None = None, *,
            correction: Any = None, axis: Any = None, keepdims: bool | None = None) -> "Tensor":
        dim, corr, keepdim = _var_args("std", dim, unbiased, keepdim, correction, axis, keepdims)
        _require_float(self, "std")
        return _red.Var.apply(self, _dims_arg(dim, self.ndim, "std"), corr, keepdim).sqrt()

    def prod(self, dim: Any = None, keepdim: bool | None = None, *, dtype: Any = None,
             axis: Any = None, keepdims: bool | None = None) -> "Tensor":
        dim = _alias(dim, axis, None, "prod", "dim")
        keepdim = _alias(keepdim, keepdims, False, "prod", "keepdim")
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind in "biu" and x.data.dtype != dtypes.int64:
            x = x.to(dtypes.int64)
        if dim is not None and not isinstance(dim, (builtins.int, np.integer)):
            raise TypeError(f"prod: dim must be a single int (as in PyTorch), got {dim!r}")
        return _red.Prod.apply(x, _dims_arg(dim, x.ndim, "prod"), keepdim)

    def amax(self, dim: Any = (), keepdim: bool | None = None, *, axis: Any = None,
             keepdims: bool | None = None) -> "Tensor":
        dim = _alias(dim, axis, (), "amax", "dim")
        keepdim = _alias(keepdim, keepdims, False, "amax", "keepdim")
        return _red.AMax.apply(self, _dims_arg(dim, self.ndim, "amax"), keepdim, True)

    def amin(self, dim: Any = (), keepdim: bool | None = None, *, axis: Any = None,
             keepdims: bool | None = None) -> "Tensor":
        dim = _alias(dim, axis, (), "amin", "dim")
        keepdim = _alias(keepdim, keepdims, False, "amin", "keepdim")
        return _red.AMax.apply(self, _dims_arg(dim, self.ndim, "amin"), keepdim, False)

    def max(self, dim: Any = None, keepdim: bool | None = None, *, axis: Any = None,
            keepdims: bool | None = None) -> Any:
        """``max()``: the largest value; ``max(dim)``: (values, indices);
        ``max(other_tensor)``: elementwise maximum."""
        return _max_min(self, dim, keepdim, axis, keepdims, True)

    def min(self, dim: Any = None, keepdim: bool | None = None, *, axis: Any = None,
            keepdims: bool | None = None) -> Any:
        return _max_min(self, dim, keepdim, axis, keepdims, False)

    def argmax(self, dim: int | None = None, keepdim: bool = False, *,
               axis: Any = None, keepdims: bool | None = None) -> "Tensor":
        return _arg_reduce(self, dim, keepdim, axis, keepdims, np.argmax, "argmax")

    def argmin(self, dim: int | None = None, keepdim: bool = False, *,
               axis: Any = None, keepdims: bool | None = None) -> "Tensor":
        return _arg_reduce(self, dim, keepdim, axis, keepdims, np.argmin, "argmin")

    def logsumexp(self, dim: Any, keepdim: bool | None = None, *, axis: Any = None,
                  keepdims: bool | None = None) -> "Tensor":
        dim = _alias(dim, axis, None, "logsumexp", "dim")
        keepdim = _alias(keepdim, keepdims, False, "logsumexp", "keepdim")
        x = _floating(self)
        return _red.LogSumExp.apply(x, _dims_arg(dim, x.ndim, "logsumexp"), keepdim)

    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False) -> "Tensor":
        """Vector p-norm over `dim` (all elements by default)."""
        if p == 2 or p == "fro":
            return (self * self).sum(dim, keepdim).sqrt()
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p in (np.inf, builtins.float("inf")):
            return self.abs().amax(() if dim is None else dim, keepdim)
        if isinstance(p, numbers.Real) and p > 0:
            return (self.abs() ** p).sum(dim, keepdim) ** (1.0 / p)
        raise NotImplementedError(f"norm: p={p!r} is not supported (use p > 0 or inf)")

    # ------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> "Tensor":
        return _mv.Reshape.apply(self, _mv.infer_shape(_shape_arg(shape, "reshape"),
                                                       self.data.size, "reshape"))

    def view(self, *shape: Any) -> "Tensor":
        if len(shape) == 1 and not isinstance(shape[0], (builtins.int, tuple, list, np.integer)):
            raise NotImplementedError("view(dtype) is not supported; use .to(dtype)")
        return _mv.Reshape.apply(self, _mv.infer_shape(_shape_arg(shape, "view"),
                                                       self.data.size, "view"))

    def view_as(self, other: "Tensor") -> "Tensor":
        return self.view(other.shape)

    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        if self.ndim == 0:
            return self.reshape(1)
        s = _dim_arg(start_dim, self.ndim, "flatten")
        e = _dim_arg(end_dim, self.ndim, "flatten")
        if s > e:
            raise RuntimeError(f"flatten: start_dim ({start_dim}) must not come after "
                               f"end_dim ({end_dim})")
        shape = self.shape
        return self.reshape(shape[:s] + (builtins.int(np.prod(shape[s:e + 1])),) + shape[e + 1:])

    def unflatten(self, dim: int, sizes: Sequence[int]) -> "Tensor":
        d = _dim_arg(dim, self.ndim, "unflatten")
        sizes = _mv.infer_shape(tuple(sizes), self.shape[d], "unflatten")
        return self.reshape(self.shape[:d] + sizes + self.shape[d + 1:])

    def permute(self, *dims: Any) -> "Tensor":
        dims = _shape_arg(dims, "permute")
        norm = tuple(_dim_arg(d, self.ndim, "permute") for d in dims) if self.ndim else ()
        if len(dims) != self.ndim or sorted(norm) != list(range(self.ndim)):
            raise RuntimeError(f"permute: dims {dims} are not a permutation of the "
                               f"{self.ndim} dims of a tensor of shape {self.shape}")
        if norm == tuple(range(self.ndim)):
            return _mv.Reshape.apply(self, self.shape)  # still a new node, as PyTorch
        return _mv.Permute.apply(self, norm)

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        if self.ndim == 0:
            _dim_arg(dim0, 0, "transpose"), _dim_arg(dim1, 0, "transpose")
            return self.reshape(())
        order = list(range(self.ndim))
        a, b = _dim_arg(dim0, self.ndim, "transpose"), _dim_arg(dim1, self.ndim, "transpose")
        order[a], order[b] = order[b], order[a]
        return self.permute(*order)

    swapaxes = swapdims = transpose

    def t(self) -> "Tensor":
        if self.ndim > 2:
            raise RuntimeError(f"t: expects a tensor with <= 2 dims, got shape {self.shape}; "
                               f"use transpose(dim0, dim1)")
        return self.transpose(0, 1) if self.ndim == 2 else self.reshape(self.shape)

    def squeeze(self, dim: Any = None) -> "Tensor":
        dims = _dims_arg(dim, self.ndim, "squeeze")
        shape = tuple(n for i, n in enumerate(self.shape) if not (i in dims and n == 1))
        return self.reshape(shape)

    def unsqueeze(self, dim: int) -> "Tensor":
        d = _dim_arg(dim, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def expand(self, *sizes: Any) -> "Tensor":
        sizes = _shape_arg(sizes, "expand")
        return _mv.Expand.apply(self, _mv.expand_shape(self.shape, sizes))

    def expand_as(self, other: "Tensor") -> "Tensor":
        return self.expand(other.shape)

    def broadcast_to(self, *shape: Any) -> "Tensor":
        return self.expand(*shape)

    def repeat(self, *sizes: Any) -> "Tensor":
        sizes = _shape_arg(sizes, "repeat")
        if len(sizes) < self.ndim:
            raise RuntimeError(
                f"repeat: number of repeat dims ({len(sizes)}) can not be smaller than "
                f"the number of tensor dims ({self.ndim}, shape {self.shape})")
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"repeat: repeats must be >= 0, got {sizes}")
        return _mv.Repeat.apply(self, sizes)

    def __getitem__(self, index: Any) -> "Tensor":
        return _mv.GetItem.apply(self, _mv.normalize_index(index, self.shape))

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple:
        return split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        return chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple:
        d = _dim_arg(dim, self.ndim, "unbind")
        return tuple(self[(slice(None),) * d + (i,)] for i in range(self.shape[d]))

    def flip(self, dims: Any) -> "Tensor":
        dims = _dims_arg(dims if isinstance(dims, (list, tuple)) else (dims,), self.ndim, "flip")
        return self[tuple(slice(None, None, -1) if i in dims else slice(None)
                          for i in range(self.ndim))]

    # ------------------------------------------------------------ in-place
    def _inplace(self, name: str, compute: Callable[["Tensor"], "Tensor"],
                 numpy_fn: Callable[[np.ndarray], None], *others: Any) -> "Tensor":
        """Shared path of every in-place operation.

        Under grad mode with something requiring grad, the new value is
        computed out of place from a snapshot of this tensor, and this tensor
        takes over the result's data and history (its old data stays intact
        for any node that saved it). Otherwise numpy writes straight into the
        data, so views see the change; the version counter goes up either way,
        which is how backward notices a saved tensor that changed.
        """
        recording = _state.enabled and (self._rg or builtins.any(
            isinstance(o, Tensor) and o._rg for o in others))
        if recording:
            if self._rg and self._ctx is None:
                raise RuntimeError(
                    f"{name}: a leaf tensor that requires grad is being used in an "
                    f"in-place operation. Do the update under `with tgl.no_grad():` "
                    f"(e.g. a parameter update W -= lr * W.grad), or use the "
                    f"out-of-place form.")
            if self._base is not None:
                raise NotImplementedError(
                    f"{name}: in-place changes to a view (a slice, reshape or detach of "
                    f"another tensor) are not recorded for autograd; use the "
                    f"out-of-place form (e.g. torch-style tgl.where or cat)")
            before = Tensor._make(self.data, self._rg, self._ctx, self._out_nr)
            result = compute(before)
            if result.shape != self.shape:
                raise RuntimeError(
                    f"{name}: the result has shape {tuple(result.shape)} but an in-place "
                    f"operation must keep the shape {tuple(self.shape)}")
            _check_cast(name, result.dtype, self.dtype)
            result = result.to(self.dtype)
            self.data = result.data
            self._ctx, self._out_nr, self._rg = result._ctx, result._out_nr, result._rg
            if self._ctx is not None:
                node = self._ctx
                refs = node._outputs
                if type(refs) is tuple:
                    node._outputs = refs[:self._out_nr] + (weakref.ref(self),) + refs[self._out_nr + 1:]
                else:
                    node._outputs = weakref.ref(self)
        else:
            try:
                numpy_fn(self.data)
            except ValueError as e:
                if "read-only" in str(e):
                    raise RuntimeError(
                        f"{name}: this tensor's memory is shared by several elements "
                        f"(it was made by expand/broadcast_to); clone() it before "
                        f"writing in place") from None
                raise RuntimeError(f"{name}: {e}") from None
            except TypeError as e:  # numpy's casting errors
                raise RuntimeError(f"{name}: {e}") from None
        self._bump_version()
        return self

    def _inplace_binary(self, name: str, op: Callable, ufunc: Any, other: Any) -> "Tensor":
        def numpy_fn(data: np.ndarray) -> None:
            value = other.data if isinstance(other, Tensor) else other
            rt = dtypes.result_type(self, other)
            _check_cast(name, rt, data.dtype)
            if np.broadcast_shapes(data.shape, np.shape(value)) != data.shape:
                raise RuntimeError(
                    f"{name}: an operand of shape {tuple(np.shape(value))} does not "
                    f"broadcast to this tensor's shape {tuple(data.shape)}")
            ufunc(data, np.asarray(value, dtype=rt) if rt != data.dtype else value,
                  out=data, casting="unsafe")
        return self._inplace(name, lambda t: op(t, other), numpy_fn, other)

    def add_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        if alpha != 1:
            other = _coerce(self, other)[1] * alpha
        return self._inplace_binary("add_", Tensor.__add__, np.add, other)

    def sub_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        if alpha != 1:
            other = _coerce(self, other)[1] * alpha
        return self._inplace_binary("sub_", Tensor.__sub__, np.subtract, other)

    def mul_(self, other: Any) -> "Tensor":
        return self._inplace_binary("mul_", Tensor.__mul__, np.multiply, other)

    def div_(self, other: Any) -> "Tensor":
        if self.data.dtype.kind != "f":
            raise RuntimeError(f"div_: result type Float can't be cast to the desired "
                               f"output type {self.dtype}; use x = x / y")
        return self._inplace_binary("div_", Tensor.div, np.true_divide, other)

    def pow_(self, exponent: Any) -> "Tensor":
        return self._inplace_binary("pow_", Tensor.__pow__, np.power, exponent)

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    def __ipow__(self, exponent: Any) -> "Tensor":
        return self.pow_(exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":
        def numpy_fn(data: np.ndarray) -> None:
            data[...] = self.clamp(min, max).data.astype(data.dtype)
        return self._inplace("clamp_", lambda t: t.clamp(min, max), numpy_fn, min, max)

    clip_ = clamp_

    def _overwrite(self, name: str, value: Any) -> "Tensor":
        """fill_/zero_/copy_: the old values are replaced (no gradient flows
        to them); a Tensor value receives the gradient."""
        def compute(before: Tensor) -> Tensor:
            src = value if isinstance(value, Tensor) else Tensor._make(
                np.asarray(value, dtype=self.dtype))
            src = src.to(self.dtype).expand(self.shape)
            return where(Tensor._make(np.zeros(self.shape, np.bool_)), before, src)

        def numpy_fn(data: np.ndarray) -> None:
            src = value.data if isinstance(value, Tensor) else value
            try:
                np.copyto(data, np.broadcast_to(src, data.shape), casting="unsafe")
            except ValueError:
                raise RuntimeError(f"{name}: a source of shape {np.shape(src)} does not "
                                   f"broadcast to shape {data.shape}") from None
        return self._inplace(name, compute, numpy_fn, value)

    def fill_(self, value: Any) -> "Tensor":
        if isinstance(value, Tensor) and value.ndim != 0:
            raise RuntimeError(f"fill_: only a 0-d tensor or a number can fill a tensor, "
                               f"got shape {tuple(value.shape)}")
        return self._overwrite("fill_", value)

    def zero_(self) -> "Tensor":
        return self._overwrite("zero_", 0)

    def copy_(self, src: Any) -> "Tensor":
        return self._overwrite("copy_", src)

    def _random_fill(self, name: str, sample: Callable[[tuple], np.ndarray]) -> "Tensor":
        if self.data.dtype.kind != "f":
            raise RuntimeError(f"{name}: needs a floating point tensor, got {self.dtype}")
        return self._overwrite(name, Tensor._make(sample(self.shape).astype(self.dtype)))

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> "Tensor":
        from .random import _rng
        return self._random_fill("uniform_", lambda s: _rng(generator).uniform(a, b, s))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> "Tensor":
        from .random import _rng
        return self._random_fill("normal_", lambda s: _rng(generator).normal(mean, std, s))

    def __setitem__(self, index: Any, value: Any) -> None:
        idx = _mv.normalize_index(index, self.shape)

        def compute(before: Tensor) -> Tensor:
            src = value if isinstance(value, Tensor) else Tensor._make(
                np.asarray(value, dtype=self.dtype))
            return _mv.IndexPut.apply(before, src.to(self.dtype), idx)

        def numpy_fn(data: np.ndarray) -> None:
            try:
                data[idx] = value.data if isinstance(value, Tensor) else value
            except (ValueError, IndexError) as e:
                raise RuntimeError(f"index assignment: {e}") from None
        self._inplace("index assignment", compute, numpy_fn, value)


_new = object.__new__


class _UserHook:
    """A user's gradient hook on a non-leaf tensor, in its node's hook list."""

    def __init__(self, fn: Callable) -> None:
        self.fn = fn

    def __call__(self, run: Any, grad: Any) -> Any:
        return run.run_hooks([self.fn], grad)


class _RetainGradMarker:
    def __eq__(self, other: Any) -> bool:
        return isinstance(other, _RetainGrad)

    __hash__ = object.__hash__


_RETAIN = _RetainGradMarker()


class _RetainGrad:
    """Stores a non-leaf tensor's gradient in its ``.grad`` (retain_grad)."""

    def __init__(self, tensor: Tensor) -> None:
        self.ref = weakref.ref(tensor)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, (_RetainGrad, _RetainGradMarker))

    __hash__ = object.__hash__

    def __call__(self, run: Any, grad: Any) -> Any:
        t = self.ref()
        if t is not None:
            g = grad if isinstance(grad, Tensor) else Tensor._make(np.array(grad, copy=True))
            t.grad = g if t.grad is None else t.grad + g
        return grad


# ------------------------------------------------------------- helpers
def _to_array(data: Any, dtype: Any) -> np.ndarray:
    """The numpy array a new Tensor holds, with PyTorch's dtype defaults."""
    want = None if dtype is None else dtypes.to_dtype(dtype)
    if isinstance(data, Tensor):
        array = data.data.copy()
    elif isinstance(data, np.ndarray):
        array = data.copy()
    elif isinstance(data, np.generic):
        array = np.asarray(data)
    else:
        try:
            array = np.array(data)
        except ValueError as e:
            raise ValueError(f"Tensor: could not make a tensor from {type(data).__name__} "
                             f"data ({e}); nested lists must be rectangular") from None
        if array.dtype == np.float64 and want is None and not _holds_float64(data):
            array = array.astype(dtypes.default_float)
    if array.dtype.kind == "O" or array.dtype not in dtypes.SUPPORTED:
        if want is None or array.dtype.kind in "OUSc":
            raise TypeError(
                f"Tensor: can't make a tensor from data of dtype {array.dtype} "
                f"({type(data).__name__}); supported are bool, integer and float data")
    if want is not None and array.dtype != want:
        array = array.astype(want)
    return array


def _holds_float64(data: Any) -> bool:
    """Whether list data contains float64 arrays/Tensors (which keep float64)."""
    if isinstance(data, (list, tuple)):
        return builtins.any(_holds_float64(d) for d in data)
    return isinstance(data, (np.ndarray, Tensor, np.float64)) and np.asarray(data).dtype == np.float64


def _data_of(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


def _const(value: Any, dtype: np.dtype) -> Tensor:
    return Tensor._make(np.array(value, dtype=dtype))


def _coerce(a: Tensor, b: Any) -> tuple:
    """Both operands as Tensors of the dtype PyTorch's promotion gives."""
    da = a.data.dtype
    if isinstance(b, Tensor):
        db = b.data.dtype
        if da == db:
            return a, b
        rt = dtypes.result_type(a, b)
        return (a if da == rt else a.to(rt)), (b if db == rt else b.to(rt))
    if type(b) is builtins.float and da.kind == "f" or type(b) is builtins.int and da.kind in "fiu":
        return a, _const(b, da)
    if isinstance(b, np.generic):
        b = b.item()
    if isinstance(b, (builtins.bool, builtins.int, builtins.float)):
        rt = dtypes.result_type(a, b)
        return (a if da == rt else a.to(rt)), _const(b, rt)
    if isinstance(b, complex):
        raise TypeError("complex numbers are not supported")
    if isinstance(b, (list, tuple, np.ndarray)):
        return _coerce(a, Tensor(b))
    raise TypeError(f"unsupported operand type: Tensor and {type(b).__name__}")


def _binary(op: Any, a: Tensor, b: Any, reverse: bool = False) -> Tensor:
    a, b = _coerce(a, b)
    return op.apply(b, a) if reverse else op.apply(a, b)


def _broadcast_error(name: str, sa: tuple, sb: tuple) -> RuntimeError:
    return RuntimeError(
        f"{name}: the shapes {tuple(sa)} and {tuple(sb)} can't be broadcast together "
        f"(sizes must match or be 1, comparing from the last dim). Reshape, unsqueeze "
        f"or transpose one operand so they line up.")


def _floating(t: Tensor) -> Tensor:
    """Float-only operations turn integer input into float32 (as PyTorch)."""
    return t if t.data.dtype.kind == "f" else t.to(dtypes.default_float)


def _require_float(t: Tensor, name: str) -> None:
    if t.data.dtype.kind != "f":
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be a floating "
            f"point dtype, got {t.dtype}; call .float() first or pass dtype=tgl.float32")


def _check_cast(name: str, result: np.dtype, target: np.dtype) -> None:
    if dtypes._category(result) > dtypes._category(target):
        raise RuntimeError(f"{name}: result type {result} can't be cast to the desired "
                           f"output type {target}; use the out-of-place form")


def _logical(fn: Callable, a: Tensor, b: Any) -> Tensor:
    a, b = _coerce(a, b)
    if a.data.dtype.kind not in "biu":
        raise TypeError(f"{fn.__name__}: needs bool or integer tensors, got {a.dtype}")
    return Tensor._make(np.asarray(fn(a.data, b.data)))


def _rounded_div(a: Any, b: Any, mode: str) -> Tensor:
    """Division rounded toward zero ('trunc') or down ('floor'); carries no
    gradient (its derivative is zero almost everywhere)."""
    if mode not in ("trunc", "floor"):
        raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {mode!r}")
    a, b = _coerce(a if isinstance(a, Tensor) else Tensor(a), b)
    x, y = a.data, b.data
    if x.dtype.kind in "biu":
        if (np.asarray(y) == 0).any():
            raise ZeroDivisionError("div: integer division by zero")
        q = np.floor_divide(x, y)
        if mode == "trunc":
            q = np.where((q < 0) & (q * y != x), q + 1, q)
        return Tensor._make(np.asarray(q))
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.floor(x / y) if mode == "floor" else np.trunc(x / y)
    return Tensor._make(np.asarray(q))


def _var_args(name: str, dim: Any, unbiased: Any, keepdim: Any, correction: Any,
              axis: Any, keepdims: Any) -> tuple:
    if isinstance(dim, builtins.bool):  # old signature var(unbiased)
        dim, unbiased = None, dim
    dim = _alias(dim, axis, None, name, "dim")
    keepdim = _alias(keepdim, keepdims, False, name, "keepdim")
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}: give either unbiased or correction, not both")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return dim, correction, keepdim


def _max_min(t: Tensor, dim: Any, keepdim: Any, axis: Any, keepdims: Any, is_max: bool) -> Any:
    name = "max" if is_max else "min"
    if isinstance(dim, Tensor):
        return t.maximum(dim) if is_max else t.minimum(dim)
    dim = _alias(dim, axis, None, name, "dim")
    keepdim = _alias(keepdim, keepdims, False, name, "keepdim")
    if dim is None:
        if t.data.size == 0:
            raise RuntimeError(f"{name}(): expected a non-empty tensor (shape "
                               f"{tuple(t.shape)}); give a dim or check the input")
        return _red.AMax.apply(t, tuple(range(t.ndim)), False, is_max)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}: dim must be a single int; use amax/amin for several dims")
    d = _dim_arg(dim, t.ndim, name)
    if t.ndim and t.shape[d] == 0:
        raise IndexError(f"{name}(): expected reduction dim {d} to have non-zero size "
                         f"(shape {tuple(t.shape)})")
    fn = np.argmax if is_max else np.argmin
    idx = np.asarray(fn(t.data, axis=d if t.ndim else None))
    idx_keep = np.expand_dims(idx, d) if t.ndim else idx
    values = _red.TakeAlongDim.apply(t, idx_keep, d, keepdim)
    indices = Tensor._make(idx_keep if keepdim else idx.astype(np.int64))
    if keepdim:
        indices = Tensor._make(idx_keep.astype(np.int64))
    return _red.ValuesIndices(values, indices)


def _arg_reduce(t: Tensor, dim: Any, keepdim: Any, axis: Any, keepdims: Any,
                fn: Callable, name: str) -> Tensor:
    dim = _alias(dim, axis, None, name, "dim")
    keepdim = _alias(keepdim, keepdims, False, name, "keepdim")
    if t.data.size == 0 and (dim is None or t.shape[_dim_arg(dim, t.ndim, name)] == 0):
        raise IndexError(f"{name}(): expected a non-empty reduction (shape "
                         f"{tuple(t.shape)})")
    if dim is None:
        out = np.asarray(fn(t.data))
        if keepdim:
            out = out.reshape((1,) * t.ndim)
    else:
        d = _dim_arg(dim, t.ndim, name)
        out = np.asarray(fn(t.data, axis=d if t.ndim else None, keepdims=keepdim and t.ndim > 0))
    return Tensor._make(out.astype(np.int64))


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """Elementwise ``input if condition else other``, with broadcasting."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got {cond.dtype}")
    if not isinstance(input, Tensor):
        if not isinstance(other, Tensor):
            input = Tensor(input)
        else:
            other, input = _coerce(other, input)
    a, b = _coerce(input, other)
    return _ew.Where.apply(cond, a, b)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Split into pieces of a given size (the last may be smaller) or of
    the given list of sizes, along `dim`."""
    d = _dim_arg(dim, tensor.ndim, "split")
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, (builtins.int, np.integer)):
        size = builtins.int(split_size_or_sections)
        if size <= 0 and not (size == 0 and n == 0):
            raise RuntimeError(f"split: split_size must be positive, got {size}")
        sizes = [min(size, n - i) for i in range(0, n, size)] if n else [0]
    else:
        sizes = [builtins.int(s) for s in split_size_or_sections]
        if sum(sizes) != n or builtins.any(s < 0 for s in sizes):
            raise RuntimeError(f"split: sizes {sizes} must be >= 0 and sum to the "
                               f"size of dim {d} ({n})")
    pieces, start = [], 0
    for s in sizes:
        pieces.append(tensor[(slice(None),) * d + (slice(start, start + s),)])
        start += s
    return tuple(pieces)


def chunk(tensor: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Split into `chunks` pieces of equal size (the last may be smaller)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk: chunks must be positive, got {chunks}")
    d = _dim_arg(dim, tensor.ndim, "chunk")
    n = tensor.shape[d]
    size = -(-n // chunks) if n else 1
    return split(tensor, size, d) if n else split(tensor, [0] * 1, d)


def _format_tensor(t: Tensor) -> str:
    data = t.data
    prefix = "tensor("
    if data.size == 0:
        body = "[]"
    else:
        opts: dict = {"separator": ", ", "prefix": prefix, "threshold": 1000, "edgeitems": 3}
        if data.dtype.kind == "f":
            finite = data[np.isfinite(data)]
            integral = finite.size == 0 or bool(np.all(finite == np.round(finite)))
            big = finite.size and np.abs(finite).max() >= 1e8
            if integral and not big:
                opts["formatter"] = {"float_kind": lambda v: _int_float(v)}
            else:
                opts.update(precision=4, floatmode="fixed")
        body = np.array2string(data, **opts)
    extras = []
    if data.size == 0 and data.shape != (0,):
        extras.append(f"size={tuple(data.shape)}")
    if data.dtype not in (dtypes.float32, dtypes.int64, dtypes.bool):
        extras.append(f"dtype=tinygrad_lite.{data.dtype.name}")
    if t._ctx is not None:
        extras.append(f"grad_fn={t._ctx!r}")
    elif t._rg:
        extras.append("requires_grad=True")
    return prefix + body + "".join(", " + e for e in extras) + ")"


def _int_float(v: float) -> str:
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.0f}."


# The operations import Tensor, so they are imported after it is defined.
from .ops import elementwise as _ew  # noqa: E402
from .ops import linalg as _linalg  # noqa: E402
from .ops import movement as _mv  # noqa: E402
from .ops import reduce as _red  # noqa: E402
