"""dtypes and type promotion: every binary operation and comparison gives
PyTorch's result dtype (and values), for tensor-tensor pairs across the
supported dtypes, 0-d tensors against tensors with dimensions, and Python
and numpy scalars on either side."""
from __future__ import annotations

import itertools
import operator

import numpy as np
import pytest

import tinygrad_lite as tgl

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]

OPS = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul,
    "truediv": operator.truediv, "floordiv": operator.floordiv, "mod": operator.mod,
    "pow": operator.pow, "lt": operator.lt, "le": operator.le, "eq": operator.eq,
    "ne": operator.ne, "maximum": lambda a, b: a.maximum(b), "minimum": lambda a, b: a.minimum(b),
}
SCALAR_OPS = {k: v for k, v in OPS.items() if k not in ("maximum", "minimum")}
SCALARS = [True, False, 2, -3, 0, 2.5, -0.5, np.float64(2.5), np.float32(1.5), np.int64(2),
           np.int32(3), np.bool_(True)]


def _make(lib, dtype: str, zero_dim: bool, value):
    dt = getattr(lib, dtype)
    return lib.tensor(value if zero_dim else [value, value, value], dtype=dt)


def _outcome(fn):
    """(dtype name, values as float64) or the exception type's name."""
    try:
        r = fn()
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e).__name__
    return str(r.dtype).replace("torch.", ""), np.asarray(r.detach() if hasattr(r, "detach")
                                                          else r, dtype=np.float64)


def _same(ours, theirs) -> bool:
    if isinstance(theirs, str) or isinstance(ours, str):
        return ours == theirs
    return ours[0] == theirs[0] and np.allclose(ours[1], theirs[1], rtol=1e-3, equal_nan=True)


def _value(dtype: str, second: bool):
    if dtype == "bool":
        return True
    return 2 if second else 3


@pytest.mark.torch
@pytest.mark.parametrize("name", list(OPS))
def test_tensor_tensor_promotion_matches_pytorch(torch, name):
    op = OPS[name]
    bad = []
    for d1, d2, z1, z2 in itertools.product(DTYPES, DTYPES, (False, True), (False, True)):
        v1, v2 = _value(d1, False), _value(d2, True)
        ours = _outcome(lambda: op(_make(tgl, d1, z1, v1), _make(tgl, d2, z2, v2)))
        theirs = _outcome(lambda: op(_make(torch, d1, z1, v1), _make(torch, d2, z2, v2)))
        if not _same(ours, theirs):
            bad.append((d1, "0-d" if z1 else "1-d", d2, "0-d" if z2 else "1-d", ours, theirs))
    assert not bad, f"{name}: {len(bad)} mismatches, e.g. {bad[:3]}"


@pytest.mark.torch
@pytest.mark.parametrize("name", list(SCALAR_OPS))
def test_tensor_scalar_promotion_matches_pytorch(torch, name):
    op = SCALAR_OPS[name]
    bad = []
    for dtype, zero_dim, scalar, reverse in itertools.product(DTYPES, (False, True), SCALARS,
                                                              (False, True)):
        v = _value(dtype, False)
        if reverse:
            ours = _outcome(lambda: op(scalar, _make(tgl, dtype, zero_dim, v)))
            theirs = _outcome(lambda: op(scalar, _make(torch, dtype, zero_dim, v)))
        else:
            ours = _outcome(lambda: op(_make(tgl, dtype, zero_dim, v), scalar))
            theirs = _outcome(lambda: op(_make(torch, dtype, zero_dim, v), scalar))
        if not _same(ours, theirs):
            bad.append((dtype, zero_dim, repr(scalar), reverse, ours, theirs))
    assert not bad, f"{name}: {len(bad)} mismatches, e.g. {bad[:3]}"


@pytest.mark.parametrize("lhs, rhs, want", [
    (tgl.tensor([1, 2]), 2.5, tgl.float32),                  # int tensor, Python float
    (tgl.tensor([1., 2.]), tgl.tensor(1., dtype=tgl.float64), tgl.float32),  # 0-d loses
    (tgl.tensor([1, 2]), tgl.tensor(1.5, dtype=tgl.float64), tgl.float64),  # higher kind
    (tgl.tensor([1, 2], dtype=tgl.int32), 7, tgl.int32),      # Python int keeps int32
    (tgl.tensor([1, 2], dtype=tgl.int32), tgl.tensor([1, 2]), tgl.int64),
    (tgl.tensor([True]), 1, tgl.int64),
    (tgl.tensor([True]), True, tgl.bool),
    (tgl.tensor([1.], dtype=tgl.float16), 1e3, tgl.float16),
])
def test_promotion_examples(lhs, rhs, want):
    assert (lhs + rhs).dtype == want
    assert (rhs + lhs).dtype == want


def test_true_division_of_integers_gives_float32():
    r = tgl.tensor([1, 2, 3]) / tgl.tensor([2, 2, 2])
    assert r.dtype == tgl.float32
    np.testing.assert_allclose(r.numpy(), [0.5, 1.0, 1.5])
    r = tgl.tensor([3], dtype=tgl.uint8) / -3  # the number is not wrapped to uint8
    assert r.tolist() == [-1.0]


def test_floor_division_and_remainder_follow_python_signs():
    a = tgl.tensor([7, -7, 7, -7])
    b = tgl.tensor([2, 2, -2, -2])
    assert (a // b).tolist() == [3, -4, -4, 3]
    assert (a % b).tolist() == [1, 1, -1, -1]
    assert (a // b).dtype == tgl.int64 and (a % b).dtype == tgl.int64
    assert (-7 % tgl.tensor([3])).tolist() == [2]
    f = tgl.tensor([7.5, -7.5]) % 2
    assert f.dtype == tgl.float32 and f.tolist() == [1.5, 0.5]


@pytest.mark.torch
def test_float_remainder_and_floor_divide_match_pytorch_to_the_bit(torch):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal(2000) * 100).astype(np.float32)
    b = (rng.standard_normal(2000) * 3).astype(np.float32)
    for op in (operator.mod, operator.floordiv, operator.truediv):
        ours = op(tgl.tensor(a), tgl.tensor(b)).numpy()
        theirs = op(torch.from_numpy(a), torch.from_numpy(b)).numpy()
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal((2.5 / tgl.tensor(b)).numpy(),
                                  (2.5 / torch.from_numpy(b)).numpy())


def test_integer_division_by_zero_is_an_error():
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        tgl.tensor([1, 2]) // 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        tgl.tensor([1, 2]) % tgl.tensor([1, 0])
    assert np.isinf((tgl.tensor([1, 2]) / 0).numpy()).all()  # true division: inf


def test_bool_arithmetic_errors_like_pytorch():
    b = tgl.tensor([True, False])
    with pytest.raises(RuntimeError, match="two bool tensors"):
        b - b
    with pytest.raises(RuntimeError, match="logical_not"):
        tgl.tensor([1, 2]) - True
    with pytest.raises(RuntimeError, match="Negation"):
        -b
    with pytest.raises(NotImplementedError, match="Bool"):
        b // b
    with pytest.raises(NotImplementedError, match="Bool"):
        b ** b
    assert (b ** True).dtype == tgl.bool and (b ** 2).dtype == tgl.int64
    assert (b + b).tolist() == [True, False]


def test_integer_to_negative_power_is_an_error():
    with pytest.raises(RuntimeError, match="negative integer powers"):
        tgl.tensor([2, 3]) ** -1
    assert (tgl.tensor([2, 4]) ** -1.0).tolist() == [0.5, 0.25]


def test_numpy_scalars_count_as_python_numbers():
    t = tgl.tensor([1, 2])
    assert (t * np.float64(0.5)).dtype == tgl.float32  # not float64
    assert (t + np.int32(1)).dtype == tgl.int64
    assert (np.float32(2) * tgl.tensor([1.], dtype=tgl.float16)).dtype == tgl.float16


def test_unsupported_operands_defer_to_python():
    t = tgl.tensor([1., 2.])
    assert (t == "text") is False
    assert (t != "text") is True
    with pytest.raises(TypeError, match="unsupported operand"):
        t + "text"
    with pytest.raises(TypeError, match="unsupported operand"):
        t.add(None)
    with pytest.raises(TypeError):
        t < object()

    class Other:
        def __radd__(self, other):
            return "other.__radd__"
    assert t + Other() == "other.__radd__"


def test_dtypes_are_numpy_dtypes():
    assert tgl.float32 is np.dtype(np.float32) or tgl.float32 == np.dtype(np.float32)
    assert tgl.tensor([1.]).dtype == np.float32
    for name in ("float32", "float64", "int64", "int32", "bool", "float16", "uint8"):
        assert tgl.zeros(1, dtype=getattr(tgl, name)).dtype == np.dtype(name)
    assert tgl.zeros(1, dtype="float64").dtype == tgl.float64
    assert tgl.zeros(1, dtype=float).dtype == tgl.float64  # as torch: float means double
    with pytest.raises(TypeError, match="not supported"):
        tgl.zeros(1, dtype="complex64")


@pytest.mark.torch
def test_conversions_match_pytorch(torch):
    values = [1.7, -1.7, 0.0, 2.5, -0.5, 300.0]
    for target in ("int64", "int32", "uint8", "bool", "float16", "float64"):
        ours = tgl.tensor(values).to(getattr(tgl, target))
        theirs = torch.tensor(values).to(getattr(torch, target))
        assert ours.dtype == np.dtype(target)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=target)
    assert tgl.tensor([1, 2]).float().dtype == tgl.float32
    assert tgl.tensor([1, 2]).double().dtype == tgl.float64
    t = tgl.tensor([1., 2.])
    assert t.float() is t and t.to(tgl.float32) is t  # no copy when nothing changes
