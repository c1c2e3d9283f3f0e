"""What every explorer's front end does alike, in headless Chromium with the stand-in model of
``explorer_harness`` (one small page per case, no book page, no network)."""

from __future__ import annotations

import pytest
from explorer_harness import open_explorer

from backprop.widgets.delta_norms import DeltaNormExplorer
from backprop.widgets.delta_steps import BackwardStepper
from backprop.widgets.descent import DescentExplorer
from backprop.widgets.forward_net import ForwardNetworkExplorer
from backprop.widgets.gradcheck_view import GradCheckExplorer
from backprop.widgets.graph import GraphExplorer
from backprop.widgets.playground import Playground
from backprop.widgets.shapes import ShapesExplorer
from backprop.widgets.softmax import SoftmaxExplorer

#: controls that Python refuses at once: its first computation fails, the state stays {}
INVALID = [
    (DescentExplorer, {"which": 7}, "which = 7"),
    (DeltaNormExplorer, {"depth": 1}, "need depth ≥ 2"),
    (SoftmaxExplorer, {"temperature": 0}, "temperature must be positive"),
    (GradCheckExplorer, {"batch": 0}, "n must be an integer from 1 to 6"),
    (ShapesExplorer, {"batch": 0}, "n must be an integer from 1 to 8"),
    (GraphExplorer, {"example": "nope"}, "unknown example 'nope'"),
    (ForwardNetworkExplorer, {"reduction": "max"}, "unknown reduction 'max'"),
    (BackwardStepper, {"activation": "gelu"}, "unknown activation 'gelu'"),
    (Playground, {"dataset": "circles"}, "unknown dataset 'circles'"),
]


@pytest.mark.browser
@pytest.mark.parametrize("cls, kwargs, message", INVALID,
                         ids=[f"{c.__name__}{k}" for c, k, _ in INVALID])
def test_invalid_first_controls_show_the_error_not_a_broken_view(browser, cls, kwargs, message):
    w = cls(**kwargs)
    assert w.state == {} and message in w.error
    # open_explorer fails when render throws (drawing {} did: a TypeError, half a view)
    page = open_explorer(browser, w, kernel=False)
    error = page.locator(".bp-error")
    assert error.is_visible() and message in error.inner_text()
    assert page.locator(".bp-explorer").get_attribute("data-state") in (None, "{}")
    assert not page.errors, page.errors
    page.close()


@pytest.mark.browser
def test_a_valid_control_then_draws_the_state(browser):
    # a static page recomputes once the reader picks valid controls: the view is whole
    page = open_explorer(browser, DescentExplorer(which=7), kernel=False)  # recomputes at once
    page.get_by_role("button", name="w2", exact=True).click()
    assert page.locator(".bp-error").is_hidden()
    assert page.locator(".descent-chain circle").count() > 0
    assert "∂L/∂w2" in page.locator(".descent-readout").inner_text()
    assert not page.errors, page.errors
    page.close()
