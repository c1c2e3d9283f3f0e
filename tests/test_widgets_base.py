"""The Explorer base, and the contract every explorer of the book keeps."""

import importlib
import json
import pkgutil
import time

import numpy as np
import pytest
import traitlets

import backprop.widgets
from backprop.widgets import Explorer
from backprop.widgets._base import bundle
from backprop.widgets.gradcheck_view import GradCheckExplorer


class Doubler(Explorer):
    _controls = ("x",)
    x = traitlets.Float(1.0).tag(sync=True)

    def compute(self):
        if self.x < 0:
            raise ValueError(f"x must be non-negative, got {self.x}")
        return {"y": 2 * self.x}


def all_explorers():
    for info in pkgutil.iter_modules(backprop.widgets.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"backprop.widgets.{info.name}")
    found, todo = [], list(Explorer.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("backprop.widgets."):
            found.append(cls)
    return sorted(found, key=lambda c: c.__name__)


def test_state_follows_controls():
    w = Doubler(x=3.0)
    assert w.state == {"y": 6.0}
    w.x = 4.0
    assert w.state == {"y": 8.0} and w.error == ""


class SlowDoubler(Doubler):
    def compute(self):
        time.sleep(0.02)
        return super().compute()


def test_refresh_time_is_measured():
    # what the latency benchmark reads: the time compute took, not a stale or zero value
    w = SlowDoubler(x=3.0)
    w.x = 4.0
    assert 20 <= w.last_refresh_ms < 2000


def test_errors_are_shown_not_swallowed_and_state_kept():
    w = Doubler()
    w.x = -1.0
    assert "ValueError: x must be non-negative" in w.error
    assert w.state == {"y": 2.0}
    w.x = 2.0
    assert w.error == ""


def test_a_state_that_overflowed_is_an_error_not_infinity():
    from backprop.widgets.delta_norms import DeltaNormExplorer
    w = DeltaNormExplorer()
    before = w.state
    with np.errstate(over="ignore"):
        w.weight_scale = 1e9
    assert w.error.startswith("OverflowError: the numbers overflowed: state.")
    assert "is inf" in w.error and w.state == before


def test_non_finite_numbers_are_found_with_their_place_and_none_is_not_one():
    from backprop.widgets._base import first_non_finite
    assert first_non_finite({"grid": [[1.0, 2.0], [3.0, float("inf")]]}) == (
        "state.grid[1][1] is inf")
    assert first_non_finite({"ragged": [[1, 2], [3, float("nan")]]}) == (
        "state.ragged[1][1] is nan")
    assert first_non_finite({"runs": [{"loss": [0.5, -float("inf")]}]}) == (
        "state.runs[0].loss[1] is -inf")
    assert first_non_finite({"gaps": [1.0, None], "names": ["x"], "ok": True, "n": 3}) == ""


def test_ping_gets_pong(monkeypatch):
    w = Doubler()
    sent = []
    monkeypatch.setattr(w, "send", sent.append)
    w._on_front_end_message(w, {"type": "ping"}, [])
    w._on_front_end_message(w, {"type": "other"}, [])
    assert sent == [{"type": "pong"}]


def test_bundle_puts_shared_modules_first():
    src = bundle("ui.js")
    assert src.index("export function mlpForward") < src.index("export function frame")


def _numbers_close(a, b, path="state"):
    if isinstance(a, dict):
        assert set(a) == set(b), f"{path}: keys differ"
        for k in a:
            _numbers_close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _numbers_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float):
        assert np.isclose(a, b, rtol=1e-12, atol=1e-15) or (np.isnan(a) and np.isnan(b)), path
    else:
        assert a == b, path


@pytest.mark.parametrize("cls", all_explorers(), ids=lambda c: c.__name__)
def test_explorer_contract(cls):
    """Every explorer: a front-end file, JSON-able state, and Cls(**controls) reproduces it."""
    assert cls._front_end, f"{cls.__name__} has no front end"
    assert "export default" in cls._esm
    w = cls()
    assert w.error == "", w.error
    assert w.state, f"{cls.__name__} has an empty state"
    json.dumps(w.state)
    controls = {name: getattr(w, name) for name in cls._controls}
    assert controls, f"{cls.__name__} declares no controls"
    _numbers_close(cls(**controls).state, w.state)


#: A dark book page, as the theme makes it: dark colour scheme, light text on a dark ground,
#: and light text in <pre> and <code> (pydata-sphinx-theme's dark mode, seen in the built book).
DARK_PAGE = """() => {
  document.documentElement.style.colorScheme = "dark";
  document.body.style.cssText = "background: #121212; color: #ced6dd";
  const style = document.createElement("style");
  style.textContent = "pre, code { color: #ced6dd; }";
  document.head.append(style);
}"""

#: every explorer as it starts, and the gradient check's heatmaps as chapter 5 shows them
#: (full-scale negative cells: light orange, which needs dark text)
LEGIBILITY_CASES = [(cls, {}) for cls in all_explorers()] + [
    (GradCheckExplorer, {"layer": "tanh"}),
    (GradCheckExplorer, {"layer": "relu", "batch": 6, "n_in": 6, "log_eps": -1}),
]


@pytest.mark.browser
@pytest.mark.parametrize("cls, kwargs", LEGIBILITY_CASES,
                         ids=[f"{c.__name__}{k or ''}" for c, k in LEGIBILITY_CASES])
def test_every_text_is_readable_on_a_dark_page(browser, cls, kwargs):
    # the book's dark theme sets color-scheme: dark (the browser's own buttons and selects turn
    # light-on-dark) and light text for pre and code; inside the explorer's light card every
    # text must still contrast with its background (WCAG AA: 4.5)
    from explorer_harness import faint_texts, open_explorer

    page = open_explorer(browser, cls(**kwargs), kernel=False)
    page.evaluate(DARK_PAGE)
    faint = faint_texts(page)
    assert not faint, f"{cls.__name__}: text too faint on its background: {faint}"
