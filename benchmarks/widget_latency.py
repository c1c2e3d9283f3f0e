"""Widget latency (kernel side): from setting a control in code to the updated state.

For every explorer in ``backprop.widgets``, the first control that holds a number (directly,
or as the first number inside a list or dict) is set 50 times, alternating between its value
and a nearby one (±10 % for a float, ±1 for an integer, whichever gives no error). The time
is the wall time of the assignment, which includes the recomputation and the update of the
synced ``state``. The playground is measured a second time on what Start does: ``steps += 3``.
"""

from __future__ import annotations

import copy
import statistics
import time
from typing import Any

from common import explorer_classes

CHANGES = 50


def _nudged(value: Any, sign: int) -> tuple[Any, bool]:
    """``value`` with its first number moved a little; ``(new value, found a number)``."""
    if isinstance(value, bool):
        return value, False
    if isinstance(value, int):
        return value + sign, True
    if isinstance(value, float):
        return (value * (1 + 0.1 * sign) if value else 0.1 * sign), True
    if isinstance(value, (list, dict)):
        new = copy.deepcopy(value)
        keys = range(len(new)) if isinstance(new, list) else list(new)
        for k in keys:
            new[k], found = _nudged(new[k], sign)
            if found:
                return new, True
    return value, False


def _control_and_values(widget: Any) -> tuple[str, list[Any]] | None:
    """The first control with a number that can be nudged without an error, and the two
    values to alternate between. A dict control that starts empty (``{name: value}`` for
    some inputs) is filled from the state's ``[{"name", "value"}, …]`` of the same name."""
    for name in widget._controls:
        original = getattr(widget, name)
        shown = widget.state.get(name)
        if original == {} and isinstance(shown, list) and shown and "value" in shown[0]:
            original = {item["name"]: float(item["value"]) for item in shown}
        for sign in (1, -1):
            other, found = _nudged(original, sign)
            if not found:
                break
            setattr(widget, name, other)
            ok = widget.error == ""
            setattr(widget, name, original)
            if ok:
                return name, [other, original]
    return None


def _time_changes(widget: Any, name: str, values: list[Any]) -> list[float]:
    times = []
    for i in range(CHANGES):
        start = time.perf_counter()
        setattr(widget, name, values[i % 2])
        times.append((time.perf_counter() - start) * 1e3)
        if widget.error:
            raise RuntimeError(f"{type(widget).__name__}.{name}: {widget.error}")
    return times


def measure() -> dict[str, list[float]]:
    """Milliseconds per change, for every explorer (and the playground's training request)."""
    results: dict[str, list[float]] = {}
    for cls in explorer_classes():
        widget = cls()
        found = _control_and_values(widget)
        if found is None:
            print(f"  {cls.__name__}: no numeric control to change; skipped")
            continue
        name, values = found
        results[f"{cls.__name__}.{name}"] = _time_changes(widget, name, values)
        if cls.__name__ == "Playground":
            times = []
            for _ in range(CHANGES):
                start = time.perf_counter()
                widget.steps += 3
                times.append((time.perf_counter() - start) * 1e3)
            results["Playground.steps += 3 (Start)"] = times
    return results


def run() -> dict[str, float]:
    results = measure()
    print(f"{'explorer.control (50 changes, kernel side)':<46} {'median':>9} {'worst':>9}")
    for name, times in results.items():
        print(f"{name:<46} {statistics.median(times):>7.2f}ms {max(times):>7.2f}ms")
    return {"widget_median_ms": max(statistics.median(t) for t in results.values()),
            "widget_worst_ms": max(max(t) for t in results.values())}


if __name__ == "__main__":
    for key, value in run().items():
        print(key, f"{value:.3f}")
