"""designdoc's diagnostics and fixes as LSP values: diagnostics, quick fixes, edits and hover text."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from designdoc.lsp.positions import Buffer
from designdoc.model.diagnostics import Diagnostic, Severity
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
        if _starts_block(buffer.doc, d.line):
            data["disable"] = d.line - 1
        section = next((s for s in buffer.doc.sections if s.line < d.line <= s.end_line), None)
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


def _starts_block(doc: Document, line: int) -> bool:
    """Return True when a comment line may go above `line`: it starts a body block.

    In front matter or code the comment would be YAML or code text; inside a
    paragraph, list or table it would split it (a table loses its rows).
    """
    return line >= doc.body_line and any(block.line == line for block in doc.blocks)


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
    if "disable" in data:
        line = int(data["disable"])
        comment = DISABLE_COMMENT.format(slug=diagnostic.code) + buffer.doc.newline
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
