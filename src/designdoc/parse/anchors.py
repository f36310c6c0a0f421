"""The anchors a Markdown text defines (heading slugs and HTML ids), scanned without a full parse.

A link into a doc the run did not parse (`other.md#section`) is checked against these.
"""

from __future__ import annotations

import re

from designdoc.model.text import split_bom
from designdoc.parse.inline import plain_text, unique_slugs

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")


_IDS = re.compile(r"""\b(?:id|name)\s*=\s*["']([^"']+)["']""")


def html_ids(text: str) -> set[str]:
    """Return the `id` and `name` attribute values in a text's HTML: anchors a link may name."""
    return set(_IDS.findall(text))


def scan_anchors(text: str) -> frozenset[str]:
    """Return the anchors of a Markdown text from a fence-aware scan of its headings."""
    lines = re.split(r"\r\n|\r|\n", split_bom(text)[0])
    start = 0
    if lines and lines[0].rstrip() == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), 0)
    headings, fence, previous = [], None, ""
    ids: set[str] = set()
    for line in lines[start:]:
        opener = _FENCE.match(line)
        if fence:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            continue
        if opener:
            fence, previous = opener.group(1), ""
            continue
        atx = _ATX.match(line)
        if atx:
            headings.append(plain_text(atx.group(2) or ""))
        elif previous.strip() and _SETEXT.match(line) and not _ATX.match(previous):
            headings.append(plain_text(previous))
        ids.update(html_ids(line))
        previous = line
    return frozenset(unique_slugs(headings)) | ids
