"""The book's skeleton: clean, launchable notebooks, a complete table of contents, pinned files.

Fast checks that need no build (the build itself, with warnings as errors, and the rendered
pages are tested in ``tests/browser/``): every chapter notebook is stored without outputs,
runs on the ``python3`` kernel and starts with the Colab bootstrap cell that installs the
library from the repository named in ``_config.yml``, and lists library code with a code cell
that a notebook can run (not a Sphinx directive); every page under ``chapters/`` is in
``_toc.yml`` and every entry of ``_toc.yml`` exists; ``requirements.txt``, ``runtime.txt`` and
the npm files pin exact versions, and the ``anywidget`` front end the book serves is the
version of the Python package.
"""

from __future__ import annotations

import ast
import json
import re
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace

import margin_notes
import offline_assets
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))

#: The first code cell of every notebook (Colab does not read requirements.txt).
BOOTSTRAP = """\
# Colab does not read requirements.txt: install the library there. Anywhere else, a missing
# library means another kernel than the book's: stop and say so rather than install.
import sys

try:
    import backprop
except ImportError:
    if "google.colab" not in sys.modules:
        raise ImportError("backprop is not installed for this kernel: choose the book's kernel "
                          "(make lab), or run pip install -e . in the repository") from None
    %pip install -q "git+{url}\""""


def _toc_docnames(node: object) -> list[str]:
    """Every ``root``/``file`` entry of ``_toc.yml``, without suffix."""
    names: list[str] = []
    if isinstance(node, dict):
        for key in ("root", "file"):
            if isinstance(node.get(key), str):
                names.append(re.sub(r"\.(md|ipynb)$", "", node[key]))
        for value in node.values():
            if isinstance(value, list | dict):
                names += _toc_docnames(value)
    elif isinstance(node, list):
        for item in node:
            names += _toc_docnames(item)
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_clean_and_starts_with_the_colab_bootstrap(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["metadata"].get("kernelspec", {}).get("name") == "python3", path.name
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    stored = [i for i, cell in enumerate(code) if cell.get("outputs") or cell["execution_count"]]
    assert not stored, f"{path.name}: code cells {stored} have stored outputs (clear them)"
    assert code, f"{path.name} has no code cell"
    first = code[0]
    expected = BOOTSTRAP.format(url=CONFIG["repository"]["url"])
    assert "".join(first["source"]).strip() == expected, (
        f"{path.name}: the first code cell must be the Colab bootstrap cell:\n{expected}")
    assert "remove-cell" in first["metadata"].get("tags", []), (
        f"{path.name}: tag the bootstrap cell remove-cell")
    assert first["metadata"].get("jupyter", {}).get("source_hidden") is True, (
        f"{path.name}: fold the bootstrap cell in JupyterLab (jupyter.source_hidden): it is "
        "the first code a learner sees there")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_library_code_is_listed_by_a_cell_not_a_directive(path: Path) -> None:
    """JupyterLab, Binder and Colab show a ``literalinclude`` directive as its bare options."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    directives = [i for i, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "markdown"
                  and "{literalinclude}" in "".join(cell["source"])]
    assert not directives, (f"{path.name}: cells {directives} list library code with "
                            "literalinclude; use backprop.listing.show_source in a code cell")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_hidden_checks_stop_the_build_not_a_learner(path: Path) -> None:
    """A hidden cell that asserts the text's numbers runs inside ``with book_check():``."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    bare = [i for i, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "code"
            and "remove-input" in cell["metadata"].get("tags", [])
            and "assert" in "".join(cell["source"])
            and not "".join(cell["source"]).startswith("with book_check():")]
    assert not bare, f"{path.name}: hidden check cells {bare} are not inside book_check()"


#: A margin note: raw HTML that JupyterLab shows as a framed, titled remark and Sphinx passes
#: through as the theme's margin note (tools/margin_notes.py drops the frame there); the blank
#: lines make both parse the body between as Markdown.
MARGIN_NOTE = re.compile(re.escape(margin_notes.OPENING) + r'\n<p class="sidebar-title"><strong>'
                         r'[^<\n]+</strong></p>\n\n(?:.*\n)+?\n</aside>(?:\n|$)')


#: MyST syntax that JupyterLab shows as its source: a directive fence, a role, a target line.
MYST_ONLY = re.compile(r"^(?::{3,}|`{3,})\{[\w-]+\}|\{[\w:-]+\}`|^\([\w-]+\)=$", re.M)
#: What to write instead, so that JupyterLab and the website both typeset it.
INSTEAD = {"ref": "a link [text](#label)", "margin": "a margin note as an aside (README)",
           "list-table": "a pipe table (join a cell's paragraphs with <br>)",
           "(label)=": '<div id="label"></div> and a blank line above the heading'}
#: A section label (tools/html_anchors.py): an empty div, a blank line, then the heading. A
#: heading right below the div would be read as part of its block of HTML.
LABEL = re.compile(r'^<div id="[\w-]+"></div>$(?!\n\n#)', re.M)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_markdown_is_typeset_by_jupyterlab_too(path: Path) -> None:
    """No MyST directive or role (JupyterLab shows their source), and margin notes laid out
    so that both JupyterLab and MyST parse their body as Markdown. A ``[text](#label)`` link
    shows its text in JupyterLab and is resolved by MyST on the website like ``{ref}``."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(notebook["cells"]):
        text = "".join(cell["source"])
        if cell["cell_type"] != "markdown":
            continue
        myst = [m.group() for m in MYST_ONLY.finditer(text)]
        assert not myst, (f"{path.name}, cell {i} uses {myst}; write "
                          + "; ".join(f"{k}: {v}" for k, v in INSTEAD.items()))
        unlabelled = LABEL.findall(text)
        assert not unlabelled, f"{path.name}, cell {i}: write a blank line, then the heading, " \
                               f"below {unlabelled}"
        titled = re.findall(r"\[\d+\.\d+ [^]]*\]\(#", text)
        assert not titled, f"{path.name}, cell {i}: link a numbered section as [§N.N](#label)"
        assert text.count("<aside") == len(MARGIN_NOTE.findall(text)), (
            f"{path.name}, cell {i}: a margin note must read\n"
            f'{margin_notes.OPENING}\n<p class="sidebar-title"><strong>Title</strong></p>'
            "\n\nMarkdown body\n\n</aside>")


def _markdown_of(path: Path) -> str:
    """Every Markdown cell of a notebook, one after the other."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


def test_section_links_carry_their_sections_numbers() -> None:
    """Every ``[§N.N](#label)`` in a notebook (a chapter, an appendix) links the section
    numbered N.N: a section label ``<div id="label"></div>`` above its heading ``## N.N Title``."""
    sections = {}
    for path in NOTEBOOKS:
        sections.update(re.findall(r'^<div id="([\w-]+)"></div>\n\n## (\d+\.\d+) ',
                                   _markdown_of(path), re.M))
    links = [(path.name, number, label) for path in NOTEBOOKS
             for number, label in re.findall(r"\[§(\d+\.\d+)\]\(#([\w-]+)\)", _markdown_of(path))]
    wrong = [f"{name}: [§{number}](#{label})" for name, number, label in links
             if sections.get(label) != number]
    assert len(links) > 100 and not wrong, f"links whose number is not their section's: {wrong}"


#: the widest code line a code cell shows without a scroll bar at the book's width (1300 px)
CODE_COLUMNS = 79


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_shown_code_fits_the_column(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    wide = [(i, line) for i, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "code"
            and not {"remove-input", "remove-cell"} & set(cell["metadata"].get("tags", []))
            for line in "".join(cell["source"]).splitlines() if len(line) > CODE_COLUMNS]
    assert not wide, f"{path.name}: lines wider than {CODE_COLUMNS} columns scroll: {wide}"


#: the widest line a listing of library code shows without a scroll bar: book.css sets it in
#: 12.8 px against a code cell's 14 px, so 79 × 14 / 12.8 ≈ 86 columns fit at the book's width
LISTING_COLUMNS = 86


def _imports(notebook: dict) -> dict:
    """A namespace with every name the notebook's code cells import (they import at the top
    level, mostly in the set-up cell); cells that are not plain Python are skipped."""
    namespace: dict = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse("".join(cell["source"]))
        except SyntaxError:                      # the bootstrap cell's %pip
            continue
        imports = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
        exec(compile(ast.Module(imports, []), "<imports>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_listed_library_code_fits_the_column(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    namespace = _imports(notebook)
    calls = ["".join(cell["source"]) for cell in notebook["cells"]
             if cell["cell_type"] == "code" and "show_source(" in "".join(cell["source"])]
    wide = [line for call in calls for line in eval(call, namespace).data.splitlines()
            if len(line) > LISTING_COLUMNS]
    assert not wide, (f"{path.name}: listed library lines wider than {LISTING_COLUMNS} columns "
                      f"scroll; wrap them in the library: {wide}")


def test_table_of_contents_lists_every_page_that_exists() -> None:
    toc = _toc_docnames(yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8")))
    missing = [name for name in toc
               if not any((ROOT / f"{name}{suffix}").is_file() for suffix in (".ipynb", ".md"))]
    assert not missing, f"_toc.yml lists pages that do not exist: {missing}"
    pages = sorted(f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("*")
                   if p.suffix in (".ipynb", ".md"))
    absent = [page for page in pages if page not in toc]
    assert not absent, f"pages under chapters/ that _toc.yml does not list: {absent}"


def test_environment_files_pin_exact_versions() -> None:
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines[-1] == "-e .", "requirements.txt must end with `-e .` (Binder installs it)"
    loose = [line for line in lines[:-1] if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+",
                                                             line)]
    assert not loose, f"requirements.txt lines not pinned with ==: {loose}"
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"


def test_npm_assets_are_pinned_and_match_the_python_packages() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    for name, pinned in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), f"package.json: {name} {pinned} not exact"
        assert lock["packages"][f"node_modules/{name}"]["version"] == pinned, name
    assert package["dependencies"]["anywidget"] == version("anywidget"), (
        "the anywidget front end served by the book must be the Python package's version")


def test_widget_scripts_keep_their_attributes_on_the_cdn(monkeypatch) -> None:
    """Built without node_modules/, the widget scripts come from a CDN, still deferred and in
    the same order (tools/offline_assets.py)."""
    monkeypatch.setattr(offline_assets, "local_assets_ready", lambda: False)
    settings = CONFIG["sphinx"]["config"]
    config = SimpleNamespace(mathjax_path=settings["mathjax_path"],
                             nb_ipywidgets_js=dict(settings["nb_ipywidgets_js"]))
    offline_assets.use_cdn_when_offline_assets_missing(None, config)
    assert config.mathjax_path.startswith("https://")
    scripts = list(config.nb_ipywidgets_js.items())
    assert len(scripts) == len(settings["nb_ipywidgets_js"])
    for (path, attrs), (local, local_attrs) in zip(scripts, settings["nb_ipywidgets_js"].items(),
                                                   strict=True):
        assert path.startswith("https://") or path == local, path
        assert local_attrs.items() <= attrs.items(), (path, attrs)
        assert attrs.get("defer") == "defer", (path, attrs)
