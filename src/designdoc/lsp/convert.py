"""designdoc's diagnostics and fixes as LSP values: diagnostics, quick fixes, edits and hover text."""

from __future__ import annotations

import re
from typing import Any

from lsprotocol import types

from designdoc.lsp.positions import Buffer
from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.parse.blocks import Block
from designdoc.parse.document import Document
from designdoc.parse.inline import plain_text
from designdoc.rules import by_slug

SOURCE = "designdoc"


DISABLE_COMMENT = "<!-- designdoc-disable-next-line {slug} -->"
DISABLE_SECTION = "<!-- designdoc-disable {slug} -->"
_READING_RULES = frozenset(("encoding-invalid", "file-skipped"))


_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def to_lsp(d: Diagnostic, buffer: Buffer) -> types.Diagnostic:
    """Return one of our diagnostics as an LSP diagnostic, its fix and suppression in `data`."""
    data: dict[str, Any] = {"version": buffer.version}
    if d.fix is not None and d.fix.edits:
        edits = [buffer.text_edit(e) for e in sorted(d.fix.edits, key=lambda e: (e.start, e.end))]
        data["fix"] = {"title": d.fix.title, "edits": [_edit_json(e) for e in edits]}
    if d.rule in _READING_RULES:  # the file was not read as the editor shows it: no edit of it helps
        pass
    else:
        point = disable_point(buffer.doc, d.line, buffer.block_at(d.line))
        if point is not None:
            data["disable"] = [point[0] - 1, point[1], point[2]]
        section = buffer.section_of(d.line)
        if section is not None:  # a comment under the heading disables the rule to the section's end
            data["section"] = section.line
    return types.Diagnostic(
        range=types.Range(start=buffer.position(d.line, d.column), end=buffer.position(d.end_line, d.end_column)),
        message=d.message,
        severity=_SEVERITIES.get(d.severity, types.DiagnosticSeverity.Hint),
        code=d.rule,
        source=SOURCE,
        data=data,
    )


_LISTS = frozenset(("bullet_list", "ordered_list"))
_ITEM_MARK = re.compile(r"[ ]*(?:[-*+]|[0-9]{1,9}[.)])(?:[ ]{1,4}(?=[^ ])|[ ]*$)")
_FENCE = re.compile(r"[ ]*(?:```|~~~)")


def disable_point(doc: Document, line: int, block: Block | None = None) -> tuple[int, str, bool] | None:
    """Return where a `designdoc-disable-next-line` comment for 1-based `line` goes: the line it is
    inserted as (1-based), what precedes it on that line, and whether the insertion must be checked
    against a parse of the result (`keeps_structure`); None when no comment line can go above.

    - a body block's first line: the comment above it, unindented;
    - in front matter: a YAML comment (`# <!-- … -->`) with the line's indentation, never above
      the opening `---`;
    - in a list: indented to the item's content, so that it stays in the list; a lazy
      continuation line (indented less than its item's content) takes none;
    - in code: only above a fence's opening line (a comment inside would be code).
    Inside a paragraph, a quote or a table a comment line would split it: none.  `block`: the
    body block holding `line`, when the caller has looked it up.
    """
    front = doc.frontmatter
    if line < doc.body_line:
        if front is None or front.end_line is None or not front.start_line < line <= front.end_line:
            return None
        return line, _indent(doc.lines[line - 1]) + "# ", True
    if line > len(doc.lines):
        return None
    text = doc.lines[line - 1]
    if line in doc.code_lines and (line - 1 in doc.code_lines or not _FENCE.match(text)):
        return None
    if block is None:
        block = next((b for b in doc.blocks if b.line <= line <= b.end_line), None)
    if block is None:
        return None
    if block.line == line:
        return line, "", False
    if block.kind not in _LISTS:
        return None
    holding = [item for item in block.items if item.line <= line <= item.end_line]
    if not holding:
        return None
    item = max(holding, key=lambda i: i.line)  # the innermost: items at every depth, in order
    mark = _ITEM_MARK.match(item.text)
    if mark is None:
        return None
    content = len(mark.group(0))
    if item.line == line:  # above an item: inside the item before it, at this item's content column
        return line, " " * content, True
    indent = _indent(text)
    if "\t" in indent or len(indent) < content:  # a lazy continuation: an indented line would end the list
        return None
    return line, indent, True


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def keeps_structure(doc: Document, at: int, new_line: str) -> bool:
    """Return True when inserting `new_line` as 1-based line `at` leaves the doc as it was, moved
    down a line: its front-matter values, blocks, list items, sections and code lines."""
    offset = doc.index.offset(at)
    after = doc.reparsed(doc.text[:offset] + new_line + doc.newline + doc.text[offset:])

    def moved(n: int) -> int:
        return n + 1 if n >= at else n

    def ends(old: int, new: int) -> bool:  # the block or item before the comment may take it in
        return new == moved(old) or (old == at - 1 and new == at)

    if (doc.frontmatter is None) != (after.frontmatter is None) or after.body_line != moved(doc.body_line):
        return False
    if doc.frontmatter is not None:
        if _values(doc.frontmatter.fields) != _values(after.frontmatter.fields):
            return False
        if len(doc.frontmatter.problems) != len(after.frontmatter.problems):
            return False
    if len(doc.blocks) != len(after.blocks) or after.code_lines != {moved(n) for n in doc.code_lines}:
        return False
    for old, new in zip(doc.blocks, after.blocks, strict=True):
        if old.kind != new.kind or new.line != moved(old.line) or not ends(old.end_line, new.end_line):
            return False
        if len(old.items) != len(new.items):
            return False
        for a, b in zip(old.items, new.items, strict=True):
            if b.line != moved(a.line) or not ends(a.end_line, b.end_line) or a.text != b.text:
                return False
    return [(s.name, moved(s.line)) for s in doc.sections] == [(s.name, s.line) for s in after.sections]


def _values(fields: dict) -> dict:
    return {key: _plain(item.node) for key, item in fields.items()}


def _plain(node: Any) -> object:
    if node.kind == "seq":
        return [_plain(n) for n in node.value]
    if node.kind == "map":
        return {key: _plain(n) for key, n in node.value}
    return node.value


def _edit_json(edit: types.TextEdit) -> dict[str, Any]:
    r = edit.range
    return {
        "range": {
            "start": {"line": r.start.line, "character": r.start.character},
            "end": {"line": r.end.line, "character": r.end.character},
        },
        "newText": edit.new_text,
    }


def _edit_from_json(data: dict[str, Any]) -> types.TextEdit:
    r = data["range"]
    return types.TextEdit(
        range=types.Range(start=types.Position(**r["start"]), end=types.Position(**r["end"])), new_text=data["newText"]
    )


def document_edit(
    uri: str, version: int | None, edits: list[types.TextEdit], *, versioned: bool = True
) -> types.WorkspaceEdit:
    """Return edits to one document: versioned (`documentChanges`, which a client refuses once the
    buffer changed) when the client says it takes them, else as plain `changes`."""
    if not versioned:
        return types.WorkspaceEdit(changes={uri: edits})
    identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
    return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=identifier, edits=edits)])


def quick_fixes(
    uri: str, diagnostic: types.Diagnostic, buffer: Buffer, *, versioned: bool = True
) -> list[types.CodeAction]:
    """Return the code actions of one client diagnostic: its fix, and disabling its rule on the line."""
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    if diagnostic.source != SOURCE or data.get("version") != buffer.version:
        return []  # another tool's, or computed for an older version of the buffer
    actions = []
    if "fix" in data:
        edits = [_edit_from_json(e) for e in data["fix"]["edits"]]
        actions.append(
            types.CodeAction(
                title=data["fix"]["title"],
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=document_edit(uri, buffer.version, edits, versioned=versioned),
            )
        )
    disable = data.get("disable")
    if isinstance(disable, list) and _disable_is_safe(buffer.doc, disable, str(diagnostic.code)):
        line, lead = int(disable[0]), str(disable[1])
        comment = lead + DISABLE_COMMENT.format(slug=diagnostic.code) + buffer.doc.newline
        at = types.Position(line=line, character=1 if line == 0 and buffer.bom else 0)
        insert = types.TextEdit(range=types.Range(start=at, end=at), new_text=comment)
        actions.append(
            types.CodeAction(
                title=f"Disable {diagnostic.code} on the next line",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=document_edit(uri, buffer.version, [insert], versioned=versioned),
            )
        )
    if "section" in data:
        below = int(data["section"])  # the line under the heading, 0-based
        at = types.Position(line=below, character=0)
        comment = DISABLE_SECTION.format(slug=diagnostic.code) + buffer.doc.newline
        actions.append(
            types.CodeAction(
                title=f"Disable {diagnostic.code} for this section",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=document_edit(
                    uri,
                    buffer.version,
                    [types.TextEdit(range=types.Range(start=at, end=at), new_text=comment)],
                    versioned=versioned,
                ),
            )
        )
    return actions


def _disable_is_safe(doc: Document, disable: list, slug: str) -> bool:
    """Return True when the comment line planned by `disable_point` may go in (checked by a parse
    of the result when the point is not a block's start)."""
    line, lead, check = int(disable[0]), str(disable[1]), bool(disable[2])
    return not check or keeps_structure(doc, line + 1, lead + DISABLE_COMMENT.format(slug=slug))


def hover_text(d: Diagnostic) -> str:
    """Return the hover Markdown for a diagnostic: its message and its rule's documentation."""
    rule = by_slug(d.rule)
    doc = rule.doc if rule is not None else ""
    return f"**designdoc [{d.rule}]** {d.message}\n\n{doc}".rstrip() + "\n"


def outline(buffer: Buffer, findings: list[Diagnostic]) -> list[types.DocumentSymbol]:
    """Return the doc's sections as symbols, each with its sub-sections and what the check says of
    it (`placeholder`, `empty`, `out of order`, `not in the template`) in its detail."""
    doc = buffer.doc
    words = {"section-placeholder": "placeholder", "section-empty": "empty", "section-order": "out of order"}
    said = [(d.line, words[d.rule]) for d in findings if d.rule in words]
    symbols = []
    for section in doc.sections:
        detail = [word for line, word in said if section.line <= line <= max(section.end_line, section.line)]
        if section.index is None:
            detail.append("not in the template")
        last = max(section.end_line, section.line)
        whole = types.Range(
            start=buffer.position(section.line, 1), end=buffer.position(last, len(doc.lines[last - 1]) + 1)
        )
        heading = types.Range(
            start=buffer.position(section.line, 1),
            end=buffer.position(section.line, len(doc.lines[section.line - 1]) + 1),
        )
        children = [
            types.DocumentSymbol(
                name=plain_text(block.text) or "(untitled)",
                kind=types.SymbolKind.String,
                range=types.Range(
                    start=buffer.position(block.line, 1),
                    end=buffer.position(block.line, len(doc.lines[block.line - 1]) + 1),
                ),
                selection_range=types.Range(
                    start=buffer.position(block.line, 1),
                    end=buffer.position(block.line, len(doc.lines[block.line - 1]) + 1),
                ),
            )
            for block in section.subheadings
        ]
        symbols.append(
            types.DocumentSymbol(
                name=section.name or "(untitled)",
                kind=types.SymbolKind.Namespace,
                detail=", ".join(dict.fromkeys(detail)) or None,
                range=whole,
                selection_range=heading,
                children=children,
            )
        )
    return symbols
