"""Random numbers: one seedable default generator, and `Generator` objects
for code that wants its own stream (DataLoader shuffling, random_split).

Streams are numpy's PCG64, so the numbers differ from PyTorch's even with
the same seed; `manual_seed` makes runs repeatable within tinygrad_lite.
"""
from __future__ import annotations

from typing import Any

import numpy as np


class Generator:
    """A seedable source of random numbers (like ``torch.Generator``)."""

    def __init__(self, device: str = "cpu") -> None:
        self._seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> "Generator":
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (what rand, randn, init and dropout use)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from fresh entropy; returns the seed."""
    value = int(np.random.SeedSequence().entropy % (2 ** 63))
    default_generator.manual_seed(value)
    return value


def initial_seed() -> int:
    return default_generator.initial_seed()


def _rng(generator: Any = None) -> np.random.Generator:
    return (generator or default_generator).rng
