"""todo-marker, hidden-character and mojibake: what the text itself holds."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from designdoc.model.diagnostics import Diagnostic, Edit, Fix, Severity
from designdoc.model.text import LineIndex
from designdoc.parse.inline import code_spans, mask, mask_code
from designdoc.rules.registry import COMPLETENESS, Context, rule

_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_NAMES = {
    "\u061c": "ARABIC LETTER MARK",
    "\u200e": "LEFT-TO-RIGHT MARK",
    "\u200f": "RIGHT-TO-LEFT MARK",
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
    "\u200b": "ZERO WIDTH SPACE",
    "\u200c": "ZERO WIDTH NON-JOINER",
    "\u200d": "ZERO WIDTH JOINER",
    "\u2060": "WORD JOINER",
    "\ufeff": "ZERO WIDTH NO-BREAK SPACE",
}


@functools.cache
def _repair() -> Callable[[str], str]:
    """Return ftfy's repair of mojibake only (imported on first use: 30 ms that most runs never need).

    No quote uncurling, ligature, width or HTML-entity changes, which its defaults make and
    which would "repair" correct text.
    """
    import ftfy

    config = ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )
    return functools.partial(ftfy.fix_text, config=config)


_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00c5\u00c3\u00d0\u00d1\u00e2\u00ef][\u0080-\u00bf\u2010-\u203a\u0152-\u0178\u02c6\u02dc\u20ac\u2122\u0160-\u017e\u0192]"
)


@dataclass(frozen=True)
class TodoOptions:
    """Options of todo-marker."""

    words: tuple[str, ...] = ("TODO", "TBD", "FIXME", "XXX")


@rule("todo-marker", severity=COMPLETENESS, options=TodoOptions)
def todo_marker(ctx: Context[TodoOptions]) -> Iterator[Diagnostic]:
    """## What it does
    Reports `TODO`, `TBD`, `FIXME` and `XXX` written in capitals as whole words in prose,
    headings, tables and link text, and any text matching the config's `placeholder_patterns`
    (Python regular expressions). Code, link targets, raw HTML and front matter are not searched
    (code spans and fences only, for `placeholder_patterns`).

    A pattern is searched across the lines of the prose, so it may span lines, and a match
    counts once, at the line where it starts. For KEP-style markers, match the opening marker
    only; the block then counts once, at its opening line:
    ```toml
    placeholder_patterns = ['<<\\[UNRESOLVED\\b[^\\]]*\\]>>']
    ```
    which reports `<<[UNRESOLVED @ana: beta criteria ]>>` and not the closing `<<[/UNRESOLVED]>>`.
    A pattern for the whole block, `'(?s)<<\\[UNRESOLVED.*?<<\\[/UNRESOLVED\\]>>'`, does the
    same but misses a block that was never closed.

    ## Why is this bad?
    A marker is a promise to come back; in a doc under review it is an open item nobody tracks.

    ## Example
    ```markdown
    The retention period is TBD until legal signs off.
    ```
    Use instead: the decision, or an item under Open Questions.

    ## Fix safety
    No fix. Options: `words` (the markers to find).
    """
    words = re.compile(r"(?<![\w@/.-])(?:" + "|".join(map(re.escape, ctx.options.words)) + r")(?![\w@/-]|\.\w)")
    for number in ctx.doc.prose_lines:
        line = ctx.doc.lines[number - 1]
        if not any(word in line for word in ctx.options.words):
            continue  # most lines hold no marker at all: skip the masking
        for match in words.finditer(mask(line)):
            yield ctx.report(
                f"{match.group(0)} marker left in the text",
                line=number,
                column=match.start() + 1,
                end_column=match.end() + 1,
                subject=match.group(0),
            )
    if ctx.config.placeholder_patterns:
        yield from _placeholder_patterns(ctx)


def _placeholder_patterns(ctx: Context) -> Iterator[Diagnostic]:
    """Report matches of the config's `placeholder_patterns` in prose (code spans blanked).

    The prose is searched as one text, so a pattern may span lines; a match is one finding,
    at the line where it starts.
    """
    prose = set(ctx.doc.prose_lines)
    lines = [mask_code(line) if number in prose else "" for number, line in enumerate(ctx.doc.lines, 1)]
    text = "\n".join(lines)
    index = LineIndex(text)
    for source in ctx.config.placeholder_patterns:
        for match in re.finditer(source, text, re.MULTILINE):
            if match.end() == match.start():
                continue
            line, column = index.position(match.start())
            end_line, end_column = index.position(match.end())
            first = match.group(0).split("\n", 1)[0].strip()
            shown = first if len(first) <= 60 else first[:59] + "…"
            yield ctx.report(
                f"Unresolved placeholder {shown!r}",
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                subject=shown,
            )


@rule("hidden-character", severity=Severity.WARNING)
def hidden_character(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports bidirectional control characters anywhere, and zero-width characters in headings and
    front matter.

    ## Why is this bad?
    Bidi controls make text display differently from what it says ("Trojan Source"); zero-width
    characters make two equal-looking headings or keys different, breaking anchors and lookups.

    ## Example
    A heading `## Alternatives` with a U+200B ZERO WIDTH SPACE inside.

    ## Fix safety
    No fix: some scripts use these characters on purpose.
    """
    front = ctx.doc.frontmatter
    strict = set(range(1, (front.end_line or 1) + 1)) if front else set()
    strict.update(line for line, _, _ in ctx.doc.headings)
    for number, line in enumerate(ctx.doc.lines, 1):
        if line.isascii():
            continue
        found = list(_BIDI.finditer(line))
        if number in strict:
            found += _ZERO_WIDTH.finditer(line)
        for match in sorted(found, key=lambda m: m.start()):
            name = _NAMES.get(match.group(0), "hidden character")
            yield ctx.report(
                f"Hidden character U+{ord(match.group(0)):04X} {name}",
                line=number,
                column=match.start() + 1,
                end_column=match.end() + 1,
            )


@rule("mojibake", severity=Severity.WARNING, fixable=True)
def mojibake(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports UTF-8 text that was decoded as cp1252 or Latin-1 somewhere on its way (`â€”` for
    `—`, `Ã©` for `é`), in prose and front matter (not code), showing the repaired text.

    ## Why is this bad?
    It is visible damage in the rendered doc, and it spreads: every copy-paste carries it on.

    ## Example
    ```markdown
    The teamâ€™s rollout plan
    ```
    Use instead: `The team’s rollout plan`.

    ## Fix safety
    Safe: the repair is the exact inverse of the wrong decoding (ftfy, restricted to encoding
    repairs), applied to the damaged characters only.
    """
    front = ctx.doc.frontmatter
    numbers = list(range(2, front.end_line)) if front and front.end_line else []
    for number in numbers + list(ctx.doc.prose_lines):
        line = ctx.doc.lines[number - 1]
        if line.isascii() or not _MOJIBAKE_HINT.search(line):
            continue
        for begin, segment in _prose_segments(line):
            fixed = _repair()(segment)
            if fixed == segment:
                continue
            start, end, repaired = _changed(segment, fixed)
            start, end = start + begin, end + begin
            offset = ctx.doc.index.offset(number)
            fix = Fix(f"Replace with {repaired!r}", (Edit(offset + start, offset + end, repaired),))
            yield ctx.report(
                f"Mojibake {line[start:end]!r} (should read {repaired!r})",
                line=number,
                column=start + 1,
                end_column=end + 1,
                fix=fix,
                subject=line[start:end],
            )


def _prose_segments(line: str) -> list[tuple[int, str]]:
    """Return (offset, text) of the parts of a line outside code spans."""
    segments, position = [], 0
    for start, end in code_spans(line) + [(len(line), len(line))]:
        if start > position:
            segments.append((position, line[position:start]))
        position = end
    return segments


def _changed(old: str, new: str) -> tuple[int, int, str]:
    """Return (start, end, replacement) of the one region where `old` and `new` differ."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    return start, end_old, new[start:end_new]
