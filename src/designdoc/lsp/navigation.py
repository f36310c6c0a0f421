"""Following links from the editor: document links and go to definition.

Every relative link of a doc (`other.md`, `other.md#section`, `#section`) is a document
link to the file it names, and "go to definition" on it lands on the heading its anchor
names (GitHub's slugs, repeats numbered), in this doc or the other one.  Links with a
scheme (`https:`) are the editor's own business and are left out.

The entries of a doc's `supersedes` and `superseded_by` roles (the team's fields for them:
front matter, or a sidecar such as `kep.yaml`) name other docs too: "go to definition" on
one opens the doc it names, and the references of a doc list the entries naming it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lsprotocol import types

from designdoc.lsp.positions import Buffer, lsp_character
from designdoc.model.text import LineIndex, split_lines
from designdoc.parse.document import Document
from designdoc.parse.inline import Link, links_in, unique_slugs

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")


def _target(doc_path: Path, link: Link) -> tuple[Path, str] | None:
    """Return the file a relative link names and its anchor ("" for none), None for other links."""
    if not link.target or _SCHEME.match(link.target):
        return None
    file, _, anchor = link.target.partition("#")
    file = unquote(file.split("?", 1)[0])
    path = doc_path if not file else Path(os.path.normpath(doc_path.parent / file))
    return path, unquote(anchor)


def document_links(buffer: Buffer, doc_path: Path) -> list[types.DocumentLink]:
    """Return a document link for every relative link of the doc to itself or to a file that exists."""
    found = []
    for link in buffer.doc.links:
        target = _target(doc_path, link)
        if target is None or (target[0] != doc_path and not target[0].is_file()):
            continue
        found.append(
            types.DocumentLink(
                range=types.Range(
                    start=buffer.position(link.line, link.column), end=buffer.position(link.line, link.end_column)
                ),
                target=target[0].as_uri(),
                tooltip=f"{target[0].name}#{target[1]}" if target[1] else target[0].name,
            )
        )
    return found


def definition(
    buffer: Buffer, doc_path: Path, position: types.Position, parse: Callable[[Path], Document | None]
) -> types.Location | None:
    """Return where the link under `position` leads: the heading its anchor names, else the file's start."""
    for link in buffer.doc.links:
        start = buffer.position(link.line, link.column)
        end = buffer.position(link.line, link.end_column)
        if not (start.line == position.line and start.character <= position.character <= end.character):
            continue
        target = _target(doc_path, link)
        if target is None:
            return None
        path, anchor = target
        doc = buffer.doc if path == doc_path else parse(path)
        if doc is None:
            return None
        line = _heading_line(doc, anchor) if anchor else 1
        at = types.Position(line=max((line or 1) - 1, 0), character=0)
        return types.Location(uri=path.as_uri(), range=types.Range(start=at, end=at))
    return None


def _heading_line(doc: Document, anchor: str) -> int | None:
    """Return the line of the heading whose GitHub slug is `anchor`."""
    headings = doc.headings
    for (line, _, _), slug in zip(headings, unique_slugs([text for _, _, text in headings]), strict=True):
        if slug == anchor.casefold():
            return line
    return None


def references(
    target: Path,
    anchor: str | None,
    sources: Iterable[tuple[Path, str]],
    encoding: str = types.PositionEncodingKind.Utf16,
) -> list[types.Location]:
    """Return every link of `sources` (path, text) to `target` (to its `#anchor`, when given):
    the backlinks of a doc, or the links to one of its headings."""
    found = []
    for path, text in sources:
        for number, line in enumerate(text.splitlines(), 1):
            for link in links_in(line, number):
                named = _target(path, link)
                if named is None or named[0] != target or (anchor is not None and named[1].casefold() != anchor):
                    continue
                found.append(_location(path, number, line, link.column, link.end_column, encoding))
    return found


def _location(path: Path, number: int, line: str, column: int, end_column: int, encoding: str) -> types.Location:
    """Return the location of code-point columns [column, end_column) of 1-based line `number` of `path`."""
    start = types.Position(line=number - 1, character=lsp_character(line, column, encoding))
    end = types.Position(line=number - 1, character=lsp_character(line, end_column, encoding))
    return types.Location(uri=path.as_uri(), range=types.Range(start=start, end=end))


SUPERSEDE_ROLES = ("supersedes", "superseded_by")


@dataclass(frozen=True)
class Entry:
    """One entry of a doc's `supersedes` or `superseded_by` role, and where it is written:
    the doc or its sidecar, a 1-based line and code-point columns of that file."""

    role: str
    text: str
    file: Path
    line: int
    column: int
    end_column: int
    line_text: str

    def location(self, encoding: str = types.PositionEncodingKind.Utf16) -> types.Location:
        """Return where the entry is written, in the editor's positions."""
        return _location(self.file, self.line, self.line_text, self.column, self.end_column, encoding)


def supersede_entries(doc: Document, doc_path: Path, sidecar_file: Path | None = None) -> list[Entry]:
    """Return the entries of the doc's supersede roles whose text is found in their file: the
    doc itself (front matter, prose) or its sidecar (`sidecar_file`, as read for the doc)."""
    found = []
    for role in SUPERSEDE_ROLES:
        value = doc.role(role)
        if value is None or not value.items:
            continue
        if value.file == doc.path:
            file, text, lines, index = doc_path, doc.text, doc.lines, doc.index
        elif doc.sidecar is not None and value.file == doc.sidecar.path and doc.sidecar.text and sidecar_file:
            file, text = sidecar_file, doc.sidecar.text
            lines, index = split_lines(text), LineIndex(text)
        else:
            continue
        at = value.start
        for item in value.items:
            start = text.find(item, at, value.end)
            if start < 0 or "\n" in item:
                continue
            at = start + len(item)
            line, column = index.position(start)
            found.append(Entry(role, item, file, line, column, column + len(item), lines[line - 1]))
    return found


def entry_at(entries: Iterable[Entry], buffer: Buffer, position: types.Position) -> Entry | None:
    """Return the entry under an LSP position of the buffer (`entries`: those written in it)."""
    for entry in entries:
        start = buffer.position(entry.line, entry.column)
        end = buffer.position(entry.line, entry.end_column)
        if start.line == position.line and start.character <= position.character <= end.character:
            return entry
    return None


def heading_anchor(doc: Document, line: int) -> str | None:
    """Return the GitHub slug of the heading on 1-based `line`, None when no heading is there."""
    headings = doc.headings
    for (at, _, _), slug in zip(headings, unique_slugs([text for _, _, text in headings]), strict=True):
        if at == line:
            return slug
    return None


def anchor_edits(
    target: Path, anchor: str, new_anchor: str, sources: Iterable[tuple[Path, str]]
) -> dict[str, list[types.TextEdit]]:
    """Return, per file, the edits that turn every link to `target#anchor` into `target#new_anchor`
    (columns in code points: the caller's files are plain text here)."""
    edits: dict[str, list[types.TextEdit]] = {}
    for path, text in sources:
        for number, line in enumerate(text.splitlines(), 1):
            for link in links_in(line, number):
                named = _target(path, link)
                if named is None or named[0] != target or named[1].casefold() != anchor:
                    continue
                at = line.find("#", link.column - 1)
                if at < 0:
                    continue
                end = at + 1 + len(link.target.partition("#")[2])
                span = types.Range(
                    start=types.Position(line=number - 1, character=at + 1),
                    end=types.Position(line=number - 1, character=end),
                )
                edits.setdefault(path.as_uri(), []).append(types.TextEdit(range=span, new_text=new_anchor))
    return edits
