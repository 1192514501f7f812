"""Creation functions: shapes, dtypes, values and argument forms as in
PyTorch; random functions are reproducible under `tgl.manual_seed`."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tgl


def _describe(t) -> tuple:
    return str(t.dtype).replace("torch.", ""), tuple(t.shape), t.requires_grad


SHAPED = [
    lambda L: L.zeros(2, 3), lambda L: L.zeros((2, 3)), lambda L: L.zeros([2, 3]),
    lambda L: L.zeros(()), lambda L: L.zeros(size=(2, 3)), lambda L: L.zeros(0, 4),
    lambda L: L.zeros(2, dtype=L.int32), lambda L: L.ones(2, requires_grad=True),
    lambda L: L.ones(3, 1, dtype=L.float64), lambda L: L.ones(size=[4]), lambda L: L.empty(2, 3),
    lambda L: L.empty((1,), dtype=L.int64), lambda L: L.full((2, 3), 1.5),
    lambda L: L.full((2,), 7), lambda L: L.full((2,), True),
    lambda L: L.full([2], 7, dtype=L.float64),
    lambda L: L.full((2,), 2.5, requires_grad=True), lambda L: L.full((), 3),
    lambda L: L.zeros_like(L.ones(2, dtype=L.int32)),
    lambda L: L.ones_like(L.ones(2), dtype=L.float64),
    lambda L: L.empty_like(L.ones(2, 3)), lambda L: L.full_like(L.ones(2, dtype=L.int64), 2.7),
    lambda L: L.full_like(L.ones(2), 2.7, dtype=L.float16),
    lambda L: L.zeros_like(L.ones(2), requires_grad=True),
    lambda L: L.rand_like(L.ones(2, dtype=L.float64)), lambda L: L.randn_like(L.ones(3, 2)),
    lambda L: L.rand(2, 3), lambda L: L.rand((4,)), lambda L: L.randn(2, 3, dtype=L.float64),
    lambda L: L.randn(2, requires_grad=True), lambda L: L.randn(size=(1, 2)),
    lambda L: L.randint(5, (3,)), lambda L: L.randint(2, 5, (3, 2)),
    lambda L: L.randint(0, 5, size=(3,)), lambda L: L.randint(low=0, high=5, size=(3,)),
    lambda L: L.randint(0, 5, (3,), dtype=L.int32),
    lambda L: L.randint(0, 5, (3,), dtype=L.float32),
    lambda L: L.eye(3), lambda L: L.eye(2, 3), lambda L: L.eye(2, m=4, dtype=L.int64),
    lambda L: L.eye(2, requires_grad=True), lambda L: L.eye(0),
]


@pytest.mark.torch
@pytest.mark.parametrize("make", SHAPED, ids=[str(i) for i in range(len(SHAPED))])
def test_shape_dtype_and_flag_match_pytorch(torch, make):
    assert _describe(make(tgl)) == _describe(make(torch))


@pytest.mark.torch
@pytest.mark.parametrize("make", [
    lambda L: L.zeros(2, 3), lambda L: L.ones(2, dtype=L.int32), lambda L: L.full((2,), 2.5),
    lambda L: L.full_like(L.ones(2, dtype=L.int64), 2.7), lambda L: L.full((3,), True),
    lambda L: L.eye(3), lambda L: L.eye(2, 4), lambda L: L.eye(3, 2, dtype=L.bool),
])
def test_constant_values_match_pytorch(torch, make):
    np.testing.assert_array_equal(make(tgl).numpy(), make(torch).detach().numpy())


ARANGES = [
    (5,), (5.,), (1, 2, .3), (5, 0, -1), (0, -1, -.25), (0, 0), (1, 5, 2), (0, 10, 3),
    (-3, 3), (0.5, 3), (0, 1, 0.1), (10, -10, -3), (-2.5, 2.5, 0.5), (1, 1e3, 37.5),
]


@pytest.mark.torch
@pytest.mark.parametrize("args", ARANGES, ids=repr)
def test_arange_matches_pytorch(torch, args):
    ours, theirs = tgl.arange(*args), torch.arange(*args)
    assert _describe(ours) == _describe(theirs)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.torch
def test_arange_keywords_dtypes_and_tensor_arguments(torch):
    for kwargs in ({"end": 4}, {"start": 1, "end": 4}, {"start": 0, "end": 10, "step": 3}):
        assert tgl.arange(**kwargs).tolist() == torch.arange(**kwargs).tolist()
    for dtype in ("float64", "int32", "float16"):
        ours = tgl.arange(0.5, 3, dtype=getattr(tgl, dtype))
        theirs = torch.arange(0.5, 3, dtype=getattr(torch, dtype))
        assert ours.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert tgl.arange(tgl.tensor(3)).tolist() == [0, 1, 2]
    assert tgl.arange(3., requires_grad=True).requires_grad


def test_arange_errors():
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        tgl.arange(0, 5, 0)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        tgl.arange(5, 0, 1)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        tgl.arange(-3)


@pytest.mark.torch
def test_linspace_matches_pytorch_to_the_bit(torch):
    rng = np.random.default_rng(0)
    cases = [(-1, 1, 7), (0, 1, 5), (0, 10, 4), (2, 3, 1), (0, 1, 100), (5, -5, 11),
             (0, 1, 0), (3, 3, 1), (1, 1, 5), (-5, 5, 1000), (0, 1, 2)]
    cases += [(float(rng.normal() * 10), float(rng.normal() * 10), int(rng.integers(2, 60)))
              for _ in range(40)]
    for dtype in ("float32", "float64", "float16", "int64", "int32"):
        for case in cases:
            ours = tgl.linspace(*case, dtype=getattr(tgl, dtype))
            theirs = torch.linspace(*case, dtype=getattr(torch, dtype))
            assert ours.dtype == np.dtype(dtype)
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=f"{case} {dtype}")
    assert tgl.linspace(0, 1, 5).dtype == tgl.float32
    with pytest.raises(RuntimeError, match="non-negative"):
        tgl.linspace(0, 1, -1)


def test_from_numpy_shares_memory_both_ways():
    a = np.zeros(3, dtype=np.float64)
    t = tgl.from_numpy(a)
    assert t.dtype == tgl.float64
    a[0] = 5
    t[1] = 7
    assert t.tolist() == [5., 7., 0.] and a.tolist() == [5., 7., 0.]
    assert tgl.from_numpy(np.arange(3, dtype=np.int32)).dtype == tgl.int32
    with pytest.raises(TypeError, match="numpy.ndarray"):
        tgl.from_numpy([1, 2])


def test_random_values_have_the_right_distribution():
    u = tgl.rand(20000)
    assert 0 <= u.numpy().min() and u.numpy().max() < 1
    assert abs(u.mean().item() - 0.5) < 0.01
    n = tgl.randn(20000, dtype=tgl.float64)
    assert abs(n.mean().item()) < 0.03 and abs(n.std().item() - 1) < 0.03
    r = tgl.randint(2, 5, (2000,))
    assert r.dtype == tgl.int64 and set(r.tolist()) == {2, 3, 4}
    assert set(tgl.randint(3, (500,)).tolist()) == {0, 1, 2}


def test_manual_seed_makes_random_functions_reproducible():
    def draw():
        x = tgl.empty(4)
        with tgl.no_grad():
            x.normal_()
        y = tgl.empty(2).uniform_(-1, 1)
        return (tgl.rand(3).tolist(), tgl.randn(2, 2).tolist(), tgl.randint(0, 100, (5,)).tolist(),
                x.tolist(), y.tolist(), tgl.rand_like(tgl.ones(2)).tolist())
    tgl.manual_seed(1234)
    first = draw()
    tgl.manual_seed(1234)
    assert draw() == first
    tgl.manual_seed(4321)
    assert draw() != first
    g = tgl.Generator().manual_seed(7)
    a = tgl.rand(3, generator=g).tolist()
    g.manual_seed(7)
    assert tgl.rand(3, generator=g).tolist() == a


@pytest.mark.parametrize("make, error, message", [
    (lambda: tgl.zeros(-1), RuntimeError, "non-negative"),
    (lambda: tgl.ones(2, -3), RuntimeError, "non-negative"),
    (lambda: tgl.zeros(2.5), TypeError, "integers"),
    (lambda: tgl.zeros((2, "3")), TypeError, "integers"),
    (lambda: tgl.zeros(2, size=(2,)), TypeError, "not both"),
    (lambda: tgl.rand(2, dtype=tgl.int64), NotImplementedError, "floating point"),
    (lambda: tgl.randint(5, 5, (3,)), RuntimeError, "from=5 >= to=5"),
    (lambda: tgl.randint(5), TypeError, "size"),
    (lambda: tgl.eye(-1), RuntimeError, "non-negative"),
    (lambda: tgl.zeros(2, device="cuda"), NotImplementedError, "CPU"),
])
def test_creation_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.torch
@pytest.mark.parametrize("value", [
    np.int64(3), np.int32(-3), np.uint8(3), np.float16(2.5), np.float64(2.5), np.bool_(True),
    "tensor(2.5, float64)", "tensor(2, int32)", "tensor(True)", "tensor(2.5, float16)",
], ids=repr)
def test_full_dtype_follows_the_kind_of_a_numpy_or_0d_tensor_fill_value(torch, value):
    # PyTorch reads numpy integers as ints (int64), numpy floats -- and numpy
    # bools -- as floats (the default float), a 0-d tensor as a number of its kind
    def fill(L):
        if isinstance(value, str):
            number, dtype = value[len("tensor("):-1].split(", ") + ["bool"] * (value == "tensor(True)")
            return L.tensor(eval(number), dtype=getattr(L, dtype))
        return value
    for make in (lambda L: L.full((2,), fill(L)),
                 lambda L: L.full_like(L.zeros(2, dtype=L.int32), fill(L)),
                 lambda L: L.full_like(L.zeros(2, dtype=L.float16), fill(L))):
        ours, theirs = make(tgl), make(torch)
        assert _describe(ours) == _describe(theirs)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("value", ["tensor([2.5])", "tensor([1, 2])", "array(3)",
                                   "requires_grad", "complex"])
def test_full_rejects_fill_values_that_are_not_numbers(torch, value):
    def fill(L):
        return {"tensor([2.5])": lambda: L.tensor([2.5]), "tensor([1, 2])": lambda: L.tensor([1, 2]),
                "array(3)": lambda: np.array(3), "complex": lambda: 1 + 2j,
                "requires_grad": lambda: L.tensor(2.5, requires_grad=True)}[value]()
    if value != "complex":  # PyTorch has complex dtypes; tinygrad_lite has none
        with pytest.raises(TypeError):
            torch.full((2,), fill(torch))
    for call in (lambda: tgl.full((2,), fill(tgl)), lambda: tgl.full_like(tgl.ones(2), fill(tgl))):
        with pytest.raises(TypeError, match=r"full(_like)?\(\): fill_value must be a number"):
            call()


ARANGE_BAD = [(0, float("inf")), (0, float("nan")), (0, -float("inf")), (float("inf"), 0),
              (float("nan"), 0), (-float("inf"), 0), (0, 5, float("nan")), (0, 5, 0),
              (0, 5, 0.0), (0, 5, -float("inf")), (0, 1e20, 1), (0., 1e20, 1.), (1e300,),
              (0, 5, 1e-300), (float("inf"),), (float("nan"),), (5, 0, 1), (0, 2 ** 62, 1)]


@pytest.mark.torch
@pytest.mark.parametrize("args", ARANGE_BAD, ids=repr)
@pytest.mark.parametrize("dtype", [None, "int64", "int32", "float64", "float16"])
def test_arange_bad_ranges_raise_runtime_error_as_pytorch(torch, args, dtype):
    kwargs = lambda L: {} if dtype is None else {"dtype": getattr(L, dtype)}  # noqa: E731
    with pytest.raises((RuntimeError, ValueError)) as theirs:
        torch.arange(*args, **kwargs(torch))
    with pytest.raises(type(theirs.value)) as ours:
        tgl.arange(*args, **kwargs(tgl))
    message = str(ours.value)
    assert message.startswith("arange(start=") and "; " in message  # values, then what to do
    for phrase in ("step must be nonzero", "unsupported range", "invalid size",
                   "inconsistent with step sign", "without overflow"):
        if phrase in str(theirs.value):
            assert phrase in message
    if "unsupported range" in str(theirs.value):
        assert str(theirs.value) in message  # e.g. "unsupported range: 0 -> inf"


def test_arange_size_errors_explain_and_never_leak_numpy_errors():
    with pytest.raises(RuntimeError, match=r"arange\(start=0, end=inf, step=1\): unsupported "
                                           r"range: 0 -> inf; start and end must be finite"):
        tgl.arange(0, float("inf"))
    with pytest.raises(RuntimeError, match="invalid size, possible overflow.*larger step"):
        tgl.arange(0, 1e20, 1)
    with pytest.raises(RuntimeError, match="2\\*\\*63 bytes"):
        tgl.arange(0, 2 ** 62, dtype=tgl.int32)


@pytest.mark.torch
def test_arange_integer_dtypes_truncate_float_arguments_as_pytorch(torch):
    # int64 truncates start, end and step toward zero, then counts; other
    # integer dtypes take the length from the floats and count from the
    # truncated start by the truncated step -- checked over a grid
    import itertools
    nums = [0, 1, -1, 3, -3, 0.5, -0.5, 1.7, -1.7, 2.5, -3.5, 0.3, 5, -5, 2.9999, 300.5]
    steps = [1, -1, 2, -2, 0.5, -0.5, 1.5, -1.5, 0.9, -0.9, 2.7, 3, 1e-3]
    for dtype in ("int64", "int32", "int16", "uint8"):
        for args in itertools.product(nums, nums, steps):
            try:
                theirs = torch.arange(*args, dtype=getattr(torch, dtype))
            except (RuntimeError, ValueError) as e:
                with pytest.raises(type(e), match=str(e).split(":")[-1].strip()[:20]):
                    tgl.arange(*args, dtype=getattr(tgl, dtype))
                continue
            ours = tgl.arange(*args, dtype=getattr(tgl, dtype))
            assert ours.dtype == np.dtype(dtype), args
            assert ours.tolist() == theirs.tolist(), (dtype, args)
    assert tgl.arange(0, 3.5, dtype=tgl.int64).tolist() == [0, 1, 2]
    assert tgl.arange(1.7, dtype=tgl.int64).tolist() == [0]
    assert tgl.arange(0, 3, 1.5, dtype=tgl.int64).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match=r"step=0.5 truncates to 0 for dtype int64"):
        tgl.arange(0, 3, 0.5, dtype=tgl.int64)
    with pytest.raises(RuntimeError, match="step must be nonzero"):  # both, as cat([])'s error
        tgl.arange(0, 3, 0.5, dtype=tgl.int64)
    # int64 arithmetic wraps as PyTorch's: this range is empty there too
    assert tgl.arange(-2 ** 63, 2 ** 63 - 1, 2 ** 62).tolist() == \
        torch.arange(-2 ** 63, 2 ** 63 - 1, 2 ** 62).tolist() == []
