"""Whole-book execution: run every chapter notebook top to bottom with nbclient.

Each notebook runs in a fresh ``python3`` kernel with ``chapters/`` as working directory; the
time is wall time including the kernel's start, as a reader (or the book build) meets it.
"""

from __future__ import annotations

import time

import nbformat
from common import CHAPTERS
from nbclient import NotebookClient


def measure() -> dict[str, float]:
    """Seconds per notebook, in file order."""
    seconds = {}
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       # not the kernel's start-up warning about TCP on 127.0.0.1, once a notebook
                       extra_arguments=["--IPKernelApp.log_level=ERROR"],
                       resources={"metadata": {"path": str(CHAPTERS)}}).execute()
        seconds[path.name] = time.perf_counter() - start
    return seconds


def run() -> dict[str, float]:
    seconds = measure()
    print(f"{'notebook':<36} {'seconds':>8}")
    for name, s in seconds.items():
        print(f"{name:<36} {s:>8.2f}")
    total = sum(seconds.values())
    print(f"{'all ' + str(len(seconds)) + ' notebooks':<36} {total:>8.2f}")
    return {"book_exec_s": total}


if __name__ == "__main__":
    for key, value in run().items():
        print(key, f"{value:.3f}")
