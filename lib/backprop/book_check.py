"""The book's own checks: the hidden cells that assert the numbers its text quotes.

Each such cell runs its asserts inside ``with book_check():``. The book's build and its tests
set ``BACKPROP_STRICT=1``: a check that fails is then an error that stops them, so a wrong
number never reaches a page. A learner who changed a cell above (the chapters invite it) gets
one line that says so instead, and "Run All" goes on to the exercises.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

#: the environment variable that makes a failing check an error (the build and the tests)
STRICT = "BACKPROP_STRICT"


@contextmanager
def book_check() -> Iterator[None]:
    """Run a check of the text's numbers: strict, it raises; otherwise it reports and goes on."""
    try:
        yield
    except Exception as exc:
        if os.environ.get(STRICT) == "1":
            raise
        detail = f": {exc}" if str(exc) else ""
        print(f"ⓘ The numbers in the text above assume its cells as written, and one check of "
              f"them did not hold ({type(exc).__name__}{detail}). Changed a cell? That is "
              "fine: the notebook runs on.")
