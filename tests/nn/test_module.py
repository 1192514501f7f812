"""nn.Module: registration, traversal, modes, state dicts, dtype casts and
repr, checked against PyTorch for the same architecture."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import tinygrad_lite as tgl
from tinygrad_lite import nn
from nn_helpers import assert_close, copy_weights


def build(lib, ns):
    """The same model in tinygrad_lite (lib=tgl, ns=nn) or torch."""

    class Net(ns.Module):
        def __init__(self):
            super().__init__()
            self.encoder = ns.Sequential(ns.Linear(4, 8), ns.ReLU(),
                                         ns.Sequential(ns.Linear(8, 8), ns.Tanh()))
            self.norm = ns.BatchNorm1d(8)
            self.heads = ns.ModuleList([ns.Linear(8, 2), ns.Linear(8, 2), ns.Linear(8, 3)])
            self.table = ns.ModuleDict({"emb": ns.Embedding(5, 8, padding_idx=0)})
            self.scale = ns.Parameter(lib.ones(1))
            self.register_buffer("steps", lib.zeros(()))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)
            self.drop = ns.Dropout(0.2)
            self.ln = ns.LayerNorm(3)

        def forward(self, x, idx):
            h = self.norm(self.encoder(x) + self.table["emb"](idx))
            h = self.drop(h) * self.scale
            return self.ln(self.heads[2](h)) + self.heads[0](h).sum(1, keepdim=True)

    return Net()


@pytest.fixture
def models(torch):
    torch.manual_seed(0)
    theirs = build(torch, torch.nn)
    ours = build(tgl, nn)
    copy_weights(ours, theirs)
    return ours, theirs


# ------------------------------------------------------------- structure
@pytest.mark.torch
def test_names_and_order_match_torch(models) -> None:
    ours, theirs = models
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [type(m).__name__ for m in ours.modules()] == \
        [type(m).__name__ for m in theirs.modules()]
    assert "scratch" not in ours.state_dict()  # persistent=False
    assert len(list(ours.parameters(recurse=False))) == 1


@pytest.mark.torch
def test_repr_matches_torch(models) -> None:
    ours, theirs = models
    assert repr(ours) == repr(theirs)
    assert str(ours.heads) == str(theirs.heads)  # "(0-1): 2 x Linear(...)"


@pytest.mark.torch
def test_loaded_model_gives_torch_outputs_and_gradients(models, torch) -> None:
    ours, theirs = models
    ours.eval(), theirs.eval()
    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    idx = np.array([0, 1, 4, 2, 0, 3])
    out = ours(tgl.tensor(x), tgl.tensor(idx))
    ref = theirs(torch.from_numpy(x), torch.from_numpy(idx))
    assert_close(out, ref, np.float32)
    out.sum().backward()
    ref.sum().backward()
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        if grads[name].grad is None:  # heads.1 is not used
            assert p.grad is None, name
        else:
            assert_close(p.grad, grads[name].grad, np.float32, grad=True, msg=name)


def test_registration_by_assignment() -> None:
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(tgl.ones(2))
            self.child = nn.Linear(2, 2)
            self.register_buffer("stat", tgl.zeros(2))
            self.plain = tgl.zeros(3)  # a plain tensor attribute is not registered
            self.number = 3

    m = M()
    assert list(m._parameters) == ["w"] and list(m._modules) == ["child"]
    assert [n for n, _ in m.named_buffers()] == ["stat"]
    assert list(m.state_dict()) == ["w", "stat", "child.weight", "child.bias"]
    m.stat = tgl.ones(2)  # a buffer can be replaced by a tensor
    assert (m.state_dict()["stat"].data == 1).all()
    m.w = None
    assert "w" not in m.state_dict()
    m.child = nn.Identity()  # replacing a module re-registers it
    assert [n for n, _ in m.named_parameters()] == []
    del m.child
    assert not hasattr(m, "child")
    with pytest.raises(TypeError, match="cannot assign a Tensor to 'w'"):
        m2 = M()
        m2.w = tgl.zeros(2)
    with pytest.raises(AttributeError, match="has no attribute 'missing'"):
        m.missing


def test_register_names_must_be_free() -> None:
    lin = nn.Linear(2, 2)
    with pytest.raises(KeyError, match="'weight' already exists"):
        lin.register_buffer("weight", tgl.zeros(2))
    with pytest.raises(KeyError, match="'forward' already exists"):
        lin.add_module("forward", nn.ReLU())
    with pytest.raises(KeyError, match="without '.'"):
        lin.register_parameter("a.b", None)
    lin.register_parameter("bias", None)  # replacing an entry of the same kind is fine
    assert lin.bias is None


def test_assignment_before_init_is_explained() -> None:
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(tgl.ones(1))

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Bad()


def test_shared_modules_are_saved_under_every_name_but_counted_once(torch) -> None:
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    t_shared = torch.nn.Linear(2, 2)
    t_model = torch.nn.Sequential(t_shared, torch.nn.ReLU(), t_shared)
    assert list(model.state_dict()) == list(t_model.state_dict())
    assert len(list(model.parameters())) == len(list(t_model.parameters())) == 2
    assert len(list(model.modules())) == len(list(t_model.modules())) == 3


def test_state_dict_shares_memory_and_is_detached() -> None:
    lin = nn.Linear(2, 3)
    sd = lin.state_dict()
    assert not sd["weight"].requires_grad
    sd["weight"].data[0, 0] = 42.0
    assert lin.weight.data[0, 0] == 42.0
    assert lin.state_dict(keep_vars=True)["weight"] is lin.weight
    assert list(lin.state_dict(prefix="enc.")) == ["enc.weight", "enc.bias"]


# --------------------------------------------------------- load_state_dict
def test_load_state_dict_copies_in_place_and_casts() -> None:
    lin = nn.Linear(2, 3)
    weight = lin.weight
    lin.load_state_dict({"weight": np.ones((3, 2)), "bias": tgl.zeros(3, dtype=tgl.float64)})
    assert lin.weight is weight and lin.weight.dtype == np.float32
    assert (lin.weight.data == 1).all() and (lin.bias.data == 0).all()


def test_load_state_dict_errors_name_keys_and_shapes() -> None:
    lin = nn.Linear(2, 3)
    with pytest.raises(RuntimeError) as err:
        lin.load_state_dict({"weight": np.ones((2, 3)), "bias": np.ones(3)})
    assert "size mismatch for weight" in str(err.value)
    assert "(2, 3)" in str(err.value) and "(3, 2)" in str(err.value)
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "bias"'):
        lin.load_state_dict({"weight": np.ones((3, 2))})
    with pytest.raises(RuntimeError, match='Unexpected key\\(s\\) in state_dict: "extra"'):
        lin.load_state_dict({"weight": np.ones((3, 2)), "bias": np.ones(3), "extra": 1.0})
    with pytest.raises(TypeError, match="dict-like"):
        lin.load_state_dict([("weight", np.ones((3, 2)))])
    before = lin.weight.data.copy()
    with pytest.raises(RuntimeError, match="size mismatch"):  # even with strict=False
        lin.load_state_dict({"weight": np.ones((3, 3))}, strict=False)
    np.testing.assert_array_equal(lin.weight.data, before)  # nothing was copied


@pytest.mark.torch
def test_load_state_dict_non_strict_reports_like_torch(torch) -> None:
    state = {"0.weight": np.ones((3, 2), np.float32), "9.bias": np.ones(3, np.float32)}
    ours = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    got = ours.load_state_dict(state, strict=False)
    want = theirs.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()},
                                  strict=False)
    assert got.missing_keys == want.missing_keys
    assert got.unexpected_keys == want.unexpected_keys
    assert (ours[0].weight.data == 1).all()


@pytest.mark.torch
def test_batchnorm_state_without_num_batches_tracked_loads_like_torch(torch) -> None:
    theirs = torch.nn.BatchNorm1d(3)
    state = {k: v.numpy() for k, v in theirs.state_dict().items() if "num_batches" not in k}
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    nn.BatchNorm1d(3).load_state_dict(state)  # strict, yet no error


# ------------------------------------------------------------------ modes
def test_train_eval_reach_every_submodule(models) -> None:
    ours, theirs = models
    assert ours.training and all(m.training for m in ours.modules())
    assert ours.eval() is ours
    assert not any(m.training for m in ours.modules())
    ours.heads.train()
    assert ours.heads[0].training and not ours.norm.training
    with pytest.raises(ValueError, match="bool"):
        ours.train("yes")


def test_train_calls_overridden_train_of_children() -> None:
    calls = []

    class Frozen(nn.Module):
        def train(self, mode=True):
            calls.append(mode)
            return super().train(False)

    model = nn.Sequential(nn.Linear(2, 2), Frozen())
    model.train()
    assert calls == [True] and not model[1].training and model[0].training


def test_zero_grad() -> None:
    lin = nn.Linear(2, 2)
    lin(tgl.ones(1, 2)).sum().backward()
    grad = lin.weight.grad
    lin.zero_grad(set_to_none=False)
    assert lin.weight.grad is grad and (grad.data == 0).all()
    lin.zero_grad()
    assert lin.weight.grad is None and lin.bias.grad is None


@pytest.mark.torch
def test_apply_visits_children_first_like_torch(models) -> None:
    ours, theirs = models
    seen_ours, seen_theirs = [], []
    assert ours.apply(lambda m: seen_ours.append(type(m).__name__)) is ours
    theirs.apply(lambda m: seen_theirs.append(type(m).__name__))
    assert seen_ours == seen_theirs


def test_requires_grad_and_get_submodule(models) -> None:
    ours, _ = models
    ours.requires_grad_(False)
    assert not any(p.requires_grad for p in ours.parameters())
    assert ours.get_submodule("encoder.2.0") is ours.encoder[2][0]
    with pytest.raises(AttributeError, match="nope"):
        ours.get_submodule("encoder.nope")


# ------------------------------------------------------------------ dtype
def test_float_double_to_cast_floating_state_only(models) -> None:
    ours, _ = models
    assert ours.double() is ours
    assert all(p.dtype == np.float64 for p in ours.parameters())
    assert ours.norm.running_mean.dtype == np.float64
    assert ours.norm.num_batches_tracked.dtype == np.int64  # integer buffers stay
    weight = ours.encoder[0].weight
    ours.to(tgl.float32)
    assert ours.encoder[0].weight is weight and weight.dtype == np.float32
    ours.to(dtype=tgl.float64).float()
    assert all(b.dtype in (np.float32, np.int64) for b in ours.buffers())
    with pytest.raises(TypeError, match="floating point"):
        ours.to(tgl.int64)
    with pytest.raises(NotImplementedError, match="cuda"):
        ours.to("cuda")
    assert ours.to("cpu") is ours


def test_double_model_runs_in_float64() -> None:
    model = nn.Sequential(nn.Linear(3, 2), nn.LayerNorm(2)).double()
    out = model(tgl.ones(4, 3, dtype=tgl.float64))
    assert out.dtype == np.float64
    with pytest.raises(RuntimeError, match="same dtype"):
        model(tgl.ones(4, 3))  # float32 input into a float64 layer


# ------------------------------------------------------------------- misc
def test_deepcopy_copies_weights_and_buffers() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    clone = copy.deepcopy(model)
    assert clone[0].weight is not model[0].weight
    np.testing.assert_array_equal(clone[0].weight.data, model[0].weight.data)
    clone[0].weight.data[...] = 0
    assert model[0].weight.data.any()
    assert isinstance(clone[0].weight, nn.Parameter) and clone[0].weight.requires_grad


def test_forward_hooks() -> None:
    lin = nn.Linear(2, 2)
    seen = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: seen.append(out) or out + 1)
    out = lin(tgl.ones(1, 2))
    np.testing.assert_allclose(out.data, lin.bias.data[None] + 1, rtol=1e-6)  # x zeroed
    assert len(seen) == 1
    h1.remove(), h2.remove()
    plain = lin(tgl.ones(1, 2)).data
    np.testing.assert_allclose(plain, lin.weight.data.sum(1)[None] + lin.bias.data, rtol=1e-6)
    assert len(seen) == 1


def test_missing_forward_is_explained() -> None:
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(tgl.ones(1))


def test_calls_push_and_pop_the_module_scope_with_and_without_hooks() -> None:
    """Graph pictures box operations by `scope.current`: inside forward it is
    the tuple of running modules, outermost first, and it is restored after
    the call, also when forward raises."""
    from tinygrad_lite.autograd import scope

    seen = []

    class Probe(nn.Module):
        def forward(self, x):
            seen.append(scope.current)
            if x is None:
                raise ValueError("boom")
            return x

    inner = Probe()
    outer = nn.Sequential(inner)
    outer(tgl.ones(1))
    assert seen == [(outer, inner)] and scope.current == ()
    inner.register_forward_hook(lambda m, args, out: None)
    outer(tgl.ones(1))
    assert seen[-1] == (outer, inner) and scope.current == ()
    for module in (inner, outer):
        with pytest.raises(ValueError, match="boom"):
            module(None)
        assert scope.current == ()


@pytest.mark.torch
def test_load_state_dict_takes_a_one_element_value_for_a_0d_entry_as_pytorch(torch):
    # PyTorch's backward-compatibility rule: a shape-(1,) value loads into a
    # 0-d parameter or buffer as its one element; (2,), (0,), (1, 1) into 0-d
    # and 0-d into (1,) stay size mismatches
    def module(L):
        m = (torch.nn if L is torch else nn).Module()
        m.p = (torch.nn if L is torch else nn).Parameter(L.tensor(1.0))
        m.register_buffer("b", L.tensor(2))
        m.q = (torch.nn if L is torch else nn).Parameter(L.ones(1))
        return m
    cases = [("p", lambda L: L.tensor([5.0])), ("b", lambda L: L.tensor([5])),
             ("p", lambda L: L.tensor([5])), ("p", lambda L: L.tensor([5.0, 6.0])),
             ("b", lambda L: L.tensor([5, 6])), ("p", lambda L: L.zeros(0)),
             ("p", lambda L: L.tensor([[5.0]])), ("q", lambda L: L.tensor(7.0))]
    for key, value in cases:
        results = []
        for L in (torch, tgl):
            m = module(L)
            try:
                m.load_state_dict({**m.state_dict(), key: value(L)})
                results.append(("ok", tuple(getattr(m, key).shape), getattr(m, key).tolist()))
            except RuntimeError as e:
                assert "size mismatch for " + key in str(e)
                results.append(("size mismatch", tuple(getattr(m, key).shape)))
        assert results[0] == results[1], (key, results)
    bn = nn.BatchNorm1d(2)
    bn.load_state_dict({**bn.state_dict(), "num_batches_tracked": tgl.tensor([5])})
    assert bn.num_batches_tracked.shape == () and bn.num_batches_tracked.item() == 5
