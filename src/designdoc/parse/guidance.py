"""Guidance notes: the units a body is matched by, and whether a text is (a lightly edited copy of) a note.

A template's guidance (the quoted hints under its headings) is fingerprinted once
(`model.text.fingerprint`: case-folded, non-word runs as one space); a block of a doc
is guidance left in when its fingerprint equals a note's (8 characters or more),
contains it (30 or more), or is at least `SIMILARITY` alike (both 60 or more).
A `NoteIndex` per section keeps the cost of that test with the text's size, not with
the number of notes in the template.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
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


# Indel similarity, 2·LCS / (len a + len b): an upper bound of difflib's ratio, which counts
# greedy matching blocks. On 188,081 block–note pairs of two public corpora of enhancement
# proposals the two agreed at 0.85 on every pair, so the threshold stayed where it was.
SIMILARITY = 0.85
MIN_CONTAINED = 30  # a note this long or longer matches a text that contains it
MIN_SIMILAR = 60  # texts and notes this long or longer match when SIMILARITY alike
# two strings can be SIMILARITY alike only when the shorter is at least this share of the longer
_LENGTH_RATIO = SIMILARITY / (2 - SIMILARITY) - 1e-9


def is_guidance(text: str, guidance: tuple[str, ...], *, exact: bool = False) -> bool:
    """Return True when a block's text is (a lightly edited copy of) one of the guidance notes.

    The notes are fingerprints (`model.text.fingerprint`). A text matches a note when their
    fingerprints are equal (notes of `MIN_GUIDANCE` characters or more), when the text's
    contains the note (`MIN_CONTAINED` or more), or when both are `MIN_SIMILAR` or longer and at
    least `SIMILARITY` alike. With `exact`, only equality counts (headings).
    """
    if not guidance:
        return False
    entry = _ANSWERS.get(id(guidance))
    if entry is None or entry[0] is not guidance:  # the notes' tuple lives in the template: its id is stable
        if len(_ANSWERS) >= 1024:  # a long-lived process that reloaded templates many times
            _ANSWERS.clear()
        entry = _ANSWERS[id(guidance)] = (guidance, {}, {})
    known = entry[2] if exact else entry[1]
    found = known.get(text)
    if found is None:
        found = note_index(guidance).matches(fingerprint(text), exact=exact)
        if len(known) >= _ANSWERS_KEPT:
            known.clear()
        known[text] = found
    return found


# The answers of `is_guidance` by notes and text: a text left from the template recurs across a
# tree's docs (a third of the calls on a public corpus, two thirds on the generated one), and
# the answer depends on nothing else. Bounded, so memory stays flat however large the tree.
_ANSWERS: dict[int, tuple[tuple[str, ...], dict[str, bool], dict[str, bool]]] = {}  # notes, answers, exact ones
_ANSWERS_KEPT = 20_000


@dataclass(frozen=True, slots=True)
class NoteIndex:
    """The notes of one section, indexed so a text is compared only with notes it could match.

    Equality is a set lookup. Containment: a note of three words or more is filed under its
    longest interior word, which a text holding the note must hold as a whole word; shorter
    notes are few and tried with `in`. Similarity: only notes whose length allows it are scored,
    by rapidfuzz in C, stopping at the first one at or over the threshold.
    """

    equal: frozenset[str]
    by_word: dict[str, tuple[str, ...]]
    loose: tuple[str, ...]
    lengths: tuple[int, ...]
    similar: tuple[str, ...]

    def matches(self, printed: str, *, exact: bool = False) -> bool:
        """Return True when the fingerprint `printed` matches one of the notes."""
        if printed in self.equal:
            return True
        if exact:
            return False
        size = len(printed)
        if size >= MIN_CONTAINED and self._contains(printed, size):
            return True
        return size >= MIN_SIMILAR and self._similar(printed, size)

    def _contains(self, printed: str, size: int) -> bool:
        if any(len(note) <= size and note in printed for note in self.loose):
            return True
        if not self.by_word:
            return False
        words = self.by_word.keys() & printed.split(" ")
        return any(len(note) <= size and note in printed for word in words for note in self.by_word[word])

    def _similar(self, printed: str, size: int) -> bool:
        first = bisect.bisect_left(self.lengths, size * _LENGTH_RATIO)
        last = bisect.bisect_right(self.lengths, size / _LENGTH_RATIO)
        candidates = self.similar[first:last]
        if candidates and not _scorer.cache_info().currsize:
            # rapidfuzz not loaded yet (a run of one doc may never need it): rule notes out by
            # their characters first, a bound no copy can beat (LCS <= the characters shared)
            counts = Counter(printed)
            candidates = tuple(n for n in candidates if _shared(counts, n) * 2 >= SIMILARITY * (size + len(n)))
        if not candidates:
            return False
        extract_one, scorer = _scorer()
        return extract_one(printed, candidates, scorer=scorer, score_cutoff=SIMILARITY) is not None


def _shared(counts: Counter[str], note: str) -> int:
    """Return how many characters a text (by its counts) and a note have in common, multiplicity counted."""
    return sum((counts & Counter(note)).values())


@lru_cache(maxsize=1)
def _scorer() -> tuple[Callable[..., object], Callable[..., float]]:
    """Return rapidfuzz's extractOne and Indel similarity, imported on first use (65 ms: a warm run needs neither)."""
    from rapidfuzz import process
    from rapidfuzz.distance import Indel

    return process.extractOne, Indel.normalized_similarity


@lru_cache(maxsize=1024)
def note_index(notes: tuple[str, ...]) -> NoteIndex:
    """Return the index of a section's notes (made once per set of notes)."""
    by_word: dict[str, list[str]] = {}
    loose = []
    for note in notes:
        if len(note) < MIN_CONTAINED:
            continue
        interior = note.split(" ")[1:-1]
        if interior:
            by_word.setdefault(max(interior, key=len), []).append(note)
        else:
            loose.append(note)
    similar = sorted((n for n in set(notes) if len(n) >= MIN_SIMILAR), key=lambda n: (len(n), n))
    return NoteIndex(
        frozenset(n for n in notes if len(n) >= MIN_GUIDANCE),
        {word: tuple(found) for word, found in by_word.items()},
        tuple(loose),
        tuple(len(n) for n in similar),
        tuple(similar),
    )
