"""Argument names, order, kinds and defaults equal PyTorch's, so calls move
between the two unchanged (positional ones included)."""
from __future__ import annotations

import inspect

import pytest

import tinygrad_lite as tgl
import tinygrad_lite.optim  # noqa: F401

OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]
SCHEDULERS = ["StepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR"]
METHODS = ["__init__", "zero_grad", "step", "add_param_group", "state_dict", "load_state_dict"]


def signature(fn):
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.torch
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_signatures(torch, name):
    assert signature(getattr(tgl.optim, name)) == signature(getattr(torch.optim, name))


@pytest.mark.torch
@pytest.mark.parametrize("name", SCHEDULERS)
def test_scheduler_signatures(torch, name):
    mine = getattr(tgl.optim.lr_scheduler, name)
    assert signature(mine) == signature(getattr(torch.optim.lr_scheduler, name))
    for method in ("step", "get_last_lr", "state_dict", "load_state_dict"):
        assert signature(getattr(mine, method)) == \
            signature(getattr(torch.optim.lr_scheduler.LRScheduler, method))


@pytest.mark.torch
@pytest.mark.parametrize("method", METHODS)
def test_base_optimizer_method_signatures(torch, method):
    assert signature(getattr(tgl.optim.Optimizer, method)) == \
        signature(getattr(torch.optim.Optimizer, method))
