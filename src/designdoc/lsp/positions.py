"""Positions in a buffer: LSP characters (UTF-16, UTF-8 or UTF-32 units) against code-point columns."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property

from lsprotocol import types

from designdoc.model.diagnostics import Diagnostic, Edit
from designdoc.parse.blocks import Block
from designdoc.parse.document import Document, Section


def lsp_character(line: str, column: int, encoding: str = types.PositionEncodingKind.Utf16) -> int:
    """Return the 0-based LSP character of the 1-based code-point `column` in `line`."""
    prefix = line[: max(column - 1, 0)]
    beyond = max(column - 1 - len(line), 0)  # a column past the end (an insertion at the line end)
    if encoding == types.PositionEncodingKind.Utf32:
        return len(prefix) + beyond
    if encoding == types.PositionEncodingKind.Utf8:
        return len(prefix.encode("utf-8", "surrogatepass")) + beyond
    return len(prefix.encode("utf-16-le", "surrogatepass")) // 2 + beyond


def code_point_column(line: str, character: int, encoding: str = types.PositionEncodingKind.Utf16) -> int:
    """Return the 1-based code-point column of the 0-based LSP `character` in `line`."""
    if encoding == types.PositionEncodingKind.Utf32:
        return character + 1
    width = 1 if encoding == types.PositionEncodingKind.Utf8 else 2
    units = 0
    for index, char in enumerate(line):
        if units >= character:
            return index + 1
        units += len(char.encode("utf-8" if width == 1 else "utf-16-le", "surrogatepass")) // width
    return len(line) + 1 + max(character - units, 0)


@dataclass(frozen=True)
class Buffer:
    """A checked buffer: its parsed Document and how to map its positions."""

    doc: Document
    version: int | None
    encoding: str
    bom: bool  # the buffer starts with U+FEFF, which the Document leaves out

    def position(self, line: int, column: int) -> types.Position:
        """Return the LSP position of a 1-based (line, code-point column)."""
        text = self.doc.lines[line - 1] if 0 < line <= len(self.doc.lines) else ""
        character = lsp_character(text, column, self.encoding)
        if line == 1 and self.bom:
            character += 1  # the editor counts the BOM; our columns do not
        return types.Position(line=max(line - 1, 0), character=character)

    def offset_position(self, offset: int) -> types.Position:
        """Return the LSP position of a character offset into the Document's text."""
        return self.position(*self.doc.index.position(offset))

    def text_edit(self, edit: Edit) -> types.TextEdit:
        """Return a fixer Edit as an LSP TextEdit."""
        return types.TextEdit(
            range=types.Range(start=self.offset_position(edit.start), end=self.offset_position(edit.end)),
            new_text=edit.text,
        )

    def contains(self, d: Diagnostic, position: types.Position) -> bool:
        """Return True when an LSP position falls inside a diagnostic's span (ends included)."""
        start = self.position(d.line, d.column)
        end = self.position(d.end_line, d.end_column)
        here = (position.line, position.character)
        return (start.line, start.character) <= here <= (end.line, end.character)

    def block_at(self, line: int) -> Block | None:
        """Return the body block holding 1-based `line`, if any (a search, not a scan: a finding each)."""
        at = bisect.bisect_right(self._block_lines, line) - 1
        block = self.doc.blocks[at] if at >= 0 else None
        return block if block is not None and block.end_line >= line else None

    def section_of(self, line: int) -> Section | None:
        """Return the section whose body holds 1-based `line` (below its heading), if any."""
        at = bisect.bisect_left(self._section_lines, line) - 1
        section = self.doc.sections[at] if at >= 0 else None
        if section is not None and section.line < line <= section.end_line:
            return section
        return next((s for s in self.doc.sections if s.line < line <= s.end_line), None)

    @cached_property
    def _block_lines(self) -> list[int]:
        return [block.line for block in self.doc.blocks]

    @cached_property
    def _section_lines(self) -> list[int]:
        return [section.line for section in self.doc.sections]
