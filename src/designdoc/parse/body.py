"""Block structure of a Markdown body, from markdown-it-py's block parser.

Only the block phase runs (headings, lists, fences, quotes, tables, HTML):
inline parsing is most of a full CommonMark parse and the rules need inline
structure in a few places only, which `inline.py` scans from the source.

`parse_body` first tries `blockscan.scan`, a line scanner that yields the same
Body for the Markdown design documents contain, many times faster, and falls
back to markdown-it-py (the reference) whenever the scanner declines.  Set
`DESIGNDOC_NO_BLOCKSCAN=1` to always use markdown-it-py.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


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


def parse_body(source: str, first_line: int) -> Body:
    """Parse `source` (the body) whose first line is file line `first_line`."""
    if os.environ.get("DESIGNDOC_NO_BLOCKSCAN", "") in ("", "0"):
        from designdoc.parse.blockscan import (
            scan,  # here, not above: blockscan imports this module
        )

        try:
            body = scan(source, first_line)
        except Exception:  # noqa: BLE001 - a scanner bug must not stop a check: the reference answers
            body = None
        if body is not None:
            return body
    return _parse_with_markdown_it(source, first_line)


def _parse_with_markdown_it(source: str, first_line: int) -> Body:
    """Parse `source` with markdown-it-py: the reference `blockscan` must agree with."""
    tokens = _markdown_it().parse(source)
    offset = first_line - 1
    source_lines = source.split("\n") if "\r" not in source else re.split(r"\r\n|\r|\n", source)
    blocks: list[Block] = []
    code_lines: set[int] = set()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        end = _closing(tokens, i)
        if token.map is not None and token.level == 0:
            blocks.append(_block(tokens, i, end, offset, source_lines))
        i = end + 1
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            code_lines.update(range(token.map[0] + 1 + offset, token.map[1] + 1 + offset))
    return Body(tuple(blocks), frozenset(code_lines))


@functools.cache
def _markdown_it() -> MarkdownIt:
    """Return the block parser (imported on first use: a warm run parses nothing)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").disable(["inline", "text_join"])


def _closing(tokens: list[Token], i: int) -> int:
    """Return the index of the token that closes tokens[i] (itself when it is a leaf)."""
    if tokens[i].nesting != 1:
        return i
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


_KINDS = {
    "heading_open": "heading", "paragraph_open": "paragraph", "bullet_list_open": "bullet_list",
    "ordered_list_open": "ordered_list", "blockquote_open": "blockquote", "fence": "fence",
    "code_block": "code", "html_block": "html", "table_open": "table", "hr": "hr",
}


def _block(tokens: list[Token], i: int, end: int, offset: int, source_lines: list[str]) -> Block:
    token = tokens[i]
    kind = _KINDS.get(token.type, token.type)
    start, stop = token.map  # type: ignore[misc]
    line, end_line = start + 1 + offset, max(stop, start + 1) + offset
    if kind == "heading":
        return Block(kind, line, end_line, level=int(token.tag[1]), text=tokens[i + 1].content)
    if kind == "fence":
        return Block(kind, line, end_line, text=token.info.strip(), content=token.content)
    if kind in ("html", "paragraph", "code"):
        return Block(kind, line, end_line, text="\n".join(source_lines[start:stop]))
    inner = tokens[i + 1:end]
    items = tuple(
        Item(t.map[0] + 1 + offset, t.map[1] + offset, source_lines[t.map[0]])
        for t in inner if t.type == "list_item_open" and t.map
    )
    headings = tuple(
        (t.map[0] + 1 + offset, int(t.tag[1]), inner[k + 1].content)
        for k, t in enumerate(inner) if t.type == "heading_open" and t.map
    )
    return Block(kind, line, end_line, items=items, nested_headings=headings)
