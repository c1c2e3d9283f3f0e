"""Every chapter notebook, live in JupyterLab: run all cells, then move each explorer.

JupyterLab runs on 127.0.0.1 (no token) over a temporary copy of ``chapters/`` (so nothing is
ever saved into the repository; autosave is off as well). For each notebook the test runs all
cells, checks that every code cell ran and that every explorer is live (the kernel answered
its ping, if only after running the cells below it), and then, for every widget output that
has a slider (an ``<input type="range">`` of an anywidget explorer, or the ``.noUi-handle`` of
an ipywidgets slider), focuses the first slider, presses ArrowRight (ArrowLeft if it sits at
its maximum) and asserts that the widget's visible text, SVG or images change. Kernels are
shut down after each notebook and the server at the end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import ROOT, SCREENSHOTS, book_pages, free_port

#: The notebooks that show explorers. The appendices have none: nbval runs them, and running
#: them again in JupyterLab would only repeat that (about 15 s of the suite).
NOTEBOOKS = [page.source for page in book_pages() if page.shows_explorers]

#: JupyterLab settings for the test: no autosave, every cell in the DOM (no windowing).
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}

#: The notebook on screen (JupyterLab keeps other documents in the DOM, hidden).
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

RUN_STATE = """() => {
  const cells = Array.from(document.querySelectorAll("PANEL .jp-CodeCell"));
  const prompt = (cell) => (cell.querySelector(".jp-InputArea-prompt") || {}).textContent || "";
  const source = (cell) => (cell.querySelector(".cm-content") || {}).textContent || "";
  return {
    cells: cells.length,
    running: cells.filter((c) => prompt(c).includes("*")).length,
    notRun: cells.filter((c) => source(c).trim() !== "" && !/\\[\\d+\\]/.test(prompt(c)))
      .map((c) => source(c).slice(0, 60)),
    errors: Array.from(document.querySelectorAll(
      'PANEL .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
      .map((e) => e.textContent).filter((t) => /Error|Traceback/.test(t))
      .map((t) => t.slice(-300)),
  };
}""".replace("PANEL", PANEL)

#: True once Run All has visibly started (a cell queued, running or numbered).
STARTED = """() => Array.from(document.querySelectorAll("PANEL .jp-InputArea-prompt"))
  .some((p) => /\\[(\\*|\\d+)\\]/.test(p.textContent))""".replace("PANEL", PANEL)

#: Outputs (widget views) that hold at least one slider.
EXPLORERS = f'{PANEL} .jp-OutputArea-output:has(input[type="range"], .noUi-handle)'

SNAPSHOT = """(output) => [
  output.innerText,
  ...Array.from(output.querySelectorAll("svg")).map((svg) => svg.outerHTML),
  ...Array.from(output.querySelectorAll("img")).map((img) => img.src),
  ...Array.from(output.querySelectorAll("canvas")).map((canvas) => canvas.toDataURL()),
].join("\\n")"""

AT_MAXIMUM = """(control) => control.tagName === "INPUT"
  ? Number(control.value) >= Number(control.max)
  : control.getAttribute("aria-valuenow") === control.getAttribute("aria-valuemax")"""


def _api(base: str, path: str, method: str = "GET") -> object:
    request = urllib.request.Request(f"{base}{path}", method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else None


def _shutdown_kernels(base: str) -> None:
    for kernel in _api(base, "/api/kernels"):
        _api(base, f"/api/kernels/{kernel['id']}", method="DELETE")


def _kernel_idle(base: str, name: str) -> bool:
    """True when the server knows a kernel for notebook ``name`` and it is idle.

    (The page's execution indicator is not used: it reads "idle" for a moment before the
    kernel has even started.)
    """
    return any(s["path"].endswith(name) and s["kernel"]["execution_state"] == "idle"
               for s in _api(base, "/api/sessions"))


def _wait(condition, seconds: float, message: str) -> None:
    """Poll ``condition()`` every 0.3 s; fail with ``message`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.3)


@pytest.fixture(scope="module")
def jupyterlab(chromium, tmp_path_factory) -> Iterator[str]:
    """JupyterLab on 127.0.0.1 over a copy of chapters/; yields its base URL."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "chapters"
    shutil.copytree(ROOT / "chapters", root,
                    ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
    (tmp / "lib").symlink_to(ROOT / "lib")  # for notebooks that read ../lib
    settings = tmp / "settings"
    for name, values in LAB_SETTINGS.items():
        target = settings / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces")}
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
        "--ServerApp.disable_check_xsrf=True", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # kernels talk over Unix sockets in the runtime directory: no TCP port to race for
        # with the kernels nbval and the book build start at the same time
        "--KernelManager.transport=ipc",
    ]
    log = tmp / "jupyterlab.log"
    with open(log, "w") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _api(base, "/api/status")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start: {log.read_text()[-2000:]}")
                time.sleep(0.3)
        yield base
    finally:
        try:
            _shutdown_kernels(base)
        except OSError:
            pass
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run_notebook(browser, base: str, name: str) -> dict:
    """Open notebook ``name`` in JupyterLab, run all cells, move each explorer's first slider.

    Runs in the browser's thread. Returns the run state after Run All (``RUN_STATE``) and, per
    explorer with a visible slider, the key pressed, what it showed before and whether that
    changed within 15 s. A screenshot goes to ``_build/screenshots/live-<name>.png``.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    result: dict = {"explorers": []}
    try:
        # ?reset: start from an empty workspace (no tab left from the previous notebook).
        page.goto(f"{base}/lab/tree/{name}?reset", wait_until="domcontentloaded")
        _wait(lambda: _kernel_idle(base, name), 90, f"{name}: the kernel did not start in 90 s")
        page.wait_for_selector(f"{PANEL} .jp-CodeCell", timeout=60_000)
        for attempt in range(3):  # a click that lands while the kernel reconnects is lost
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            try:
                page.wait_for_function(STARTED, timeout=10_000, polling=200)
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    raise

        def finished() -> bool:
            """Kernel idle and every non-empty code cell numbered (or a cell failed)."""
            state = page.evaluate(RUN_STATE)
            return (state["running"] == 0 and (not state["notRun"] or bool(state["errors"]))
                    and _kernel_idle(base, name))

        try:
            _wait(finished, 120, "")
        except AssertionError:
            pass  # the caller reports the cells that did not run
        result["state"] = page.evaluate(RUN_STATE)
        if result["state"]["notRun"]:
            return result
        # the kernel, busy with the cells below an explorer, may answer its ping after the
        # explorer went static; once the kernel is idle every explorer must have turned live
        static = f"{PANEL} .bp-explorer[data-mode='static']"
        try:
            page.wait_for_function(f"() => !document.querySelector(\"{static}\")",
                                   timeout=15_000, polling=200)
        except PlaywrightTimeout:
            pass
        result["static"] = page.locator(static).count()

        explorers = page.locator(EXPLORERS)
        for index in range(explorers.count()):
            output = explorers.nth(index)
            output.scroll_into_view_if_needed()
            controls = output.locator('input[type="range"], .noUi-handle').filter(visible=True)
            if controls.count() == 0:
                continue  # an explorer that shows no slider (e.g. a diagram-only view)
            control = controls.first
            before = output.evaluate(SNAPSHOT)
            key = "ArrowLeft" if control.evaluate(AT_MAXIMUM) else "ArrowRight"
            control.focus()
            control.press(key)
            try:
                page.wait_for_function(
                    f"([output, before]) => ({SNAPSHOT})(output) !== before",
                    arg=[output.element_handle(), before], timeout=15_000, polling=200)
                changed = True
            except PlaywrightTimeout:
                changed = False
            result["explorers"].append(
                {"index": index + 1, "key": key, "before": before[:200], "changed": changed})
        return result
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"live-{Path(name).stem}.png")
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook_runs_and_explorers_respond(chromium, jupyterlab: str, notebook: Path) -> None:
    """Run all cells in JupyterLab; moving each explorer's first slider changes what it shows."""
    try:
        result = chromium.run(run_notebook, jupyterlab, notebook.name)
    finally:
        _shutdown_kernels(jupyterlab)
    state = result["state"]
    assert state["cells"] > 0, f"{notebook.name}: no code cells found in JupyterLab"
    assert not state["notRun"], (
        f"{notebook.name}: cells did not run: {state['notRun']}; errors: {state['errors']}")
    assert not state["errors"], f"{notebook.name}: a cell printed an error: {state['errors']}"
    assert result["explorers"], (
        f"{notebook.name}: no explorer with a slider was found after Run All")
    assert result["static"] == 0, (
        f"{notebook.name}: {result['static']} explorer(s) still compute in the browser after "
        "Run All: the kernel's answer to their ping did not make them live")
    for explorer in result["explorers"]:
        assert explorer["changed"], (
            f"{notebook.name}: explorer {explorer['index']} did not change after "
            f"{explorer['key']} on its first slider; it shows: {explorer['before']!r}")
