"""Errors that teach: common mistakes raise an exception that names the
operation and the shapes involved and hints at the fix -- never a bare
numpy message."""
from __future__ import annotations

import operator
import re


import numpy as np
import pytest

import tinygrad_lite as tgl

A = tgl.ones(2, 3)
B = tgl.ones(4)

NUMPY_WORDS = ("operands could not be broadcast", "input operand", "axis", "ufunc",
               "array", "setting an array element")

BINARY = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv,
    "pow": operator.pow, "floor_divide": operator.floordiv, "remainder": operator.mod,
    "maximum": lambda a, b: a.maximum(b), "minimum": lambda a, b: a.minimum(b),
    "less": operator.lt, "less_equal": operator.le, "greater": operator.gt,
    "equal": operator.eq, "not_equal": operator.ne, "bitwise_and": None,
    "add()": lambda a, b: tgl.add(a, b), "mul()": lambda a, b: a.mul(b),
    "sub(alpha)": lambda a, b: a.sub(b, alpha=2), "where": lambda a, b: tgl.where(a > 0, a, b),
}


def _assert_teaches(info, *words):
    text = str(info.value)
    for word in words:
        assert word in text, f"{word!r} missing from: {text}"
    for word in NUMPY_WORDS:
        assert word not in text, f"numpy's words {word!r} leaked into: {text}"


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_shape_mismatch_names_the_operation_and_both_shapes(name):
    op = BINARY[name]
    a, b = A, B
    if op is None:  # bitwise needs bool operands
        op, a, b = operator.and_, A > 0, B > 0
    with pytest.raises(RuntimeError) as info:
        op(a, b)
    _assert_teaches(info, "(2, 3)", "(4,)", "must match the size", "dimension 1")
    assert str(info.value).split(":")[0].strip("()") in name or name.startswith(
        str(info.value).split(":")[0])


@pytest.mark.parametrize("name, change", [
    ("add_", lambda t: t.add_(B)), ("sub_", lambda t: t.sub_(B)), ("mul_", lambda t: t.mul_(B)),
    ("div_", lambda t: t.div_(B)), ("copy_", lambda t: t.copy_(B)),
])
def test_in_place_shape_mismatch_names_the_operation(name, change):
    with pytest.raises(RuntimeError) as info:
        change(tgl.ones(2, 3))
    _assert_teaches(info, name)
    assert "(2, 3)" in str(info.value) or "[2, 3]" in str(info.value)


@pytest.mark.parametrize("a, b, words", [
    ((2, 3), (2, 3), ["matmul", "(2, 3)", "x.T"]),
    ((3,), (4,), ["matmul", "(3,)", "(4,)"]),
    ((), (4,), ["matmul", "at least 1"]),
    ((2, 2, 3), (3, 3, 4), ["matmul", "(2, 2, 3)", "(3, 3, 4)"]),
])
def test_matmul_shape_mismatch(a, b, words):
    with pytest.raises(RuntimeError) as info:
        tgl.ones(*a) @ tgl.ones(*b)
    _assert_teaches(info, *words)


@pytest.mark.parametrize("make, error, words", [
    (lambda: A.reshape(4), RuntimeError, ["reshape", "[4]", "size 6"]),
    (lambda: A.reshape(-1, 4), RuntimeError, ["reshape", "[-1, 4]", "6"]),
    (lambda: A.view(5), RuntimeError, ["view", "[5]", "6"]),
    (lambda: A.view(2.5, 2), TypeError, ["view", "integers", "2.5"]),
    (lambda: A.permute(0, 2), IndexError, ["permute", "Dimension out of range", "got 2"]),
    (lambda: A.permute(0, 0), RuntimeError, ["permute", "duplicate", "(0, 0)"]),
    (lambda: A.permute(1, 0, 2), RuntimeError, ["permute", "len(dims) = 3", "(2, 3)"]),
    (lambda: A.squeeze(2), IndexError, ["squeeze", "[-2, 1]", "got 2"]),
    (lambda: A.unsqueeze(4), IndexError, ["unsqueeze", "[-3, 2]", "got 4"]),
    (lambda: A.transpose(0, 2), IndexError, ["transpose", "[-2, 1]", "got 2"]),
    (lambda: A.sum(2), IndexError, ["sum", "got 2"]),
    (lambda: A.expand(4, 3), RuntimeError, ["expand", "[4, 3]", "[2, 3]"]),
    (lambda: A.flatten(1, 0), RuntimeError, ["flatten", "start_dim"]),
    (lambda: A.repeat(2), RuntimeError, ["repeat", "(2, 3)"]),
    (lambda: tgl.cat([A, tgl.ones(3, 2)]), RuntimeError, ["cat", "(2, 3)", "(3, 2)"]),
    (lambda: tgl.cat([A, tgl.ones(3)]), RuntimeError, ["cat", "(3,)"]),
    (lambda: tgl.cat([A, A], dim=2), IndexError, ["cat", "got 2"]),
    (lambda: tgl.cat([]), RuntimeError, ["cat", "non-empty"]),
    (lambda: tgl.stack([A, tgl.ones(3, 2)]), RuntimeError, ["stack", "(2, 3)", "(3, 2)"]),
    (lambda: B.split([2, 3]), RuntimeError, ["split", "[2, 3]", "4"]),
    (lambda: B.split([5, -1]), RuntimeError, ["split", "non-negative"]),
    (lambda: B.split(0), RuntimeError, ["split", "size of 4"]),
    (lambda: B.split(-1), RuntimeError, ["split", "non-negative"]),
    (lambda: B.chunk(0), RuntimeError, ["chunk", "greater than 0"]),
    (lambda: tgl.ones(2, dtype=tgl.int64).mean(), RuntimeError, ["mean", "int64", "float"]),
    (lambda: A.clamp(), RuntimeError, ["clamp", "min", "max"]),
    (lambda: tgl.ones(0).max(), RuntimeError, ["max", "dim"]),
    (lambda: tgl.where(A, A, A), RuntimeError, ["where", "boolean", "float32"]),
])
def test_shape_and_argument_errors(make, error, words):
    with pytest.raises(error) as info:
        make()
    _assert_teaches(info, *words)


def test_the_issue_list_of_messages():
    x = tgl.tensor([1., 2.], requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        (x * 2).backward()
    _assert_teaches(info, "backward", "scalar outputs", "(2,)", "sum()")
    with pytest.raises(RuntimeError) as info:
        tgl.tensor([1, 2], requires_grad=True)
    _assert_teaches(info, "floating point", "int64", "float")
    with pytest.raises(RuntimeError) as info:
        tgl.tensor([1., 2.]).sum().backward()
    _assert_teaches(info, "does not require grad", "requires_grad=True")
    with pytest.raises(RuntimeError) as info:
        tgl.tensor([1., 2.]).item()
    _assert_teaches(info, "item", "2 elements", "(2,)")
    with pytest.raises(RuntimeError) as info:
        tgl.ones(2, 3) + tgl.ones(3, 2)
    _assert_teaches(info, "add", "(2, 3)", "(3, 2)")


def test_no_numpy_error_escapes_for_common_mistakes():
    mistakes = [
        lambda: A + B, lambda: A * tgl.ones(3, 2), lambda: A @ A, lambda: A.reshape(5),
        lambda: A[5], lambda: A[0, 9], lambda: A[tgl.tensor([True])], lambda: A.permute(2, 0),
        lambda: tgl.cat([A, B]), lambda: tgl.stack([A, B]), lambda: B.split([1, 1]),
        lambda: tgl.where(A > 0, A, B), lambda: A.add_(B), lambda: A.__setitem__(0, B),
        lambda: tgl.tensor([[1, 2], [3]]), lambda: tgl.zeros(-1), lambda: A.expand(3, 3),
        lambda: A.unsqueeze(5), lambda: (A > 0) | (B > 0),
        lambda: tgl.ones(2, dtype=tgl.int64) // 0,
        lambda: tgl.maximum(A, B), lambda: A.clone().__imul__(B), lambda: A.unflatten(1, (4, 2)),
    ]
    for mistake in mistakes:
        with pytest.raises((RuntimeError, IndexError, ValueError, TypeError)) as info:
            mistake()
        text = str(info.value)
        assert re.match(r"^[A-Za-z_][\w .()]*: ", text), f"no operation named in: {text}"
        for word in ("operands could not be broadcast", "setting an array element",
                     "could not broadcast input array"):
            assert word not in text, text
