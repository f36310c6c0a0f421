"""The block structure of a Markdown body, as values: `Body`, its top-level `Block`s and their list `Item`s.

Both parsers produce these: `blockscan` (the fast line scanner) and `markdownit`
(markdown-it-py, the reference); `body.parse_body` picks between them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Item:
    """A list item: its lines and the text of its first line."""

    line: int
    end_line: int
    text: str


@dataclass(frozen=True, slots=True)
class Block:
    """A top-level block.  Lines are 1-based and inclusive."""

    kind: str  # heading paragraph bullet_list ordered_list blockquote fence code html table hr
    line: int
    end_line: int
    level: int = 0  # heading level
    text: str = ""  # heading text / fence info string / html source / paragraph source
    content: str = ""  # fence body
    items: tuple[Item, ...] = ()  # list items, at every depth
    nested_headings: tuple[tuple[int, int, str], ...] = ()  # (line, level, text) inside quotes/lists


@dataclass(frozen=True, slots=True)
class Body:
    """The parsed body: top-level blocks and the lines that hold code."""

    blocks: tuple[Block, ...]
    code_lines: frozenset[int]


def is_comment(block: Block) -> bool:
    """Return True for an HTML block that is one comment (`<!-- … -->`)."""
    return block.kind == "html" and block.text.lstrip().startswith("<!--") and block.text.rstrip().endswith("-->")
