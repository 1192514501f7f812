"""Op-table entries for the core Tensor operations: arithmetic, elementwise
functions, reductions, movement, indexing, matrix products and in-place
operations recorded on non-leaf tensors (see spec.py for the format).

Value domains keep finite differences meaningful: `_spaced` draws values that
are all distinct (no ties for max/min) and at least 0.1 away from every
multiple of 0.5 (no kinks for relu/abs/clamp when the bounds are such
multiples). What property tests avoid on purpose -- ties, kinks, zeros,
huge inputs -- is tested deterministically in tests/test_ops_edge_cases.py.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

import tinygrad_lite as tgl
from tinygrad_lite.ops import dual
from tinygrad_lite.ops.movement import Pad
from tinygrad_lite.testing.strategies import arrays, floats, mutually_broadcastable_shapes
from tinygrad_lite.testing.strategies import shapes
from .spec import Const, OpEntry, Sample

SIDE = 3  # largest size of a dim: keeps the Jacobians (and the test run) small


# ----------------------------------------------------------------- strategies
def _mostly(typical: st.SearchStrategy, edge: st.SearchStrategy) -> st.SearchStrategy:
    """`typical` two times in three, else `edge`: left alone, Hypothesis
    draws so many 0-d and empty shapes that few examples show a wrong
    gradient (which needs several elements along several dims)."""
    return st.integers(0, 2).flatmap(lambda k: edge if k == 0 else typical)


def _shape(min_dims: int = 0, max_dims: int = 3, min_side: int = 0) -> st.SearchStrategy:
    """Mostly shapes of 1+ dims with sides >= 1; sometimes 0-d or empty."""
    typical = shapes(min_dims=max(min_dims, 1), max_dims=max_dims, min_side=max(min_side, 1),
                     max_side=SIDE)
    return _mostly(typical, shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                   max_side=SIDE))


def _broadcast_shapes(n: int) -> st.SearchStrategy:
    """n mutually broadcastable shapes (mostly non-empty; see `_mostly`)."""
    def draw(min_dims: int, min_side: int) -> st.SearchStrategy:
        return mutually_broadcastable_shapes(n, min_dims=min_dims, min_side=min_side,
                                             max_side=SIDE).map(lambda b: b.input_shapes)
    return _mostly(draw(1, 1), draw(0, 0))


@st.composite
def shapes_broadcasting_to(draw, target: tuple) -> tuple:
    """Shapes that broadcast *to* `target`: a suffix of its dims, each kept
    or replaced by 1."""
    lead = draw(st.integers(0, len(target)))
    return tuple(n if draw(st.booleans()) else 1 for n in target[lead:])


def _array(draw, shape, lo: float = -3.0, hi: float = 3.0, avoid: float = 0.0) -> np.ndarray:
    """Floats in [lo, hi]; with `avoid`, none closer than that to 0."""
    return draw(arrays(shape, elements=floats(lo, hi, min_magnitude=avoid)))


def _spaced_values(draw, n: int) -> np.ndarray:
    """n distinct values 0.1 .. 0.4 above distinct multiples of 0.5: no two
    closer than 0.2, none within 0.1 of a multiple of 0.5 (so of 0)."""
    order = np.array(draw(st.permutations(range(n))), dtype=np.float64)
    jitter = draw(arrays((n,), elements=floats(0.1, 0.4)))
    return (order - n // 2) * 0.5 + jitter


def _spaced(draw, *shps: tuple) -> list:
    """Arrays of the given shapes whose values are all distinct *across*
    the arrays too (see `_spaced_values`)."""
    sizes = [int(np.prod(s, dtype=np.int64)) for s in shps]
    values = _spaced_values(draw, sum(sizes))
    out, start = [], 0
    for s, n in zip(shps, sizes):
        out.append(values[start:start + n].reshape(s))
        start += n
    return out


@st.composite
def unary(draw, lo: float = -3.0, hi: float = 3.0, avoid: float = 0.0, min_dims: int = 0,
          min_side: int = 0, max_dims: int = 3) -> Sample:
    return Sample((_array(draw, _shape(min_dims, max_dims, min_side), lo, hi, avoid),))


@st.composite
def unary_spaced(draw, min_dims: int = 0, min_side: int = 0) -> Sample:
    """One array with distinct values away from kinks (see `_spaced`)."""
    return Sample(tuple(_spaced(draw, draw(_shape(min_dims, 3, min_side)))))


@st.composite
def binary(draw, lo: float = -3.0, hi: float = 3.0, lo2: float | None = None,
           hi2: float | None = None, avoid2: float = 0.0, spaced: bool = False) -> Sample:
    """Two arrays of mutually broadcastable shapes (0-d, size-1 and empty
    dims included). The second may have its own range (`lo2`, `hi2`) and
    stay `avoid2` away from zero; `spaced` makes all values distinct."""
    shps = draw(_broadcast_shapes(2))
    if spaced:
        return Sample(tuple(_spaced(draw, *shps)))
    a = _array(draw, shps[0], lo, hi)
    b = _array(draw, shps[1], lo if lo2 is None else lo2, hi if hi2 is None else hi2, avoid2)
    return Sample((a, b))


@st.composite
def rounded_div_sample(draw) -> Sample:
    """x spaced (see `_spaced`) over y = 0.5 or -0.5 (broadcast shapes): x / y
    stays 0.2 away from every integer, where the rounded quotient jumps."""
    shps = draw(_broadcast_shapes(2))
    (x,) = _spaced(draw, shps[0])
    return Sample((x, np.full(shps[1], draw(st.sampled_from([0.5, -0.5])))))


@st.composite
def with_scalar(draw, lo: float = -3.0, hi: float = 3.0, avoid: float = 0.0,
                scalar_lo: float = -3.0, scalar_hi: float = 3.0,
                integer: bool = False) -> Sample:
    """An array and a Python number (float, or int with ``integer``)."""
    x = _array(draw, _shape(), lo, hi, avoid)
    if integer:
        s = draw(st.integers(int(scalar_lo), int(scalar_hi)))
    else:
        s = draw(floats(scalar_lo, scalar_hi, min_magnitude=1e-3))
    return Sample((x, Const(s)))


def _dim(draw, ndim: int) -> int:
    """A valid dim for `ndim` dims, negative or not (0-d accepts 0 and -1)."""
    top = max(ndim, 1)
    return draw(st.integers(-top, top - 1))


@st.composite
def reduction(draw, dim: str = "int", keepdim: bool = True, min_side: int = 0,
              spaced: bool = False, lo: float = -3.0, hi: float = 3.0,
              min_count: int = 0, max_dims: int = 3) -> Sample:
    """An array and a reduction `dim`: "none" (no dim argument), "int" or
    "tuple" (distinct dims, possibly negative); keepdim drawn as a kwarg.
    Each reduced group holds at least `min_count` elements (1: no empty
    reductions); `spaced` values have no ties."""
    min_dims = 0 if dim in ("none", "int") else 1
    shape = draw(_shape(min_dims, max_dims, min_side))
    x = _spaced(draw, shape)[0] if spaced else _array(draw, shape, lo, hi)
    ndim = x.ndim
    if dim == "none":
        reduced, args = tuple(range(ndim)), (x,)
    elif dim == "int":
        d = _dim(draw, ndim)
        reduced, args = ((d % ndim,) if ndim else ()), (x, Const(d))
    else:
        picked = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
        dims = tuple(d - ndim if draw(st.booleans()) else d for d in picked)
        reduced, args = tuple(picked), (x, Const(dims))
    assume(int(np.prod([x.shape[d] for d in reduced], dtype=np.int64)) >= min_count)
    kwargs = {"keepdim": draw(st.booleans())} if keepdim and dim != "none" else {}
    return Sample(args, kwargs)


def _keep(reference):
    """A numpy reduction taking (x, dim, keepdim=...) like the Tensor method."""
    def ref(x, dim=None, keepdim=False):
        if isinstance(dim, int) and x.ndim == 0:
            dim = None
        return reference(x, axis=dim, keepdims=keepdim)
    return ref


def _std_ref(correction: int):
    def ref(x, dim=None, keepdim=False):
        if isinstance(dim, int) and x.ndim == 0:
            dim = None
        return np.std(x, axis=dim, ddof=correction, keepdims=keepdim)
    return ref


def _var_ref(correction: int):
    def ref(x, dim=None, keepdim=False):
        if isinstance(dim, int) and x.ndim == 0:
            dim = None
        return np.var(x, axis=dim, ddof=correction, keepdims=keepdim)
    return ref


@st.composite
def var_sample(draw, dim: str) -> Sample:
    """var/std input with a `correction` kwarg (0, 1 or 2) and more than
    `correction` (and at least 2) distinct values in each group: a spread,
    so that std stays differentiable."""
    correction = draw(st.sampled_from([0, 1, 2]))
    sample = draw(reduction(dim=dim, spaced=True, min_count=max(2, correction + 1)))
    return Sample(sample.args, {**sample.kwargs, "correction": correction})


# ---------------------------------------------------------------- matmul
@st.composite
def matmul_sample(draw, kind: str) -> Sample:
    """Operands for the calling forms of matmul (sizes may be 0)."""
    n, k, m = (draw(st.integers(0, SIDE)) for _ in range(3))
    if kind == "1d@1d":
        shps = [(k,), (k,)]
    elif kind == "1d@2d":
        shps = [(k,), (k, m)]
    elif kind == "2d@1d":
        shps = [(n, k), (k,)]
    elif kind == "2d@2d":
        shps = [(n, k), (k, m)]
    else:  # batched: broadcast batch dims, sometimes one 1-D operand
        batch = draw(mutually_broadcastable_shapes(2, min_dims=0, max_dims=2,
                                                   max_side=2)).input_shapes
        a_shape, b_shape = batch[0] + (n, k), batch[1] + (k, m)
        form = draw(st.sampled_from(["nd@nd", "1d@nd", "nd@1d"]))
        if form == "1d@nd":
            a_shape = (k,)
            b_shape = (draw(st.integers(1, 2)),) + b_shape if len(b_shape) == 2 else b_shape
        elif form == "nd@1d":
            b_shape = (k,)
            a_shape = (draw(st.integers(1, 2)),) + a_shape if len(a_shape) == 2 else a_shape
        shps = [a_shape, b_shape]
    return Sample(tuple(_array(draw, s) for s in shps))


# ---------------------------------------------------------------- einsum
@st.composite
def einsum_sample(draw, equation: str) -> Sample:
    """Operands for `equation`: letters get random sizes (0 included), and
    each '...' gets broadcastable batch dims."""
    lhs = equation.split("->")[0].split(",")
    sizes = {c: draw(st.integers(0, SIDE)) for c in sorted(set("".join(lhs)) - {"."})}
    if any("..." in s for s in lhs):
        batch = draw(mutually_broadcastable_shapes(len(lhs), max_dims=2, max_side=2)).input_shapes
    else:
        batch = [()] * len(lhs)
    ops = []
    for subs, b in zip(lhs, batch):
        head, _, tail = subs.partition("...")
        shape = tuple(sizes[c] for c in head) + (b if "..." in subs else ()) + tuple(
            sizes[c] for c in tail)
        ops.append(_array(draw, shape))
    return Sample((Const(equation),) + tuple(ops))


def _einsum_entry(equation: str, note: str) -> OpEntry:
    return OpEntry(f"einsum({equation})", lambda eq, *ops: tgl.einsum(eq, *ops),
                   einsum_sample(equation), lambda eq, *ops: np.einsum(eq, *ops),
                   lambda torch, eq, *ops: torch.einsum(eq, *ops), note=note)


# ------------------------------------------------------------- movement
@st.composite
def reshape_sample(draw) -> Sample:
    """An array and a new shape with the same number of elements, maybe
    with one -1."""
    x = _array(draw, draw(_shape()))
    factors = _factorizations(x.size)
    new = list(draw(st.sampled_from(factors)))
    if new and x.size and draw(st.booleans()):
        new[draw(st.integers(0, len(new) - 1))] = -1
    return Sample((x, Const(tuple(new))))


def _factorizations(n: int) -> list:
    """Shapes of up to 3 dims holding n elements (a few with 1s and 0s)."""
    if n == 0:
        return [(0,), (0, 2), (3, 0), (1, 0, 2)]
    out = [(n,), (n, 1), (1, n)] if n > 1 else [(), (1,), (1, 1)]
    for a in range(2, n + 1):
        if n % a == 0:
            out.append((a, n // a))
            for b in range(2, n // a + 1):
                if (n // a) % b == 0:
                    out.append((a, b, n // a // b))
    return out


@st.composite
def permute_sample(draw) -> Sample:
    x = _array(draw, draw(_shape(min_dims=0)))
    order = draw(st.permutations(range(x.ndim)))
    return Sample((x, Const(tuple(d - x.ndim if draw(st.booleans()) else d for d in order))))


@st.composite
def two_dims(draw, min_dims: int = 0) -> Sample:
    x = _array(draw, draw(_shape(min_dims=min_dims)))
    return Sample((x, Const(_dim(draw, x.ndim)), Const(_dim(draw, x.ndim))))


@st.composite
def squeeze_sample(draw, dim: str) -> Sample:
    """Shapes rich in size-1 dims; dim None, an int or a tuple."""
    shape = tuple(draw(st.lists(st.sampled_from([0, 1, 1, 2, 3]), max_size=4)))
    x = _array(draw, shape)
    if dim == "none":
        return Sample((x,))
    if dim == "int":
        return Sample((x, Const(_dim(draw, x.ndim))))
    assume(x.ndim > 0)
    dims = draw(st.lists(st.integers(0, x.ndim - 1), min_size=1, unique=True))
    return Sample((x, Const(tuple(dims))))


@st.composite
def unsqueeze_sample(draw) -> Sample:
    x = _array(draw, draw(_shape()))
    return Sample((x, Const(draw(st.integers(-x.ndim - 1, x.ndim)))))


@st.composite
def expand_sample(draw) -> Sample:
    """An array and a shape it broadcasts to (with -1 kept sizes)."""
    target = draw(_shape(max_dims=4))
    shape = draw(shapes_broadcasting_to(target))
    x = _array(draw, shape)
    lead = len(target) - len(shape)
    sizes = list(target)
    for i, n in enumerate(shape):
        if n == target[lead + i] and draw(st.booleans()):
            sizes[lead + i] = -1
    return Sample((x, Const(tuple(sizes))))


@st.composite
def broadcast_to_sample(draw) -> Sample:
    target = draw(_shape(max_dims=4))
    x = _array(draw, draw(shapes_broadcasting_to(target)))
    return Sample((x, Const(target)))


@st.composite
def repeat_sample(draw) -> Sample:
    x = _array(draw, draw(_shape()))
    extra = draw(st.integers(0 if x.ndim else 1, 4 - x.ndim))
    sizes = tuple(draw(st.integers(0, 2)) for _ in range(x.ndim + extra))
    return Sample((x, Const(sizes)))


@st.composite
def flatten_sample(draw) -> Sample:
    x = _array(draw, draw(_shape(min_dims=1)))
    s = _dim(draw, x.ndim)
    e = _dim(draw, x.ndim)
    if s % x.ndim > e % x.ndim:
        s, e = e, s
    return Sample((x, Const(s), Const(e)))


@st.composite
def unflatten_sample(draw) -> Sample:
    x = _array(draw, draw(_shape(min_dims=1)))
    d = _dim(draw, x.ndim)
    sizes = list(draw(st.sampled_from(_factorizations(x.shape[d]))))
    if sizes and x.shape[d] and draw(st.booleans()):
        sizes[0] = -1
    return Sample((x, Const(d), Const(tuple(sizes) if sizes else (1,))))


@st.composite
def join_sample(draw, stack: bool = False) -> Sample:
    """1-3 arrays that agree except along `dim` (for cat) or everywhere
    (for stack)."""
    base = list(draw(_shape(min_dims=0 if stack else 1)))
    count = draw(st.integers(1, 3))
    ndim_out = len(base) + 1 if stack else len(base)
    d = _dim(draw, ndim_out)
    parts = []
    for _ in range(count):
        shape = list(base)
        if not stack:
            shape[d % len(base)] = draw(st.integers(0, SIDE))
        parts.append(_array(draw, tuple(shape)))
    return Sample((Const(d),) + tuple(parts))


@st.composite
def split_sample(draw, sections: bool) -> Sample:
    x = _array(draw, draw(_shape(min_dims=1)))
    d = _dim(draw, x.ndim)
    n = x.shape[d]
    if sections:
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        sizes = [b - a for a, b in zip([0] + cuts, cuts + [n])]
        return Sample((x, Const(sizes), Const(d)))
    return Sample((x, Const(draw(st.integers(1, max(n, 1) + 1))), Const(d)))


@st.composite
def chunk_sample(draw) -> Sample:
    x = _array(draw, draw(_shape(min_dims=1, min_side=1)))
    return Sample((x, Const(draw(st.integers(1, 4))), Const(_dim(draw, x.ndim))))


@st.composite
def flip_sample(draw) -> Sample:
    x = _array(draw, draw(_shape(min_dims=1)))
    dims = draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=1, max_size=x.ndim,
                         unique_by=lambda d: d % x.ndim))
    return Sample((x, Const(tuple(dims) if len(dims) > 1 or draw(st.booleans()) else dims[0])))


@st.composite
def pad_sample(draw) -> Sample:
    x = _array(draw, draw(_shape(min_dims=1)))
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(x.ndim))
    return Sample((x, Const(pads), Const(draw(st.sampled_from([0.0, -1.5])))))


def _torch_pad(torch, x, pads, value):
    flat = [n for pair in reversed(pads) for n in pair]
    return torch.nn.functional.pad(x, flat, value=value)


# ------------------------------------------------------------- indexing
# Index specs are tuples whose integer arrays become Tensors for us and
# torch tensors for PyTorch, so both sides see the same index.
def _ours(spec):
    return tuple(tgl.tensor(i) if isinstance(i, np.ndarray) else i for i in spec)


def _theirs(torch, spec):
    return tuple(torch.from_numpy(i) if isinstance(i, np.ndarray) else i for i in spec)


@st.composite
def _slice_for(draw, n: int) -> slice:
    """A slice of a dim of size n, bounds possibly negative or out of range
    (steps are positive: PyTorch rejects negative ones, see flip)."""
    start = draw(st.none() | st.integers(-n - 1, n + 1))
    stop = draw(st.none() | st.integers(-n - 1, n + 1))
    return slice(start, stop, draw(st.sampled_from([None, 1, 2])))


@st.composite
def basic_index(draw) -> Sample:
    """ints and slices (positive steps) for some leading dims, optionally an
    Ellipsis followed by items for trailing dims, with None inserted
    anywhere."""
    x = _array(draw, draw(_shape(min_dims=1)))
    k = draw(st.integers(0, x.ndim))
    split = draw(st.integers(0, k)) if draw(st.booleans()) else None
    dims = list(range(k)) if split is None else (
        list(range(split)) + list(range(x.ndim - (k - split), x.ndim)))
    spec = []
    for d in dims:
        n = x.shape[d]
        use_int = n > 0 and draw(st.booleans())
        spec.append(draw(st.integers(-n, n - 1)) if use_int else draw(_slice_for(n)))
    if split is not None:
        spec.insert(split, Ellipsis)
    for _ in range(draw(st.integers(0, 2))):
        spec.insert(draw(st.integers(0, len(spec))), None)
    return Sample((x, Const(tuple(spec))))


@st.composite
def int_array_index(draw, as_list: bool = False) -> Sample:
    """An integer array (often with repeated and negative positions) on dim
    0, or on a later dim after full slices; possibly 2-D."""
    x = _array(draw, draw(_shape(min_dims=1, min_side=1)))
    d = draw(st.integers(0, x.ndim - 1))
    n = x.shape[d]
    idx_shape = draw(st.sampled_from([(draw(st.integers(0, 5)),), (2, 2)]))
    idx = np.array(draw(st.lists(st.integers(-n, n - 1), min_size=int(np.prod(idx_shape)),
                                 max_size=int(np.prod(idx_shape)))), dtype=np.int64)
    idx = idx.reshape(idx_shape)
    if as_list:
        assume(d == 0 and idx.ndim == 1)
        return Sample((x, Const(idx.tolist())))
    return Sample((x, Const((slice(None),) * d + (idx,))))


@st.composite
def repeated_index(draw) -> Sample:
    """A 1-D integer array in which every position appears at least twice."""
    x = _array(draw, draw(_shape(min_dims=1, min_side=1)))
    n = x.shape[0]
    picks = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=3))
    idx = np.array(picks * 2, dtype=np.int64)
    return Sample((x, Const((idx,))))


@st.composite
def mask_index(draw, full: bool) -> Sample:
    """A boolean mask over the whole array (`full`) or over its first dim."""
    x = _array(draw, draw(_shape(min_dims=1)))
    shape = x.shape if full else x.shape[:1]
    mask = draw(arrays(shape, dtype=np.bool_))
    return Sample((x, Const((mask,))))


@st.composite
def mixed_index(draw) -> Sample:
    """Integer arrays with slices, ints, None or Ellipsis around them; two
    integer arrays (adjacent or separated) broadcast together."""
    x = _array(draw, draw(_shape(min_dims=2, min_side=1)))
    n0, n1 = x.shape[0], x.shape[1]
    form = draw(st.sampled_from(["arr,slice", "slice,arr", "arr,arr", "none,arr,ellipsis",
                                 "ellipsis,arr", "arr,int", "arr,slice,arr"]))
    idx0 = np.array(draw(st.lists(st.integers(-n0, n0 - 1), min_size=1, max_size=3)), np.int64)
    idx1 = np.array(draw(st.lists(st.integers(-n1, n1 - 1), min_size=len(idx0),
                                  max_size=len(idx0))), np.int64)
    if form == "arr,slice":
        spec = (idx0, draw(_slice_for(n1)))
    elif form == "slice,arr":
        spec = (draw(_slice_for(n0)), idx1)
    elif form == "arr,arr":
        spec = (idx0, idx1)
    elif form == "none,arr,ellipsis":
        spec = (None, idx0, Ellipsis)
    elif form == "ellipsis,arr":
        nl = x.shape[-1]
        spec = (Ellipsis, np.array(draw(st.lists(st.integers(-nl, nl - 1), min_size=1,
                                                 max_size=3)), np.int64))
    elif form == "arr,int":
        spec = (idx0, draw(st.integers(-n1, n1 - 1)))
    else:
        assume(x.ndim == 3)
        n2 = x.shape[2]
        idx2 = np.array(draw(st.lists(st.integers(-n2, n2 - 1), min_size=len(idx0),
                                      max_size=len(idx0))), np.int64)
        spec = (idx0, slice(None), idx2)
    return Sample((x, Const(spec)))


@st.composite
def index_backward_sample(draw) -> Sample:
    """The gradient arriving at an indexing (shaped like x[index]), x's
    shape and the index (repeated positions, masks and slices mixed)."""
    sample = draw(st.one_of(repeated_index(), int_array_index(), mixed_index(),
                            mask_index(full=False), basic_index()))
    x, spec = sample.args[0], sample.args[1].value
    return Sample((_array(draw, x[spec].shape), Const(x.shape), Const(spec)))


def _index_backward(g, shape, spec):
    """d(x[index])/dx applied to g: IndexAdd, as a function of g."""
    x = tgl.zeros(shape, dtype=g.dtype, requires_grad=True)
    return tgl.autograd.grad(x[_ours(spec)], x, g, create_graph=True)[0]


def _index_backward_torch(torch, g, shape, spec):
    x = torch.zeros(shape, dtype=g.dtype, requires_grad=True)
    return torch.autograd.grad(x[_theirs(torch, spec)], x, g, create_graph=True)[0]


def _index_backward_ref(g, shape, spec):
    out = np.zeros(shape)
    np.add.at(out, spec, g)
    return out


def _getitem_entry(name: str, strategy: st.SearchStrategy, note: str = "") -> OpEntry:
    return OpEntry(name, lambda x, spec: x[_ours(spec)], strategy,
                   lambda x, spec: x[spec],
                   lambda torch, x, spec: x[_theirs(torch, spec)], note=note)


@st.composite
def index_put_sample(draw) -> Sample:
    """x, a value broadcastable to x[index], and an index without repeated
    positions (which value wins on repeats is unspecified in PyTorch)."""
    x = _array(draw, draw(_shape(min_dims=1, min_side=1)))
    kind = draw(st.sampled_from(["int", "slice", "array", "mask"]))
    n = x.shape[0]
    if kind == "int":
        spec = (draw(st.integers(-n, n - 1)),)
    elif kind == "slice":
        spec = (draw(_slice_for(n)),)
    elif kind == "array":
        spec = (np.array(draw(st.lists(st.integers(0, n - 1), max_size=n, unique=True)),
                         np.int64),)
    else:
        spec = (draw(arrays(x.shape, dtype=np.bool_)),)
    target = np.empty(x.shape)[spec].shape
    value = _array(draw, draw(shapes_broadcasting_to(target)))
    return Sample((x, value, Const(spec)))


def _index_put(x, value, spec):
    y = x.clone()
    y[_ours(spec)] = value
    return y


def _index_put_torch(torch, x, value, spec):
    y = x.clone()
    y[_theirs(torch, spec)] = value
    return y


def _index_put_ref(x, value, spec):
    y = x.copy()
    y[spec] = value
    return y


# ------------------------------------------------------------- in-place
@st.composite
def inplace_sample(draw, lo2: float = -3.0, hi2: float = 3.0, avoid2: float = 0.0,
                   scalar_other: bool = False) -> Sample:
    """x and an operand that broadcasts to x's shape (in-place ops keep the
    shape of the tensor they change)."""
    x = _array(draw, draw(_shape()))
    if scalar_other:
        return Sample((x, Const(draw(floats(lo2, hi2, min_magnitude=max(avoid2, 1e-3))))))
    other = _array(draw, draw(shapes_broadcasting_to(x.shape)),
                   lo2, hi2, avoid2)
    return Sample((x, other))


def _on_nonleaf(method: str, **kwargs):
    """``y = x * 1; y.<method>(other)``: the in-place op recorded on a
    non-leaf, as a function of x and other."""
    def fn(x, other):
        y = x * 1
        getattr(y, method)(other, **kwargs)
        return y
    return fn


def _on_nonleaf_torch(method: str, **kwargs):
    def fn(torch, x, other):
        y = x * 1
        getattr(y, method)(other, **kwargs)
        return y
    return fn


def _iadd(x, other):
    y = x * 2
    y += other
    return y


def _isub(x, other):
    y = x * 2
    y -= other
    return y


def _imul(x, other):
    y = x * 2
    y *= other
    return y


def _itruediv(x, other):
    y = x * 2
    y /= other
    return y


def _clamp_(x):
    y = x * 1
    y.clamp_(-0.5, 1.0)
    return y


def _zero_(x):
    y = x * 3
    y.zero_()
    return y + x


def _fill_(x, value):
    y = x * 1
    y.fill_(value)
    return y * x


def _copy_(x, src):
    y = x * 1
    y.copy_(src)
    return y


# ------------------------------------------- elementwise and reduce helpers
@st.composite
def clamp_tensor_sample(draw) -> Sample:
    """x and tensor bounds that broadcast to x's shape (PyTorch's backward
    cannot un-broadcast x itself), min only, max only, or both."""
    shape = draw(_shape())
    x, lo, hi = _spaced(draw, shape, draw(shapes_broadcasting_to(shape)),
                        draw(shapes_broadcasting_to(shape)))
    form = draw(st.sampled_from(["both", "min", "max"]))
    if form == "min":
        return Sample((x, lo, Const(None)))
    if form == "max":
        return Sample((x, Const(None), hi))
    return Sample((x, lo, hi))


def _np_clamp(x, lo=None, hi=None):
    out = x
    if lo is not None:
        out = np.maximum(out, lo)
    if hi is not None:
        out = np.minimum(out, hi)
    return out


def _np_max_dim(fn, arg):
    def ref(x, dim, keepdim=False):
        if x.ndim == 0:
            return x, np.array(0)
        return (fn(x, axis=dim, keepdims=keepdim),
                np.expand_dims(arg(x, axis=dim), dim) if keepdim else arg(x, axis=dim))
    return ref


def _np_logsumexp(x, dim, keepdim=False):
    if x.ndim == 0:
        return x.copy()
    m = np.max(x, axis=dim, keepdims=True) if x.size else 0.0
    with np.errstate(divide="ignore"):  # log(0) = -inf: the logsumexp of nothing
        out = np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=dim)


_np_erf = np.vectorize(math.erf, otypes=[np.float64])


def _np_gelu(x, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + _np_erf(x / math.sqrt(2)))


def _np_softplus(x, beta=1.0, threshold=20.0):
    return np.where(x * beta > threshold, x, np.logaddexp(0, x * beta) / beta)


def _np_split(x, size_or_sections, dim):
    if isinstance(size_or_sections, int):
        edges = list(range(size_or_sections, x.shape[dim], size_or_sections))
    else:
        edges = [int(e) for e in np.cumsum(size_or_sections)[:-1]]
    return tuple(np.split(x, edges, axis=dim))


def _np_chunk(x, chunks, dim):
    n = x.shape[dim]
    size = -(-n // chunks)
    return _np_split(x, size, dim)


def _np_flatten(x, start, end):
    s, e = start % x.ndim, end % x.ndim
    return x.reshape(x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:])


def _np_repeat(x, sizes):
    return np.tile(x.reshape((1,) * (len(sizes) - x.ndim) + x.shape), sizes)


def _np_squeeze(x, dim=None):
    if dim is None:
        return np.squeeze(x)
    dims = dim if isinstance(dim, tuple) else (dim,)
    dims = tuple(d % max(x.ndim, 1) for d in dims) if x.ndim else ()
    return np.squeeze(x, axis=tuple(d for d in dims if x.shape[d] == 1))


@st.composite
def where_sample(draw, scalar_other: bool = False) -> Sample:
    """A bool condition and one or two arrays, all mutually broadcastable."""
    shps = draw(_broadcast_shapes(2 if scalar_other else 3))
    cond = draw(arrays(shps[0], dtype=np.bool_))
    return Sample((Const(cond),) + tuple(_array(draw, s) for s in shps[1:]))


# ================================================================ entries

ELEMENTWISE = [
    # arithmetic
    OpEntry("add", lambda a, b: a + b, binary(), np.add, lambda torch, a, b: a + b),
    OpEntry("sub", lambda a, b: a - b, binary(), np.subtract, lambda torch, a, b: a - b),
    OpEntry("mul", lambda a, b: a * b, binary(), np.multiply, lambda torch, a, b: a * b),
    OpEntry("div", lambda a, b: a / b, binary(avoid2=0.3), np.divide,
            lambda torch, a, b: a / b),
    OpEntry("add(alpha)", lambda a, b: a.add(b, alpha=-2.5), binary(),
            lambda a, b: a - 2.5 * b, lambda torch, a, b: a.add(b, alpha=-2.5)),
    OpEntry("sub(alpha)", lambda a, b: tgl.sub(a, b, alpha=0.5), binary(),
            lambda a, b: a - 0.5 * b, lambda torch, a, b: torch.sub(a, b, alpha=0.5)),
    OpEntry("neg", lambda x: -x, unary(), np.negative, lambda torch, x: -x),
    OpEntry("neg(function)", lambda x: tgl.neg(x), unary(), np.negative,
            lambda torch, x: torch.neg(x)),
    OpEntry("scalar+x", lambda x, s: s + x, with_scalar(), lambda x, s: s + x,
            lambda torch, x, s: s + x),
    OpEntry("x-scalar", lambda x, s: x - s, with_scalar(), lambda x, s: x - s,
            lambda torch, x, s: x - s),
    OpEntry("scalar-x", lambda x, s: s - x, with_scalar(), lambda x, s: s - x,
            lambda torch, x, s: s - x),
    OpEntry("scalar*x", lambda x, s: s * x, with_scalar(), lambda x, s: s * x,
            lambda torch, x, s: s * x),
    OpEntry("x*int", lambda x, s: x * s, with_scalar(integer=True), lambda x, s: x * s,
            lambda torch, x, s: x * s),
    OpEntry("x/scalar", lambda x, s: x / s, with_scalar(), lambda x, s: x / s,
            lambda torch, x, s: x / s),
    OpEntry("scalar/x", lambda x, s: s / x, with_scalar(avoid=0.3), lambda x, s: s / x,
            lambda torch, x, s: s / x),
    OpEntry("x**int", lambda x, s: x ** s, with_scalar(scalar_lo=-2, scalar_hi=3, avoid=0.3,
                                                        integer=True),
            lambda x, s: x ** float(s), lambda torch, x, s: x ** s),
    OpEntry("x**float", lambda x, s: x ** s, with_scalar(lo=0.2, hi=3, scalar_lo=-2.5,
                                                          scalar_hi=2.5),
            np.power, lambda torch, x, s: x ** s),
    OpEntry("pow(x,0.5)", lambda x: tgl.pow(x, 0.5), unary(lo=0.2, hi=3), np.sqrt,
            lambda torch, x: torch.pow(x, 0.5)),
    OpEntry("scalar**x", lambda x, s: s ** x, with_scalar(scalar_lo=0.2, scalar_hi=3),
            lambda x, s: s ** x, lambda torch, x, s: s ** x),
    # exponent kept off 0: there the gradient for x is masked to 0 (as in
    # PyTorch, so 0 * 0**-1 gives no NaN), which hides its y-derivative
    OpEntry("x**tensor", lambda a, b: a ** b, binary(lo=0.2, hi=3, lo2=-2, hi2=2, avoid2=0.05),
            np.power, lambda torch, a, b: a ** b),
    OpEntry("pow(x,tensor)", lambda a, b: a.pow(b),
            binary(lo=0.2, hi=2.5, lo2=-2, hi2=2, avoid2=0.05), np.power,
            lambda torch, a, b: a.pow(b)),
    # pointwise functions
    OpEntry("exp", lambda x: x.exp(), unary(), np.exp, lambda torch, x: x.exp()),
    OpEntry("log", lambda x: x.log(), unary(lo=0.1, hi=4), np.log, lambda torch, x: x.log()),
    OpEntry("sqrt", lambda x: tgl.sqrt(x), unary(lo=0.1, hi=4), np.sqrt,
            lambda torch, x: torch.sqrt(x)),
    OpEntry("abs", lambda x: x.abs(), unary_spaced(), np.abs, lambda torch, x: x.abs()),
    OpEntry("sin", lambda x: x.sin(), unary(), np.sin, lambda torch, x: x.sin()),
    OpEntry("cos", lambda x: tgl.cos(x), unary(), np.cos, lambda torch, x: torch.cos(x)),
    OpEntry("tanh", lambda x: x.tanh(), unary(), np.tanh, lambda torch, x: x.tanh()),
    OpEntry("sigmoid", lambda x: x.sigmoid(), unary(lo=-6, hi=6),
            lambda x: 1 / (1 + np.exp(-x)), lambda torch, x: x.sigmoid(), ref_rtol=1e-6),
    OpEntry("relu", lambda x: x.relu(), unary_spaced(), lambda x: np.maximum(x, 0),
            lambda torch, x: x.relu()),
    OpEntry("square", lambda x: x.square(), unary(), np.square, lambda torch, x: x.square()),
    # Piecewise constant: zero gradients, checked away from the jumps
    # (spaced values stay 0.1 from every multiple of 0.5).
    OpEntry("floor", lambda x: x.floor(), unary_spaced(), np.floor, lambda torch, x: x.floor()),
    OpEntry("ceil", lambda x: tgl.ceil(x), unary_spaced(), np.ceil, lambda torch, x: x.ceil()),
    OpEntry("trunc", lambda x: x.trunc(), unary_spaced(), np.trunc, lambda torch, x: x.trunc()),
    OpEntry("round", lambda x: x.round(), unary_spaced(), np.round, lambda torch, x: x.round()),
    OpEntry("sign", lambda x: x.sign(), unary_spaced(), np.sign, lambda torch, x: x.sign()),
    OpEntry("div(rounding_mode=floor)", lambda x, y: x.div(y, rounding_mode="floor"),
            rounded_div_sample(), np.floor_divide,
            lambda torch, x, y: x.div(y, rounding_mode="floor")),
    OpEntry("div(rounding_mode=trunc)", lambda x, y: x.div(y, rounding_mode="trunc"),
            rounded_div_sample(), lambda x, y: np.trunc(x / y),
            lambda torch, x, y: x.div(y, rounding_mode="trunc")),
    OpEntry("reciprocal", lambda x: x.reciprocal(), unary(avoid=0.3), np.reciprocal,
            lambda torch, x: x.reciprocal()),
    OpEntry("clamp(min,max)", lambda x: x.clamp(-0.5, 1.0), unary_spaced(),
            lambda x: np.clip(x, -0.5, 1.0), lambda torch, x: x.clamp(-0.5, 1.0)),
    OpEntry("clamp(min)", lambda x: x.clamp(min=0.5), unary_spaced(),
            lambda x: np.maximum(x, 0.5), lambda torch, x: x.clamp(min=0.5)),
    OpEntry("clamp(max)", lambda x: tgl.clamp(x, max=-1.0), unary_spaced(),
            lambda x: np.minimum(x, -1.0), lambda torch, x: torch.clamp(x, max=-1.0)),
    OpEntry("clamp(int bounds)", lambda x: x.clamp(-1, 2), unary_spaced(),
            lambda x: np.clip(x, -1, 2), lambda torch, x: x.clamp(-1, 2)),
    OpEntry("clip", lambda x: tgl.clip(x, -1.5, 0.5), unary_spaced(),
            lambda x: np.clip(x, -1.5, 0.5), lambda torch, x: torch.clip(x, -1.5, 0.5)),
    OpEntry("clamp(tensor bounds)", lambda x, lo, hi: x.clamp(lo, hi), clamp_tensor_sample(),
            _np_clamp, lambda torch, x, lo, hi: x.clamp(lo, hi)),
    OpEntry("maximum", lambda a, b: a.maximum(b), binary(spaced=True), np.maximum,
            lambda torch, a, b: a.maximum(b)),
    OpEntry("minimum", lambda a, b: tgl.minimum(a, b), binary(spaced=True), np.minimum,
            lambda torch, a, b: torch.minimum(a, b)),
    OpEntry("max(other)", lambda a, b: a.max(b), binary(spaced=True), np.maximum,
            lambda torch, a, b: a.max(b)),
    OpEntry("leaky_relu", lambda x: x.leaky_relu(), unary_spaced(),
            lambda x: np.where(x > 0, x, 0.01 * x),
            lambda torch, x: torch.nn.functional.leaky_relu(x)),
    OpEntry("leaky_relu(slope)", lambda x: tgl.leaky_relu(x, 0.3), unary_spaced(),
            lambda x: np.where(x > 0, x, 0.3 * x),
            lambda torch, x: torch.nn.functional.leaky_relu(x, 0.3)),
    OpEntry("gelu", lambda x: x.gelu(), unary(lo=-5, hi=5), _np_gelu,
            lambda torch, x: torch.nn.functional.gelu(x), ref_rtol=1e-12),
    OpEntry("gelu(tanh)", lambda x: tgl.gelu(x, approximate="tanh"), unary(lo=-5, hi=5),
            lambda x: _np_gelu(x, "tanh"),
            lambda torch, x: torch.nn.functional.gelu(x, approximate="tanh")),
    OpEntry("softplus", lambda x: x.softplus(), unary(lo=-5, hi=5), _np_softplus,
            lambda torch, x: torch.nn.functional.softplus(x)),
    OpEntry("softplus(beta,threshold)", lambda x: tgl.softplus(x, beta=2.0, threshold=3.0),
            unary(lo=-3, hi=3).filter(lambda s: np.all(np.abs(s.args[0] * 2 - 3) > 1e-2)),
            lambda x: _np_softplus(x, 2.0, 3.0),
            lambda torch, x: torch.nn.functional.softplus(x, beta=2.0, threshold=3.0)),
    OpEntry("log1p", lambda x: x.log1p(), unary(lo=-0.8, hi=3), np.log1p,
            lambda torch, x: x.log1p()),
    OpEntry("expm1", lambda x: tgl.expm1(x), unary(), np.expm1, lambda torch, x: x.expm1()),
    OpEntry("erf", lambda x: dual.erf(x), unary(), _np_erf, lambda torch, x: torch.erf(x),
            ref_rtol=1e-14, note="internal (used by gelu); no public Tensor.erf"),
    OpEntry("where", lambda c, a, b: tgl.where(c, a, b), where_sample(), np.where,
            lambda torch, c, a, b: torch.where(c, a, b)),
    OpEntry("where(method)", lambda c, a, b: a.where(c, b), where_sample(), np.where,
            lambda torch, c, a, b: a.where(c, b)),
    OpEntry("where(scalar other)", lambda c, a: tgl.where(c, a, 0.5),
            where_sample(scalar_other=True), lambda c, a: np.where(c, a, 0.5),
            lambda torch, c, a: torch.where(c, a, 0.5)),
    OpEntry("clone", lambda x: x.clone(), unary(), np.copy, lambda torch, x: x.clone()),
    OpEntry("to(float32)", lambda x: x.to(tgl.float32), unary(lo=-4e-3, hi=4e-3),
            lambda x: x.astype(np.float32), lambda torch, x: x.to(torch.float32),
            gradgrad=False, ref_rtol=1e-6, ref_atol=1e-9,
            note="float32 rounding spoils finite differences; values kept tiny so it "
                 "stays below rtol; double backward checked in test_ops_edge_cases"),
]


MATMUL = [
    OpEntry(f"matmul({kind})", lambda a, b: a @ b, matmul_sample(kind), np.matmul,
            lambda torch, a, b: a @ b, ref_rtol=1e-12)
    for kind in ("1d@1d", "1d@2d", "2d@1d", "2d@2d", "batched")
] + [
    OpEntry("matmul(function)", lambda a, b: tgl.matmul(a, b), matmul_sample("batched"),
            np.matmul, lambda torch, a, b: torch.matmul(a, b), ref_rtol=1e-12),
]

EINSUM = [
    _einsum_entry("ij,jk->ik", "matrix product"),
    _einsum_entry("bij,bjk->bik", "batched matrix product"),
    _einsum_entry("ii", "trace (implicit output: a 0-d result)"),
    _einsum_entry("ii->i", "diagonal"),
    _einsum_entry("i,j->ij", "outer product"),
    _einsum_entry("...ij,...jk->...ik", "ellipsis with broadcast batch dims"),
    _einsum_entry("ij,jk", "implicit output (alphabetical free letters)"),
    _einsum_entry("ij->", "sum of all"),
    _einsum_entry("ijk->kji", "permutation"),
    _einsum_entry("ij,jk,kl->il", "three operands"),
    _einsum_entry("bi,bi->b", "batched dot product"),
]


REDUCE = [
    OpEntry("sum()", lambda x: x.sum(), reduction("none"), np.sum, lambda torch, x: x.sum()),
    OpEntry("sum(dim)", lambda x, d, keepdim: x.sum(d, keepdim=keepdim), reduction("int"),
            _keep(np.sum), lambda torch, x, d, keepdim: x.sum(d, keepdim=keepdim)),
    OpEntry("sum(tuple)", lambda x, d, keepdim: tgl.sum(x, dim=d, keepdim=keepdim),
            reduction("tuple"), _keep(np.sum),
            lambda torch, x, d, keepdim: torch.sum(x, dim=d, keepdim=keepdim)),
    OpEntry("sum(axis,keepdims)", lambda x, d, keepdim: x.sum(axis=d, keepdims=keepdim),
            reduction("tuple"), _keep(np.sum),
            lambda torch, x, d, keepdim: x.sum(dim=d, keepdim=keepdim)),
    OpEntry("mean()", lambda x: x.mean(), reduction("none", min_count=1), np.mean,
            lambda torch, x: x.mean()),
    OpEntry("mean(dim)", lambda x, d, keepdim: x.mean(d, keepdim=keepdim),
            reduction("int", min_count=1), _keep(np.mean),
            lambda torch, x, d, keepdim: x.mean(d, keepdim=keepdim)),
    OpEntry("mean(tuple)", lambda x, d, keepdim: tgl.mean(x, d, keepdim),
            reduction("tuple", min_count=1), _keep(np.mean),
            lambda torch, x, d, keepdim: torch.mean(x, d, keepdim)),
    OpEntry("var()", lambda x, correction: x.var(correction=correction), var_sample("none"),
            lambda x, correction: np.var(x, ddof=correction),
            lambda torch, x, correction: x.var(correction=correction)),
    OpEntry("var(dim)", lambda x, d, keepdim, correction: x.var(d, keepdim=keepdim,
                                                               correction=correction),
            var_sample("int"), lambda x, d, keepdim, correction: _var_ref(correction)(
                x, d, keepdim),
            lambda torch, x, d, keepdim, correction: x.var(d, keepdim=keepdim,
                                                           correction=correction)),
    OpEntry("var(tuple)", lambda x, d, keepdim, correction: tgl.var(
        x, d, keepdim=keepdim, correction=correction), var_sample("tuple"),
        lambda x, d, keepdim, correction: _var_ref(correction)(x, d, keepdim),
        lambda torch, x, d, keepdim, correction: torch.var(x, d, keepdim=keepdim,
                                                           correction=correction)),
    OpEntry("var(unbiased=False)", lambda x, d: x.var(d, unbiased=False),
            reduction("int", keepdim=False, spaced=True, min_count=1),
            lambda x, d: _var_ref(0)(x, d), lambda torch, x, d: x.var(d, unbiased=False)),
    OpEntry("std()", lambda x, correction: x.std(correction=correction), var_sample("none"),
            lambda x, correction: np.std(x, ddof=correction),
            lambda torch, x, correction: x.std(correction=correction)),
    OpEntry("std(dim)", lambda x, d, keepdim, correction: x.std(d, keepdim=keepdim,
                                                               correction=correction),
            var_sample("int"), lambda x, d, keepdim, correction: _std_ref(correction)(
                x, d, keepdim),
            lambda torch, x, d, keepdim, correction: x.std(d, keepdim=keepdim,
                                                           correction=correction)),
    OpEntry("std(tuple,unbiased)", lambda x, d, keepdim: tgl.std(x, d, True, keepdim),
            reduction("tuple", spaced=True, min_count=2),
            lambda x, d, keepdim: _std_ref(1)(x, d, keepdim),
            lambda torch, x, d, keepdim: torch.std(x, d, True, keepdim)),
    OpEntry("amax(dim)", lambda x, d, keepdim: x.amax(d, keepdim=keepdim),
            reduction("int", spaced=True, min_count=1), _keep(np.amax),
            lambda torch, x, d, keepdim: x.amax(d, keepdim=keepdim)),
    OpEntry("amax(tuple)", lambda x, d, keepdim: tgl.amax(x, d, keepdim),
            reduction("tuple", spaced=True, min_count=1), _keep(np.amax),
            lambda torch, x, d, keepdim: torch.amax(x, d, keepdim)),
    OpEntry("amax()", lambda x: x.amax(), reduction("none", spaced=True, min_count=1),
            np.amax, lambda torch, x: x.amax()),
    OpEntry("amin(dim)", lambda x, d, keepdim: x.amin(d, keepdim=keepdim),
            reduction("int", spaced=True, min_count=1), _keep(np.amin),
            lambda torch, x, d, keepdim: x.amin(d, keepdim=keepdim)),
    OpEntry("amin(tuple)", lambda x, d, keepdim: x.amin(dim=d, keepdim=keepdim),
            reduction("tuple", spaced=True, min_count=1), _keep(np.amin),
            lambda torch, x, d, keepdim: x.amin(dim=d, keepdim=keepdim)),
    OpEntry("max()", lambda x: x.max(), reduction("none", spaced=True, min_count=1),
            np.max, lambda torch, x: x.max()),
    OpEntry("min()", lambda x: tgl.min(x), reduction("none", spaced=True,
                                                     min_count=1),
            np.min, lambda torch, x: torch.min(x)),
    OpEntry("max(dim)", lambda x, d, keepdim: tuple(x.max(d, keepdim=keepdim)),
            reduction("int", spaced=True, min_count=1),
            _np_max_dim(np.max, np.argmax),
            lambda torch, x, d, keepdim: tuple(x.max(d, keepdim=keepdim))),
    OpEntry("min(dim)", lambda x, d, keepdim: tuple(tgl.min(x, d, keepdim)),
            reduction("int", spaced=True, min_count=1),
            _np_max_dim(np.min, np.argmin),
            lambda torch, x, d, keepdim: tuple(torch.min(x, d, keepdim))),
    OpEntry("max(dim).values", lambda x, d: x.max(dim=d).values,
            reduction("int", keepdim=False, spaced=True, min_count=1),
            lambda x, d: _np_max_dim(np.max, np.argmax)(x, d)[0],
            lambda torch, x, d: x.max(dim=d).values),
    OpEntry("logsumexp(dim)", lambda x, d, keepdim: x.logsumexp(d, keepdim=keepdim),
            reduction("int"), _np_logsumexp,
            lambda torch, x, d, keepdim: x.logsumexp(d, keepdim=keepdim)),
    OpEntry("logsumexp(tuple)", lambda x, d, keepdim: tgl.logsumexp(x, d, keepdim),
            reduction("tuple"), _np_logsumexp,
            lambda torch, x, d, keepdim: torch.logsumexp(x, d, keepdim)),
    # |x| <= 1.6 keeps products moderate (finite differences of huge values
    # drown in rounding); zeros are frequent, exercising the exact zero path
    OpEntry("prod()", lambda x: x.prod(), reduction("none", lo=-1.6, hi=1.6, max_dims=2),
            np.prod, lambda torch, x: x.prod()),
    OpEntry("prod(dim)", lambda x, d, keepdim: x.prod(d, keepdim=keepdim),
            reduction("int", lo=-1.6, hi=1.6),
            _keep(np.prod), lambda torch, x, d, keepdim: x.prod(d, keepdim=keepdim)),
]


MOVEMENT = [
    OpEntry("reshape", lambda x, s: x.reshape(s), reshape_sample(),
            lambda x, s: x.reshape(s), lambda torch, x, s: x.reshape(s)),
    OpEntry("reshape(*sizes)", lambda x, s: x.reshape(*s),
            reshape_sample().filter(lambda s: len(s.args[1].value) > 0),
            lambda x, s: x.reshape(s), lambda torch, x, s: x.reshape(*s)),
    OpEntry("view", lambda x, s: x.view(s), reshape_sample(), lambda x, s: x.reshape(s),
            lambda torch, x, s: x.view(s)),
    OpEntry("flatten()", lambda x: x.flatten(), unary(), np.ravel,
            lambda torch, x: x.flatten()),
    OpEntry("flatten(start,end)", lambda x, s, e: tgl.flatten(x, s, e), flatten_sample(),
            _np_flatten, lambda torch, x, s, e: torch.flatten(x, s, e)),
    OpEntry("unflatten", lambda x, d, sizes: x.unflatten(d, sizes), unflatten_sample(),
            None, lambda torch, x, d, sizes: x.unflatten(d, sizes)),
    OpEntry("transpose", lambda x, a, b: x.transpose(a, b), two_dims(),
            lambda x, a, b: np.swapaxes(x, a, b) if x.ndim else x,
            lambda torch, x, a, b: x.transpose(a, b)),
    OpEntry("permute", lambda x, order: x.permute(order), permute_sample(),
            lambda x, order: np.transpose(x, tuple(d % x.ndim for d in order)) if x.ndim else x,
            lambda torch, x, order: x.permute(order)),
    OpEntry("permute(*dims)", lambda x, order: x.permute(*order) if order else x.permute(()),
            permute_sample(),
            None, lambda torch, x, order: x.permute(*order) if order else x.permute(())),
    OpEntry("permute(function)", lambda x, order: tgl.permute(x, order), permute_sample(),
            None, lambda torch, x, order: torch.permute(x, order)),
    # PyTorch's x.T warns for ndim != 2; permute gives the same result quietly
    OpEntry("T", lambda x: x.T, unary(), np.transpose,
            lambda torch, x: x.permute(tuple(reversed(range(x.ndim))))),
    OpEntry("squeeze()", lambda x: x.squeeze(), squeeze_sample("none"), _np_squeeze,
            lambda torch, x: x.squeeze()),
    OpEntry("squeeze(dim)", lambda x, d: x.squeeze(d), squeeze_sample("int"), _np_squeeze,
            lambda torch, x, d: x.squeeze(d)),
    OpEntry("squeeze(tuple)", lambda x, d: tgl.squeeze(x, d), squeeze_sample("tuple"),
            _np_squeeze, lambda torch, x, d: torch.squeeze(x, d)),
    OpEntry("unsqueeze", lambda x, d: x.unsqueeze(d), unsqueeze_sample(), np.expand_dims,
            lambda torch, x, d: x.unsqueeze(d)),
    OpEntry("expand", lambda x, s: x.expand(*s),
            expand_sample().filter(lambda s: len(s.args[1].value) > 0), None,
            lambda torch, x, s: x.expand(*s)),
    OpEntry("broadcast_to", lambda x, s: tgl.broadcast_to(x, s), broadcast_to_sample(),
            np.broadcast_to, lambda torch, x, s: torch.broadcast_to(x, s)),
    OpEntry("repeat", lambda x, s: x.repeat(*s), repeat_sample(), _np_repeat,
            lambda torch, x, s: x.repeat(*s)),
    OpEntry("flip", lambda x, d: x.flip(d), flip_sample(), lambda x, d: np.flip(x, d),
            lambda torch, x, d: x.flip(d if isinstance(d, tuple) else (d,))),
    OpEntry("cat", lambda d, *ts: tgl.cat(list(ts), d), join_sample(),
            lambda d, *xs: np.concatenate(xs, d), lambda torch, d, *ts: torch.cat(ts, d)),
    OpEntry("cat(dim=)", lambda d, *ts: tgl.cat(ts, dim=d), join_sample(),
            lambda d, *xs: np.concatenate(xs, d), lambda torch, d, *ts: torch.cat(ts, dim=d)),
    OpEntry("stack", lambda d, *ts: tgl.stack(list(ts), d), join_sample(stack=True),
            lambda d, *xs: np.stack(xs, d), lambda torch, d, *ts: torch.stack(ts, d)),
    OpEntry("split(size)", lambda x, s, d: x.split(s, d), split_sample(sections=False),
            _np_split, lambda torch, x, s, d: x.split(s, d)),
    OpEntry("split(sections)", lambda x, s, d: tgl.split(x, s, dim=d),
            split_sample(sections=True), _np_split,
            lambda torch, x, s, d: torch.split(x, s, dim=d)),
    OpEntry("chunk", lambda x, c, d: x.chunk(c, d), chunk_sample(), _np_chunk,
            lambda torch, x, c, d: x.chunk(c, d)),
    OpEntry("unbind", lambda x, d: x.unbind(d), two_dims(min_dims=1).map(
        lambda s: Sample(s.args[:2])).filter(lambda s: s.args[0].shape[s.args[1].value] > 0),
        lambda x, d: tuple(np.moveaxis(x, d, 0)), lambda torch, x, d: x.unbind(d)),
    OpEntry("pad", lambda x, pads, value: Pad.apply(x, pads, value), pad_sample(),
            lambda x, pads, value: np.pad(x, pads, constant_values=value), _torch_pad,
            note="the op behind F.pad (constant mode)"),
]


INDEXING = [
    _getitem_entry("getitem(basic)", basic_index(), "ints, slices, None, Ellipsis"),
    _getitem_entry("getitem(int array)", int_array_index(), "integer index Tensors"),
    OpEntry("getitem(list)", lambda x, idx: x[idx], int_array_index(as_list=True),
            lambda x, idx: x[np.array(idx, dtype=np.int64)],
            lambda torch, x, idx: x[idx]),
    _getitem_entry("getitem(repeated)", repeated_index(),
                   "repeated positions accumulate their gradients"),
    _getitem_entry("getitem(bool mask)", mask_index(full=True)),
    _getitem_entry("getitem(bool mask dim0)", mask_index(full=False)),
    _getitem_entry("getitem(mixed)", mixed_index(),
                   "integer arrays with slices/ints/None/Ellipsis"),
    OpEntry("getitem backward", _index_backward, index_backward_sample(), _index_backward_ref,
            _index_backward_torch, note="IndexAdd: scatter-add of the gradient; its own "
                                        "backward is indexing again"),
    OpEntry("index_put", _index_put, index_put_sample(), _index_put_ref, _index_put_torch,
            note="x[index] = value on a non-leaf: IndexPut"),
]


INPLACE = [
    OpEntry("add_(non-leaf)", _on_nonleaf("add_"), inplace_sample(), np.add,
            _on_nonleaf_torch("add_")),
    OpEntry("add_(alpha)", _on_nonleaf("add_", alpha=2.0), inplace_sample(),
            lambda x, o: x + 2.0 * o, _on_nonleaf_torch("add_", alpha=2.0)),
    OpEntry("sub_(non-leaf)", _on_nonleaf("sub_"), inplace_sample(), np.subtract,
            _on_nonleaf_torch("sub_")),
    OpEntry("mul_(non-leaf)", _on_nonleaf("mul_"), inplace_sample(), np.multiply,
            _on_nonleaf_torch("mul_")),
    OpEntry("div_(non-leaf)", _on_nonleaf("div_"), inplace_sample(avoid2=0.3), np.divide,
            _on_nonleaf_torch("div_")),
    OpEntry("mul_(scalar)", _on_nonleaf("mul_"), inplace_sample(scalar_other=True),
            np.multiply, _on_nonleaf_torch("mul_")),
    OpEntry("+=(non-leaf)", _iadd, inplace_sample(), lambda x, o: 2 * x + o,
            lambda torch, x, o: _iadd(x, o)),
    OpEntry("-=(non-leaf)", _isub, inplace_sample(), lambda x, o: 2 * x - o,
            lambda torch, x, o: _isub(x, o)),
    OpEntry("*=(non-leaf)", _imul, inplace_sample(), lambda x, o: 2 * x * o,
            lambda torch, x, o: _imul(x, o)),
    OpEntry("/=(non-leaf)", _itruediv, inplace_sample(avoid2=0.3), lambda x, o: 2 * x / o,
            lambda torch, x, o: _itruediv(x, o)),
    OpEntry("clamp_(non-leaf)", _clamp_, unary_spaced(), lambda x: np.clip(x, -0.5, 1.0),
            lambda torch, x: _clamp_(x)),
    OpEntry("zero_(non-leaf)", _zero_, unary(), lambda x: x.copy(),
            lambda torch, x: _zero_(x)),
    OpEntry("fill_(0-d tensor)", _fill_, st.builds(
        lambda s, v: Sample(s.args + (v,)), unary(), arrays(()),
    ), lambda x, v: v * x, lambda torch, x, v: _fill_(x, v)),
    OpEntry("copy_(non-leaf)", _copy_, inplace_sample(), lambda x, s: np.broadcast_to(
        s, x.shape).copy(), lambda torch, x, s: _copy_(x, s)),
]


ENTRIES = ELEMENTWISE + MATMUL + EINSUM + REDUCE + MOVEMENT + INDEXING + INPLACE
