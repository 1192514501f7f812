"""`save` and `load`: tensors and nested containers in a safetensors file.

``tgl.save(obj, path)`` writes one standard safetensors file, exactly at
`path`, with the `safetensors` package; ``tgl.load(path)`` reads it back.
Loading never unpickles and never runs code: a file is raw tensor bytes
plus a JSON header.

File format
-----------
* **Body**: every tensor in `obj`, under the path of keys that leads to it,
  joined by ".". A state dict's tensors keep their own keys
  (``"fc.weight"``), so ``safetensors.torch.load_file(path)`` in PyTorch
  gives the same keys; an optimizer's state gives ``"state.0.exp_avg"``. A
  tensor at the top level is called ``"tensor"``; a name that is taken
  (or ``"__metadata__"``) gets a ``"#1"``, ``"#2"``... suffix.
* **Header** ``__metadata__``: ``{"format": "pt", "tinygrad_lite": JSON}``,
  where JSON is ``{"version": 1, "root": node}`` and a node is one of:

  - ``null``, ``true``/``false``, a number or a string: itself (ints of
    any size; floats that are finite);
  - ``{"float": "nan"}`` (or ``"inf"``, ``"-inf"``): a non-finite float;
  - ``[node, ...]``: a list;
  - ``{"tuple": [node, ...]}``: a tuple, which comes back as a tuple;
  - ``{"dict": [[key, node], ...]}``: a dict, in order, with ``"ordered":
    true`` for an OrderedDict; keys are nodes too, so ``0`` stays an int;
  - ``{"tensor": name}``: the Tensor stored under `name`, with
    ``"requires_grad": true`` and ``"parameter": true`` when they apply;
  - ``{"ndarray": name}`` or ``{"numpy_scalar": name}``: numpy data.

A safetensors file without the ``tinygrad_lite`` entry (for example one
written by ``safetensors.torch.save_file``) loads as a dict of tensors.

What is kept and what is not: values, dtypes (bool, integers, float16/32/64)
and shapes exactly, including 0-d, empty and transposed tensors (they are
stored contiguously). Tensors that shared memory come back as separate
copies; named tuples come back as plain tuples; gradients and graphs are
not saved. Anything else (a Module, a set, an arbitrary object) is refused
with a TypeError naming where it is.
"""
from __future__ import annotations

import json
import math
import os
import sys
import uuid
from collections import OrderedDict
from typing import Any

import numpy as np
import safetensors
import safetensors.numpy

from . import dtypes
from .tensor import Tensor

_KEY = "tinygrad_lite"
_VERSION = 1
#: numpy dtypes the safetensors format can hold
_STORABLE = {np.dtype(n) for n in ("bool", "uint8", "uint16", "uint32", "uint64", "int8",
                                   "int16", "int32", "int64", "float16", "float32", "float64")}


class SerializationError(ValueError, RuntimeError):
    """A file that `load` can't read: not safetensors, truncated or corrupt.

    A ValueError, and also a RuntimeError because that is what ``torch.load``
    raises for a damaged file, so code written for either catches it."""


# --------------------------------------------------------------------- save
def save(obj: Any, path: str | os.PathLike) -> None:
    """Write `obj` (a state dict, or nested dicts/lists/tuples of tensors,
    numbers, strings, bools and None) to the safetensors file `path`.

    The file is written to a temporary name beside `path` and then moved
    into place, so an interrupted save never leaves a half-written file at
    `path`. File objects are not supported (NotImplementedError).
    """
    target = _fspath(path, "save")
    if os.path.isdir(target):
        raise IsADirectoryError(f"tgl.save: {target!r} is a folder; give a file path such "
                                f"as {os.path.join(target, 'model.safetensors')!r}")
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"tgl.save: the folder {folder!r} for {target!r} does not "
                                f"exist; create it first (os.makedirs(folder, exist_ok=True))")
    encoder = _Encoder()
    root = encoder.encode(obj, ())
    metadata = {"format": "pt",
                _KEY: json.dumps({"version": _VERSION, "root": root}, allow_nan=False)}
    temporary = f"{target}.{uuid.uuid4().hex[:12]}.tmp"
    try:
        safetensors.numpy.save_file(encoder.arrays, temporary, metadata=metadata)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


class _Encoder:
    """Walks `obj`, collecting arrays under unique names and returning the
    JSON node that describes the structure."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def encode(self, value: Any, path: tuple) -> Any:
        if isinstance(value, Tensor):
            node = {"tensor": self._store(value.data, path)}
            if value.requires_grad:
                node["requires_grad"] = True
            if _is_parameter(value):
                node["parameter"] = True
            return node
        if isinstance(value, np.ndarray):
            return {"ndarray": self._store(value, path)}
        if isinstance(value, np.generic):
            return {"numpy_scalar": self._store(np.asarray(value), path)}
        if isinstance(value, dict):
            node = {"dict": [[self._key(k, path), self.encode(v, path + (k,))]
                             for k, v in value.items()]}
            if isinstance(value, OrderedDict):
                node["ordered"] = True
            return node
        if isinstance(value, list):
            return [self.encode(v, path + (i,)) for i, v in enumerate(value)]
        if isinstance(value, tuple):
            return {"tuple": [self.encode(v, path + (i,)) for i, v in enumerate(value)]}
        return self._plain(value, path)

    def _plain(self, value: Any, path: tuple) -> Any:
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"float": repr(value)}
        hint = ""
        if hasattr(value, "state_dict") and hasattr(value, "parameters"):
            hint = (" A model can't be stored itself (that would need pickle); save "
                    "model.state_dict() and restore it with "
                    "model.load_state_dict(tgl.load(path)).")
        raise TypeError(f"tgl.save: can't store a {type(value).__name__} at "
                        f"{_where(path)}; tgl.save stores tensors, numpy arrays, numbers, "
                        f"strings, bools, None and dicts/lists/tuples of them.{hint}")

    def _key(self, key: Any, path: tuple) -> Any:
        if isinstance(key, tuple):
            return {"tuple": [self._key(k, path) for k in key]}
        if key is None or isinstance(key, (bool, int, float, str)):
            return self._plain(key, path)
        raise TypeError(f"tgl.save: the dict at {_where(path)} has a key of type "
                        f"{type(key).__name__} ({key!r}); keys must be strings, numbers, "
                        f"bools, None or tuples of them")

    def _store(self, array: np.ndarray, path: tuple) -> str:
        if array.dtype not in _STORABLE:
            raise TypeError(f"tgl.save: the array at {_where(path)} has dtype {array.dtype}, "
                            f"which safetensors can't store; convert it to a bool, integer or "
                            f"float16/32/64 dtype")
        base = ".".join(str(p) for p in path) or "tensor"
        name, n = base, 0
        while name in self.arrays or name == "__metadata__":
            n += 1
            name = f"{base}#{n}"
        # safetensors writes raw memory: lay views (a transpose) out in C order
        self.arrays[name] = array if array.flags.c_contiguous else array.copy(order="C")
        return name


def _is_parameter(value: Tensor) -> bool:
    from .nn.module import Parameter
    return isinstance(value, Parameter)


def _where(path: tuple) -> str:
    return "obj" + "".join(f"[{p!r}]" for p in path)


# --------------------------------------------------------------------- load
def load(path: str | os.PathLike, map_location: Any = None, weights_only: bool = True) -> Any:
    """Read what `save` wrote at `path` (or any safetensors file, which comes
    back as a dict of tensors). Never unpickles: a pickle or ``torch.save``
    file, a truncated or corrupt file raise `SerializationError` naming the
    path and the problem; a missing path FileNotFoundError, a folder
    IsADirectoryError.

    `map_location` may be None or "cpu" (other devices: NotImplementedError).
    `weights_only` is accepted for compatibility with ``torch.load`` and has
    no effect: loading is always as safe as ``weights_only=True``.
    """
    target = _fspath(path, "load")
    if map_location is not None and str(map_location) != "cpu":
        raise NotImplementedError(f"tgl.load: map_location={map_location!r} is not "
                                  f"supported; tinygrad_lite runs on the CPU only (use None "
                                  f"or 'cpu')")
    if not os.path.exists(target):
        raise FileNotFoundError(f"tgl.load: no such file: {target!r}")
    if os.path.isdir(target):
        raise IsADirectoryError(f"tgl.load: {target!r} is a folder, not a file; give the "
                                f"path of the file saved with tgl.save")
    metadata, arrays = _read(target)
    if _KEY not in metadata:
        return {name: _tensor(array, name, target) for name, array in arrays.items()}
    try:
        header = json.loads(metadata[_KEY])
        if header.get("version") != _VERSION:
            raise SerializationError(
                f"tgl.load: {target!r} was written by a different version of tinygrad_lite "
                f"(format version {header.get('version')!r}, this one reads {_VERSION}); "
                f"upgrade tinygrad_lite to read it")
        return _Decoder(arrays, target).decode(header["root"])
    except SerializationError:
        raise
    except RecursionError:
        raise SerializationError(
            f"tgl.load: the structure stored in the header of {target!r} nests too deeply "
            f"to decode (deeper than Python's recursion limit, {sys.getrecursionlimit()}); "
            f"the file was damaged or crafted -- tgl.save never writes such a header. Save "
            f"the data again with tgl.save, with fewer levels of nesting") from None
    except Exception as e:  # any other failure while decoding is a corrupt header too
        raise SerializationError(
            f"tgl.load: the structure stored in the header of {target!r} is corrupt "
            f"({type(e).__name__}: {e}); the file was damaged or edited -- save it again "
            f"with tgl.save") from None


def _read(path: str) -> tuple[dict, dict]:
    """(metadata, {name: array}) of a safetensors file, with errors that
    say what is wrong with the file."""
    try:
        with safetensors.safe_open(path, framework="np") as f:
            metadata = f.metadata() or {}
            arrays = {}
            for name in f.keys():
                kind = f.get_slice(name).get_dtype()
                try:
                    arrays[name] = f.get_tensor(name)
                except TypeError:
                    raise SerializationError(
                        f"tgl.load: tensor {name!r} in {path!r} has dtype {kind}, which numpy "
                        f"(and so tinygrad_lite) can't hold; convert it before saving, e.g. "
                        f"in PyTorch: save_file({{k: v.float() for k, v in sd.items()}}, "
                        f"path)") from None
            return metadata, arrays
    except safetensors.SafetensorError as e:
        raise SerializationError(_diagnose(path, str(e))) from None


def _diagnose(path: str, detail: str) -> str:
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"PK\x03\x04"):
        return (f"tgl.load: {path!r} is a zip archive, most likely written by torch.save "
                f"(a pickle inside a zip). tgl.load only reads safetensors files, because "
                f"unpickling can run arbitrary code. Convert it in PyTorch with "
                f"safetensors.torch.save_file(torch.load(path, weights_only=True), "
                f"'model.safetensors') and load that.")
    if (len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5) or _text_pickle(path, head):
        return (f"tgl.load: {path!r} is a pickle file (e.g. written by torch.save or "
                f"pickle.dump). tgl.load never unpickles, because unpickling can run "
                f"arbitrary code; save the tensors as safetensors instead (tgl.save, or "
                f"safetensors.torch.save_file in PyTorch).")
    size = os.path.getsize(path)
    return (f"tgl.load: {path!r} is not a valid safetensors file ({size} bytes): "
            f"{detail}. It may be truncated (an interrupted copy or download) or its header "
            f"damaged; save or copy it again.")


#: first bytes of a protocol 0/1 pickle (no 0x80 marker): MARK, EMPTY_DICT,
#: EMPTY_LIST, GLOBAL, INT, FLOAT, STRING, UNICODE, NONE, LONG
_TEXT_PICKLE_STARTS = b"(}]cIFSVNL"
#: torch's legacy (non-zip) format begins with this number, pickled (protocol 0/1)
_TORCH_LEGACY_MAGIC = b"L119547037146038801333356L"


def _text_pickle(path: str, head: bytes) -> bool:
    """Whether the file looks like a protocol 0/1 pickle (``pickle.dump(obj,
    f, protocol=0)``): torch's legacy magic number first, or one of the
    opcodes above first and STOP (``.``) last.
    Only used to word the error for a file that is not safetensors."""
    if len(head) == 8 and _TORCH_LEGACY_MAGIC.startswith(head):
        return True  # torch.save(..., _use_new_zipfile_serialization=False, pickle_protocol=0/1)
    if not head or head[0] not in _TEXT_PICKLE_STARTS:
        return False
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"."


class _Decoder:
    """Turns the JSON structure back into Python objects and Tensors."""

    def __init__(self, arrays: dict, path: str) -> None:
        self.arrays, self.path = arrays, path

    def decode(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict):
            return node
        if "tensor" in node:
            t = _tensor(self._array(node["tensor"]), node["tensor"], self.path)
            if node.get("parameter"):
                from .nn.module import Parameter
                return Parameter(t, requires_grad=bool(node.get("requires_grad")))
            return t.requires_grad_() if node.get("requires_grad") else t
        if "ndarray" in node:
            return self._array(node["ndarray"])
        if "numpy_scalar" in node:
            return self._array(node["numpy_scalar"])[()]
        if "float" in node:
            return float(node["float"])
        if "tuple" in node:
            return tuple(self.decode(v) for v in node["tuple"])
        items = ((self.decode(k), self.decode(v)) for k, v in node["dict"])
        return OrderedDict(items) if node.get("ordered") else dict(items)

    def _array(self, name: str) -> np.ndarray:
        if name not in self.arrays:
            raise SerializationError(f"tgl.load: the header of {self.path!r} refers to a "
                                     f"tensor {name!r} that is not in the file; the file "
                                     f"is damaged -- save it again")
        return self.arrays[name]


def _tensor(array: np.ndarray, name: str, path: str) -> Tensor:
    if array.dtype not in dtypes.SUPPORTED:
        raise SerializationError(
            f"tgl.load: tensor {name!r} in {path!r} has dtype {array.dtype}, which "
            f"tinygrad_lite tensors don't support; supported are "
            f"{', '.join(d.name for d in dtypes.SUPPORTED)}")
    return Tensor._make(array)


def _fspath(path: Any, op: str) -> str:
    if hasattr(path, "read") or hasattr(path, "write"):
        raise NotImplementedError(f"tgl.{op}: file objects are not supported; give a path "
                                  f"(a str or os.PathLike) such as 'model.safetensors'")
    try:
        return os.fsdecode(os.fspath(path))
    except TypeError:
        raise TypeError(f"tgl.{op}: path must be a str or os.PathLike, got "
                        f"{type(path).__name__}") from None
