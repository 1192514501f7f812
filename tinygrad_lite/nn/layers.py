"""Basic layers: Identity, Flatten, Linear, Dropout, Embedding, with
PyTorch's arguments, default initialisations and repr."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..grad_mode import no_grad
from ..ops import nn_ops
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module, Parameter


def _factory_dtype(device: Any, dtype: Any) -> np.dtype:
    """The dtype new parameters get (float32 unless given); only the CPU."""
    if device is not None and str(device).split(":")[0] != "cpu":
        raise NotImplementedError(f"device {device!r} is not supported; tinygrad_lite runs "
                                  f"on the CPU only")
    want = dtypes.default_float if dtype is None else dtypes.to_dtype(dtype)
    if want.kind != "f":
        raise TypeError(f"layers need a floating point dtype for their parameters, got {want}")
    return want


def _empty_parameter(shape: tuple, dtype: np.dtype) -> Parameter:
    return Parameter(Tensor._make(np.empty(shape, dtype)))


class Identity(Module):
    """Returns its input unchanged (any constructor arguments are ignored)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


class Flatten(Module):
    """Flatten dims start_dim..end_dim into one (by default all but the batch dim)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Linear(Module):
    """y = x @ W.T + b for x of shape (*, in_features).

    W (out_features, in_features) and b (out_features,) start uniform in
    [-1/sqrt(in_features), 1/sqrt(in_features)], PyTorch's default
    (kaiming_uniform_ with a=sqrt(5) for W)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        want = _factory_dtype(device, dtype)
        self.in_features, self.out_features = in_features, out_features
        self.weight = _empty_parameter((out_features, in_features), want)
        if bias:
            self.bias = _empty_parameter((out_features,), want)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        # Read from the registry: `self.weight` first fails the ordinary
        # attribute lookup, then reaches Module.__getattr__ (costly per call).
        params = self._parameters
        weight = params.get("weight")
        if type(input) is Tensor and weight is not None and "bias" in params:
            bias = params["bias"]
            v, w = input.data, weight.data
            dtype, w_shape = v.dtype, w.shape
            # F.linear's checks for the usual case (on the arrays: the weight and
            # bias may have been replaced since __init__); `is` for dtypes is
            # cheaper, and equal but distinct dtypes take the general path
            if w.dtype is dtype and dtype.kind == "f" and len(w_shape) == 2 and v.ndim \
                    and v.shape[-1] == w_shape[1] and (bias is None or (
                        bias.data.dtype is dtype and bias.data.shape == w_shape[:1])):
                return nn_ops.Linear.apply(input, weight, bias)
        shape = getattr(input, "shape", None)
        if not shape or shape[-1] != self.in_features:
            got = f"shape {tuple(shape)}" if shape is not None else type(input).__name__
            raise RuntimeError(
                f"{self!r}: expected an input with in_features={self.in_features} in its "
                f"last dim, i.e. shape (*, {self.in_features}), but got {got}. Check the "
                f"previous layer's output size (or flatten the input first).")
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Dropout(Module):
    """In training, zero each element with probability p and scale the
    others by 1/(1-p); in eval mode, pass the input through."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Embedding(Module):
    """A lookup table: integer indices of any shape pick rows of the
    weight (num_embeddings, embedding_dim), initialised from N(0, 1) (the
    padding_idx row with zeros; it gets no gradient). ``sparse=True`` is
    not supported (NotImplementedError)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight: Tensor | None = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        want = _factory_dtype(device, dtype)
        if sparse:
            raise NotImplementedError("Embedding: sparse=True is not supported; gradients are "
                                      "always dense (use sparse=False)")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError(f"Padding_idx must be within num_embeddings (got "
                                     f"padding_idx={padding_idx}, num_embeddings="
                                     f"{num_embeddings})")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = _empty_parameter((num_embeddings, embedding_dim), want)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: _weight has shape {tuple(_weight.shape)}, "
                                 f"expected ({num_embeddings}, {embedding_dim})")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input: Tensor) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm,
                           self.norm_type, self.scale_grad_by_freq, self.sparse)

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,
                        padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> "Embedding":
        """An Embedding whose weight is (a copy-free wrap of) `embeddings`;
        frozen (no gradient) unless freeze=False."""
        if embeddings.ndim != 2:
            raise ValueError(f"Embeddings parameter is expected to be 2-dimensional, got "
                             f"shape {tuple(embeddings.shape)}")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s
