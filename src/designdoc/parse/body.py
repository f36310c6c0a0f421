"""Parse a Markdown body into its block structure (`blocks.Body`).

`parse_body` first tries `blockscan.scan`, a line scanner that yields the same
Body for the Markdown design documents contain, many times faster, and falls
back to markdown-it-py (the reference) whenever the scanner declines.  Set
`DESIGNDOC_NO_BLOCKSCAN=1` to always use markdown-it-py.
"""

from __future__ import annotations

import os

from designdoc.parse.blocks import Body
from designdoc.parse.markdownit import parse_with_markdown_it


def parse_body(source: str, first_line: int) -> Body:
    """Parse `source` (the body) whose first line is file line `first_line`."""
    if os.environ.get("DESIGNDOC_NO_BLOCKSCAN", "") in ("", "0"):
        from designdoc.parse import blockscan  # with markdown-it-py's HTML rules, 50 ms: a warm run parses nothing

        try:
            body = blockscan.scan(source, first_line)
        except Exception:
            body = None
        if body is not None:
            return body
    return parse_with_markdown_it(source, first_line)
