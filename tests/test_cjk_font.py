"""The book's Chinese font (``_static/fonts/book-cjk.woff``, made by ``tools/cjk_font.py``)
has a glyph for every CJK character on the book's pages, and ``_static/book.css`` loads it for
exactly the ranges the tool cuts. (The browser tests check that pages with Chinese load it.)"""

from __future__ import annotations

import re
from pathlib import Path

import cjk_font
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent


def test_the_font_has_every_chinese_character_of_the_book():
    cmap = TTFont(cjk_font.FONT).getBestCmap()
    used = cjk_font.book_cjk_characters()
    assert len(used) > 100           # the glossary and the errata quote the notes at length
    missing = sorted(c for c in used if ord(c) not in cmap)
    assert not missing, (f"{len(missing)} characters have no glyph, e.g. {''.join(missing[:20])}: "
                         "run tools/cjk_font.py (see its docstring)")


def test_a_character_the_book_does_not_use_is_left_out():
    cmap = TTFont(cjk_font.FONT).getBestCmap()
    unused = sorted({chr(c) for c in range(0x4E00, 0x9FFF)} - cjk_font.book_cjk_characters())
    assert not any(ord(c) in cmap for c in unused[:2000])   # a subset, not the whole font


def test_the_stylesheet_loads_the_font_for_the_tools_ranges():
    css = (ROOT / "_static" / "book.css").read_text(encoding="utf-8")
    face = re.search(r"@font-face\s*{[^}]*\"Book CJK\"[^}]*}", css).group(0)
    assert 'url("fonts/book-cjk.woff")' in face
    ranges = re.search(r"unicode-range:\s*([^;]+);", face).group(1)
    assert ranges.replace(" ", "") == ",".join(
        f"U+{lo:04X}-{hi:04X}" for lo, hi in cjk_font.RANGES)
    assert '"Book CJK"' in re.search(r"--pst-font-family-base:([^;]+);", css).group(1)
