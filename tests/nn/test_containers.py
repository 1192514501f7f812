"""Sequential, ModuleList, ModuleDict: indexing and editing behave (and
name children, and print) exactly as PyTorch's."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_lite as tgl
from tinygrad_lite import nn


def layers(ns):
    return [ns.Linear(2, 3), ns.ReLU(), ns.Linear(3, 3), ns.Tanh(), ns.Linear(3, 1)]


def keys(module):
    return list(module.state_dict())


@pytest.mark.torch
def test_sequential_indexing_matches_torch(torch) -> None:
    ours, theirs = nn.Sequential(*layers(nn)), torch.nn.Sequential(*layers(torch.nn))
    assert len(ours) == len(theirs) == 5
    assert isinstance(ours[-1], nn.Linear) and ours[-1] is list(ours)[4]
    for sl in (slice(1, None), slice(None, None, 2), slice(-2, None)):
        part = ours[sl]
        assert isinstance(part, nn.Sequential)
        assert keys(part) == keys(theirs[sl])  # slices keep the original names
        assert repr(part) == repr(theirs[sl])
    with pytest.raises(IndexError, match="out of range"):
        ours[5]


@pytest.mark.torch
def test_sequential_editing_matches_torch(torch) -> None:
    ours, theirs = nn.Sequential(*layers(nn)), torch.nn.Sequential(*layers(torch.nn))
    for seq, ns in ((ours, nn), (theirs, torch.nn)):
        seq.append(ns.Sigmoid())
        seq.insert(1, ns.Identity())
        seq.extend([ns.Linear(1, 2)])
        del seq[3]
        seq[0] = ns.Linear(2, 3, bias=False)
        popped = seq.pop(-2)
        assert type(popped).__name__ == "Sigmoid"
    assert repr(ours) == repr(theirs)
    assert keys(ours) == keys(theirs)
    added, t_added = ours + nn.Sequential(nn.ReLU()), theirs + torch.nn.Sequential(
        torch.nn.ReLU())
    assert repr(added) == repr(t_added)


@pytest.mark.torch
def test_sequential_from_ordered_dict_and_nesting(torch) -> None:
    def make(ns):
        return ns.Sequential(OrderedDict([("features", ns.Sequential(ns.Linear(2, 2))),
                                          ("act", ns.ReLU()), ("out", ns.Linear(2, 1))]))
    ours, theirs = make(nn), make(torch.nn)
    assert keys(ours) == keys(theirs) == ["features.0.weight", "features.0.bias",
                                          "out.weight", "out.bias"]
    assert repr(ours) == repr(theirs)
    assert ours.features is ours[0]


def test_sequential_forward_chains_and_rejects_non_modules() -> None:
    a, b = nn.Linear(2, 3), nn.Linear(3, 1)
    x = tgl.randn(4, 2)
    np.testing.assert_allclose(nn.Sequential(a, nn.ReLU(), b)(x).data,
                               b(a(x).relu()).data, rtol=1e-6)
    assert nn.Sequential()(x) is x
    with pytest.raises(TypeError, match="nn.Module"):
        nn.Sequential(nn.Linear(2, 2), tgl.Tensor.relu)


@pytest.mark.torch
def test_module_list_matches_torch(torch) -> None:
    ours, theirs = nn.ModuleList(layers(nn)), torch.nn.ModuleList(layers(torch.nn))
    assert repr(ours) == repr(theirs)
    part = ours[1:4]
    assert isinstance(part, nn.ModuleList) and keys(part) == keys(theirs[1:4])
    for lst, ns in ((ours, nn), (theirs, torch.nn)):
        lst.append(ns.Linear(1, 1))
        lst.extend([ns.ReLU(), ns.ReLU()])
        lst.insert(0, ns.Tanh())
        del lst[2]
        lst[1] = ns.Linear(2, 3)
        lst += [ns.Identity()]
        lst.pop(3)
    assert repr(ours) == repr(theirs)
    assert keys(ours) == keys(theirs)
    assert len(ours) == len(theirs)
    with pytest.raises(IndexError):
        ours[len(ours)]
    with pytest.raises(NotImplementedError, match="iterate"):
        ours(tgl.ones(1))


@pytest.mark.torch
def test_module_list_repr_groups_repeats_like_torch(torch) -> None:
    def make(ns):
        return ns.ModuleList([ns.Linear(2, 2) for _ in range(3)] + [ns.ReLU()]
                             + [ns.Linear(2, 2) for _ in range(2)])
    assert repr(make(nn)) == repr(make(torch.nn))
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList()) == "ModuleList()"
    nested = nn.Sequential(make(nn))
    assert repr(nested) == repr(torch.nn.Sequential(make(torch.nn)))


@pytest.mark.torch
def test_module_dict_matches_torch(torch) -> None:
    def make(ns):
        return ns.ModuleDict({"b": ns.Linear(2, 2), "a": ns.ReLU()})
    ours, theirs = make(nn), make(torch.nn)
    for d, ns in ((ours, nn), (theirs, torch.nn)):
        d["c"] = ns.Linear(2, 1)
        d.update([("z", ns.Tanh())])
        d.pop("a")
    assert list(ours) == list(theirs) == ["b", "c", "z"]
    assert list(ours.keys()) == list(theirs.keys())
    assert "b" in ours and "a" not in ours and len(ours) == 3
    assert [type(m).__name__ for m in ours.values()] == ["Linear", "Linear", "Tanh"]
    assert repr(ours) == repr(theirs)
    assert keys(ours) == keys(theirs)
    with pytest.raises(ValueError, match="pair"):
        ours.update([("only-one",)])
