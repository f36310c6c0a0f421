"""Pure values shared by every part: severities, edits, fixes and diagnostics.

Positions follow one convention everywhere: lines and columns are 1-based,
columns count Unicode code points (a BOM is not counted) and `end_column` is
exclusive.  Edits work on 0-based character offsets into the decoded text
(after the BOM), which is what the fixer applies.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """How bad a finding is; `OFF` disables a rule."""

    OFF = 0
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """Return the lower-case name used in output and config."""
        return self.name.lower()

    @classmethod
    def parse(cls, word: str) -> Severity:
        """Return the severity named by `word` (off, info, warning, error)."""
        return cls[word.strip().upper()]


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] with `text` (character offsets)."""

    start: int
    end: int
    text: str

    @classmethod
    def insert(cls, at: int, text: str) -> Edit:
        """Return an edit that inserts `text` at offset `at`."""
        return cls(at, at, text)


@dataclass(frozen=True, slots=True)
class Fix:
    """A set of edits that repairs one diagnostic, with a short title."""

    title: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding in one file."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    rule: str
    severity: Severity
    message: str
    fix: Fix | None = field(default=None, compare=False)
    # the text involved (section name, field name, guidance): the baseline key
    subject: str = field(default="", compare=False)

    @property
    def fixable(self) -> bool:
        """Return True when the diagnostic carries a fix."""
        return self.fix is not None

    def sort_key(self) -> tuple[str, int, int, str]:
        """Return the canonical order: path, line, column, slug."""
        return (self.path, self.line, self.column, self.rule)


@dataclass(frozen=True, slots=True)
class CrossFileFix(Fix):
    """A fix whose edits apply to another file, `path` (offsets into its decoded text).

    Its own `edits` stay empty, so a fixer that does not know this class changes nothing.
    """

    path: str = ""
    file_edits: tuple[Edit, ...] = ()
