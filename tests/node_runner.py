"""Run one of the explorers' ES modules in Node.js, for the tests that compare JS with Python.

``run_module(folder, "ui", RUNNER, payload)`` copies ``backprop/widgets/ui.js`` into ``folder``
as ``ui.mjs`` beside the test's ``RUNNER`` script (which imports ``./ui.mjs``, reads the
payload from stdin and prints JSON), runs it once and returns the parsed output.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib import resources
from pathlib import Path

NODE = shutil.which("node")


def run_module(folder: Path, module: str, runner: str, payload: str) -> object:
    """The JSON that ``runner`` prints with ``module``.mjs beside it and ``payload`` on stdin."""
    source = resources.files("backprop.widgets").joinpath(f"{module}.js").read_text("utf-8")
    (folder / f"{module}.mjs").write_text(source, encoding="utf-8")
    (folder / "runner.mjs").write_text(runner, encoding="utf-8")
    proc = subprocess.run([NODE, "runner.mjs"], input=payload, capture_output=True, text=True,
                          cwd=folder, timeout=60, check=False)
    assert proc.returncode == 0, f"node failed:\n{proc.stderr}"
    return json.loads(proc.stdout)
