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
