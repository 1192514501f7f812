"""Op-table entries for convolution and pooling (tinygrad_lite.ops.conv).

Hypothesis draws small inputs with every argument varied (kernel, stride,
padding, dilation, groups, ceil_mode, ...); the references are direct loops
over the output positions, independent of the im2col implementation.
Max-pooling inputs have distinct values spaced 0.1 apart, so that finite
differences never move the maximum of a window.
"""
from __future__ import annotations

import warnings

import numpy as np
from hypothesis import assume, strategies as st

import tinygrad_lite as tgl
from tinygrad_lite.nn import conv as F
from tinygrad_lite.testing.strategies import arrays
from .spec import Const, OpEntry, Sample


def _pair(v) -> tuple:
    return (v, v) if isinstance(v, int) else tuple(v)


def _pool_out(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    span = d * (k - 1) + 1
    out = (n + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
    return out - 1 if ceil_mode and (out - 1) * s >= n + p else out


def _windows_touch_input(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> bool:
    """Whether every pooling window has an element inside the input."""
    return all(any(0 <= o * s - p + a * d < n for a in range(k))
               for o in range(_pool_out(n, k, s, p, d, ceil_mode)))


# ------------------------------------------------------------- references
def conv2d_reference(x, w, b, stride=1, padding=0, dilation=1, groups=1):
    unbatched = x.ndim == 3
    x = x[None] if unbatched else x
    (sh, sw), (dh, dw) = _pair(stride), _pair(dilation)
    o_ch, c_per_group, kh, kw = w.shape
    if padding == "same":
        pads = [(t // 2, t - t // 2) for t in (dh * (kh - 1), dw * (kw - 1))]
    else:
        pads = [(p, p) for p in _pair(0 if padding == "valid" else padding)]
    xp = np.pad(x, [(0, 0), (0, 0)] + pads)
    ho = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    wo = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((x.shape[0], o_ch, ho, wo))
    for o in range(o_ch):
        c0 = o // (o_ch // groups) * c_per_group
        for i in range(ho):
            for j in range(wo):
                patch = xp[:, c0:c0 + c_per_group, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                           j * sw:j * sw + dw * (kw - 1) + 1:dw]
                out[:, o, i, j] = (patch * w[o]).sum(axis=(1, 2, 3))
    if b is not None:
        out += b[None, :, None, None]
    return out[0] if unbatched else out


def _pool_reference(x, kernel_size, stride, padding, dilation, ceil_mode, reduce):
    """reduce(values, positions) over each window's in-input elements and
    the padding positions it covers (padding given as None values)."""
    (kh, kw), (ph, pw), (dh, dw) = _pair(kernel_size), _pair(padding), _pair(dilation)
    sh, sw = _pair(stride if stride else kernel_size)
    h, w = x.shape[-2:]
    ho = _pool_out(h, kh, sh, ph, dh, ceil_mode)
    wo = _pool_out(w, kw, sw, pw, dw, ceil_mode)
    outs = []
    for i in range(ho):
        for j in range(wo):
            rows = [i * sh - ph + a * dh for a in range(kh)]
            cols = [j * sw - pw + c * dw for c in range(kw)]
            outs.append(reduce(x, rows, cols))
    stacked = [np.stack([o[k] for o in outs], -1) for k in range(len(outs[0]))]
    return [s.reshape(x.shape[:-2] + (ho, wo)) for s in stacked]


def max_pool2d_reference(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                         return_indices=False):
    h, w = x.shape[-2:]

    def reduce(x, rows, cols):
        inside = [(r, c) for r in rows for c in cols if 0 <= r < h and 0 <= c < w]
        values = np.stack([x[..., r, c] for r, c in inside], -1)
        best = values.argmax(-1)
        flat = np.array([r * w + c for r, c in inside])[best]
        return values.max(-1), flat
    values, indices = _pool_reference(x, kernel_size, stride, padding, dilation, ceil_mode,
                                      reduce)
    return (values, indices) if return_indices else values


def avg_pool2d_reference(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                         count_include_pad=True, divisor_override=None):
    h, w = x.shape[-2:]
    (kh, kw), (ph, pw) = _pair(kernel_size), _pair(padding)

    def reduce(x, rows, cols):
        total = sum(x[..., r, c] for r in rows for c in cols if 0 <= r < h and 0 <= c < w)
        if divisor_override:
            return (total / divisor_override,)
        if count_include_pad:  # the window clipped to the padded input
            n = (min(rows[0] + kh, h + ph) - rows[0]) * (min(cols[0] + kw, w + pw) - cols[0])
        else:
            n = sum(1 for r in rows for c in cols if 0 <= r < h and 0 <= c < w)
        return (total / n,)
    return _pool_reference(x, kernel_size, stride, padding, 1, ceil_mode, reduce)[0]


# ------------------------------------------------------------- strategies
@st.composite
def conv_samples(draw, same: bool = False):
    groups = draw(st.integers(1, 2))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    if same:
        stride, padding = 1, "same"
        pads = (0, 0)
    else:
        stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
        pads = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
        padding = draw(st.sampled_from([pads, pads[0], "valid"])) if pads[0] == pads[1] \
            else pads
        if padding == "valid":
            pads = (0, 0)
    hw = []
    for k, d, p in zip(kernel, dilation, pads):
        low = max(1, d * (k - 1) + 1 - 2 * p)
        hw.append(draw(st.integers(low, low + 2)))
    batch = () if draw(st.booleans()) and same else (draw(st.integers(1, 2)),)
    x = draw(arrays(batch + (c_in,) + tuple(hw)))
    w = draw(arrays((c_out, c_in // groups) + kernel))
    b = draw(arrays((c_out,))) if draw(st.booleans()) else Const(None)
    kwargs = {"padding": padding, "dilation": dilation}
    if not same:
        kwargs.update(stride=stride, groups=groups)
    elif groups > 1:
        kwargs["groups"] = groups
    return Sample((x, w, b), kwargs)


@st.composite
def pool_args(draw, dilation: bool):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    ceil_mode = draw(st.booleans())
    hw = tuple(draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 5))
               for k, d, p in zip(kernel, dil, padding))
    # A dilated window can fall entirely in the padding; PyTorch gives -inf
    # there and crashes in backward (double free), so such cases are tested
    # apart, without the oracle.
    assume(all(_windows_touch_input(*args, ceil_mode) for args in
               zip(hw, kernel, stride or kernel, padding, dil)))
    kwargs = {"kernel_size": kernel, "stride": stride, "padding": padding,
              "ceil_mode": ceil_mode}
    if dilation:
        kwargs["dilation"] = dil
    return hw, kwargs


def _leading(draw) -> tuple:
    """(N, C) or, for an unbatched input, (C,)."""
    return draw(st.sampled_from([(1, 1), (2, 2), (1, 3), (2,)]))


@st.composite
def distinct_values(draw, shape: tuple):
    n = int(np.prod(shape))
    order = draw(st.permutations(range(n)))
    return (np.array(order, dtype=np.float64).reshape(shape) - n / 2) / 10


@st.composite
def max_pool_samples(draw):
    hw, kwargs = draw(pool_args(dilation=True))
    kwargs["return_indices"] = draw(st.booleans())
    return Sample((draw(distinct_values(_leading(draw) + hw)),), kwargs)


@st.composite
def pool_backward_samples(draw, dilation: bool, wrt_input: bool = False):
    """(x as a constant, v): v has the pooling's output shape, or the
    input's shape when `wrt_input`."""
    hw, kwargs = draw(pool_args(dilation))
    if not dilation:
        kwargs["count_include_pad"] = draw(st.booleans())
    x = draw(distinct_values(_leading(draw) + hw))
    out = tuple(_pool_out(n, k, s, p, d, kwargs["ceil_mode"]) for n, k, s, p, d in zip(
        hw, kwargs["kernel_size"], kwargs["stride"] or kwargs["kernel_size"],
        kwargs["padding"], kwargs.get("dilation", (1, 1))))
    return Sample((Const(x), draw(arrays(x.shape if wrt_input else x.shape[:-2] + out))),
                  kwargs)


@st.composite
def avg_pool_samples(draw):
    hw, kwargs = draw(pool_args(dilation=False))
    kwargs["count_include_pad"] = draw(st.booleans())
    kwargs["divisor_override"] = draw(st.one_of(st.none(), st.integers(1, 5)))
    return Sample((draw(arrays(_leading(draw) + hw)),), kwargs)


# ---------------------------------------------------------------- entries
def _torch_conv2d(torch, x, w, b, **kwargs):
    with warnings.catch_warnings():  # padding="same" with an even kernel: a note on speed
        warnings.simplefilter("ignore", UserWarning)
        return torch.nn.functional.conv2d(x, w, b, **kwargs)


def _pool_backward(lib, pool, x, v, **kwargs):
    """The gradient of pool at x for output gradient v, as a differentiable
    function of v (recorded with create_graph): max pooling's scatter to
    the maxima, average pooling's spread over the windows."""
    x = x.to(v.dtype).detach().requires_grad_()
    return lib.autograd.grad(pool(x, **kwargs), x, v, create_graph=True)[0]


def _max_pool_double_backward(lib, functional, x, u, **kwargs):
    """The derivative of max pooling's backward (a scatter) in the direction
    u: the gather of u at the maxima, itself a differentiable function of u."""
    x = x.to(u.dtype)
    out_shape = functional.max_pool2d(x, **kwargs).shape
    v = lib.zeros(out_shape, dtype=u.dtype, requires_grad=True)
    g = _pool_backward(lib, functional.max_pool2d, x, v, **kwargs)
    return lib.autograd.grad(g, v, u, create_graph=True)[0]


def _max_pool_backward_reference(x, v, **kwargs):
    _, indices = max_pool2d_reference(x, return_indices=True, **kwargs)
    planes = np.zeros((int(np.prod(v.shape[:-2])), x.shape[-2] * x.shape[-1]))
    for plane, idx, val in zip(planes, indices.reshape(len(planes), -1),
                               v.reshape(len(planes), -1)):
        np.add.at(plane, idx, val)
    return planes.reshape(x.shape)


def _max_pool_double_backward_reference(x, u, **kwargs):
    _, indices = max_pool2d_reference(x, return_indices=True, **kwargs)
    planes = u.reshape(-1, u.shape[-2] * u.shape[-1])
    picked = [plane[idx] for plane, idx in zip(planes, indices.reshape(len(planes), -1))]
    return np.array(picked).reshape(indices.shape)


def _avg_pool_backward_reference(x, v, **kwargs):
    """Column j of the (linear) average pooling's matrix, times v."""
    flat = np.eye(x.size).reshape((x.size,) + x.shape)
    rows = np.stack([avg_pool2d_reference(e, **kwargs).reshape(-1) for e in flat])
    return (rows @ v.reshape(-1)).reshape(x.shape)


ENTRIES = [
    OpEntry("conv2d", lambda x, w, b, **kw: F.conv2d(x, w, b, **kw), conv_samples(),
            conv2d_reference, _torch_conv2d),
    OpEntry("conv2d(padding='same')", lambda x, w, b, **kw: F.conv2d(x, w, b, **kw),
            conv_samples(same=True), conv2d_reference, _torch_conv2d),
    OpEntry("max_pool2d", lambda x, **kw: F.max_pool2d(x, **kw), max_pool_samples(),
            max_pool2d_reference,
            lambda torch, x, **kw: torch.nn.functional.max_pool2d(x, **kw)),
    OpEntry("max_pool2d backward",
            lambda x, v, **kw: _pool_backward(tgl, F.max_pool2d, x, v, **kw),
            pool_backward_samples(dilation=True), _max_pool_backward_reference,
            lambda torch, x, v, **kw: _pool_backward(torch, torch.nn.functional.max_pool2d,
                                                     x, v, **kw),
            note="the scatter that is max pooling's backward (MaxPool2dScatter)"),
    OpEntry("max_pool2d double backward",
            lambda x, u, **kw: _max_pool_double_backward(tgl, F, x, u, **kw),
            pool_backward_samples(dilation=True, wrt_input=True),
            _max_pool_double_backward_reference,
            lambda torch, x, u, **kw: _max_pool_double_backward(torch, torch.nn.functional,
                                                                x, u, **kw),
            note="the gather that is the scatter's backward (MaxPool2dGather)"),
    OpEntry("avg_pool2d", lambda x, **kw: F.avg_pool2d(x, **kw), avg_pool_samples(),
            avg_pool2d_reference,
            lambda torch, x, **kw: torch.nn.functional.avg_pool2d(x, **kw)),
    OpEntry("avg_pool2d backward",
            lambda x, v, **kw: _pool_backward(tgl, F.avg_pool2d, x, v, **kw),
            pool_backward_samples(dilation=False), _avg_pool_backward_reference,
            lambda torch, x, v, **kw: _pool_backward(torch, torch.nn.functional.avg_pool2d,
                                                     x, v, **kw),
            note="average pooling's backward (AvgPool2dSpread)"),
]
