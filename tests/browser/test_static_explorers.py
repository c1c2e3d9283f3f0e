"""Every explorer of the built book stays live without a kernel, and agrees with the library.

For every page of ``_toc.yml`` that shows explorers, served from 127.0.0.1 and opened from disk
(``file://``), with every request that would leave the machine aborted: each explorer notices
that no kernel answers (``data-mode="static"``), the page says once that the explorers compute
in the browser, and each explorer publishes what it shows
(``data-explorer``, ``data-controls``, ``data-state``; see ``ui.js publish``). The test moves
every control of every explorer — each slider one step, each select to another option, each
checkbox, radio button and button once (not Start/Pause, which run a timer) — and after every
move compares the numbers shown with ``Explorer(**controls).state`` computed by the library in
Python: numbers to a relative error of 1e-9, strings and shapes exactly. New chapters and new
explorers are covered without editing this file.

An explorer of a learner's own object that only Python can compute (``GradCheckExplorer`` of a
layer written in the chapter) marks itself ``data-kernel-only``: it must keep the state the
page was built with and offer no control to move, since the library cannot rebuild it here.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from browser_support import book_pages, guarded_page
from explorer_harness import state_mismatches

PAGES = [page for page in book_pages() if page.shows_explorers]

#: Buttons that start a timer (the playground's training loop): pressing them is not one move.
TIMER_BUTTONS = ("Start", "Pause", "▶ Start", "⏸ Pause")

#: The controls of one explorer, in document order (re-queried after every move, because an
#: explorer may rebuild part of its view).
CONTROLS = ("input[type=range], select, input[type=checkbox], input[type=radio]:not(:checked),"
            " button")

SNAPSHOT = """(root) => ({explorer: root.dataset.explorer,
  kernelOnly: root.dataset.kernelOnly === "true",
  controls: JSON.parse(root.dataset.controls), state: JSON.parse(root.dataset.state)})"""

MAX_MOVES = 60  # per explorer: enough for every control of the book's explorers
#: opened from disk, a page must load the same scripts and compute the same numbers: a few
#: moves per explorer show that, without MathJax (test_static_book typesets each page from
#: disk); every control is moved, next to the typeset maths, on the page served over http
MAX_MOVES_FROM_DISK = 3


def move(control: Any) -> str | None:
    """Move one control by one step; returns what was done, or None if it cannot move."""
    kind = control.evaluate("(el) => el.tagName.toLowerCase() + ':' + (el.type || '')")
    if not control.is_visible() or control.is_disabled():
        return None
    if kind == "input:range":
        at_max = control.evaluate("(el) => Number(el.value) >= Number(el.max)")
        control.focus()
        control.press("ArrowLeft" if at_max else "ArrowRight")
        return f"slider {control.get_attribute('aria-label')!r} one step"
    if kind.startswith("select"):
        values = control.evaluate("(el) => Array.from(el.options).map((o) => o.value)")
        current = control.input_value()
        others = [v for v in values if v != current]
        if not others:
            return None
        control.select_option(others[0])
        return f"select {control.get_attribute('aria-label')!r} to {others[0]!r}"
    if kind.startswith("button"):
        text = control.inner_text().strip()
        if any(t in text for t in TIMER_BUTTONS):
            return None
        control.click()
        return f"button {text or control.get_attribute('aria-label')!r}"
    control.click()
    return f"{kind} {control.get_attribute('aria-label')!r}"


def explore(browser: Any, url: str, max_moves: int = MAX_MOVES, maths: bool = True) -> dict:
    """Open ``url`` offline (with MathJax if ``maths``), move up to ``max_moves`` controls of
    every explorer (by default all of them); snapshots after each move.

    Runs in the browser's thread; returns ``{"snapshots": [(what, snapshot)], "saved_widgets",
    "static_notes", "loose_controls", "blocked", "errors"}``.
    """
    context, page, guard = guarded_page(browser, maths=maths)
    snapshots: list[tuple[str, dict]] = []
    saved = False
    notes: list[str] = []
    loose: list[str] = []
    try:
        page.goto(url, wait_until="load")
        page.wait_for_function(
            "() => { const roots = document.querySelectorAll('.bp-explorer');"
            " return roots.length > 0 && Array.from(roots).every((r) => r.dataset.state &&"
            " r.dataset.mode === 'static'); }",
            timeout=30_000)
        saved = page.evaluate(
            "() => document.documentElement.hasAttribute('data-bp-saved-widgets')")
        roots = page.locator(".bp-explorer")
        notes = page.locator(".bp-static-note:visible").all_inner_texts()
        # JupyterLab takes keys as notebook commands unless the control or a parent suppresses them
        loose = page.evaluate(
            "(sel) => Array.from(document.querySelectorAll('.bp-explorer'))"
            ".flatMap((r) => Array.from(r.querySelectorAll(sel)))"
            ".filter((c) => !c.closest('[data-lm-suppress-shortcuts=\"true\"]'))"
            ".map((c) => c.outerHTML.slice(0, 80))", CONTROLS)
        for i in range(roots.count()):
            root = roots.nth(i)
            snapshots.append(("as loaded", root.evaluate(SNAPSHOT)))
            index = moves = 0
            while moves < max_moves and index < root.locator(CONTROLS).count():
                what = move(root.locator(CONTROLS).nth(index))
                index += 1
                if what is None:
                    continue
                moves += 1
                page.wait_for_timeout(20)
                snapshots.append((what, root.evaluate(SNAPSHOT)))
    finally:
        context.close()
    return {"snapshots": snapshots, "saved_widgets": saved, "static_notes": notes,
            "loose_controls": loose, "blocked": guard.blocked,
            "errors": guard.unexpected_errors()}


def library_state(snapshot: dict) -> dict:
    """The state the library computes for the controls the page shows."""
    module, _, name = snapshot["explorer"].rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    explorer = cls(**snapshot["controls"])
    assert explorer.error == "", f"{name}{snapshot['controls']}: {explorer.error}"
    return explorer.state


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["http", "file"])
@pytest.mark.parametrize("page", PAGES, ids=[p.slug for p in PAGES])
def test_explorers_recompute_like_the_library(page, scheme, built_book, book_server, chromium):
    url = (f"{book_server}/{page.docname}.html" if scheme == "http"
           else page.html.resolve().as_uri())
    result = (chromium.run(explore, url) if scheme == "http"
              else chromium.run(explore, url, MAX_MOVES_FROM_DISK, False))
    assert not result["blocked"], f"requests left the machine: {result['blocked'][:5]}"
    assert not result["errors"], result["errors"]
    # tools/widgets-setup.js marked the page: the explorers need not wait for a kernel
    assert result["saved_widgets"], "the page's root element lacks data-bp-saved-widgets"
    # the page says once that the explorers run in the browser
    assert len(result["static_notes"]) == 1, result["static_notes"]
    assert "in your browser" in result["static_notes"][0]
    assert "`" not in result["static_notes"][0], "Markdown backticks shown as text in the note"
    assert not result["loose_controls"], (
        "controls without data-lm-suppress-shortcuts (JupyterLab would take their keys): "
        f"{result['loose_controls'][:5]}")
    explorers = {snap["explorer"] for _, snap in result["snapshots"]}
    assert all(e.startswith("backprop.widgets.") for e in explorers), explorers
    moved = [what for what, _ in result["snapshots"] if what != "as loaded"]
    assert moved, f"no control of {sorted(explorers)} could be moved"
    problems = []
    for what, snap in result["snapshots"]:
        if snap["kernelOnly"]:              # a learner's object: Python only, nothing to move
            if what != "as loaded" or not snap["state"]:
                problems.append(f"{snap['explorer']} is kernel-only but {what} (state "
                                f"{str(snap['state'])[:40]})")
            continue
        wrong = state_mismatches(snap["state"], library_state(snap), null_for_nonfinite=True)
        if wrong:
            name = snap["explorer"].rpartition(".")[2]
            problems.append(f"{name} after {what}: " + "; ".join(wrong[:3]))
    assert not problems, "\n".join(problems[:10])
