"""Convolution and pooling layers: ``F.conv2d``, ``F.max_pool2d``,
``F.avg_pool2d`` and the modules ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``.

Argument names, defaults, output sizes and error cases follow PyTorch.
This module is the public edge: it checks the arguments, turns them into a
`Window` (kernel, stride, dilation, padding and output size) and calls one
operation from `tinygrad_lite.ops.conv`, where the arithmetic lives.
Unbatched (C, H, W) inputs get a batch dim of 1 for the operation.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..ops import conv as ops
from ..ops.conv import Window
from ..tensor import Tensor
from . import init
from .module import Module, Parameter

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


# --------------------------------------------------------------- arguments
def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _pair(value: Any, name: str, fn: str) -> tuple:
    """An int, or a tuple/list of 1 or 2 ints, as (height, width)."""
    if _is_int(value):
        return (int(value), int(value))
    if isinstance(value, (tuple, list)) and all(_is_int(v) for v in value):
        if len(value) == 1:
            return (int(value[0]),) * 2
        if len(value) == 2:
            return (int(value[0]), int(value[1]))
        raise RuntimeError(f"{fn}: {name} must be a single int or a tuple of 2 ints (height, "
                           f"width), got {name}={tuple(value)} with {len(value)} values")
    raise TypeError(f"{fn}: {name} must be an int or a tuple of 2 ints (height, width), got "
                    f"{value!r} ({type(value).__name__})")


def _check_input(x: Any, fn: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: argument 'input' must be a Tensor, not {type(x).__name__}")
    if x.ndim not in (3, 4):
        raise RuntimeError(
            f"{fn}: expected a 3-D (unbatched: C, H, W) or 4-D (batched: N, C, H, W) input, "
            f"but got input of shape {tuple(x.shape)} ({x.ndim}-D). "
            + ("Add the channel dim with x.unsqueeze(-3)." if x.ndim == 2 else
               "Reshape it to (N, C, H, W)."))


def _as_batch(x: Tensor) -> tuple:
    """(4-D input, whether it was batched)."""
    return (x, True) if x.ndim == 4 else (x.unsqueeze(0), False)


# ------------------------------------------------------------- convolution
def _conv_padding(padding: Any, kernel: tuple, stride: tuple, dilation: tuple,
                  fn: str) -> tuple:
    """((top, bottom), (left, right)) from an int, a pair, "valid" or
    "same" (which puts the odd pixel of an even kernel at the bottom/right,
    as PyTorch)."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding == "same":
            if stride != (1, 1):
                raise RuntimeError(
                    f"{fn}: padding='same' is not supported for strided convolutions (got "
                    f"stride={stride}); use stride=1, or give the padding as numbers")
            totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise RuntimeError(f"{fn}: invalid padding string {padding!r}; use 'valid', 'same', "
                           f"an int or a tuple of 2 ints")
    ph, pw = _pair(padding, "padding", fn)
    if ph < 0 or pw < 0:
        raise RuntimeError(f"{fn}: negative padding is not supported (got padding={(ph, pw)})")
    return ((ph, ph), (pw, pw))


def _conv_window(shape: tuple, weight_shape: tuple, stride: tuple, padding: tuple,
                 dilation: tuple, fn: str) -> Window:
    (kh, kw), (h, w) = weight_shape[2:], shape[-2:]
    hp, wp = h + sum(padding[0]), w + sum(padding[1])
    span = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    if hp < span[0] or wp < span[1]:
        raise RuntimeError(
            f"{fn}: calculated padded input size per channel: ({hp} x {wp}) (input {h} x {w} "
            f"plus padding {padding}). Kernel size: ({span[0]} x {span[1]}) (kernel {kh} x "
            f"{kw}, dilation {dilation}). Kernel size can't be greater than actual input size: "
            f"use a smaller kernel or dilation, more padding, or a larger input.")
    out = ((hp - span[0]) // stride[0] + 1, (wp - span[1]) // stride[1] + 1)
    return Window((kh, kw), stride, dilation, padding, out)


def _check_conv_tensors(x: Tensor, weight: Any, bias: Any, groups: int, fn: str) -> None:
    if not isinstance(weight, Tensor):
        raise TypeError(f"{fn}: argument 'weight' must be a Tensor, not {type(weight).__name__}")
    if weight.ndim != 4:
        raise RuntimeError(f"{fn}: expected a 4-D weight (out_channels, in_channels/groups, kH, "
                           f"kW), but got weight of shape {tuple(weight.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.dtype != x.dtype:
            raise RuntimeError(
                f"{fn}: input type ({x.dtype}) and {name} type ({t.dtype}) should be the same; "
                f"convert one of them (e.g. input.float() or layer.double())")
    if x.dtype.kind not in "fiu":
        raise NotImplementedError(f"{fn}: not implemented for dtype {x.dtype}; convert the "
                                  f"input and weight to a float dtype (x.float())")
    out_channels, in_per_group, kh, kw = weight.shape
    if out_channels == 0 or kh == 0 or kw == 0:
        raise RuntimeError(f"{fn}: weight of shape {tuple(weight.shape)} is empty; it needs at "
                           f"least one output channel and a kernel of at least 1 x 1")
    if out_channels % groups:
        raise RuntimeError(
            f"{fn}: groups={groups} must divide the weight's out_channels, but the weight of "
            f"shape {tuple(weight.shape)} has {out_channels}; use a groups that divides both "
            f"in_channels and out_channels")
    channels = x.shape[-3]
    if channels != in_per_group * groups:
        raise RuntimeError(
            f"{fn}: expected input with in_channels = {in_per_group * groups} channels "
            f"(weight.shape[1] * groups = {in_per_group} * {groups}, weight of shape "
            f"{tuple(weight.shape)}), but got input of shape {tuple(x.shape)} with {channels} "
            f"channels. The channels are dim 1 of (N, C, H, W) (dim 0 of an unbatched "
            f"(C, H, W)): make in_channels match, or permute a channels-last image with "
            f"x.permute(0, 3, 1, 2).")
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise RuntimeError(f"{fn}: expected bias of shape ({out_channels},) (one value per "
                           f"output channel), but got bias of shape {tuple(bias.shape)}")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation of `input` (N, C, H, W) or (C, H, W) with
    `weight` (out_channels, C/groups, kH, kW), plus `bias` (out_channels,).

    `padding` is an int, a pair, "valid" (none) or "same" (output size =
    input size; needs stride 1, and an even kernel pads one more at the
    bottom/right). With `groups` > 1 the channels are split into groups
    convolved separately. As ``torch.nn.functional.conv2d``.
    """
    fn = "conv2d"
    _check_input(input, fn)
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"{fn}: argument 'bias' must be a Tensor or None, not "
                        f"{type(bias).__name__}")
    if not _is_int(groups):
        raise TypeError(f"{fn}: groups must be an int, got {groups!r}")
    if groups <= 0:
        raise RuntimeError(f"{fn}: non-positive groups is not supported (got groups={groups})")
    stride, dilation = _pair(stride, "stride", fn), _pair(dilation, "dilation", fn)
    if min(stride) <= 0:
        raise RuntimeError(f"{fn}: non-positive stride is not supported (got stride={stride}); "
                           f"the stride must be at least 1")
    if min(dilation) <= 0:
        raise RuntimeError(f"{fn}: non-positive dilation is not supported (got "
                           f"dilation={dilation}); the dilation must be at least 1")
    _check_conv_tensors(input, weight, bias, int(groups), fn)
    pads = _conv_padding(padding, tuple(weight.shape[2:]), stride, dilation, fn)
    win = _conv_window(input.shape, weight.shape, stride, pads, dilation, fn)
    x, batched = _as_batch(input)
    out = ops.Conv2d.apply(x, weight, bias, win, int(groups))
    return out if batched else out.squeeze(0)


# ----------------------------------------------------------------- pooling
def _pool_window(x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                 ceil_mode: bool, fn: str) -> Window:
    """The pooling window with PyTorch's checks and output-size rule; with
    ceil_mode the last window may hang over the bottom/right edge (it must
    start inside the input or the top/left padding), and the padding is
    extended so that the strided view covers it."""
    kernel = _pair(kernel_size, "kernel_size", fn)
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and not stride) \
        else _pair(stride, "stride", fn)
    padding, dilation = _pair(padding, "padding", fn), _pair(dilation, "dilation", fn)
    if min(kernel) <= 0:
        raise RuntimeError(f"{fn}: kernel size should be greater than zero, but got "
                           f"kernel_size={kernel}")
    if min(stride) <= 0:
        raise RuntimeError(f"{fn}: stride should be greater than zero, but got stride={stride}")
    if min(padding) < 0:
        raise RuntimeError(f"{fn}: pad must be non-negative, but got padding={padding}")
    if min(dilation) <= 0:
        raise RuntimeError(f"{fn}: dilation should be greater than zero, but got "
                           f"dilation={dilation}")
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise RuntimeError(f"{fn}: pad should be at most half of kernel size, but got "
                           f"padding={padding} and kernel_size={kernel}; use padding <= "
                           f"{(kernel[0] // 2, kernel[1] // 2)}")
    if 0 in x.shape[-3:]:
        raise RuntimeError(f"{fn}: expected a 3-D or 4-D (batch mode) tensor with optional 0 "
                           f"dim batch size, but got input of shape {tuple(x.shape)}")
    out, pads = [], []
    for n, k, s, p, d in zip(x.shape[-2:], kernel, stride, padding, dilation):
        span = d * (k - 1) + 1
        size = (n + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (size - 1) * s >= n + p:
            size -= 1  # the last window would start in the bottom/right padding
        out.append(size)
        pads.append((p, p + max(0, (size - 1) * s + span - (n + 2 * p))))
    if min(out) < 1:
        raise RuntimeError(
            f"{fn}: given input of shape {tuple(x.shape)}, kernel_size={kernel}, stride={stride},"
            f" padding={padding}, dilation={dilation}, the calculated output size is "
            f"{tuple(out)}: output size is too small. Use a smaller kernel, stride or dilation, "
            f"more padding, or a larger input.")
    return Window(kernel, stride, dilation, tuple(pads), tuple(out))


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The maximum of each kernel_size window of `input` (N, C, H, W) or
    (C, H, W); `stride` defaults to kernel_size and padding counts as -inf.

    The gradient goes to the first maximum of a window on ties (PyTorch's
    rule); a NaN in a window wins. With ``return_indices=True`` it returns
    (values, indices), the indices as PyTorch gives them: int64 positions
    ``h * W + w`` in each (H, W) plane.
    """
    fn = "max_pool2d"
    _check_input(input, fn)
    if input.dtype.kind not in "fiu":
        raise NotImplementedError(f"{fn}: not implemented for dtype {input.dtype}; convert "
                                  f"the input first (x.float())")
    win = _pool_window(input, kernel_size, stride, padding, dilation, ceil_mode, fn)
    x, batched = _as_batch(input)
    out = ops.MaxPool2d.apply(x, win)
    if return_indices:  # found again: the operation keeps its winners for backward only
        _, winners = ops.max_pool2d_array(x.data, win)
        indices = Tensor._make(ops.torch_indices(winners, win, x.shape[-1]))
        return (out, indices) if batched else (out.squeeze(0), indices.squeeze(0))
    return out if batched else out.squeeze(0)


def _avg_divisor(x: Tensor, win: Window, padding: tuple, count_include_pad: bool,
                 divisor_override: int | None) -> np.ndarray:
    """(Ho, Wo) int64: what each window's sum is divided by. PyTorch's rule:
    the override if given; else the window's size clipped to the padded
    input (count_include_pad) or to the input itself."""
    if divisor_override is not None:
        return np.full(win.out, divisor_override, np.int64)
    sizes = []
    for n, k, s, p, o in zip(x.shape[-2:], win.kernel, win.stride, padding, win.out):
        start = np.arange(o, dtype=np.int64) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            sizes.append(end - start)
        else:
            sizes.append(np.minimum(end, n) - np.maximum(start, 0))
    return sizes[0][:, None] * sizes[1][None, :]


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The average of each kernel_size window of `input` (N, C, H, W) or
    (C, H, W); `stride` defaults to kernel_size and padding counts as 0.

    Each window's sum is divided by its number of elements, padding included
    when `count_include_pad` (but never the part of a ceil_mode window that
    hangs past the padding), or by `divisor_override`. As PyTorch's.
    """
    fn = "avg_pool2d"
    _check_input(input, fn)
    if input.dtype.kind != "f" and input.dtype != np.int64:
        raise NotImplementedError(f"{fn}: not implemented for dtype {input.dtype} (only "
                                  f"floats and int64); convert the input first (x.float())")
    if divisor_override is not None:
        if not _is_int(divisor_override):
            raise TypeError(f"{fn}: divisor_override must be an int or None, got "
                            f"{divisor_override!r}")
        if divisor_override == 0:
            raise RuntimeError(f"{fn}: divisor must be not zero (divisor_override=0); use None "
                               f"to divide by the window size")
    win = _pool_window(input, kernel_size, stride, padding, 1, ceil_mode, fn)
    padding = _pair(padding, "padding", fn)
    divisor = _avg_divisor(input, win, padding, count_include_pad, divisor_override)
    x, batched = _as_batch(input)
    out = ops.AvgPool2d.apply(x, win, divisor)
    return out if batched else out.squeeze(0)


# ----------------------------------------------------------------- modules
class Conv2d(Module):
    """A 2-D convolution layer with a learnable weight (out_channels,
    in_channels/groups, kH, kW) and bias (out_channels,), initialised as
    PyTorch's (kaiming_uniform_ with a=sqrt(5); bias uniform in
    +-1/sqrt(fan_in)). See `conv2d` for the arguments; `padding_mode` is
    'zeros', 'reflect', 'replicate' or 'circular'."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        fn = "Conv2d"
        if not _is_int(groups) or groups <= 0:
            raise ValueError(f"{fn}: groups must be a positive integer, got groups={groups!r}")
        if in_channels % groups:
            raise ValueError(f"{fn}: in_channels must be divisible by groups, got "
                             f"in_channels={in_channels} and groups={groups}")
        if out_channels % groups:
            raise ValueError(f"{fn}: out_channels must be divisible by groups, got "
                             f"out_channels={out_channels} and groups={groups}")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{fn}: padding_mode must be one of {_PADDING_MODES}, but got "
                             f"padding_mode={padding_mode!r}")
        if device is not None and str(device).split(":")[0] != "cpu":
            raise NotImplementedError(f"{fn}: device {device!r} is not supported; "
                                      f"tinygrad_lite runs on the CPU only")
        kernel_size, stride = _pair(kernel_size, "kernel_size", fn), _pair(stride, "stride", fn)
        dilation = _pair(dilation, "dilation", fn)
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"{fn}: invalid padding string {padding!r}, should be one of "
                                 f"'valid', 'same'")
            if padding == "same" and stride != (1, 1):
                raise ValueError(f"{fn}: padding='same' is not supported for strided "
                                 f"convolutions (got stride={stride}); use stride=1")
        else:
            padding = _pair(padding, "padding", fn)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.transposed, self.output_padding = dilation, False, (0, 0)
        self.groups, self.padding_mode = int(groups), padding_mode
        dtype = dtypes.default_float if dtype is None else dtypes.to_dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"{fn}: parameters must have a float dtype, got dtype={dtype}")
        self.weight = Parameter(np.empty((out_channels, in_channels // groups) + kernel_size,
                                         dtype))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        if isinstance(input, Tensor) and input.ndim in (3, 4) \
                and input.shape[-3] != self.in_channels:
            raise RuntimeError(
                f"Conv2d: this layer has in_channels={self.in_channels}, but got input of shape "
                f"{tuple(input.shape)} with {input.shape[-3]} channels (dim "
                f"{input.ndim - 3}). Give it input of shape (N, {self.in_channels}, H, W) or "
                f"({self.in_channels}, H, W), or create the layer with "
                f"in_channels={input.shape[-3]}.")
        if self.padding_mode == "zeros":
            return conv2d(input, self.weight, self.bias, self.stride, self.padding,
                          self.dilation, self.groups)
        from .functional import pad  # functional imports this module
        _check_input(input, "Conv2d")
        (top, bottom), (left, right) = _conv_padding(self.padding, self.kernel_size, self.stride,
                                                     self.dilation, "Conv2d")
        padded = pad(input, (left, right, top, bottom), mode=self.padding_mode)
        return conv2d(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class MaxPool2d(Module):
    """Max pooling over kernel_size windows; see `max_pool2d`."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor) -> Any:
        return max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """Average pooling over kernel_size windows; see `avg_pool2d`."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


__all__ = ["conv2d", "max_pool2d", "avg_pool2d", "Conv2d", "MaxPool2d", "AvgPool2d"]
