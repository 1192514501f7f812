"""Small generated 2-D classification problems: moons, circles, spirals.

`make_moons` and `make_circles` use scikit-learn's formulas *and* its
random-number calls (numpy's ``RandomState``), so the same `random_state`
gives the same points as ``sklearn.datasets.make_moons(..., random_state=s)``
and figures match published ones. `make_spirals` is the CS231n spiral data
(points per class ``r = linspace(0, 1)``, ``theta = linspace(4j, 4(j+1)) +
noise * randn``); with ``random_state=s`` it equals that notebook's data
after ``np.random.seed(s)``.

`random_state`: an int, a ``numpy.random.RandomState``, or None -- which
draws a seed from tinygrad_lite's default generator, so ``tgl.manual_seed``
makes the result repeatable. Each returns ``(X, y)``: X float32 of shape
(n_samples, 2), y int64 class labels.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..random import _rng
from ..tensor import Tensor


def make_moons(n_samples: int | tuple = 100, noise: float | None = None,
               random_state: Any = None, shuffle: bool = True) -> tuple[Tensor, Tensor]:
    """Two interleaving half circles (labels 0 and 1).

    `n_samples`: the total (split as evenly as possible, the second moon
    getting the extra point) or a pair ``(n_outer, n_inner)``. `noise`:
    the standard deviation of Gaussian noise added to every coordinate.
    """
    n_out, n_in = _two_counts(n_samples, "make_moons")
    _check_noise(noise, "make_moons")
    rng = _random_state(random_state, "make_moons")
    outer = np.linspace(0, np.pi, n_out)
    inner = np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(outer), 1 - np.cos(inner)),
                   np.append(np.sin(outer), 1 - np.sin(inner) - 0.5)]).T
    return _finish(X, _labels([n_out, n_in]), noise, rng, shuffle)


def make_circles(n_samples: int | tuple = 100, noise: float | None = None,
                 factor: float = 0.8, random_state: Any = None,
                 shuffle: bool = True) -> tuple[Tensor, Tensor]:
    """A large circle (label 0) around a smaller one (label 1) whose radius
    is `factor` (0 <= factor < 1) times the outer one's."""
    n_out, n_in = _two_counts(n_samples, "make_circles")
    _check_noise(noise, "make_circles")
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles: factor has to be between 0 and 1 (0 <= factor < 1), "
                         f"got {factor}")
    rng = _random_state(random_state, "make_circles")
    outer = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    inner = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack([np.append(np.cos(outer), np.cos(inner) * factor),
                   np.append(np.sin(outer), np.sin(inner) * factor)]).T
    return _finish(X, _labels([n_out, n_in]), noise, rng, shuffle)


def make_spirals(n_samples: int = 100, n_classes: int = 3, noise: float | None = 0.2,
                 random_state: Any = None) -> tuple[Tensor, Tensor]:
    """`n_classes` interleaved spiral arms (the CS231n spiral data).

    `n_samples` is the total, split as evenly as possible between the
    classes (the first ones get the extra points); samples come ordered by
    class, as in CS231n. `noise` is the standard deviation of the random
    angle (radians) added to each point; None or 0 gives clean spirals.
    """
    if not isinstance(n_classes, numbers.Integral) or isinstance(n_classes, bool) \
            or n_classes < 1:
        raise ValueError(f"make_spirals: n_classes must be a positive integer, got "
                         f"{n_classes!r}")
    total = _count(n_samples, "make_spirals")
    _check_noise(noise, "make_spirals")
    rng = _random_state(random_state, "make_spirals")
    counts = [total // n_classes + (j < total % n_classes) for j in range(n_classes)]
    points = []
    for j, n in enumerate(counts):
        r = np.linspace(0.0, 1, n)
        t = np.linspace(j * 4, (j + 1) * 4, n)
        if noise:
            t = t + rng.randn(n) * noise
        points.append(np.c_[r * np.sin(t), r * np.cos(t)])
    X = np.concatenate(points) if points else np.zeros((0, 2))
    return _as_tensors(X, _labels(counts))


# ------------------------------------------------------------------ helpers
def _count(n: Any, name: str) -> int:
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
        raise ValueError(f"{name}: n_samples must be a positive integer, got {n!r}")
    return int(n)


def _two_counts(n_samples: Any, name: str) -> tuple[int, int]:
    """sklearn's split: an int n gives (n // 2, n - n // 2); a pair is taken as is."""
    if isinstance(n_samples, numbers.Integral) and not isinstance(n_samples, bool):
        n = _count(n_samples, name)
        return n // 2, n - n // 2
    try:
        n_out, n_in = n_samples
    except (TypeError, ValueError):
        raise ValueError(f"{name}: n_samples can be either an int or a two-element tuple "
                         f"(n_outer, n_inner), got {n_samples!r}") from None
    if any(not isinstance(k, numbers.Integral) or k < 0 for k in (n_out, n_in)):
        raise ValueError(f"{name}: the counts in n_samples must be non-negative integers, "
                         f"got {n_samples!r}")
    return int(n_out), int(n_in)


def _check_noise(noise: Any, name: str) -> None:
    if noise is not None and not (isinstance(noise, numbers.Real) and noise >= 0):
        raise ValueError(f"{name}: noise must be None or a non-negative number (a standard "
                         f"deviation), got {noise!r}")


def _random_state(random_state: Any, name: str) -> np.random.RandomState:
    """sklearn's check_random_state, except that None draws a seed from
    tinygrad_lite's default generator (so tgl.manual_seed applies)."""
    if random_state is None:
        return np.random.RandomState(int(_rng(None).integers(2 ** 32)))
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return np.random.RandomState(int(random_state))
    raise TypeError(f"{name}: random_state must be None, an int seed or a "
                    f"numpy.random.RandomState, got {type(random_state).__name__}")


def _labels(counts: list) -> np.ndarray:
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def _finish(X: np.ndarray, y: np.ndarray, noise: Any, rng: np.random.RandomState,
            shuffle: bool) -> tuple[Tensor, Tensor]:
    """sklearn's ending: shuffle rows (``utils.shuffle``), then add noise."""
    if shuffle:
        order = np.arange(len(X))
        rng.shuffle(order)
        X, y = X[order], y[order]
    if noise is not None:
        X = X + rng.normal(scale=noise, size=X.shape)
    return _as_tensors(X, y)


def _as_tensors(X: np.ndarray, y: np.ndarray) -> tuple[Tensor, Tensor]:
    return Tensor._make(np.ascontiguousarray(X, dtype=np.float32)), Tensor._make(y)
