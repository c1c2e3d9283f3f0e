"""The book's own Chinese font: the glyphs its pages use, cut from Noto Sans CJK SC.

The source notes are Chinese, and the book quotes them (the glossary, the errata, a few terms
in the chapters). A reader's system may have no Chinese font at all (many minimal Linux
installs, this book's test machine), and the pages would show empty boxes. So the book ships
the few hundred characters it uses, about 50 kB, as ``_static/fonts/book-cjk.woff``, which
``_static/book.css`` loads for the CJK ranges only (``unicode-range``).

Run this after adding Chinese text to a chapter (``tests/test_cjk_font.py`` fails until then)::

    apt-get install fonts-noto-cjk
    .venv/bin/python tools/cjk_font.py

Noto Sans CJK is licensed under the SIL Open Font License 1.1 (``_static/fonts/OFL.txt``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "_static" / "fonts" / "book-cjk.woff"
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_NAME = "Noto Sans CJK SC"
#: the CJK blocks (radicals to unified ideographs), CJK punctuation and full-width forms;
#: the same ranges as the ``unicode-range`` of the font face in ``_static/book.css``
RANGES = ((0x2E80, 0x9FFF), (0x3000, 0x303F), (0xFF00, 0xFFEF))


def is_cjk(char: str) -> bool:
    return any(lo <= ord(char) <= hi for lo, hi in RANGES)


def book_sources(root: Path = ROOT) -> list[Path]:
    """Every file whose text becomes a page: the chapters (notebooks, Markdown) and intro."""
    chapters = root / "chapters"
    return sorted([*chapters.glob("*.ipynb"), *chapters.glob("*.md"), root / "intro.md"])


def book_cjk_characters(root: Path = ROOT) -> set[str]:
    """The CJK characters the book's pages use."""
    return {c for path in book_sources(root) for c in path.read_text(encoding="utf-8")
            if is_cjk(c)}


def main() -> None:
    collection = TTCollection(str(SOURCE))
    font = next(f for f in collection.fonts if f["name"].getDebugName(4) == SOURCE_NAME)
    chars = book_cjk_characters()
    options = subset.Options()
    options.flavor = "woff"          # zlib: needs no brotli, unlike woff2
    options.layout_features = []     # no vertical forms or other OpenType features needed
    options.name_IDs = ["*"]         # keep the copyright and licence entries
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    FONT.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = "woff"
    font.save(str(FONT))
    print(f"{FONT.relative_to(ROOT)}: {len(chars)} characters, {FONT.stat().st_size} bytes")


if __name__ == "__main__":
    sys.exit(main())
