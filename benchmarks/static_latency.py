"""Static-page latency: from a control's input event to the redrawn view, in the browser.

Every explorer's front end is opened without a kernel (tests/explorer_harness.py, static
mode), so it recomputes its state in JavaScript. For each of its range inputs (at most
four), 20 input events alternate between two neighbouring values; the time runs from the
event to the end of the synchronous redraw, including the layout it forces (reading the
explorer's size), measured with ``performance.now()`` in the page.
"""

from __future__ import annotations

import statistics
import sys

from common import TESTS, explorer_classes

EVENTS, MAX_INPUTS = 20, 4

_MEASURE = """async ([index, events]) => {
  const input = document.querySelectorAll("input[type=range]")[index];
  const root = document.querySelector(".bp-explorer");
  const lo = Number(input.value), step = Number(input.step) || 1;
  const hi = lo + step <= Number(input.max) ? lo + step : lo - step;
  const times = [];
  for (let k = 0; k < events; k++) {
    const t0 = performance.now();
    input.value = String(k % 2 ? lo : hi);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    root.getBoundingClientRect();   // force style and layout of the redrawn view
    times.push(performance.now() - t0);
    await new Promise((r) => requestAnimationFrame(r));
  }
  return times;
}"""


def measure() -> dict[str, list[float]]:
    sys.path.insert(0, str(TESTS))
    from explorer_harness import CHROMIUM, open_explorer
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        raise RuntimeError("Chromium is not installed")
    results: dict[str, list[float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for cls in explorer_classes():
            page = open_explorer(browser, cls(), kernel=False)
            page.wait_for_selector(".bp-static-note", state="visible", timeout=5000)
            count = min(page.locator("input[type=range]").count(), MAX_INPUTS)
            times: list[float] = []
            for index in range(count):
                times += page.evaluate(_MEASURE, [index, EVENTS])
            if page.errors:
                raise RuntimeError(f"{cls.__name__}: page errors {page.errors}")
            if times:
                results[f"{cls.__name__} ({count} slider{'s' * (count != 1)})"] = times
            else:
                print(f"  {cls.__name__}: no range input; skipped")
            page.close()
        browser.close()
    return results


def run() -> dict[str, float]:
    results = measure()
    print(f"{'explorer, static page (input → redrawn)':<46} {'median':>9} {'worst':>9}")
    for name, times in results.items():
        print(f"{name:<46} {statistics.median(times):>7.2f}ms {max(times):>7.2f}ms")
    return {"static_explorer_median_ms": max(statistics.median(t) for t in results.values()),
            "static_explorer_worst_ms": max(max(t) for t in results.values())}


if __name__ == "__main__":
    for key, value in run().items():
        print(key, f"{value:.3f}")
