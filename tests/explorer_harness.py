"""Render an explorer's front end in headless Chromium without JupyterLab.

The page imports the explorer's ES module (``widget._esm``) and gives it a small stand-in for
the anywidget ``model`` holding the widget's synced state. Two modes:

- ``kernel=True``: the stand-in forwards ``save_changes`` to the Python widget (through
  Playwright's ``expose_function``) and pushes the recomputed traits back, and it answers the
  front end's kernel ping — a live notebook in miniature;
- ``kernel=False``: nothing answers, exactly as in a static book page, so the front end must
  recompute its state in the browser.

Usage::

    page = open_explorer(browser, widget, kernel=True)   # ``browser``: tests/conftest.py
    page.locator("input[type=range]").first.fill("0.5")
"""

from __future__ import annotations

import json
import shutil
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Flags for headless Chromium on a closed network (the tests may run as root).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]

_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><style>{css}</style></head>
<body><div id="root"></div>
<script type="application/json" id="esm">{esm}</script>
<script type="application/json" id="state">{state}</script>
<script type="module">
const KERNEL = {kernel};
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
    const fresh = JSON.parse(await window.pyBridge(JSON.stringify(changes)));
    for (const [k, v] of Object.entries(fresh)) {{
      if (JSON.stringify(state[k]) !== JSON.stringify(v)) {{ state[k] = v; emit("change:" + k); }}
    }}
  }},
  send: (msg) => {{
    if (KERNEL && msg && msg.type === "ping") {{
      setTimeout(() => emit("msg:custom", {{type: "pong"}}), 0);
    }}
  }},
  widget_manager: {{}},
}};
window.__model = model;
try {{
  const url = URL.createObjectURL(new Blob([src], {{type: "text/javascript"}}));
  const widget = (await import(url)).default;
  if (widget.initialize) await widget.initialize({{model}});
  await widget.render({{model, el: document.getElementById("root")}});
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


def open_explorer(browser: Any, widget: Any, *, kernel: bool = True, width: int = 900):
    """A new page showing ``widget``'s front end; returns the Playwright page once rendered.

    Page errors are collected in ``page.errors`` (a list of strings).
    """
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))

    def bridge(changes_json: str) -> str:
        changes = json.loads(changes_json)
        with widget.hold_trait_notifications():
            for key, value in changes.items():
                setattr(widget, key, value)
        return json.dumps(synced_state(widget), default=float)

    if kernel:
        page.expose_function("pyBridge", bridge)
    html = _PAGE.format(
        css=widget._css,
        esm=json.dumps(widget._esm).replace("</", "<\\/"),
        state=json.dumps(synced_state(widget), default=float).replace("</", "<\\/"),
        kernel="true" if kernel else "false",
    )
    page.set_content(html)
    page.wait_for_function("window.__ready === true")
    errors = page.evaluate("window.__errors")
    if errors:
        raise AssertionError("the explorer's front end failed to render:\n" + "\n".join(errors))
    return page
