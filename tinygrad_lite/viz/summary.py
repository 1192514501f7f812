"""`summary`: a table of a model's modules, like torchinfo or Keras.

It runs the model once on example inputs (under ``no_grad``, in eval mode),
records each module call's output shape with forward hooks, and lists every
module with its own parameter count, then the totals.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..grad_mode import no_grad
from ..tensor import Tensor

if TYPE_CHECKING:  # pragma: no cover
    from ..nn.module import Module


@dataclass
class _Row:
    path: str
    module: Module
    call: int = 1                   # 1 for a module's first call, 2 for its second, ...
    output: str = "(not called)"


def summary(model: Module, *example_inputs: Any) -> str:
    """A table of `model`'s modules, returned and printed.

    Each row is one module call, indented by nesting: its dotted name and
    class, the shape of what it returned (tuples show every element), and
    the number of parameters it owns itself (its children count theirs).
    A module called again shows ``(reused)`` instead of its count; modules
    never called are listed at the end. Totals count each parameter once:
    total, trainable (``requires_grad``) and non-trainable.

    The forward runs under ``no_grad`` in eval mode (so dropout and batch
    norm statistics are untouched); every module's ``training`` flag is
    restored afterwards, and the hooks are removed even if forward fails.

    Example::

        tgl.viz.summary(model, tgl.randn(1, 1, 8, 8))  # one 8x8 grey image
    """
    from ..nn.module import Module  # imported here: tgl.viz loads before tgl.nn
    if not isinstance(model, Module):
        raise TypeError(f"summary: model must be a tgl.nn.Module, got {type(model).__name__}")
    if not example_inputs:
        raise TypeError("summary: give example inputs to run the model on, e.g. "
                        "summary(model, tgl.randn(1, 3, 32, 32)) for a batch of one")
    rows = _run_recorded(model, example_inputs)
    text = _table(model, rows, example_inputs)
    print(text)
    return text


def _run_recorded(model: Module, inputs: tuple) -> list:
    """Run the model once; one `_Row` per module call (in call order, which
    is parent before child), then one per module never called."""
    paths = {id(m): path for path, m in model.named_modules()}
    rows: list = []
    open_calls: list = []
    calls: dict = {}

    def before(module: Module, args: tuple) -> None:
        calls[id(module)] = calls.get(id(module), 0) + 1
        row = _Row(paths.get(id(module), type(module).__name__), module, calls[id(module)])
        rows.append(row)
        open_calls.append(row)

    def after(module: Module, args: tuple, output: Any) -> None:
        open_calls.pop().output = _describe(output)

    modes = [(m, m.training) for m in model.modules()]
    handles = []
    try:
        for m in model.modules():
            handles.append(m.register_forward_pre_hook(before))
            handles.append(m.register_forward_hook(after))
        model.eval()
        with no_grad():
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
        for m, mode in modes:
            object.__setattr__(m, "training", mode)
    called = set(calls)
    rows += [_Row(path, m) for path, m in model.named_modules() if id(m) not in called]
    return rows


def _describe(output: Any) -> str:
    """A module's output as text: a shape, a tuple/list of shapes, or a type."""
    if isinstance(output, Tensor):
        return _shape(output.shape)
    if isinstance(output, (tuple, list)):
        parts = [_shape(o.shape) if isinstance(o, Tensor) else type(o).__name__ for o in output]
        return "[" + ", ".join(parts) + "]"
    if isinstance(output, dict):
        return "{" + ", ".join(f"{k}: {_describe(v)}" for k, v in output.items()) + "}"
    return type(output).__name__


def _shape(shape: tuple) -> str:
    return str(tuple(int(n) for n in shape))


def _own_params(module: Module) -> int:
    return sum(int(p.data.size) for p in module.parameters(recurse=False))


def _table(model: Module, rows: list, inputs: tuple) -> str:
    body = []
    for row in rows:
        depth = 0 if not row.path else row.path.count(".") + 1
        name = type(row.module).__name__
        if row.path:
            name = f"{row.path} ({name})"
        if row.call > 1:
            name += f" [call {row.call}]"
        params = "(reused)" if row.call > 1 else f"{_own_params(row.module):,}"
        body.append(("  " * depth + name, row.output, params))
    header = ("Layer (type)", "Output shape", "Param #")
    widths = [max(len(r[i]) for r in body + [header]) for i in range(3)]

    def line(cells: tuple) -> str:
        return (f"{cells[0]:<{widths[0]}}   {cells[1]:<{widths[1]}}   "
                f"{cells[2]:>{widths[2]}}").rstrip()

    rule = "=" * len(line(("", "", "x" * widths[2])))
    params = list(model.parameters())
    total = sum(int(p.data.size) for p in params)
    trainable = sum(int(p.data.size) for p in params if p.requires_grad)
    size_mb = sum(p.data.nbytes for p in params) / 2**20
    shapes = ", ".join(_describe(x) for x in inputs)
    lines = [rule, line(header), rule] + [line(r) for r in body] + [
        rule,
        f"Input shape: {shapes}",
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {total - trainable:,}",
        f"Params size (MB): {size_mb:.2f}",
        rule,
    ]
    return "\n".join(lines)

