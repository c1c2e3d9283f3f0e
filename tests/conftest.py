"""Shared pytest fixtures. Kept minimal: each test module defines its own helpers."""

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed, so every test is deterministic."""
    return np.random.default_rng(0)
