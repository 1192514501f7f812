"""Op-table entries for the neural-network operations (ops/nn_ops.py and
the differentiable functions of nn.functional); see spec.py for the format.

Every optional argument is drawn (reduction, class weights, ignore_index,
label_smoothing, pos_weight, affine parameters, padding modes, ...), so one
entry covers a function's calling forms. The numpy references are written
from the formulas, independently of the fused implementations. Where a
value domain matters: normalisation inputs are `spaced` (distinct values,
so no group has a near-zero variance whose huge curvature would swamp the
finite differences), l1_loss keeps input and target apart (no kink), and
class-index 'mean' losses keep at least one sample (else the loss is nan).
Edge cases the property tests avoid are tested in tests/nn/.
"""
from __future__ import annotations

import warnings

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

import tinygrad_lite as tgl
import tinygrad_lite.nn.functional as F
from tinygrad_lite.testing.strategies import arrays, floats, mutually_broadcastable_shapes, shapes
from .spec import Const, OpEntry, Sample

SIDE = 3


# ------------------------------------------------------------- helpers
def _array(draw, shape, lo: float = -3.0, hi: float = 3.0) -> np.ndarray:
    return draw(arrays(shape, elements=floats(lo, hi)))


def _spaced(draw, shape) -> np.ndarray:
    """Distinct values at least 0.2 apart (a permutation of a grid, jittered)."""
    n = int(np.prod(shape, dtype=np.int64))
    order = np.array(draw(st.permutations(range(n))), dtype=np.float64)
    jitter = draw(arrays((n,), elements=floats(0.0, 0.1)))
    return ((order - n / 2) * 0.3 + jitter).reshape(shape)


def _maybe(draw, make) -> object:
    """`make()` or Const(None), half the time each."""
    return make() if draw(st.booleans()) else Const(None)


def _logsumexp(x, axis):
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    with np.errstate(invalid="ignore", divide="ignore"):  # empty inputs
        return np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m


# ------------------------------------------------------------- linear
@st.composite
def linear_sample(draw, bias: bool) -> Sample:
    n_in, n_out = draw(st.integers(0, SIDE)), draw(st.integers(1, SIDE))
    lead = draw(shapes(min_dims=0, max_dims=2, min_side=0, max_side=SIDE))
    args = [_array(draw, lead + (n_in,)), _array(draw, (n_out, n_in))]
    if bias:
        args.append(_array(draw, (n_out,)))
    return Sample(tuple(args))


def _np_linear(x, w, b=None):
    out = np.matmul(x, w.T)
    return out if b is None else out + b


# ------------------------------------------------------------- softmax
@st.composite
def dim_sample(draw, min_dims: int = 0) -> Sample:
    x = _array(draw, draw(shapes(min_dims=min_dims, max_dims=3, min_side=0, max_side=SIDE)))
    top = max(x.ndim, 1)
    return Sample((x, Const(draw(st.integers(-top, top - 1)))))


def _np_softmax(x, dim):
    axis = dim if x.ndim else None
    return np.exp(x - _logsumexp(x, axis))


def _np_log_softmax(x, dim):
    axis = dim if x.ndim else None
    return x - _logsumexp(x, axis)


# --------------------------------------------------- class-index losses
@st.composite
def class_index_sample(draw, smoothing: bool) -> Sample:
    """Scores (C,), (N, C) or (N, C, d1[, d2]) with int64 targets, and
    drawn reduction, ignore_index (some targets set to it), class weights
    and (for cross_entropy) label_smoothing."""
    n_classes = draw(st.integers(1, 4))
    layout = draw(st.sampled_from(["single", "batch", "spatial"]))
    if layout == "single":
        shape, tshape = (n_classes,), ()
    elif layout == "batch":
        n = draw(st.integers(0, SIDE))
        shape, tshape = (n, n_classes), (n,)
    else:
        rest = draw(shapes(min_dims=1, max_dims=2, min_side=1, max_side=2))
        n = draw(st.integers(1, 2))
        shape, tshape = (n, n_classes) + rest, (n,) + rest
    x = _array(draw, shape)
    target = draw(arrays(tshape, dtype=np.int64, elements=st.integers(0, n_classes - 1)))
    kwargs: dict = {"reduction": draw(st.sampled_from(["mean", "sum", "none"]))}
    if draw(st.booleans()):
        ignore_index = draw(st.sampled_from([-100, -1, 0]))
        if ignore_index != -100:
            kwargs["ignore_index"] = ignore_index
        hit = draw(arrays(tshape, dtype=np.bool_, elements=st.booleans()))
        target = np.where(hit, ignore_index, target)
    ignored = target == kwargs.get("ignore_index", -100)
    if kwargs["reduction"] == "mean":
        assume(not ignored.all())  # otherwise the mean is 0/0 = nan (tested elsewhere)
    weight = _maybe(draw, lambda: Const(_array(draw, (n_classes,), 0.2, 2.0)))
    if smoothing and draw(st.booleans()):
        kwargs["label_smoothing"] = draw(st.sampled_from([0.1, 0.5, 1.0]))
    return Sample((x, Const(np.asarray(target)), weight), kwargs)


def _np_cross_entropy(x, target, weight, reduction="mean", ignore_index=-100,
                      label_smoothing=0.0, log_probs=False):
    """From the formulas: loss_i = (1 - eps) w[t_i] (-log p_i[t_i]) +
    eps / C sum_c w_c (-log p_i[c]), ignored samples 0, 'mean' divided by
    sum_i w[t_i] over kept samples. With log_probs, x holds log p (nll)."""
    class_dim = 0 if x.ndim == 1 else 1
    n_classes = x.shape[class_dim]
    logp = x if log_probs else x - _logsumexp(x, class_dim)
    logp = np.moveaxis(logp, class_dim, -1)  # target shape + (C,)
    w = np.ones(n_classes) if weight is None else weight
    keep = target != ignore_index
    safe = np.where(keep, target, 0)
    picked = np.take_along_axis(logp, safe[..., None], -1)[..., 0]
    nll = -w[safe] * picked * keep
    smooth = -(logp * w).sum(-1) * keep
    eps = label_smoothing
    per = (1 - eps) * nll + eps / n_classes * smooth
    if reduction == "none":
        return per
    if reduction == "sum":
        return per.sum()
    return per.sum() / (w[safe] * keep).sum()


def _np_nll_loss(x, target, weight, reduction="mean", ignore_index=-100):
    return _np_cross_entropy(x, target, weight, reduction, ignore_index, log_probs=True)


@st.composite
def probability_target_sample(draw) -> Sample:
    """Scores and a float target of the same shape (differentiable too)."""
    n_classes = draw(st.integers(1, 4))
    lead = draw(st.sampled_from([(), (draw(st.integers(0, SIDE)),), (2,)]))
    rest = (draw(st.integers(1, 2)),) if lead == (2,) and draw(st.booleans()) else ()
    shape = lead + (n_classes,) + rest
    x, t = _array(draw, shape), _array(draw, shape, 0.0, 1.0)
    kwargs: dict = {"reduction": draw(st.sampled_from(["mean", "sum", "none"]))}
    if kwargs["reduction"] == "mean":
        assume(x.size > 0)
    if draw(st.booleans()):
        kwargs["label_smoothing"] = draw(st.sampled_from([0.2, 1.0]))
    weight = _maybe(draw, lambda: Const(_array(draw, (n_classes,), 0.2, 2.0)))
    return Sample((x, t, weight), kwargs)


def _np_cross_entropy_probs(x, t, weight, reduction="mean", label_smoothing=0.0):
    class_dim = 0 if x.ndim == 1 else 1
    n_classes = x.shape[class_dim]
    t = t * (1 - label_smoothing) + label_smoothing / n_classes
    w = 1.0 if weight is None else weight.reshape((n_classes,) + (1,) * (x.ndim - 2))
    per = -((x - _logsumexp(x, class_dim)) * t * w).sum(class_dim)
    if reduction == "none":
        return per
    return per.sum() if reduction == "sum" else per.sum() / (x.size / n_classes)


# -------------------------------------------------- regression losses
@st.composite
def pointwise_loss_sample(draw, apart: bool = False, weighted: bool = False) -> Sample:
    shape = draw(shapes(min_dims=0, max_dims=3, min_side=0, max_side=SIDE))
    if apart:  # |x - t| >= 0.2 everywhere: away from the kink of abs
        both = _spaced(draw, (2,) + shape)
        x, t = both[0, ...], both[1, ...]
    else:
        x, t = _array(draw, shape), _array(draw, shape)
    kwargs = {"reduction": draw(st.sampled_from(["mean", "sum", "none"]))}
    if kwargs["reduction"] == "mean":
        assume(x.size > 0)
    args = (x, t, Const(_array(draw, shape, 0.2, 2.0)) if weighted else Const(None))
    return Sample(args, kwargs)


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    return np.sum(loss) if reduction == "sum" else np.mean(loss)


@st.composite
def broadcast_loss_sample(draw) -> Sample:
    """Input and target of different, broadcastable shapes (PyTorch warns)."""
    shps = draw(mutually_broadcastable_shapes(2, min_dims=0, max_dims=3, min_side=1,
                                              max_side=SIDE)).input_shapes
    assume(shps[0] != shps[1])
    return Sample((_array(draw, shps[0]), _array(draw, shps[1]), Const(None)),
                  {"reduction": draw(st.sampled_from(["mean", "sum", "none"]))})


def _quietly(fn):
    """fn without the broadcasting UserWarning (asserted in tests/nn)."""
    def run(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return fn(*args, **kwargs)
    return run


def _np_pointwise(fn):
    def ref(x, t, weight, reduction="mean"):
        loss = fn(x - t)
        if weight is not None:
            loss = loss * weight
            if reduction == "mean":
                return loss.sum() / weight.sum()
        return _reduce(loss, reduction)
    return ref


# ------------------------------------------------------ binary losses
@st.composite
def binary_loss_sample(draw, logits: bool) -> Sample:
    shape = draw(shapes(min_dims=0, max_dims=3, min_side=0, max_side=SIDE))
    x = _array(draw, shape, -4.0, 4.0) if logits else _array(draw, shape, 0.05, 0.95)
    t = _array(draw, shape, 0.0, 1.0)
    kwargs = {"reduction": draw(st.sampled_from(["mean", "sum", "none"]))}
    if kwargs["reduction"] == "mean":
        assume(x.size > 0)
    last = shape[-1:] if draw(st.booleans()) else shape  # broadcast along the last dim
    weight = _maybe(draw, lambda: Const(_array(draw, last, 0.2, 2.0)))
    args = [x, t, weight]
    if logits:
        args.append(_maybe(draw, lambda: Const(_array(draw, shape[-1:], 0.2, 3.0))))
    return Sample(tuple(args), kwargs)


def _np_bce(x, t, weight, reduction="mean"):
    loss = -(t * np.log(x) + (1 - t) * np.log(1 - x))
    return _reduce(loss if weight is None else loss * weight, reduction)


def _np_bce_logits(x, t, weight, pos_weight, reduction="mean"):
    p = 1 / (1 + np.exp(-x))
    pw = 1.0 if pos_weight is None else pos_weight
    loss = -(pw * t * np.log(p) + (1 - t) * np.log(1 - p))
    return _reduce(loss if weight is None else loss * weight, reduction)


# ------------------------------------------------------ normalisation
@st.composite
def layer_norm_sample(draw) -> Sample:
    norm = draw(shapes(min_dims=1, max_dims=2, min_side=1, max_side=SIDE))
    lead = draw(shapes(min_dims=0, max_dims=2, min_side=0, max_side=2))
    x = _spaced(draw, lead + norm)
    weight = _maybe(draw, lambda: _array(draw, norm))
    bias = _maybe(draw, lambda: _array(draw, norm))
    return Sample((x, Const(norm), weight, bias), {"eps": draw(st.sampled_from([1e-5, 0.1]))})


def _np_layer_norm(x, shape, weight, bias, eps=1e-5):
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    out = (x - mean) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    out = out if weight is None else out * weight
    return out if bias is None else out + bias


@st.composite
def batch_norm_sample(draw, training: bool) -> Sample:
    c = draw(st.integers(1, SIDE))
    spatial = draw(st.sampled_from([(), (2,), (1, 2), (2, 2)]))
    n = draw(st.integers(1, SIDE))
    if training:
        assume(n * int(np.prod(spatial, dtype=np.int64)) > 1)
    shape = (n, c) + spatial
    x = _spaced(draw, shape) if training else _array(draw, shape)
    running = (Const(_array(draw, (c,))), Const(_array(draw, (c,), 0.2, 3.0)))
    if training and draw(st.booleans()):
        running = (Const(None), Const(None))
    weight = _maybe(draw, lambda: _array(draw, (c,)))
    bias = _maybe(draw, lambda: _array(draw, (c,)))
    kwargs = {"training": training, "momentum": draw(st.sampled_from([0.1, 0.5])),
              "eps": draw(st.sampled_from([1e-5, 0.1]))}
    return Sample((x,) + running + (weight, bias), kwargs)


def _np_batch_norm(x, running_mean, running_var, weight, bias, training=False,
                   momentum=0.1, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if training:
        mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    else:
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    out = (x - mean) / np.sqrt(var + eps)
    out = out if weight is None else out * weight.reshape(shape)
    return out if bias is None else out + bias.reshape(shape)


# ------------------------------------------------------- embedding, pad
@st.composite
def embedding_sample(draw) -> Sample:
    rows, dim = draw(st.integers(1, 4)), draw(st.integers(0, SIDE))
    weight = _array(draw, (rows, dim))
    idx_shape = draw(shapes(min_dims=0, max_dims=2, min_side=0, max_side=SIDE))
    idx = draw(arrays(idx_shape, dtype=np.int64, elements=st.integers(0, rows - 1)))
    # padding_idx and scale_grad_by_freq change the gradient on purpose (it is
    # no longer the derivative), so they are compared with PyTorch in tests/nn
    return Sample((weight, Const(np.asarray(idx))))


@st.composite
def pad_sample(draw) -> Sample:
    """F.pad in every mode: constant on any dims (negative sizes crop),
    reflect/replicate/circular on the last 1-3 dims of 2-D..5-D inputs."""
    mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    if mode == "constant":
        shape = draw(shapes(min_dims=1, max_dims=3, min_side=0, max_side=SIDE))
        k = draw(st.integers(1, len(shape)))
        pads = []
        for n in reversed(shape[len(shape) - k:]):  # crops take at most half of n
            before = draw(st.integers(-(n // 2), 2))
            after = draw(st.integers(-((n - max(-before, 0)) // 2), 2))
            pads += [before, after]
        kwargs = {"value": draw(st.sampled_from([0.0, -1.5]))}
    else:
        k = draw(st.integers(1, 2))
        shape = draw(shapes(min_dims=k + 1, max_dims=k + 1, min_side=1, max_side=SIDE))
        limit = {"reflect": -1, "replicate": 2, "circular": 0}[mode]
        pads = [draw(st.integers(0, max(0, n + limit) if mode != "replicate" else 2))
                for n in reversed(shape[len(shape) - k:]) for _ in range(2)]
        kwargs = {}
    return Sample((_array(draw, shape), Const(tuple(pads))), {"mode": mode, **kwargs})


def _np_pad(x, pads, mode="constant", value=0.0):
    widths = [(0, 0)] * x.ndim
    for i in range(len(pads) // 2):
        widths[x.ndim - 1 - i] = (pads[2 * i], pads[2 * i + 1])
    crop = tuple(slice(max(-b, 0), n - max(-a, 0)) for (b, a), n in zip(widths, x.shape))
    x = x[crop]
    widths = [(max(b, 0), max(a, 0)) for b, a in widths]
    if mode == "constant":
        return np.pad(x, widths, constant_values=value)
    return np.pad(x, widths, mode={"reflect": "reflect", "replicate": "edge",
                                   "circular": "wrap"}[mode])


def _seeded_dropout(x, p):
    tgl.manual_seed(0)  # the same mask on every call, for finite differences
    return F.dropout(x, p)


@st.composite
def dropout_sample(draw) -> Sample:
    x = _array(draw, draw(shapes(min_dims=0, max_dims=3, min_side=0, max_side=SIDE)))
    return Sample((x, Const(draw(st.sampled_from([0.3, 0.5, 1.0])))))


def _like(value, x):
    """A constant tensor (or None) in the dtype of x: class weights and
    batch-norm statistics must have the input's dtype (in both libraries;
    mixing is an error), and our functions cast pos_weight to it."""
    return value if value is None or value.requires_grad else value.to(x.dtype)


ENTRIES = [
    OpEntry("F.linear", lambda x, w, b: F.linear(x, w, b), linear_sample(bias=True),
            _np_linear, lambda torch, x, w, b: torch.nn.functional.linear(x, w, b)),
    OpEntry("F.linear(no bias)", lambda x, w: F.linear(x, w), linear_sample(bias=False),
            _np_linear, lambda torch, x, w: torch.nn.functional.linear(x, w)),
    OpEntry("F.softmax", lambda x, d: F.softmax(x, d), dim_sample(), _np_softmax,
            lambda torch, x, d: torch.nn.functional.softmax(x, d)),
    OpEntry("Tensor.softmax", lambda x, d: x.softmax(d), dim_sample(), _np_softmax,
            lambda torch, x, d: x.softmax(d)),
    OpEntry("F.log_softmax", lambda x, d: F.log_softmax(x, d), dim_sample(), _np_log_softmax,
            lambda torch, x, d: torch.nn.functional.log_softmax(x, d)),
    OpEntry("tgl.log_softmax", lambda x, d: tgl.log_softmax(x, d), dim_sample(),
            _np_log_softmax, lambda torch, x, d: torch.log_softmax(x, d)),
    OpEntry("F.cross_entropy(class indices)",
            lambda x, t, w, **kw: F.cross_entropy(x, t, weight=_like(w, x), **kw),
            class_index_sample(smoothing=True), _np_cross_entropy,
            lambda torch, x, t, w, **kw: torch.nn.functional.cross_entropy(
                x, t, weight=_like(w, x), **kw)),
    OpEntry("F.cross_entropy(probabilities)",
            lambda x, t, w, **kw: F.cross_entropy(x, t, weight=w, **kw),
            probability_target_sample(), _np_cross_entropy_probs,
            lambda torch, x, t, w, **kw: torch.nn.functional.cross_entropy(
                x, t, weight=w, **kw)),  # the weight's dtype promotes, in both
    OpEntry("F.nll_loss", lambda x, t, w, **kw: F.nll_loss(x, t, weight=_like(w, x), **kw),
            class_index_sample(smoothing=False), _np_nll_loss,
            lambda torch, x, t, w, **kw: torch.nn.functional.nll_loss(
                x, t, weight=_like(w, x), **kw)),
    OpEntry("F.mse_loss", lambda x, t, w, **kw: F.mse_loss(x, t, weight=w, **kw),
            pointwise_loss_sample(), _np_pointwise(np.square),
            lambda torch, x, t, w, **kw: torch.nn.functional.mse_loss(x, t, weight=w, **kw)),
    OpEntry("F.mse_loss(weight)", lambda x, t, w, **kw: F.mse_loss(x, t, weight=w, **kw),
            pointwise_loss_sample(weighted=True), _np_pointwise(np.square),
            lambda torch, x, t, w, **kw: torch.nn.functional.mse_loss(x, t, weight=w, **kw)),
    OpEntry("F.mse_loss(broadcast)",
            _quietly(lambda x, t, w, **kw: F.mse_loss(x, t, weight=w, **kw)),
            broadcast_loss_sample(), _np_pointwise(np.square),
            _quietly(lambda torch, x, t, w, **kw: torch.nn.functional.mse_loss(x, t, **kw))),
    OpEntry("F.l1_loss", lambda x, t, w, **kw: F.l1_loss(x, t, weight=w, **kw),
            pointwise_loss_sample(apart=True), _np_pointwise(np.abs),
            lambda torch, x, t, w, **kw: torch.nn.functional.l1_loss(x, t, weight=w, **kw)),
    OpEntry("F.binary_cross_entropy",
            lambda x, t, w, **kw: F.binary_cross_entropy(x, t, weight=w, **kw),
            binary_loss_sample(logits=False), _np_bce,
            lambda torch, x, t, w, **kw: torch.nn.functional.binary_cross_entropy(
                x, t, weight=_like(w, x), **kw), atol=1e-4),
    OpEntry("F.binary_cross_entropy_with_logits",
            lambda x, t, w, pw, **kw: F.binary_cross_entropy_with_logits(
                x, t, weight=w, pos_weight=pw, **kw),
            binary_loss_sample(logits=True), _np_bce_logits,
            lambda torch, x, t, w, pw, **kw: torch.nn.functional.binary_cross_entropy_with_logits(
                x, t, weight=_like(w, x), pos_weight=_like(pw, x), **kw)),
    OpEntry("F.layer_norm", lambda x, s, w, b, **kw: F.layer_norm(x, s, w, b, **kw),
            layer_norm_sample(), _np_layer_norm,
            lambda torch, x, s, w, b, **kw: torch.nn.functional.layer_norm(x, s, w, b, **kw)),
    OpEntry("F.batch_norm(training)",
            lambda x, rm, rv, w, b, **kw: F.batch_norm(x, _like(rm, x), _like(rv, x), w, b,
                                                       **kw),
            batch_norm_sample(training=True), _np_batch_norm,
            lambda torch, x, rm, rv, w, b, **kw: torch.nn.functional.batch_norm(
                x, _like(rm, x), _like(rv, x), w, b, **kw), ref_rtol=1e-6),
    OpEntry("F.batch_norm(eval)",
            lambda x, rm, rv, w, b, **kw: F.batch_norm(x, _like(rm, x), _like(rv, x), w, b,
                                                       **kw),
            batch_norm_sample(training=False), _np_batch_norm,
            lambda torch, x, rm, rv, w, b, **kw: torch.nn.functional.batch_norm(
                x, _like(rm, x), _like(rv, x), w, b, **kw)),
    OpEntry("F.embedding", lambda w, idx: F.embedding(idx, w), embedding_sample(),
            lambda w, idx: w[idx], lambda torch, w, idx: torch.nn.functional.embedding(idx, w)),
    OpEntry("F.pad", lambda x, pads, **kw: F.pad(x, pads, **kw), pad_sample(), _np_pad,
            lambda torch, x, pads, **kw: torch.nn.functional.pad(x, pads, **kw)),
    OpEntry("F.dropout(seeded)", _seeded_dropout, dropout_sample(),
            note="random mask (seeded per call); values checked in tests/nn"),
]
