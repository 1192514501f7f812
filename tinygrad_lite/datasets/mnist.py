"""MNIST from the standard IDX files in a local folder (``load_mnist``).

Nothing is downloaded: put the four files (``train-images-idx3-ubyte``,
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
``t10k-labels-idx1-ubyte``, each optionally gzip-compressed with a ``.gz``
ending) in a folder, or point at the folder torchvision made (its
``MNIST/raw`` is searched too).

IDX layout (big-endian): two zero bytes, a type byte (0x08 = unsigned
byte), the number of dimensions, one 4-byte size per dimension, then the
data. Images are magic 2051 with dims (count, rows, cols); labels magic 2049
with dims (count,). Every header, size and label is checked, so a damaged or
truncated file fails with a message naming it.
"""
from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from ..tensor import Tensor

IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049
_PREFIX = {True: "train", False: "t10k"}


def load_mnist(path: str | os.PathLike, train: bool = True,
               flatten: bool = False) -> tuple[Tensor, Tensor]:
    """The MNIST training set (``train=True``, 60000 images) or test set
    (10000) from the IDX files in folder `path`.

    Returns ``(X, y)``: X float32 in [0, 1] (pixel / 255) of shape
    (N, 1, rows, cols) -- (N, 1, 28, 28) for MNIST -- or (N, rows * cols)
    with ``flatten=True``; y int64 labels 0..9. Raises FileNotFoundError
    naming the folder and the expected file names when a file is missing,
    and ValueError naming the file and the problem when one is damaged.
    """
    folder = Path(os.fspath(path))
    if not folder.is_dir():
        raise FileNotFoundError(
            f"load_mnist: the folder {str(folder)!r} does not exist (or is not a folder); "
            f"give the folder that holds {_expected(train)}")
    prefix = _PREFIX[bool(train)]
    images_file = _find(folder, f"{prefix}-images-idx3-ubyte", train)
    labels_file = _find(folder, f"{prefix}-labels-idx1-ubyte", train)
    images = _read_idx(images_file, IMAGES_MAGIC, 3)
    labels = _read_idx(labels_file, LABELS_MAGIC, 1)
    if len(images) != len(labels):
        raise ValueError(f"load_mnist: {images_file} holds {len(images)} images but "
                         f"{labels_file} holds {len(labels)} labels; the two files don't "
                         f"belong together")
    if labels.size and labels.max() > 9:
        raise ValueError(f"load_mnist: {labels_file} holds label {labels.max()}; MNIST "
                         f"labels are 0..9, so the file is damaged or not MNIST labels")
    X = images.astype(np.float32) / np.float32(255.0)
    X = X.reshape(len(X), -1) if flatten else X[:, None]
    return Tensor._make(np.ascontiguousarray(X)), Tensor._make(labels.astype(np.int64))


def _expected(train: bool) -> str:
    prefix = _PREFIX[bool(train)]
    return (f"{prefix}-images-idx3-ubyte and {prefix}-labels-idx1-ubyte (each may end in "
            f".gz)")


def _find(folder: Path, name: str, train: bool) -> Path:
    """The file `name` or `name`.gz in `folder` or in torchvision's MNIST/raw."""
    for place in (folder, folder / "MNIST" / "raw"):
        for candidate in (place / name, place / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    raise FileNotFoundError(
        f"load_mnist: no {name} (or {name}.gz) in {str(folder)!r}; the folder should "
        f"hold {_expected(train)} for train={bool(train)}")


def _read_bytes(file: Path) -> bytes:
    try:
        if file.suffix == ".gz":
            with gzip.open(file, "rb") as f:
                return f.read()
        return file.read_bytes()
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise ValueError(f"load_mnist: {file} is damaged: it can't be decompressed ({e}); "
                         f"it may be truncated, download it again") from None


def _read_idx(file: Path, magic: int, ndim: int) -> np.ndarray:
    """The unsigned-byte array stored in IDX file `file`, checked against
    the expected `magic` number and number of dimensions."""
    data = _read_bytes(file)
    kind = "images" if magic == IMAGES_MAGIC else "labels"
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"load_mnist: {file} is damaged: it has only {len(data)} bytes, "
                         f"fewer than the {header}-byte header of an IDX {kind} file")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise ValueError(
            f"load_mnist: {file} is not an IDX {kind} file: its magic number is {found} "
            f"(0x{found:08x}), expected {magic} (0x{magic:08x}); check that the file is "
            f"the right one and not damaged")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    expected = header + int(np.prod(dims, dtype=np.int64))
    if len(data) != expected:
        problem = "truncated" if len(data) < expected else "longer than its header says"
        raise ValueError(f"load_mnist: {file} is damaged ({problem}): its header gives "
                         f"dimensions {dims}, which need {expected} bytes, but it has "
                         f"{len(data)}; download it again")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)
