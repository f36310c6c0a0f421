"""Text primitives: the one definition of a line, BOM handling, and offset ↔ position maps.

A line ends at `\\r\\n`, `\\r` or `\\n` and nowhere else: `str.splitlines()`
also splits on U+2028, U+0085, form feeds and more, which would drift line
numbers away from what every editor shows.  A file's BOM is taken off (`decode`,
`split_bom`) and put back (`encode`) here only.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import re
from collections.abc import Iterable

LINE_BREAK = re.compile(r"\r\n|\r|\n")
BOM = "\ufeff"


def split_bom(text: str) -> tuple[str, bool]:
    """Return `text` without one leading BOM, and whether it had one: the only place a BOM is taken off."""
    if text.startswith(BOM):
        return text[1:], True
    return text, False


def decode(data: bytes, errors: str = "strict") -> tuple[str, bool]:
    """Decode a file's UTF-8 bytes and take off a BOM: (text, whether it had one).

    With the default `errors`, invalid UTF-8 raises UnicodeDecodeError; a reader that must
    not fail (a sniff, a best-effort read) passes "replace" or "ignore".
    """
    return split_bom(data.decode("utf-8", errors))


def encode(text: str, bom: bool) -> bytes:
    """Return decoded text as the UTF-8 bytes of its file, with the BOM put back if it had one."""
    return ((BOM if bom else "") + text).encode("utf-8")


def lines_with_breaks(text: str) -> list[str]:
    """Return the lines of `text`, each with its own line break (`\r\n`, `\r` or `\n`; the last may have none)."""
    return _LINE_KEPT.findall(text)


_LINE_KEPT = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    """Return the lines of `text` without their line breaks.

    A final line break does not start an extra empty line, as editors count.
    """
    lines = LINE_BREAK.split(text)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def text_hash(text: str) -> str:
    """Return the hex SHA-256 of a decoded text: what says "the same text as before" (site manifest, `--fix`)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def squeeze(text: str) -> str:
    """Return `text` with every run of whitespace as one space, and none at its ends."""
    return " ".join(text.split())  # as `\s+` → " " and strip(): both split on str.isspace()


def line_starts(text: str) -> list[int]:
    """Return the offset at which each line starts."""
    return [0] + [m.end() for m in LINE_BREAK.finditer(text)]


def newline_of(text: str) -> str:
    """Return the file's dominant line break, `\\n` when it has none."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    best = max((crlf, "\r\n"), (lf, "\n"), (cr, "\r"))
    return best[1] if best[0] else "\n"


class LineIndex:
    """Convert between character offsets and 1-based (line, column)."""

    __slots__ = ("starts", "length")

    def __init__(self, text: str) -> None:
        self.starts = line_starts(text)
        self.length = len(text)

    def position(self, offset: int) -> tuple[int, int]:
        """Return the 1-based line and column of `offset`."""
        offset = max(0, min(offset, self.length))
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def offset(self, line: int, column: int = 1) -> int:
        """Return the character offset of a 1-based (line, column)."""
        if line > len(self.starts):
            return self.length
        return min(self.starts[max(line, 1) - 1] + column - 1, self.length)


def fingerprint(text: str) -> str:
    """Return `text` case-folded with every run of non-word characters as one space."""
    if text.isascii():  # most text: a translate and a split, twice as fast as the pattern
        return " ".join(text.lower().translate(_ASCII_NON_WORD).split())
    return _NON_WORD.sub(" ", text.casefold()).strip()


_NON_WORD = re.compile(r"[\W_]+")
_ASCII_NON_WORD = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ` (did you mean 'X'?)` for the choice nearest `word` (case first, then spelling), else ``."""
    options = list(choices)
    same_case = [c for c in options if c.casefold() == word.casefold()]
    near = same_case or difflib.get_close_matches(word.casefold(), options, n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near and near[0] != word else ""
