"""Tensor: a numpy array that remembers how it was made.

The class holds the data, the gradient and the link to the graph node that
produced it (``grad_fn``). Its methods are thin: each checks and normalises
its arguments at the public edge, then calls one operation from
`tinygrad_lite.ops`, where the forward and backward formulas live.

Two rules of PyTorch live here because every operation shares them:

* type promotion (`_coerce`): the result dtype of mixed operands, Python
  and numpy scalars included, is PyTorch's (see `dtypes.result_type`);
* in-place operations (`Tensor._inplace`): new values are written into the
  tensor's memory, views see them, the shared version counter counts them,
  and when recording, the tensor (or the base of a view) takes over the
  history of the new value (see `autograd.views`).
"""
from __future__ import annotations

import builtins
import numbers
import weakref
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from . import dtypes
from ._format import format_tensor
from .grad_mode import _state


def _shape_arg(args: tuple, name: str) -> tuple:
    """``f(2, 3)`` and ``f((2, 3))`` both mean shape (2, 3). Sizes must be
    integers (or one-element integer Tensors): ``2.5`` is an error, not 2."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    shape = []
    for a in args:
        if isinstance(a, Tensor) and a.data.size == 1:
            a = a.data.reshape(()).item()
        if isinstance(a, (builtins.bool, np.bool_)) or not isinstance(a, (builtins.int,
                                                                          np.integer)):
            raise TypeError(f"{name}: sizes must be integers, got {a!r} of type "
                            f"{type(a).__name__} in {args!r}")
        shape.append(builtins.int(a))
    return tuple(shape)


def _dim_arg(dim: Any, ndim: int, name: str) -> int:
    """A dimension index checked and made non-negative (as PyTorch's
    messages: a 0-d tensor accepts dims -1 and 0)."""
    top = max(ndim, 1)
    if not isinstance(dim, (builtins.int, np.integer)) or isinstance(dim, builtins.bool):
        raise TypeError(f"{name}: dim must be an int, got {type(dim).__name__}")
    if not -top <= dim < top:
        raise IndexError(f"{name}: Dimension out of range (expected to be in range of "
                         f"[{-top}, {top - 1}], but got {dim}) for a tensor with {ndim} "
                         f"dims")
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
    d = _dim_arg(dim, ndim, name)  # checked even for a 0-d tensor (dims -1 and 0 only)
    return (d,) if ndim else ()


def _no_dims(dim: Any) -> bool:
    """``dim=()`` (or ``[]``): for all()/any() PyTorch reduces over no dim
    at all (sum() and the others read it as every dim)."""
    return isinstance(dim, (list, tuple)) and len(dim) == 0


def _varargs(args: tuple, kwargs: dict, key: str, name: str) -> tuple:
    """The sizes or dims of ``x.f(2, 3)`` / ``x.f((2, 3))``, or given by
    PyTorch's keyword for them, ``x.f(key=(2, 3))``; none is a TypeError."""
    if kwargs:
        if args or list(kwargs) != [key]:
            raise TypeError(f"{name}() takes its {key} positionally or as {key}=..., got "
                            f"{len(args)} positional and keywords {sorted(kwargs)}")
        args = (kwargs[key],)
    elif not args:
        raise TypeError(f'{name}() missing 1 required positional arguments: "{key}", e.g. '
                        f'x.{name}(2, 3) or x.{name}((2, 3))')
    return args


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

    __slots__ = ("data", "_grad", "_rg", "_ctx", "_out_nr", "_ver", "_base", "_view",
                 "_hooks", "__weakref__")
    __array_ufunc__ = None  # `ndarray + Tensor` calls Tensor.__radd__
    __array_priority__ = 1000

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        array = _to_array(data, dtype)
        self.data = array
        self._grad = None
        self._rg = False
        self._ctx = None
        self._out_nr = 0
        self._ver = 0
        self._base = None
        self._view = None
        self._hooks = None
        if requires_grad:
            self.requires_grad = True

    @staticmethod
    def _make(data: np.ndarray, requires_grad: bool = False, ctx: Any = None,
              out_nr: int = 0) -> "Tensor":
        """Internal fast constructor: no checks, no copy."""
        t = _new(Tensor)
        t.data = data
        t._grad = None
        t._rg = requires_grad
        t._ctx = ctx
        t._out_nr = out_nr
        t._ver = 0
        t._base = None
        t._view = None
        t._hooks = None
        return t

    def _alias(self) -> "Tensor":
        """A new Tensor object sharing this one's data and version counter,
        without its history (what detach() returns)."""
        t = Tensor._make(self.data)
        t._base = self if self._base is None else self._base
        return t

    @property
    def _version(self) -> int:
        """How often this tensor's memory was changed in place; shared by all
        views of the same memory (PyTorch's ``tensor._version``)."""
        return self._ver if self._base is None else self._base._ver

    def _version_counter(self) -> int:
        """`_version` as a method (kept for callers written against it)."""
        return self._ver if self._base is None else self._base._ver

    def _bump_version(self) -> None:
        global _inplace_changes
        _inplace_changes += 1
        if self._base is None:
            self._ver += 1
        else:
            self._base._ver += 1

    # ------------------------------------------------------------ properties

    @property
    def grad(self) -> "Tensor | None":
        """The gradient that backward() accumulated here (None before the
        first backward, after zero_grad(), and for non-leaves without
        retain_grad())."""
        return self._grad

    @grad.setter
    def grad(self, value: "Tensor | None") -> None:
        # As PyTorch: a gradient must fit the tensor (the library itself
        # writes `_grad` directly, with gradients that do)
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}; wrap it with tgl.tensor(...)")
            if value.data.shape != self.data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of shape {value.data.shape} to a tensor "
                    f"of shape {self.data.shape}; a gradient must have its tensor's shape "
                    f"(set .grad = None to clear it)")
            if value.data.dtype != self.data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient of dtype {value.data.dtype} to a tensor "
                    f"of dtype {self.data.dtype}; convert it first, e.g. "
                    f"t.grad = g.to(t.dtype)")
        self._grad = value

    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        flag = builtins.bool(flag)
        if self._ctx is not None and not flag:
            raise RuntimeError(
                "requires_grad: you can only change requires_grad flags of leaf "
                f"variables; this tensor was computed by an operation (grad_fn="
                f"{self._ctx!r}). Use .detach() to get a tensor without history.")
        if flag and self.data.dtype.kind != "f":
            raise RuntimeError(
                f"requires_grad: Only Tensors of floating point dtype can require "
                f"gradients, but this tensor has dtype {self.data.dtype}. Create it "
                f"with a float dtype (e.g. tgl.tensor([1., 2.]), dtype=tgl.float32, "
                f"or x.float()).")
        self._rg = flag

    @property
    def is_leaf(self) -> bool:
        """True for tensors not made by a recorded operation (their
        gradient is stored in ``.grad``)."""
        if self._view is not None and self._rg:
            _views.refresh(self)
        return self._ctx is None

    @property
    def grad_fn(self) -> Any:
        """The graph node that made this tensor (None for leaves)."""
        if self._view is not None and self._rg:
            _views.refresh(self)
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
        return self.permute(tuple(reversed(range(self.ndim))))

    @property
    def mT(self) -> "Tensor":
        if self.ndim < 2:
            raise RuntimeError(f"mT: needs at least 2 dims, got shape {self.shape}")
        return self.transpose(-2, -1)

    @property
    def retains_grad(self) -> bool:
        """Whether retain_grad() was called on this non-leaf tensor."""
        return self._ctx is not None and builtins.any(
            isinstance(h, _RetainGrad) for h in self._node_hooks(create=False))

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    # --------------------------------------------------------------- basics
    def numpy(self) -> np.ndarray:
        """The data as a numpy array (shared, not copied, as in PyTorch)."""
        if self._rg:
            raise RuntimeError("numpy: Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self.data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if dtype is None and not copy:
            return self.data
        return np.array(self.data, dtype=dtype, copy=True)

    def item(self) -> Any:
        """The single value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise RuntimeError(
                f"item: a Tensor with {self.data.size} elements cannot be converted to "
                f"Scalar (shape {tuple(self.shape)}); only one-element tensors can. "
                f"Index it first (t[0]), reduce it (t.sum()), or use .tolist().")
        return self.data.reshape(()).item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def size(self, dim: int | None = None) -> Any:
        """The shape (a tuple), or the size of dimension `dim`."""
        if dim is None:
            return self.data.shape
        if self.ndim == 0:
            raise IndexError(f"size: Dimension specified as {dim} but tensor has no "
                             f"dimensions")
        return self.data.shape[_dim_arg(dim, self.ndim, "size")]

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
                f"bool: Boolean value of Tensor with more than one value is ambiguous "
                f"(this one has shape {tuple(self.shape)}); use .any() or .all()")
        return builtins.bool(self.data.reshape(()))

    def _scalar(self, kind: str) -> Any:
        if self.data.size != 1:
            raise ValueError(
                f"{kind}(): only one element tensors can be converted to Python scalars; "
                f"this one has shape {tuple(self.shape)}")
        return self.data.reshape(()).item()

    def __float__(self) -> float:
        return builtins.float(self._scalar("float"))

    def __int__(self) -> int:
        return builtins.int(self._scalar("int"))

    def __index__(self) -> int:
        if self.data.dtype.kind not in "biu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be "
                            "converted to an index")
        return builtins.int(self.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        ctx = self.grad_fn if self._rg else None
        return format_tensor(self.data, ctx, self._rg)

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("tinygrad_lite tensors are not pickled; save them with "
                        "tgl.save(obj, path) (safetensors)")

    def __deepcopy__(self, memo: dict) -> "Tensor":
        """copy.deepcopy (e.g. of a model's buffers): new memory, same
        requires_grad; like PyTorch, only for leaves (no graph is copied)."""
        if self._ctx is not None:
            raise RuntimeError("deepcopy: only tensors created by the user (graph leaves) "
                               "can be deep-copied; use .detach().clone() instead")
        if id(self) not in memo:
            memo[id(self)] = Tensor(self.data, requires_grad=self._rg)
        return memo[id(self)]

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

    def requires_grad_(self, requires_grad: bool = True, *, flag: bool | None = None) -> "Tensor":
        """Set requires_grad in place and return this tensor (``flag=`` is
        accepted as another name for the argument)."""
        self.requires_grad = requires_grad if flag is None else flag
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
            raise RuntimeError("retain_grad: can't retain_grad on Tensor that has "
                               "requires_grad=False")
        if self._ctx is None:
            return
        hooks = self._node_hooks()
        if not builtins.any(isinstance(h, _RetainGrad) for h in hooks):
            hooks.append(_RetainGrad(self))

    def register_hook(self, hook: Callable[["Tensor"], Any]) -> _HookHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a
        returned Tensor replaces the gradient."""
        if not self._rg:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that "
                               "doesn't require gradient")

        if self._ctx is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            return _HookHandle(self._hooks, hook)
        hooks = self._node_hooks()
        wrapped = _UserHook(hook)
        # user hooks run before retain_grad stores the gradient (as in PyTorch)
        pos = next((i for i, h in enumerate(hooks) if isinstance(h, _RetainGrad)), len(hooks))
        hooks.insert(pos, wrapped)
        return _HookHandle(hooks, wrapped)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Compute the gradient of this tensor with respect to the leaves of
        its graph and accumulate it into their ``.grad``."""
        _engine.backward(self, None if gradient is None else [gradient], retain_graph,
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
            other = _operands(self, other, "add")[1] * alpha
        return _method(_binary(_ew.Add, self, other), "add", other)

    def sub(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        _no_bool_sub(self, other)
        if alpha != 1:
            other = _operands(self, other, "sub")[1] * alpha
        return _method(_binary(_ew.Sub, self, other), "sub", other)

    def mul(self, other: Any) -> "Tensor":
        return _method(_binary(_ew.Mul, self, other), "mul", other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        """True division (integers give float32), or rounded with
        ``rounding_mode='trunc'`` / ``'floor'`` (no gradient)."""
        if rounding_mode is not None:
            return _method(_rounded_div(self, other, rounding_mode), "div", other)
        return _method(_true_div(self, other), "div", other)

    def pow(self, exponent: Any) -> "Tensor":
        return _method(self.__pow__(exponent), "pow", exponent)

    def matmul(self, other: "Tensor") -> "Tensor":
        if not isinstance(other, Tensor):
            raise TypeError(f"matmul: expected a Tensor, got {type(other).__name__}")
        if self.data.dtype != other.data.dtype or self.data.dtype.kind == "b":
            _linalg.check_matmul_dtypes(self, other)
        return _linalg.MatMul.apply(self, other)

    true_divide = divide = div
    multiply = mul
    subtract = sub

    def neg(self) -> "Tensor":
        if self.data.dtype.kind == "b":
            raise RuntimeError(
                "neg: Negation, the `-` operator, on a bool tensor is not supported. If "
                "you are trying to invert a mask, use the `~` or `logical_not()` operator "
                "instead.")
        return _ew.Neg.apply(self)

    negative = __neg__ = neg

    def __add__(self, other: Any) -> "Tensor":
        return _binary(_ew.Add, self, other)

    def __radd__(self, other: Any) -> "Tensor":
        return _binary(_ew.Add, self, other, reverse=True)

    def __sub__(self, other: Any) -> "Tensor":
        _no_bool_sub(self, other)
        return _binary(_ew.Sub, self, other)

    def __rsub__(self, other: Any) -> "Tensor":
        _no_bool_sub(self, other)
        return _binary(_ew.Sub, self, other, reverse=True)

    def __mul__(self, other: Any) -> "Tensor":
        return _binary(_ew.Mul, self, other)

    def __rmul__(self, other: Any) -> "Tensor":
        return _binary(_ew.Mul, self, other, reverse=True)

    def __truediv__(self, other: Any) -> "Tensor":
        return _true_div(self, other)

    def __rtruediv__(self, other: Any) -> "Tensor":
        # PyTorch computes `number / tensor` as reciprocal(tensor) * number
        # (the last bit can differ from a true division); so do we.
        if not isinstance(other, _OPERANDS):
            return NotImplemented
        return self.reciprocal() * other

    def __floordiv__(self, other: Any) -> "Tensor":
        return _rounded_div(self, other, "floor")

    def __rfloordiv__(self, other: Any) -> "Tensor":
        pair = _coerce(self, other)
        if pair is None:
            return NotImplemented
        return _rounded_div(pair[1], pair[0], "floor")

    def floor_divide(self, other: Any) -> "Tensor":
        """Division rounded down (Python's ``//``); zero gradient."""
        return _method(_rounded_div(self, other, "floor"), "floor_divide", other)

    def remainder(self, other: Any) -> "Tensor":
        """Python's ``%``: the result has the sign of the divisor. The
        gradient is 1 for self and ``-floor(self / other)`` for other."""
        return _remainder(*_operands(self, other, "remainder"))

    def __mod__(self, other: Any) -> "Tensor":
        pair = _coerce(self, other)
        return NotImplemented if pair is None else _remainder(*pair)

    def __rmod__(self, other: Any) -> "Tensor":
        pair = _coerce(self, other)
        return NotImplemented if pair is None else _remainder(pair[1], pair[0])

    def __pow__(self, exponent: Any) -> "Tensor":
        kind = self.data.dtype.kind
        if (kind in "biu" and isinstance(exponent, (builtins.int, np.integer))
                and not isinstance(exponent, builtins.bool) and exponent < 0):
            raise RuntimeError("pow: Integers to negative integer powers are not allowed; "
                               "use a float tensor (x.float() ** -1)")
        if kind == "b":
            return _bool_pow(self, exponent)
        return _binary(_ew.Pow, self, exponent)

    def __rpow__(self, base: Any) -> "Tensor":
        pair = _coerce(self, base)
        if pair is None:
            return NotImplemented
        if pair[0].data.dtype.kind == "b":
            raise NotImplementedError(
                'pow: "pow" not implemented for \'Bool\' (a number raised to a bool '
                'tensor); convert the tensor first, e.g. x.long()')
        return _apply_binary(_ew.Pow, pair[1], pair[0])

    def __matmul__(self, other: Any) -> "Tensor":
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _operands(self, other, "matmul")[1].matmul(self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return self.abs()

    # ------------------------------------------------------- comparisons
    def _compare(self, other: Any, fn: Callable) -> "Tensor":
        pair = _coerce(self, other)
        if pair is None:
            return NotImplemented  # `t == "text"` is False, `t < "text"` a TypeError
        a, b = pair
        try:
            return Tensor._make(np.asarray(fn(a.data, b.data)))
        except ValueError:
            _check_broadcast(fn.__name__, a.shape, b.shape)
            raise

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

    def lt(self, other: Any) -> "Tensor":
        return _method(self._compare(other, np.less), "lt", other)

    def le(self, other: Any) -> "Tensor":
        return _method(self._compare(other, np.less_equal), "le", other)

    def gt(self, other: Any) -> "Tensor":
        return _method(self._compare(other, np.greater), "gt", other)

    def ge(self, other: Any) -> "Tensor":
        return _method(self._compare(other, np.greater_equal), "ge", other)

    def eq(self, other: Any) -> "Tensor":
        return _method(self._compare(other, np.equal), "eq", other)

    def ne(self, other: Any) -> "Tensor":
        return _method(self._compare(other, np.not_equal), "ne", other)

    less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne

    def equal(self, other: "Tensor") -> bool:
        """True if both tensors have the same shape and values."""
        return self.shape == other.shape and builtins.bool((self.data == other.data).all())

    def allclose(self, other: "Tensor", rtol: float = 1e-5, atol: float = 1e-8,
                 equal_nan: bool = False) -> bool:
        return builtins.bool(np.allclose(self.data, _data_of(other), rtol, atol, equal_nan))

    def isclose(self, other: Any, rtol: float = 1e-5, atol: float = 1e-8,
                equal_nan: bool = False) -> "Tensor":
        return _result(np.isclose(self.data, _data_of(other), rtol, atol, equal_nan))

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
        return _result(np.invert(self.data))

    def logical_not(self) -> "Tensor":
        return _result(np.logical_not(self.data))

    def logical_and(self, other: Any) -> "Tensor":
        return _result(np.logical_and(self.data, _data_of(other)))

    def logical_or(self, other: Any) -> "Tensor":
        return _result(np.logical_or(self.data, _data_of(other)))

    def isnan(self) -> "Tensor":
        return _result(np.isnan(self.data))

    def isinf(self) -> "Tensor":
        return _result(np.isinf(self.data))

    def isfinite(self) -> "Tensor":
        return _result(np.isfinite(self.data))

    def all(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        """Whether every element is nonzero (bool; uint8 for uint8, as PyTorch)."""
        dims = () if _no_dims(dim) else _dims_arg(dim, self.ndim, "all")
        out = np.asarray(np.all(self.data, axis=dims, keepdims=keepdim))
        return _result(out.astype(np.uint8) if self.data.dtype == np.uint8 else out)

    def any(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        """Whether some element is nonzero (bool; uint8 for uint8, as PyTorch)."""
        dims = () if _no_dims(dim) else _dims_arg(dim, self.ndim, "any")
        out = np.asarray(np.any(self.data, axis=dims, keepdims=keepdim))
        return _result(out.astype(np.uint8) if self.data.dtype == np.uint8 else out)

    # ------------------------------------------------- non-differentiable
    def sign(self) -> "Tensor":
        """Sign of each element (-1, 0 or 1; 0 at nan, as PyTorch); its
        gradient is zero."""
        if self.data.dtype.kind == "b":
            return _result(self.data.copy())
        return _ew.Sign.apply(self)

    def floor(self) -> "Tensor":
        """Round down; the gradient is zero (as for ceil, round, trunc, sign)."""
        _no_bool(self, "floor")
        return _ew.Floor.apply(self)

    def ceil(self) -> "Tensor":
        _no_bool(self, "ceil")
        return _ew.Ceil.apply(self)

    def round(self, decimals: int = 0) -> "Tensor":
        """Round half to even, as PyTorch (and numpy)."""
        _no_bool(self, "round")
        return _ew.Round.apply(self, decimals)

    def trunc(self) -> "Tensor":
        _no_bool(self, "trunc")
        return _ew.Trunc.apply(self)

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
        _no_bool(self, "abs")
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
        if self.data.dtype.kind == "b":
            raise RuntimeError("relu: Boolean inputs not supported for relu; convert first "
                               "(x.float())")
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
        return self ** 2 if self.data.dtype.kind == "b" else self * self

    def reciprocal(self) -> "Tensor":
        return _ew.Reciprocal.apply(_floating(self))

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":
        """Limit values to [min, max]; min/max may be numbers or tensors."""
        if min is None and max is None:
            raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            dtype = dtypes.result_type(self, *(b for b in (min, max) if b is not None))
            lo, hi = (None if b is None else b.to(dtype) if isinstance(b, Tensor)
                      else _const(b, dtype) for b in (min, max))
            return _ew.Clamp.apply(self.to(dtype), lo, hi)
        min, max = (b.item() if isinstance(b, np.generic) else b for b in (min, max))
        # number bounds promote like the operands of `+`: an int tensor
        # clamped to 0.5 is float32, a bool tensor clamped to 0 is int64
        dtype = dtypes.result_type(self, *(b for b in (min, max) if b is not None))
        x = self if dtype == self.data.dtype else self.to(dtype)
        return _ew.Clamp.apply(x, min, max)

    clip = clamp

    def maximum(self, other: "Tensor") -> "Tensor":
        return _binary(_ew.Maximum, self, other)

    def minimum(self, other: "Tensor") -> "Tensor":
        return _binary(_ew.Minimum, self, other)

    def where(self, condition: Any, other: Any) -> "Tensor":
        return where(condition, self, other)

    def softmax(self, dim: int, dtype: Any = None) -> "Tensor":
        from .nn import functional as F
        return F.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim: int, dtype: Any = None) -> "Tensor":
        from .nn import functional as F
        return F.log_softmax(self, dim, dtype=dtype)

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
        return _red.Var.apply(self, _dims_arg(dim, self.ndim, "var"), corr, keepdim,
                              dim is None or self.ndim == 0)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool | None = None, *,
            correction: Any = None, axis: Any = None, keepdims: bool | None = None) -> "Tensor":
        dim, corr, keepdim = _var_args("std", dim, unbiased, keepdim, correction, axis, keepdims)
        _require_float(self, "std")
        return _red.Std.apply(self, _dims_arg(dim, self.ndim, "std"), corr, keepdim,
                              dim is None or self.ndim == 0)

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
    def reshape(self, *shape: Any, **kwargs: Any) -> "Tensor":
        """``x.reshape(2, 3)``, ``x.reshape((2, 3))`` or ``x.reshape(shape=(2, 3))``."""
        shape = _varargs(shape, kwargs, "shape", "reshape")
        return _mv.Reshape.apply(self, _mv.infer_shape(_shape_arg(shape, "reshape"),
                                                       self.data.size, "reshape"))

    def view(self, *shape: Any, **kwargs: Any) -> "Tensor":
        shape = _varargs(shape, kwargs, "dtype" if "dtype" in kwargs else "size", "view")
        if len(shape) == 1 and not isinstance(shape[0], (builtins.int, tuple, list, np.integer)):
            raise NotImplementedError("view(dtype) is not supported; use .to(dtype)")
        return _mv.Reshape.apply(self, _mv.infer_shape(_shape_arg(shape, "view"),
                                                       self.data.size, "view"))

    def view_as(self, other: "Tensor") -> "Tensor":
        return self.view(other.shape)

    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        if self.ndim == 0:
            _dim_arg(start_dim, 0, "flatten"), _dim_arg(end_dim, 0, "flatten")
            return self.reshape(1)
        s = _dim_arg(start_dim, self.ndim, "flatten")
        e = _dim_arg(end_dim, self.ndim, "flatten")
        if s > e:
            raise RuntimeError(f"flatten() has invalid args: start_dim cannot come after "
                               f"end_dim (start_dim={start_dim}, end_dim={end_dim})")
        shape = self.shape
        return self.reshape(shape[:s] + (builtins.int(np.prod(shape[s:e + 1])),) + shape[e + 1:])

    def unflatten(self, dim: int, sizes: Sequence[int]) -> "Tensor":
        d = _dim_arg(dim, self.ndim, "unflatten")
        sizes = _mv.infer_shape(tuple(sizes), self.shape[d], "unflatten")
        return self.reshape(self.shape[:d] + sizes + self.shape[d + 1:])

    def permute(self, *dims: Any, **kwargs: Any) -> "Tensor":
        dims = _shape_arg(_varargs(dims, kwargs, "dims", "permute"), "permute")
        if len(dims) != self.ndim:
            raise RuntimeError(
                f"permute: number of dimensions in the tensor input does not match the "
                f"length of the desired ordering of dimensions: input.dim() = {self.ndim} "
                f"(shape {tuple(self.shape)}) is not equal to len(dims) = {len(dims)}")
        norm = tuple(_dim_arg(d, self.ndim, "permute") for d in dims)
        if len(set(norm)) != len(norm):
            raise RuntimeError(f"permute(): duplicate dims are not allowed: got {dims} for a "
                               f"tensor of shape {tuple(self.shape)}")
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
        return self.permute(order)

    swapdims = transpose

    def swapaxes(self, axis0: int, axis1: int) -> "Tensor":
        return self.transpose(axis0, axis1)

    def t(self) -> "Tensor":
        if self.ndim > 2:
            raise RuntimeError(f"t: expects a tensor with <= 2 dims, got shape {self.shape}; "
                               f"use transpose(dim0, dim1)")
        return self.transpose(0, 1) if self.ndim == 2 else self.reshape(self.shape)

    def squeeze(self, dim: Any = None) -> "Tensor":
        """Drop size-1 dims: all of them, or those of `dim` (an int or a
        tuple; an empty tuple drops none, as in PyTorch)."""
        dims = () if _no_dims(dim) else _dims_arg(dim, self.ndim, "squeeze")
        shape = tuple(n for i, n in enumerate(self.shape) if not (i in dims and n == 1))
        return self.reshape(shape)

    def unsqueeze(self, dim: int) -> "Tensor":
        d = _dim_arg(dim, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def expand(self, *sizes: Any, **kwargs: Any) -> "Tensor":
        sizes = _shape_arg(_varargs(sizes, kwargs, "size", "expand"), "expand")
        return _mv.Expand.apply(self, _mv.expand_shape(self.shape, sizes))

    def expand_as(self, other: "Tensor") -> "Tensor":
        return self.expand(other.shape)

    def broadcast_to(self, *size: Any, **kwargs: Any) -> "Tensor":
        return self.expand(*_varargs(size, kwargs, "size", "broadcast_to"))

    def repeat(self, *sizes: Any, **kwargs: Any) -> "Tensor":
        sizes = _shape_arg(_varargs(sizes, kwargs, "repeats", "repeat"), "repeat")
        if len(sizes) < self.ndim:
            raise RuntimeError(
                f"repeat: Number of dimensions of repeat dims ({len(sizes)}) can not be "
                f"smaller than number of dimensions of tensor ({self.ndim}, shape "
                f"{tuple(self.shape)})")
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"repeat: repeats must be >= 0, got {sizes}")
        return _mv.Repeat.apply(self, sizes)

    def __getitem__(self, index: Any) -> "Tensor":
        """PyTorch's indexing: ints, slices (positive steps), None, ...,
        integer lists/Tensors and bool masks. Basic indexing returns a view."""
        first, rest = _indexing.steps(index, self.shape)
        out = self
        for step in (first, rest):
            if step is not None:
                try:
                    out = _mv.GetItem.apply(out, step)
                except IndexError as e:
                    raise _indexing.error(e) from None
        return out

    def split(self, split_size: Any, dim: int = 0) -> tuple:
        return split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        return chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple:
        d = _dim_arg(dim, self.ndim, "unbind")
        return tuple(self[(slice(None),) * d + (i,)] for i in range(self.shape[d]))

    def flip(self, dims: Any) -> "Tensor":
        """Reverse the order of elements along `dims` (a copy, as PyTorch)."""
        dims = _dims_arg(dims if isinstance(dims, (list, tuple)) else (dims,), self.ndim, "flip")
        index = tuple(slice(None, None, -1) if i in dims else slice(None)
                      for i in range(self.ndim))
        return _mv.GetItem.apply(self, index).clone()

    # ------------------------------------------------------------ in-place
    def _inplace(self, name: str, compute: Callable[["Tensor"], "Tensor"],
                 numpy_fn: Callable[[np.ndarray], None], *others: Any) -> "Tensor":
        """Shared path of every in-place operation.

        The new values are always written into this tensor's memory, so
        views (slices, reshapes, detach) and arrays from ``numpy()`` see them,
        and the version counter shared by all of them goes up: that is how
        backward notices a tensor that a node saved and that changed since.
        Without recording, numpy writes directly (`numpy_fn`). When recording
        (grad mode on and something requires grad), the new value is computed
        out of place by `compute` from a copy of the old one, which keeps the
        history; see `_record_inplace`.
        """
        recording = _state.enabled and (self._rg or builtins.any(
            isinstance(o, Tensor) and o._rg for o in others))
        if recording:
            self._record_inplace(name, compute)
        else:
            try:
                numpy_fn(self.data)
            except (ValueError, TypeError) as e:
                raise _inplace_error(name, self.data, e) from None
        self._bump_version()
        return self

    def _record_inplace(self, name: str, compute: Callable[["Tensor"], "Tensor"]) -> None:
        """Record an in-place change as PyTorch does: this tensor takes over
        the history of the new value. A view also rewrites its base's history
        (the base is now "old base with this part replaced", an IndexPut), so
        that the base and its other views see the change in backward too."""
        view = self._view
        if view is not None:
            _views.refresh(self)
            base = view[3]
            if base._rg and base._ctx is None:
                raise RuntimeError(
                    f"{name}: a view of a leaf Variable that requires grad is being used "
                    f"in an in-place operation. Do the update under `with tgl.no_grad():` "
                    f"or work on a clone().")
        if self._rg and self._ctx is None:
            raise RuntimeError(
                f"{name}: a leaf Variable that requires grad is being used in an in-place "
                f"operation. Do the update under `with tgl.no_grad():` (e.g. a parameter "
                f"update W -= lr * W.grad), or use the out-of-place form (x = x + 1).")
        before = Tensor._make(self.data.copy(), self._rg, self._ctx, self._out_nr)
        result = compute(before)
        if result.shape != self.shape:
            raise RuntimeError(
                f"{name}: output with shape {list(self.shape)} doesn't match the broadcast "
                f"shape {list(result.shape)}; an in-place operation can't change the shape")
        if result.dtype != self.dtype:
            _check_cast(name, result.dtype, self.dtype)
            result = result.to(self.dtype)
        try:
            np.copyto(self.data, result.data)
        except ValueError as e:
            raise _inplace_error(name, self.data, e) from None
        if view is None:
            _take_history(self, result, self._version + 1)
        else:
            base = view[3]
            old = Tensor._make(base.data, base._rg, base._ctx, base._out_nr)
            _take_history(base, _mv.IndexPut.apply(old, result, _views.index_in_base(self)))
            _views.refresh(self)

    def _inplace_binary(self, name: str, op: Callable, ufunc: Any, other: Any) -> "Tensor":
        def compute(before: Tensor) -> Tensor:
            return op(before, other)

        def numpy_fn(data: np.ndarray) -> None:
            if isinstance(other, Tensor):
                rt, value = dtypes.result_type(self, other), other.data
            else:
                pair = _operands(self, other, name)
                rt, value = pair[1].data.dtype, pair[1].data
            _check_cast(name, rt, data.dtype)
            if value.dtype != rt:
                value = value.astype(rt)
            if value.shape != data.shape:
                try:
                    shape = np.broadcast_shapes(data.shape, value.shape)
                except ValueError:
                    shape = None
                if shape != data.shape:
                    raise RuntimeError(
                        f"{name}: output with shape {list(data.shape)} doesn't match the "
                        f"broadcast shape {list(shape) if shape else list(value.shape)}; an "
                        f"in-place operation can't change the shape")
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                ufunc(data, value, out=data, casting="unsafe")
        return self._inplace(name, compute, numpy_fn, other)

    def add_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        if alpha != 1:
            other = _operands(self, other, "add_")[1] * alpha
        return self._inplace_binary("add_", Tensor.add, np.add, other)

    def sub_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        _no_bool_sub(self, other)
        if alpha != 1:
            other = _operands(self, other, "sub_")[1] * alpha
        return self._inplace_binary("sub_", Tensor.sub, np.subtract, other)

    def mul_(self, other: Any) -> "Tensor":
        return self._inplace_binary("mul_", Tensor.mul, np.multiply, other)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        if rounding_mode is not None:
            return self._rounded_div_(other, rounding_mode)
        if self.data.dtype.kind != "f":
            raise RuntimeError(f"div_: result type Float can't be cast to the desired "
                               f"output type {dtypes.torch_name(self.dtype)} ({self.dtype}); "
                               f"use x = x / y (or x //= y)")

        return self._inplace_binary("div_", Tensor.div, np.true_divide, other)

    def _rounded_div_(self, other: Any, mode: str) -> "Tensor":
        """``div_(other, rounding_mode='trunc' | 'floor')``: integers stay
        integers (no gradient, as the out-of-place form)."""
        def compute(before: Tensor) -> Tensor:
            return before.div(other, rounding_mode=mode)

        def numpy_fn(data: np.ndarray) -> None:
            out = compute(self).data
            _check_cast("div_", out.dtype, data.dtype)
            if out.shape != data.shape:
                raise RuntimeError(
                    f"div_: output with shape {list(data.shape)} doesn't match the broadcast "
                    f"shape {list(out.shape)}; an in-place operation can't change the shape")
            data[...] = out
        return self._inplace("div_", compute, numpy_fn, other)

    def pow_(self, exponent: Any) -> "Tensor":
        if (self.data.dtype.kind in "iu" and isinstance(exponent, (builtins.int, np.integer))
                and not isinstance(exponent, builtins.bool) and exponent < 0):
            raise RuntimeError("pow_: Integers to negative integer powers are not allowed; "
                               "use a float tensor (x = x.float(); x.pow_(-1))")
        return self._inplace_binary("pow_", Tensor.pow, _ew.power_into, exponent)

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    def __ipow__(self, exponent: Any) -> "Tensor":
        return self.pow_(exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":
        def numpy_fn(data: np.ndarray) -> None:
            out = self.clamp(min, max).data
            _check_cast("clamp_", out.dtype, data.dtype)  # int_tensor.clamp_(0.5): an error
            data[...] = out.astype(data.dtype)
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
        if not isinstance(value, Tensor):
            dtypes.check_number(value, self.data.dtype, "fill_")
        return self._overwrite("fill_", value)

    def zero_(self) -> "Tensor":
        return self._overwrite("zero_", 0)

    def copy_(self, src: Any) -> "Tensor":
        return self._overwrite("copy_", src)

    def _random_fill(self, name: str, kernel: str,
                     sample: Callable[[tuple], np.ndarray]) -> "Tensor":
        _needs_float(name, kernel, self.data.dtype)
        return self._overwrite(name, Tensor._make(sample(self.shape).astype(self.dtype)))

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> "Tensor":
        from .random import _rng
        return self._random_fill("uniform_", "check_uniform_bounds",
                                 lambda s: _rng(generator).uniform(a, b, s))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> "Tensor":
        from .random import _rng
        return self._random_fill("normal_", "normal_kernel_cpu",
                                 lambda s: _rng(generator).normal(mean, std, s))

    def __setitem__(self, index: Any, value: Any) -> None:
        """``x[index] = value``: a number, list or Tensor broadcast to the
        indexed part. Recorded for autograd like any in-place operation."""
        first, rest = _indexing.steps(index, self.shape)
        if first is not None and rest is not None:  # ints first, then the rest
            self[first].__setitem__(rest, value)
            return
        idx = first if rest is None else rest

        def source(dtype: np.dtype) -> Tensor:
            if isinstance(value, Tensor):
                return value
            try:
                return Tensor._make(np.asarray(value, dtype=dtype))
            except (TypeError, ValueError) as e:
                raise TypeError(f"index assignment: can't assign a "
                                f"{type(value).__name__} to a tensor ({e})") from None

        def compute(before: Tensor) -> Tensor:
            return _mv.IndexPut.apply(before, source(self.dtype).to(self.dtype), idx)

        def numpy_fn(data: np.ndarray) -> None:
            data[idx] = source(data.dtype).data

        try:
            self._inplace("index assignment", compute, numpy_fn, value)
        except IndexError as e:
            raise _indexing.error(e) from None
        except RuntimeError as e:
            if "broadcast" not in str(e):
                raise
            part = np.empty(self.shape, np.bool_)[idx].shape
            raise RuntimeError(
                f"index assignment: a value of shape {tuple(np.shape(_data_of(value)))} can't "
                f"be assigned to the indexed part of shape {part} of a tensor of shape "
                f"{tuple(self.shape)}: The expanded size of the value must match the existing "
                f"size (it must broadcast: sizes match or are 1, comparing from the last "
                f"dim)") from None


_new = object.__new__


class _UserHook:
    """A user's gradient hook on a non-leaf tensor, in its node's hook list."""

    def __init__(self, fn: Callable) -> None:
        self.fn = fn

    def __call__(self, run: Any, grad: Any) -> Any:
        return run.run_hooks([self.fn], grad)


class _RetainGrad:
    """Stores a non-leaf tensor's gradient in its ``.grad`` (retain_grad)."""

    def __init__(self, tensor: Tensor) -> None:
        self.ref = weakref.ref(tensor)

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
    else:
        if isinstance(data, (list, tuple)) and _starts_with_tensor(data):
            data = _tensors_as_numbers(data)
        try:
            array = np.array(data)
        except ValueError:
            raise ValueError(f"Tensor: {_ragged(data)}; nested lists must be rectangular "
                             f"(every row of a dim the same length)") from None
        array = _check_numbers(data, array, want)
        if (array.dtype == np.float64 and want is None and not isinstance(data, np.generic)
                and not _holds_float64(data)):
            array = array.astype(dtypes.default_float)
    if array.dtype.kind == "O" or array.dtype not in dtypes.SUPPORTED:
        if want is None or array.dtype.kind in "OUSc":
            raise TypeError(
                f"Tensor: can't make a tensor from data of dtype {array.dtype} "
                f"({type(data).__name__}); supported are bool, integer and float data")
    if want is not None and array.dtype != want:
        with np.errstate(over="ignore", invalid="ignore"):  # 1e20 -> inf in float16, silently
            array = array.astype(want)
    return array


def _starts_with_tensor(data: Any) -> bool:
    """Whether the first innermost item of nested lists is a Tensor (the
    cheap test for a list of tensors; the rest is walked only then)."""
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return isinstance(data, Tensor)


def _tensors_as_numbers(data: Any) -> Any:
    """Tensors inside nested lists stand for one number each, as in
    PyTorch (tensor([t1, t2]) of one-element tensors has shape (2,)), in
    their own dtype."""
    if isinstance(data, (list, tuple)):
        return [_tensors_as_numbers(d) for d in data]
    if isinstance(data, Tensor):
        if data.data.size != 1:
            raise ValueError(
                f"Tensor: only one element tensors can be converted to Python scalars, but "
                f"the list holds a tensor of shape {tuple(data.shape)}; to join tensors "
                f"use tgl.stack(list) (or tgl.cat)")
        return data.data.reshape(-1)[0]
    return data


_INT64 = np.iinfo(np.int64)


def _check_numbers(data: Any, array: np.ndarray, want: np.dtype | None) -> np.ndarray:
    """PyTorch's checks on the Python (and numpy scalar) numbers a tensor is
    made from -- numpy arrays and tensors are cast without them: a number
    must fit an integer dtype (`dtypes.check_number`), an int must fit int64
    unless it is stored as a float or bool, and None is no number. A quick
    look at the whole array decides whether the numbers are walked one by one."""
    kind = array.dtype.kind
    if kind == "f" and want is None:  # [1, 2**63] is float64 in numpy, an error in PyTorch
        suspect = array.size > 0 and np.abs(array).max() >= 2.0 ** 63
    elif kind in "iuf" and want is not None and want.kind in "iu" and array.size:
        low, high = array.min(), array.max()
        info = np.iinfo(want)
        # NaN fails the test; float64 rounds ints beyond int64 down to 2**63
        suspect = not (info.min <= low and high <= info.max) or high >= 2.0 ** 63
    else:
        suspect = kind in "uO"  # ints beyond int64, None, strings
    if not suspect:
        return array
    leaves = list(_leaves(data, ()))
    target = want
    if target is None:
        is_float = builtins.any(isinstance(v, (builtins.float, np.floating)) for _, v in leaves)
        target = dtypes.default_float if is_float else dtypes.int64
    for index, value in leaves:
        where = f" at index {list(index)}" if index else ""
        if value is None:
            if want is None:
                raise RuntimeError(f"Tensor: Could not infer dtype of NoneType: the data "
                                   f"holds None{where}; use numbers only (e.g. float('nan') "
                                   f"for a missing value)")
            raise TypeError(f"Tensor: must be real number, not NoneType (None{where}); use "
                            f"numbers only")
        if (isinstance(value, builtins.int) and not isinstance(value, builtins.bool)
                and not _INT64.min <= value <= _INT64.max and target.kind in "iu"):
            raise ValueError(f"Tensor: Overflow when unpacking long long: the int "
                             f"{value}{where} does not fit int64 "
                             f"({_INT64.min}..{_INT64.max}); make it a float tensor "
                             f"(dtype=tgl.float64) or use smaller numbers")
        if not isinstance(value, (builtins.int, builtins.float, np.number)):
            raise TypeError(f"Tensor: must be real number, not {type(value).__name__} "
                            f"({value!r}{where}); use numbers only")
        dtypes.check_number(value, target, "Tensor", where)
    if kind in "uO" and target.kind in "fb":  # big ints stored as floats or bools
        with np.errstate(over="ignore"):
            return np.array(data, dtype=object).astype(target)
    return array


def _leaves(data: Any, index: tuple) -> Iterator[tuple]:
    """(index, value) of every number in nested lists."""
    if isinstance(data, np.ndarray):
        data = data.tolist()
    if isinstance(data, (list, tuple)):
        for i, item in enumerate(data):
            yield from _leaves(item, index + (i,))
    else:
        yield index, data


def _ragged(data: Any) -> str:
    """Where nested list data stops being rectangular, in PyTorch's words."""
    sizes = []
    probe = data
    while isinstance(probe, (list, tuple)):
        sizes.append(len(probe))
        if not probe:
            break
        probe = probe[0]

    def check(item: Any, dim: int) -> str | None:
        if dim == len(sizes):
            if isinstance(item, (list, tuple)):
                return f"expected a number at dim {dim} (got a sequence of length {len(item)})"
            return None
        if not isinstance(item, (list, tuple)):
            return f"expected sequence of length {sizes[dim]} at dim {dim} (got a number)"
        if len(item) != sizes[dim]:
            return f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(item)})"
        for sub in item:
            found = check(sub, dim + 1)
            if found:
                return found
        return None

    return check(data, 0) or "the nested data is not rectangular"


def _holds_float64(data: Any) -> bool:

    """Whether list data contains float64 arrays/Tensors (which keep float64)."""
    if isinstance(data, (list, tuple)):
        return builtins.any(_holds_float64(d) for d in data)
    return (isinstance(data, (np.ndarray, Tensor, np.float64))
            and np.asarray(data).dtype == np.float64)


def _data_of(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


def _result(value: Any) -> Tensor:
    """A Tensor without history from a numpy result (numpy turns 0-d
    results into scalars; a Tensor always holds an ndarray)."""
    return Tensor._make(np.asarray(value))


#: How many in-place changes (version bumps) all tensors have had: a graph
#: node recorded when it had the same value as now saved tensors that are
#: all still at the versions it noted (see Op.saved_tensors).
_inplace_changes = 0

_CONSTANTS: dict = {}
_FLOAT32 = dtypes.float32  # read on every `tensor <op> float`, so a module name
_FLOAT32_CONSTANTS: dict = {}  # the default dtype's cache, keyed by the number alone


def _const(value: Any, dtype: np.dtype) -> Tensor:
    """A Python number as a 0-d constant tensor. Constants are cached: the
    same number in the same dtype is one tensor object, which makes
    ``y * 1.001`` as cheap as it can be (numbers never change in place; one
    that somebody did change is not reused). Equal numbers make equal
    arrays in one dtype (``1 == 1.0 == True``), so the number is the key."""
    cache, key = ((_FLOAT32_CONSTANTS, value) if dtype is _FLOAT32
                  else (_CONSTANTS, (value, dtype)))
    t = cache.get(key)
    if t is not None and not t._ver:
        return t
    try:
        t = Tensor._make(np.array(value, dtype=dtype))
    except OverflowError:  # e.g. -3 for uint8: wraps around, as in PyTorch
        t = Tensor._make(np.array(value).astype(dtype))
    if value:  # 0.0 == -0.0: zeros are not cached (the sign would be lost)
        if len(cache) >= 1024:
            cache.clear()
        cache[key] = t
    return t


def _coerce(a: Tensor, b: Any) -> tuple | None:
    """Both operands as Tensors of the dtype PyTorch's promotion gives, or
    None when `b` is not something a tensor computes with."""
    da = a.data.dtype
    if isinstance(b, Tensor):
        db = b.data.dtype
        if da == db:
            return a, b
        rt = dtypes.result_type(a, b)
        return (a if da == rt else a.to(rt)), (b if db == rt else b.to(rt))
    tb = type(b)
    if tb is builtins.float and da.kind == "f" or tb is builtins.int and da.kind in "fiu":
        return a, _const(b, da)  # the common case: the number takes the tensor's dtype
    if isinstance(b, np.generic):
        # numpy scalars count as Python numbers; PyTorch treats numpy bools as floats
        b = builtins.float(b) if isinstance(b, np.bool_) else b.item()
    if isinstance(b, (builtins.bool, builtins.int, builtins.float)):
        rt = dtypes.result_type(a, b)
        return (a if da == rt else a.to(rt)), _const(b, rt)
    if isinstance(b, (list, tuple, np.ndarray)):
        return _coerce(a, Tensor(b))
    return None


def _operands(a: Tensor, b: Any, name: str) -> tuple:
    """`_coerce` for the method forms, which raise instead of deferring."""
    pair = _coerce(a, b)
    if pair is None:
        raise TypeError(f"{name}(): unsupported operand type(s): 'Tensor' and "
                        f"'{type(b).__name__}'; use a Tensor, a number or a list")
    return pair


def _method(result: Any, name: str, other: Any) -> Tensor:
    if result is NotImplemented:
        raise TypeError(f"{name}(): unsupported operand type(s): 'Tensor' and "
                        f"'{type(other).__name__}'; use a Tensor, a number or a list")
    return result


def _binary(op: Any, a: Tensor, b: Any, reverse: bool = False) -> Tensor:
    """``a op b`` (``b op a`` if `reverse`) with PyTorch's type promotion;
    NotImplemented for operands that are not numbers, lists or tensors."""
    if type(b) is builtins.float and a.data.dtype is _FLOAT32:
        # The most common case (`y * 1.001`): `_const`'s cache hit inlined,
        # without _coerce.
        c = _FLOAT32_CONSTANTS.get(b)
        b = c if c is not None and not c._ver else _const(b, _FLOAT32)
    else:
        pair = _coerce(a, b)
        if pair is None:
            return NotImplemented
        a, b = pair
    if reverse:
        a, b = b, a
    try:
        return op.apply(a, b)
    except (ValueError, RuntimeError):
        _check_broadcast(op.__name__.lower(), a.shape, b.shape)
        raise


_OPERANDS = (Tensor, builtins.int, builtins.float, np.generic, list, tuple, np.ndarray)


def _true_div(x: Tensor, other: Any) -> Tensor:
    """``x / other``: integers and bools divide as float32 (a number stays
    the number: -3 is not wrapped to uint8 first)."""
    if x.data.dtype.kind != "f" and not isinstance(other, Tensor):
        x = x.to(dtypes.default_float)
    pair = _coerce(x, other)
    if pair is None:
        return NotImplemented
    a, b = pair
    if a.data.dtype.kind != "f":
        a, b = a.to(dtypes.default_float), b.to(dtypes.default_float)
    return _apply_binary(_ew.Div, a, b)


def _apply_binary(op: Any, a: Tensor, b: Tensor) -> Tensor:
    try:
        return op.apply(a, b)
    except (ValueError, RuntimeError):
        _check_broadcast(op.__name__.lower(), a.shape, b.shape)
        raise


def _check_broadcast(name: str, *shapes: tuple) -> None:
    """Raise PyTorch's error (with the shapes and a hint) if the shapes do
    not broadcast together."""
    ndim = max(len(s) for s in shapes)
    for i in range(ndim - 1, -1, -1):
        sizes = [s[len(s) - ndim + i] for s in shapes if len(s) - ndim + i >= 0]
        big = [n for n in sizes if n != 1]
        if big and builtins.any(n != big[0] for n in big):
            shown = " and ".join(str(tuple(s)) for s in shapes)
            raise RuntimeError(
                f"{name}: The size of tensor a ({big[0]}) must match the size of tensor "
                f"b ({next(n for n in big if n != big[0])}) at non-singleton dimension "
                f"{i}: shapes {shown} can't be broadcast together (sizes must match or "
                f"be 1, comparing from the last dim). Reshape, unsqueeze or transpose an "
                f"operand so they line up.")


def _no_bool_sub(a: Tensor, b: Any) -> None:
    a_bool = a.data.dtype.kind == "b"
    b_bool = type(b) is builtins.bool or isinstance(b, Tensor) and b.data.dtype.kind == "b"
    if a_bool and b_bool:
        raise RuntimeError("sub: Subtraction, the `-` operator, with two bool tensors is "
                           "not supported. Use the `^` or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("sub: Subtraction, the `-` operator, with a bool tensor is not "
                           "supported. If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")


def _no_bool(t: Tensor, name: str) -> None:
    if t.data.dtype.kind == "b":
        raise _not_for_bool(name, f"{name}_cpu")


def _not_for_bool(name: str, kernel: str) -> NotImplementedError:
    return NotImplementedError(
        f"{name}: \"{kernel}\" not implemented for 'Bool': convert the bool tensor first "
        f"(e.g. x.long() or x.float())")


def _needs_float(name: str, kernel: str, dtype: np.dtype) -> None:
    """Random values of a non-float dtype (rand, randn, uniform_, normal_):
    PyTorch's kernel is not implemented for it."""
    if dtype.kind != "f":
        raise NotImplementedError(
            f"{name}: \"{kernel}\" not implemented for '{dtypes.torch_name(dtype)}' "
            f"({dtype}): random values need a floating point dtype, e.g. "
            f"dtype=tgl.float32; for random integers use tgl.randint")


def _bool_pow(x: Tensor, exponent: Any) -> Tensor:
    """bool tensor ** exponent: a bool exponent keeps bool (x ** True is x),
    a number promotes as usual; a bool tensor exponent is an error."""
    if type(exponent) is builtins.bool:

        return Tensor._make(x.data.copy() if exponent else np.ones(x.shape, np.bool_))
    pair = _coerce(x, exponent)
    if pair is None:
        return NotImplemented
    if pair[0].data.dtype.kind == "b":
        raise _not_for_bool("pow", "pow")
    return _apply_binary(_ew.Pow, *pair)


def _remainder(a: Tensor, b: Tensor) -> Tensor:
    """Python's modulo on two promoted operands: numpy's remainder gives
    PyTorch's exact numbers; the gradient comes from a - floor(a/b) * b."""
    x, y = a.data, b.data
    if x.dtype.kind == "b":
        raise _not_for_bool("remainder", "remainder_cpu")
    if x.dtype.kind in "iu" and not np.all(y):
        raise RuntimeError("remainder: ZeroDivisionError (integer modulo by zero)")
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.asarray(np.remainder(x, y))
    except ValueError:
        _check_broadcast("remainder", x.shape, y.shape)
        raise
    if not (_state.enabled and (a._rg or b._rg)):
        return Tensor._make(value)
    out = a - _rounded_div(a, b, "floor") * b
    out.data[...] = value  # same graph, exact values (Sub saves nothing)
    return out


def _sign(v: np.ndarray) -> np.ndarray:
    """np.sign, except that the sign of nan is 0, as in PyTorch (numpy: nan)."""
    s = np.sign(v)
    return np.where(s == s, s, 0) if s.dtype.kind == "f" else s


def _floating(t: Tensor) -> Tensor:
    """Float-only operations turn integer input into float32 (as PyTorch)."""
    return t if t.data.dtype.kind == "f" else t.to(dtypes.default_float)


def _require_float(t: Tensor, name: str) -> None:
    if t.data.dtype.kind != "f":
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be a floating "
            f"point dtype, got {t.dtype}; call .float() first or pass dtype=tgl.float32")


def _check_cast(name: str, result: np.dtype, target: np.dtype) -> None:
    """An in-place result must fit the tensor's dtype category (bool <
    integer < float), as in PyTorch: ``int_tensor += 1.5`` is an error."""
    if dtypes._category(result) > dtypes._category(target):
        raise RuntimeError(
            f"{name}: result type {dtypes.torch_name(result)} can't be cast to the desired "
            f"output type {dtypes.torch_name(target)} ({result} into {target}); use the "
            f"out-of-place form (x = x + y) or convert the tensor first (x = x.float())")


def _take_history(t: Tensor, result: Tensor, version: int | None = None) -> None:
    """`t` becomes the output of the node that made `result` (in-place
    operations); `version` is what `t`'s version counter will read after the
    change, so that a node saving its own output does not see it as changed."""
    t._ctx, t._out_nr, t._rg = result._ctx, result._out_nr, result._rg
    if t._ctx is not None:
        _function.adopt_output(t._ctx, t._out_nr, t, version)


def _inplace_error(name: str, data: np.ndarray, error: Exception) -> RuntimeError:
    """numpy's complaint about an in-place write, in PyTorch's words."""
    if not data.flags.writeable:
        if builtins.any(st == 0 and n > 1 for st, n in zip(data.strides, data.shape)):
            return RuntimeError(
                f"{name}: unsupported operation: more than one element of the written-to "
                f"tensor refers to a single memory location (it was made by expand or "
                f"broadcast_to). Please clone() the tensor before performing the operation.")
        return RuntimeError(f"{name}: this tensor's memory is read-only (it shares memory "
                            f"with a read-only numpy array); clone() it first")
    text = str(error)
    if "Integers to negative integer powers" in text:
        return RuntimeError(f"{name}: Integers to negative integer powers are not allowed; "
                            f"use a float tensor")
    return RuntimeError(f"{name}: {text}")


def _logical(fn: Callable, a: Tensor, b: Any) -> Tensor:
    pair = _coerce(a, b)
    if pair is None:
        return NotImplemented
    a, b = pair
    if a.data.dtype.kind not in "biu":
        raise TypeError(f"{fn.__name__}: needs bool or integer tensors, got {a.dtype}")
    try:
        return Tensor._make(np.asarray(fn(a.data, b.data)))
    except ValueError:
        _check_broadcast(fn.__name__, a.shape, b.shape)
        raise


def _rounded_div(a: Any, b: Any, mode: str) -> Tensor:
    """Division rounded toward zero ('trunc') or down ('floor'). For floats
    the gradient is zero, as PyTorch's for div(rounding_mode=...); PyTorch's
    ``//`` has none at all (backward raises), here it is zero as well."""
    if mode not in ("trunc", "floor"):
        error = RuntimeError if isinstance(mode, str) else TypeError  # as PyTorch
        raise error(f"div: expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                    f"found {mode!r}; 'floor' rounds down (as //), 'trunc' toward zero")
    name = "floor_divide" if mode == "floor" else "div"
    pair = _coerce(a, b)
    if pair is None:
        return NotImplemented
    a, b = pair
    x, y = a.data, b.data
    try:
        if x.dtype.kind == "b":
            raise _not_for_bool(name, "div_floor_cpu" if mode == "floor" else "div_trunc_cpu")
        if x.dtype.kind in "iu":
            if not np.all(y):
                raise RuntimeError(f"{name}: ZeroDivisionError (integer division by zero)")
            q = np.floor_divide(x, y)
            if mode == "trunc":
                q = np.where((q < 0) & (q * y != x), q + 1, q)
            return Tensor._make(np.asarray(q))
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.floor_divide(x, y) if mode == "floor" else np.trunc(x / y)
        return _ew.RoundedDiv.apply(a, b, np.asarray(q))  # a zero gradient
    except ValueError:
        _check_broadcast(name, x.shape, y.shape)
        raise


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
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               f"input.numel() == 0 (shape {tuple(t.shape)}). Specify the "
                               f"reduction dim with the 'dim' argument.")
        return _red.AMax.apply(t, tuple(range(t.ndim)), False, is_max, True)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}: dim must be a single int; use amax/amin for several dims")
    d = _dim_arg(dim, t.ndim, name)
    if t.ndim and t.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size "
                         f"(shape {tuple(t.shape)}).")

    fn = np.argmax if is_max else np.argmin
    idx = np.asarray(fn(t.data, axis=d if t.ndim else None), dtype=np.int64)
    idx_keep = np.expand_dims(idx, d) if t.ndim else idx
    values = _red.TakeAlongDim.apply(t, idx_keep, d, keepdim)
    return _red.ValuesIndices(values, Tensor._make(idx_keep if keepdim else idx))


def _arg_reduce(t: Tensor, dim: Any, keepdim: Any, axis: Any, keepdims: Any,
                fn: Callable, name: str) -> Tensor:
    if t.data.dtype.kind == "b":
        raise RuntimeError(f"{name}: \"{name}_cpu\" not implemented for 'Bool'; convert "
                           f"first (x.long())")
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
        raise RuntimeError(f"where: expected condition to be a boolean tensor, but got a "
                           f"tensor with dtype {cond.dtype}; compare first (e.g. x > 0)")
    if not isinstance(input, Tensor):
        if not isinstance(other, Tensor):
            input = Tensor(input)
        else:
            other, input = _operands(other, input, "where")
    a, b = _operands(input, other, "where")
    try:
        return _ew.Where.apply(cond, a, b)
    except ValueError:
        _check_broadcast("where", cond.shape, a.shape, b.shape)
        raise


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Split into pieces of a given size (the last may be smaller) or of
    the given list of sizes, along `dim`."""
    if tensor.ndim == 0:
        raise RuntimeError("split: split expects at least a 1-dimensional tensor")
    d = _dim_arg(dim, tensor.ndim, "split")
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, (builtins.int, np.integer)):
        size = builtins.int(split_size_or_sections)
        if size < 0:
            raise RuntimeError(f"split: split expects split_size be non-negative, but got "
                               f"split_size={size}")
        if size == 0 and n != 0:
            raise RuntimeError(f"split: split_size can only be 0 if dimension size is 0, "
                               f"but got dimension size of {n} (dim {d})")
        sizes = [min(size, n - i) for i in range(0, n, size)] if n else [0]
    else:
        sizes = [builtins.int(s) for s in split_size_or_sections]
        if builtins.any(s < 0 for s in sizes):
            raise RuntimeError(f"split: split_with_sizes expects split_sizes have only "
                               f"non-negative entries, but got split_sizes={sizes}")
        if sum(sizes) != n:
            raise RuntimeError(f"split: split_with_sizes expects split_sizes to sum exactly "
                               f"to {n} (input tensor's size at dimension {d}), but got "
                               f"split_sizes={sizes}")
    pieces, start = [], 0
    for s in sizes:
        pieces.append(tensor[(slice(None),) * d + (slice(start, start + s),)])
        start += s
    return tuple(pieces)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Split into `chunks` pieces of equal size (the last may be smaller)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk: chunk expects `chunks` to be greater than 0, got: {chunks}")
    if input.ndim == 0:
        raise RuntimeError("chunk: chunk expects at least a 1-dimensional tensor (got a 0-d "
                           "tensor); reshape it first, e.g. t.reshape(1)")

    d = _dim_arg(dim, input.ndim, "chunk")
    n = input.shape[d]
    if n == 0:  # PyTorch: `chunks` empty pieces
        return split(input, [0] * chunks, d)
    return split(input, -(-n // chunks), d)


# The operations import Tensor, so they are imported after it is defined.
from .ops import elementwise as _ew  # noqa: E402
from .ops import linalg as _linalg  # noqa: E402
from .ops import movement as _mv  # noqa: E402
from .ops import reduce as _red  # noqa: E402
from .autograd import views as _views  # noqa: E402
from . import _indexing  # noqa: E402
from .autograd import function as _function  # noqa: E402
from .autograd import engine as _engine  # noqa: E402
