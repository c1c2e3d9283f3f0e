"""Shared pytest fixtures. Kept minimal: each test module defines its own helpers."""

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from explorer_harness import CHROMIUM, CHROMIUM_ARGS


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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium from the system for the explorer tests (skips when it is absent).

    Defined once, here: Playwright's sync API allows one instance per thread, so every test
    module shares this one (the book's browser tests run theirs in a thread of their own).
    """
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); browser test skipped")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
