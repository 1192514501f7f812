"""tgl.save / tgl.load: exact round trips, the file format, PyTorch interop,
and clear errors for files that must not or cannot be loaded."""
from __future__ import annotations

import copy
import json
import math
import os
import pathlib
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import safetensors
import safetensors.numpy

import tinygrad_lite as tgl
from tinygrad_lite import nn
from tinygrad_lite.serialization import SerializationError


class Affine(nn.Module):
    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(tgl.randn(n_out, n_in))
        self.bias = nn.Parameter(tgl.randn(n_out))


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = Affine(3, 2)
        self.register_buffer("count", tgl.tensor(7))


def _same(a, b) -> None:
    """Equal type, dtype, shape and values, all the way down."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, tgl.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert np.array_equal(a.detach().numpy(), b.detach().numpy(),
                              equal_nan=a.dtype.kind == "f")
        assert a.requires_grad == b.requires_grad
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and np.shape(a) == np.shape(b)
        assert np.array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b) and [type(k) for k in a] == [type(k) for k in b]
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


def _round_trip(obj, tmp_path):
    path = tmp_path / "obj.safetensors"
    tgl.save(obj, path)
    return tgl.load(path)


x = np.arange(12, dtype=np.float32).reshape(3, 4)
TENSORS = {
    "0-d float": tgl.tensor(2.5),
    "0-d int": tgl.tensor(3),
    "bool": tgl.tensor([[True, False], [False, True]]),
    "int32": tgl.tensor([-(2 ** 31), 0, 2 ** 31 - 1], dtype=tgl.int32),
    "int64 big": tgl.tensor([-(2 ** 63), 2 ** 62 + 1]),
    "uint8": tgl.tensor([0, 255], dtype=tgl.uint8),
    "int8 and int16": tgl.tensor([-128, 127], dtype=tgl.int8),
    "float16": tgl.tensor([1e-4, 65504.0, -2.0, float("inf")], dtype=tgl.float16),
    "float64": tgl.tensor([1 / 3, float("nan"), -0.0], dtype=tgl.float64),
    "empty": tgl.zeros(0, 3),
    "empty int": tgl.zeros(2, 0, dtype=tgl.int64),
    "transposed view": tgl.from_numpy(x).T,
    "strided view": tgl.from_numpy(x)[::2, 1::2],
    "fortran order": tgl.from_numpy(np.asfortranarray(x)),
}


@pytest.mark.parametrize("name", list(TENSORS))
def test_tensors_round_trip_exactly(tmp_path, name):
    t = TENSORS[name]
    back = _round_trip({"t": t}, tmp_path)["t"]
    _same(t, back)
    assert back.numpy().flags.writeable
    assert np.array_equal(back.numpy(), np.array(t.numpy()), equal_nan=t.dtype.kind == "f")


def test_nested_optimizer_state_round_trips_with_types(tmp_path):
    state = {
        "state": {0: {"step": tgl.tensor(3.0), "exp_avg": tgl.randn(2, 3)},
                  1: {"step": tgl.tensor(3.0), "exp_avg_sq": tgl.rand(4)}},
        "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8, "amsgrad": False,
                          "weight_decay": 0, "foreach": None, "params": [0, 1],
                          "name": "all", "big": 2 ** 80, "inf": float("inf"),
                          "nan": float("nan")}],
    }
    back = _round_trip(state, tmp_path)
    _same(state, back)
    assert list(back["state"]) == [0, 1]  # integer keys stay integers
    assert isinstance(back["param_groups"][0]["betas"], tuple)


def test_containers_keys_and_flags_round_trip(tmp_path):
    obj = OrderedDict([
        ("z", [1, 2.5, "s", None, True, (tgl.ones(2), [np.arange(3, dtype=np.uint16)])]),
        ("a.b", tgl.zeros(1)), ("a", {"b": tgl.ones(1)}), ("__metadata__", tgl.ones(2)),
        ((1, "k"), {2.5: "float key", None: "none key", False: "bool key"}),
        ("np", [np.float32(1.5), np.int64(-2), np.bool_(True)]),
        ("grad", tgl.ones(2, requires_grad=True)),
        ("param", nn.Parameter(tgl.ones(3))),
        ("frozen", nn.Parameter(tgl.ones(1), requires_grad=False)),
    ])
    back = _round_trip(obj, tmp_path)
    _same(obj, back)
    assert isinstance(back, OrderedDict) and type(_round_trip({}, tmp_path)) is dict
    assert isinstance(back["param"], nn.Parameter) and back["param"].requires_grad
    assert isinstance(back["frozen"], nn.Parameter) and not back["frozen"].requires_grad
    _same(_round_trip(tgl.arange(3), tmp_path), tgl.arange(3))
    _same(_round_trip([1, (2, 3)], tmp_path), [1, (2, 3)])


def test_file_is_written_exactly_at_the_path_as_documented_safetensors(tmp_path):
    for path in (tmp_path / "checkpoint", str(tmp_path / "ckpt.bin")):
        tgl.save({"w": tgl.ones(2)}, path)
        tgl.save({"w": tgl.zeros(2)}, path)  # overwriting works
        assert tgl.load(path)["w"].tolist() == [0.0, 0.0]
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "ckpt.bin"]  # nothing else left
    tgl.save({"state": {0: {"exp_avg": tgl.ones(2)}}, "lr": 0.1}, tmp_path / "opt")
    with safetensors.safe_open(str(tmp_path / "opt"), framework="np") as f:
        assert list(f.keys()) == ["state.0.exp_avg"]
        meta = f.metadata()
    assert meta["format"] == "pt"
    structure = json.loads(meta["tinygrad_lite"])
    assert structure["version"] == 1
    assert structure["root"]["dict"][1] == ["lr", 0.1]


def test_state_dict_round_trip_into_a_model(tmp_path):
    model = Net()
    tgl.save(model.state_dict(), tmp_path / "model")
    loaded = tgl.load(tmp_path / "model")
    assert list(loaded) == list(model.state_dict()) == ["count", "fc.weight", "fc.bias"]
    assert isinstance(loaded, OrderedDict)
    other = Net()
    other.load_state_dict(loaded)
    for key, value in model.state_dict().items():
        _same(value, other.state_dict()[key])


def test_tgl_file_loads_in_pytorch_under_the_same_keys(torch, tmp_path):
    from safetensors.torch import load_file
    model = Net()
    tgl.save(model.state_dict(), tmp_path / "model.safetensors")
    theirs = load_file(str(tmp_path / "model.safetensors"))
    ours = model.state_dict()
    assert sorted(theirs) == sorted(ours)
    for key, value in ours.items():
        assert str(theirs[key].dtype) == f"torch.{value.dtype.name}"
        assert np.array_equal(theirs[key].numpy(), value.numpy())
    torch_model = torch.nn.Linear(3, 2)
    torch_model.load_state_dict({k[3:]: v for k, v in theirs.items() if k.startswith("fc.")})


def test_pytorch_file_loads_in_tgl_under_the_same_keys(torch, tmp_path):
    from safetensors.torch import save_file
    torch.manual_seed(0)
    torch_model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    path = tmp_path / "torch.safetensors"
    save_file(torch_model.state_dict(), str(path))
    ours = tgl.load(path)
    theirs = torch_model.state_dict()
    assert sorted(ours) == sorted(theirs)
    for key, value in theirs.items():
        assert ours[key].dtype.name == str(value.dtype).replace("torch.", "")
        assert np.array_equal(ours[key].numpy(), value.numpy())
    assert ours["1.num_batches_tracked"].shape == ()


def _to(obj, convert):
    if isinstance(obj, dict):
        return {k: _to(v, convert) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to(v, convert) for v in obj)
    return convert(obj)


def test_pytorch_optimizer_accepts_the_loaded_state(torch, tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, betas=(0.8, 0.9))

    def step(m, o):
        o.zero_grad()
        m(torch.ones(4, 3)).pow(2).sum().backward()
        o.step()

    step(model, opt)
    step(model, opt)
    as_tgl = _to(opt.state_dict(), lambda v: tgl.tensor(v.numpy())
                 if isinstance(v, torch.Tensor) else v)
    tgl.save(as_tgl, tmp_path / "adam")
    back = tgl.load(tmp_path / "adam")
    as_torch = _to(back, lambda v: torch.from_numpy(v.numpy().copy())
                   if isinstance(v, tgl.Tensor) else v)
    twin = copy.deepcopy(model)
    twin_opt = torch.optim.Adam(twin.parameters(), lr=1.0)
    twin_opt.load_state_dict(as_torch)
    assert twin_opt.param_groups[0]["betas"] == (0.8, 0.9)
    step(model, opt)
    step(twin, twin_opt)
    for a, b in zip(model.parameters(), twin.parameters()):
        assert torch.equal(a, b)


def test_tgl_model_and_optimizer_resume_exactly(tmp_path):
    optim = pytest.importorskip("tinygrad_lite.optim")

    def run(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            (model(tgl.ones(4, 3)) ** 2).sum().backward()
            opt.step()

    model = nn.Linear(3, 2)
    opt = optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.9))
    run(model, opt, 2)
    tgl.save(model.state_dict(), tmp_path / "model")
    tgl.save(opt.state_dict(), tmp_path / "opt")
    twin = nn.Linear(3, 2)
    twin.load_state_dict(tgl.load(tmp_path / "model"))
    twin_opt = optim.Adam(twin.parameters(), lr=1.0)
    twin_opt.load_state_dict(tgl.load(tmp_path / "opt"))
    run(model, opt, 2)
    run(twin, twin_opt, 2)
    for a, b in zip(model.parameters(), twin.parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())


# --------------------------------------------------------------------- errors
def test_a_pickle_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(SerializationError, match="pickle file.*never unpickles") as info:
        tgl.load(path)
    assert str(path) in str(info.value)
    assert not marker.exists()
    assert isinstance(info.value, ValueError) and isinstance(info.value, RuntimeError)


def test_a_torch_save_file_is_refused_with_a_way_out(torch, tmp_path):
    path = tmp_path / "model.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(SerializationError, match="torch.save.*safetensors.torch.save_file"):
        tgl.load(path)
    torch.save({"w": torch.ones(2)}, path, _use_new_zipfile_serialization=False)
    with pytest.raises(SerializationError, match="pickle"):
        tgl.load(path)


def test_truncated_corrupt_and_empty_files(tmp_path):
    path = tmp_path / "good"
    tgl.save({"w": tgl.arange(100.0)}, path)
    data = path.read_bytes()
    cases = {
        "truncated": data[:-7],
        "header cut": data[:30],
        "corrupt header": data[:8] + b"#" + data[9:],
        "wrong header length": (len(data) * 2).to_bytes(8, "little") + data[8:],
        "empty": b"",
    }
    for name, content in cases.items():
        bad = tmp_path / name.replace(" ", "_")
        bad.write_bytes(content)
        with pytest.raises(SerializationError, match="not a valid safetensors file") as info:
            tgl.load(bad)
        assert str(bad) in str(info.value), name
    with pytest.raises(SerializationError, match="truncated"):
        tgl.load(tmp_path / "truncated")


def test_corrupt_structure_in_the_header(tmp_path):
    arrays = {"a": np.ones(2, np.float32)}
    path = str(tmp_path / "f")
    for meta, message in (("{not json", "structure stored in the header.*corrupt"),
                          ('{"version": 1, "root": {"tensor": "zz"}}', "tensor 'zz'"),
                          ('{"version": 1, "root": {"dict": 5}}', "corrupt"),
                          ('{"version": 9, "root": null}', "format version 9")):
        safetensors.numpy.save_file(arrays, path, metadata={"tinygrad_lite": meta})
        with pytest.raises(SerializationError, match=message):
            tgl.load(path)
    safetensors.numpy.save_file(arrays, path)  # a plain safetensors file
    assert list(tgl.load(path)) == ["a"]


def test_dtypes_tgl_cannot_hold(torch, tmp_path):
    from safetensors.torch import save_file
    path = str(tmp_path / "bf16")
    save_file({"w": torch.ones(2, dtype=torch.bfloat16)}, path)
    with pytest.raises(SerializationError, match="'w'.*BF16.*v.float()"):
        tgl.load(path)
    safetensors.numpy.save_file({"u": np.ones(2, np.uint16)}, path)
    with pytest.raises(SerializationError, match="'u'.*uint16"):
        tgl.load(path)


def test_missing_path_folder_and_file_objects(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.here"):
        tgl.load(tmp_path / "nothing.here")
    with pytest.raises(IsADirectoryError, match=str(tmp_path)):
        tgl.load(tmp_path)
    with pytest.raises(IsADirectoryError, match="folder"):
        tgl.save({}, tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist.*makedirs"):
        tgl.save({}, tmp_path / "no" / "such" / "dir" / "f")
    with open(tmp_path / "f", "wb") as f, pytest.raises(NotImplementedError, match="file obj"):
        tgl.save({}, f)
    with pytest.raises(TypeError, match="str or os.PathLike"):
        tgl.load(42)
    tgl.save({"w": tgl.ones(1)}, tmp_path / "f")
    assert tgl.load(pathlib.Path(tmp_path / "f"), map_location="cpu")["w"].tolist() == [1.0]
    with pytest.raises(NotImplementedError, match="CPU only"):
        tgl.load(tmp_path / "f", map_location="cuda:0")


def test_unsupported_objects_are_refused_before_writing(tmp_path):
    path = tmp_path / "out"
    with pytest.raises(TypeError, match=r"Net.*model.state_dict\(\)"):
        tgl.save(Net(), path)
    with pytest.raises(TypeError, match=r"set at obj\['a'\]\[1\]"):
        tgl.save({"a": [1, {2}]}, path)
    with pytest.raises(TypeError, match=r"obj\['d'\] has a key of type object"):
        tgl.save({"d": {object(): 1}}, path)
    with pytest.raises(TypeError, match=r"obj\['c'\] has dtype complex128"):
        tgl.save({"c": np.zeros(2, complex)}, path)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("nesting", ["lists", "dicts", "tuples"])
def test_a_deeply_nested_header_is_a_serialization_error(tmp_path, nesting):
    # json.loads and the decoder recurse; a crafted header ~1000 levels deep
    # must not escape as RecursionError
    depth = 1000
    root = {"lists": "[" * depth + "]" * depth,
            "dicts": '{"dict": [["k", ' * depth + "1" + "]]}" * depth,
            "tuples": '{"tuple": [' * depth + "]}" * depth}[nesting]
    path = tmp_path / "deep.safetensors"
    safetensors.numpy.save_file({"a": np.ones(2, np.float32)}, str(path), metadata={
        "format": "pt", "tinygrad_lite": '{"version": 1, "root": ' + root + "}"})
    with pytest.raises(SerializationError, match=r"deep\.safetensors.*nests too deeply") as e:
        tgl.load(path)
    assert "tgl.save" in str(e.value)


def test_any_failure_decoding_a_header_is_a_serialization_error(tmp_path):
    path = tmp_path / "bad.safetensors"
    for header in ('{"version": 1, "root": {"float": "abc"}}', '[1, 2]', '{"version": 1}',
                   '{"version": 1, "root": {"dict": [[["unhashable"], 1]]}}', "not json"):
        safetensors.numpy.save_file({"a": np.ones(2, np.float32)}, str(path),
                                    metadata={"tinygrad_lite": header})
        with pytest.raises(SerializationError, match=r"bad\.safetensors"):
            tgl.load(path)
