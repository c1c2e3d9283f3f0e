"""The book's own checks: the hidden cells that assert the numbers its text quotes.

Each such cell runs its asserts inside ``with book_check():``. The book's build and its tests
set ``BACKPROP_STRICT=1``: a check that fails is then an error that stops them, so a wrong
number never reaches a page. A learner who changed a cell above (the chapters invite it) gets
a short note that says so instead, and "Run All" goes on to the exercises.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager

#: the environment variable that makes a failing check an error (the build and the tests)
STRICT = "BACKPROP_STRICT"
#: width of the note's lines: a notebook's output wraps long lines anywhere, even inside words
WIDTH = 88


@contextmanager
def book_check() -> Iterator[None]:
    """Run a check of the text's numbers: strict, it raises; otherwise it reports and goes on."""
    try:
        yield
    except Exception as exc:
        if os.environ.get(STRICT) == "1":
            raise
        detail = f": {exc}" if str(exc) else ""
        for line in (f"Note: one check of the numbers in the text above did not hold "
                     f"({type(exc).__name__}{detail}).",
                     "Changed a cell above? Then this is expected, and the notebook runs on."):
            print(textwrap.fill(line, WIDTH, break_long_words=False, break_on_hyphens=False))
