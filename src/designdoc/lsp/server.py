"""The language server (`designdoc lsp`): live diagnostics, quick fixes and rule docs.

No rule logic lives here.  A buffer is checked exactly as `check` checks a
file (`analyzer`: `Checker.lint` with the config and template of the file's
project, then the project rules that need no git); fixes are the same `Edit`s
`--fix` applies, converted to LSP text edits (`convert`) and carried in
`Diagnostic.data` for code actions (as ruff's server does).  The server never
writes a file: edits go to the client, which applies them to its buffer.

Positions: ours are 1-based with columns in code points; LSP's are 0-based
with characters in the negotiated encoding, UTF-16 code units unless the
client offers another (`positions`).

Importing this module imports pygls (~0.5 s), so only the `lsp` command does.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from designdoc import __version__
from designdoc.lsp.analyzer import Analyzer
from designdoc.lsp.convert import document_edit, hover_text, outline, quick_fixes, to_lsp
from designdoc.lsp.positions import Buffer
from designdoc.model.diagnostics import Diagnostic
from designdoc.model.errors import DesignDocError
from designdoc.rules import Rule

LOG = logging.getLogger(__name__)
DEBOUNCE = 0.15  # seconds to wait after a change before checking (newer changes supersede it)
STATUS_COMMAND = "designdoc.status"  # arguments: the doc's URI and the new status
BUMP_COMMAND = "designdoc.bump"  # arguments: the doc's URI and the part (major, minor, patch)
NEW_COMMAND = "designdoc.new"  # arguments: the title, then optionally {"owners", "tags", "directory"}


# -- the server ----------------------------------------------------------------------------------


@dataclass
class _State:
    buffer: Buffer
    diagnostics: list[Diagnostic]


@dataclass(frozen=True)
class _Outcome:
    result: tuple[Buffer | None, list[Diagnostic]]
    facts_changed: bool  # what the project rules read of the doc changed: the other open docs may change too


class DesignDocServer(LanguageServer):
    """A pygls server holding the last check of every open buffer."""

    def __init__(self, *, rules: Sequence[Rule] | None = None) -> None:
        super().__init__("designdoc", __version__)
        self.analyzer = Analyzer(rules=rules, on_error=self.rule_failed)
        self.states: dict[str, _State] = {}
        self._shown: set[str] = set()
        self._projects: dict[Path | None, tuple[tuple[Path, ...], tuple[str, ...], tuple[str, ...]]] = {}
        self._pending: set[asyncio.Future] = set()  # projects being read after a first open (kept: not collected)

    @property
    def encoding(self) -> str:
        """Return the negotiated position encoding (UTF-16 unless the client chose another)."""
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    @property
    def versioned_edits(self) -> bool:
        """Return True when the client takes `documentChanges` (versioned edits), as it announced."""
        workspace = self.client_capabilities.workspace
        edit = workspace.workspace_edit if workspace is not None else None
        return bool(edit is not None and edit.document_changes)

    def apply_settings(self, options: object) -> None:
        """Take the client's settings: `config` (a designdoc.toml for every file), `select` and
        `ignore` (rule slugs, as `check --select/--ignore`). A bad one is said, and left out."""
        from designdoc.check.linter import select
        from designdoc.rules import by_slug

        if not isinstance(options, dict):
            return
        chosen = [s for s in options.get("select", []) if isinstance(s, str)]
        dropped = [s for s in options.get("ignore", []) if isinstance(s, str)]
        unknown = [s for s in chosen + dropped if by_slug(s) is None]
        if unknown:
            self._show_once(f"settings: unknown rule {unknown[0]!r} (see 'designdoc rules')")
        config = options.get("config")
        if config is not None and not (isinstance(config, str) and Path(config).is_file()):
            self._show_once(f"settings: config {config!r} is not a file; the nearest designdoc.toml is used")
            config = None
        if chosen or dropped or config:
            rules = select(select=[s for s in chosen if by_slug(s)], ignore=dropped)
            self.analyzer = Analyzer(
                rules=rules, on_error=self.rule_failed, config_file=Path(config) if config else None
            )

    def rule_failed(self, rule: Rule, error: Exception, path: str) -> None:
        """Log a rule that raised; the other rules' diagnostics are still published."""
        LOG.error("rule %s failed on %s", rule.slug, path, exc_info=error)
        self.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Error,
                message=f"designdoc: rule {rule.slug} failed on {path}: {type(error).__name__}: {error}",
            )
        )

    def validate(self, uri: str, version: int | None = None, *, refresh: bool = False) -> None:
        """Check an open buffer and publish its diagnostics, unless a newer version exists (`refresh`:
        it was opened or saved, so the project's changed files and git dates are read again first).

        The first open of a large project publishes the doc's own findings at once and the whole
        set once the project is read, off the event loop."""
        job = self._job(uri, version)
        if job is None:
            return
        if refresh and self.analyzer.project_pending(job[0]):
            self._finish(uri, *job, self._analyze(uri, *job, project=False))
            task = asyncio.ensure_future(self._with_project(uri, job))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
            return
        self._finish(uri, *job, self._analyze(uri, *job, refresh=refresh))

    async def _with_project(self, uri: str, job: tuple[Path, str, int | None]) -> None:
        """Read the project and publish the buffer's whole findings, if no newer version came."""
        outcome = await asyncio.to_thread(self._analyze, uri, *job, refresh=True)
        if self.workspace.get_text_document(uri).version == job[2]:
            self._finish(uri, *job, outcome)

    async def validate_in_background(self, uri: str, version: int) -> None:
        """Check a changed buffer off the event loop, so that a change arriving meanwhile is
        taken in; the result is published only if no newer version came while it ran."""
        job = self._job(uri, version)
        if job is not None:
            outcome = await asyncio.to_thread(self._analyze, uri, *job)
            if self.workspace.get_text_document(uri).version == version:
                self._finish(uri, *job, outcome)

    def _job(self, uri: str, version: int | None) -> tuple[Path, str, int | None] | None:
        """Return what to check of a buffer (path, text, version), None when there is nothing to do."""
        document = self.workspace.get_text_document(uri)
        if version is not None and document.version != version:
            return None  # stale: the newer change schedules its own check
        state = self.states.get(uri)
        if version is not None and state is not None and state.buffer.version == version:
            return None  # checked already (a code action asked for it before the debounce ended)
        path = Path(to_fs_path(uri) or document.path or "untitled.md")
        if path.suffix.lower() not in (".md", ".markdown") and document.language_id != "markdown":
            return None
        return path, document.source, document.version

    def _analyze(
        self, uri: str, path: Path, text: str, version: int | None, *, refresh: bool = False, project: bool = True
    ) -> object:
        try:
            before = self.analyzer.open_facts(path)
            found = self.analyzer.analyze(
                path, text, version=version, encoding=self.encoding, refresh=refresh, project=project
            )
            return _Outcome(found, refresh or self.analyzer.open_facts(path) != before)
        except DesignDocError as error:  # a bad config or template: on every open doc, until repaired
            return error
        except Exception:  # never let one buffer take the server down
            LOG.exception("checking %s failed", uri)
            return None

    def _finish(self, uri: str, path: Path, text: str, version: int | None, outcome: object) -> None:
        if isinstance(outcome, DesignDocError):
            self._show_once(str(outcome))
            self._publish_setup_error(uri, version, str(outcome))
        elif isinstance(outcome, _Outcome):
            buffer, found = outcome.result
            self._publish(uri, version, buffer, found)
            if outcome.facts_changed:
                self.recheck_others(uri)

    def recheck_others(self, uri: str) -> None:
        """Publish the other open docs' diagnostics again when the project rules now say otherwise
        of them (this buffer's facts changed: a supersede entry, a heading, a link)."""
        for other, state in list(self.states.items()):
            if other == uri:
                continue
            path = Path(to_fs_path(other) or state.buffer.doc.path)
            try:
                found = self.analyzer.recheck(path, state.buffer.doc)
            except Exception:  # never let one buffer take the server down
                LOG.exception("checking %s again failed", other)
                continue
            if found is not None and found != state.diagnostics:
                self._publish(other, state.buffer.version, state.buffer, found)

    def _publish(self, uri: str, version: int | None, buffer: Buffer | None, found: list[Diagnostic]) -> None:
        if buffer is None:
            self.states.pop(uri, None)
            lsp_diagnostics: list[types.Diagnostic] = []
        else:
            self.states[uri] = _State(buffer, found)
            lsp_diagnostics = [to_lsp(d, buffer) for d in found]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=lsp_diagnostics)
        )

    def _publish_setup_error(self, uri: str, version: int | None, message: str) -> None:
        """Publish a config or template that cannot be used as the doc's one diagnostic: a broken
        config must not make a project look clean."""
        self.states.pop(uri, None)
        start = types.Position(line=0, character=0)
        diagnostic = types.Diagnostic(
            range=types.Range(start=start, end=start),
            message=f"{message} (no check runs until it is fixed)",
            severity=types.DiagnosticSeverity.Error,
            code="config-invalid",
            source="designdoc",
        )
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=[diagnostic])
        )

    def recheck_open_docs(self) -> None:
        """Check every open doc again with freshly read configs and templates (one was changed)."""
        self.analyzer.forget()
        self._projects.clear()
        for uri in list(self.workspace.text_documents):
            self.validate(uri)

    def _show_once(self, message: str) -> None:
        if message not in self._shown:
            self._shown.add(message)
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Error, message=f"designdoc: {message}")
            )

    def fix_all(self, uri: str) -> types.CodeAction | None:
        """Return a source action applying every fix, as `check --fix` would, to the buffer."""
        from designdoc.edit.rounds import fix_text

        state = self.states.get(uri)
        if state is None or not any(d.fix for d in state.diagnostics):
            return None
        doc = state.buffer.doc
        checker = self.analyzer.checker(Path(to_fs_path(uri) or doc.path).parent)
        outcome = fix_text(
            doc.text,
            doc.path,
            template=doc.template,
            bom=doc.bom,
            lint_doc=lambda d: checker.lint(d, on_error=lambda rule, error: None),
            parse=doc.reparsed,
        )
        if outcome.text == doc.text:
            return None
        whole = types.TextEdit(
            range=types.Range(start=state.buffer.offset_position(0), end=state.buffer.offset_position(len(doc.text))),
            new_text=outcome.text,
        )
        return types.CodeAction(
            title="designdoc: fix all",
            kind=types.CodeActionKind.SourceFixAll,
            edit=document_edit(uri, state.buffer.version, [whole], versioned=self.versioned_edits),
        )


def create_server(*, rules: Sequence[Rule] | None = None) -> DesignDocServer:
    """Return a language server with every feature registered (`rules`: override, for tests)."""
    server = DesignDocServer(rules=rules)

    @server.feature(types.INITIALIZE)
    def initialize(ls: DesignDocServer, params: types.InitializeParams) -> None:
        ls.apply_settings(params.initialization_options)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DesignDocServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.validate(params.text_document.uri, refresh=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: DesignDocServer, params: types.DidChangeTextDocumentParams) -> None:
        await asyncio.sleep(DEBOUNCE)
        await ls.validate_in_background(params.text_document.uri, params.text_document.version)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: DesignDocServer, params: types.DidSaveTextDocumentParams) -> None:
        if not params.text_document.uri.endswith((".md", ".markdown")):
            ls.recheck_open_docs()  # a config or template was saved
            return
        if params.text_document.uri not in ls.states:  # a template written as Markdown, maybe
            ls.recheck_open_docs()
            return
        ls.validate(params.text_document.uri, refresh=True)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: DesignDocServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.recheck_open_docs()  # a config, a template or a doc changed on disk

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: DesignDocServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        state = ls.states.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        if state is not None:  # its file stands for the doc again
            ls.analyzer.closed(Path(to_fs_path(uri) or state.buffer.doc.path))
            ls.recheck_others(uri)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]),
    )
    def code_action(ls: DesignDocServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return code_actions(ls, params)

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[":", " ", "#", "-"]))
    def completion(ls: DesignDocServer, params: types.CompletionParams) -> list[types.CompletionItem]:
        return completions(ls, params)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK)
    def document_link(ls: DesignDocServer, params: types.DocumentLinkParams) -> list[types.DocumentLink]:
        from designdoc.lsp.navigation import document_links

        uri = params.text_document.uri
        state = ls.states.get(uri)
        return document_links(state.buffer, Path(to_fs_path(uri) or "")) if state is not None else []

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def find_references(ls: DesignDocServer, params: types.ReferenceParams) -> list[types.Location]:
        return references_to(ls, params.text_document.uri, params.position)

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    def rename(ls: DesignDocServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
        return rename_heading(ls, params.text_document.uri, params.position, params.new_name)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def go_to_definition(ls: DesignDocServer, params: types.DefinitionParams) -> types.Location | None:
        return definition_of(ls, params.text_document.uri, params.position)

    @server.command(STATUS_COMMAND)
    def move_status(ls: DesignDocServer, *arguments: object) -> str:
        return status_command(ls, list(arguments))

    @server.command(BUMP_COMMAND)
    def bump_version(ls: DesignDocServer, *arguments: object) -> str:
        return bump_command(ls, list(arguments))

    @server.command(NEW_COMMAND)
    async def create_doc(ls: DesignDocServer, *arguments: object) -> str:
        return await new_command(ls, list(arguments))

    @server.feature(types.WORKSPACE_SYMBOL)
    def workspace_symbol(ls: DesignDocServer, params: types.WorkspaceSymbolParams) -> list[types.SymbolInformation]:
        return docs_matching(ls, params.query)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(ls: DesignDocServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        state = ls.states.get(params.text_document.uri)
        return outline(state.buffer, state.diagnostics) if state is not None else []

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: DesignDocServer, params: types.HoverParams) -> types.Hover | None:
        return hover_at(ls, params.text_document.uri, params.position)

    return server


def code_actions(ls: DesignDocServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Return the quick fixes of the client's diagnostics, and the fix-all source action if asked."""
    uri = params.text_document.uri
    state = ls.states.get(uri)
    current = ls.workspace.get_text_document(uri).version
    asked = list(params.context.diagnostics)
    if state is None or state.buffer.version != current:
        # typed since the last check (the debounce has not run yet): check the text as it is now,
        # and answer for the client's diagnostics as they stand in it
        ls.validate(uri)
        state = ls.states.get(uri)
        if state is None or state.buffer.version != current:
            return []
        asked = _as_of_now(asked, [to_lsp(d, state.buffer) for d in state.diagnostics])
    only = params.context.only
    actions: list[types.CodeAction] = []
    if not only or any(k.startswith(types.CodeActionKind.QuickFix) for k in only):
        for diagnostic in asked:
            actions += quick_fixes(uri, diagnostic, state.buffer, versioned=ls.versioned_edits)
    if not only or any(types.CodeActionKind.SourceFixAll.startswith(k) for k in only):
        fix_all = ls.fix_all(uri)
        if fix_all is not None:
            actions.append(fix_all)
    return actions


def status_command(ls: DesignDocServer, arguments: list) -> str:
    """Move a doc to a new status through the lifecycle and its gates, as `designdoc status` does,
    and hand the edits to the client (`workspace/applyEdit`): the server writes no file.

    The doc must be saved: the move is computed from the file, as the command line computes it.
    """
    from designdoc.operations.revise import change_status

    if len(arguments) != 2 or not all(isinstance(a, str) for a in arguments):
        return "designdoc.status takes the doc's URI and the new status"
    uri, new = arguments
    path = Path(to_fs_path(uri) or "")
    unsaved = _unsaved(ls, uri, path)
    if unsaved is not None:
        return unsaved
    try:
        moved = change_status(path, new, [], ls.analyzer.checker(path.parent), plan_only=True)
    except DesignDocError as error:  # an illegal move or a failed gate: said, nothing changed
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=f"designdoc: {error}"))
        return str(error)
    if moved.planned:
        ls.workspace_apply_edit(
            types.ApplyWorkspaceEditParams(edit=_planned_edit(ls, moved.planned), label=f"status {new}")
        )
    return f"{path.name}: status {new}" if moved.planned else f"{path.name}: already {new}"


def bump_command(ls: DesignDocServer, arguments: list) -> str:
    """Bump a doc's version (and set its dates to today) as `designdoc bump` does, as an edit the
    client applies to its buffer; a refusal (no semantic version, an unknown part) is said and
    changes nothing.  The doc must be saved: the bump is computed from the file."""
    from designdoc.operations.revise import plan_bump

    if len(arguments) != 2 or not all(isinstance(a, str) for a in arguments):
        return _refused(ls, "designdoc.bump takes the doc's URI and the part (major, minor or patch)")
    uri, part = arguments
    path = Path(to_fs_path(uri) or "")
    unsaved = _unsaved(ls, uri, path)
    if unsaved is not None:
        return unsaved
    try:
        bumped, planned = plan_bump(path, part, ls.analyzer.checker(path.parent))
    except DesignDocError as error:
        return _refused(ls, str(error))
    if planned:
        ls.workspace_apply_edit(types.ApplyWorkspaceEditParams(edit=_planned_edit(ls, planned), label=f"bump {part}"))
    return f"{path.name}: version {bumped}"


async def new_command(ls: DesignDocServer, arguments: list) -> str:
    """Create a doc from the template as `designdoc new` does (never over an existing file): as a
    workspace edit creating the file when the client takes resource operations, else written
    atomically here, then shown to the user when the client can be asked to."""
    from designdoc.files.discovery import display
    from designdoc.operations.new import plan_new, write_planned

    options = arguments[1] if len(arguments) == 2 and isinstance(arguments[1], dict) else {}
    if not arguments or not isinstance(arguments[0], str) or len(arguments) > 2 or not isinstance(options, dict):
        return _refused(ls, 'designdoc.new takes the title, then optionally {"owners", "tags", "directory"}')
    words = {key: [w for w in options.get(key) or [] if isinstance(w, str)] for key in ("owners", "tags")}
    directory = options.get("directory")
    root = Path(ls.workspace.root_path or os.getcwd())
    try:
        checker = ls.analyzer.checker(root)
        asked = {
            "directory": Path(directory) if isinstance(directory, str) and directory else None,
            "owners": words["owners"],
            "tags": words["tags"],
            "today": checker.today,
        }
        files = plan_new(arguments[0], checker.config, checker.template, **asked)
        if not _creates_files(ls):
            path = write_planned(files)
    except DesignDocError as error:
        return _refused(ls, str(error))
    if _creates_files(ls):
        changes: list = []
        for target, text in files:
            uri = target.resolve().as_uri()
            at = types.Position(line=0, character=0)
            changes += [
                types.CreateFile(uri=uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=False)),
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                    edits=[types.TextEdit(range=types.Range(start=at, end=at), new_text=text)],
                ),
            ]
        result = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=types.WorkspaceEdit(document_changes=changes), label="new doc")
        )
        path = files[0][0]
        if not result.applied:
            return _refused(ls, f"{display(path)}: the editor did not create it ({result.failure_reason or 'refused'})")
    elif _shows_documents(ls):
        await ls.window_show_document_async(types.ShowDocumentParams(uri=path.resolve().as_uri(), take_focus=True))
    return f"{display(path)}: created"


def _unsaved(ls: DesignDocServer, uri: str, path: Path) -> str | None:
    """Return why a lifecycle command cannot run on the doc as the editor holds it (unreadable,
    unsaved), said to the user; None when the buffer is the file."""
    from designdoc.model.text import decode, split_bom

    document = ls.workspace.text_documents.get(uri)
    try:
        on_disk = decode(path.read_bytes())[0]
    except (OSError, UnicodeDecodeError):
        return _refused(ls, f"{path}: cannot be read")
    if document is not None and split_bom(document.source)[0] != on_disk:
        message = f"{path.name}: save it first (the change is computed from the file)"
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=f"designdoc: {message}"))
        return message
    return None


def _refused(ls: DesignDocServer, message: str) -> str:
    ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"designdoc: {message}"))
    return message


def _creates_files(ls: DesignDocServer) -> bool:
    """Return True when the client applies versioned edits and `create` resource operations."""
    workspace = ls.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace is not None else None
    operations = (edit.resource_operations or []) if edit is not None else []
    return ls.versioned_edits and types.ResourceOperationKind.Create in operations


def _shows_documents(ls: DesignDocServer) -> bool:
    window = ls.client_capabilities.window
    return bool(window is not None and window.show_document is not None and window.show_document.support)


def _planned_edit(ls: DesignDocServer, planned: Sequence[tuple[Path, bytes]]) -> types.WorkspaceEdit:
    """Return the edit turning each planned file into its new bytes: one text edit over the part that
    changes, against the open buffer (versioned, when the client takes it) or the file."""
    from designdoc.model.text import decode, split_bom

    changes: dict[str, list[types.TextEdit]] = {}
    versions: dict[str, int | None] = {}
    for target, data in planned:
        uri = Path(target).resolve().as_uri()
        document = ls.workspace.text_documents.get(uri)
        old, bom = split_bom(document.source) if document is not None else decode(Path(target).read_bytes())
        edit = _changed_span(old, decode(data)[0], ls.encoding)
        if bom and document is not None:  # the editor counts the BOM on the first line
            for at in (edit.range.start, edit.range.end):
                at.character += 1 if at.line == 0 else 0
        changes[uri] = [edit]
        versions[uri] = document.version if document is not None else None
    if not ls.versioned_edits:
        return types.WorkspaceEdit(changes=changes)
    return types.WorkspaceEdit(
        document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=versions[uri]), edits=edits
            )
            for uri, edits in changes.items()
        ]
    )


def _changed_span(old: str, new: str, encoding: str) -> types.TextEdit:
    """Return one edit that turns `old` into `new`: the text between their common start and end."""
    from designdoc.lsp.positions import lsp_character

    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    if start and old[start - 1] == "\r":  # never between the two characters of a CRLF
        start -= 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1

    def position(offset: int) -> types.Position:
        line = old.count("\n", 0, offset) + old.count("\r", 0, offset) - old.count("\r\n", 0, offset)
        begin = max(old.rfind("\n", 0, offset), old.rfind("\r", 0, offset)) + 1
        return types.Position(line=line, character=lsp_character(old[begin:offset], offset - begin + 1, encoding))

    return types.TextEdit(
        range=types.Range(start=position(start), end=position(len(old) - end)), new_text=new[start : len(new) - end]
    )


def docs_matching(ls: DesignDocServer, query: str) -> list[types.SymbolInformation]:
    """Return the project's docs whose title, path, status or owner holds every word of `query`."""
    from designdoc.catalog import entries as catalog

    root = Path(ls.workspace.root_path or os.getcwd())
    try:
        checker = ls.analyzer.checker(root)
        found = catalog.load(
            checker.config.targets(), config=checker.config, template=checker.template, today=checker.today
        )
    except DesignDocError:
        return []
    words = query.casefold().split()
    symbols = []
    for entry in found.entries:
        haystack = " ".join([entry.title or "", entry.path, entry.status or "", *entry.owners]).casefold()
        if all(word in haystack for word in words):
            at = types.Position(line=0, character=0)
            symbols.append(
                types.SymbolInformation(
                    name=entry.title or Path(entry.path).name,
                    kind=types.SymbolKind.File,
                    location=types.Location(
                        uri=Path(entry.path).resolve().as_uri(), range=types.Range(start=at, end=at)
                    ),
                    container_name=" · ".join(x for x in (entry.status, ", ".join(entry.owners)) if x),
                )
            )
    return symbols


def rename_heading(
    ls: DesignDocServer, uri: str, position: types.Position, new_name: str
) -> types.WorkspaceEdit | None:
    """Rename the heading at `position` and every link to its anchor, in this doc and the project's others."""
    from designdoc.lsp.navigation import anchor_edits, heading_anchor
    from designdoc.parse.inline import github_slug

    state = ls.states.get(uri)
    if state is None or not new_name.strip():
        return None
    doc = state.buffer.doc
    anchor = heading_anchor(doc, position.line + 1)
    if anchor is None:
        return None
    line = doc.lines[position.line]
    marks = re.match(r"[ ]{0,3}#{1,6}[ \t]*", line)
    if marks is None:  # a setext heading: its text is the whole line
        start, end = 0, len(line.rstrip())
    else:
        closing = re.search(r"[ \t]+#+[ \t]*$", line)
        start, end = marks.end(), closing.start() if closing else len(line.rstrip())
    path = Path(to_fs_path(uri) or doc.path).resolve()
    edits = anchor_edits(path, anchor, github_slug(new_name.strip()), _project_sources(ls, path))
    heading = types.TextEdit(
        range=types.Range(
            start=state.buffer.position(position.line + 1, start + 1),
            end=state.buffer.position(position.line + 1, end + 1),
        ),
        new_text=new_name.strip(),
    )
    edits.setdefault(uri, []).insert(0, heading)
    return types.WorkspaceEdit(changes=edits)


def _project_sources(ls: DesignDocServer, path: Path):
    """Yield (path, text) of the project's docs and this one; open buffers as the editor holds them."""
    from designdoc.files.discovery import discover
    from designdoc.model.text import decode

    checker = ls.analyzer.checker(path.parent)
    try:
        candidates, _ = discover(checker.config.targets(), checker.config)
    except DesignDocError:
        candidates = []
    for other in dict.fromkeys([c.path.resolve() for c in candidates] + [path]):
        document = ls.workspace.text_documents.get(other.as_uri())
        try:
            yield other, document.source if document is not None else decode(other.read_bytes())[0]
        except (OSError, UnicodeDecodeError):
            continue


def references_to(ls: DesignDocServer, uri: str, position: types.Position) -> list[types.Location]:
    """Return the links to the heading at `position` from the project's docs; on the doc's title
    or anywhere else, every link to the doc (its backlinks) and every `supersedes` /
    `superseded_by` entry naming it.  Open buffers are read as the editor holds them."""
    from designdoc.lsp.navigation import heading_anchor, references

    state = ls.states.get(uri)
    if state is None:
        return []
    doc = state.buffer.doc
    path = Path(to_fs_path(uri) or doc.path).resolve()
    anchor = heading_anchor(doc, position.line + 1)
    sources = list(_project_sources(ls, path))
    on_title = doc.title_heading is not None and doc.title_heading.line == position.line + 1
    if anchor is not None and not on_title:
        return references(path, anchor, sources, ls.encoding)
    return references(path, None, sources, ls.encoding) + _supersede_references(ls, path, sources)


def _supersede_references(ls: DesignDocServer, target: Path, sources: list[tuple[Path, str]]) -> list[types.Location]:
    """Return the entries of the project's docs' supersede roles (front matter or sidecar) naming `target`."""
    from designdoc.files.discovery import display
    from designdoc.files.sidecar import sidecar_path
    from designdoc.lsp.navigation import supersede_entries
    from designdoc.model.text import split_bom

    checker = ls.analyzer.checker(target.parent)
    spec = checker.config.metadata
    resolve = _resolver(checker, [p for p, _ in sources])
    found = []
    for other, text in sources:
        if other == target or (spec.sidecar is None and target.stem not in text):
            continue  # an entry names a doc by a path or stem, which holds its stem
        doc = checker.parse(split_bom(text)[0], display(other), at=other)
        sidecar = sidecar_path(other, spec.sidecar) if spec.sidecar is not None else None
        for entry in supersede_entries(doc, other, sidecar):
            if resolve(other, entry.text) == target:
                found.append(entry.location(ls.encoding))
    return found


def _resolver(checker, docs: Sequence[Path]):
    """Return how a supersede entry of a doc names another, as `check` reads it (a path from the
    doc's folder, with or without `.md`, or a doc's stem), or a folder holding the process's doc file."""
    from designdoc.check.workspace import Project

    project = Project.of(checker.config, docs)
    doc_file = checker.config.metadata.doc_file
    root = checker.config.root

    def resolve(doc: Path, ref: str) -> Path | None:
        found = project.resolve_reference(str(doc), ref)
        if found is None and doc_file:
            for base in (doc.parent, root):
                if base is not None and (base / ref.strip() / doc_file).is_file():
                    found = base / ref.strip() / doc_file
                    break
        return found.resolve() if found is not None else None

    return resolve


def definition_of(ls: DesignDocServer, uri: str, position: types.Position) -> types.Location | None:
    """Return where the link at `position` leads (another doc is read from disk, or its open buffer),
    or the doc a `supersedes` / `superseded_by` entry under it names."""
    from designdoc.files.discovery import display
    from designdoc.lsp.navigation import definition, entry_at, supersede_entries
    from designdoc.model.text import decode, split_bom

    state = ls.states.get(uri)
    if state is None:
        return None
    path = Path(to_fs_path(uri) or state.buffer.doc.path)
    checker = ls.analyzer.checker(path.parent)

    def parse(other: Path):  # the editor's buffer when it is open, else the file
        document = ls.workspace.text_documents.get(other.as_uri())
        try:
            text, bom = split_bom(document.source) if document is not None else decode(other.read_bytes())
        except (OSError, UnicodeDecodeError):
            return None
        return checker.parse(text, display(other), bom=bom, at=other)

    found = definition(state.buffer, path, position, parse)
    if found is not None:
        return found
    entry = entry_at([e for e in supersede_entries(state.buffer.doc, path) if e.file == path], state.buffer, position)
    if entry is None:
        return None
    target = _resolver(checker, [path])(path, entry.text)
    if target is None:
        return None
    start = types.Position(line=0, character=0)
    return types.Location(uri=target.as_uri(), range=types.Range(start=start, end=start))


def completions(ls: DesignDocServer, params: types.CompletionParams) -> list[types.CompletionItem]:
    """Return the completions at a position, from the buffer as it is now."""
    from designdoc.config.load import today
    from designdoc.files.discovery import display
    from designdoc.lsp.completion import complete
    from designdoc.model.text import split_bom

    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    path = Path(to_fs_path(uri) or document.path or "untitled.md")
    try:
        checker = ls.analyzer.checker(path.parent)
    except DesignDocError:
        return []
    text, bom = split_bom(document.source)
    doc = checker.parse(text, display(path), bom=bom, at=path)
    lines = document.lines
    line = lines[params.position.line] if params.position.line < len(lines) else ""
    if params.position.line == 0 and bom:
        line = line[1:]
    prefix = _before(line, params.position.character, ls.encoding)
    words = _words(ls, checker, path)
    return complete(doc, checker.config.lifecycle, params.position.line, prefix, today(), words)


def _words(ls: DesignDocServer, checker, path: Path):
    """Return the project's doc paths (from `path`'s folder), owners and tags, gathered once per
    project (again after a save) through the catalog and its cache."""
    from designdoc.catalog import entries as catalog
    from designdoc.lsp.completion import ProjectWords

    key = checker.config.root
    if key not in ls._projects:
        try:
            found = catalog.load(
                checker.config.targets(), config=checker.config, template=checker.template, today=checker.today
            )
        except DesignDocError:
            return ProjectWords()
        ls._projects[key] = (
            tuple(Path(e.path).resolve() for e in found.entries),
            tuple(sorted({o for e in found.entries for o in e.owners}, key=str.casefold)),
            tuple(sorted({t for e in found.entries for t in e.tags}, key=str.casefold)),
        )
    paths, owners, tags = ls._projects[key]
    here = path.resolve().parent
    shown = tuple(sorted(Path(os.path.relpath(p, here)).as_posix() for p in paths if p != path.resolve()))
    return ProjectWords(shown, owners, tags)


def _before(line: str, character: int, encoding: str) -> str:
    """Return the text of `line` before an LSP character offset (UTF-16 units unless negotiated otherwise)."""
    if encoding == types.PositionEncodingKind.Utf32:
        return line[:character]
    units, index = 0, 0
    width = (
        (lambda c: len(c.encode("utf-8")))
        if encoding == types.PositionEncodingKind.Utf8
        else (lambda c: 2 if ord(c) > 0xFFFF else 1)
    )
    while index < len(line) and units < character:
        units += width(line[index])
        index += 1
    return line[:index].rstrip("\r\n")


def _as_of_now(asked: list[types.Diagnostic], fresh: list[types.Diagnostic]) -> list[types.Diagnostic]:
    """Return, for each diagnostic a client sent from an older check, the current one it stands
    for: the same rule and message, on the nearest line (none when it is gone)."""
    found = []
    for old in asked:
        same = [d for d in fresh if d.code == old.code and d.message == old.message]
        if same:
            found.append(min(same, key=lambda d: abs(d.range.start.line - old.range.start.line)))
    return found


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
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value="\n---\n\n".join(hover_text(d) for d in hits)
        ),
        range=types.Range(
            start=state.buffer.position(first.line, first.column),
            end=state.buffer.position(first.end_line, first.end_column),
        ),
    )


def serve() -> None:
    """Run the language server on stdin and stdout until the client says exit."""
    logging.basicConfig(
        level=os.environ.get("DESIGNDOC_LSP_LOG", "WARNING").upper(), format="designdoc-lsp %(levelname)s %(message)s"
    )
    create_server().start_io()
