"""The explorers of the built book are usable with a keyboard and a screen reader (WCAG 2.1 AA).

Every page that shows explorers is served from 127.0.0.1 with no kernel (the explorers compute
in the browser) and without MathJax (its formulas are not what is checked here) and checked for:

- focus: pressing Enter or Space on a button that redraws its part of the explorer leaves the
  focus on that button (or, when the button disables itself, on its partner: Next → Prev);
- names: each explorer is a group named by its title, each diagram (SVG) is an image with a
  name that carries its key numbers (or is hidden next to a text that has them), each explorer
  has one polite live region; a control's name contains its visible label (2.5.3), a slider
  whose value is an index says the value it stands for (``aria-valuetext``), radio buttons of
  one choice form one group (arrow keys move between them);
- the focus ring has a contrast of at least 3 : 1 on the white card, in the dark theme too;
- colour is not the only cue: negative weights are dashed as well as orange, the playground's
  classes have marker shapes of their own;
- SVG text is at least 9 px on a 390-pixel phone (the card scrolls sideways instead of
  shrinking the diagram) and the playground's plots at least 11 px on a desktop.

(A book page has no kernel check to wait for: ``tools/widgets-setup.js`` marks it, and its
explorers compute in the browser at once. Start pressed while a notebook's kernel check is still
waiting is tested with the harness, in ``tests/test_widgets_ch07.py``.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from browser_support import book_pages, guarded_page, store_theme
from explorer_harness import contrast

PAGES = [page for page in book_pages() if page.shows_explorers]
PAGE_IDS = [page.slug for page in PAGES]

ROOTS_STATIC = ("() => { const roots = document.querySelectorAll('.bp-explorer');"
                " return roots.length > 0 && Array.from(roots).every((r) => r.dataset.state &&"
                " r.dataset.mode === 'static'); }")


def url_of(server: str, slug: str) -> str:
    """The URL of the page whose docname ends with ``slug`` (e.g. ``03_loss_to_weight``)."""
    page = next(p for p in PAGES if p.slug == slug)
    return f"{server}/{page.docname}.html"


@contextmanager
def opened(browser: Any, url: str, *, width: int = 1300,
           theme: str | None = None) -> Iterator[Any]:
    """``url`` in a new page ``width`` pixels wide (in ``theme``, if given), once every explorer
    has drawn without a kernel; the page is closed afterwards."""
    context, page, _ = guarded_page(browser, maths=False)
    try:
        page.set_viewport_size({"width": width, "height": 900})
        if theme:
            store_theme(page, theme)
        page.goto(url, wait_until="load")
        page.wait_for_function(ROOTS_STATIC, timeout=30_000)
        yield page
    finally:
        context.close()


def explorer(page: Any, inner: str) -> Any:
    """The first explorer of the page that contains ``inner`` (a CSS selector)."""
    return page.locator(".bp-explorer", has=page.locator(inner)).first


#: What has the focus: its tag, its name (aria-label or text), whether it is inside `root`.
FOCUSED = """(root) => { const a = document.activeElement;
  return {tag: a.tagName, name: a.getAttribute('aria-label') || a.textContent.trim(),
          inside: root.contains(a), current: a.getAttribute('aria-current'),
          pressed: a.getAttribute('aria-pressed')}; }"""


# ---- 1. focus stays on the control that redraws ---------------------------------------------

def focus_in_descent(browser: Any, url: str) -> list[dict]:
    with opened(browser, url) as page:
        root = explorer(page, ".descent-seg")
        seen = []
        for name, key in (("w1", "Enter"), ("w3", " "), ("w2", "Enter")):
            root.get_by_role("button", name=name, exact=True).focus()
            page.keyboard.press(key)
            seen.append(root.evaluate(FOCUSED))
        return seen


@pytest.mark.browser
def test_descent_weight_buttons_keep_the_focus(book_server, chromium):
    seen = chromium.run(focus_in_descent, url_of(book_server, "03_loss_to_weight"))
    assert [(s["tag"], s["name"], s["inside"], s["pressed"]) for s in seen] == [
        ("BUTTON", "w1", True, "true"), ("BUTTON", "w3", True, "true"),
        ("BUTTON", "w2", True, "true")], seen


def focus_in_stepper(browser: Any, url: str) -> dict:
    with opened(browser, url) as page:
        root = explorer(page, ".bp-bs-pills")
        pill = root.locator(".bp-bs-pill").nth(3)
        pill.focus()
        page.keyboard.press("Enter")
        on_pill = root.evaluate(FOCUSED)
        next_button = root.get_by_role("button", name="Next ▶")
        next_button.focus()
        presses = 0
        while not next_button.is_disabled() and presses < 20:
            page.keyboard.press("Enter")
            presses += 1
        return {"pill": on_pill, "after_next": root.evaluate(FOCUSED), "presses": presses}


@pytest.mark.browser
def test_stepper_pills_keep_the_focus_and_next_hands_it_to_prev(book_server, chromium):
    seen = chromium.run(focus_in_stepper, url_of(book_server, "04_delta_recursion"))
    pill = seen["pill"]
    assert pill["tag"] == "BUTTON" and pill["inside"] and pill["current"] == "step", pill
    assert pill["name"].startswith("step 3"), pill
    assert seen["presses"] >= 1, "Next never disabled itself"
    after = seen["after_next"]
    assert after["inside"] and after["name"] == "◀ Prev", after


def focus_in_playground(browser: Any, url: str) -> list[tuple[str, dict]]:
    with opened(browser, url) as page:
        root = explorer(page, ".pg-layers")
        seen = []
        # (button, key, the button that has the focus after): the layers start at the widest,
        # so "+" of layer 1 disables itself again and hands the focus to its "−"
        for name, key, after in (
                ("add a hidden layer", "Enter", "add a hidden layer"),
                ("fewer units in layer 1", " ", "fewer units in layer 1"),
                ("more units in layer 1", "Enter", "fewer units in layer 1"),
                ("remove a hidden layer", "Enter", "remove a hidden layer")):
            root.get_by_role("button", name=name, exact=True).focus()
            page.keyboard.press(key)
            seen.append((after, root.evaluate(FOCUSED)))
        # removing every hidden layer disables "−": the focus goes to "+"
        remove = root.get_by_role("button", name="remove a hidden layer", exact=True)
        remove.focus()
        for _ in range(10):
            if remove.is_disabled():
                break
            page.keyboard.press("Enter")
        seen.append(("add a hidden layer", root.evaluate(FOCUSED)))
        return seen


@pytest.mark.browser
def test_playground_layer_buttons_keep_the_focus(book_server, chromium):
    seen = chromium.run(focus_in_playground, url_of(book_server, "07_training"))
    for name, focused in seen:
        assert focused["inside"] and focused["tag"] == "BUTTON", (name, focused)
        assert focused["name"] == name, (name, focused)


# ---- 2. groups, images and live regions have names -----------------------------------------

NAMES = """() => Array.from(document.querySelectorAll('.bp-explorer')).map((root) => {
  const title = document.getElementById(root.getAttribute('aria-labelledby') || '');
  const svgs = Array.from(root.querySelectorAll('svg'))
    .filter((s) => !s.parentElement.closest('svg'))
    .map((s) => ({cls: s.getAttribute('class'), role: s.getAttribute('role'),
                  label: (s.getAttribute('aria-label') || '').trim(),
                  hidden: s.getAttribute('aria-hidden')}));
  return {explorer: root.dataset.explorer, role: root.getAttribute('role'),
          title: title && root.contains(title) && title.classList.contains('bp-title')
            ? title.textContent.trim() : null,
          live: Array.from(root.querySelectorAll('[aria-live]'))
            .map((e) => e.getAttribute('aria-live')),
          svgs};
})"""


#: what one visit of a page at 1300 px shows, for the three tests that read it (each page load
#: waits for the kernel probe to give up: visiting once keeps the browser tests fast)
_FACTS_AT_1300: dict[str, dict] = {}


def facts_at_1300(browser: Any, url: str) -> dict:
    """Names, labels and SVG text sizes of the page's explorers at 1300 px (visited once)."""
    if url not in _FACTS_AT_1300:
        with opened(browser, url) as page:
            _FACTS_AT_1300[url] = {
                "roots": page.evaluate(NAMES), "missing": page.evaluate(LABELS_IN_NAMES),
                "texts": page.evaluate(TEXT_SIZES), **page.evaluate(SCROLLS)}
    return _FACTS_AT_1300[url]


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_explorers_diagrams_and_live_regions_are_named(page, book_server, chromium):
    roots = chromium.run(facts_at_1300, f"{book_server}/{page.docname}.html")["roots"]
    assert roots
    for root in roots:
        name = root["explorer"].rpartition(".")[2]
        assert root["role"] == "group" and root["title"], f"{name}: root not a named group {root}"
        assert root["live"] == ["polite"], f"{name}: live regions {root['live']}"
        for svg in root["svgs"]:
            assert (svg["role"] == "img" and svg["label"]) or svg["hidden"] == "true", (name, svg)


def graph_labels(browser: Any, url: str) -> list[dict]:
    with opened(browser, url) as page:
        root = explorer(page, ".bp-gx-svg")
        read = """(root) => ({
          label: root.querySelector('svg.bp-gx-svg').getAttribute('aria-label'),
          live: root.querySelector('[aria-live]').textContent,
          readout: root.querySelector('.bp-gx-readout').textContent})"""
        before = root.evaluate(read)
        root.locator("input[type=range]").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(50)
        return [before, root.evaluate(read)]


@pytest.mark.browser
def test_graph_label_and_live_region_follow_the_numbers(book_server, chromium):
    before, after = chromium.run(graph_labels, url_of(book_server, "02_chain_rule"))
    for seen in (before, after):
        f_value = re.search(r"\n(\S+ = \S+)", seen["readout"]).group(1)   # "f = −12.0000"
        assert f_value.split(" = ")[1].rstrip("0").rstrip(".") in seen["label"], seen
        assert seen["live"], seen
    assert before["label"] != after["label"] and before["live"] != after["live"]


# ---- 3. names contain the visible labels; values say what they stand for ------------------

LABELS_IN_NAMES = """() => Array.from(document.querySelectorAll(
    '.bp-explorer .bp-slider input, .bp-explorer button[aria-label]'))
  .map((c) => ({name: c.getAttribute('aria-label') || '',
    visible: (c.matches('button') ? c.textContent
      : c.closest('.bp-slider').querySelector('.bp-slider-label').textContent).trim()}))
  .filter((c) => !c.name.includes(c.visible))"""


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_control_names_contain_their_visible_labels(page, book_server, chromium):
    missing = chromium.run(facts_at_1300, f"{book_server}/{page.docname}.html")["missing"]
    # the playground's "−" and "+" are symbols, named by what they do
    missing = [m for m in missing if m["visible"] not in ("−", "+")]
    assert not missing, f"{page.slug}: names without their visible label: {missing[:5]}"


def forward_net_names(browser: Any, url: str) -> list[str]:
    with opened(browser, url) as page:
        return explorer(page, ".fwdnet-svg").locator("input[type=range]").evaluate_all(
            "(all) => all.map((s) => s.getAttribute('aria-label'))")


@pytest.mark.browser
def test_forward_net_sliders_are_named_like_their_labels(book_server, chromium):
    names = chromium.run(forward_net_names, url_of(book_server, "01_forward_pass"))
    assert "layer 1 weight w₁₁" in names and "layer 2 weight w₁₁" in names, names
    assert not [n for n in names if "[" in n], names


def learning_rate_values(browser: Any, url: str) -> list[tuple[str, str, str]]:
    with opened(browser, url) as page:
        field = explorer(page, ".pg-lr").locator(".pg-lr")
        rate = field.locator("input[type=range]")
        read = lambda: (rate.input_value(), rate.get_attribute("aria-valuetext"),  # noqa: E731
                        field.locator(".bp-slider-value").inner_text())
        seen = [read()]
        rate.focus()
        page.keyboard.press("ArrowRight")
        seen.append(read())
        return seen


@pytest.mark.browser
def test_learning_rate_slider_says_the_rate_not_its_index(book_server, chromium):
    seen = chromium.run(learning_rate_values, url_of(book_server, "07_training"))
    assert seen[0][0] != seen[1][0], "the slider did not move"
    for index, valuetext, shown in seen:
        assert valuetext == shown and valuetext != index, seen


def stepper_pills(browser: Any, url: str) -> list[list[dict]]:
    with opened(browser, url) as page:
        root = explorer(page, ".bp-bs-pills")
        read = ("(pills) => pills.map((p) => ({name: p.getAttribute('aria-label'),"
                " text: p.textContent, current: p.getAttribute('aria-current'),"
                " on: p.classList.contains('bp-bs-on')}))")
        seen = [root.locator(".bp-bs-pill").evaluate_all(read)]
        root.locator(".bp-bs-pill").nth(2).click()
        seen.append(root.locator(".bp-bs-pill").evaluate_all(read))
        return seen


@pytest.mark.browser
def test_stepper_pills_name_their_step_and_mark_the_current_one(book_server, chromium):
    seen = chromium.run(stepper_pills, url_of(book_server, "04_delta_recursion"))
    for current, pills in zip((0, 2), seen, strict=True):
        assert [p["current"] == "step" for p in pills] == [p["on"] for p in pills], pills
        assert pills[current]["current"] == "step", pills
        for k, pill in enumerate(pills):
            assert pill["name"] == f"step {k}: {pill['text']}", pill


def activation_radios(browser: Any, url: str) -> dict:
    with opened(browser, url) as page:
        root = explorer(page, ".bp-dn-radios")
        radios = root.locator("input[type=radio]")
        names = radios.evaluate_all("(all) => all.map((r) => r.name)")
        before = root.locator("input[type=radio]:checked").get_attribute("value")
        root.locator("input[type=radio]:checked").focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(50)
        after = root.locator("input[type=radio]:checked").get_attribute("value")
        controls = root.get_attribute("data-controls")
        return {"names": names, "before": before, "after": after, "controls": controls}


@pytest.mark.browser
def test_activation_radios_are_one_group(book_server, chromium):
    seen = chromium.run(activation_radios, url_of(book_server, "04_delta_recursion"))
    assert len(seen["names"]) == 3 and len(set(seen["names"])) == 1, seen["names"]
    assert seen["after"] != seen["before"], "ArrowRight did not move to the next activation"
    assert f'"activation":"{seen["after"]}"' in seen["controls"], seen


# ---- 4. the focus ring ------------------------------------------------------------------------

RING = """() => { const a = document.activeElement, card = a.closest('.bp-explorer');
  const style = getComputedStyle(a);
  return {tag: a.tagName, visible: a.matches(':focus-visible'), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), ring: style.outlineColor,
          card: getComputedStyle(card).backgroundColor}; }"""


def rgb(css: str) -> tuple[int, ...]:
    return tuple(int(float(v)) for v in re.findall(r"[\d.]+", css)[:3])


def focus_rings(browser: Any, url: str) -> tuple[str, list[dict]]:
    with opened(browser, url, theme="dark") as page:
        rings = []
        for kind in ("input[type=range]", "button", "select"):
            controls = page.locator(f".bp-explorer {kind}:visible")
            if controls.count() < 2:
                continue
            controls.first.focus()   # then Tab: the keyboard moves the focus, the ring shows
            page.keyboard.press("Tab")
            page.keyboard.press("Shift+Tab")
            rings.append(page.evaluate(RING))
        return page.evaluate("document.documentElement.dataset.theme"), rings


#: the ring is one rule of explorer.css for every explorer: read on the pages whose explorers
#: have sliders, buttons and selects between them
RING_PAGES = [page for page in PAGES if page.slug in ("01_forward_pass", "07_training")]


@pytest.mark.browser
@pytest.mark.parametrize("page", RING_PAGES, ids=[p.slug for p in RING_PAGES])
def test_focus_ring_stands_out_on_the_card_in_the_dark_theme(page, book_server, chromium):
    theme, rings = chromium.run(focus_rings, f"{book_server}/{page.docname}.html")
    assert theme == "dark" and rings
    for ring in rings:
        assert ring["visible"] and ring["style"] != "none" and ring["width"] >= 2, ring
        ratio = contrast(rgb(ring["ring"]), rgb(ring["card"]))
        assert ratio >= 3, f"{page.slug}: focus ring {ring['ring']} on {ring['card']}: {ratio:.2f}"


# ---- 5. not colour alone -----------------------------------------------------------------

EDGES = """() => Array.from(document.querySelectorAll(
    '.bp-explorer svg.fwdnet-svg line, .bp-explorer svg.bp-network line,'
    + ' .bp-explorer svg.bp-bs-net line'))
  .filter((l) => ['#0072B2', '#E69F00'].includes(l.getAttribute('stroke')))
  .map((l) => ({negative: l.getAttribute('stroke') === '#E69F00',
    title: l.textContent, dashed: !['', 'none'].includes(getComputedStyle(l).strokeDasharray)}))"""


def network_edges(browser: Any, url: str) -> dict:
    with opened(browser, url) as page:
        if page.locator(".bp-bs-pill").count():
            page.locator(".bp-bs-pill").nth(2).click()   # a step that colours its edges
        return {"edges": page.evaluate(EDGES),
                "legends": page.locator(".fwdnet-legend, .pg-fig figcaption").all_text_contents()}


@pytest.mark.browser
@pytest.mark.parametrize("slug", ["01_forward_pass", "04_delta_recursion", "07_training"])
def test_negative_weights_are_dashed_as_well_as_orange(slug, book_server, chromium):
    seen = chromium.run(network_edges, url_of(book_server, slug))
    edges = seen["edges"]
    assert {e["negative"] for e in edges} == {True, False}, "expected edges of both signs"
    for edge in edges:
        assert edge["dashed"] == edge["negative"], edge
        assert ("−" in edge["title"]) == edge["negative"], edge
    if slug != "04_delta_recursion":
        assert any("dashed" in text for text in seen["legends"]), seen["legends"]


POINTS = """() => Array.from(document.querySelector('.pg-boundary')
    .querySelectorAll('.pg-point')).map((p) => [p.getAttribute('fill'), p.tagName])"""


def class_markers(browser: Any, url: str) -> list[list[str]]:
    with opened(browser, url) as page:
        markers = [page.evaluate(POINTS)]
        select = page.locator(".pg-explorer select[aria-label=data]").first
        for option in select.evaluate("(s) => Array.from(s.options).map((o) => o.value)"):
            select.select_option(option)
            markers.append(page.evaluate(POINTS))
        return markers


@pytest.mark.browser
def test_playground_classes_have_marker_shapes(book_server, chromium):
    for points in chromium.run(class_markers, url_of(book_server, "07_training")):
        shapes: dict[str, set[str]] = {}
        for fill, shape in points:
            shapes.setdefault(fill, set()).add(shape)
        assert all(len(s) == 1 for s in shapes.values()), shapes
        assert len({next(iter(s)) for s in shapes.values()}) == len(shapes), shapes


# ---- 6. SVG text stays legible ----------------------------------------------------------------

TEXT_SIZES = """() => Array.from(document.querySelectorAll('.bp-explorer svg text'))
  .filter((t) => t.textContent.trim() && t.getScreenCTM())
  .map((t) => { const m = t.getScreenCTM();
    return {svg: t.ownerSVGElement.getAttribute('class'), text: t.textContent.slice(0, 20),
            px: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b)}; })"""

SCROLLS = """() => ({page: document.documentElement.scrollWidth,
  cards: Array.from(document.querySelectorAll('.bp-explorer')).map((c) => ({
    title: c.querySelector('.bp-title').textContent,
    scrolls: c.scrollWidth > c.clientWidth + 1,
    hinted: c.querySelector('.bp-scroll-hint').offsetParent !== null}))})"""


def text_sizes(browser: Any, url: str, width: int) -> dict:
    if width == 1300:
        return facts_at_1300(browser, url)
    with opened(browser, url, width=width) as page:
        return {"texts": page.evaluate(TEXT_SIZES), **page.evaluate(SCROLLS)}


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1300])
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_svg_text_is_legible_on_a_phone_and_a_desktop(page, width, book_server, chromium):
    seen = chromium.run(text_sizes, f"{book_server}/{page.docname}.html", width)
    assert seen["texts"]
    small = [t for t in seen["texts"] if t["px"] < 9]
    assert not small, f"{page.slug} at {width} px: text below 9 px: {small[:5]}"
    if width == 1300:
        plots = [t for t in seen["texts"] if "pg-" in (t["svg"] or "")]
        assert all(t["px"] >= 11 for t in plots), [t for t in plots if t["px"] < 11][:5]
    assert seen["page"] <= width, f"{page.slug} scrolls sideways at {width} px"
    # a card that scrolls sideways says so, and only such a card
    wrong = [c for c in seen["cards"] if c["scrolls"] != c["hinted"]]
    assert not wrong, f"{page.slug} at {width} px: scroll hint wrong for {wrong}"
