"""Fixtures of the browser tests: the built book, a local server, headless Chromium.

- ``built_book``: builds the book once per test run with warnings as errors
  (``make book``: ``jupyter-book build . -W --keep-going --all``, executing every notebook
  again when ``lib/`` changed). Under pytest-xdist the first worker that needs it builds it
  and the others wait for that build. Set ``BOOK_BUILT=1`` to reuse an existing
  ``_build/html`` while working on the tests.
- ``chromium``: headless Chromium through Playwright, in a thread of its own
  (``browser_support.BrowserThread``; ``CHROMIUM`` overrides the path); the tests that need it
  skip with a one-line reason when it is not installed.
- ``book_renders_offline`` (automatic): a test that opens the built book in Chromium fails
  with one line saying that npm is needed when the book was built without ``node_modules/``.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, HTML, ROOT, BrowserThread, book_pages


@pytest.fixture(scope="session")
def built_book() -> Path:
    """``_build/html``, built with warnings as errors (once per test run)."""
    if os.environ.get("BOOK_BUILT") == "1" and (HTML / "index.html").is_file():
        return HTML
    # Each pytest-xdist worker has a session of its own. Two builds at once would share one
    # execution cache (and `make book` may delete it: the other build then fails on its
    # database), so the workers take turns, and a worker that gets the lock after another
    # worker of the same run has built the book uses that build. The run is known by its id
    # and by the process that started the workers: `--testrunuid` may fix the id for every run.
    uid = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")
    run = f"{uid} (pytest {os.getppid()})" if uid else ""
    built_by = ROOT / "_build" / ".built-by-test-run"
    built_by.parent.mkdir(exist_ok=True)
    with open(ROOT / "_build" / ".book-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = built_by.read_text() if built_by.is_file() else ""
        if run and done == run:
            return HTML
        if run and done == f"{run} failed":
            pytest.fail("the book does not build: see the first browser test that failed",
                        pytrace=False)
        built_by.write_text(f"{run} failed")         # until the build succeeds
        _make_book()
        built_by.write_text(run)
    return HTML


def _make_book() -> None:
    """Run `make book`, the same build as the reader's, and fail the test when it fails."""
    # `make book` also executes every notebook again when lib/ changed (the cached outputs
    # embed the explorers' front ends)
    returncode, output = _run_make_book()
    if returncode != 0 and "Kernel died" in output:
        # a kernel lost a race for a TCP port with one started beside it (see ../../conftest.py)
        returncode, output = _run_make_book()
    if returncode != 0:
        problems = [line for line in output.splitlines()
                    if re.search(r"WARNING:|ERROR:|Error:|Traceback", line)]
        pytest.fail("the book does not build with warnings as errors:\n"
                    + "\n".join(problems[:40] or output.splitlines()[-40:]), pytrace=False)


def _run_make_book(timeout_s: int = 1200) -> tuple[int, str]:
    """`make book`'s exit status and output. After `timeout_s` its whole process group is
    killed, make and jupyter-book (the kernels, in sessions of their own, watch their parent's
    process id and exit with it), so nothing of the build outlives the test run."""
    proc = subprocess.Popen(["make", "--no-print-directory", "book"], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        pytest.fail(f"`make book` took over {timeout_s} s and was stopped; its last lines:\n"
                    + "\n".join(output.splitlines()[-20:]), pytrace=False)
    return proc.returncode, output


@pytest.fixture(scope="session")
def book_server(built_book: Path) -> Iterator[str]:
    """``_build/html`` served on 127.0.0.1; yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[BrowserThread]:
    """Headless Chromium in its own thread (skips the test when it is not installed)."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    browser = BrowserThread(CHROMIUM, CHROMIUM_ARGS)
    yield browser
    browser.close()


@functools.cache
def loads_assets_from_a_cdn(html: Path) -> bool:
    """Whether a page of the book in ``html`` loads MathJax, require.js or the widget manager
    from a CDN, as a book built without ``node_modules/`` does (tools/offline_assets.py)."""
    return any("https://cdn.jsdelivr.net/npm/" in (html / f"{page.docname}.html").read_text(
        encoding="utf-8") for page in book_pages())


@pytest.fixture(autouse=True)
def book_renders_offline(request: pytest.FixtureRequest) -> None:
    """Fail a test that opens the built book in Chromium, with one clear line, when the book
    loads its assets from a CDN: the tests block every request that leaves the machine, so
    otherwise each of them fails on its maths, its widgets or its blocked requests."""
    if not {"chromium", "built_book"} <= set(request.fixturenames):
        return
    request.getfixturevalue("chromium")  # without Chromium the test skips, as it would anyway
    if loads_assets_from_a_cdn(request.getfixturevalue("built_book")):
        pytest.fail("the book was built without node_modules/, so its pages load MathJax, "
                    "require.js and the widget manager from a CDN, which the browser tests "
                    "block: install npm (Node.js; apt-get install nodejs npm), then run "
                    "`make book` again", pytrace=False)
