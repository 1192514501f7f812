"""Movement operations: they rearrange elements without computing new ones.

Their backward moves the gradient back: reshape it, permute it back, sum
what was broadcast, scatter what was indexed. Reshape, permute, expand and
basic indexing return numpy views, so their results share memory (and the
version counter) with their input, as in PyTorch.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import views
from ..autograd.function import Op

from ..tensor import Tensor
from . import dual


class ViewOp(Op):
    """An Op whose result may be a view of its first input's memory."""

    __slots__ = ()

    @classmethod
    def apply(cls, x: Tensor, *args: Any) -> Tensor:
        out = super().apply(x, *args)
        if out.data.base is not None and np.shares_memory(out.data, x.data):
            views.mark(out, x, cls, args)  # shares memory, version and (lazily) history
        return out


def infer_shape(shape: tuple, size: int, name: str) -> tuple:
    """Resolve one -1 in `shape` so that it holds `size` elements."""
    unknown = [i for i, n in enumerate(shape) if n == -1]
    if len(unknown) > 1 or any(n < -1 for n in shape):
        raise RuntimeError(f"{name}: invalid shape {list(shape)}: at most one -1 and "
                           f"no other negative sizes")
    known = int(np.prod([n for n in shape if n != -1], dtype=np.int64))
    if unknown:
        if known == 0 or size % known:
            raise RuntimeError(f"{name}: shape {list(shape)} is invalid for input of "
                               f"size {size}")
        shape = shape[:unknown[0]] + (size // known,) + shape[unknown[0] + 1:]
    elif known != size:
        raise RuntimeError(f"{name}: shape {list(shape)} is invalid for input of size "
                           f"{size} (the sizes must multiply to {size})")
    return shape


def expand_shape(shape: tuple, sizes: tuple) -> tuple:
    """PyTorch's expand rule: new dims go in front; -1 keeps a size; only
    size-1 dims can grow."""
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or "
            f"equal to the number of dimensions in the tensor ({len(shape)}, shape {shape})")
    if any(n < -1 for n in sizes):
        raise RuntimeError(f"expand: sizes must be non-negative (or -1 to keep a size), got "
                           f"{list(sizes)} for a tensor of shape {list(shape)}")
    lead = len(sizes) - len(shape)
    out = list(sizes[:lead])
    if any(n < 0 for n in out):
        raise RuntimeError(f"expand: -1 is not allowed in a new leading dimension "
                           f"(sizes {sizes})")
    for i, n in enumerate(shape):
        want = sizes[lead + i]
        if want == -1:
            want = n
        if n != want and n != 1:
            raise RuntimeError(
                f"expand: the expanded size of the tensor ({want}) must match the existing "
                f"size ({n}) at non-singleton dimension {lead + i}. Target sizes: "
                f"{list(sizes)}. Tensor sizes: {list(shape)}")
        out.append(want)
    return tuple(out)


class Reshape(ViewOp):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.data.shape
        return x.data.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None


class Permute(ViewOp):
    @staticmethod
    def forward(ctx, x, axes):
        ctx.inverse = tuple(np.argsort(axes))
        return x.data.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        return dual.permute(g, ctx.inverse), None


class Expand(ViewOp):
    """Broadcast to a larger shape; the engine sums the gradient back."""

    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x.data, shape)

    @staticmethod
    def backward(ctx, g):
        return g, None


def _is_index_array(item: Any) -> bool:
    return isinstance(item, np.ndarray) or isinstance(item, (bool, np.bool_))


def normalize_index(index: Any, shape: tuple) -> tuple:
    """An index as a tuple numpy understands: Tensors and lists become
    arrays; anything that is not a valid index is rejected with a message."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for item in items:
        if isinstance(item, Tensor):
            item = item.data
        elif isinstance(item, list):
            item = np.asarray(item)
            if item.size == 0:
                item = item.astype(np.int64)
        if isinstance(item, np.ndarray) and item.dtype.kind not in "biu":
            raise IndexError(f"index: tensors used as indices must be long, int or bool "
                             f"tensors, got dtype {item.dtype}")
        if isinstance(item, (float, np.floating)):
            raise IndexError(f"index: only integers, slices, None, ..., and integer or "
                             f"bool tensors are valid indices, got {item!r}")
        out.append(item)
    return tuple(out)


def index_add_array(grad: np.ndarray, shape: tuple, index: tuple) -> np.ndarray:
    """Zeros of `shape` with `grad` added at `index`."""
    out = np.zeros(shape, grad.dtype)
    if any(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in index):
        np.add.at(out, index, grad)  # integer arrays may repeat a position
    else:
        out[index] = grad
    return out


class GetItem(ViewOp):
    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.data.shape, index
        try:
            return x.data[index]
        except IndexError as e:
            raise IndexError(f"index: {e} (indexing a tensor of shape "
                             f"{tuple(x.data.shape)})") from None

    @staticmethod
    def backward(ctx, g):
        return dual.index_add(g, ctx.shape, ctx.index), None


class IndexAdd(Op):
    """The backward of indexing as an operation of its own, so that double
    backward can pass through it: its own backward is indexing again."""

    @staticmethod
    def forward(ctx, g, shape, index):
        ctx.index = index
        return index_add_array(g.data, shape, index)

    @staticmethod
    def backward(ctx, gg):
        return gg[ctx.index], None, None


class IndexPut(Op):
    """``x[index] = value`` recorded for autograd: the overwritten positions
    pass no gradient to x; value receives the gradient of its positions."""

    @staticmethod
    def forward(ctx, x, value, index):
        out = x.data.copy()
        try:
            out[index] = value.data
        except (IndexError, ValueError) as e:
            raise RuntimeError(f"index assignment: {e} (tensor shape {x.data.shape}, "
                               f"value shape {value.data.shape})") from None
        kept = np.ones(x.data.shape, x.data.dtype)
        kept[index] = 0
        ctx.save_for_backward(kept)
        ctx.index, ctx.value_shape = index, value.data.shape
        return out

    @staticmethod
    def backward(ctx, g):
        (kept,) = ctx.saved_tensors
        picked = g[ctx.index]
        return g * kept, picked, None


class Cat(Op):
    @staticmethod
    def forward(ctx, *tensors, dim):
        ctx.sizes = [t.data.shape[dim] for t in tensors]
        ctx.dim = dim
        return np.concatenate([t.data for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, g):
        grads, start = [], 0
        lead = (slice(None),) * ctx.dim
        for n in ctx.sizes:
            grads.append(g[lead + (slice(start, start + n),)])
            start += n
        return tuple(grads)


class Repeat(Op):
    """Tile the tensor ``sizes`` times along each dim (PyTorch's repeat)."""

    @staticmethod
    def forward(ctx, x, sizes):
        ctx.padded = (1,) * (len(sizes) - x.data.ndim) + x.data.shape
        ctx.shape, ctx.sizes = x.data.shape, sizes
        return np.tile(x.data.reshape(ctx.padded), sizes)

    @staticmethod
    def backward(ctx, g):
        interleaved = tuple(n for pair in zip(ctx.sizes, ctx.padded) for n in pair)
        summed = g.reshape(interleaved).sum(axis=tuple(range(0, len(interleaved), 2)))
        return summed.reshape(ctx.shape), None


class Pad(Op):
    """Constant padding; `pads` gives (before, after) for every dim."""

    @staticmethod
    def forward(ctx, x, pads, value):
        ctx.inner = tuple(slice(before, before + n) for (before, _), n in zip(pads, x.data.shape))
        return np.pad(x.data, pads, constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.inner], None, None
