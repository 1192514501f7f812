"""Matrix products: matmul (1-D, 2-D and batched) and einsum."""
from __future__ import annotations

import string
from typing import Any

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor
from .. import dtypes
from . import dual


def _matmul_error(a: np.ndarray, b: np.ndarray) -> RuntimeError:
    if a.ndim == 0 or b.ndim == 0:
        return RuntimeError(f"matmul: both arguments need at least 1 dimension, got "
                            f"shapes {a.shape} and {b.shape}; use * for scalars")
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        return RuntimeError(
            f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied: the last "
            f"dim of the first ({inner_a}) must equal the "
            f"{'first' if b.ndim == 1 else 'second-to-last'} dim of the second "
            f"({inner_b}). Did you mean to transpose one of them (x.T)?")
    return RuntimeError(f"matmul: the batch dims of shapes {a.shape} and {b.shape} do "
                        f"not broadcast")


class MatMul(Op):
    """a @ b with numpy's rules: a 1-D operand is treated as a row (left) or
    a column (right) vector; batch dims broadcast."""

    @staticmethod
    def forward(ctx, a, b):
        # Each operand is needed only for the other's gradient; PyTorch saves
        # it only then (changing a saved tensor in place makes backward raise).
        ctx.save_for_backward(a if b._rg else None, b if a._rg else None)
        ctx.ndims = a.data.ndim, b.data.ndim
        try:
            return np.matmul(a.data, b.data)
        except ValueError:
            raise _matmul_error(a.data, b.data) from None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        a_ndim, b_ndim = ctx.ndims
        if a_ndim == 1 and b_ndim == 1:
            return (g * b if need_a else None), (g * a if need_b else None)
        g2 = g
        if a_ndim == 1:
            g2 = g2.reshape(g2.shape[:-1] + (1,) + g2.shape[-1:])
        if b_ndim == 1:
            g2 = g2.reshape(g2.shape + (1,))
        ga = gb = None
        if need_a:  # b was saved
            b2 = b.reshape(b.shape + (1,)) if b_ndim == 1 else b
            ga = g2 @ b2.swapaxes(-1, -2)
            if a_ndim == 1:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if need_b:  # a was saved
            a2 = a.reshape((1,) + a.shape) if a_ndim == 1 else a
            gb = a2.swapaxes(-1, -2) @ g2
            if b_ndim == 1:
                gb = gb.reshape(gb.shape[:-1])
        return ga, gb


_LETTERS = string.ascii_letters


def _parse_einsum(equation: str, shapes: list) -> tuple:
    """Explicit subscripts (ellipses replaced by letters) for the inputs and
    the output."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    for i, c in enumerate(equation):
        if c not in _LETTERS and c != "." and not (c == "," and i < len(lhs)) and not (
                arrow and len(lhs) <= i <= len(lhs) + 1):
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the "
                               f"equation string {equation!r}, subscripts must be in "
                               f"[a-zA-Z]")
    repeated = sorted(c for c in set(rhs) if c in _LETTERS and rhs.count(c) > 1)
    if repeated:
        raise RuntimeError(f"einsum(): output subscript {repeated[0]} appears more than once "
                           f"in the output {rhs!r}; to take a diagonal, repeat it in an input "
                           f"instead ('ii->i')")
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise RuntimeError(f"einsum: the equation {equation!r} names {len(inputs)} "
                         f"operands but {len(shapes)} were given")
    used = set(c for c in equation if c.isalpha())
    free = [c for c in _LETTERS if c not in used]
    ell_ndim = 0
    for subs, shape in zip(inputs, shapes):
        if "..." in subs:
            ell_ndim = max(ell_ndim, len(shape) - (len(subs) - 3))
    ell = "".join(free[:ell_ndim])
    explicit = []
    for subs, shape in zip(inputs, shapes):
        if "..." in subs:
            k = len(shape) - (len(subs) - 3)
            subs = subs.replace("...", ell[ell_ndim - k:] if k else "")
        if len(subs) != len(shape) or not all(c in _LETTERS for c in subs):
            raise RuntimeError(f"einsum: subscripts {subs!r} do not fit an operand of "
                             f"shape {tuple(shape)}")
        explicit.append(subs)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        counts = {c: "".join(explicit).count(c) for c in set("".join(explicit))}
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return explicit, out


class Einsum(Op):
    """Einstein summation over operands whose repeated letters have equal
    sizes (the `einsum` function expands broadcast dims first)."""

    @staticmethod
    def forward(ctx, *operands, inputs, output):
        # An operand is needed only for the other operands' gradients, and
        # PyTorch saves it only then (changing a saved one in place raises).
        grads = [o._rg for o in operands]
        wanted = sum(grads)
        ctx.save_for_backward(*[o if wanted - g else None for o, g in zip(operands, grads)])
        ctx.inputs, ctx.output = inputs, output
        ctx.shapes = [o.data.shape for o in operands]
        equation = ",".join(inputs) + "->" + output
        return np.einsum(equation, *[o.data for o in operands], optimize=len(operands) > 2)

    @staticmethod
    def backward(ctx, g):
        operands = ctx.saved_tensors
        grads = []
        for k, need in enumerate(ctx.needs_input_grad):
            grads.append(_einsum_grad(ctx, k, g, operands) if need else None)
        return tuple(grads)


def _einsum_grad(ctx: Any, k: int, g: Any, operands: tuple) -> Any:
    """d(out)/d(operand k), itself one einsum: the output gradient times the
    other operands, with ones for letters only operand k has (they were
    summed out) and identity matrices for letters operand k repeats (a
    diagonal was taken)."""
    target = ctx.inputs[k]
    sizes = dict(zip(target, ctx.shapes[k]))
    others = [(s, o) for i, (s, o) in enumerate(zip(ctx.inputs, operands)) if i != k]
    subs = [ctx.output] + [s for s, _ in others]
    terms = [g] + [o for _, o in others]
    available = set("".join(subs))
    used = set("".join(ctx.inputs) + ctx.output)
    spare = iter(c for c in _LETTERS if c not in used)
    result = ""
    for c in target:
        if c in result:  # repeated letter: a fresh letter tied by an identity
            fresh = next(spare)
            subs.append(c + fresh)
            terms.append(_constant(np.eye(sizes[c], dtype=g.dtype), g))
            result += fresh
            continue
        if c not in available:
            subs.append(c)
            terms.append(_constant(np.ones(sizes[c], dtype=g.dtype), g))
            available.add(c)
        result += c
    return dual.einsum(",".join(subs) + "->" + result, *terms)


def _constant(array: np.ndarray, like: Any) -> Any:
    return Tensor._make(array) if isinstance(like, Tensor) else array


def check_matmul_dtypes(a: Tensor, b: Tensor, name: str = "matmul") -> None:
    """PyTorch's matrix products (mm, bmm, dot) don't promote: both operands
    must have one dtype, and it must not be bool."""
    da, db = a.data.dtype, b.data.dtype
    if da != db:
        raise RuntimeError(
            f"{name}: expected both operands to have the same dtype, but got {da} and {db} "
            f"(shapes {tuple(a.shape)} and {tuple(b.shape)}); convert one first, e.g. "
            f"b.to(a.dtype), or .float() / .double() on both")
    if da.kind == "b":
        raise NotImplementedError(f"{name}: \"addmm_impl_cpu_\" not implemented for 'Bool' "
                                  f"(shapes {tuple(a.shape)} and {tuple(b.shape)}); convert "
                                  f"first, e.g. a.long() @ b.long()")


def _einsum_dtypes(tensors: list, inputs: list, output: str) -> list:
    """The operands in their common dtype, checked as PyTorch's einsum does:
    it combines them left to right, promoting dtypes when a step only
    multiplies, and requiring one dtype when a step sums over a letter the
    two sides share (a matrix product)."""
    dtype, seen = tensors[0].data.dtype, set(inputs[0])
    for k in range(1, len(tensors)):
        needed = set(output).union(*inputs[k + 1:])
        t = tensors[k]
        if (seen & set(inputs[k])) - needed and t.data.dtype != dtype:
            raise RuntimeError(
                f"einsum(): operand {k} ({t.data.dtype}) is summed over "
                f"{''.join(sorted((seen & set(inputs[k])) - needed))!r} with operands 0..{k - 1} "
                f"({dtype}), a matrix product that needs one dtype; convert first, e.g. "
                f".float() or .double() on every operand")
        dtype, seen = dtypes.promote_types(dtype, t.data.dtype), seen | set(inputs[k])
    return [t if t.data.dtype == dtype else t.to(dtype) for t in tensors]


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, as ``torch.einsum`` (operands may also be given
    as one list). Broadcast ellipsis dims are expanded explicitly so that
    the gradient of every operand has its own shape."""
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' (position 1) must be str, not "
                        f"{type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum: needs at least one operand after the equation")
    for i, o in enumerate(operands):
        if not isinstance(o, Tensor):
            raise TypeError(f"einsum(): expected Tensor as element {i} in argument 1, but got "
                            f"{type(o).__name__}; convert it with tgl.tensor(...)")
    inputs, output = _parse_einsum(equation, [t.shape for t in operands])
    tensors = _einsum_dtypes(list(operands), inputs, output)
    sizes: dict = {}
    for subs, t in zip(inputs, tensors):
        for c, n in zip(subs, t.shape):
            if sizes.get(c, 1) == 1:
                sizes[c] = n
            elif n not in (1, sizes[c]):
                raise RuntimeError(
                    f"einsum: subscript {c!r} has size {n} for one operand and "
                    f"{sizes[c]} for another in {equation!r} (shapes "
                    f"{[tuple(t.shape) for t in tensors]})")
    for c in output:
        if c not in sizes:
            raise RuntimeError(f"einsum: output subscript {c!r} does not appear in the inputs")
    expanded = []
    for subs, t in zip(inputs, tensors):
        full = tuple(sizes[c] for c in subs)
        expanded.append(t if t.shape == full else t.expand(full))
    return Einsum.apply(*expanded, inputs=tuple(inputs), output=output)

