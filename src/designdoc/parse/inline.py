"""Inline structure scanned from source lines: code spans, links, plain text.

The rules need three inline facts: where code spans are (TODO markers and
mojibake inside code are not prose), where links are (to check them) and the
plain text of a heading (to match section names).  A masked copy of a line
(code spans, link targets, autolinks and raw HTML replaced by spaces of the
same length) keeps every column where it was, so a regex over the mask finds
prose at its true position.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from designdoc.model.text import squeeze

_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>]+)>")
_HTML = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>", re.S)
# [text](target "title") and ![alt](target); the target may be <wrapped>
_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:\\.|[^\\\[\]]|\[[^\[\]]*\])*)\]"
    r"\(\s*(?P<target><[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)"
)
_REF_DEF = re.compile(r"^ {0,3}\[(?P<label>(?!\^)[^\]]+)\]:\s*(?P<target><[^<>]*>|\S+)")  # `[^1]:` is a footnote
# `_` inside a word is no emphasis (`snake_case`), as in CommonMark; `*` and `~~` are, anywhere
_EMPHASIS = re.compile(r"(?<!\\)(?:\*{1,3}|~~|(?<![^\W_])_{1,3}+|_{1,3}+(?![^\W_]))")
_CODE_MARK = re.compile("\ue000(\\d+)\ue001")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(frozen=True, slots=True)
class Link:
    """A link or image in the body, at a 1-based line and columns."""

    line: int
    column: int
    end_column: int
    target: str
    text: str
    image: bool


def _blank(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


def code_spans(line: str) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of the code spans of a line, backticks included."""
    if "`" not in line:
        return []
    return [m.span() for m in _CODE_SPAN.finditer(line)]


def mask_code(line: str) -> str:
    """Return `line` with code spans (including backticks) replaced by spaces."""
    if "`" not in line:
        return line
    return _CODE_SPAN.sub(_blank, line)


def mask(line: str) -> str:
    """Return `line` with code, link targets, autolinks and raw HTML blanked out."""
    masked = mask_code(line)
    if "<" in masked:
        masked = _AUTOLINK.sub(_blank, masked)
        masked = _HTML.sub(_blank, masked)
    if "](" in masked:
        masked = _LINK.sub(_blank_target, masked)
    return masked


def _blank_target(match: re.Match[str]) -> str:
    text_end = match.end("text") + 1  # keep "[text]", blank "(target)"
    whole = match.group(0)
    keep = text_end - match.start()
    return whole[:keep] + " " * (len(whole) - keep)


def links_in(line: str, number: int) -> Iterator[Link]:
    """Yield the inline links and images of one source line (code spans skipped)."""
    if "](" not in line:
        return
    masked = mask_code(line)
    for match in _LINK.finditer(masked):
        target = line[match.start("target") : match.end("target")].strip()
        if target.startswith("<") and target.endswith(">"):
            target = target[1:-1]
        yield Link(number, match.start() + 1, match.end() + 1, target, match.group("text"), bool(match.group("bang")))


def reference_definition(line: str, number: int) -> Link | None:
    """Return the link a reference definition line (`[label]: target`) makes, if it is one."""
    match = _REF_DEF.match(line)
    if match is None:
        return None
    target = match.group("target").strip("<>")
    return Link(number, match.start("target") + 1, match.end("target") + 1, target, match.group("label"), False)


def plain_text(source: str) -> str:
    """Return inline Markdown as plain text: links as their text, markup removed."""
    spans: list[str] = []
    if "`" in source:  # code spans are literal: kept aside while the markup around them goes

        def keep(match: re.Match[str]) -> str:
            spans.append(match.group(2).strip())
            return f"\ue000{len(spans) - 1}\ue001"

        text = _CODE_SPAN.sub(keep, source)
    else:
        text = source
    if "](" in text:
        text = _LINK.sub(lambda m: m.group("text"), text)
    if "<" in text:
        text = _HTML.sub("", text)
    if "*" in text or "_" in text or "~" in text:
        text = _EMPHASIS.sub("", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if spans:
        text = _CODE_MARK.sub(lambda m: spans[int(m.group(1))], text)
    return squeeze(text)


_ASCII_NOT_KEPT = re.compile(r"[^a-z0-9 _-]")


def github_slug(heading: str) -> str:
    """Return the anchor GitHub makes for a heading's plain text (without the -N suffix)."""
    lowered = heading.lower()
    if lowered.isascii():  # the common case, in one regex pass
        return _ASCII_NOT_KEPT.sub("", lowered).replace(" ", "-")
    out = []
    for char in lowered:
        if char in " -":
            out.append("-")
        elif char == "_" or unicodedata.category(char)[0] in "LN":
            out.append(char)
    return "".join(out)


def unique_slugs(headings: list[str]) -> list[str]:
    """Return GitHub anchors for headings in order: repeats get `-1`, `-2`, …"""
    seen: dict[str, int] = {}
    slugs = []
    for text in headings:
        slug = github_slug(text)
        if slug in seen:
            seen[slug] += 1
            candidate = f"{slug}-{seen[slug]}"
            while candidate in seen:
                seen[slug] += 1
                candidate = f"{slug}-{seen[slug]}"
            seen[candidate] = 0
            slugs.append(candidate)
        else:
            seen[slug] = 0
            slugs.append(slug)
    return slugs
