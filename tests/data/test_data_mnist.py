"""load_mnist on small IDX files written here (raw and gzip), and damaged ones."""
from __future__ import annotations

import gzip

import numpy as np
import pytest

import tinygrad_lite as tgl
from tinygrad_lite.datasets import load_mnist


def _idx(array: np.ndarray) -> bytes:
    """IDX bytes of a uint8 array: 0, 0, type 0x08, ndim, big-endian sizes, data."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write(folder, prefix: str, images: np.ndarray, labels: np.ndarray,
           compress: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in ((f"{prefix}-images-idx3-ubyte", images),
                        (f"{prefix}-labels-idx1-ubyte", labels)):
        data = _idx(array)
        if compress:
            (folder / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / name).write_bytes(data)


def _sample(n: int, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, n, dtype=np.uint8))


@pytest.mark.parametrize("compress", [False, True])
def test_reads_train_and_test_files(tmp_path, compress):
    train_images, train_labels = _sample(5, 0)
    test_images, test_labels = _sample(3, 1)
    _write(tmp_path, "train", train_images, train_labels, compress)
    _write(tmp_path, "t10k", test_images, test_labels, compress)
    X, y = load_mnist(tmp_path)
    assert X.shape == (5, 1, 28, 28) and X.dtype == tgl.float32
    assert y.dtype == tgl.int64 and y.tolist() == train_labels.tolist()
    np.testing.assert_array_equal(X.numpy()[:, 0], train_images.astype(np.float32) / 255)
    X, y = load_mnist(str(tmp_path), train=False, flatten=True)
    assert X.shape == (3, 784) and y.tolist() == test_labels.tolist()
    np.testing.assert_array_equal(X.numpy(), test_images.reshape(3, -1) / np.float32(255))


def test_finds_torchvision_layout(tmp_path):
    images, labels = _sample(2)
    _write(tmp_path / "MNIST" / "raw", "t10k", images, labels)
    assert load_mnist(tmp_path, train=False)[1].tolist() == labels.tolist()


def test_missing_folder_or_file_names_path_and_expected_names(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.*train-images-idx3-ubyte"):
        load_mnist(tmp_path / "nowhere")
    images, labels = _sample(2)
    _write(tmp_path, "train", images, labels)
    (tmp_path / "train-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(tmp_path)
    assert "train-labels-idx1-ubyte" in str(info.value) and str(tmp_path) in str(info.value)
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        load_mnist(tmp_path, train=False)


def _damage(tmp_path, which: str, data: bytes) -> str:
    images, labels = _sample(4)
    _write(tmp_path, "train", images, labels)
    path = tmp_path / f"train-{which}"
    path.write_bytes(data)
    return str(path)


def test_truncated_image_file(tmp_path):
    images, _ = _sample(4)
    path = _damage(tmp_path, "images-idx3-ubyte", _idx(images)[:-100])
    with pytest.raises(ValueError, match=r"truncated.*\[4, 28, 28\].*3152 bytes.*3052") as info:
        load_mnist(tmp_path)
    assert path in str(info.value)


def test_too_long_and_header_only_files(tmp_path):
    _, labels = _sample(4)
    path = _damage(tmp_path, "labels-idx1-ubyte", _idx(labels) + b"\0")
    with pytest.raises(ValueError, match="longer than its header says") as info:
        load_mnist(tmp_path)
    assert path in str(info.value)
    _damage(tmp_path, "labels-idx1-ubyte", b"\0\0\x08")
    with pytest.raises(ValueError, match="only 3 bytes"):
        load_mnist(tmp_path)


def test_wrong_magic_number(tmp_path):
    images, _ = _sample(4)
    path = _damage(tmp_path, "labels-idx1-ubyte", _idx(images[:, 0, 0]).replace(
        b"\0\0\x08\x01", b"\0\0\x08\x03", 1))
    with pytest.raises(ValueError, match="magic number is 2051.*expected 2049") as info:
        load_mnist(tmp_path)
    assert path in str(info.value)


def test_damaged_gzip(tmp_path):
    images, labels = _sample(4)
    _write(tmp_path, "train", images, labels, compress=True)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(ValueError, match="can't be decompressed") as info:
        load_mnist(tmp_path)
    assert str(path) in str(info.value)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="can't be decompressed"):
        load_mnist(tmp_path)


def test_files_that_do_not_belong_together(tmp_path):
    images, labels = _sample(4)
    _write(tmp_path, "train", images, labels[:3])
    with pytest.raises(ValueError, match="4 images but .* 3 labels"):
        load_mnist(tmp_path)
    _write(tmp_path, "train", images, np.array([1, 2, 3, 12]))
    with pytest.raises(ValueError, match="label 12"):
        load_mnist(tmp_path)
