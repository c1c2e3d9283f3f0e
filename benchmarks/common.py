"""Helpers shared by the benchmark scripts: the repository's paths and the explorers."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
TESTS = ROOT / "tests"


def explorer_classes() -> list[type]:
    """Every ``Explorer`` subclass defined in ``backprop.widgets`` (sorted by name)."""
    import backprop.widgets
    from backprop.widgets import Explorer

    for info in pkgutil.iter_modules(backprop.widgets.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"backprop.widgets.{info.name}")
    found, todo = [], list(Explorer.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("backprop.widgets."):
            found.append(cls)
    return sorted(found, key=lambda c: c.__name__)
