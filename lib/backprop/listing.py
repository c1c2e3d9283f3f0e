"""Listings of the library's own code, shown by the chapters.

A chapter that wants the reader to see how the library does something shows the function or
class itself, read from the installed module, so the listing is always the code that runs. The
result is Markdown (a fenced Python block per object): the built book renders it as highlighted
code, and so do JupyterLab, Binder and Colab, where a Sphinx ``literalinclude`` directive would
show only its options.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from typing import Any

from IPython.display import Markdown


def source_block(obj: Any) -> str:
    """The source of one function, method or class as a fenced Python code block.

    A method's source is dedented to the left margin, as it would be read on its own.
    """
    try:
        code = inspect.getsource(obj)
    except (OSError, TypeError) as exc:
        raise TypeError(f"show_source: no Python source for {obj!r} ({exc}); pass a function, "
                        "method or class of the backprop library") from None
    # a fence longer than any run of backticks in the code (a docstring may hold ```)
    fence = "`" * max(3, 1 + max(map(len, re.findall("`+", code)), default=0))
    return f"{fence}python\n{textwrap.dedent(code).rstrip()}\n{fence}"


def show_source(*objects: Any) -> Markdown:
    """The source of each object, one highlighted block after the other, for a notebook cell.

    Examples
    --------
    >>> from backprop.scalar import Value
    >>> show_source(Value.__add__, Value.__mul__)   # doctest: +SKIP
    """
    if not objects:
        raise TypeError("show_source: pass at least one function, method or class")
    return Markdown("\n\n".join(source_block(obj) for obj in objects))
