"""Loss functions and modules against PyTorch, including the edge cases:
every reduction, class weights, ignore_index, label smoothing, probability
targets, all-ignored and empty batches, extreme inputs."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_lite as tgl
import tinygrad_lite.nn.functional as F
from tinygrad_lite import nn
from nn_helpers import DTYPES, assert_close, pair

rng = np.random.default_rng(0)
REDUCTIONS = ["mean", "sum", "none"]


def _compare(torch, fn, tfn, x_np, target, dtype=np.float64, target_grad=False, **kwargs):
    """fn(x, target, **kwargs) against torch: values, and the gradients of
    x (and of a float target with target_grad) for a random upstream."""
    x, tx = pair(torch, x_np, dtype)
    if target_grad:
        t, tt = pair(torch, target, dtype)
    else:
        t, tt = tgl.tensor(target), torch.from_numpy(np.asarray(target))
    tkw = {k: (torch.from_numpy(v.data) if isinstance(v, tgl.Tensor) else v)
           for k, v in kwargs.items()}
    out, ref = fn(x, t, **kwargs), tfn(tx, tt, **tkw)
    assert_close(out, ref, dtype, msg="loss")
    up = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
    (out * tgl.tensor(up)).sum().backward()
    (ref * torch.from_numpy(up)).sum().backward()
    assert_close(x.grad, tx.grad, dtype, grad=True, msg="input grad")
    if target_grad:
        assert_close(t.grad, tt.grad, dtype, grad=True, msg="target grad")
    return out


def _targets(shape, n_classes, ignore=None):
    t = rng.integers(0, n_classes, shape)
    if ignore is not None and t.size > 1:
        t.flat[::3] = ignore
    return t


# ------------------------------------------------------------ cross entropy
@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("x_shape, t_shape", [((5, 4), (5,)), ((4,), ()),
                                              ((2, 4, 3, 2), (2, 3, 2))])
@pytest.mark.parametrize("options", [{}, {"ignore_index": -100}, {"ignore_index": 1},
                                     {"weight": True}, {"label_smoothing": 0.2},
                                     {"weight": True, "ignore_index": 2, "label_smoothing": 0.3}])
def test_cross_entropy_and_nll_match_torch(torch, dtype, reduction, x_shape, t_shape,
                                           options) -> None:
    options = dict(options)
    target = _targets(t_shape, 4, options.get("ignore_index"))
    if options.pop("weight", False):
        options["weight"] = tgl.tensor(rng.uniform(0.2, 2.0, 4).astype(dtype))
    x_np = rng.standard_normal(x_shape) * 3
    ce = _compare(torch, F.cross_entropy, torch.nn.functional.cross_entropy, x_np, target,
                  dtype, reduction=reduction, **options)
    assert ce.dtype == dtype
    options.pop("label_smoothing", None)
    _compare(torch, F.nll_loss, torch.nn.functional.nll_loss, x_np, target, dtype,
             reduction=reduction, **options)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("layout", ["row-major", "transposed"])
@pytest.mark.parametrize("options", [{}, {"ignore_index": 3}, {"weight": True},
                                     {"label_smoothing": 0.1}])
def test_class_index_losses_match_torch_on_batches_and_transposed_scores(
        torch, reduction, layout, options) -> None:
    # A training-sized batch (32 rows of 10 classes) takes the row-wise fast
    # paths; transposed scores are not row-major, and their gradient must
    # still get the target class's -1 (it was once subtracted from a copy).
    options = dict(options)
    target = _targets((32,), 10, options.get("ignore_index"))
    weight = rng.uniform(0.2, 2.0, 10) if options.pop("weight", False) else None
    scores = rng.standard_normal((32, 10)) * 3
    for fn, tfn in [(F.cross_entropy, torch.nn.functional.cross_entropy),
                    (F.nll_loss, torch.nn.functional.nll_loss)]:
        if fn is F.nll_loss:
            options.pop("label_smoothing", None)
        if layout == "transposed":
            x_np = scores.T.copy()
            ours = lambda x, t, **kw: fn(x.T, t, **kw)                   # noqa: E731
            theirs = lambda x, t, **kw: tfn(x.T, t, **kw)                # noqa: E731
        else:
            x_np, ours, theirs = scores, fn, tfn
        for dtype in (np.float64, np.float32):
            if weight is not None:
                options["weight"] = tgl.tensor(weight.astype(dtype))
            _compare(torch, ours, theirs, x_np, target, dtype, reduction=reduction, **options)


@pytest.mark.torch
@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
def test_class_weights_of_another_dtype_are_an_error_as_in_torch(torch, fn) -> None:
    x, t = np.zeros((4, 3), np.float32), np.array([0, 1, 2, 0])
    weight = np.ones(3, np.float64)
    with pytest.raises(RuntimeError, match="expected scalar type Float but found Double"):
        getattr(torch.nn.functional, fn)(torch.from_numpy(x), torch.from_numpy(t),
                                         weight=torch.from_numpy(weight))
    with pytest.raises(RuntimeError, match=f"{fn}.*expected scalar type Float but found "
                                           f"Double.*weight.to\\(tgl.float32\\)"):
        getattr(F, fn)(tgl.tensor(x), tgl.tensor(t), weight=tgl.tensor(weight))


@pytest.mark.torch
def test_class_weights_promote_with_probability_targets_as_in_torch(torch) -> None:
    x = rng.standard_normal((4, 3)).astype(np.float32)
    p = rng.dirichlet(np.ones(3), 4).astype(np.float32)
    w = rng.uniform(0.5, 2, 3)
    ours = F.cross_entropy(tgl.tensor(x), tgl.tensor(p), weight=tgl.tensor(w))
    theirs = torch.nn.functional.cross_entropy(torch.from_numpy(x), torch.from_numpy(p),
                                               weight=torch.from_numpy(w))
    assert str(theirs.dtype) == "torch.float64" and ours.dtype == tgl.float64
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 4, 3)])
@pytest.mark.parametrize("options", [{}, {"label_smoothing": 0.25}, {"weight": True}])
def test_cross_entropy_with_probability_targets_matches_torch(torch, reduction, shape,
                                                              options) -> None:
    options = dict(options)
    if options.pop("weight", False):
        options["weight"] = tgl.tensor(rng.uniform(0.2, 2.0, 4))
    probs = rng.dirichlet(np.ones(4), size=int(np.prod(shape)) // 4)
    target = np.moveaxis(probs.reshape(shape[:1] + shape[2:] + (4,)) if len(shape) > 1
                         else probs.reshape(4), -1, 1 if len(shape) > 1 else 0)
    _compare(torch, F.cross_entropy, torch.nn.functional.cross_entropy,
             rng.standard_normal(shape), np.ascontiguousarray(target), target_grad=True,
             reduction=reduction, **options)


@pytest.mark.torch
def test_all_ignored_and_empty_batches_follow_torch(torch) -> None:
    """Mean over no samples is nan (and the gradient zero), as PyTorch."""
    cases = [(rng.standard_normal((3, 4)), np.full(3, -100)),
             (np.zeros((0, 4)), np.zeros(0, np.int64))]
    for x_np, target in cases:
        for reduction in REDUCTIONS:
            for kwargs in ({}, {"label_smoothing": 0.1}):
                out = _compare(torch, F.cross_entropy, torch.nn.functional.cross_entropy,
                               x_np, target, reduction=reduction, **kwargs)
                if reduction == "mean":
                    assert np.isnan(out.item())
            _compare(torch, F.nll_loss, torch.nn.functional.nll_loss, x_np, target,
                     reduction=reduction)


@pytest.mark.torch
def test_zero_total_weight_gives_nan_like_torch(torch) -> None:
    w = tgl.tensor([0.0, 1.0, 1.0], dtype=tgl.float64)
    for fn, tfn in ((F.cross_entropy, torch.nn.functional.cross_entropy),
                    (F.nll_loss, torch.nn.functional.nll_loss)):
        _compare(torch, fn, tfn, rng.standard_normal((3, 3)), np.array([0, 0, -100]),
                 weight=w)


@pytest.mark.torch
def test_cross_entropy_is_stable_for_huge_logits(torch) -> None:
    x_np = np.array([[1e4, -1e4, 0.0], [-3e4, 2e4, 2e4]], np.float32)
    out = _compare(torch, F.cross_entropy, torch.nn.functional.cross_entropy, x_np,
                   np.array([1, 0]), np.float32, reduction="none")
    assert np.isfinite(out.data).all()


def test_cross_entropy_is_one_node_and_matches_log_softmax_nll() -> None:
    x = tgl.randn(6, 5, requires_grad=True)
    t = tgl.randint(0, 5, (6,))
    loss = F.cross_entropy(x, t)
    assert type(loss.grad_fn).__name__ == "CrossEntropy"
    assert loss.grad_fn.next_functions[0][0] is x  # straight to the leaf
    two_step = F.nll_loss(F.log_softmax(x, 1), t)
    np.testing.assert_allclose(loss.item(), two_step.item(), rtol=1e-6)


def test_cross_entropy_double_backward() -> None:
    x = tgl.randn(3, 4, dtype=tgl.float64, requires_grad=True)
    t = tgl.tensor([0, 3, 1])
    assert tgl.autograd.gradgradcheck(lambda x: F.cross_entropy(x, t, label_smoothing=0.1),
                                      (x,))


# ------------------------------------------------------------ binary losses
@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (3,), (2, 3)])
def test_bce_matches_torch(torch, dtype, reduction, weight_shape) -> None:
    kwargs = {"reduction": reduction}
    if weight_shape:
        kwargs["weight"] = tgl.tensor(rng.uniform(0.5, 2, weight_shape).astype(dtype))
    _compare(torch, F.binary_cross_entropy, torch.nn.functional.binary_cross_entropy,
             rng.uniform(0.01, 0.99, (2, 3)), rng.uniform(0, 1, (2, 3)), dtype,
             target_grad=True, **kwargs)


@pytest.mark.torch
def test_bce_clamps_logs_at_minus_100_like_torch(torch) -> None:
    x_np, t_np = np.array([0.0, 1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0, 1.0])
    out = _compare(torch, F.binary_cross_entropy, torch.nn.functional.binary_cross_entropy,
                   x_np, t_np, reduction="none")
    np.testing.assert_array_equal(out.data, [100, 100, 0, 0])


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("with_weight", [False, True])
@pytest.mark.parametrize("pos_weight_shape", [None, (3,), (2, 3)])
def test_bce_with_logits_matches_torch(torch, dtype, reduction, with_weight,
                                       pos_weight_shape) -> None:
    kwargs = {"reduction": reduction}
    if with_weight:
        kwargs["weight"] = tgl.tensor(rng.uniform(0.5, 2, (3,)).astype(dtype))
    if pos_weight_shape:
        kwargs["pos_weight"] = tgl.tensor(rng.uniform(0.5, 3, pos_weight_shape).astype(dtype))
    x_np = rng.standard_normal((2, 3)) * 4
    x_np[0, 0], x_np[1, 1] = 200.0, -200.0  # far beyond exp's float range: still exact
    out = _compare(torch, F.binary_cross_entropy_with_logits,
                   torch.nn.functional.binary_cross_entropy_with_logits,
                   x_np, rng.uniform(0, 1, (2, 3)), dtype, target_grad=True, **kwargs)
    assert np.isfinite(out.data).all()


# ------------------------------------------------------- regression losses
@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_regression_losses_match_torch(torch, dtype, reduction, name) -> None:
    x_np = rng.standard_normal((3, 4))
    t_np = x_np + rng.standard_normal((3, 4))
    t_np[0, 0] = x_np[0, 0]  # |x - t| = 0: the kink of l1 (gradient 0, as torch)
    fn, tfn = getattr(F, name), getattr(torch.nn.functional, name)
    _compare(torch, fn, tfn, x_np, t_np, dtype, target_grad=True, reduction=reduction)
    w = tgl.tensor(rng.uniform(0.5, 2, (3, 4)).astype(dtype))
    _compare(torch, fn, tfn, x_np, t_np, dtype, target_grad=True, reduction=reduction,
             weight=w)


@pytest.mark.torch
def test_regression_losses_broadcast_with_a_warning_like_torch(torch) -> None:
    for name in ("mse_loss", "l1_loss"):
        fn, tfn = getattr(F, name), getattr(torch.nn.functional, name)
        with pytest.warns(UserWarning, match="different to the input size"):
            _compare(torch, fn, tfn, rng.standard_normal((3, 1)), rng.standard_normal(4))
        assert F.mse_loss(tgl.ones(2), tgl.tensor([1, 3])).dtype == np.float32  # promotes


# ----------------------------------------------------------------- modules
@pytest.mark.torch
def test_loss_modules_match_torch(torch) -> None:
    w_np = rng.uniform(0.5, 2, 4).astype(np.float32)
    x_np = rng.standard_normal((5, 4)).astype(np.float32)
    t_cls = rng.integers(0, 4, 5)
    t_bin = rng.uniform(0, 1, (5, 4)).astype(np.float32)
    cases = [
        ("CrossEntropyLoss", {"weight": w_np, "ignore_index": 2, "label_smoothing": 0.1}, t_cls),
        ("CrossEntropyLoss", {"reduction": "none"}, t_cls),
        ("NLLLoss", {"weight": w_np, "reduction": "sum"}, t_cls),
        ("MSELoss", {}, t_bin), ("L1Loss", {"reduction": "sum"}, t_bin),
        ("BCEWithLogitsLoss", {"pos_weight": w_np, "weight": w_np}, t_bin),
        ("BCELoss", {"weight": w_np}, t_bin),
    ]
    for name, kwargs, target in cases:
        ours = getattr(nn, name)(**{k: tgl.tensor(v) if isinstance(v, np.ndarray) else v
                                    for k, v in kwargs.items()})
        theirs = getattr(torch.nn, name)(**{k: torch.from_numpy(v) if isinstance(v, np.ndarray)
                                            else v for k, v in kwargs.items()})
        x_in = 1 / (1 + np.exp(-x_np)) if name == "BCELoss" else x_np
        x, tx = pair(torch, x_in, np.float32)
        out, ref = ours(x, tgl.tensor(target)), theirs(tx, torch.from_numpy(target))
        assert_close(out, ref, np.float32, msg=name)
        out.sum().backward(), ref.sum().backward()
        assert_close(x.grad, tx.grad, np.float32, grad=True, msg=name)
        assert list(ours.state_dict()) == list(theirs.state_dict()), name  # weight buffers
        assert repr(ours) == repr(theirs)


@pytest.mark.torch
def test_legacy_size_average_and_reduce_map_like_torch(torch) -> None:
    x_np, t_np = rng.standard_normal(4), rng.standard_normal(4)
    for size_average, reduce in [(False, None), (None, False), (True, True), (False, True)]:
        with pytest.warns(UserWarning, match="size_average and reduce"):
            ours = nn.MSELoss(size_average, reduce)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = torch.nn.MSELoss(size_average, reduce)
        assert ours.reduction == theirs.reduction
        assert_close(ours(tgl.tensor(x_np), tgl.tensor(t_np)),
                     theirs(torch.from_numpy(x_np), torch.from_numpy(t_np)))


def test_invalid_reduction_is_rejected() -> None:
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction|avg is not"):
        F.mse_loss(tgl.ones(2), tgl.ones(2), reduction="avg")
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        nn.CrossEntropyLoss(reduction="total")


@pytest.mark.torch
@pytest.mark.parametrize("smoothing", [0, 0.0, -0.0, np.float64(0.0), np.float32(0.0), False,
                                       -0.5, np.float64(-0.5), np.float64(0.1), 1])
def test_label_smoothing_of_any_number_type_keeps_float32_like_torch(torch, smoothing) -> None:
    """Zero, negative and numpy-scalar label_smoothing values give torch's
    loss, gradient and dtype (a float64 scalar must not promote float32)."""
    x_np, t = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    out = _compare(torch, F.cross_entropy, torch.nn.functional.cross_entropy, x_np, t,
                   np.float32, label_smoothing=smoothing)
    assert out.dtype == tgl.float32
