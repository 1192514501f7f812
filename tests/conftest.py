"""Shared test set-up: Hypothesis profiles and the optional PyTorch oracle.

Profiles (choose with HYPOTHESIS_PROFILE=...):
  ci        derandomized, modest example counts -- the default, used by CI
  thorough  many more examples, random seeds: run it locally before a release
"""
from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, max_examples=25, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "thorough", max_examples=400, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def torch():
    """PyTorch, or a clean skip when it is not installed."""
    return pytest.importorskip("torch", reason="PyTorch is not installed (optional oracle)")


@pytest.fixture(autouse=True)
def _seed():
    import tinygrad_lite as tgl
    tgl.manual_seed(0)
    np.random.seed(0)
    yield
