"""Interactive explorers (anywidget) shown in the chapters.

Each explorer is a Python class whose state is computed by the library and drawn by a plain
JavaScript front end beside it; see :mod:`backprop.widgets._base`.
"""

from backprop.widgets._base import Explorer

__all__ = ["Explorer"]
