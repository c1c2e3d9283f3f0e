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
    (GradCheckExplorer, {"batch": 0}, "batch must be an integer from 1 to 6"),
    (ShapesExplorer, {"batch": 0}, "batch must be an integer from 1 to 8"),
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


#: Counts the redraws of an SVG: each begins with replaceChildren, which removes nodes.
_COUNT_REDRAWS = """(selector) => {
  window.__redraws = 0;
  new MutationObserver((records) => records.forEach((r) => {
    if (r.removedNodes.length) window.__redraws += 1;
  })).observe(document.querySelector(selector), { childList: true });
}"""

#: explorer, the SVG it redraws, the slider moved
KERNEL_MOVES = [
    (DeltaNormExplorer, "svg.bp-dn-plot", "depth L"),
    (ShapesExplorer, "svg.bp-sh-svg", "batch n"),
    (GradCheckExplorer, "svg.bp-gc-map", "batch n"),
]

#: the state the page shows is no longer the one it showed before the move
_NEW_STATE = ("document.querySelector('.bp-explorer').dataset.state"
              " !== window.__stateBefore")


@pytest.mark.browser
@pytest.mark.parametrize("cls, svg, label", KERNEL_MOVES,
                         ids=[c.__name__ for c, *_ in KERNEL_MOVES])
def test_with_a_kernel_a_move_draws_once_the_state_python_sends(browser, cls, svg, label):
    w = cls()
    page = open_explorer(browser, w, kernel=True)
    page.wait_for_selector(".bp-explorer[data-mode='kernel']")
    page.evaluate(_COUNT_REDRAWS, svg)
    page.evaluate("window.__stateBefore = document.querySelector('.bp-explorer').dataset.state")
    page.locator(f"input[aria-label='{label}']").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(_NEW_STATE)
    page.wait_for_timeout(100)
    # not the old state first and the new one when Python answers: once
    assert page.evaluate("window.__redraws") == 1
    assert page.locator(".bp-static-note").is_hidden() and not page.errors, page.errors
    page.close()


#: Renders a second view of the page's widget, as a notebook does for a widget shown twice.
_SECOND_VIEW = """async () => {
  const el = document.createElement("div");
  document.body.append(el);
  await window.__widget.render({ model: window.__model, el });
}"""

#: Per arrow (an element with marker-end): how many elements of the page have the id it names,
#: and whether that marker lies in the arrow's own SVG.
_ARROWS = """() => Array.from(document.querySelectorAll("[marker-end]")).map((arrow) => {
  const id = arrow.getAttribute("marker-end").match(/^url\\(#(.+)\\)$/)[1];
  const named = document.querySelectorAll(`[id="${id}"]`);
  return { id, copies: named.length,
           own: named.length === 1 && named[0].ownerSVGElement === arrow.ownerSVGElement };
})"""


@pytest.mark.browser
@pytest.mark.parametrize("cls", [GraphExplorer, DescentExplorer], ids=lambda c: c.__name__)
def test_every_view_has_arrowheads_of_its_own(browser, cls):
    # chapter 2 shows five graphs: with one marker id for all, hiding the first view
    # (display: none) took the arrowheads of the others with it
    page = open_explorer(browser, cls(), kernel=False)
    page.evaluate(_SECOND_VIEW)
    assert page.locator(".bp-explorer").count() == 2
    arrows = page.evaluate(_ARROWS)
    assert arrows and len({a["id"] for a in arrows}) == 2, arrows[:3]   # one id per view
    assert all(a["copies"] == 1 and a["own"] for a in arrows), arrows[:3]
    assert not page.errors, page.errors
    page.close()


#: The mode the explorer is in (None until the kernel probe has an answer).
_MODE = "document.querySelector('.bp-explorer').dataset.mode ?? null"


@pytest.mark.browser
def test_a_book_page_computes_in_the_browser_at_once_and_a_late_kernel_still_wins(browser):
    # a plain page waits for the ping to time out; a book page (data-bp-saved-widgets) knows
    # there is no kernel and says so as soon as the explorer is drawn
    plain = open_explorer(browser, DescentExplorer(), kernel=False)
    assert plain.evaluate(_MODE) is None
    plain.close()
    book = open_explorer(browser, DescentExplorer(), kernel=False, saved_widgets=True)
    assert book.evaluate(_MODE) == "static"
    assert book.locator(".bp-static-note").is_visible()
    book.close()
    # Thebe gives a book page a kernel after all: its answer makes the explorer live
    thebe = open_explorer(browser, DescentExplorer(), kernel=True, busy_ms=2000,
                          saved_widgets=True)
    assert thebe.evaluate(_MODE) == "static"
    thebe.wait_for_selector(".bp-explorer[data-mode='kernel']")
    assert thebe.locator(".bp-static-note").is_hidden() and not thebe.errors, thebe.errors
    thebe.close()
