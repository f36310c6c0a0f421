"""The reference block parser: markdown-it-py's block phase, turned into a `Body`.

Only the block phase runs (headings, lists, fences, quotes, tables, HTML): inline
parsing is most of a full CommonMark parse, and the rules need inline structure in a
few places only, which `inline.py` scans from the source.  `blockscan` must agree
with this parser on everything it accepts.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from designdoc.parse.blocks import Block, Body, Item

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


def parse_with_markdown_it(source: str, first_line: int) -> Body:
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
    "heading_open": "heading",
    "paragraph_open": "paragraph",
    "bullet_list_open": "bullet_list",
    "ordered_list_open": "ordered_list",
    "blockquote_open": "blockquote",
    "fence": "fence",
    "code_block": "code",
    "html_block": "html",
    "table_open": "table",
    "hr": "hr",
}


def _block(tokens: list[Token], i: int, end: int, offset: int, source_lines: list[str]) -> Block:
    token = tokens[i]
    kind = _KINDS.get(token.type, token.type)
    start, stop = token.map
    line, end_line = start + 1 + offset, max(stop, start + 1) + offset
    if kind == "heading":
        return Block(kind, line, end_line, level=int(token.tag[1]), text=tokens[i + 1].content)
    if kind == "fence":
        return Block(kind, line, end_line, text=token.info.strip(), content=token.content)
    if kind in ("html", "paragraph", "code"):
        return Block(kind, line, end_line, text="\n".join(source_lines[start:stop]))
    inner = tokens[i + 1 : end]
    items = tuple(
        Item(t.map[0] + 1 + offset, t.map[1] + offset, source_lines[t.map[0]])
        for t in inner
        if t.type == "list_item_open" and t.map
    )
    headings = tuple(
        (t.map[0] + 1 + offset, int(t.tag[1]), inner[k + 1].content)
        for k, t in enumerate(inner)
        if t.type == "heading_open" and t.map
    )
    return Block(kind, line, end_line, items=items, nested_headings=headings)
