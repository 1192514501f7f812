"""2-D convolution and pooling, on strided views of the padded input.

A `Window` says where the kernel sits on the input: kernel size, stride,
dilation, padding and the output size. Every operation here works with the
same picture of it: the padded input, and for each kernel position (i, j) a
*tap*, the strided slice of the padded input that position (i, j) of every
window reads (``xp[..., i*dh::sh, j*dw::sw]``, cut to the output size).

* Convolution copies the windows once into a column matrix (im2col, from a
  read-only `as_strided` view) and does ONE batched matmul with the weight;
  groups are a batch dim of that matmul, not a Python loop.
* Its backward is two more operations, each the adjoint of the forward in
  one argument: `Conv2dGradInput` (a transposed convolution: one matmul,
  then the columns are added back tap by tap, kh*kw strided adds, col2im)
  and `Conv2dGradWeight` (one batched matmul). The three are closed under
  differentiation, so every derivative order works.
* Max pooling takes the maximum over the taps and remembers, per tap, the
  windows it wins (PyTorch's rule: the first maximum of a window wins a
  tie, NaN wins). Its backward scatters the gradient to the winners
  (`MaxPool2dScatter`); the backward of that is a gather
  (`MaxPool2dGather`), whose backward is the scatter again.
* Average pooling sums the taps and divides; its backward spreads the
  gradient back over the taps (`AvgPool2dSpread`), whose backward is the
  average pooling again.

Arguments arrive validated (see `tinygrad_lite.nn.conv`); the inputs are
4-D (N, C, H, W).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd.function import Op
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor


@dataclass(frozen=True)
class Window:
    """Where the windows of a convolution or pooling sit on a 2-D input.

    ``padding`` is ((top, bottom), (left, right)): bottom/right may differ
    from top/left (padding="same" with an even kernel, ceil_mode pooling).
    ``out`` is the output size (Ho, Wo).
    """

    kernel: tuple
    stride: tuple
    dilation: tuple
    padding: tuple
    out: tuple

    def padded_shape(self, shape: tuple) -> tuple:
        (top, bottom), (left, right) = self.padding
        return shape[:-2] + (shape[-2] + top + bottom, shape[-1] + left + right)

    def pad(self, x: np.ndarray, value: Any = 0) -> np.ndarray:
        """`x` inside a border of `value` (x itself when there is none)."""
        (top, bottom), (left, right) = self.padding
        if not (top or bottom or left or right):
            return x
        out = np.full(self.padded_shape(x.shape), value, x.dtype)
        out[..., top:top + x.shape[-2], left:left + x.shape[-1]] = x
        return out

    def crop(self, xp: np.ndarray, shape: tuple) -> np.ndarray:
        """The inverse of `pad`: the part of `xp` that is the input."""
        (top, _), (left, _) = self.padding
        return xp[..., top:top + shape[-2], left:left + shape[-1]]

    def taps(self) -> Iterator[tuple]:
        """For each kernel position, row by row, the index of the padded
        input's elements it reads in every window (an (Ho, Wo) grid)."""
        (kh, kw), (sh, sw), (dh, dw), (ho, wo) = self.kernel, self.stride, self.dilation, self.out
        for i in range(kh):
            rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)
            for j in range(kw):
                yield (Ellipsis, rows, slice(j * dw, j * dw + sw * (wo - 1) + 1, sw))

    def columns(self, xp: np.ndarray) -> np.ndarray:
        """Read-only view (N, C, kh, kw, Ho, Wo) of the windows of the
        padded input `xp`: no copy."""
        n, c = xp.shape[:2]
        s_n, s_c, s_h, s_w = xp.strides
        (kh, kw), (sh, sw), (dh, dw), (ho, wo) = self.kernel, self.stride, self.dilation, self.out
        return as_strided(xp, (n, c, kh, kw, ho, wo),
                          (s_n, s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw), writeable=False)

    def add_taps(self, cols: np.ndarray, shape: tuple) -> np.ndarray:
        """col2im: zeros of the input's `shape` with every window's values
        `cols` (N, C, kh, kw, Ho, Wo) added where the window read them."""
        kw = self.kernel[1]
        out = np.zeros(self.padded_shape(shape), cols.dtype)
        for k, tap in enumerate(self.taps()):
            out[tap] += cols[:, :, k // kw, k % kw]
        return self.crop(out, shape)


def _is_tensor(*args: Any) -> bool:
    return any(isinstance(a, Tensor) for a in args)


def _tensor(a: Any) -> Tensor:
    return a if isinstance(a, Tensor) else Tensor._make(a)


def _array(a: Any) -> np.ndarray:
    """A saved constant as an array (saved_tensors gives Tensors under
    create_graph)."""
    return a.data if isinstance(a, Tensor) else a


# ------------------------------------------------------------ convolution
def im2col(x: np.ndarray, win: Window, groups: int) -> np.ndarray:
    """The windows of `x` as a contiguous (N, groups, C/groups*kh*kw, Ho*Wo)
    matrix per sample and group: the one copy a convolution makes."""
    n, c = x.shape[:2]
    kh, kw = win.kernel
    cols = win.columns(win.pad(x))
    return cols.reshape(n, groups, c // groups * kh * kw, win.out[0] * win.out[1])


def _weight_rows(w: np.ndarray, groups: int) -> np.ndarray:
    """The weight as (G, O/G, C/G*kh*kw): one row per output channel."""
    o, c, kh, kw = w.shape
    return w.reshape(groups, o // groups, c * kh * kw)


def conv2d_array(cols: np.ndarray, w: np.ndarray, groups: int, out_hw: tuple) -> np.ndarray:
    """(G, O/G, K) weight rows times (N, G, K, M) columns: out (N, O, Ho, Wo)."""
    n, o = cols.shape[0], w.shape[0]
    out = _weight_rows(w, groups) @ cols
    return out.reshape((n, o) + out_hw)


def conv2d_grad_input_array(g: np.ndarray, w: np.ndarray, shape: tuple, win: Window,
                            groups: int) -> np.ndarray:
    """The transposed convolution: each output gradient times the weight
    gives the gradient of every column entry (one matmul), and col2im adds
    the columns back where they came from."""
    n, o = g.shape[:2]
    kh, kw = win.kernel
    w_rows = _weight_rows(w, groups)
    g_rows = g.reshape(n, groups, o // groups, win.out[0] * win.out[1])
    cols = w_rows.swapaxes(1, 2) @ g_rows  # (N, G, C/G*kh*kw, Ho*Wo)
    return win.add_taps(cols.reshape((n, shape[1], kh, kw) + win.out), shape)


def conv2d_grad_weight_array(cols: np.ndarray, g: np.ndarray, shape: tuple,
                             groups: int) -> np.ndarray:
    """sum over samples and positions of output gradient x column: one
    batched matmul (N*G small products, then a sum over N: measured faster
    than one tensordot, which would copy the columns transposed)."""
    n, o = g.shape[:2]
    g_rows = g.reshape(n, groups, o // groups, cols.shape[-1])
    return (g_rows @ cols.swapaxes(-1, -2)).sum(axis=0).reshape(shape)


def conv2d(x: Any, w: Any, win: Window, groups: int) -> Any:
    """Convolution without bias, on arrays or (recording the graph) Tensors."""
    if _is_tensor(x, w):
        return Conv2d.apply(_tensor(x), _tensor(w), None, win, groups)
    return conv2d_array(im2col(x, win, groups), w, groups, win.out)


def conv2d_grad_input(g: Any, w: Any, shape: tuple, win: Window, groups: int) -> Any:
    if _is_tensor(g, w):
        return Conv2dGradInput.apply(_tensor(g), _tensor(w), shape, win, groups)
    return conv2d_grad_input_array(g, w, shape, win, groups)


def conv2d_grad_weight(x: Any, g: Any, shape: tuple, win: Window, groups: int,
                       cols: np.ndarray | None = None) -> Any:
    """The weight gradient; `cols` are x's columns when forward kept them."""
    if _is_tensor(x, g):
        return Conv2dGradWeight.apply(_tensor(x), _tensor(g), shape, win, groups)
    if cols is None:
        cols = im2col(x, win, groups)
    return conv2d_grad_weight_array(cols, g, shape, groups)


class Conv2d(Op):
    """out[n, o] = sum over c, i, j of w[o, c, i, j] * x[n, c, window + (i, j)]
    (+ bias[o]): cross-correlation, as PyTorch's conv2d."""

    @staticmethod
    def forward(ctx, x, w, bias, win, groups):
        cols = im2col(x.data, win, groups)
        out = conv2d_array(cols, w.data, groups, win.out)
        if bias is not None:
            out += bias.data[:, None, None]
        # Keeping the columns costs kh*kw times the input's memory but saves
        # building them again for the weight gradient.
        ctx.save_for_backward(x, w, cols if w.requires_grad else None)
        ctx.win, ctx.groups = win, groups
        return out

    @staticmethod
    def backward(ctx, g):
        x, w, cols = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        gx = gw = gb = None
        if need_x:
            gx = conv2d_grad_input(g, w, x.shape, ctx.win, ctx.groups)
        if need_w:
            gw = conv2d_grad_weight(x, g, w.shape, ctx.win, ctx.groups, cols)
        if need_b:
            gb = g.sum(axis=(0, 2, 3))
        return gx, gw, gb, None, None


class Conv2dGradInput(Op):
    """The gradient of a convolution with respect to its input, as an
    operation of its own (a transposed convolution of g with w), so that
    it can be differentiated again: it is linear in g and in w."""

    @staticmethod
    def forward(ctx, g, w, shape, win, groups):
        ctx.save_for_backward(g, w)
        ctx.shape, ctx.win, ctx.groups = shape, win, groups
        return conv2d_grad_input_array(g.data, w.data, shape, win, groups)

    @staticmethod
    def backward(ctx, gx):
        g, w = ctx.saved_tensors
        need_g, need_w = ctx.needs_input_grad[:2]
        gg = conv2d(gx, w, ctx.win, ctx.groups) if need_g else None
        gw = conv2d_grad_weight(gx, g, w.shape, ctx.win, ctx.groups) if need_w else None
        return gg, gw, None, None, None


class Conv2dGradWeight(Op):
    """The gradient of a convolution with respect to its weight, as an
    operation of its own: linear in the input x and in the gradient g."""

    @staticmethod
    def forward(ctx, x, g, shape, win, groups):
        ctx.save_for_backward(x, g)
        ctx.win, ctx.groups = win, groups
        return conv2d_grad_weight_array(im2col(x.data, win, groups), g.data, shape, groups)

    @staticmethod
    def backward(ctx, gw):
        x, g = ctx.saved_tensors
        need_x, need_g = ctx.needs_input_grad[:2]
        gx = conv2d_grad_input(g, gw, x.shape, ctx.win, ctx.groups) if need_x else None
        gg = conv2d(x, gw, ctx.win, ctx.groups) if need_g else None
        return gx, gg, None, None, None


# ------------------------------------------------------------ max pooling
def lowest(dtype: np.dtype) -> Any:
    """The padding of max pooling: a value no element can lose to."""
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def first_inside(win: Window) -> np.ndarray:
    """(Ho, Wo): the tap of each window's first element inside the input
    (not padding), where PyTorch's scan of the window starts."""
    (_, kw), (sh, sw), (dh, dw), (ho, wo) = win.kernel, win.stride, win.dilation, win.out
    (top, _), (left, _) = win.padding
    start_h = np.arange(ho) * sh - top
    start_w = np.arange(wo) * sw - left
    i0 = np.where(start_h < 0, (-start_h + dh - 1) // dh, 0)
    j0 = np.where(start_w < 0, (-start_w + dw - 1) // dw, 0)
    return i0[:, None] * kw + j0[None, :]


def max_pool2d_array(x: np.ndarray, win: Window, find_winners: bool = True) -> tuple:
    """(values, winners): the maximum of each window, and for each tap a
    mask of the windows it wins (kh*kw masks of shape (N, C, Ho, Wo), one
    True per window; None unless `find_winners`).

    PyTorch scans a window row by row from its first element inside the
    input and takes a value that is larger than the best so far, or NaN.
    So the first maximum wins a tie, the last NaN wins, and a window whose
    elements are all -inf is won by its first element inside the input.
    """
    taps = list(win.taps())
    xp = win.pad(x, lowest(x.dtype))
    best = xp[taps[0]].copy()
    for tap in taps[1:]:
        np.maximum(best, xp[tap], out=best)  # NaN propagates, as in PyTorch
    if not find_winners:
        return best, None
    winners = np.empty((len(taps),) + best.shape, bool)
    claimed = np.zeros(best.shape, bool)
    for k, tap in enumerate(taps):
        np.equal(xp[tap], best, out=winners[k])
        winners[k] &= ~claimed
        claimed |= winners[k]
    if x.dtype.kind == "f" and not claimed.all():  # NaN windows: the last NaN wins
        nan_windows = ~claimed
        for k, tap in enumerate(taps):
            is_nan = nan_windows & np.isnan(xp[tap])
            winners[:k][:, is_nan] = False
            winners[k] |= is_nan
    all_lowest = best == lowest(x.dtype)
    if all_lowest.any():  # the first tap may be padding, as low as the input
        first = np.broadcast_to(first_inside(win), best.shape)[all_lowest]
        for k in range(len(taps)):
            winners[k][all_lowest] = first == k
    return best, winners


def torch_indices(winners: np.ndarray, win: Window, width: int) -> np.ndarray:
    """Winning taps as PyTorch's indices: h * W + w in the unpadded input."""
    (_, kw), (sh, sw), (dh, dw), (ho, wo) = win.kernel, win.stride, win.dilation, win.out
    (top, _), (left, _) = win.padding
    arg = winners.argmax(axis=0)
    h = (np.arange(ho) * sh - top)[:, None] + arg // kw * dh
    w = (np.arange(wo) * sw - left)[None, :] + arg % kw * dw
    return (h * width + w).astype(np.int64)


def windows_overlap(win: Window) -> bool:
    """Whether some input element may belong to two windows (neighbours
    along one dim share elements when the stride is below the span)."""
    return any(s < d * (k - 1) + 1 for k, s, d in zip(win.kernel, win.stride, win.dilation))


def scatter_array(g: np.ndarray, winners: np.ndarray, shape: tuple, win: Window) -> np.ndarray:
    out = np.zeros(win.padded_shape(shape), g.dtype)
    finite = np.isfinite(g).all()  # g * False is 0 only for finite g
    overlap = windows_overlap(win)
    for mask, tap in zip(winners, win.taps()):
        if finite and not overlap:  # each element written once: multiply into place
            np.multiply(g, mask, out=out[tap])
        else:
            out[tap] += g * mask if finite else np.where(mask, g, 0)
    return win.crop(out, shape)


def gather_array(x: np.ndarray, winners: np.ndarray, win: Window) -> np.ndarray:
    xp = win.pad(x)
    out = np.zeros(x.shape[:2] + win.out, x.dtype)
    for mask, tap in zip(winners, win.taps()):
        np.copyto(out, xp[tap], where=mask)
    return out


def max_pool2d_scatter(g: Any, winners: np.ndarray, shape: tuple, win: Window) -> Any:
    if isinstance(g, Tensor):
        return MaxPool2dScatter.apply(g, winners, shape, win)
    return scatter_array(g, winners, shape, win)


def max_pool2d_gather(x: Any, winners: np.ndarray, win: Window) -> Any:
    if isinstance(x, Tensor):
        return MaxPool2dGather.apply(x, winners, win)
    return gather_array(x, winners, win)


class MaxPool2d(Op):
    """The maximum of each window; the gradient goes to the element that
    won (the first maximum on ties, as PyTorch)."""

    @staticmethod
    def forward(ctx, x, win):
        values, winners = max_pool2d_array(x.data, win, x.requires_grad and is_grad_enabled())
        # backward needs only the winners; x is saved as PyTorch saves it (a
        # change in place then raises, and a create_graph gradient depends on it)
        ctx.save_for_backward(winners, x)
        ctx.shape, ctx.win = x.data.shape, win
        return values

    @staticmethod
    def backward(ctx, g):
        winners = ctx.saved_tensors[0]
        return max_pool2d_scatter(g, _array(winners), ctx.shape, ctx.win), None


class MaxPool2dScatter(Op):
    """Each window's gradient added at the position of its winner (the
    backward of max pooling), as an operation so that it can be
    differentiated: its backward gathers from the same positions."""

    @staticmethod
    def forward(ctx, g, winners, shape, win):
        ctx.save_for_backward(winners)
        ctx.win = win
        return scatter_array(g.data, winners, shape, win)

    @staticmethod
    def backward(ctx, gx):
        (winners,) = ctx.saved_tensors
        return max_pool2d_gather(gx, _array(winners), ctx.win), None, None, None


class MaxPool2dGather(Op):
    """The value at each window's winning position (fixed positions, not
    the maximum of the values given); its backward is the scatter."""

    @staticmethod
    def forward(ctx, x, winners, win):
        ctx.save_for_backward(winners)
        ctx.shape, ctx.win = x.data.shape, win
        return gather_array(x.data, winners, win)

    @staticmethod
    def backward(ctx, g):
        (winners,) = ctx.saved_tensors
        return max_pool2d_scatter(g, _array(winners), ctx.shape, ctx.win), None, None


# -------------------------------------------------------- average pooling
def avg_pool2d_array(x: np.ndarray, win: Window, divisor: np.ndarray) -> np.ndarray:
    """Sum of each window (zero padding) divided by `divisor` (Ho, Wo);
    integers divide rounding toward zero, as PyTorch's integer kernel."""
    xp = win.pad(x)
    total = np.zeros(x.shape[:2] + win.out, x.dtype)
    for tap in win.taps():
        total += xp[tap]
    if x.dtype.kind == "f":
        return total / divisor.astype(x.dtype)
    return np.abs(total) // np.abs(divisor) * (np.sign(total) * np.sign(divisor))


def spread_array(g: np.ndarray, shape: tuple, win: Window, divisor: np.ndarray) -> np.ndarray:
    share = g / divisor.astype(g.dtype)
    kh, kw = win.kernel
    cols = np.broadcast_to(share[:, :, None, None], share.shape[:2] + (kh, kw) + win.out)
    return win.add_taps(cols, shape)


def avg_pool2d(x: Any, win: Window, divisor: np.ndarray) -> Any:
    if isinstance(x, Tensor):
        return AvgPool2d.apply(x, win, divisor)
    return avg_pool2d_array(x, win, divisor)


def avg_pool2d_spread(g: Any, shape: tuple, win: Window, divisor: np.ndarray) -> Any:
    if isinstance(g, Tensor):
        return AvgPool2dSpread.apply(g, shape, win, divisor)
    return spread_array(g, shape, win, divisor)


class AvgPool2d(Op):
    """The sum of each window divided by its `divisor` (an (Ho, Wo) array:
    PyTorch's count_include_pad, ceil_mode and divisor_override rules are
    applied when it is made)."""

    @staticmethod
    def forward(ctx, x, win, divisor):
        ctx.save_for_backward(x)  # unused by backward: as MaxPool2d, for PyTorch's rules
        ctx.shape, ctx.win, ctx.divisor = x.data.shape, win, divisor
        return avg_pool2d_array(x.data, win, divisor)

    @staticmethod
    def backward(ctx, g):
        ctx.saved_tensors  # unused, but reading it raises if x was changed in place
        return avg_pool2d_spread(g, ctx.shape, ctx.win, ctx.divisor), None, None


class AvgPool2dSpread(Op):
    """Each window's gradient divided by its divisor and added to every
    element of the window (the backward of average pooling, as an
    operation: its own backward is the average pooling again)."""

    @staticmethod
    def forward(ctx, g, shape, win, divisor):
        ctx.win, ctx.divisor = win, divisor
        return spread_array(g.data, shape, win, divisor)

    @staticmethod
    def backward(ctx, gx):
        return avg_pool2d(gx, ctx.win, ctx.divisor), None, None, None
