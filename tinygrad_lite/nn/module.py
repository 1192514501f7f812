"""Module and Parameter: PyTorch's way of bundling weights with code.

Assigning a `Parameter`, a `Module` or a registered buffer to an attribute
registers it (``__setattr__``), so `parameters()`, `state_dict()` and the
rest find everything without being told. State-dict keys are the attribute
paths, the same keys PyTorch gives the same model ("0.weight",
"encoder.fc.bias"), so weights move between the two.
"""
from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Callable, Iterator, NamedTuple

import numpy as np

from .. import dtypes
from ..autograd import scope
from ..grad_mode import no_grad
from ..tensor import Tensor, _to_array


class Parameter(Tensor):
    """A Tensor that is a model's weight: requires grad by default and is
    registered when assigned to a Module attribute. Shares `data`'s memory."""

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            array = np.empty((0,), dtypes.default_float)
        elif isinstance(data, Tensor):
            array = data.data
        else:
            array = _to_array(data, None)
        Tensor.__init__(self, 0.0)
        self.data = array
        self.requires_grad = requires_grad

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict) -> "Parameter":
        """copy.deepcopy(model) copies the weights (and gradient)."""
        if id(self) in memo:
            return memo[id(self)]
        new = Parameter(self.data.copy(), self.requires_grad)
        if self.grad is not None:
            new.grad = Tensor._make(self.grad.data.copy())
        memo[id(self)] = new
        return new


class _IncompatibleKeys(NamedTuple):
    missing_keys: list
    unexpected_keys: list

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"  # as PyTorch
        return (f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, "
                f"unexpected_keys={self.unexpected_keys!r})")

    __str__ = __repr__


_hook_ids = itertools.count()  # unique keys, so removing one hook never hits another


class _HookHandle:
    def __init__(self, hooks: dict, key: int) -> None:
        self.hooks, self.key = hooks, key

    def remove(self) -> None:
        self.hooks.pop(self.key, None)


class Module:
    """Base class of every layer and model: subclass it, create the
    sub-modules and Parameters in ``__init__``, compute in ``forward``."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())

    # ---------------------------------------------------------- attributes
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() call; call "
                f"super().__init__() first in {type(self).__name__}.__init__")
        if isinstance(value, (Parameter, Module)):
            store = self._parameters if isinstance(value, Parameter) else self._modules
            if name not in store:
                self._forget(name)
            store[name] = value  # a replaced entry keeps its place (as PyTorch)
            return
        for store, kind in ((self._parameters, "Parameter"), (self._modules, "Module"),
                            (self._buffers, "Tensor")):
            if name in store:
                ok = value is None or (kind == "Tensor" and isinstance(value, Tensor))
                if not ok:
                    raise TypeError(f"cannot assign a {type(value).__name__} to {name!r} of "
                                    f"{type(self).__name__} ({kind} or None expected)")
                store[name] = value
                return
        object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        """Remove `name` from every registry and the instance dict."""
        self.__dict__.pop(name, None)
        for store in (self._parameters, self._modules, self._buffers):
            store.pop(name, None)
        self._non_persistent.discard(name)

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: look in the registries
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None, got "
                            f"{type(param).__name__}")
        self._check_name(name, "register_parameter", self._parameters)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor that is part of the state (saved in state_dict) but not
        trained, like BatchNorm's running mean."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got "
                            f"{type(tensor).__name__}")
        self._check_name(name, "register_buffer", self._buffers)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: "Module | None") -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module, got "
                            f"{type(module).__name__}")
        self._check_name(name, "add_module", self._modules)
        self._modules[name] = module

    register_module = add_module

    def _check_name(self, name: str, caller: str, store: dict) -> None:
        """A valid new name for `store` (it may replace an entry of `store`
        itself, not another attribute), as PyTorch checks."""
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"{caller}: name must be a non-empty string without '.', got {name!r}")
        taken = name in self.__dict__ or hasattr(type(self), name) or any(
            name in other for other in (self._parameters, self._buffers, self._modules)
            if other is not store)
        if taken:
            raise KeyError(f"{caller}: attribute {name!r} already exists; choose another name")

    # ------------------------------------------------------------- calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} has no forward(); define "
                                  f"forward(self, ...) in the subclass")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._forward_pre_hooks or self._forward_hooks:
            return self._call_with_hooks(args, kwargs)
        # scope.current pushed and popped here, not by scope.enter/leave: two
        # calls fewer on every layer call
        prev = scope.current
        scope.current = prev + (self,)
        try:
            return self.forward(*args, **kwargs)
        finally:
            scope.current = prev

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        """__call__ when forward (pre-)hooks are registered: pre-hooks may
        replace the inputs, forward hooks the output."""
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        prev = scope.enter(self)
        try:
            out = self.forward(*args, **kwargs)
        finally:
            scope.leave(prev)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, out)
            if result is not None:
                out = result
        return out

    def register_forward_hook(self, hook: Callable) -> _HookHandle:
        """``hook(module, inputs, output)`` runs after each forward."""
        key = next(_hook_ids)
        self._forward_hooks[key] = hook
        return _HookHandle(self._forward_hooks, key)

    def register_forward_pre_hook(self, hook: Callable) -> _HookHandle:
        """``hook(module, inputs)`` runs before each forward."""
        key = next(_hook_ids)
        self._forward_pre_hooks[key] = hook
        return _HookHandle(self._forward_pre_hooks, key)

    # ----------------------------------------------------------- traversal
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple]:
        """(path, module) for this module and every module below it."""
        memo = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:
            path, module = stack.pop()
            if remove_duplicate:
                if id(module) in memo:
                    continue
                memo.add(id(module))
            yield path, module
            children = [(f"{path}.{n}" if path else n, m)
                        for n, m in module._modules.items() if m is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator["Module"]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple]:
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator["Module"]:
        for _, m in self.named_children():
            yield m

    def _named_members(self, store: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[tuple]:
        seen: set = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for path, module in modules:
            for name, value in getattr(module, store).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{path}.{name}" if path else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple]:
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> "Module":
        module = self
        for part in target.split(".") if target else []:
            if part not in module._modules:
                raise AttributeError(f"{type(module).__name__} has no submodule {part!r} "
                                     f"(looking for {target!r})")
            module = module._modules[part]
        return module

    # ---------------------------------------------------------------- modes
    def train(self, mode: bool = True) -> "Module":
        """Set training mode here and (through their own train()) in every
        submodule: Dropout and BatchNorm behave differently in the two."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode is expected to be a bool, got {mode!r}")
        object.__setattr__(self, "training", mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:  # in place, so references to the gradient see the zeros
                if p.grad.grad_fn is not None:
                    p.grad.detach_()
                else:
                    p.grad.requires_grad_(False)
                p.grad.data[...] = 0
                p.grad._bump_version()

    def apply(self, fn: Callable[["Module"], None]) -> "Module":
        """Call fn on every submodule (children first) and on self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # --------------------------------------------------------------- dtype
    def to(self, *args: Any, **kwargs: Any) -> "Module":
        """Cast floating parameters and buffers (``to(dtype)``); devices other
        than "cpu" are not supported."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        for a in args:
            if isinstance(a, str) and a.split(":")[0] in ("cpu", "cuda", "mps"):
                device = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            else:
                dtype = a
        if device is not None and str(device).split(":")[0] != "cpu":
            raise NotImplementedError(f"Module.to: device {device!r} is not supported; "
                                      f"tinygrad_lite runs on the CPU only")
        if dtype is None:
            return self
        want = dtypes.to_dtype(dtype)
        if want.kind != "f":
            raise TypeError(f"Module.to only accepts floating point dtypes, got {want}")
        return self._cast(want)

    def _cast(self, want: np.dtype) -> "Module":
        for module in self.modules():
            for p in module._parameters.values():
                if p is not None and p.is_floating_point():
                    p.data = p.data.astype(want)
                    if p.grad is not None:
                        p._grad = Tensor._make(p.grad.data.astype(want))
            for name, b in module._buffers.items():
                if b is not None and b.is_floating_point():
                    b.data = b.data.astype(want)
        return self

    def float(self) -> "Module":
        return self._cast(dtypes.float32)

    def double(self) -> "Module":
        return self._cast(dtypes.float64)

    def half(self) -> "Module":
        return self._cast(dtypes.float16)

    def cpu(self) -> "Module":
        return self

    # ---------------------------------------------------------- state dict
    def state_dict(self, destination: Any = None, prefix: str = "",
                   keep_vars: bool = False) -> "OrderedDict[str, Tensor]":
        """Every parameter and persistent buffer by its dotted path; the
        tensors share memory with the model (detached unless keep_vars)."""
        out = OrderedDict() if destination is None else destination
        # a module used in two places is saved under both paths (as PyTorch)
        for path, module in self.named_modules(prefix=prefix.rstrip("."),
                                               remove_duplicate=False):
            dot = f"{path}." if path else ""
            for name, p in module._parameters.items():
                if p is not None:
                    out[dot + name] = p if keep_vars else p.detach()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent:
                    out[dot + name] = b if keep_vars else b.detach()
        return out

    def load_state_dict(self, state_dict: Any, strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy tensors (or numpy arrays) into this model's parameters and
        buffers by key, in place and cast to their dtypes.

        With ``strict=True`` missing or unexpected keys raise; a shape
        mismatch always raises, naming the key and both shapes -- except, as
        in PyTorch (for old checkpoints), a value of shape (1,) loads into a
        0-d parameter or buffer as its one element (not the other way round). Returns the
        missing and unexpected keys (a named tuple). ``assign=True`` is not
        supported (NotImplementedError): values are always copied."""
        if assign:
            raise NotImplementedError("load_state_dict: assign=True is not supported; the "
                                      "values are copied into the existing parameters")
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got "
                            f"{type(state_dict).__name__}")
        state_dict = dict(state_dict)
        for path, module in self.named_modules(remove_duplicate=False):
            module._upgrade_state_dict(state_dict, f"{path}." if path else "")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            array = _state_array(state_dict[key], target)
            if array.shape != target.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape "
                              f"{tuple(array.shape)} from checkpoint, the shape in the current "
                              f"model is {tuple(target.shape)}")
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in missing) + ". ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        with no_grad():
            for key, target in own.items():
                if key in state_dict:
                    array = _state_array(state_dict[key], target)
                    target.data[...] = array.astype(target.dtype, copy=False)
                    target._bump_version()
        return _IncompatibleKeys(missing, unexpected)

    def _upgrade_state_dict(self, state_dict: dict, prefix: str) -> None:
        """Fill in entries an older or foreign state dict may lack (keys
        start with `prefix`); BatchNorm adds num_batches_tracked, as
        PyTorch does when loading a state dict without it."""

    # ---------------------------------------------------------------- repr
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr line."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        lines = []
        extra = self.extra_repr()
        if extra:
            lines = extra.split("\n")
        for name, module in self._modules.items():
            text = repr(module).replace("\n", "\n  ")
            lines.append(f"({name}): {text}")
        main = self._get_name() + "("
        if lines:
            if len(lines) == 1 and not self._modules:
                main += lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"


def _state_array(value: Any, target: Tensor) -> np.ndarray:
    """The numpy array a state-dict value loads from. As PyTorch's
    ``_load_from_state_dict`` (a backward-compatibility rule): a shape-(1,)
    value for a 0-d parameter or buffer is taken as its one element; any
    other shape is compared as it is."""
    array = value.data if isinstance(value, Tensor) else np.asarray(value)
    if target.ndim == 0 and array.shape == (1,):
        return array.reshape(())
    return array
