"""``tools/math_punctuation.py``: inline maths and what is written against it (punctuation, a
suffix) go into one ``math-nowrap`` span; spaces, and what lies beyond them, stay outside.
(The browser tests check on a phone that no such span breaks across lines.)"""

from __future__ import annotations

import math_punctuation
from docutils import nodes


def paragraph(*pieces: str | nodes.math) -> nodes.paragraph:
    para = nodes.paragraph()
    for piece in pieces:
        para += nodes.Text(piece) if isinstance(piece, str) else piece
    return para


def layout(node: nodes.Node) -> list:
    """The paragraph as a list: text as strings, maths as ('$', tex), a wrapper as a list."""
    out = []
    for child in node.children:
        if isinstance(child, nodes.Text):
            out.append(str(child))
        elif isinstance(child, nodes.math):
            out.append(("$", child.astext()))
        else:
            assert child["classes"] == ["math-nowrap"]
            out.append(layout(child))
    return out


def wrapped(para: nodes.paragraph) -> list:
    for math in list(para.findall(nodes.math)):
        math_punctuation.keep_with_punctuation(math)
    return layout(para)


def test_brackets_and_commas_against_the_maths_join_it():
    para = paragraph("the layer (", nodes.math(text="Y = XW + b"), "), then ",
                     nodes.math(text="L"), ", and ", nodes.math(text="z^l"), ".")
    assert wrapped(para) == [
        "the layer ", ["(", ("$", "Y = XW + b"), "),"], " then ",
        [("$", "L"), ","], " and ", [("$", "z^l"), "."]]


def test_maths_with_spaces_around_it_is_left_alone():
    para = paragraph("so ", nodes.math(text="a"), " is ", nodes.math(text="b"), "")
    assert wrapped(para) == ["so ", ("$", "a"), " is ", ("$", "b"), ""]


def test_a_suffix_goes_with_the_maths_and_chinese_does_not():
    para = paragraph("the ", nodes.math(text="i"), "-th term of an ", nodes.math(text="L"),
                     "-layer net, 暂将", nodes.math(text="y=x"), "函数")
    assert wrapped(para) == ["the ", [("$", "i"), "-th"], " term of an ",
                             [("$", "L"), "-layer"], " net, 暂将", ("$", "y=x"), "函数"]


def test_maths_first_in_a_paragraph_takes_nothing_from_its_end():
    # index 0 has no text before it: the "(" at the paragraph's end belongs to the last maths
    para = paragraph(nodes.math(text="x"), " then (", nodes.math(text="y"), ")")
    assert wrapped(para) == [("$", "x"), " then ", ["(", ("$", "y"), ")"]]


def test_equal_text_nodes_are_told_apart_by_position():
    # text nodes are strings: cutting the second ", " must not touch the first one
    para = paragraph(", ", nodes.math(text="x"), ", ", nodes.math(text="y"), ",")
    assert wrapped(para) == [", ", [("$", "x"), ","], " ", [("$", "y"), ","]]


def test_maths_between_two_punctuation_runs_takes_both_and_keeps_the_rest():
    para = paragraph("(see “", nodes.math(text="f'"), "”); the rest")
    assert wrapped(para) == ["(see ", ["“", ("$", "f'"), "”);"], " the rest"]


def bold(*pieces: str | nodes.math) -> nodes.strong:
    phrase = nodes.strong()
    for piece in pieces:
        phrase += nodes.Text(piece) if isinstance(piece, str) else piece
    return phrase


def beside_phrase(para: nodes.paragraph) -> list[str]:
    """What ``punctuation_beside_phrase`` finds for each maths, after the wrapping."""
    maths = list(para.findall(nodes.math))
    for math in maths:
        math_punctuation.keep_with_punctuation(math)
    return [math_punctuation.punctuation_beside_phrase(math) for math in maths]


def test_punctuation_after_a_bold_phrase_ending_with_maths_is_found():
    para = paragraph("and ")
    para += bold("column ", nodes.math(text="j"), " holds the weights into neuron ",
                 nodes.math(text="j"))
    para += nodes.Text(": then")
    assert beside_phrase(para) == ["", ":"]


def test_a_bracket_before_a_phrase_starting_with_maths_is_found_even_when_wrapped():
    # inside the phrase "(" already joined the maths: the wrapper is the phrase's edge
    para = paragraph("see (")
    para += bold("“", nodes.math(text="x"), " is")
    para += nodes.Text(")")
    assert beside_phrase(para) == ["("]


def test_a_phrase_ending_with_a_word_or_followed_by_a_space_is_fine():
    para = paragraph("so ")
    para += bold("the weights into neuron ", nodes.math(text="j"), " form column j")
    para += nodes.Text(": then ")
    para += bold(nodes.math(text="k"))
    para += nodes.Text(" is")
    assert beside_phrase(para) == ["", ""]
