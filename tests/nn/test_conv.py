"""Conv2d, MaxPool2d, AvgPool2d and their functional forms.

Gradients of every argument combination are checked by the op table
(tests/op_table/table_conv.py); here: the modules (repr, state dict,
initialisation), PyTorch's edge cases (ties, NaN, -inf, ceil_mode,
divisors, integer dtypes, unbatched input, padding modes) and the errors.
"""
from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

import tinygrad_lite as tgl
import tinygrad_lite.nn.functional as F
from tinygrad_lite import nn


def _t(a, requires_grad=False, dtype=np.float64):
    return tgl.tensor(np.asarray(a, dtype=dtype), requires_grad=requires_grad)


def _close(ours, theirs, tol=1e-10):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    np.testing.assert_allclose(np.asarray(ours), theirs, rtol=tol, atol=tol)


def _grads_vs_torch(torch, fn_ours, fn_torch, *arrays, tol=1e-10):
    """Values and the gradients of every input against PyTorch (float64)."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    ours = [_t(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = fn_ours(*ours), fn_torch(*theirs)
    assert out.shape == tuple(ref.shape)
    _close(out, ref, tol)
    up = np.random.default_rng(3).standard_normal(out.shape)
    (out * _t(up)).sum().backward()
    (ref * torch.from_numpy(up)).sum().backward()
    for mine, theirs_t in zip(ours, theirs):
        _close(mine.grad, theirs_t.grad, tol)


# ------------------------------------------------------------- modules
@pytest.mark.parametrize("args, kwargs, expected", [
    ((1, 8, 3), {}, "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))"),
    ((4, 8, (3, 5)), {"stride": 2, "padding": 1, "dilation": (2, 1), "groups": 2,
                      "bias": False, "padding_mode": "reflect"},
     "Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), dilation=(2, 1), "
     "groups=2, bias=False, padding_mode=reflect)"),
    ((2, 2, 3), {"padding": "same"}, "Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), "
                                     "padding=same)"),
    ((2, 2, 3), {"padding": "valid"}, "Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), "
                                      "padding=valid)"),
])
def test_conv2d_module_repr_and_attributes(args, kwargs, expected, torch):
    m = nn.Conv2d(*args, **kwargs)
    assert repr(m) == expected == repr(torch.nn.Conv2d(*args, **kwargs))
    ref = torch.nn.Conv2d(*args, **kwargs)
    for name in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                 "groups", "padding_mode", "transposed", "output_padding"):
        assert getattr(m, name) == getattr(ref, name), name


def test_conv2d_module_parameters_and_state_dict():
    m = nn.Conv2d(4, 6, (3, 2), groups=2)
    assert list(m.state_dict()) == ["weight", "bias"]
    assert m.weight.shape == (6, 2, 3, 2) and m.bias.shape == (6,)
    assert m.weight.dtype == tgl.float32 and m.weight.requires_grad
    no_bias = nn.Conv2d(4, 6, 3, bias=False)
    assert list(no_bias.state_dict()) == ["weight"] and no_bias.bias is None
    assert nn.Conv2d(1, 2, 3, dtype=tgl.float64).weight.dtype == tgl.float64


def test_conv2d_module_default_initialisation_matches_pytorch_bounds():
    """kaiming_uniform_(a=sqrt(5)) and bias U(+-1/sqrt(fan_in)): both
    uniform on [-1/sqrt(fan_in), 1/sqrt(fan_in)] with fan_in = 16*3*3."""
    tgl.manual_seed(0)
    m = nn.Conv2d(32, 64, 3, groups=2)
    bound = 1 / math.sqrt(16 * 9)
    w, b = m.weight.data, m.bias.data
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.99 * bound  # spread over the whole interval
    np.testing.assert_allclose(w.std(), bound / math.sqrt(3), rtol=0.03)
    assert abs(w.mean()) < 0.02 * bound


def test_conv2d_module_matches_pytorch_forward_and_backward(torch):
    m = nn.Conv2d(4, 6, 3, stride=(1, 2), padding=1, groups=2).double()
    ref = torch.nn.Conv2d(4, 6, 3, stride=(1, 2), padding=1, groups=2).double()
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                         for k, v in m.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 4, 7, 6))
    _grads_vs_torch(torch, m, ref, x)
    for name, p in m.named_parameters():
        _close(p.grad, dict(ref.named_parameters())[name].grad)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("kwargs", [{"padding": 2}, {"padding": (1, 2), "stride": 2},
                                    {"padding": "same", "kernel_size": (2, 4),
                                     "dilation": (1, 2)}])
def test_conv2d_padding_modes_match_pytorch(mode, kwargs, torch):
    kernel = kwargs.pop("kernel_size", 3)
    m = nn.Conv2d(2, 3, kernel, padding_mode=mode, **kwargs).double()
    ref = torch.nn.Conv2d(2, 3, kernel, padding_mode=mode, **kwargs).double()
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                         for k, v in m.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((2, 2, 5, 6))
    _grads_vs_torch(torch, m, ref, x)
    _close(m.weight.grad, ref.weight.grad)


@pytest.mark.parametrize("cls, args, kwargs, expected", [
    ("MaxPool2d", (2,), {}, "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, "
                            "ceil_mode=False)"),
    ("MaxPool2d", ((2, 3),), {"stride": 1, "padding": 1, "dilation": 2, "ceil_mode": True},
     "MaxPool2d(kernel_size=(2, 3), stride=1, padding=1, dilation=2, ceil_mode=True)"),
    ("AvgPool2d", (3,), {}, "AvgPool2d(kernel_size=3, stride=3, padding=0)"),
    ("AvgPool2d", (3, 1, 1, True, False, 2), {}, "AvgPool2d(kernel_size=3, stride=1, padding=1)"),
])
def test_pool_module_repr_and_attributes(cls, args, kwargs, expected, torch):
    m, ref = getattr(nn, cls)(*args, **kwargs), getattr(torch.nn, cls)(*args, **kwargs)
    assert repr(m) == expected == repr(ref)
    names = ["kernel_size", "stride", "padding", "ceil_mode"] + (
        ["dilation", "return_indices"] if cls == "MaxPool2d" else
        ["count_include_pad", "divisor_override"])
    for name in names:
        assert getattr(m, name) == getattr(ref, name), name
    assert list(m.state_dict()) == []


def test_pool_modules_match_functional_forms():
    x = _t(np.random.default_rng(0).standard_normal((2, 3, 6, 5)))
    out, idx = nn.MaxPool2d(3, 2, 1, return_indices=True, ceil_mode=True)(x)
    want, want_idx = F.max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True)
    assert np.array_equal(out.data, want.data) and np.array_equal(idx.data, want_idx.data)
    with tgl.no_grad():  # (no winners are recorded then)
        np.testing.assert_array_equal(nn.MaxPool2d(3, 2, 1, ceil_mode=True)(x).data, want.data)
    avg = nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)(x)
    np.testing.assert_array_equal(avg.data, F.avg_pool2d(x, 3, 2, 1, True, False).data)


def test_functional_names_are_wired():
    assert tgl.nn.functional.conv2d is F.conv2d
    for name in ("conv2d", "max_pool2d", "avg_pool2d"):
        assert name in tgl.nn.functional.__all__
    for name in ("Conv2d", "MaxPool2d", "AvgPool2d"):
        assert name in tgl.nn.__all__


# ------------------------------------------------- convolution semantics
def test_conv2d_same_padding_puts_the_extra_pixel_bottom_right():
    x = _t(np.arange(16.0).reshape(1, 1, 4, 4))
    w = _t(np.ones((1, 1, 2, 2)))
    out = F.conv2d(x, w, padding="same")
    want = F.conv2d(_t(np.pad(x.data, ((0, 0), (0, 0), (0, 1), (0, 1)))), w)
    assert out.shape == (1, 1, 4, 4)
    np.testing.assert_array_equal(out.data, want.data)


def test_conv2d_unbatched_input(torch):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((3, 5, 6)), rng.standard_normal((4, 3, 2, 3)), \
        rng.standard_normal(4)
    _grads_vs_torch(torch, lambda x, w, b: F.conv2d(x, w, b, padding=1, stride=2),
                    lambda x, w, b: torch.nn.functional.conv2d(x, w, b, padding=1, stride=2),
                    x, w, b)


def test_conv2d_float32_stays_float32_and_matches_pytorch(torch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 6, 20, 20)).astype(np.float32) * 10
    w = rng.standard_normal((8, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    tx, tw, tb = (tgl.tensor(a, requires_grad=True) for a in (x, w, b))
    out = F.conv2d(tx, tw, tb, stride=2, padding=2, dilation=2, groups=2)
    out.sum().backward()
    px, pw, pb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ref = torch.nn.functional.conv2d(px, pw, pb, stride=2, padding=2, dilation=2, groups=2)
    ref.sum().backward()
    for t in (out, tx.grad, tw.grad, tb.grad):
        assert t.dtype == tgl.float32
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(tw.grad.data, pw.grad.numpy(), rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(tx.grad.data, px.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_conv2d_empty_batch():
    x = _t(np.zeros((0, 2, 5, 5)), requires_grad=True)
    w = _t(np.ones((3, 2, 3, 3)), requires_grad=True)
    out = F.conv2d(x, w, padding=1)
    assert out.shape == (0, 3, 5, 5)
    out.sum().backward()
    assert x.grad.shape == (0, 2, 5, 5) and not w.grad.data.any()


def test_conv2d_integer_inputs_match_pytorch(torch):
    x = np.arange(2 * 2 * 4 * 4).reshape(2, 2, 4, 4) - 10
    w = np.arange(3 * 2 * 2 * 2).reshape(3, 2, 2, 2) - 5
    for dtype in (np.int64, np.int32):
        out = F.conv2d(tgl.tensor(x.astype(dtype)), tgl.tensor(w.astype(dtype)), padding=1)
        ref = torch.nn.functional.conv2d(torch.from_numpy(x.astype(dtype)),
                                         torch.from_numpy(w.astype(dtype)), padding=1)
        assert out.dtype == dtype
        np.testing.assert_array_equal(out.data, ref.numpy())


def test_conv2d_second_derivative_matches_pytorch(torch):
    """Through Conv2dGradInput / Conv2dGradWeight: d/dx and d/dw of a
    function of the first derivatives (a gradient penalty)."""
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 4, 6, 5)), rng.standard_normal((6, 2, 3, 2))
    kw = {"stride": 2, "padding": (1, 2), "dilation": (2, 1), "groups": 2}

    def penalty(lib, fn, x, w):
        gx, gw = lib.autograd.grad((fn(x, w, **kw) ** 2).sum(), [x, w], create_graph=True)
        return (gx ** 2).sum() + (gw ** 3).sum()
    _grads_vs_torch(torch, lambda x, w: penalty(tgl, F.conv2d, x, w),
                    lambda x, w: penalty(torch, torch.nn.functional.conv2d, x, w), x, w,
                    tol=1e-9)


# ------------------------------------------------- max pooling semantics
def test_max_pool2d_ties_send_the_gradient_to_the_first_maximum(torch):
    x = _t([[[[1.0, 1.0], [1.0, 1.0]]]], requires_grad=True)
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[[[1, 0], [0, 0]]]])
    assert idx.data.tolist() == [[[[0]]]] and idx.dtype == tgl.int64
    # overlapping windows accumulate on a shared maximum
    row = [[[[1.0, 2.0, 2.0, 1.0, 2.0]]]]
    _grads_vs_torch(torch, lambda x: F.max_pool2d(x, (1, 2), stride=1),
                    lambda x: torch.nn.functional.max_pool2d(x, (1, 2), stride=1), row)
    x = _t(row, requires_grad=True)
    F.max_pool2d(x, (1, 2), stride=1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[[[0, 2, 1, 0, 1]]]])


def test_max_pool2d_nan_wins_and_the_last_nan_gets_the_gradient(torch):
    nan = float("nan")
    data = [[[[nan, 2.0, nan, 1.0], [0.0, 5.0, 3.0, 4.0]]]]
    for kwargs in ({"kernel_size": (1, 4), "stride": 1}, {"kernel_size": 2}):
        x = _t(data, requires_grad=True)
        out, idx = F.max_pool2d(x, return_indices=True, **kwargs)
        out.backward(tgl.ones_like(out))
        tx = torch.tensor(data, dtype=torch.float64, requires_grad=True)
        ref, ref_idx = torch.nn.functional.max_pool2d(tx, return_indices=True, **kwargs)
        ref.backward(torch.ones_like(ref))
        np.testing.assert_array_equal(out.data, ref.detach().numpy())  # NaN == NaN here
        np.testing.assert_array_equal(idx.data, ref_idx.numpy())
        np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


def test_max_pool2d_all_minus_inf_window_picks_its_first_element_not_padding(torch):
    inf = float("inf")
    data = [[[[-inf, -inf, -inf, 1.0], [-inf, -inf, 2.0, 0.0]]]]
    for kwargs in ({"kernel_size": 2, "padding": 1}, {"kernel_size": (1, 2), "stride": 2,
                                                       "padding": (0, 1)}):
        x = _t(data, requires_grad=True)
        out, idx = F.max_pool2d(x, return_indices=True, **kwargs)
        out.backward(tgl.ones_like(out))
        tx = torch.tensor(data, dtype=torch.float64, requires_grad=True)
        ref, ref_idx = torch.nn.functional.max_pool2d(tx, return_indices=True, **kwargs)
        ref.backward(torch.ones_like(ref))
        np.testing.assert_array_equal(out.data, ref.detach().numpy())
        np.testing.assert_array_equal(idx.data, ref_idx.numpy())
        np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


def test_max_pool2d_infinite_gradient_reaches_only_the_maximum(torch):
    data = [[[[1.0, 3.0, 0.0, 2.0], [2.0, 0.0, 5.0, 1.0]]]]
    upstream = [[[[float("inf"), float("nan")]]]]
    for kwargs in ({"kernel_size": 2}, {"kernel_size": 2, "stride": 1, "padding": 1}):
        x = _t(data, requires_grad=True)
        out = F.max_pool2d(x, **kwargs)
        up = np.full(out.shape, 1.0)
        up[..., 0, :2] = upstream[0][0][0]
        out.backward(_t(up))
        tx = torch.tensor(data, dtype=torch.float64, requires_grad=True)
        torch.nn.functional.max_pool2d(tx, **kwargs).backward(torch.from_numpy(up))
        np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


def test_max_pool2d_window_entirely_in_padding_gives_minus_inf_and_no_gradient():
    """A dilated window can miss the input (kernel 2, dilation 2, padding 1
    on a width of 1). PyTorch returns -inf there (and crashes in backward);
    here the gradient of such a window goes nowhere."""
    x = _t(np.arange(3.0).reshape(1, 1, 3, 1), requires_grad=True)
    out = F.max_pool2d(x, (1, 2), padding=(0, 1), dilation=2)
    assert out.shape == (1, 1, 3, 1) and np.all(out.data == -np.inf)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros((1, 1, 3, 1)))


@pytest.mark.parametrize("size", range(1, 9))
@pytest.mark.parametrize("kernel, stride, padding, dilation", [
    (2, 2, 0, 1), (3, 2, 1, 1), (3, 3, 1, 1), (2, 3, 1, 1), (3, 2, 0, 2), (2, 1, 1, 1)])
def test_pool_ceil_mode_output_size_matches_pytorch(size, kernel, stride, padding, dilation,
                                                    torch):
    """The last window must start inside the input or the left padding."""
    x = np.random.default_rng(size).standard_normal((1, 2, size, size + 1))
    tx = torch.from_numpy(x)
    for ceil_mode in (False, True):
        args = (kernel, stride, padding, dilation, ceil_mode)
        try:
            ref = torch.nn.functional.max_pool2d(tx, *args)
        except RuntimeError:
            with pytest.raises(RuntimeError, match="output size is too small"):
                F.max_pool2d(_t(x), *args)
            continue
        out = F.max_pool2d(_t(x), *args)
        _close(out, ref)
        if dilation == 1:
            for cip in (True, False):
                _close(F.avg_pool2d(_t(x), kernel, stride, padding, ceil_mode, cip),
                       torch.nn.functional.avg_pool2d(tx, kernel, stride, padding, ceil_mode,
                                                      cip))


def test_max_pool2d_unbatched_and_float32(torch):
    x = np.random.default_rng(0).standard_normal((3, 6, 7)).astype(np.float32)
    tx = tgl.tensor(x, requires_grad=True)
    out, idx = F.max_pool2d(tx, 3, 2, 1, return_indices=True)
    ref, ref_idx = torch.nn.functional.max_pool2d(torch.from_numpy(x), 3, 2, 1,
                                                  return_indices=True)
    assert out.dtype == tgl.float32 and out.shape == tuple(ref.shape) == (3, 3, 4)
    np.testing.assert_array_equal(out.data, ref.numpy())
    np.testing.assert_array_equal(idx.data, ref_idx.numpy())
    out.sum().backward()
    assert tx.grad.dtype == tgl.float32


def test_max_pool2d_backward_is_twice_differentiable(torch):
    """max pooling's backward (a scatter) and its backward (a gather)
    recorded with create_graph, against PyTorch."""
    rng = np.random.default_rng(0)
    x = rng.permutation(2 * 2 * 5 * 5).reshape(2, 2, 5, 5) / 10.0

    def run(lib, fn, x, v):
        xg = x.detach().requires_grad_()
        (g,) = lib.autograd.grad(fn(xg, 3, 1, 1), xg, v, create_graph=True)
        (gv,) = lib.autograd.grad((g ** 2).sum(), v, create_graph=True)
        return (gv ** 2).sum()
    v = rng.standard_normal((2, 2, 5, 5))
    _grads_vs_torch(torch, lambda v: run(tgl, F.max_pool2d, _t(x), v),
                    lambda v: run(torch, torch.nn.functional.max_pool2d,
                                  torch.from_numpy(x), v), v)


def test_pool_integer_inputs_match_pytorch(torch):
    x = (np.arange(2 * 5 * 5).reshape(1, 2, 5, 5) * 7 % 23) - 11
    for dtype in (np.int64, np.int32):
        out, idx = F.max_pool2d(tgl.tensor(x.astype(dtype)), 2, 2, 1, return_indices=True)
        ref, ref_idx = torch.nn.functional.max_pool2d(torch.from_numpy(x.astype(dtype)), 2, 2,
                                                      1, return_indices=True)
        assert out.dtype == dtype
        np.testing.assert_array_equal(out.data, ref.numpy())
        np.testing.assert_array_equal(idx.data, ref_idx.numpy())
    # int64 average pooling divides rounding toward zero
    for kwargs in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1,
                                        "count_include_pad": False},
                   {"kernel_size": 2, "divisor_override": -3}):
        out = F.avg_pool2d(tgl.tensor(x), **kwargs)
        ref = torch.nn.functional.avg_pool2d(torch.from_numpy(x), **kwargs)
        assert out.dtype == tgl.int64
        np.testing.assert_array_equal(out.data, ref.numpy())
    with pytest.raises(NotImplementedError, match="avg_pool2d.*int32"):
        F.avg_pool2d(tgl.tensor(x.astype(np.int32)), 2)
    with pytest.raises(NotImplementedError, match="max_pool2d.*bool"):
        F.max_pool2d(tgl.tensor(x > 0), 2)


# ----------------------------------------------- average pooling semantics
@pytest.mark.parametrize("kwargs", [
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
    {"kernel_size": (3, 2), "stride": (2, 3), "padding": (1, 1), "ceil_mode": True},
    {"kernel_size": 2, "padding": 1, "divisor_override": 3},
    {"kernel_size": 2, "padding": 1, "divisor_override": -2},
])
def test_avg_pool2d_divisors_match_pytorch(kwargs, torch):
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 5))
    _grads_vs_torch(torch, lambda x: F.avg_pool2d(x, **kwargs),
                    lambda x: torch.nn.functional.avg_pool2d(x, **kwargs), x)


def test_avg_pool2d_divisor_counts_padding_but_not_the_ceil_overhang():
    ones = _t(np.ones((1, 1, 5, 5)))
    out = F.avg_pool2d(ones, 3, 2, 1, ceil_mode=True)
    np.testing.assert_allclose(out.data[0, 0], [[4 / 9, 6 / 9, 4 / 9], [6 / 9, 1, 6 / 9],
                                                [4 / 9, 6 / 9, 4 / 9]])
    out = F.avg_pool2d(_t(np.ones((1, 1, 6, 6))), 3, 2, 1, ceil_mode=True)
    assert out.shape == (1, 1, 4, 4)
    np.testing.assert_allclose(out.data[0, 0, 3], [2 / 6, 3 / 6, 3 / 6, 1 / 4])
    np.testing.assert_array_equal(
        F.avg_pool2d(ones, 3, 2, 1, ceil_mode=True, count_include_pad=False).data, 1.0)


def test_avg_pool2d_unbatched_float32():
    x = tgl.tensor(np.arange(2 * 4 * 4, dtype=np.float32).reshape(2, 4, 4), requires_grad=True)
    out = F.avg_pool2d(x, 2)
    assert out.shape == (2, 2, 2) and out.dtype == tgl.float32
    np.testing.assert_array_equal(out.data[0], [[2.5, 4.5], [10.5, 12.5]])
    out.sum().backward()
    assert x.grad.dtype == tgl.float32
    np.testing.assert_array_equal(x.grad.data, np.full((2, 4, 4), 0.25, np.float32))


# ------------------------------------------------------------------ errors
def _raises(exc, fn, *fragments):
    with pytest.raises(exc) as info:
        fn()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def test_error_wrong_number_of_input_channels():
    x, w = _t(np.zeros((2, 3, 8, 8))), _t(np.zeros((4, 2, 3, 3)))
    _raises(RuntimeError, lambda: F.conv2d(x, w), "conv2d", "in_channels = 2",
            "(2, 3, 8, 8)", "3 channels")
    _raises(RuntimeError, lambda: F.conv2d(x, _t(np.zeros((4, 2, 3, 3))), groups=2),
            "in_channels = 4", "groups")
    layer = nn.Conv2d(1, 4, 3)
    _raises(RuntimeError, lambda: layer(tgl.zeros(2, 3, 8, 8)), "Conv2d", "in_channels=1",
            "(2, 3, 8, 8)", "3 channels")
    _raises(RuntimeError, lambda: layer(tgl.zeros(8, 8, 3)), "in_channels=1", "(8, 8, 3)")


@pytest.mark.parametrize("shape", [(8, 8), (1, 1, 1, 8, 8), (8,)])
def test_error_input_of_the_wrong_rank(shape):
    x = tgl.zeros(*shape)
    for fn, name in ((lambda: F.conv2d(x, tgl.zeros(1, 1, 3, 3)), "conv2d"),
                     (lambda: nn.Conv2d(1, 1, 3)(x), "conv2d"),
                     (lambda: F.max_pool2d(x, 2), "max_pool2d"),
                     (lambda: F.avg_pool2d(x, 2), "avg_pool2d")):
        _raises(RuntimeError, fn, name, "3-D", "4-D", str(tuple(shape)))
    _raises(RuntimeError, lambda: F.conv2d(tgl.zeros(1, 1, 4, 4), tgl.zeros(1, 3, 3)),
            "4-D weight", "(1, 3, 3)")


def test_error_kernel_larger_than_padded_input():
    x = tgl.zeros(1, 2, 5, 5)
    _raises(RuntimeError, lambda: F.conv2d(x, tgl.zeros(3, 2, 7, 7)), "conv2d", "(5 x 5)",
            "(7 x 7)", "Kernel size can't be greater than actual input size")
    F.conv2d(x, tgl.zeros(3, 2, 7, 7), padding=1)  # fits with the padding
    _raises(RuntimeError, lambda: F.conv2d(x, tgl.zeros(3, 2, 3, 3), dilation=3), "(7 x 7)",
            "dilation")
    _raises(RuntimeError, lambda: F.max_pool2d(x, 7), "max_pool2d", "output size is too small")
    _raises(RuntimeError, lambda: F.avg_pool2d(x, 6), "avg_pool2d", "output size is too small")


def test_error_groups_not_dividing_channels():
    _raises(ValueError, lambda: nn.Conv2d(3, 4, 3, groups=2),
            "in_channels must be divisible by groups", "in_channels=3", "groups=2")
    _raises(ValueError, lambda: nn.Conv2d(4, 3, 3, groups=2),
            "out_channels must be divisible by groups", "out_channels=3")
    _raises(ValueError, lambda: nn.Conv2d(4, 4, 3, groups=0), "groups must be a positive")
    x = tgl.zeros(1, 4, 5, 5)
    _raises(RuntimeError, lambda: F.conv2d(x, tgl.zeros(3, 2, 3, 3), groups=2), "groups=2",
            "out_channels", "(3, 2, 3, 3)")
    _raises(RuntimeError, lambda: F.conv2d(x, tgl.zeros(4, 4, 3, 3), groups=0),
            "non-positive groups")


def test_error_same_padding_with_stride():
    _raises(ValueError, lambda: nn.Conv2d(1, 1, 3, stride=2, padding="same"),
            "padding='same' is not supported for strided convolutions", "stride=(2, 2)")
    _raises(RuntimeError, lambda: F.conv2d(tgl.zeros(1, 1, 5, 5), tgl.zeros(1, 1, 3, 3),
                                           stride=(1, 2), padding="same"),
            "padding='same' is not supported for strided convolutions", "stride=(1, 2)")


def test_error_non_positive_stride_and_other_bad_numbers():
    x, w = tgl.zeros(1, 1, 5, 5), tgl.zeros(1, 1, 3, 3)
    _raises(RuntimeError, lambda: F.conv2d(x, w, stride=0), "non-positive stride", "(0, 0)")
    _raises(RuntimeError, lambda: F.conv2d(x, w, stride=(1, -1)), "non-positive stride")
    _raises(RuntimeError, lambda: nn.Conv2d(1, 1, 3, stride=0)(x), "non-positive stride")
    _raises(RuntimeError, lambda: F.conv2d(x, w, padding=-1), "negative padding")
    _raises(RuntimeError, lambda: F.conv2d(x, w, dilation=0), "non-positive dilation")
    _raises(RuntimeError, lambda: F.max_pool2d(x, 2, stride=0), "max_pool2d",
            "stride should be greater than zero")
    _raises(RuntimeError, lambda: F.avg_pool2d(x, 2, stride=(1, 0)), "avg_pool2d",
            "stride should be greater than zero")
    _raises(RuntimeError, lambda: F.max_pool2d(x, 0), "kernel size should be greater than zero")
    _raises(RuntimeError, lambda: F.max_pool2d(x, 2, padding=2), "pad should be at most half",
            "kernel_size=(2, 2)")
    _raises(RuntimeError, lambda: F.max_pool2d(x, 2, dilation=0), "dilation should be greater")
    _raises(RuntimeError, lambda: F.avg_pool2d(x, 2, divisor_override=0),
            "divisor must be not zero")
    _raises(TypeError, lambda: F.conv2d(x, w, stride=1.5), "stride", "1.5")
    _raises(TypeError, lambda: F.max_pool2d(x, True), "kernel_size")
    _raises(RuntimeError, lambda: F.conv2d(x, w, stride=(1, 2, 3)), "stride", "3 values")


def test_error_bad_tensors_and_strings():
    x, w = tgl.zeros(1, 2, 5, 5), tgl.zeros(3, 2, 3, 3)
    _raises(RuntimeError, lambda: F.conv2d(x, w.double()), "input type (float32)",
            "weight type (float64)")
    _raises(RuntimeError, lambda: F.conv2d(x, w, tgl.zeros(4)), "bias of shape (3,)", "(4,)")
    _raises(RuntimeError, lambda: F.conv2d(x, w, padding="full"), "invalid padding string",
            "'full'")
    _raises(ValueError, lambda: nn.Conv2d(2, 3, 3, padding="full"), "invalid padding string")
    _raises(ValueError, lambda: nn.Conv2d(2, 3, 3, padding_mode="mirror"), "padding_mode",
            "'mirror'")
    _raises(TypeError, lambda: F.conv2d(x.numpy(), w), "Tensor", "ndarray")
    _raises(NotImplementedError, lambda: F.conv2d(x.bool(), w.bool()), "bool")
    _raises(RuntimeError, lambda: F.conv2d(x, tgl.zeros(0, 2, 3, 3)), "empty")
    _raises(RuntimeError, lambda: nn.Conv2d(2, 2, 3, padding=5, padding_mode="reflect")(x),
            "reflect", "(5, 5)")
    _raises(RuntimeError, lambda: F.max_pool2d(tgl.zeros(1, 0, 4, 4), 2), "max_pool2d",
            "(1, 0, 4, 4)")


def test_errors_name_pytorch_compatible_exception_types(torch):
    """The same bad calls raise the same exception types as PyTorch."""
    cases = [
        lambda m: m.nn.functional.conv2d(m.zeros(1, 3, 5, 5), m.zeros(1, 2, 3, 3)),
        lambda m: m.nn.functional.conv2d(m.zeros(5, 5), m.zeros(1, 1, 3, 3)),
        lambda m: m.nn.functional.conv2d(m.zeros(1, 1, 5, 5), m.zeros(1, 1, 7, 7)),
        lambda m: m.nn.functional.conv2d(m.zeros(1, 1, 5, 5), m.zeros(1, 1, 3, 3), stride=0),
        lambda m: m.nn.Conv2d(3, 4, 3, groups=2),
        lambda m: m.nn.Conv2d(1, 1, 3, stride=2, padding="same"),
        lambda m: m.nn.functional.max_pool2d(m.zeros(1, 1, 5, 5), 2, padding=2),
        lambda m: m.nn.functional.avg_pool2d(m.zeros(1, 1, 5, 5), 2, divisor_override=0),
    ]
    for case in cases:
        with pytest.raises(Exception) as ours:
            case(tgl)
        with warnings.catch_warnings(), pytest.raises(Exception) as theirs:
            warnings.simplefilter("ignore")
            case(torch)
        assert isinstance(ours.value, type(theirs.value)), (ours.value, theirs.value)
        assert re.search(r"\w", str(ours.value))
