"""``backprop.listing``: the chapters' listings are the library's source, read from its files."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from IPython.display import Markdown

import backprop.layers
import backprop.scalar
from backprop.layers import ReLU, Sigmoid
from backprop.listing import show_source, source_block
from backprop.scalar import Value


def _blocks(markdown: Markdown) -> list[list[str]]:
    """The lines inside each fenced Python block of ``markdown``, checking the fences."""
    blocks, current = [], None
    for line in markdown.data.splitlines():
        if current is None:
            if line:
                assert line == "```python", f"text outside a block: {line!r}"
                current = []
        elif line == "```":
            blocks.append(current)
            current = None
        else:
            current.append(line)
    assert current is None, "a block is not closed"
    return blocks


def _file_lines(module) -> list[str]:
    return Path(module.__file__).read_text(encoding="utf-8").splitlines()


def test_a_method_is_listed_dedented_exactly_as_it_stands_in_its_file() -> None:
    (block,) = _blocks(show_source(Value.__add__))
    assert block[0] == "def __add__(self, other: Value | Number) -> Value:"
    lines = _file_lines(backprop.scalar)
    start = lines.index("    " + block[0])
    # the method's lines in the file, four columns to the right (blank lines stay blank)
    assert [line[4:] for line in lines[start:start + len(block)]] == block
    after = lines[start + len(block)]
    assert not after.strip() or not after.startswith("        "), "the listing stops early"


def test_several_objects_give_one_block_each_in_order() -> None:
    blocks = _blocks(show_source(Sigmoid, ReLU))
    assert [block[0] for block in blocks] == ["class Sigmoid(ActivationLayer):",
                                               "class ReLU(ActivationLayer):"]
    lines = _file_lines(backprop.layers)
    for block in blocks:
        start = lines.index(block[0])
        assert lines[start:start + len(block)] == block
    assert any("def _backward" in line for line in blocks[1]), "a class is listed whole"


def test_a_listing_renders_as_markdown_in_a_notebook() -> None:
    listing = show_source(Value.backward)
    assert isinstance(listing, Markdown)
    assert listing._repr_markdown_().startswith("```python\ndef backward(self")


@pytest.mark.parametrize("obj", [len, 3.0, "Value.__add__"])
def test_an_object_without_python_source_gets_a_clear_error(obj) -> None:
    with pytest.raises(TypeError, match="no Python source"):
        source_block(obj)


def test_nothing_to_list_is_an_error() -> None:
    with pytest.raises(TypeError, match="at least one"):
        show_source()


def test_the_listing_is_the_code_that_runs() -> None:
    """The block is read from the function's own file, so it matches what Python executes."""
    (block,) = _blocks(show_source(Value.__mul__))
    assert inspect.getsourcefile(Value.__mul__) == backprop.scalar.__file__
    namespace: dict = {}
    exec(compile("\n".join(block), "<listing>", "exec"), vars(backprop.scalar), namespace)
    assert namespace["__mul__"].__code__.co_code == Value.__mul__.__code__.co_code


def _documented_with_a_fence() -> None:
    """Use it like this:

    ```python
    _documented_with_a_fence()
    ```
    """


def test_a_docstring_holding_a_fence_does_not_end_the_block() -> None:
    lines = source_block(_documented_with_a_fence).splitlines()
    assert lines[0] == "````python" and lines[-1] == "````"
    assert sum(line.startswith("````") for line in lines) == 2
    assert "    ```python" in lines                 # the docstring's own fence, kept as code
