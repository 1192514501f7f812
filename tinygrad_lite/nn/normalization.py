"""Normalisation layers: BatchNorm1d, BatchNorm2d and LayerNorm, with
PyTorch's arguments, buffers (state-dict keys), running-statistics rule and
repr."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from . import functional as F
from ._errors import ShapeError
from . import init
from .layers import _empty_parameter, _factory_dtype
from .module import Module


class _BatchNorm(Module):
    """Shared code of BatchNorm1d/2d: normalise each channel (dim 1).

    In training the batch's mean and biased variance normalise the input
    and update ``running_mean``/``running_var`` (the latter with the
    unbiased variance): ``running = (1 - momentum) * running + momentum *
    batch`` or, with momentum=None, the cumulative average over the
    ``num_batches_tracked`` batches seen. In eval mode the running
    statistics normalise (unless track_running_stats=False: then batch
    statistics are used always). ``affine`` adds a learned per-channel
    weight (ones) and bias (zeros)."""

    _expected_dims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        want = _factory_dtype(device, dtype)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = _empty_parameter((num_features,), want)
            if bias:
                self.bias = _empty_parameter((num_features,), want)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._make(np.zeros(num_features, want)))
            self.register_buffer("running_var", Tensor._make(np.ones(num_features, want)))
            self.register_buffer("num_batches_tracked",
                                 Tensor._make(np.zeros((), dtypes.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input(self, input: Any) -> None:
        if not isinstance(input, Tensor):
            raise TypeError(f"{self._get_name()}: expected a Tensor input, got "
                            f"{type(input).__name__}")
        if input.ndim not in self._expected_dims:
            want = " or ".join(f"{d}D" for d in self._expected_dims)
            raise ValueError(f"{self._get_name()}: expected {want} input (got {input.ndim}D "
                             f"input of shape {tuple(input.shape)})")
        if input.shape[1] != self.num_features:  # ValueError here, RuntimeError in PyTorch
            raise ShapeError(
                f"{self!r}: expected input with num_features={self.num_features} channels "
                f"in dim 1, but got input of shape {tuple(input.shape)} ({input.shape[1]} "
                f"channels). Match num_features to the previous layer's output.")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.data += 1
            self.num_batches_tracked._bump_version()
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.data)
        use_batch_stats = self.training or (self.running_mean is None
                                            and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None,
                            self.running_var if track else None, self.weight, self.bias,
                            use_batch_stats, factor, self.eps)

    def _upgrade_state_dict(self, state_dict: dict, prefix: str) -> None:
        key = prefix + "num_batches_tracked"
        if self.track_running_stats and key not in state_dict:
            state_dict[key] = (self.num_batches_tracked if self.num_batches_tracked is not None
                               else Tensor._make(np.zeros((), dtypes.int64)))

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs over N (and L)."""

    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs over N, H and W."""

    _expected_dims = (4,)


class LayerNorm(Module):
    """Normalise over the last dims (those of `normalized_shape`) of each
    sample, then scale by weight (ones) and shift by bias (zeros) when
    elementwise_affine. The same in training and eval."""

    def __init__(self, normalized_shape: Any, eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        want = _factory_dtype(device, dtype)
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = _empty_parameter(self.normalized_shape, want)
            if bias:
                self.bias = _empty_parameter(self.normalized_shape, want)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        k = len(self.normalized_shape)
        shape = getattr(input, "shape", None)
        if shape is None or tuple(shape[len(shape) - k:]) != self.normalized_shape \
                or len(shape) < k:
            raise RuntimeError(
                f"{self!r}: expected an input whose last {k} dim(s) are "
                f"{self.normalized_shape} (shape (*, {', '.join(map(str, self.normalized_shape))}"
                f")), but got input of shape {tuple(shape) if shape is not None else shape}")
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine="
                f"{self.elementwise_affine}, bias={self.bias is not None}")
