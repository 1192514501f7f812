"""In-place operations: PyTorch's rules for leaves, recorded changes on
non-leaves and views, the version counter that catches a saved tensor
changed after it was saved, dtype casting, and index assignment."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tgl


def _np(t):
    return np.asarray(t.detach() if hasattr(t, "detach") else t, dtype=np.float64)


def _compare(torch, fn):
    ours, theirs = fn(tgl), fn(torch)
    for a, b in zip(ours, theirs):
        if b is None:
            assert a is None
        else:
            np.testing.assert_allclose(_np(a), _np(b), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------ leaves
def test_parameter_update_under_no_grad_keeps_a_leaf():
    W = tgl.tensor([1., 2.], requires_grad=True)
    (W * W).sum().backward()
    with tgl.no_grad():
        W -= 0.1 * W.grad
        W *= 2
        W += 1
        W /= 2
    assert W.is_leaf and W.requires_grad and W.grad_fn is None
    np.testing.assert_allclose(W.detach().numpy(), [(0.8 * 2 + 1) / 2, (1.6 * 2 + 1) / 2])

    W.grad = None
    (W * 3).sum().backward()  # still usable as a parameter
    assert W.grad.tolist() == [3., 3.]


@pytest.mark.parametrize("change", [
    lambda x: x.add_(1), lambda x: x.sub_(1), lambda x: x.mul_(2), lambda x: x.div_(2),
    lambda x: x.zero_(), lambda x: x.fill_(3.), lambda x: x.copy_(tgl.ones(2)),
    lambda x: x.clamp_(0, 1), lambda x: x.uniform_(), lambda x: x.normal_(),
    lambda x: x.__iadd__(1), lambda x: x.__setitem__(0, 5.), lambda x: x.pow_(2),
])
def test_in_place_on_a_leaf_that_requires_grad_is_an_error(change):
    x = tgl.tensor([1., 2.], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad") as info:
        change(x)
    assert "no_grad" in str(info.value)
    assert x.tolist() == [1., 2.] and x._version == 0  # nothing changed


@pytest.mark.torch
def test_in_place_family_under_no_grad_matches_pytorch(torch):
    def case(L):
        x = L.tensor([1., -2., 3.], requires_grad=True)
        with L.no_grad():
            x.mul_(2)
            x.add_(1, alpha=3)
            x.sub_(L.tensor([1., 1., 1.]))
            x.div_(2)
            x.clamp_(-1, 2.5)
            x.pow_(2)
            y = x.clone()
            y.zero_()
            z = x.clone().fill_(7)
            w = x.clone().copy_(L.tensor([4., 5., 6.]))
        return x, y, z, w, x.grad_fn
    _compare(torch, case)


# ------------------------------------------------------------ recorded changes
# Each case runs with lib = tgl and lib = torch; it returns what is compared.
def iadd_then_exp(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y += 1
    y.exp().sum().backward()
    return x.grad, y


def mul_by_constant(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = x + 1
    y.mul_(x.detach() * 3)
    y.sum().backward()
    return x.grad, y


def mul_and_add_other(L):
    x = L.tensor([1., 2.], requires_grad=True)
    w = L.tensor([3., -4.], requires_grad=True)
    y = x * 1
    y.mul_(w)
    y.add_(w, alpha=2)
    y.sum().backward()
    return x.grad, w.grad


def pow_in_place(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = x * 1
    y.pow_(3)
    (y * 2).sum().backward()
    return x.grad, y


def clamp_in_place(L):
    x = L.tensor([0., 1., 2.], requires_grad=True)
    y = x * 1
    y.clamp_(0.5, 1.5)
    y.sum().backward()
    return x.grad, y


def copy_in_place(L):
    x = L.tensor([1., 2.], requires_grad=True)
    v = L.tensor([5., 6.], requires_grad=True)
    y = x * 2
    y.copy_(v)
    (y * x).sum().backward()
    return x.grad, v.grad


def zero_in_place(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y.zero_()
    (y + x).sum().backward()
    return x.grad, y


def div_after_pow(L):  # Pow saves no result, so changing it is fine
    x = L.tensor([1., 2.], requires_grad=True)
    y = x ** 2
    y.div_(x)
    y.sum().backward()
    return x.grad, y


@pytest.mark.torch
@pytest.mark.parametrize("case", [iadd_then_exp, mul_by_constant, mul_and_add_other, pow_in_place,
                                  clamp_in_place, copy_in_place, zero_in_place, div_after_pow])
def test_recorded_in_place_gradients_match_pytorch(torch, case):
    _compare(torch, case)


def slice_of_non_leaf(L):
    x = L.arange(6.).reshape(2, 3).requires_grad_()
    y = x * 1
    y[:, 0].mul_(3)  # the base sees the change in values and gradients
    (y * y).sum().backward()
    return x.grad, y


def base_used_after_view_change(L):
    x = L.tensor([1., 2., 3.], requires_grad=True)
    y = x * 1
    v = y[1:]
    v.mul_(2)
    y.sum().backward()
    return x.grad, y


def view_used_after_its_change(L):
    x = L.tensor([1., 2., 3.], requires_grad=True)
    y = x * 1
    v = y[1:]
    v.mul_(2)
    (v * v).sum().backward()
    return x.grad, v


def reshape_view_with_grad_value(L):
    x = L.ones(2, 3, requires_grad=True)
    w = L.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y.view(3, 2).add_(w)
    (y * y).sum().backward()
    return x.grad, w.grad, y


def view_made_before_base_change(L):
    x = L.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    y = x * 1
    v = y[0]
    y.mul_(3)  # v's history is rebuilt from the new y
    (v * v).sum().backward()
    return x.grad, v


def chain_of_views(L):
    x = L.tensor([0.1, 0.2, 0.3, 0.4, 0.5], requires_grad=True)
    y = x.sin()
    y[1:].view(2, 2)[:, 1].add_(10)
    y.exp().sum().backward()
    return x.grad, y


@pytest.mark.torch
@pytest.mark.parametrize("case", [slice_of_non_leaf, base_used_after_view_change,
                                  view_used_after_its_change, reshape_view_with_grad_value,
                                  view_made_before_base_change, chain_of_views])
def test_in_place_through_views_matches_pytorch(torch, case):
    _compare(torch, case)


def test_in_place_through_a_view_of_a_leaf_is_an_error():
    x = tgl.tensor([1., 2., 3.], requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        x[1:].mul_(2)
    with tgl.no_grad():
        x[1:].mul_(2)
    assert x.tolist() == [1., 4., 6.]


# ------------------------------------------------------------ saved tensors
@pytest.mark.parametrize("change, op", [
    (lambda x, y: y.add_(1), "ExpBackward0"),
    (lambda x, y: y[0:1].mul_(2), "ExpBackward0"),            # through a slice
    (lambda x, y: y.reshape(2, 2).zero_(), "ExpBackward0"),   # through a reshape
    (lambda x, y: y.detach().fill_(0), "ExpBackward0"),      # through detach()
    (lambda x, y: y.__setitem__(0, 3.), "ExpBackward0"),
])
def test_changing_a_saved_output_makes_backward_fail_naming_the_operation(change, op):
    x = tgl.tensor([1., 2., 3., 4.], requires_grad=True)
    y = x.exp()
    change(x, y)
    with pytest.raises(RuntimeError, match="modified by an inplace operation") as info:
        y.sum().backward()
    text = str(info.value)
    assert op in text and "version 1; expected version 0" in text


def test_an_unrelated_in_place_change_leaves_saved_tensors_valid_and_a_later_one_is_caught():
    # Backward skips the version comparison when no tensor at all was changed
    # in place since a node was recorded; any change makes it compare them.
    x = tgl.tensor([0.1, 0.2], requires_grad=True)
    w = tgl.tensor([3., 4.])
    other = tgl.tensor([0., 0.])
    y = (x * w).tanh()
    other.add_(1)                      # changes nothing y's graph saved
    y.sum().backward(retain_graph=True)
    expected = (1 - np.tanh([0.3, 0.8]) ** 2) * [3., 4.]
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-5)
    w.mul_(2)                          # saved by Mul
    with pytest.raises(RuntimeError, match="MulBackward0.*version 1; expected version 0"):
        y.sum().backward()


def test_multiplying_a_tensor_by_itself_in_place_fails_in_backward_like_pytorch(torch):
    for lib in (tgl, torch):
        x = lib.tensor([1., 2.], requires_grad=True)
        y = x + 1
        y.mul_(y)  # Mul saved y (its second operand), which then changed
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_changing_a_saved_input_makes_backward_fail():

    x = tgl.tensor([1., 2.], requires_grad=True)
    w = tgl.tensor([3., 4.])
    y = x * w
    w.add_(1)
    with pytest.raises(RuntimeError, match="MulBackward0.*modified by an inplace operation"):
        y.sum().backward()
    x2 = tgl.tensor([1., 2.], requires_grad=True)
    w2 = tgl.tensor([3., 4.])
    y2 = x2 + w2  # Add saves nothing: changing w2 is harmless
    w2.add_(1)
    y2.sum().backward()
    assert x2.grad.tolist() == [1., 1.]


def test_version_counter_is_shared_by_views():
    x = tgl.zeros(4)
    v, r, d = x[1:], x.view(2, 2), x.detach()
    v.add_(1)
    r.mul_(2)
    d.fill_(1)
    assert x._version == v._version == r._version == d._version == 3
    assert tgl.zeros(4)._version == 0


# ------------------------------------------------------------ errors
def test_in_place_on_an_expanded_tensor_is_an_error():
    x = tgl.tensor([1.]).expand(3)
    with pytest.raises(RuntimeError, match="clone") as info:
        x.add_(1)
    assert "single memory location" in str(info.value)
    y = tgl.tensor([1.]).expand(3).clone()
    y.add_(1)
    assert y.tolist() == [2., 2., 2.]


@pytest.mark.torch
@pytest.mark.parametrize("dtype, change, fails", [
    ("int64", lambda x, L: x.__iadd__(1.5), True),
    ("int64", lambda x, L: x.__itruediv__(2), True),
    ("bool", lambda x, L: x.__iadd__(1), True),
    ("int64", lambda x, L: x.__iadd__(L.tensor([1.5, 1.5])), True),
    ("int64", lambda x, L: x.__imul__(2), False),
    ("int32", lambda x, L: x.__iadd__(L.tensor([1, 2])), False),
    ("float32", lambda x, L: x.__iadd__(L.tensor([1, 2])), False),
    ("float32", lambda x, L: x.__iadd__(L.tensor([1., 2.], dtype=L.float64)), False),
    ("bool", lambda x, L: x.__iadd__(True), False),
    ("uint8", lambda x, L: x.__isub__(3), False),
])
def test_in_place_dtype_rules_match_pytorch(torch, dtype, change, fails):
    ours = tgl.tensor([1, 2], dtype=getattr(tgl, dtype))
    theirs = torch.tensor([1, 2], dtype=getattr(torch, dtype))
    if fails:
        for lib, t in ((tgl, ours), (torch, theirs)):
            with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
                change(t, lib)
        return
    change(ours, tgl)
    change(theirs, torch)
    assert ours.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_in_place_shape_must_not_grow():
    x = tgl.zeros(2)
    with pytest.raises(RuntimeError, match=r"output with shape \[2\] doesn't match the broadcast"):
        x += tgl.ones(2, 2)
    with pytest.raises(RuntimeError, match="broadcast"):
        x.add_(tgl.ones(3))
    x += tgl.ones(1)
    assert x.tolist() == [1., 1.]


# ------------------------------------------------------------ index assignment
def set_int(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = x * 1
    y[0] = 5.
    (y * y).sum().backward()
    return x.grad, y


def set_slice_to_value_with_grad(L):
    x = L.ones(2, 3, requires_grad=True)
    v = L.tensor([3., 4.], requires_grad=True)
    y = x * 1
    y[:, 1] = v * 2
    (y * y).sum().backward()
    return x.grad, v.grad, y


def set_into_plain_tensor(L):
    v = L.tensor(2., requires_grad=True)
    x = L.zeros(4)
    x[1] = v
    x[2] = v * 3
    x.sum().backward()
    return v.grad, x.requires_grad, x.is_leaf


def set_mask(L):
    x = L.tensor([0.5, 1.5, 2.5], requires_grad=True)
    y = x * 1
    y[y > 1] = 0.
    y.sum().backward()
    return x.grad, y


def set_int_and_list(L):
    x = L.ones(2, 3, requires_grad=True)
    y = x * 1
    y[1, [0, 2]] = L.tensor([7., 8.])
    (y * y).sum().backward()
    return x.grad, y


@pytest.mark.torch
@pytest.mark.parametrize("case", [set_int, set_slice_to_value_with_grad, set_into_plain_tensor,
                                  set_mask, set_int_and_list])
def test_index_assignment_records_like_pytorch(torch, case):
    _compare(torch, case)


def test_index_assignment_without_grad():
    x = tgl.zeros(2, 3)
    x[0] = tgl.tensor([1., 2., 3.])
    x[1, 1:] = 7
    x[x == 0] = -1
    assert x.tolist() == [[1., 2., 3.], [-1., 7., 7.]]
    i = tgl.zeros(3, dtype=tgl.int64)
    i[0] = 2.9  # cast like PyTorch
    assert i.tolist() == [2, 0, 0]
    with pytest.raises(RuntimeError, match="broadcast"):
        x[0] = tgl.ones(4)
