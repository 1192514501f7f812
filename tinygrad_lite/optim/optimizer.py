"""Optimizer: the base class every optimizer builds on (PyTorch's layout).

An optimizer holds

* ``param_groups``: a list of dicts, each with the tensors to update under
  ``"params"`` and that group's options (``"lr"``, ``"momentum"``, ...).
  Per-group options let one model train parts at different rates.
* ``state``: per-parameter state keyed by the parameter itself (momentum
  buffers, running averages, step counts), stored as tgl Tensors.

``state_dict()`` replaces the parameters by their position (0, 1, 2, ...
counted across groups) so the result can be saved and loaded into a fresh
optimizer over a new model, exactly as PyTorch does. Subclasses implement
``step()`` with numpy arithmetic done in place on ``p.data``: an update must
not record a graph, allocate Tensors per parameter, or change the dtype.
"""
from __future__ import annotations

import numbers
from collections import defaultdict
from itertools import chain
from typing import Any, Callable, Iterable

import numpy as np

from ..grad_mode import enable_grad
from ..tensor import Tensor
from ._numerics import scalar_dtype


class _RequiredParameter:
    """Sentinel for an option that every parameter group must set itself."""

    def __repr__(self) -> str:
        return "<required parameter>"


#: Use as a default in ``Optimizer(params, defaults)`` for an option that has
#: no sensible default: each parameter group then has to give it.
required = _RequiredParameter()

# Options that PyTorch optimizers accept and that change how (not what) they
# compute. Only the values listed leave behaviour unchanged here.
_UNSUPPORTED_OPTIONS = {
    "foreach": (None, False),
    "fused": (None, False),
    "capturable": (False,),
    "differentiable": (False,),
}


class Optimizer:
    """Base class of all optimizers.

    ``params`` is an iterable of Tensors (usually ``model.parameters()``), of
    ``(name, Tensor)`` pairs (``model.named_parameters()``), or of dicts, each
    a parameter group ``{"params": [...], "lr": ...}`` whose options override
    ``defaults``. Subclasses implement ``step``.
    """

    #: State entries holding one value per parameter element; load_state_dict
    #: checks that their shapes match the parameters they are loaded into.
    _param_shaped_state: tuple = ()

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(
                f"{name}: params argument given to the optimizer should be an iterable of "
                f"Tensors or dicts, but got a Tensor; wrap it in a list: {name}([x], ...)")
        if isinstance(params, dict):
            raise TypeError(
                f"{name}: params argument given to the optimizer should be an iterable of "
                f"Tensors or dicts, but got a single dict; pass a list of parameter groups: "
                f"{name}([{{'params': ...}}], ...)")
        if isinstance(params, (set, frozenset)):
            raise _unordered(name)
        try:
            param_groups = list(params)
        except TypeError:
            hint = ("pass model.parameters()" if hasattr(params, "parameters")
                    else "pass a list of Tensors, e.g. model.parameters()")
            raise TypeError(f"{name}: params must be an iterable of Tensors or dicts, got "
                            f"{type(params).__name__}; {hint}") from None
        if len(param_groups) == 0:
            raise ValueError(
                f"{name}: optimizer got an empty parameter list; pass the tensors to train, "
                f"e.g. model.parameters() of a model that has parameters (a generator such as "
                f"model.parameters() is used up after one pass, so create it anew)")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (a dict with ``"params"`` and any options
        that differ from the defaults), e.g. to start training layers that
        were frozen so far."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{name}: param_group must be a dict, but got {type(param_group).__name__}; "
                f"a parameter group looks like {{'params': [w, b], 'lr': 0.01}} (give either "
                f"only tensors or only dicts)")
        if "params" not in param_group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry, got keys "
                             f"{sorted(param_group)}; e.g. {{'params': model.parameters()}}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise _unordered(name)
        else:
            params = list(params)
        tensors, names = _split_names(name, params)
        param_group["params"] = tensors
        if names:
            param_group["param_names"] = names

        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: optimizer can only optimize Tensors, but one of the "
                                f"params is {type(p).__name__}; pass model.parameters()")
            if not (p.is_leaf or p.retains_grad):
                raise ValueError(
                    f"{name}: can't optimize a non-leaf Tensor (shape {p.shape}, made by "
                    f"{p.grad_fn!r}); an optimizer updates the leaves you created, e.g. "
                    f"tgl.randn(3, requires_grad=True) or nn.Parameter(...); to start from "
                    f"a computed value use x.detach().requires_grad_()")

        for key, default in self.defaults.items():
            if default is required and key not in param_group:
                raise ValueError(f"{name}: parameter group didn't specify a value of required "
                                 f"optimization parameter {key}")
            param_group.setdefault(key, default)

        seen: dict[int, int] = {}
        for i, p in enumerate(tensors):
            if id(p) in seen:
                raise ValueError(
                    f"{name}: the parameter at position {i} (shape {p.shape}) was already given "
                    f"at position {seen[id(p)]}; each tensor may appear only once (it would "
                    f"be updated twice per step)")
            seen[id(p)] = i
        for group in self.param_groups:
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(f"{name}: all optimizer param groups should be with/without "
                                 f"names. cannot add param group {which} to the optimizer")
            if any(id(p) in seen for p in group["params"]):
                raise ValueError(f"{name}: some parameters appear in more than one parameter "
                                 f"group; give each tensor to exactly one group")
        self._check_group(param_group)
        self.param_groups.append(param_group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Validate a group's options (subclasses add their own checks)."""
        check_unsupported(type(self).__name__, group)
        if "lr" in group:
            check_non_negative(type(self).__name__, "learning rate", "lr", group["lr"])

    # -------------------------------------------------------------- steps
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors: set them to None
        (default; the next step then skips a tensor that got no gradient) or,
        with ``set_to_none=False``, fill them with zeros in place."""
        for group in self.param_groups:
            params = group["params"]
            if set_to_none:
                for p in params:
                    p._grad = None  # no test for None first: it would cost as much
                continue
            for p in params:
                grad = p.grad
                if grad is None:
                    continue
                if grad.grad_fn is not None or grad.requires_grad:
                    grad = p.grad = grad.detach()
                grad.data.fill(0)
                grad._bump_version()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once; return ``closure()``'s loss if given."""
        raise NotImplementedError(f"{type(self).__name__}.step(): an Optimizer subclass must "
                                  f"implement step(closure=None)")

    def _with_grads(self, group: dict[str, Any]) -> list:
        """``(p, p.data, p.grad.data)`` for each parameter of `group` that has
        a gradient (the others are skipped). A gradient whose shape or dtype
        differs from its parameter's is an error: numpy would broadcast or
        cast it silently."""
        out = []
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            data, g = p.data, grad.data
            if g.shape != data.shape or g.dtype != data.dtype:
                raise RuntimeError(
                    f"{type(self).__name__}.step: the gradient of a parameter of shape "
                    f"{data.shape} and dtype {data.dtype} has shape {g.shape} and dtype "
                    f"{g.dtype}; a .grad must match its parameter (set p.grad = None and run "
                    f"backward() again)")
            out.append((p, data, g))
        return out

    @staticmethod
    def _run_closure(closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # --------------------------------------------------------- state dict
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as ``{"state": {index: {...}}, "param_groups":
        [{..., "params": [indices]}]}``: parameters are replaced by their
        position across all groups, state tensors are copies (a snapshot)."""
        index: dict[int, int] = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): _copy_tree(v)
                 for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a dict made by ``state_dict()`` (of this optimizer class, over
        parameters of the same shapes in the same order). The loaded options
        replace the current ones; state tensors are copied and cast to each
        parameter's dtype."""
        name = type(self).__name__
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError(f"{name}.load_state_dict: expected a dict with keys 'state' and "
                             f"'param_groups' as made by optimizer.state_dict(), got "
                             f"{type(state_dict).__name__}"
                             + (f" with keys {sorted(map(str, state_dict))}"
                                if isinstance(state_dict, dict) else ""))
        groups = self.param_groups
        saved_groups = [_copy_tree(g) for g in state_dict["param_groups"]]
        if len(groups) != len(saved_groups):
            raise ValueError(f"{name}.load_state_dict: loaded state dict has a different number "
                             f"of parameter groups ({len(saved_groups)}) than this optimizer "
                             f"({len(groups)})")
        for i, (group, saved) in enumerate(zip(groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: loaded state dict contains a parameter group "
                    f"that doesn't match the size of optimizer's group: group {i} has "
                    f"{len(saved['params'])} parameters saved but {len(group['params'])} here")
        id_map = dict(zip((_as_index(i) for g in saved_groups for i in g["params"]),
                          chain.from_iterable(g["params"] for g in groups)))
        state: defaultdict = defaultdict(dict)
        for key, value in state_dict["state"].items():
            k = _as_index(key)
            if k in id_map:
                p = id_map[k]
                state[p] = self._load_param_state(p, k, value)
            else:
                state[key] = _copy_tree(value)
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            for key, default in self.defaults.items():
                saved.setdefault(key, default)
            self._check_group(saved)
        self.state = state
        self.param_groups = saved_groups

    def _load_param_state(self, p: Tensor, index: int, value: Any) -> Any:
        """Copy one parameter's saved state, casting arrays to p's dtype."""
        if not isinstance(value, dict):
            return _copy_tree(value)
        out = {}
        for key, v in value.items():
            if key == "step":
                out[key] = _step_tensor(v)
                continue
            if isinstance(v, (Tensor, np.ndarray)) or (hasattr(v, "__array__")
                                                       and not isinstance(v, numbers.Number)):
                array = np.array(v.data if isinstance(v, Tensor) else np.asarray(v))
                if p.is_floating_point() and array.dtype.kind == "f":
                    array = array.astype(p.dtype, copy=False)
                if key in self._param_shaped_state and array.shape != p.shape:
                    raise ValueError(
                        f"{type(self).__name__}.load_state_dict: state {key!r} of parameter "
                        f"{index} has shape {array.shape} but the parameter has shape "
                        f"{p.shape}; load a state dict saved for the same model")
                out[key] = Tensor._make(array)
            else:
                out[key] = _copy_tree(v)
        return out

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


# ------------------------------------------------------------ helpers
def check_unsupported(opt: str, options: dict[str, Any]) -> None:
    """NotImplementedError for a PyTorch option (foreach, fused, capturable,
    differentiable) set to a value that would change behaviour."""
    for key, allowed in _UNSUPPORTED_OPTIONS.items():
        if key in options and not any(options[key] is a or options[key] == a for a in allowed):
            raise NotImplementedError(
                f"{opt}: {key}={options[key]!r} is not supported by tinygrad_lite (it updates "
                f"one parameter at a time with numpy on the CPU); leave {key} at its default "
                f"{allowed[0]!r}")


def check_real(opt: str, key: str, value: Any) -> float:
    """A plain real number (Tensor-valued options are not supported)."""
    if isinstance(value, Tensor):
        raise NotImplementedError(f"{opt}: {key} as a Tensor is not supported; pass a Python "
                                  f"float instead ({key}={key}.item())")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{opt}: {key} must be a real number, got {type(value).__name__} "
                        f"{value!r}")
    return value


def check_non_negative(opt: str, label: str, key: str, value: Any) -> None:
    """ValueError ``Invalid <label>: <value>`` (PyTorch's words) unless value >= 0."""
    check_real(opt, key, value)
    if not 0.0 <= value:
        raise ValueError(f"{opt}: Invalid {label}: {value} ({key} must be >= 0"
                         + (", e.g. lr=0.01)" if key == "lr" else ")"))


def _unordered(opt: str) -> TypeError:
    return TypeError(f"{opt}: optimizer parameters need to be organized in ordered collections, "
                     f"but the ordering of tensors in sets will change between runs. Please use "
                     f"a list instead.")


def _split_names(opt: str, params: list) -> tuple[list, list]:
    """Separate ``(name, tensor)`` pairs (named_parameters()) from tensors."""
    tensors, names = [], []
    for item in params:
        if isinstance(item, tuple):
            if len(item) != 2:
                raise TypeError(f"{opt}: a named parameter must be a (name, tensor) pair, got "
                                f"a tuple of length {len(item)}")
            names.append(item[0])
            tensors.append(item[1])
        else:
            tensors.append(item)
    if names and len(names) != len(tensors):
        raise ValueError(f"{opt}: all optimizer params should be with/without names. Some "
                         f"param names are missing")
    return tensors, names


def _as_index(key: Any) -> Any:
    """Parameter indices may come back from a file as strings ("0")."""
    if isinstance(key, str) and key.isdigit():
        return int(key)
    if isinstance(key, np.integer):
        return int(key)
    return key


def _copy_tree(value: Any) -> Any:
    """Copy dicts, lists and tuples, and the arrays of Tensors inside them."""
    if isinstance(value, Tensor):
        return Tensor._make(value.data.copy())
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copy_tree(v) for v in value)
    return value


def _step_tensor(value: Any = 0.0) -> Tensor:
    """A 0-d step counter Tensor (as PyTorch keeps ``state["step"]``)."""
    if isinstance(value, Tensor):
        return Tensor._make(value.data.copy())
    array = np.asarray(value)
    if array.dtype.kind not in "fiu":
        array = np.array(float(value))
    if array.dtype.kind != "f":
        array = array.astype(scalar_dtype())
    return Tensor._make(array.reshape(()).copy())
