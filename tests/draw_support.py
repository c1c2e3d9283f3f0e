"""Shared by the tests that draw figures: importing ``close_figures`` into a test module makes
it autouse there. Matplotlib picks its backend at the first figure, so Agg, set on import, holds
even where pyplot was imported before."""

import matplotlib
import matplotlib.pyplot as plt
import pytest

matplotlib.use("Agg")                       # no display needed


@pytest.fixture(autouse=True)
def close_figures():
    """Closes every figure a test opened."""
    yield
    plt.close("all")
