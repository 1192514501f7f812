"""Errors that teach: a wrong input to a layer or loss raises an exception
whose message names the operation, the values or shapes involved and the
fix -- never a bare numpy traceback or a silently wrong number."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tgl
import tinygrad_lite.nn.functional as F
from tinygrad_lite import nn


def _message(exc_type, fn, *args, **kwargs) -> str:
    with pytest.raises(exc_type) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_linear_names_in_features_and_the_shape_it_got() -> None:
    msg = _message(RuntimeError, nn.Linear(4, 2), tgl.ones(3, 5))
    assert "in_features=4" in msg and "(3, 5)" in msg and "(*, 4)" in msg
    msg = _message(RuntimeError, F.linear, tgl.ones(3, 5), tgl.ones(2, 4))
    assert "linear" in msg and "(3, 5)" in msg and "(2, 4)" in msg
    msg = _message(RuntimeError, nn.Linear(4, 2), tgl.ones(3, 4, dtype=tgl.float64))
    assert "float64" in msg and "float32" in msg and ".double()" in msg


@pytest.mark.parametrize("layer, x", [(nn.BatchNorm1d(4), tgl.ones(2, 3)),
                                      (nn.BatchNorm1d(4), tgl.ones(2, 3, 5)),
                                      (nn.BatchNorm2d(4), tgl.ones(2, 3, 5, 5))])
def test_batchnorm_names_expected_and_got_features(layer, x) -> None:
    msg = _message(ValueError, layer, x)
    assert "num_features=4" in msg and str(tuple(x.shape)) in msg and "3 channels" in msg


def test_batchnorm_checks_the_number_of_dims() -> None:
    assert "expected 2D or 3D input (got 4D input" in _message(
        ValueError, nn.BatchNorm1d(3), tgl.ones(2, 3, 4, 4))
    assert "expected 4D input (got 2D input" in _message(
        ValueError, nn.BatchNorm2d(3), tgl.ones(2, 3))
    assert "running_mean should have shape (3,)" in _message(
        RuntimeError, F.batch_norm, tgl.ones(2, 3), tgl.zeros(4), tgl.ones(4))


def test_layernorm_names_expected_and_got_shapes() -> None:
    msg = _message(RuntimeError, nn.LayerNorm((3, 4)), tgl.ones(2, 4, 3))
    assert "(3, 4)" in msg and "(2, 4, 3)" in msg
    msg = _message(RuntimeError, F.layer_norm, tgl.ones(2, 5), (4,))
    assert "normalized_shape=(4,)" in msg and "(2, 5)" in msg


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss])
def test_class_targets_out_of_range_name_the_value_and_the_class_count(fn) -> None:
    msg = _message(IndexError, fn, tgl.randn(3, 4), tgl.tensor([0, 7, 1]))
    assert "target value 7" in msg and "4 classes" in msg and "0..3" in msg
    msg = _message(IndexError, fn, tgl.randn(3, 4), tgl.tensor([0, -1, 1]))
    assert "target value -1" in msg and "ignore_index=-100" in msg
    fn(tgl.randn(3, 4), tgl.tensor([0, -1, 1]), ignore_index=-1)  # fine when ignored


def test_class_targets_need_int64() -> None:
    msg = _message(RuntimeError, F.cross_entropy, tgl.randn(3, 4),
                   tgl.tensor([0, 1, 2], dtype=tgl.int32))
    assert "int32" in msg and "int64" in msg and ".long()" in msg
    msg = _message(RuntimeError, F.nll_loss, tgl.randn(3, 4), tgl.tensor([0.0, 1.0, 2.0]))
    assert "float32" in msg and "int64" in msg


def test_target_shape_mismatches_name_both_shapes() -> None:
    msg = _message(ValueError, F.cross_entropy, tgl.randn(3, 4), tgl.tensor([0, 1]))
    assert "(3, 4)" in msg and "(2,)" in msg and "(3,)" in msg
    msg = _message(ValueError, F.nll_loss, tgl.randn(2, 4, 5), tgl.zeros(2, 4, dtype=tgl.int64))
    assert "(2, 4, 5)" in msg and "(2, 4)" in msg and "(2, 5)" in msg
    msg = _message(ValueError, F.cross_entropy, tgl.randn(3, 4), tgl.rand(3, 5))
    assert "(3, 4)" in msg and "(3, 5)" in msg
    msg = _message(ValueError, F.binary_cross_entropy, tgl.rand(3), tgl.rand(3, 1))
    assert "(3, 1)" in msg and "(3,)" in msg
    msg = _message(ValueError, F.binary_cross_entropy_with_logits, tgl.rand(4, 1), tgl.rand(4))
    assert "(4, 1)" in msg and "(4,)" in msg
    with pytest.warns(UserWarning):
        msg = _message(RuntimeError, F.mse_loss, tgl.rand(3), tgl.rand(4))
    assert "(3,)" in msg and "(4,)" in msg


def test_binary_losses_check_values_and_dtypes() -> None:
    msg = _message(RuntimeError, F.binary_cross_entropy, tgl.tensor([0.5, 1.5]),
                   tgl.tensor([1.0, 0.0]))
    assert "between 0 and 1" in msg and "1.5" in msg and "with_logits" in msg
    msg = _message(RuntimeError, F.binary_cross_entropy_with_logits, tgl.rand(2),
                   tgl.tensor([1, 0]))
    assert "int64" in msg and "target.float()" in msg
    msg = _message(RuntimeError, F.binary_cross_entropy_with_logits, tgl.rand(2, 3),
                   tgl.rand(2, 3), pos_weight=tgl.ones(2))
    assert "pos_weight" in msg and "(2,)" in msg and "(2, 3)" in msg


def test_class_weights_must_cover_every_class() -> None:
    msg = _message(RuntimeError, F.cross_entropy, tgl.randn(3, 4), tgl.tensor([0, 1, 2]),
                   weight=tgl.ones(3))
    assert "4 classes" in msg and "(3,)" in msg


def test_label_smoothing_range() -> None:
    assert "label_smoothing must be between 0.0 and 1.0" in _message(
        RuntimeError, F.cross_entropy, tgl.randn(2, 3), tgl.tensor([0, 1]),
        label_smoothing=1.5)


def test_embedding_index_errors() -> None:
    emb = nn.Embedding(10, 3)
    msg = _message(IndexError, emb, tgl.tensor([1, 12]))
    assert "index 12" in msg and "num_embeddings=10" in msg
    assert "index -1" in _message(IndexError, emb, tgl.tensor([-1]))
    assert ".long()" in _message(TypeError, emb, tgl.tensor([1.0]))
    assert "Padding_idx must be within num_embeddings" in _message(
        AssertionError, nn.Embedding, 3, 2, padding_idx=3)


def test_losses_and_layers_want_tensors() -> None:
    assert "wrap data with tgl.tensor" in _message(TypeError, F.mse_loss, [1.0], tgl.ones(1))
    assert "Tensor" in _message(TypeError, F.cross_entropy, tgl.ones(2, 3), [0, 1])
    assert "must be a Tensor" in _message(TypeError, F.relu, 3.0)


def _linear(weight_shape=(2, 4), bias_shape=(2,), bias_dtype=tgl.float32):
    layer = nn.Linear(4, 2)
    layer.weight = nn.Parameter(tgl.randn(*weight_shape))
    layer.bias = None if bias_shape is None else nn.Parameter(
        tgl.randn(*bias_shape).to(bias_dtype))
    return layer


@pytest.mark.parametrize("layer, words", [
    (_linear(weight_shape=(5, 4)), "bias must have shape (5,)"),
    (_linear(weight_shape=(2, 3)), "input of shape (3, 4) does not fit a weight of shape (2, 3)"),
    (_linear(bias_shape=(3,)), "bias must have shape (2,)"),
    (_linear(bias_dtype=tgl.float64), "input and bias must have the same dtype"),
])
def test_linear_with_replaced_parameters_checks_them_as_f_linear(layer, words) -> None:
    """Linear's shortcut checks the weight and bias it finds, not the
    sizes given to __init__: never a numpy error or a silent broadcast."""
    assert words in _message(RuntimeError, layer, tgl.ones(3, 4))
    assert words in _message(RuntimeError, F.linear, tgl.ones(3, 4), layer.weight, layer.bias)


def test_linear_with_replaced_parameters_of_a_right_shape_uses_them() -> None:
    layer = _linear(weight_shape=(3, 4), bias_shape=(3,))
    x = tgl.randn(5, 4)
    assert layer(x).tolist() == F.linear(x, layer.weight, layer.bias).tolist()
    layer.bias.data = layer.bias.data[:2]  # the array swapped behind the Parameter
    assert "bias must have shape (3,)" in _message(RuntimeError, layer, x)
    layer.bias.data = layer.bias.data[:1]  # one value broadcasts, as in PyTorch
    assert layer(x).tolist() == (F.linear(x, layer.weight) + layer.bias).tolist()
    del layer.bias
    with pytest.raises(AttributeError, match="bias"):
        layer(x)


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss])
@pytest.mark.parametrize("bad", [4, -1, -2**63, 2**62])
@pytest.mark.parametrize("where", [(0, 0), (1, 2), (2, 4)])
def test_every_target_position_is_range_checked_in_any_shape(fn, bad, where) -> None:
    """The range check finds a bad class index wherever it sits in an
    (N, d1) target, for int64 and uint8 targets; in range passes."""
    target = np.zeros((3, 5), np.int64)
    target[where] = bad
    msg = _message(IndexError, fn, tgl.randn(3, 4, 5), tgl.tensor(target))
    assert f"target value {bad}" in msg and "4 classes" in msg
    small = np.full((3, 5), 3, np.uint8)
    fn(tgl.randn(3, 4, 5), tgl.tensor(small))
    small[where] = 4
    assert "target value 4" in _message(IndexError, fn, tgl.randn(3, 4, 5), tgl.tensor(small))
    fn(tgl.randn(3, 4, 5), tgl.tensor(target), ignore_index=bad)  # ignored: no error
