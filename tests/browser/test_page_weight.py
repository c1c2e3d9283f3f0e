"""What the built pages carry, read from the HTML files (no browser, a second or so).

- Each page's widget state (``application/vnd.jupyter.widget-state+json``) holds the models of
  the widget views it displays and the models those refer to (``IPY_MODEL_<id>``), and nothing
  else: nbclient records every widget a notebook created, displayed or not, and
  ``tools/widgets_shown.py`` drops the others (chapter 3 carried 12 explorers and showed 2).
- The widget manager's scripts are deferred, in their order, so they do not hold back the
  first paint.
- Every page names a favicon that exists (browsers otherwise ask for a missing /favicon.ico).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser_support import ROOT, book_pages

PAGES = book_pages()

STATE = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S)
VIEW = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S)
WIDGET_SCRIPTS = list(yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
                      ["sphinx"]["config"]["nb_ipywidgets_js"])


def _references(value: Any) -> Iterator[str]:
    """Model ids named as ``IPY_MODEL_<id>`` anywhere in ``value``."""
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        yield value.removeprefix("IPY_MODEL_")
    elif isinstance(value, dict):
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def widgets(html: str) -> tuple[dict[str, dict], list[str]]:
    """The page's embedded models by id, and the model ids of its widget views."""
    states = STATE.findall(html)
    assert len(states) <= 1, "more than one widget-state script"
    models = json.loads(states[0])["state"] if states else {}
    return models, [json.loads(view)["model_id"] for view in VIEW.findall(html)]


@pytest.mark.book
def test_pages_embed_the_state_of_the_widgets_they_show_and_no_other(built_book: Path) -> None:
    pages = [p for p in PAGES if "widget-view+json" in p.html.read_text(encoding="utf-8")]
    assert len(pages) >= 7, f"only {len(pages)} pages show widgets: did the markup change?"
    for page in pages:
        models, views = widgets(page.html.read_text(encoding="utf-8"))
        reached: set[str] = set()
        todo = list(views)
        while todo:
            model_id = todo.pop()
            if model_id in reached:
                continue
            assert model_id in models, f"{page.docname}: model {model_id} is not embedded"
            reached.add(model_id)
            todo += _references(models[model_id]["state"])
        links = {m for m, model in models.items()  # jslink: acts between shown widgets
                 if model["model_name"] in ("LinkModel", "DirectionalLinkModel")
                 and set(_references(model["state"])) <= reached}
        unused = sorted(set(models) - reached - links)
        assert not unused, (
            f"{page.docname}: {len(unused)} embedded models no view shows: "
            + ", ".join(f"{models[m]['model_name']} {m}" for m in unused[:5]))
        # exactly the explorers on show: one AnyModel per view, none hidden
        explorers = {m for m, model in models.items() if model["model_name"] == "AnyModel"}
        assert explorers == set(views), (page.docname, len(explorers), len(views))


@pytest.mark.book
def test_widget_scripts_are_deferred_in_their_order(built_book: Path) -> None:
    for page in PAGES:
        html = page.html.read_text(encoding="utf-8")
        if "widget-view+json" not in html:
            continue
        tags = [tag for tag in re.findall(r"<script [^>]*>", html)
                if any(f"/_static/{path}?" in tag for path in WIDGET_SCRIPTS)]
        assert [next(p for p in WIDGET_SCRIPTS if f"/{p}?" in t) for t in tags] == WIDGET_SCRIPTS
        blocking = [tag for tag in tags if 'defer="defer"' not in tag]
        assert not blocking, f"{page.docname}: scripts that block the first paint: {blocking}"


@pytest.mark.book
def test_every_page_names_a_favicon_that_exists(built_book: Path) -> None:
    pages = [p for p in built_book.rglob("*.html")
             if not p.relative_to(built_book).parts[0].startswith(("_", "."))]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in html.lower():
            continue  # index.html only redirects to the landing page
        icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
        assert icons, f"{page.relative_to(built_book)} has no favicon"
        assert all((page.parent / icon).is_file() for icon in icons), (page, icons)
