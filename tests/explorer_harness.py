"""Render an explorer's front end in headless Chromium without JupyterLab.

The page imports the explorer's ES module (``widget._esm``) and gives it a small stand-in for
the anywidget ``model`` holding the widget's synced state. Two modes:

- ``kernel=True``: the stand-in forwards ``save_changes`` to the Python widget (through
  Playwright's ``expose_function``) and pushes the recomputed traits back, then the custom
  messages the widget sent meanwhile (``widget.send``), and it answers the front end's kernel
  ping — a live notebook in miniature;
- ``kernel=False``: nothing answers, as in a static book page, so the front end must
  recompute its state in the browser.

``saved_widgets=True`` marks the page as the book's pages are marked (``data-bp-saved-widgets``
on the root element, set by ``tools/widgets-setup.js``): no kernel is expected there, so the
explorer computes in the browser at once rather than after its ping times out.

Usage::

    page = open_explorer(browser, widget, kernel=True)   # ``browser``: tests/conftest.py
    page.locator("input[type=range]").first.fill("0.5")
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any

import numpy as np

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Flags for headless Chromium on a closed network (the tests may run as root).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]

_PAGE = """<!doctype html>
<html{root_attributes}><head><meta charset="utf-8"><style>{css}</style></head>
<body><div id="root"></div>
<script type="application/json" id="esm">{esm}</script>
<script type="application/json" id="state">{state}</script>
<script type="module">
const KERNEL = {kernel};
// a kernel busy with other cells answers nothing until it is done, then everything in order
const kernelFree = new Promise((resolve) => setTimeout(resolve, {busy_ms}));
const src = JSON.parse(document.getElementById("esm").textContent);
const state = JSON.parse(document.getElementById("state").textContent);
const listeners = {{}};
const emit = (ev, ...args) => (listeners[ev] || []).forEach((f) => f(...args));
const dirty = {{}};
window.__errors = [];
window.__saves = 0;
const model = {{
  get: (k) => state[k],
  set: (k, v) => {{ state[k] = v; dirty[k] = v; emit("change:" + k); }},
  on: (ev, f) => (listeners[ev] ||= []).push(f),
  off: (ev, f) => {{ listeners[ev] = (listeners[ev] || []).filter((g) => g !== f); }},
  save_changes: async () => {{
    window.__saves += 1;
    if (!KERNEL) return;
    const changes = {{...dirty}};
    for (const k of Object.keys(dirty)) delete dirty[k];
    await kernelFree;
    const {{traits, messages}} = JSON.parse(await window.pyBridge(JSON.stringify(changes)));
    for (const [k, v] of Object.entries(traits)) {{
      if (JSON.stringify(state[k]) !== JSON.stringify(v)) {{ state[k] = v; emit("change:" + k); }}
    }}
    // the widget's custom messages (widget.send) follow its trait changes, as in a kernel
    for (const msg of messages) emit("msg:custom", msg);
  }},
  send: (msg) => {{
    if (KERNEL && msg && msg.type === "ping") {{
      kernelFree.then(() => emit("msg:custom", {{type: "pong"}}));
    }}
  }},
  widget_manager: {{}},
}};
window.__model = model;
try {{
  const url = URL.createObjectURL(new Blob([src], {{type: "text/javascript"}}));
  const widget = (await import(url)).default;
  if (widget.initialize) await widget.initialize({{model}});
  window.__widget = widget;  // a test may render a second view: window.__widget.render(…)
  // what anywidget calls when the view is removed (a function, or nothing)
  window.__cleanup = await widget.render({{model, el: document.getElementById("root")}});
}} catch (err) {{
  window.__errors.push(String(err && err.stack || err));
}}
window.__ready = true;
</script></body></html>
"""


def synced_state(widget: Any) -> dict:
    """The widget's synced traits as JSON-ready data (what the front end receives)."""
    state = widget.get_state()
    return {k: v for k, v in state.items() if not k.startswith("_")}


def open_explorer(browser: Any, widget: Any, *, kernel: bool = True, busy_ms: int = 0,
                  saved_widgets: bool = False, width: int = 900):
    """A new page showing ``widget``'s front end; returns the Playwright page once rendered.

    ``busy_ms``: the kernel answers nothing for that long (it is running other cells), then
    every message in order. Page errors are collected in ``page.errors`` (a list of strings).
    """
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))

    sent: list[Any] = []  # the widget's custom messages, until the bridge hands them over

    def bridge(changes_json: str) -> str:
        widget.set_state(json.loads(changes_json))   # what the kernel does with an update
        messages = sent[:]
        sent.clear()
        return json.dumps({"traits": synced_state(widget), "messages": messages}, default=float)

    if kernel:
        widget.send = lambda content, buffers=None: sent.append(content)
        page.expose_function("pyBridge", bridge)
    html = _PAGE.format(
        root_attributes=" data-bp-saved-widgets" if saved_widgets else "",
        css=widget._css,
        esm=json.dumps(widget._esm).replace("</", "<\\/"),
        state=json.dumps(synced_state(widget), default=float).replace("</", "<\\/"),
        kernel="true" if kernel else "false",
        busy_ms=int(busy_ms),
    )
    page.set_content(html)
    page.wait_for_function("window.__ready === true")
    errors = page.evaluate("window.__errors")
    if errors:
        raise AssertionError("the explorer's front end failed to render:\n" + "\n".join(errors))
    return page


# -- what an explorer shows ------------------------------------------------------------------
#: JS expressions for ``page.wait_for_function``: the state and controls the (first) explorer
#: of the page publishes (``ui.js publish``).
STATE_IS = "JSON.parse(document.querySelector('.bp-explorer').dataset.state)"
CONTROLS_ARE = "JSON.parse(document.querySelector('.bp-explorer').dataset.controls)"


def published(page: Any) -> tuple[dict, dict]:
    """``(controls, state)`` as the page's first explorer publishes them."""
    root = page.locator(".bp-explorer").first
    return (json.loads(root.get_attribute("data-controls")),
            json.loads(root.get_attribute("data-state")))


def state_mismatches(shown: Any, expected: Any, *, rtol: float = 1e-9, atol: float = 0.0,
                     tol: Callable[[str], tuple[float, float]] | None = None,
                     null_for_nonfinite: bool = False, path: str = "state") -> list[str]:
    """Every place where ``shown`` differs from ``expected``, as ``"path: …"`` lines.

    Dicts need the same keys and lists the same length; strings, booleans and ``None`` must be
    equal; numbers ``np.isclose(shown, expected, rtol, atol)``, with ``(rtol, atol) =
    tol(path)`` when ``tol`` is given (JSON turns 1.0 into 1, so ints and floats compare).
    ``null_for_nonfinite``: JSON has no NaN or inf, so a page shows ``null`` for them.
    """
    def here(s: Any, e: Any, p: str) -> list[str]:
        return state_mismatches(s, e, rtol=rtol, atol=atol, tol=tol,
                                null_for_nonfinite=null_for_nonfinite, path=p)

    if isinstance(expected, dict):
        if not isinstance(shown, dict) or set(shown) != set(expected):
            keys = sorted(shown) if isinstance(shown, dict) else type(shown).__name__
            return [f"{path}: keys {keys} vs {sorted(expected)}"]
        return [m for k in expected for m in here(shown[k], expected[k], f"{path}.{k}")]
    if isinstance(expected, list | tuple):
        if not isinstance(shown, list | tuple) or len(shown) != len(expected):
            return [f"{path}: {shown!r:.80} vs a list of {len(expected)}"]
        return [m for i, (s, e) in enumerate(zip(shown, expected, strict=True))
                for m in here(s, e, f"{path}[{i}]")]
    if not all(isinstance(v, Real) and not isinstance(v, bool) for v in (shown, expected)):
        if (null_for_nonfinite and shown is None and isinstance(expected, float)
                and not math.isfinite(expected)):
            return []
        return [] if shown == expected else [f"{path}: {shown!r} vs {expected!r}"]
    r, a = tol(path) if tol is not None else (rtol, atol)
    return [] if np.isclose(shown, expected, rtol=r, atol=a) else [
        f"{path}: {shown!r} vs {expected!r}"]


def assert_same_state(shown: Any, expected: Any, **tolerances: Any) -> None:
    """Assert that ``state_mismatches(shown, expected, **tolerances)`` finds nothing."""
    wrong = state_mismatches(shown, expected, **tolerances)
    assert not wrong, "\n".join(wrong[:10])


#: Set ``selector``'s value and dispatch an input event, for each of the values in turn.
_FIRE_INPUTS = """([selector, values]) => {
  const input = document.querySelector(selector);
  for (const v of values) {
    input.value = String(v);
    input.dispatchEvent(new Event("input"));
  }
}"""


def fire_inputs(page: Any, selector: str, values: Iterable[float]) -> None:
    """Move the control ``selector`` through ``values`` as fast as events can be dispatched
    (the time each redraw takes is measured by ``benchmarks/static_latency.py``)."""
    page.evaluate(_FIRE_INPUTS, [selector, [float(v) for v in values]])


# -- legibility -------------------------------------------------------------------------------
#: Every text of the explorers: HTML elements with text of their own (buttons, selects,
#: readouts, labels) against the first opaque background at or above them, and SVG labels
#: against the shape drawn under their centre (or the figure's background). Colours as
#: [r, g, b]; each text is scrolled into view first, since only what is on screen is hit.
TEXT_COLOURS = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const opaque = (c) => c.length === 3 || c[3] > 0;
  const ground = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (opaque(c)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  // a shape's fill as [r, g, b, alpha], or null for no fill (lines, fill: none)
  const filled = (el) => {
    const shape = el instanceof SVGGeometryElement && !["line", "polyline"].includes(el.tagName);
    if (!shape) return null;
    const style = getComputedStyle(el);
    if (!style.fill.startsWith("rgb")) return null;
    const c = rgb(style.fill);
    const alpha = (c.length === 4 ? c[3] : 1) * Number(style.fillOpacity);
    return alpha > 0 ? [...c.slice(0, 3), alpha] : null;
  };
  // the colour under a text's centre: translucent shapes blended over what lies below them
  const under = (text) => {
    text.scrollIntoView({block: "center"});
    const r = text.getBoundingClientRect();
    const layers = [];
    let base = null;
    for (const el of document.elementsFromPoint(r.left + r.width / 2, r.top + r.height / 2)) {
      if (el.closest("text")) continue;
      if (el instanceof SVGElement && !(el instanceof SVGSVGElement)) {
        const c = filled(el);
        if (c) layers.push(c);
        if (c && c[3] >= 1) { base = c.slice(0, 3); break; }
        continue;
      }
      base = ground(el);
      break;
    }
    const blend = (below, [r, g, b, a]) => [r, g, b].map((v, k) => a * v + (1 - a) * below[k]);
    return layers.reduceRight(blend, base || ground(text.ownerSVGElement));
  };
  const ownText = (el) => el.tagName === "SELECT" ? el.textContent.trim()
    : Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent).join("").trim();
  const shown = (el) => getComputedStyle(el).display !== "none" && el.getClientRects().length;
  const html = Array.from(document.querySelectorAll(".bp-explorer *"))
    .filter((el) => !(el instanceof SVGElement) && el.tagName !== "OPTION" && ownText(el)
      && shown(el))
    .map((el) => ({text: ownText(el).slice(0, 24),
                   fg: rgb(getComputedStyle(el).color).slice(0, 3), bg: ground(el)}));
  const svg = Array.from(document.querySelectorAll(".bp-explorer :is(svg text, svg tspan)"))
    .filter((t) => ownText(t) && shown(t))
    .map((t) => ({text: ownText(t).slice(0, 24),
                  fg: rgb(getComputedStyle(t).fill).slice(0, 3), bg: under(t.closest("text"))}));
  return html.concat(svg);
}"""


def contrast(fg: Any, bg: Any) -> float:
    """WCAG contrast ratio of two sRGB colours (1 to 21)."""
    def luminance(c):
        s = np.array(c) / 255
        lin = np.where(s <= 0.04045, s / 12.92, ((s + 0.055) / 1.055) ** 2.4)
        return float(lin @ [0.2126, 0.7152, 0.0722])
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def faint_texts(page: Any, minimum: float = 4.5) -> list[dict]:
    """The texts of the page's explorers whose contrast is below ``minimum`` (WCAG AA: 4.5);
    fails when the explorers show no text at all."""
    texts = page.evaluate(TEXT_COLOURS)
    assert texts, "no text found in the explorers"
    return [t for t in texts if contrast(t["fg"], t["bg"]) < minimum]
