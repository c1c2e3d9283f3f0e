"""Sphinx extension: a page embeds the state of the widgets it shows, and of no others.

nbclient records in a notebook's metadata the state of every widget that sent any while the
notebook ran, and never forgets one, even after ``close()``; myst-nb embeds all of it in the
page as ``<script type="application/vnd.jupyter.widget-state+json">``. The chapters create
explorers they never display (in loops, in the hidden cells that assert a worked example's
numbers, in "driven" examples), and each one came with its whole front end (``_esm`` and
``_css``, about 60 KB), which the widget manager then compiled for nothing: chapter 3 displayed
2 explorers and carried 12.

At ``html-page-context`` this keeps only the models of the page's widget views (the
``application/vnd.jupyter.widget-view+json`` scripts in its body) and, transitively, the
models they refer to as ``"IPY_MODEL_<id>"`` anywhere in their state (layout, style,
children) or show in their outputs (an ``Output`` widget's views), plus the links
(``jslink``, ``jsdlink``) between kept models, which no view shows but which act on the page.
A page that shows no widget loses the state script altogether.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from sphinx.application import Sphinx

STATE_TYPE = "application/vnd.jupyter.widget-state+json"
VIEW_TYPE = "application/vnd.jupyter.widget-view+json"
VIEW_SCRIPT = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S)
REFERENCE = "IPY_MODEL_"
#: Models that no view displays but that act between displayed ones (ipywidgets jslink, jsdlink).
LINKS = ("LinkModel", "DirectionalLinkModel")


def displayed_models(html: str) -> list[str]:
    """The model ids of the widget views in ``html``, in page order."""
    return [json.loads(view)["model_id"] for view in VIEW_SCRIPT.findall(html)]


def references(value: Any) -> Iterator[str]:
    """The model ids that ``value`` (a model's state, nested) names as ``IPY_MODEL_<id>``, or
    shows as a widget view inside its outputs (an ``Output`` widget's children)."""
    if isinstance(value, str):
        if value.startswith(REFERENCE):
            yield value[len(REFERENCE):]
    elif isinstance(value, dict):
        shown = value.get(VIEW_TYPE)
        if isinstance(shown, dict) and isinstance(shown.get("model_id"), str):
            yield shown["model_id"]
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def reachable(models: dict[str, Any], roots: list[str]) -> set[str]:
    """The ids of ``roots`` and of every model they refer to, directly or not."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        model_id = todo.pop()
        if model_id in seen:
            continue
        seen.add(model_id)
        if model_id in models:
            todo.extend(references(models[model_id].get("state", {})))
    return seen


def needed(models: dict[str, Any], roots: list[str]) -> set[str]:
    """What the views ``roots`` need: the models they reach, and the links between those."""
    kept = reachable(models, roots)
    return kept | {model_id for model_id, model in models.items()
                   if model.get("model_name") in LINKS
                   and set(references(model.get("state", {}))) <= kept}


def keep_shown_widgets(app: Sphinx, pagename: str, templatename: str,
                       context: dict[str, Any], doctree: Any) -> None:
    """Cut the page's widget state down to the models its widget views need."""
    scripts = context.get("script_files")
    if not scripts:
        return
    kept = []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        if attributes.get("type") != STATE_TYPE or getattr(script, "filename", None):
            kept.append(script)
            continue
        state = json.loads(attributes["body"])  # myst-nb's "<\/script>" is a JSON escape
        keep = needed(state["state"], displayed_models(context.get("body", "")))
        state["state"] = {k: v for k, v in state["state"].items() if k in keep}
        if state["state"]:
            # the same escape as myst-nb's sanitize_script_content
            body = json.dumps(state).replace("</script>", r"<\/script>")
            kept.append(type(script)(script.filename, priority=script.priority,
                                     **{**attributes, "body": body}))
    context["script_files"] = kept


def setup(app: Sphinx) -> dict[str, Any]:
    # after myst-nb's own handler, which adds the state script to the page (priority 500)
    app.connect("html-page-context", keep_shown_widgets, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
