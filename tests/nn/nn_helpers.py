"""Shared helpers of the nn tests: moving weights between PyTorch and
tinygrad_lite, and comparing results."""
from __future__ import annotations

import numpy as np

import tinygrad_lite as tgl

# (rtol, atol) for values; gradients get 10x (as the op-table runner)
TOLERANCE = {np.float32: (2e-5, 2e-6), np.float64: (1e-10, 1e-12)}
DTYPES = [np.float32, np.float64]


def torch_dtype(torch, dtype):
    return {np.float32: torch.float32, np.float64: torch.float64}[np.dtype(dtype).type]


def copy_weights(ours, theirs) -> None:
    """Load a torch module's state (as numpy arrays) into ours (strict)."""
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})


def assert_close(ours, theirs, dtype=np.float64, grad: bool = False, msg: str = "") -> None:
    """Same shape, dtype and values (within the dtype's tolerance)."""
    want = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    got = ours.data if isinstance(ours, tgl.Tensor) else np.asarray(ours)
    assert got.shape == want.shape, f"{msg}: shape {got.shape} != torch {want.shape}"
    assert got.dtype == want.dtype, f"{msg}: dtype {got.dtype} != torch {want.dtype}"
    rtol, atol = TOLERANCE[np.dtype(dtype).type]
    scale = 10 if grad else 1
    np.testing.assert_allclose(got, want, rtol=rtol * scale, atol=atol * scale,
                               equal_nan=True, err_msg=msg)


def pair(torch, array, dtype=np.float64, requires_grad=True):
    """The same data as a tinygrad_lite and a torch tensor."""
    a = np.asarray(array).astype(dtype)
    return (tgl.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))
