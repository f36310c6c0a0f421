"""The language server (`designdoc lsp`): live diagnostics, quick fixes and rule docs.

No rule logic lives here.  A buffer is checked exactly as `check` checks a
file (`document.parse` + `linter.lint`, with the config and template of the
file's project); fixes are the same `Edit`s `--fix` applies, converted to LSP
text edits and carried in `Diagnostic.data` for code actions (as ruff's server
does).  The server never writes a file: edits go to the client, which applies
them to its buffer.

Positions: ours are 1-based with columns in code points; LSP's are 0-based
with characters in the negotiated encoding, UTF-16 code units unless the
client offers another.  Conversion happens only here, per line.

Importing this module imports pygls (~0.5 s), so only the `lsp` command does.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from designdoc import __version__
from designdoc.check.runner import Checker
from designdoc.config import load as config_module
from designdoc.model.diagnostics import Diagnostic, Edit, Severity
from designdoc.model.errors import DesignDocError
from designdoc.model.settings import Config
from designdoc.parse.document import Document
from designdoc.parse.document import parse as parse_document
from designdoc.parse.template import Template
from designdoc.rules import Rule, by_slug

LOG = logging.getLogger(__name__)
SOURCE = "designdoc"
DEBOUNCE = 0.15  # seconds to wait after a change before checking (newer changes supersede it)
DISABLE_COMMENT = "<!-- designdoc-disable-next-line {slug} -->"
_SEVERITIES = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
               Severity.INFO: types.DiagnosticSeverity.Information}


# -- positions ---------------------------------------------------------------------------------

def lsp_character(line: str, column: int, encoding: str = types.PositionEncodingKind.Utf16) -> int:
    """Return the 0-based LSP character of the 1-based code-point `column` in `line`."""
    prefix = line[:max(column - 1, 0)]
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
        return types.TextEdit(range=types.Range(start=self.offset_position(edit.start),
                                                end=self.offset_position(edit.end)), new_text=edit.text)

    def contains(self, d: Diagnostic, position: types.Position) -> bool:
        """Return True when an LSP position falls inside a diagnostic's span (ends included)."""
        start = self.position(d.line, d.column)
        end = self.position(d.end_line, d.end_column)
        here = (position.line, position.character)
        return (start.line, start.character) <= here <= (end.line, end.character)


# -- checking ----------------------------------------------------------------------------------

class Analyzer:
    """Check buffers with the config and template of each file's project (cached by file stamps)."""

    def __init__(self, *, rules: Sequence[Rule] | None = None,
                 on_error: Callable[[Rule, Exception, str], None] | None = None) -> None:
        self.rules = tuple(rules) if rules is not None else None
        self.on_error = on_error
        self._setups: dict[tuple, tuple[Config, Template]] = {}
        self._checkers: dict[tuple, Checker] = {}

    def setup(self, folder: Path) -> tuple[Config, Template]:
        """Return the config and template for files in `folder` (DesignDocError when unusable)."""
        return self._setup(folder)[1]

    def checker(self, folder: Path) -> Checker:
        """Return the one Checker for files in `folder`: its config, template and rules, as of today."""
        from designdoc.check.linter import select
        from designdoc.config.load import today

        key, (config, template) = self._setup(folder)
        when = today()
        found = self._checkers.get(key)
        if found is None or found.today != when:
            rules = self.rules if self.rules is not None else select()
            found = self._checkers[key] = Checker(config, template, rules=rules, today_=when)
        return found

    def _setup(self, folder: Path) -> tuple[tuple, tuple[Config, Template]]:
        from designdoc.config.load import load_template

        config = config_module.load(start=folder)
        template_path = Path(config.template) if config.template else None
        if template_path is not None and not template_path.is_absolute() and config.root is not None:
            template_path = config.root / template_path
        key = (config.source, _stamp(config.source), config.root, template_path, _stamp(template_path))
        if key not in self._setups:
            self._setups[key] = (config, load_template(config))
        return key, self._setups[key]

    def forget(self) -> None:
        """Drop the cached configs, templates and checkers (one was saved)."""
        self._setups.clear()
        self._checkers.clear()

    def analyze(self, path: Path, text: str, *, version: int | None = None,
                encoding: str = types.PositionEncodingKind.Utf16) -> tuple[Buffer | None, list[Diagnostic]]:
        """Check a buffer's text; (None, []) when the file is no design doc."""
        from designdoc.check.workspace import Project
        from designdoc.files.discovery import display

        checker = self.checker(path.parent)
        config, template = checker.config, checker.template
        bom = text.startswith("\ufeff")
        text = text.removeprefix("\ufeff")
        if not self.is_doc(path, text, config, template):
            return None, []
        doc = parse_document(text, display(path), template, bom=bom)
        failed = self.on_error
        diagnostics = checker.lint(doc, on_error=(lambda rule, error: failed(rule, error, doc.path)) if failed else None)
        diagnostics += checker.project_findings(doc, Project.of(config, [path]))  # links, references
        return Buffer(doc, version, encoding, bom), sorted(diagnostics, key=Diagnostic.sort_key)

    @staticmethod
    def is_doc(path: Path, text: str, config: Config, template: Template) -> bool:
        """Return True for a design doc: as in a folder walk (its doc_type), or a file under `paths`."""
        from designdoc.files.discovery import looks_like_doc

        if looks_like_doc(text.encode("utf-8", "surrogatepass"), template.doc_type, template):
            return True
        base = config.root or Path.cwd()
        resolved = path.resolve()
        return any(resolved.is_relative_to((base / p).resolve()) for p in config.paths)


def _stamp(path: Path | None) -> tuple[int, int] | None:
    try:
        info = path.stat() if path is not None else None
    except OSError:
        return None
    return None if info is None else (info.st_mtime_ns, info.st_size)


# -- conversion to LSP ---------------------------------------------------------------------------

def to_lsp(d: Diagnostic, buffer: Buffer) -> types.Diagnostic:
    """Return one of our diagnostics as an LSP diagnostic, its fix and suppression in `data`."""
    data: dict[str, Any] = {"version": buffer.version}
    if d.fix is not None and d.fix.edits:
        edits = [buffer.text_edit(e) for e in sorted(d.fix.edits, key=lambda e: (e.start, e.end))]
        data["fix"] = {"title": d.fix.title, "edits": [_edit_json(e) for e in edits]}
    if _starts_block(buffer.doc, d.line):
        data["disable"] = d.line - 1
    return types.Diagnostic(
        range=types.Range(start=buffer.position(d.line, d.column), end=buffer.position(d.end_line, d.end_column)),
        message=d.message, severity=_SEVERITIES.get(d.severity, types.DiagnosticSeverity.Hint),
        code=d.rule, source=SOURCE, data=data)


def _starts_block(doc: Document, line: int) -> bool:
    """Return True when a comment line may go above `line`: it starts a body block.

    In front matter or code the comment would be YAML or code text; inside a
    paragraph, list or table it would split it (a table loses its rows).
    """
    return line >= doc.body_line and any(block.line == line for block in doc.blocks)


def _edit_json(edit: types.TextEdit) -> dict[str, Any]:
    r = edit.range
    return {"range": {"start": {"line": r.start.line, "character": r.start.character},
                      "end": {"line": r.end.line, "character": r.end.character}}, "newText": edit.new_text}


def _edit_from_json(data: dict[str, Any]) -> types.TextEdit:
    r = data["range"]
    return types.TextEdit(range=types.Range(start=types.Position(**r["start"]), end=types.Position(**r["end"])),
                          new_text=data["newText"])


def _document_edit(uri: str, version: int | None, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    # versioned: a client refuses the edit if the buffer changed since these positions were computed
    identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
    return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=identifier, edits=edits)])


def quick_fixes(uri: str, diagnostic: types.Diagnostic, buffer: Buffer) -> list[types.CodeAction]:
    """Return the code actions of one client diagnostic: its fix, and disabling its rule on the line."""
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    if diagnostic.source != SOURCE or data.get("version") != buffer.version:
        return []  # another tool's, or computed for an older version of the buffer
    actions = []
    if "fix" in data:
        edits = [_edit_from_json(e) for e in data["fix"]["edits"]]
        actions.append(types.CodeAction(title=data["fix"]["title"], kind=types.CodeActionKind.QuickFix,
                                        diagnostics=[diagnostic], is_preferred=True,
                                        edit=_document_edit(uri, buffer.version, edits)))
    if "disable" in data:
        line = int(data["disable"])
        comment = DISABLE_COMMENT.format(slug=diagnostic.code) + buffer.doc.newline
        at = types.Position(line=line, character=1 if line == 0 and buffer.bom else 0)
        insert = types.TextEdit(range=types.Range(start=at, end=at), new_text=comment)
        actions.append(types.CodeAction(title=f"Disable {diagnostic.code} on the next line",
                                        kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                                        edit=_document_edit(uri, buffer.version, [insert])))
    return actions


def hover_text(d: Diagnostic) -> str:
    """Return the hover Markdown for a diagnostic: its message and its rule's documentation."""
    rule = by_slug(d.rule)
    doc = rule.doc if rule is not None else ""
    return f"**designdoc [{d.rule}]** {d.message}\n\n{doc}".rstrip() + "\n"


# -- the server ----------------------------------------------------------------------------------

@dataclass
class _State:
    buffer: Buffer
    diagnostics: list[Diagnostic]


class DesignDocServer(LanguageServer):
    """A pygls server holding the last check of every open buffer."""

    def __init__(self, *, rules: Sequence[Rule] | None = None) -> None:
        super().__init__("designdoc", __version__)
        self.analyzer = Analyzer(rules=rules, on_error=self.rule_failed)
        self.states: dict[str, _State] = {}
        self._shown: set[str] = set()

    @property
    def encoding(self) -> str:
        """Return the negotiated position encoding (UTF-16 unless the client chose another)."""
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def rule_failed(self, rule: Rule, error: Exception, path: str) -> None:
        """Log a rule that raised; the other rules' diagnostics are still published."""
        LOG.error("rule %s failed on %s", rule.slug, path, exc_info=error)
        self.window_log_message(types.LogMessageParams(
            type=types.MessageType.Error,
            message=f"designdoc: rule {rule.slug} failed on {path}: {type(error).__name__}: {error}"))

    def validate(self, uri: str, version: int | None = None) -> None:
        """Check an open buffer and publish its diagnostics, unless a newer version exists."""
        document = self.workspace.get_text_document(uri)
        if version is not None and document.version != version:
            return  # stale: the newer change schedules its own check
        path = Path(to_fs_path(uri) or document.path or "untitled.md")
        if path.suffix.lower() not in (".md", ".markdown") and document.language_id != "markdown":
            return
        try:
            buffer, found = self.analyzer.analyze(path, document.source, version=document.version,
                                                  encoding=self.encoding)
        except DesignDocError as error:  # a bad config or template: say so once, show nothing
            self._show_once(str(error))
            buffer, found = None, []
        except Exception:  # never let one buffer take the server down
            LOG.exception("checking %s failed", uri)
            return
        self._publish(uri, document.version, buffer, found)

    def _publish(self, uri: str, version: int | None, buffer: Buffer | None, found: list[Diagnostic]) -> None:
        if buffer is None:
            self.states.pop(uri, None)
            lsp_diagnostics: list[types.Diagnostic] = []
        else:
            self.states[uri] = _State(buffer, found)
            lsp_diagnostics = [to_lsp(d, buffer) for d in found]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=lsp_diagnostics))

    def _show_once(self, message: str) -> None:
        if message not in self._shown:
            self._shown.add(message)
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error,
                                                             message=f"designdoc: {message}"))

    def fix_all(self, uri: str) -> types.CodeAction | None:
        """Return a source action applying every fix, as `check --fix` would, to the buffer."""
        from designdoc.edit.rounds import fix_text

        state = self.states.get(uri)
        if state is None or not any(d.fix for d in state.diagnostics):
            return None
        doc = state.buffer.doc
        checker = self.analyzer.checker(Path(to_fs_path(uri) or doc.path).parent)
        outcome = fix_text(doc.text, doc.path, template=doc.template, bom=doc.bom,
                           lint_doc=lambda d: checker.lint(d, on_error=lambda rule, error: None))
        if outcome.text == doc.text:
            return None
        whole = types.TextEdit(range=types.Range(start=state.buffer.offset_position(0),
                                                 end=state.buffer.offset_position(len(doc.text))),
                               new_text=outcome.text)
        return types.CodeAction(title="designdoc: fix all", kind=types.CodeActionKind.SourceFixAll,
                                edit=_document_edit(uri, state.buffer.version, [whole]))


def create_server(*, rules: Sequence[Rule] | None = None) -> DesignDocServer:
    """Return a language server with every feature registered (`rules`: override, for tests)."""
    server = DesignDocServer(rules=rules)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DesignDocServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.validate(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: DesignDocServer, params: types.DidChangeTextDocumentParams) -> None:
        await asyncio.sleep(DEBOUNCE)
        ls.validate(params.text_document.uri, version=params.text_document.version)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: DesignDocServer, params: types.DidSaveTextDocumentParams) -> None:
        if not params.text_document.uri.endswith((".md", ".markdown")):
            ls.analyzer.forget()  # a config or template was saved: check every open doc again
            for uri in list(ls.states):
                ls.validate(uri)
            return
        ls.validate(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: DesignDocServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.states.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                            diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]))
    def code_action(ls: DesignDocServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return code_actions(ls, params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: DesignDocServer, params: types.HoverParams) -> types.Hover | None:
        return hover_at(ls, params.text_document.uri, params.position)

    return server


def code_actions(ls: DesignDocServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Return the quick fixes of the client's diagnostics, and the fix-all source action if asked."""
    uri = params.text_document.uri
    state = ls.states.get(uri)
    current = ls.workspace.get_text_document(uri).version
    if state is None or state.buffer.version != current:
        return []  # not checked yet, or checked before the latest change
    only = params.context.only
    actions: list[types.CodeAction] = []
    if not only or any(k.startswith(types.CodeActionKind.QuickFix) for k in only):
        for diagnostic in params.context.diagnostics:
            actions += quick_fixes(uri, diagnostic, state.buffer)
    if not only or any(types.CodeActionKind.SourceFixAll.startswith(k) for k in only):
        fix_all = ls.fix_all(uri)
        if fix_all is not None:
            actions.append(fix_all)
    return actions


def hover_at(ls: DesignDocServer, uri: str, position: types.Position) -> types.Hover | None:
    """Return the documentation of the rules whose diagnostics cover `position`."""
    state = ls.states.get(uri)
    if state is None:
        return None
    hits = [d for d in state.diagnostics if state.buffer.contains(d, position)]
    if not hits:
        return None
    first = hits[0]
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                     value="\n---\n\n".join(hover_text(d) for d in hits)),
        range=types.Range(start=state.buffer.position(first.line, first.column),
                          end=state.buffer.position(first.end_line, first.end_column)))


def serve() -> None:
    """Run the language server on stdin and stdout until the client says exit."""
    logging.basicConfig(level=os.environ.get("DESIGNDOC_LSP_LOG", "WARNING").upper(),
                        format="designdoc-lsp %(levelname)s %(message)s")
    create_server().start_io()


__all__ = ["Analyzer", "Buffer", "DesignDocServer", "code_point_column", "create_server", "lsp_character",
           "serve", "to_lsp"]
