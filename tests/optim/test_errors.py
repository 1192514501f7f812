"""Bad input raises an exception that names the optimizer, the value and
the fix; where PyTorch raises too, it raises the same exception type."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tgl
import tinygrad_lite.nn  # noqa: F401  (makes tgl.nn available)
import tinygrad_lite.optim  # noqa: F401
from tinygrad_lite.optim import SGD, Adagrad, Adam, AdamW, RMSprop

# (optimizer, kwargs, exception, message pattern); every case raises in PyTorch too
BAD_OPTIONS = [
    ("SGD", dict(lr=-0.1), ValueError, r"SGD: Invalid learning rate: -0.1"),
    ("Adam", dict(lr=-1e-3), ValueError, r"Adam: Invalid learning rate: -0.001"),
    ("AdamW", dict(lr=-2.0), ValueError, r"AdamW: Invalid learning rate: -2.0"),
    ("RMSprop", dict(lr=-0.5), ValueError, r"RMSprop: Invalid learning rate: -0.5"),
    ("Adagrad", dict(lr=-0.5), ValueError, r"Adagrad: Invalid learning rate: -0.5"),
    ("SGD", dict(lr=0.1, momentum=-0.9), ValueError, r"Invalid momentum value: -0.9"),
    ("SGD", dict(lr=0.1, weight_decay=-1.0), ValueError, r"Invalid weight_decay value: -1.0"),
    ("SGD", dict(lr=0.1, nesterov=True), ValueError,
     r"Nesterov momentum requires a momentum and zero dampening \(got momentum=0"),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     r"dampening=0.1"),
    ("Adam", dict(betas=(1.0, 0.999)), ValueError, r"Invalid beta parameter at index 0: 1.0"),
    ("Adam", dict(betas=(0.9, -0.1)), ValueError, r"Invalid beta parameter at index 1: -0.1"),
    ("AdamW", dict(betas=(0.9, 1.5)), ValueError, r"Invalid beta parameter at index 1: 1.5"),
    ("Adam", dict(eps=-1e-8), ValueError, r"Invalid epsilon value: -1e-08"),
    ("Adam", dict(weight_decay=-0.1), ValueError, r"Invalid weight_decay value: -0.1"),
    ("RMSprop", dict(alpha=-0.9), ValueError, r"Invalid alpha value: -0.9"),
    ("RMSprop", dict(momentum=-0.1), ValueError, r"Invalid momentum value: -0.1"),
    ("RMSprop", dict(eps=-1.0), ValueError, r"Invalid epsilon value: -1.0"),
    ("Adagrad", dict(lr_decay=-0.1), ValueError, r"Invalid lr_decay value: -0.1"),
    ("Adagrad", dict(initial_accumulator_value=-1.0), ValueError,
     r"Invalid initial_accumulator_value value: -1.0"),
    ("Adagrad", dict(eps=-1.0), ValueError, r"Invalid epsilon value: -1.0"),
    ("SGD", dict(lr="0.1"), TypeError, r"SGD: lr must be a real number, got str"),
]


def param(*shape):
    return tgl.nn.Parameter(tgl.tensor(np.ones(shape, np.float32)))


@pytest.mark.parametrize("name,kwargs,exc,match", BAD_OPTIONS)
def test_bad_options_raise_teaching_errors(name, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        getattr(tgl.optim, name)([param(2)], **kwargs)


@pytest.mark.torch
@pytest.mark.parametrize("name,kwargs,exc,match", BAD_OPTIONS)
def test_torch_rejects_the_same_options(torch, name, kwargs, exc, match):
    with pytest.raises(exc):
        getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(2))], **kwargs)


def test_bad_option_in_a_parameter_group_is_caught_too():
    with pytest.raises(ValueError, match=r"Invalid learning rate: -1"):
        SGD([{"params": [param(2)], "lr": -1}], lr=0.1)
    with pytest.raises(ValueError, match=r"Invalid beta parameter at index 0: 2"):
        Adam([{"params": [param(2)], "betas": (2, 0.9)}])


@pytest.mark.parametrize("cls,option,value", [
    (SGD, "foreach", True), (SGD, "fused", True), (SGD, "differentiable", True),
    (Adam, "foreach", True), (Adam, "capturable", True), (Adam, "fused", True),
    (Adam, "differentiable", True), (AdamW, "capturable", True),
    (RMSprop, "foreach", True), (RMSprop, "capturable", True),
    (Adagrad, "fused", True), (Adagrad, "differentiable", True)])
def test_unsupported_torch_options_raise_not_implemented(cls, option, value):
    with pytest.raises(NotImplementedError, match=rf"{cls.__name__}: {option}=True is not "
                                                  rf"supported"):
        cls([param(2)], lr=0.1, **{option: value})
    with pytest.raises(NotImplementedError, match=option):
        cls([{"params": [param(2)], option: value}], lr=0.1)


@pytest.mark.parametrize("cls", [SGD, Adam, AdamW, RMSprop, Adagrad])
def test_default_values_of_unsupported_options_are_accepted(cls):
    kwargs = {"SGD": dict(foreach=False, fused=False, differentiable=False),
              "Adam": dict(foreach=False, fused=None, capturable=False, differentiable=False),
              "AdamW": dict(foreach=None, fused=False, capturable=False),
              "RMSprop": dict(foreach=False, capturable=False, differentiable=False),
              "Adagrad": dict(foreach=False, fused=False, differentiable=False)}
    opt = cls([param(2)], lr=0.1, **kwargs[cls.__name__])
    assert opt.param_groups[0]["lr"] == 0.1


def test_tensor_lr_and_tensor_betas_are_not_supported():
    with pytest.raises(NotImplementedError, match=r"lr as a Tensor is not supported"):
        SGD([param(2)], lr=tgl.tensor(0.1))
    with pytest.raises(TypeError, match=r"betas must be a pair"):
        Adam([param(2)], betas=tgl.tensor([0.9, 0.99]))
    with pytest.raises(TypeError, match=r"betas must be a pair"):
        Adam([param(2)], betas=0.9)


def test_params_errors():
    p = param(2)
    with pytest.raises(ValueError, match=r"empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match=r"empty parameter list"):
        SGD(iter(()), lr=0.1)
    with pytest.raises(TypeError, match=r"but got a Tensor; wrap it in a list"):
        SGD(p, lr=0.1)
    with pytest.raises(TypeError, match=r"single dict"):
        SGD({"params": [p]}, lr=0.1)
    with pytest.raises(ValueError, match=r"position 1 .* already given at position 0"):
        SGD([p, p], lr=0.1)
    with pytest.raises(ValueError, match=r"more than one parameter group"):
        SGD([{"params": [p]}, {"params": [param(3), p]}], lr=0.1)
    with pytest.raises(ValueError, match=r"can't optimize a non-leaf Tensor"):
        SGD([p * 2], lr=0.1)
    with pytest.raises(TypeError, match=r"can only optimize Tensors, but one of the params is "
                                        r"ndarray"):
        SGD([np.ones(2)], lr=0.1)
    with pytest.raises(TypeError, match=r"ordered collections"):
        SGD({p}, lr=0.1)
    with pytest.raises(TypeError, match=r"param_group must be a dict"):
        SGD([{"params": [p]}, param(2)], lr=0.1)
    with pytest.raises(ValueError, match=r"'params' entry"):
        SGD([{"lr": 0.1}], lr=0.1)


def test_a_module_instead_of_its_parameters():
    class Model(tgl.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = param(2)

    with pytest.raises(TypeError, match=r"pass model.parameters\(\)"):
        SGD(Model(), lr=0.1)


def test_gradient_of_the_wrong_shape_or_dtype_is_an_error_not_a_broadcast():
    p = param(3)
    with pytest.raises(RuntimeError, match=r"assign a gradient of shape \(1,\) to a tensor "
                                           r"of shape \(3,\)"):
        p.grad = tgl.tensor([1.0])  # as PyTorch, already the assignment fails
    with pytest.raises(RuntimeError, match=r"gradient of dtype float64 to a tensor of dtype "
                                           r"float32"):
        p.grad = tgl.tensor([1.0, 1.0, 1.0], dtype=tgl.float64)
    with pytest.raises(TypeError, match="expected to be a Tensor or None"):
        p.grad = np.ones(3, np.float32)
    opt = SGD([p], lr=0.1)
    p.grad = tgl.ones(3)
    p.data = np.ones(1, np.float32)  # the gradient no longer fits the parameter
    with pytest.raises(RuntimeError, match=r"SGD.step: the gradient of a parameter of shape "
                                           r"\(1,\) .* has shape \(3,\)"):
        opt.step()
    np.testing.assert_array_equal(p.data, [1.0])


def test_load_state_dict_errors():
    a, b = param(2), param(3)
    opt = Adam([a, b], lr=0.1)
    a.grad, b.grad = tgl.ones(2), tgl.ones(3)
    opt.step()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match=r"different number of parameter groups \(1\) than "
                                         r"this optimizer \(2\)"):
        Adam([{"params": [a]}, {"params": [b]}]).load_state_dict(sd)
    with pytest.raises(ValueError, match=r"group 0 has 2 parameters saved but 1 here"):
        Adam([a]).load_state_dict(sd)
    with pytest.raises(ValueError, match=r"state 'exp_avg' of parameter 0 has shape \(2,\) but "
                                         r"the parameter has shape \(3,\)"):
        Adam([b, a]).load_state_dict(sd)
    with pytest.raises(ValueError, match=r"keys 'state' and 'param_groups'"):
        Adam([a]).load_state_dict({"lr": 0.1})


@pytest.mark.parametrize("kwargs", [dict(), dict(momentum=0.9)], ids=["plain", "momentum"])
def test_a_wrong_gradient_anywhere_stops_the_step_before_any_update(kwargs):
    """Every gradient is checked before the first parameter changes (plain
    SGD too), and a subclass of Parameter is updated like a Parameter."""

    class MyParam(tgl.nn.Parameter):
        pass

    a, b = param(2), MyParam(tgl.tensor(np.ones(3, np.float32)))
    opt = SGD([a, b], lr=0.1, **kwargs)
    a.grad, b.grad = tgl.ones(2), tgl.ones(3)
    b.data = np.ones(2, np.float32)  # b's gradient no longer fits it
    versions = a._version, b._version
    with pytest.raises(RuntimeError, match=r"parameter of shape \(2,\) .* has shape \(3,\)"):
        opt.step()
    np.testing.assert_array_equal(a.data, [1.0, 1.0])
    assert (a._version, b._version) == versions
    b.data = np.ones(3, np.float32)
    opt.step()
    np.testing.assert_allclose(b.data, [0.9, 0.9, 0.9], rtol=1e-6)
    assert (a._version, b._version) == (versions[0] + 1, versions[1] + 1)
