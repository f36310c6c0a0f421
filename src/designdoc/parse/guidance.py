"""Guidance notes: the units a body is matched by, and whether a text is (a lightly edited copy of) a note.

A template's guidance (the quoted hints under its headings) is fingerprinted once
(`model.text.fingerprint`: case-folded, non-word runs as one space); a block of a doc
is guidance left in when its fingerprint equals a note's (8 characters or more),
contains it (30 or more), or is at least `SIMILARITY` alike (both 60 or more).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from functools import lru_cache

from designdoc.model.text import fingerprint
from designdoc.parse.blocks import Block
from designdoc.parse.inline import plain_text

MIN_GUIDANCE = 8  # a shorter fingerprint could match only by equality, and too much by chance


_ITEM_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])(?:\s+\[[ xX]\])?\s*")


_TOC_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+\[[^\]]*\]\(#")


def guidance_units(block: Block, lines: list[str]) -> list[tuple[Block, str]]:
    """Return the units guidance is matched by: each list item of a list (as a
    `list_item` block), else the block itself; with the text of each."""
    if block.kind == "heading":
        return [(block, plain_text(block.text))]
    if block.kind not in ("bullet_list", "ordered_list") or not block.items:
        return [(block, block_text(block, lines))]
    units = []
    for n, item in enumerate(block.items):
        following = block.items[n + 1].line if n + 1 < len(block.items) else item.end_line + 1
        end = max(item.line, min(item.end_line, following - 1))
        text = "\n".join(lines[item.line - 1 : end])
        units.append((Block("list_item", item.line, end, text=item.text), _ITEM_MARKER.sub("", text, count=1)))
    return units


def block_text(block: Block, lines: list[str]) -> str:
    """Return the source text of a block, without `>` markers or comment delimiters."""
    source = "\n".join(lines[block.line - 1 : block.end_line])
    if block.kind == "blockquote":
        source = re.sub(r"(?m)^\s*>\s?", "", source)
    elif block.kind == "html":
        source = source.strip().removeprefix("<!--").removesuffix("-->")
    return source.strip()


def is_toc(block: Block) -> bool:
    """Return True for a table of contents: a list whose items are all in-page links."""
    if block.kind not in ("bullet_list", "ordered_list") or not block.items:
        return False
    return all(_TOC_ITEM.match(item.text) for item in block.items)


SIMILARITY = 0.85


def is_guidance(text: str, guidance: tuple[str, ...], *, exact: bool = False) -> bool:
    """Return True when a block's text is (a lightly edited copy of) guidance text."""
    if not guidance:
        return False
    if text.isascii() and not _may_match(text, guidance, exact):
        return False
    printed = fingerprint(text)
    counts: Counter[str] | None = None
    for note in guidance:
        if printed == note and len(note) >= MIN_GUIDANCE:
            return True
        if exact:
            continue
        if len(note) >= 30 and note in printed:
            return True
        if len(note) >= 60 and len(printed) >= 60 and _near_length(printed, note):
            counts = counts if counts is not None else Counter(printed)
            if _similar(printed, counts, note):
                return True
    return False


_SIMILARITY_FLOOR = 0.84  # a little under SIMILARITY, for rounding


def _may_match(text: str, guidance: tuple[str, ...], exact: bool) -> bool:
    """Return False when no guidance note can match an ASCII text, without fingerprinting it.

    An ASCII text's fingerprint is never longer than the text and, for prose, not much
    shorter: equal or similar needs a length near the note's; containing it needs the
    note's first word in the text.  Most blocks are ruled out here.
    """
    size = len(text)
    lowered = text.lower()
    for note, first, words in _notes(guidance):
        if _SIMILARITY_FLOOR * len(note) <= size <= _MARKUP_CEILING * len(note):
            # a copy at least 0.85 alike keeps most of the note's longer words intact
            if exact or sum(word in lowered for word in words) * 2 >= len(words):
                return True
        if not exact and size >= len(note) >= 30 and first in lowered:
            return True
    return False


_MARKUP_CEILING = 2.0  # prose is at most this much longer than its fingerprint (punctuation, markup)


@lru_cache(maxsize=1024)
def _notes(guidance: tuple[str, ...]) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Return each note with its first word and its words of five letters or more."""
    return tuple((note, note.split(" ", 1)[0], tuple(w for w in note.split(" ") if len(w) >= 5)) for note in guidance)


def _near_length(a: str, b: str) -> bool:
    return min(len(a), len(b)) / max(len(a), len(b)) >= SIMILARITY


def _similar(a: str, a_counts: Counter[str], b: str) -> bool:
    """Return True when `a` and `b` are at least SIMILARITY alike (difflib's ratio).

    The character-count bound (difflib's quick_ratio) rules most pairs out before the
    expensive matching runs.
    """
    shared = sum((a_counts & _counts(b)).values())
    if 2 * shared / (len(a) + len(b)) < SIMILARITY:
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= SIMILARITY


@lru_cache(maxsize=4096)
def _counts(note: str) -> Counter[str]:
    return Counter(note)
