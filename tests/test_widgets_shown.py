"""tools/widgets_shown.py on a made-up page: which widget models a page keeps.

The built chapters are checked in ``tests/browser/test_page_weight.py``; this covers what they
do not contain: nested children, links between widgets, a page that shows no widget, and a
``</script>`` inside a model's state.
"""

from __future__ import annotations

import json

import widgets_shown
from sphinx.builders.html._assets import _JavaScript


def model(name: str, **state: object) -> dict:
    return {"model_name": name, "model_module": "m", "model_module_version": "1", "state": state}


STATE = {
    "version_major": 2, "version_minor": 0,
    "state": {
        "box": model("VBoxModel", children=["IPY_MODEL_a", "IPY_MODEL_b"], layout="IPY_MODEL_l1"),
        "a": model("IntSliderModel", layout="IPY_MODEL_l2", description="</script>"),
        "b": model("IntSliderModel", layout="IPY_MODEL_l3"),
        "l1": model("LayoutModel"), "l2": model("LayoutModel"), "l3": model("LayoutModel"),
        "link": model("LinkModel", source=["IPY_MODEL_a", "value"],
                      target=["IPY_MODEL_b", "value"]),
        "hidden": model("AnyModel", layout="IPY_MODEL_l4", _esm="x" * 1000),
        "l4": model("LayoutModel"),
        "stray_link": model("LinkModel", source=["IPY_MODEL_a", "value"],
                            target=["IPY_MODEL_hidden", "value"]),
        "out": model("OutputModel", outputs=[{"output_type": "display_data", "data": {
            "application/vnd.jupyter.widget-view+json": {"model_id": "inner"}}}]),
        "inner": model("IntSliderModel", layout="IPY_MODEL_l5"),
        "l5": model("LayoutModel"),
    },
}


def view(model_id: str) -> str:
    return ('<script type="application/vnd.jupyter.widget-view+json">'
            + json.dumps({"version_major": 2, "version_minor": 0, "model_id": model_id})
            + "</script>")


def render(body: str) -> list:
    """The page's scripts after the extension ran on a page whose body is ``body``."""
    state = _JavaScript(None, type=widgets_shown.STATE_TYPE,
                        body=json.dumps(STATE).replace("</script>", r"<\/script>"))
    context = {"body": body, "script_files": [_JavaScript("a.js"), state, _JavaScript("b.js")]}
    widgets_shown.keep_shown_widgets(None, "page", "page.html", context, None)
    return context["script_files"]


def test_keeps_the_shown_widgets_what_they_refer_to_and_their_links() -> None:
    scripts = render("<p>text</p>" + view("box"))
    assert [s.filename for s in scripts] == ["a.js", None, "b.js"]
    body = scripts[1].attributes["body"]
    assert "</script>" not in body and r"<\/script>" in body
    kept = json.loads(body)
    assert set(kept["state"]) == {"box", "a", "b", "l1", "l2", "l3", "link"}
    assert kept["state"]["a"] == STATE["state"]["a"] and kept["version_major"] == 2
    assert scripts[1].attributes["type"] == widgets_shown.STATE_TYPE


def test_one_slider_keeps_its_layout_only() -> None:
    kept = json.loads(render(view("b"))[1].attributes["body"])
    assert set(kept["state"]) == {"b", "l3"}


def test_an_output_widget_keeps_the_widgets_it_shows() -> None:
    kept = json.loads(render(view("out"))[1].attributes["body"])
    assert set(kept["state"]) == {"out", "inner", "l5"}


def test_a_page_that_shows_no_widget_drops_the_state() -> None:
    assert [s.filename for s in render("<p>none</p>")] == ["a.js", "b.js"]
