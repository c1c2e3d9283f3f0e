"""Shared pytest fixtures. Kept minimal: each test module defines its own helpers."""

from collections.abc import Callable

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed, so every test is deterministic."""
    return np.random.default_rng(0)


def _floored_relative_error(analytic: np.ndarray, numeric: np.ndarray, scale: float) -> float:
    """``‖a − n‖ / max(‖a‖ + ‖n‖, 1e-3 · scale)``.

    Deep in a random network a gradient can be thousands of times smaller than the gradient
    at the output (``scale``): saturated units, cancelling paths. Central differences carry a
    rounding error of about ``ε_mach · |L| / ε`` whatever the gradient's size, so no finite
    difference resolves such a gradient to a relative error of 1e-7; there the comparison is
    made relative to ``1e-3 · scale`` instead. For every other gradient this is exactly
    ``backprop.gradcheck.relative_error``.
    """
    diff = float(np.linalg.norm(np.asarray(analytic) - numeric))
    denom = float(np.linalg.norm(analytic) + np.linalg.norm(numeric))
    return diff / max(denom, 1e-3 * scale, np.finfo(np.float64).tiny)


@pytest.fixture(scope="session")
def floored_relative_error() -> Callable[[np.ndarray, np.ndarray, float], float]:
    """The comparison used for gradient checks of whole random networks (see above)."""
    return _floored_relative_error
