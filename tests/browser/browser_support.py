"""What the browser tests share: the book's pages, Chromium's settings, the network guard.

The static tests read the pages from ``_toc.yml`` and the live tests run every
``chapters/*.ipynb``, so adding a chapter needs no change here.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import queue
import re
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from backprop.widgets import Explorer

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
#: Whether the static-book tests save a full-page screenshot of every page (``SCREENSHOTS=1``):
#: seconds per long page, for a human eye only, so not on every run
FULL_PAGES = os.environ.get("SCREENSHOTS") == "1"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
BIN = Path(sys.executable).parent

#: Flags for a closed network: no background traffic, no sandbox (the tests may run as root).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
]

#: The error a Jupyter Book 1.0.4 page logs on a first visit; harmless (see DESIGN.md §6). The
#: other one listed there, "Identifier 'THEBE_JS_URL' has already been declared", is gone:
#: tools/scripts_once.py drops the repeated script.
KNOWN_PAGE_ERRORS = (
    "Got invalid theme mode",
)


@dataclass(frozen=True)
class Page:
    """A page of the book: its docname (``chapters/01_forward_pass``) and source file."""

    docname: str
    source: Path

    @property
    def html(self) -> Path:
        """The built page."""
        return HTML / f"{self.docname}.html"

    @property
    def is_notebook(self) -> bool:
        """Notebook pages carry launch and download buttons."""
        return self.source.suffix == ".ipynb"

    @property
    def slug(self) -> str:
        """A short name for test ids and screenshot files."""
        return Path(self.docname).name

    @property
    def shows_explorers(self) -> bool:
        """Whether the page shows explorers: its notebook imports an ``Explorer`` subclass
        from ``backprop.widgets``; a function or a constant from there (such as
        ``DEFAULT_WEIGHTS``) does not count."""
        if not self.is_notebook:
            return False
        cells = json.loads(self.source.read_text(encoding="utf-8"))["cells"]
        for source in (cell["source"] for cell in cells if cell["cell_type"] == "code"):
            try:
                tree = ast.parse("".join(source))
            except SyntaxError:                      # the bootstrap cell's %pip
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                        "backprop.widgets"):
                    module = importlib.import_module(node.module)
                    names = [getattr(module, alias.name, None) for alias in node.names]
                    if any(isinstance(c, type) and issubclass(c, Explorer) for c in names):
                        return True
        return False


def _toc_files(node: object) -> Iterator[str]:
    """Every ``file:``/``root:`` entry of a (nested) ``_toc.yml`` structure, in order."""
    if isinstance(node, dict):
        for key in ("root", "file"):
            if isinstance(node.get(key), str):
                yield node[key]
        for value in node.values():
            if isinstance(value, list | dict):
                yield from _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            yield from _toc_files(item)


def book_pages() -> list[Page]:
    """The pages of the book in table-of-contents order (only those whose source exists)."""
    toc = ROOT / "_toc.yml"
    if not toc.is_file():
        return []
    pages = []
    for docname in _toc_files(yaml.safe_load(toc.read_text(encoding="utf-8"))):
        docname = re.sub(r"\.(md|ipynb)$", "", docname)
        for suffix in (".ipynb", ".md"):
            if (ROOT / f"{docname}{suffix}").is_file():
                pages.append(Page(docname, ROOT / f"{docname}{suffix}"))
                break
    return pages


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_local(url: str) -> bool:
    """True for addresses that stay on this machine (127.0.0.1, file:, data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about", "chrome-error"):
        return True
    return parts.hostname == "127.0.0.1"


class Guard:
    """Blocks every request that would leave 127.0.0.1 and records page errors."""

    def __init__(self) -> None:
        self.blocked: list[str] = []
        self.errors: list[str] = []

    def route(self, route) -> None:
        """Playwright route handler: let local requests through, abort and record the rest."""
        if is_local(route.request.url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def on_page_error(self, error) -> None:
        self.errors.append(f"page error: {error}")

    def on_console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def unexpected_errors(self) -> list[str]:
        """Errors other than the known Jupyter Book one (and other than blocked requests,
        which ``blocked`` reports with their addresses)."""
        return [e for e in self.errors
                if not any(known in e for known in KNOWN_PAGE_ERRORS)
                and not (self.blocked and "net::ERR_FAILED" in e)]


def guarded_page(browser: Any, *, maths: bool = True) -> tuple[Any, Any, Guard]:
    """``(context, page, guard)``: a new 1280 × 900 page whose requests leaving 127.0.0.1 are
    aborted and whose errors the guard records. Close the context when done.

    ``maths=False`` serves an empty script for MathJax, so the page's formulas stay TeX: for
    tests of the explorers alone, which do not need the 1.5 s it takes MathJax to typeset a
    chapter (``test_static_book`` checks the maths; ``test_static_explorers`` keeps MathJax
    next to the explorers)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    guard = Guard()
    context.route("**/*", guard.route)
    if not maths:
        context.route("**/mathjax/**", lambda route: route.fulfill(
            status=200, content_type="text/javascript", body=""))
    page = context.new_page()
    page.on("pageerror", guard.on_page_error)
    page.on("console", guard.on_console)
    return context, page, guard


def store_theme(page: Any, theme: str) -> None:
    """Make ``page`` open in ``theme`` ("light" or "dark"), stored as a reader's choice is
    (``localStorage``) before the theme's script reads it."""
    page.add_init_script(f"localStorage.setItem('theme', '{theme}');"
                         f" localStorage.setItem('mode', '{theme}');")


class BrowserThread:
    """Headless Chromium driven from a thread of its own.

    Playwright's sync API allows one instance per thread, and other test modules may hold one
    in the main thread (a second ``sync_playwright()`` there fails), so this class starts
    Playwright in a dedicated thread: ``run(fn, *args)`` calls ``fn(browser, *args)`` there
    and returns its result, or raises its exception in the caller's thread.
    """

    def __init__(self, executable: str, args: list[str]) -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._started: queue.Queue = queue.Queue(maxsize=1)
        self._thread = threading.Thread(target=self._serve, args=(executable, args),
                                        name="chromium", daemon=True)
        self._thread.start()
        error = self._started.get(timeout=120)
        if error is not None:
            raise error

    def _serve(self, executable: str, args: list[str]) -> None:
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, args=args)
                self._started.put(None)
                while (job := self._jobs.get()) is not None:
                    fn, fn_args, reply = job
                    try:
                        reply.put((True, fn(browser, *fn_args)))
                    except BaseException as error:  # handed to the caller's thread
                        reply.put((False, error))
                browser.close()
        except BaseException as error:
            if self._started.empty():
                self._started.put(error)
            else:
                raise

    def run(self, fn: Callable[..., Any], *args: Any, timeout: float = 600) -> Any:
        """``fn(browser, *args)`` in the browser's thread; its result or its exception."""
        reply: queue.Queue = queue.Queue(maxsize=1)
        self._jobs.put((fn, args, reply))
        ok, value = reply.get(timeout=timeout)
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """Close the browser and stop the thread."""
        self._jobs.put(None)
        self._thread.join(timeout=30)
