"""nn and nn.functional against PyTorch where they used to differ: values,
dtypes and exception types of edge cases (each test names the call).

An exception "matches" PyTorch when ours is an instance of the type
PyTorch raises (some of ours derive from two types, e.g. ValueError and
RuntimeError, to keep this library's documented type as well)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_lite as tgl
import tinygrad_lite.nn.functional as F
from tinygrad_lite import nn

from nn_helpers import assert_close, pair

pytestmark = pytest.mark.torch


def _raises_like_torch(ours, theirs) -> None:
    """Both calls raise, ours an instance of PyTorch's exception type."""
    with pytest.raises(Exception) as want:
        theirs()
    with pytest.raises(type(want.value)):
        ours()


def _check_values_and_grads(torch, ours_fn, torch_fn, arrays, dtype=np.float64) -> None:
    ours_in, torch_in = zip(*(pair(torch, a, dtype) for a in arrays))
    got, want = ours_fn(*ours_in), torch_fn(*torch_in)
    assert_close(got, want, dtype)
    up = np.random.default_rng(0).standard_normal(got.shape).astype(got.dtype)
    (got * tgl.tensor(up)).sum().backward()
    (want * torch.from_numpy(up)).sum().backward()
    for a, b in zip(ours_in, torch_in):
        assert_close(a.grad, b.grad, dtype, grad=True)


# ------------------------------------------------------------ activations
@pytest.mark.parametrize("name, call", [
    ("gelu", lambda F_, x: F_.gelu(x)), ("leaky_relu", lambda F_, x: F_.leaky_relu(x)),
    ("softplus", lambda F_, x: F_.softplus(x)), ("softmax", lambda F_, x: F_.softmax(x, 0)),
    ("log_softmax", lambda F_, x: F_.log_softmax(x, dim=0)),
    ("layer_norm", lambda F_, x: F_.layer_norm(x, [2])),
])
def test_integer_input_raises_not_implemented_as_torch(torch, name, call) -> None:
    _raises_like_torch(lambda: call(F, tgl.tensor([1, 2])),
                       lambda: call(torch.nn.functional, torch.tensor([1, 2])))
    with pytest.raises(NotImplementedError, match=name):
        call(F, tgl.tensor([1, 2]))


def test_batch_norm_integer_input_raises_not_implemented(torch) -> None:
    _raises_like_torch(
        lambda: F.batch_norm(tgl.ones(2, 3, dtype=tgl.int64), None, None, training=True),
        lambda: torch.nn.functional.batch_norm(torch.ones(2, 3, dtype=torch.long), None, None,
                                               training=True))


def test_gelu_rejects_an_unknown_approximation_with_runtime_error(torch) -> None:
    _raises_like_torch(lambda: F.gelu(tgl.ones(2), approximate="erf"),
                       lambda: torch.nn.functional.gelu(torch.ones(2), approximate="erf"))
    with pytest.raises(RuntimeError, match="'none' or 'tanh'"):
        F.gelu(tgl.ones(2), approximate="erf")


def test_softmax_of_infinities_gives_nan_like_torch_without_numpy_warnings(torch) -> None:
    x = np.array([[-np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf], [np.inf, 0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for ours, theirs in ((F.softmax, torch.softmax), (F.log_softmax, torch.log_softmax)):
            assert_close(ours(tgl.tensor(x), 1), theirs(torch.tensor(x), 1))


# ----------------------------------------------------------------- linear
def test_linear_with_integer_tensors_works_as_torch(torch) -> None:
    x, w, b = np.arange(6).reshape(2, 3), np.arange(12).reshape(4, 3), np.arange(4)
    got = F.linear(tgl.tensor(x), tgl.tensor(w), tgl.tensor(b))
    want = torch.nn.functional.linear(torch.tensor(x), torch.tensor(w), torch.tensor(b))
    assert got.dtype == tgl.int64
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("shape", [(3,), (2, 3), (4, 2, 3)])
def test_linear_with_a_1d_weight_is_a_matrix_vector_product(torch, shape) -> None:
    rng = np.random.default_rng(0)
    _check_values_and_grads(torch, F.linear, torch.nn.functional.linear,
                            [rng.standard_normal(shape), rng.standard_normal(3)])
    _raises_like_torch(
        lambda: F.linear(tgl.ones(2, 3), tgl.ones(3), tgl.tensor(1.0)),
        lambda: torch.nn.functional.linear(torch.ones(2, 3), torch.ones(3), torch.tensor(1.0)))


# -------------------------------------------------------------- embedding
def test_embedding_float_indices_raise_runtime_error_as_torch(torch) -> None:
    _raises_like_torch(lambda: F.embedding(tgl.tensor([1.0]), tgl.ones(3, 2)),
                       lambda: torch.nn.functional.embedding(torch.tensor([1.0]),
                                                             torch.ones(3, 2)))
    with pytest.raises(TypeError, match=r"\.long\(\)"):  # still a TypeError here
        F.embedding(tgl.tensor([1.0]), tgl.ones(3, 2))


# -------------------------------------------------------------------- pad
@pytest.mark.parametrize("mode", ["reflect", "replicate"])
@pytest.mark.parametrize("pads", [(-1, 1), (1, -1), (-2, 3), (-1, -1), (-4, 0), (2, -4),
                                  (-1, 4), (4, -1), (-1, 1, 2, -1), (0, 0, -1, -1)])
@pytest.mark.parametrize("batched", [True, False])
def test_pad_negative_sizes_crop_in_reflect_and_replicate(torch, mode, pads, batched) -> None:
    shape = (3, 5) if len(pads) == 2 else (3, 4, 5)
    x = np.random.default_rng(0).standard_normal((2,) + shape if batched else shape)
    _check_values_and_grads(torch, lambda t: F.pad(t, pads, mode=mode),
                            lambda t: torch.nn.functional.pad(t, pads, mode=mode), [x])


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
@pytest.mark.parametrize("shape, pads", [((1, 5), (-3, -2)), ((1, 5), (-5, 0)),
                                         ((2, 0, 2), (1, 1)), ((0, 2), (1, 1)),
                                         ((2, 2, 0), (1, 1)), ((2, 0, 2, 2), (1, 1, 1, 1))])
def test_pad_errors_as_torch(torch, mode, shape, pads) -> None:
    _raises_like_torch(lambda: F.pad(tgl.ones(*shape), pads, mode=mode),
                       lambda: torch.nn.functional.pad(torch.ones(shape), pads, mode=mode))


def test_pad_empty_batch_is_fine_and_value_with_reflect_is_a_runtime_error(torch) -> None:
    assert F.pad(tgl.ones(0, 2, 2), (1, 1), mode="reflect").shape == (0, 2, 4)
    _raises_like_torch(lambda: F.pad(tgl.ones(1, 3), (1, 1), mode="reflect", value=1.0),
                       lambda: torch.nn.functional.pad(torch.ones(1, 3), (1, 1),
                                                       mode="reflect", value=1.0))


# ---------------------------------------------------------- normalisation
@pytest.mark.parametrize("shape", [(0, 3), (2, 3, 0), (0, 3, 2, 2)])
def test_batch_norm_of_an_empty_batch_is_empty_and_keeps_the_statistics(torch, shape) -> None:
    rm, rv = tgl.zeros(3), tgl.ones(3)
    w = tgl.ones(3, requires_grad=True)
    out = F.batch_norm(tgl.ones(*shape, requires_grad=True), rm, rv, w, None, training=True)
    want = torch.nn.functional.batch_norm(torch.ones(shape), torch.zeros(3), torch.ones(3),
                                          training=True)
    assert out.shape == tuple(want.shape)
    np.testing.assert_array_equal(rm.numpy(), 0)
    np.testing.assert_array_equal(rv.numpy(), 1)
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), 0)


def test_batchnorm_module_empty_batch_counts_the_batch_as_torch(torch) -> None:
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    ours(tgl.ones(0, 3))
    theirs(torch.ones(0, 3))
    for key, value in theirs.state_dict().items():
        assert_close(ours.state_dict()[key], value, np.float32, msg=key)


def test_batch_norm_one_value_per_channel_only_counts_batch_and_space(torch) -> None:
    F.batch_norm(tgl.ones(4, 0), None, None, training=True)  # no channels: fine
    torch.nn.functional.batch_norm(torch.ones(4, 0), None, None, training=True)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(tgl.ones(1, 3, 1), None, None, training=True)


@pytest.mark.parametrize("cls", ["BatchNorm1d", "BatchNorm2d"])
def test_batchnorm_wrong_channel_count_raises_runtime_error_as_torch(torch, cls) -> None:
    shape = (4, 5) if cls == "BatchNorm1d" else (4, 5, 2, 2)
    _raises_like_torch(lambda: getattr(nn, cls)(3)(tgl.ones(*shape)),
                       lambda: getattr(torch.nn, cls)(3)(torch.ones(shape)))


def test_norm_parameters_of_another_dtype_raise_as_torch(torch) -> None:
    x64 = np.ones((4, 3, 2))
    _raises_like_torch(
        lambda: F.layer_norm(tgl.tensor(x64), [2], weight=tgl.ones(2)),
        lambda: torch.nn.functional.layer_norm(torch.tensor(x64), [2], weight=torch.ones(2)))
    _raises_like_torch(
        lambda: F.batch_norm(tgl.tensor(x64), None, None, weight=tgl.ones(3), training=True),
        lambda: torch.nn.functional.batch_norm(torch.tensor(x64), None, None,
                                               weight=torch.ones(3), training=True))


# ------------------------------------------------------ class-index losses
@pytest.mark.parametrize("fn", ["nll_loss", "cross_entropy"])
@pytest.mark.parametrize("shape, target_shape", [
    ((4,), (1, 2)), ((4,), (2,)), ((3, 4), ()), ((3, 4), (2,)), ((3, 4), (3, 2)),
    ((2, 4, 3), (2, 3, 1)), ((2, 4, 3), (3, 3)), ((2, 4, 3), (2,)), ((2, 4, 3, 5), (2, 3)),
    ((2, 4, 3, 5), (2, 3, 4)), ((2, 4, 3, 5, 2), (2, 3, 4))])
def test_class_target_shape_errors_have_torch_types(torch, fn, shape, target_shape) -> None:
    _raises_like_torch(
        lambda: getattr(F, fn)(tgl.randn(*shape), tgl.zeros(*target_shape, dtype=tgl.int64)),
        lambda: getattr(torch.nn.functional, fn)(torch.randn(shape),
                                                 torch.zeros(target_shape, dtype=torch.long)))


@pytest.mark.parametrize("fn", ["nll_loss", "cross_entropy"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_single_sample_with_a_target_of_shape_1(torch, fn, reduction) -> None:
    x = np.random.default_rng(0).standard_normal(4)
    got = getattr(F, fn)(tgl.tensor(x), tgl.tensor([2]), reduction=reduction)
    want = getattr(torch.nn.functional, fn)(torch.tensor(x), torch.tensor([2]),
                                            reduction=reduction)
    assert_close(got, want)


def test_cross_entropy_reads_probabilities_only_from_a_target_of_the_inputs_shape(torch) -> None:
    # an int target of the input's shape, a float target of another shape
    for target in (np.zeros((3, 4), np.int64), np.zeros(3), np.zeros((3, 5))):
        _raises_like_torch(lambda: F.cross_entropy(tgl.randn(3, 4), tgl.tensor(target)),
                           lambda: torch.nn.functional.cross_entropy(torch.randn(3, 4),
                                                                     torch.tensor(target)))
    _raises_like_torch(  # ignore_index has no meaning for probabilities
        lambda: F.cross_entropy(tgl.randn(3, 4), tgl.rand(3, 4), ignore_index=1),
        lambda: torch.nn.functional.cross_entropy(torch.randn(3, 4), torch.rand(3, 4),
                                                  ignore_index=1))


@pytest.mark.parametrize("smoothing", [-0.1, -1.0])
def test_negative_label_smoothing_means_none_as_torch(torch, smoothing) -> None:
    rng = np.random.default_rng(0)
    x, p = rng.standard_normal((3, 4)), rng.random((3, 4))
    t = [0, 3, 1]
    _check_values_and_grads(
        torch, lambda a: F.cross_entropy(a, tgl.tensor(t), label_smoothing=smoothing),
        lambda a: torch.nn.functional.cross_entropy(a, torch.tensor(t),
                                                    label_smoothing=smoothing), [x])
    _check_values_and_grads(
        torch, lambda a, b: F.cross_entropy(a, b, label_smoothing=smoothing),
        lambda a, b: torch.nn.functional.cross_entropy(a, b, label_smoothing=smoothing),
        [x, p])


def test_cross_entropy_probabilities_promote_to_the_targets_dtype(torch) -> None:
    rng = np.random.default_rng(0)
    x, p = rng.standard_normal((3, 4)).astype(np.float32), rng.random((3, 4))
    xo, xt = pair(torch, x, np.float32)
    got = F.cross_entropy(xo, tgl.tensor(p), label_smoothing=0.1)
    want = torch.nn.functional.cross_entropy(xt, torch.tensor(p), label_smoothing=0.1)
    assert_close(got, want, np.float32)
    got.backward()
    want.backward()
    assert_close(xo.grad, xt.grad, np.float32, grad=True)


# ---------------------------------------------------------- binary losses
def test_binary_cross_entropy_target_of_another_dtype_is_an_error(torch) -> None:
    _raises_like_torch(
        lambda: F.binary_cross_entropy(tgl.tensor([0.5, 0.5]), tgl.tensor([1.0, 0.0]).double()),
        lambda: torch.nn.functional.binary_cross_entropy(torch.tensor([0.5, 0.5]),
                                                         torch.tensor([1.0, 0.0]).double()))


@pytest.mark.parametrize("x_dtype, t_dtype", [(np.float32, np.float64), (np.float64, np.float32)])
def test_bce_with_logits_computes_in_the_targets_dtype(torch, x_dtype, t_dtype) -> None:
    rng = np.random.default_rng(0)
    x, t, pw = rng.standard_normal((3, 4)), rng.random((3, 4)), rng.random(4) + 0.5
    xo, xt = pair(torch, x, x_dtype)
    got = F.binary_cross_entropy_with_logits(xo, tgl.tensor(t.astype(t_dtype)),
                                             pos_weight=tgl.tensor(pw))
    want = torch.nn.functional.binary_cross_entropy_with_logits(
        xt, torch.tensor(t.astype(t_dtype)), pos_weight=torch.tensor(pw))
    assert_close(got, want, np.float32)
    got.backward()
    want.backward()
    assert_close(xo.grad, xt.grad, np.float32, grad=True)


# ------------------------------------------------------ regression losses
def test_regression_losses_on_integers(torch) -> None:
    _raises_like_torch(lambda: F.mse_loss(tgl.tensor([1, 2]), tgl.tensor([1, 3])),
                       lambda: torch.nn.functional.mse_loss(torch.tensor([1, 2]),
                                                            torch.tensor([1, 3])))
    got = F.l1_loss(tgl.tensor([1, 2]), tgl.tensor([0.5, 1.0]))  # one float is enough
    want = torch.nn.functional.l1_loss(torch.tensor([1, 2]), torch.tensor([0.5, 1.0]))
    assert_close(got, want, np.float32)


# ----------------------------------------------------------------- Module
def test_load_state_dict_result_and_messages_read_as_torch(torch) -> None:
    theirs = torch.nn.Linear(3, 2)
    ours = nn.Linear(3, 2)
    state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    assert repr(ours.load_state_dict(state)) == repr(theirs.load_state_dict(theirs.state_dict()))
    del state["bias"]
    state["extra"] = np.ones(1)
    torch_state = {k: torch.tensor(v) for k, v in state.items()}
    with pytest.raises(RuntimeError) as want:
        theirs.load_state_dict(torch_state)
    with pytest.raises(RuntimeError) as got:
        ours.load_state_dict(state)
    assert str(got.value) == str(want.value)
    assert repr(ours.load_state_dict(state, strict=False)) == \
        repr(theirs.load_state_dict(torch_state, strict=False))


# ------------------------------------------------------------------- init
@pytest.mark.parametrize("name", ["uniform_", "normal_", "xavier_uniform_", "kaiming_normal_"])
def test_random_init_of_an_integer_tensor_is_not_implemented(torch, name) -> None:
    _raises_like_torch(lambda: getattr(nn.init, name)(tgl.zeros(3, 3, dtype=tgl.int64)),
                       lambda: getattr(torch.nn.init, name)(torch.zeros(3, 3,
                                                                        dtype=torch.long)))


@pytest.mark.parametrize("momentum", [None, "0.1"])
def test_batch_norm_function_wants_a_number_for_momentum(torch, momentum):
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)

    def call(lib, F_):
        return lambda: F_.batch_norm(lib.tensor(x), lib.zeros(3), lib.ones(3), training=True,
                                     momentum=momentum)
    _raises_like_torch(call(tgl, F), call(torch, torch.nn.functional))


@pytest.mark.parametrize("bias_shape", [(1,), ()])
def test_linear_broadcasts_a_one_element_bias(torch, bias_shape):
    grads = []
    for lib, F_ in ((tgl, F), (torch, torch.nn.functional)):
        x = lib.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3), requires_grad=True)
        w = lib.ones(4, 3, requires_grad=True)
        b = lib.full(bias_shape, 0.5, requires_grad=True)
        y = F_.linear(x, w, b)
        (y * y).sum().backward()
        grads.append([np.asarray(t.tolist()) for t in (y, x.grad, w.grad, b.grad)])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
