"""The 8x8 handwritten digits shipped with the package (``load_digits``).

The file ``data/files/digits.csv.gz`` is the test part of the UCI "Optical
Recognition of Handwritten Digits" data set (E. Alpaydin, C. Kaynak, 1998,
CC BY 4.0; see DATA_NOTICE.md), the same file scikit-learn's
``load_digits`` reads: 1797 rows of 64 pixel counts (0..16) followed by the
label (0..9). It is parsed as plain CSV text, and its shape and value ranges
are checked, so a damaged copy fails with a message naming the file.
"""
from __future__ import annotations

import gzip
import zlib
from importlib import resources
from typing import Any

import numpy as np

from ..tensor import Tensor

#: Where the shipped file is (a Path-like with ``.open("rb")``); tests may point it elsewhere.
DIGITS_FILE: Any = resources.files("tinygrad_lite") / "data" / "files" / "digits.csv.gz"

N_ROWS, N_COLUMNS = 1797, 65


def load_digits(flatten: bool = False) -> tuple[Tensor, Tensor]:
    """The 1797 8x8 digit images and their labels.

    Returns ``(X, y)``: X float32 in [0, 1] (pixel count / 16) of shape
    (1797, 1, 8, 8) -- one channel, ready for Conv2d -- or (1797, 64) with
    ``flatten=True``; y int64 labels 0..9. Each call returns fresh tensors.
    Raises ValueError naming the file if it is damaged.
    """
    pixels, labels = _read(DIGITS_FILE)
    X = pixels.astype(np.float32) / np.float32(16.0)
    X = X if flatten else X.reshape(-1, 1, 8, 8)
    return Tensor._make(X), Tensor._make(labels)


def _read(source: Any) -> tuple[np.ndarray, np.ndarray]:
    """(pixel counts (1797, 64), labels int64 (1797,)) from the CSV file,
    with its shape and value ranges checked."""
    path = str(source)

    def damaged(problem: str) -> ValueError:
        return ValueError(
            f"load_digits: the data file {path} is damaged: {problem}. It should hold "
            f"{N_ROWS} rows of {N_COLUMNS} comma-separated integers (64 pixel counts 0..16 "
            f"and a label 0..9); reinstall tinygrad_lite to restore it.")

    try:
        with source.open("rb") as raw, gzip.open(raw) as f:
            text = f.read().decode("ascii")
    except FileNotFoundError:
        raise FileNotFoundError(f"load_digits: the data file {path} is missing; reinstall "
                                f"tinygrad_lite to restore it") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as e:
        raise damaged(f"it can't be read as gzip-compressed text ({e})") from None
    rows = [line for line in text.splitlines() if line.strip()]
    counts = {len(line.split(",")) for line in rows}
    if len(rows) != N_ROWS:
        raise damaged(f"it has {len(rows)} rows, expected {N_ROWS}")
    if counts != {N_COLUMNS}:
        raise damaged(f"its rows have {sorted(counts)} columns, expected {N_COLUMNS}")
    try:
        table = np.array([line.split(",") for line in rows], dtype=np.int64)
    except ValueError as e:
        raise damaged(f"it holds a value that is not an integer ({e})") from None
    pixels, labels = table[:, :64], table[:, 64]
    if pixels.min() < 0 or pixels.max() > 16:
        raise damaged(f"pixel counts range over {pixels.min()}..{pixels.max()}, expected 0..16")
    if labels.min() < 0 or labels.max() > 9:
        raise damaged(f"labels range over {labels.min()}..{labels.max()}, expected 0..9")
    return pixels, labels
