"""load_digits (shipped file) and the generated moons, circles and spirals.

Reference numbers were produced with scikit-learn 1.9.1, so the formulas
are checked even where scikit-learn is not installed.
"""
from __future__ import annotations

import gzip
import hashlib
from importlib import resources

import numpy as np
import pytest

import tinygrad_lite as tgl
from tinygrad_lite.datasets import digits, load_digits, make_circles, make_moons, make_spirals

DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


def test_digits_shapes_dtypes_and_range():
    X, y = load_digits()
    assert X.shape == (1797, 1, 8, 8) and X.dtype == tgl.float32
    assert y.shape == (1797,) and y.dtype == tgl.int64
    assert float(X.min()) == 0.0 and float(X.max()) == 1.0
    flat, y2 = load_digits(flatten=True)
    assert flat.shape == (1797, 64)
    assert np.array_equal(flat.numpy(), X.numpy().reshape(1797, 64))
    assert np.array_equal(y.numpy(), y2.numpy())


def test_digits_values_match_scikit_learn_reference():
    X, y = load_digits(flatten=True)
    counts = X.numpy() * 16
    assert np.array_equal(counts, np.round(counts))  # exactly count / 16
    assert np.bincount(y.numpy()).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert counts.sum() == 561718.0
    assert counts[5].astype(int).tolist() == [
        0, 0, 12, 10, 0, 0, 0, 0, 0, 0, 14, 16, 16, 14, 0, 0, 0, 0, 13, 16, 15, 10, 1, 0, 0, 0,
        11, 16, 16, 7, 0, 0, 0, 0, 0, 4, 7, 16, 7, 0, 0, 0, 0, 0, 4, 16, 9, 0, 0, 0, 5, 4, 12,
        16, 4, 0, 0, 0, 9, 16, 16, 10, 0, 0]
    assert y[:10].tolist() == list(range(10))


def test_digits_equal_scikit_learn_when_installed():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    ref = sklearn_datasets.load_digits()
    X, y = load_digits(flatten=True)
    assert np.array_equal(X.numpy() * 16, ref.data)
    assert np.array_equal(y.numpy(), ref.target)


def test_shipped_file_and_credit():
    package = resources.files("tinygrad_lite")
    data = (package / "data" / "files" / "digits.csv.gz").read_bytes()
    assert hashlib.sha256(data).hexdigest() == DIGITS_SHA256
    notice = (package / "DATA_NOTICE.md").read_text()
    assert "CC BY 4.0" in notice and "Alpaydin" in notice and "Kaynak" in notice


def test_each_call_gives_fresh_tensors():
    X, _ = load_digits()
    X.data[...] = 5
    assert float(load_digits()[0].max()) == 1.0


def _write(tmp_path, text: str, compress: bool = True):
    path = tmp_path / "digits.csv.gz"
    path.write_bytes(gzip.compress(text.encode()) if compress else text.encode())
    return path


def _good_rows() -> list:
    with gzip.open(digits.DIGITS_FILE.open("rb")) as f:
        return f.read().decode().splitlines()


@pytest.mark.parametrize("damage,message", [
    pytest.param(lambda rows: rows[:-3], "1794 rows, expected 1797", id="rows missing"),
    pytest.param(lambda rows: rows[:5] + [rows[5] + ",3"] + rows[6:], r"\[65, 66\] columns",
                 id="extra column"),
    pytest.param(lambda rows: rows[:1] + ["x" + rows[1][1:]] + rows[2:], "not an integer",
                 id="not a number"),
    pytest.param(lambda rows: rows[:1] + ["17" + rows[1][1:]] + rows[2:],
                 r"0\.\.17, expected 0\.\.16", id="pixel out of range"),
    pytest.param(lambda rows: rows[:-1] + [rows[-1][:-1] + "12"], r"labels range over 0\.\.12",
                 id="label out of range"),
])
def test_damaged_digits_file_names_the_file_and_the_problem(tmp_path, monkeypatch, damage,
                                                            message):
    path = _write(tmp_path, "\n".join(damage(_good_rows())))
    monkeypatch.setattr(digits, "DIGITS_FILE", path)
    with pytest.raises(ValueError, match=message) as info:
        load_digits()
    assert str(path) in str(info.value) and "damaged" in str(info.value)


def test_unreadable_or_missing_digits_file(tmp_path, monkeypatch):
    path = _write(tmp_path, "0,1,2\n", compress=False)
    monkeypatch.setattr(digits, "DIGITS_FILE", path)
    with pytest.raises(ValueError, match="gzip") as info:
        load_digits()
    assert str(path) in str(info.value)
    truncated = tmp_path / "cut.csv.gz"
    truncated.write_bytes(digits.DIGITS_FILE.read_bytes()[:1000])
    monkeypatch.setattr(digits, "DIGITS_FILE", truncated)
    with pytest.raises(ValueError, match="cut.csv.gz"):
        load_digits()
    monkeypatch.setattr(digits, "DIGITS_FILE", tmp_path / "gone.csv.gz")
    with pytest.raises(FileNotFoundError, match="gone.csv.gz"):
        load_digits()


# ------------------------------------------------------------- generated data
MOONS_REF = [[1.9157275946170713, 0.6969924447869893], [-0.8733881470142222, -0.05058765397605105],
             [0.25452007784710545, 1.1080811913055446], [0.04843121541206648, 0.5579140478706729],
             [0.9818417427268804, 0.1410204631131214], [0.9625528309019793, -0.47248016844236795]]
CIRCLES_REF = [[-0.5274873088329927, -0.9361690395428943],
               [-0.4208623849587159, 0.8137680622686925],
               [-0.23712032422464674, 0.3350429720864033],
               [0.9246096171280318, -0.01576460344581276],
               [0.542908942974079, 0.003567149566493788],
               [-0.3646154638397424, -0.5037903262994288]]


def test_moons_and_circles_match_scikit_learn_reference():
    X, y = make_moons(n_samples=6, noise=0.1, random_state=0)
    assert X.dtype == tgl.float32 and y.dtype == tgl.int64 and X.shape == (6, 2)
    np.testing.assert_allclose(X.numpy(), MOONS_REF, rtol=1e-6)
    assert y.tolist() == [1, 0, 0, 1, 0, 1]
    X, y = make_circles(n_samples=6, noise=0.05, factor=0.5, random_state=1)
    np.testing.assert_allclose(X.numpy(), CIRCLES_REF, rtol=1e-6)
    assert y.tolist() == [0, 0, 1, 0, 1, 1]


def test_moons_and_circles_equal_scikit_learn_when_installed():
    sk = pytest.importorskip("sklearn.datasets")
    for kwargs in ({"n_samples": 101, "noise": 0.2, "random_state": 4},
                   {"n_samples": (3, 8), "random_state": 2, "shuffle": False}):
        for ours, theirs in ((make_moons, sk.make_moons), (make_circles, sk.make_circles)):
            X, y = ours(**kwargs)
            X_ref, y_ref = theirs(**kwargs)
            np.testing.assert_array_equal(X.numpy(), X_ref.astype(np.float32))
            np.testing.assert_array_equal(y.numpy(), y_ref)


def test_moons_and_circles_geometry_without_noise():
    X, y = make_moons(n_samples=9, shuffle=False, random_state=0)
    assert y.tolist() == [0] * 4 + [1] * 5  # the inner moon gets the odd point
    outer, inner = X.numpy()[:4], X.numpy()[4:]
    np.testing.assert_allclose(np.hypot(*outer.T), 1, rtol=1e-6)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1, rtol=1e-6)
    X, y = make_circles(n_samples=10, factor=0.3, random_state=0)
    radii = np.hypot(*X.numpy().T)
    np.testing.assert_allclose(radii[y.numpy() == 0], 1, rtol=1e-6)
    np.testing.assert_allclose(radii[y.numpy() == 1], 0.3, rtol=1e-6)


def test_generated_data_is_seeded():
    a = make_moons(50, noise=0.1, random_state=3)[0].numpy()
    assert np.array_equal(a, make_moons(50, noise=0.1, random_state=3)[0].numpy())
    assert not np.array_equal(a, make_moons(50, noise=0.1, random_state=4)[0].numpy())
    tgl.manual_seed(11)
    b = make_spirals(60, noise=0.3)[0].numpy()
    c = make_circles(60, noise=0.1)[0].numpy()
    tgl.manual_seed(11)
    assert np.array_equal(b, make_spirals(60, noise=0.3)[0].numpy())
    assert np.array_equal(c, make_circles(60, noise=0.1)[0].numpy())
    rs = np.random.RandomState(0)
    assert not np.array_equal(make_moons(20, noise=0.1, random_state=rs)[0].numpy(),
                              make_moons(20, noise=0.1, random_state=rs)[0].numpy())


def test_spirals_are_the_cs231n_data():
    np.random.seed(0)  # the CS231n notebook, verbatim apart from names
    N, K = 100, 3
    X_ref, y_ref = np.zeros((N * K, 2)), np.zeros(N * K, dtype="uint8")
    for j in range(K):
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2
        X_ref[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y_ref[ix] = j
    X, y = make_spirals(n_samples=300, n_classes=3, noise=0.2, random_state=0)
    assert X.dtype == tgl.float32 and y.dtype == tgl.int64
    np.testing.assert_array_equal(X.numpy(), X_ref.astype(np.float32))
    np.testing.assert_array_equal(y.numpy(), y_ref)


def test_spirals_split_samples_between_classes():
    X, y = make_spirals(n_samples=7, n_classes=2, noise=None)
    assert np.bincount(y.numpy()).tolist() == [4, 3]
    radii = np.hypot(*X.numpy().T)
    np.testing.assert_allclose(radii[:4], np.linspace(0, 1, 4), atol=1e-7)


def test_generators_reject_bad_arguments():
    with pytest.raises(ValueError, match="factor"):
        make_circles(factor=1.0)
    with pytest.raises(ValueError, match="n_samples"):
        make_moons(n_samples=0)
    with pytest.raises(ValueError, match="two-element"):
        make_moons(n_samples=(1, 2, 3))
    with pytest.raises(ValueError, match="noise"):
        make_spirals(noise=-1)
    with pytest.raises(ValueError, match="n_classes"):
        make_spirals(n_classes=0)
    with pytest.raises(TypeError, match="random_state"):
        make_moons(random_state="seed")
