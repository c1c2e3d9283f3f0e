"""The ``Explorer`` base class shared by every interactive explorer of the book.

An explorer is an anywidget: its *controls* and its *state* are traitlets synced with a
front end written in plain JavaScript (no build step). The state is plain data (numbers, lists,
dicts) computed by the library in Python; the front end only draws it and collects input.
When the page has no kernel (a static book page), the front end recomputes the state itself
with ``mlmath.js``, the JavaScript twin of the library's maths.

The front end of an explorer is the concatenation of ``mlmath.js``, ``ui.js`` and the
explorer's own file (named by ``_front_end``), which ends with ``export default { render }``;
``render`` returns a cleanup function when it starts timers or animation frames or listens to
``document`` or ``window`` (anywidget calls it when the view is removed).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from importlib import resources
from numbers import Integral
from typing import Any, ClassVar

import anywidget
import numpy as np
import traitlets

from backprop._arrays import shape_text

_SHARED_FRONT_END = ("mlmath.js", "ui.js")


def _read(name: str) -> str:
    return resources.files("backprop.widgets").joinpath(name).read_text(encoding="utf-8")


def bundle(front_end: str) -> str:
    """The ES module of an explorer: the shared JS modules followed by ``front_end``."""
    parts = [f"// ---- {name} ----\n{_read(name)}" for name in (*_SHARED_FRONT_END, front_end)]
    return "\n".join(parts)


def check_sizes(largest: int, **sizes: Any) -> None:
    """A ``ValueError`` naming the control (``batch=…``, ``n_in=…``) whose value is not an
    integer from 1 to ``largest``."""
    for label, size in sizes.items():
        if not isinstance(size, (int, np.integer)) or not 1 <= size <= largest:
            raise ValueError(f"{label} must be an integer from 1 to {largest}, got {size!r}")


def first_non_finite(data: Any, path: str = "state") -> str:
    """Where plain data (dicts, lists, numbers) holds NaN or an infinity, e.g.
    ``"state.loss is inf"``; ``""`` when every number is finite."""
    if isinstance(data, dict):
        items = ((f"{path}.{k}", v) for k, v in data.items())
    elif isinstance(data, list | tuple):
        try:                        # a table of numbers: NumPy checks it at once
            numbers = np.asarray(data)
        except (TypeError, ValueError):
            numbers = None          # ragged: entry by entry
        if numbers is not None and numbers.dtype.kind in "biuf":  # not None, text or dicts
            bad = np.argwhere(~np.isfinite(numbers))
            if not len(bad):
                return ""
            index = "".join(f"[{i}]" for i in bad[0])
            return f"{path}{index} is {numbers[tuple(bad[0])]}"
        items = ((f"{path}[{i}]", v) for i, v in enumerate(data))
    else:
        return f"{path} is {data}" if isinstance(data, float) and not math.isfinite(data) else ""
    return next((w for p, v in items if (w := first_non_finite(v, p))), "")


class Explorer(anywidget.AnyWidget):
    """Base of the explorers: front-end bundling, error display, kernel ping and timing.

    Subclasses set ``_front_end`` (a JS file beside this module), declare their controls and
    their ``state`` as synced traitlets, and implement ``compute() -> dict``. Any change of a
    control calls ``refresh()``, which recomputes ``state``; an exception is shown in the
    widget (the ``error`` trait) instead of being swallowed.
    """

    _front_end: ClassVar[str] = ""
    _css = _read("explorer.css")
    #: names of the traitlets that are controls (a change recomputes the state)
    _controls: ClassVar[tuple[str, ...]] = ()

    state = traitlets.Dict().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_front_end" in cls.__dict__ and cls._front_end:
            cls._esm = bundle(cls._front_end)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: milliseconds the last ``refresh`` took (kernel side), for the latency benchmark
        self.last_refresh_ms = 0.0
        self.on_msg(self._on_front_end_message)
        if self._controls:
            self.observe(lambda _change: self.refresh(), names=list(self._controls))
        self.refresh()

    def compute(self) -> dict:
        """The state for the current controls (plain data). Subclasses implement it."""
        raise NotImplementedError

    def refresh(self) -> None:
        """Recompute ``state`` from the controls; show an exception in the widget."""
        start = time.perf_counter()
        try:
            state = self.compute()
            where = first_non_finite(state)
            if where:
                raise OverflowError(f"the numbers overflowed: {where}; choose smaller values")
        except Exception as exc:  # shown to the reader in the widget, and kept for code
            self.error = f"{type(exc).__name__}: {exc}"
        else:
            self.error = ""
            self.state = state
        self.last_refresh_ms = (time.perf_counter() - start) * 1e3

    def _on_front_end_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            self.send({"type": "pong"})


def matrix_shape(rows: list) -> tuple[int, int]:
    """``(rows, columns)`` of a matrix given as a list of rows (columns counted in the first)."""
    return (len(rows), len(rows[0]) if len(rows) else 0)


def with_weight(where: str, convention: str, matrices: list, names: tuple[str, str, str],
                base: int, label: Callable[[int], str], k: object, i: object, j: object,
                value: float) -> list:
    """A copy of ``matrices`` (a list of matrices as lists of rows) with entry ``[i][j]`` of
    matrix ``k`` set to ``value``; ``k``, ``i``, ``j`` are numbered from ``base`` (0 or 1),
    called ``names`` in errors, and matrix ``k`` is called ``label(k)``: a ``ValueError``
    (``checked_index``) says which index is out of range and what it picks."""
    shapes = [matrix_shape(W) for W in matrices]
    k = checked_index(where, convention, names[0], k, len(shapes), base, "the layer: " + ", ".join(
        f"{label(n)} {shape_text(shape)}" for n, shape in enumerate(shapes, start=base)))
    of = f"of {label(k + base)}, shape {shape_text(shapes[k])}"
    i = checked_index(where, convention, names[1], i, shapes[k][0], base, f"a row {of}")
    j = checked_index(where, convention, names[2], j, shapes[k][1], base, f"a column {of}")
    copy = [[list(row) for row in W] for W in matrices]
    copy[k][i][j] = float(value)
    return copy


def checked_index(where: str, convention: str, name: str, value: object, count: int,
                  base: int, of: str) -> int:
    """The list index ``value − base`` of one of ``count`` entries numbered from ``base``
    (0 or 1), else an error naming ``where``, the valid range, what ``value`` picks (``of``,
    e.g. ``"a row of W^1, shape (3, 2)"``) and the ``convention``: a ``TypeError`` for what
    is not an integer, a ``ValueError`` out of range. A negative index, which Python would
    count from the end, is refused too."""
    integer = isinstance(value, Integral) and not isinstance(value, bool)
    if integer and base <= value < base + count:
        return int(value) - base
    error = ValueError if integer else TypeError
    raise error(f"{where}: {name} must be an integer from {base} to {base + count - 1} "
                f"({of}), got {value!r}; {convention}")
