"""The language server, end to end with pygls's LanguageClient: over stdio, and in-process.

The stdio tests start `python -m designdoc lsp`, as an editor does.  The
in-process ones run the same server in a thread over two pipes, so a test can
hand it a rule that raises.  Positions are checked in UTF-16 code units against
an independent conversion written here.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async
from pygls.lsp.client import LanguageClient

from designdoc.check.linter import select
from designdoc.config import load as config_load
from designdoc.lsp.positions import code_point_column, lsp_character
from designdoc.lsp.server import create_server
from designdoc.model.lifecycle import DESIGN_DOC
from helpers import EXAMPLES, FIXTURES, ROOT

TODAY = "2026-12-01"  # the examples are dated 2026-11
WAIT = 10.0
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESIGNDOC_TODAY", TODAY)


# -- an independent UTF-16 model of the buffer ---------------------------------------------------


def utf16(text: str) -> int:
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def offset_at(text: str, position: types.Position) -> int:
    lines = LINE.findall(text)
    start = sum(len(x) for x in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, char in enumerate(line.rstrip("\r\n")):
        if units >= position.character:
            return start + index
        units += utf16(char)
    return start + len(line.rstrip("\r\n"))


def apply(text: str, edits: list[types.TextEdit]) -> str:
    spans = [(offset_at(text, e.range.start), offset_at(text, e.range.end), e.new_text) for e in edits]
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def edits_of(action: types.CodeAction) -> list[types.TextEdit]:
    """Return an action's edits, sent as `changes` (a minimal client) or `documentChanges`."""
    if action.edit.document_changes is None:
        ((_, edits),) = action.edit.changes.items()
        return list(edits)
    (change,) = action.edit.document_changes
    return list(change.edits)


# -- sessions ------------------------------------------------------------------------------------


class Session:
    """A client talking to one server; publishDiagnostics and log messages land in queues."""

    def __init__(self) -> None:
        self.client = LanguageClient("designdoc-tests", "1")
        self.published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()
        self.logs: list[str] = []
        self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(lambda params: self.published.put_nowait(params))
        self.client.feature(types.WINDOW_LOG_MESSAGE)(lambda params: self.logs.append(params.message))
        self.client.feature(types.WINDOW_SHOW_MESSAGE)(lambda params: self.logs.append(params.message))

    async def initialize(
        self, capabilities: types.ClientCapabilities | None = None, root: Path = ROOT, options: object = None
    ) -> types.InitializeResult:
        result = await self.client.initialize_async(
            types.InitializeParams(
                capabilities=capabilities or types.ClientCapabilities(),
                root_uri=root.as_uri(),
                initialization_options=options,
            )
        )
        self.client.initialized(types.InitializedParams())
        return result

    async def diagnostics(self, uri: str) -> types.PublishDiagnosticsParams:
        while True:
            published = await asyncio.wait_for(self.published.get(), WAIT)
            if published.uri == uri:
                return published

    async def open(self, uri: str, text: str, version: int = 1) -> types.PublishDiagnosticsParams:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=version, text=text)
            )
        )
        return await self.diagnostics(uri)

    def change(self, uri: str, text: str, version: int) -> None:
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    async def actions(
        self, uri: str, diagnostics: list[types.Diagnostic], only: list[str] | None = None
    ) -> list[types.CodeAction]:
        found = await self.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diagnostics[0].range
                if diagnostics
                else types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
                context=types.CodeActionContext(diagnostics=diagnostics, only=only),
            )
        )
        return list(found or [])

    async def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        return await self.client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
        )

    async def close(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await asyncio.wait_for(self.client.stop(), WAIT)


@contextlib.asynccontextmanager
async def over_stdio() -> AsyncIterator[Session]:
    """Start `python -m designdoc lsp` as an editor would."""
    session = Session()
    await session.client.start_io(sys.executable, "-m", "designdoc", "lsp")
    await session.initialize()
    try:
        yield session
    finally:
        await session.close()


@contextlib.asynccontextmanager
async def in_process(
    capabilities: types.ClientCapabilities | None = None,
    root: Path = ROOT,
    settings: object = None,
    **options: object,
) -> AsyncIterator[Session]:
    """Run the server in a thread of this process, connected by two pipes (a minimal client
    unless `capabilities` says more)."""
    to_server, from_client = os.pipe()
    to_client, from_server = os.pipe()
    server = create_server(**options)
    thread = threading.Thread(
        target=server.start_io, daemon=True, args=(os.fdopen(to_server, "rb"), os.fdopen(from_server, "wb"))
    )
    thread.start()
    session = Session()
    client = session.client
    client.protocol.set_writer(StdoutWriter(os.fdopen(from_client, "wb")))
    client._async_tasks.append(
        asyncio.create_task(
            run_async(  # what start_io does for a subprocess
                stop_event=client._stop_event,
                reader=StdinAsyncReader(os.fdopen(to_client, "rb")),
                protocol=client.protocol,
            )
        )
    )
    await session.initialize(capabilities, root, settings)
    try:
        yield session
    finally:
        await session.close()
        thread.join(WAIT)


def run(coroutine: object) -> None:
    asyncio.run(asyncio.wait_for(coroutine, 30))


# -- positions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "column", "expected"),
    [("abc", 3, 2), ("🚀x", 2, 2), ("🚀x", 3, 3), ("设计 x", 3, 2), ("ab", 5, 4), ("", 1, 0)],
)
def test_code_point_columns_become_utf16_characters(line: str, column: int, expected: int) -> None:
    assert lsp_character(line, column) == expected
    assert code_point_column(line, expected) == column


def test_other_negotiated_encodings_are_honoured() -> None:
    line = "é🚀设x"
    assert lsp_character(line, 4, types.PositionEncodingKind.Utf8) == len("é🚀设".encode())
    assert lsp_character(line, 4, types.PositionEncodingKind.Utf32) == 3
    assert code_point_column(line, len("é🚀设".encode()), types.PositionEncodingKind.Utf8) == 4
    assert code_point_column(line, 3, types.PositionEncodingKind.Utf32) == 4


# -- end to end over stdio -------------------------------------------------------------------------


def test_open_fix_and_see_the_diagnostic_go_over_stdio() -> None:
    path = EXAMPLES / "event-bus-migration.md"
    uri = path.as_uri()
    text = path.read_text("utf-8")

    async def scenario() -> None:
        async with over_stdio() as lsp:
            first = await lsp.open(uri, text)
            assert first.version == 1
            codes = {d.code for d in first.diagnostics}
            assert {"section-missing", "footer-date-mismatch", "todo-marker"} <= codes
            footer = next(d for d in first.diagnostics if d.code == "footer-date-mismatch")
            assert footer.range.start == types.Position(line=126, character=15)
            assert footer.severity == types.DiagnosticSeverity.Error and footer.source == "designdoc"

            hover = await lsp.hover(uri, types.Position(line=126, character=18))
            assert "## What it does" in hover.contents.value and "footer-date-mismatch" in hover.contents.value

            actions = await lsp.actions(uri, [footer])
            # no "disable" above the footer: the comment would part it from its `---`
            assert [a.title for a in actions] == ["Set the footer date to 2026-11-27", "designdoc: fix all"]
            owners = next(d for d in first.diagnostics if d.code == "field-placeholder")
            missing = next(d for d in first.diagnostics if d.code == "section-missing")
            titles = [a.title for a in await lsp.actions(uri, [owners, missing], only=["quickfix"])]
            assert titles == [  # a YAML comment line disables a front-matter finding
                "Disable field-placeholder on the next line",
                "Insert 'Alternatives'",
                "Disable section-missing on the next line",
            ]
            assert actions[0].kind == types.CodeActionKind.QuickFix and actions[0].is_preferred
            fixed = apply(text, edits_of(actions[0]))
            assert "_Last updated: 2026-11-27_" in fixed

            lsp.change(uri, fixed, 2)
            second = await lsp.diagnostics(uri)
            assert second.version == 2
            assert "footer-date-mismatch" not in {d.code for d in second.diagnostics}
            assert len(second.diagnostics) == len(first.diagnostics) - 1
        assert path.read_text("utf-8") == text  # the server never writes

    run(scenario())


def test_check_does_not_import_pygls() -> None:
    code = (
        "import sys; from designdoc.cli.main import main;"
        "main(['check', 'examples/rate-limiter.md', '--format', 'json']);"
        "sys.exit('pygls' in sys.modules or 'designdoc.lsp.server' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# -- in process ----------------------------------------------------------------------------------

UNICODE_DOC = (
    (EXAMPLES / "rate-limiter.md")
    .read_text("utf-8")
    .replace("# Purpose\n", "# Purpose\n🚀 设计 — the teamâ€™s plan, TODO later. 🚀 done\n", 1)
)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_positions_and_fixes_count_utf16_units_with_emoji_cjk_and_crlf(tmp_path: Path, newline: str) -> None:
    text = UNICODE_DOC.replace("\n", newline)
    uri = (tmp_path / "doc.md").as_uri()
    line = text.split(newline).index("🚀 设计 — the teamâ€™s plan, TODO later. 🚀 done")
    prefix = "🚀 设计 — the team"

    async def scenario() -> None:
        async with in_process() as lsp:
            published = await lsp.open(uri, text)
            mojibake = next(d for d in published.diagnostics if d.code == "mojibake")
            todo = next(d for d in published.diagnostics if d.code == "todo-marker")
            assert mojibake.range.start == types.Position(line=line, character=utf16(prefix))
            assert mojibake.range.end.character == utf16(prefix) + 3
            assert todo.range.start.character == utf16("🚀 设计 — the teamâ€™s plan, ")
            (fix, disable, *_) = await lsp.actions(uri, [mojibake], only=[types.CodeActionKind.QuickFix])
            fixed = apply(text, edits_of(fix))
            assert "🚀 设计 — the team’s plan, TODO later. 🚀 done" + newline in fixed
            suppressed = apply(text, edits_of(disable))
            assert f"<!-- designdoc-disable-next-line mojibake -->{newline}🚀 设计" in suppressed
            lsp.change(uri, suppressed, 2)
            after = await lsp.diagnostics(uri)
            assert "mojibake" not in {d.code for d in after.diagnostics}
            assert "todo-marker" in {d.code for d in after.diagnostics}

    run(scenario())


def test_a_crashing_rule_is_logged_and_the_others_still_publish(tmp_path: Path) -> None:
    def boom(ctx: object) -> Iterator[object]:
        raise RuntimeError("rule exploded")

    rules = [dataclasses.replace(r, check=boom) if r.slug == "todo-marker" else r for r in select()]
    uri = (tmp_path / "doc.md").as_uri()
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")

    async def scenario() -> None:
        async with in_process(rules=rules) as lsp:
            published = await lsp.open(uri, text)
            codes = {d.code for d in published.diagnostics}
            assert "todo-marker" not in codes and {"section-missing", "footer-date-mismatch"} <= codes
            assert any("todo-marker failed" in m and "rule exploded" in m for m in lsp.logs), lsp.logs

    run(scenario())


def test_stale_versions_are_ignored(tmp_path: Path) -> None:
    uri = (tmp_path / "doc.md").as_uri()
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")

    async def scenario() -> None:
        async with in_process() as lsp:
            first = await lsp.open(uri, text)
            lsp.change(uri, text + "\nTBD\n", 2)
            lsp.change(uri, text, 3)  # before version 2 was checked: only version 3 is published
            latest = await lsp.diagnostics(uri)
            assert latest.version == 3
            assert lsp.published.empty()
            footer = [d for d in first.diagnostics if d.code == "footer-date-mismatch"]
            assert await lsp.actions(uri, footer, only=[types.CodeActionKind.QuickFix]) == []  # made for version 1

    run(scenario())


def test_fix_all_applies_every_fix_and_non_docs_get_no_diagnostics(tmp_path: Path) -> None:
    uri = (tmp_path / "doc.md").as_uri()
    readme = (tmp_path / "README.md").as_uri()
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")

    async def scenario() -> None:
        async with in_process() as lsp:
            assert not (await lsp.open(readme, "# Readme\n\nTODO: everything.\n")).diagnostics
            await lsp.open(uri, text)
            (fix_all,) = await lsp.actions(uri, [], only=[types.CodeActionKind.SourceFixAll])
            assert fix_all.kind == types.CodeActionKind.SourceFixAll
            lsp.change(uri, apply(text, edits_of(fix_all)), 2)
            after = await lsp.diagnostics(uri)
            codes = {d.code for d in after.diagnostics}
            assert not codes & {"section-missing", "footer-date-mismatch"} and "todo-marker" in codes

    run(scenario())


def test_a_bom_in_the_buffer_shifts_the_first_line_only(tmp_path: Path) -> None:
    from designdoc.lsp.analyzer import Analyzer

    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")
    buffer, found = Analyzer().analyze(tmp_path / "doc.md", "\ufeff" + text, version=7)
    assert buffer is not None and buffer.bom and buffer.version == 7
    assert buffer.position(1, 1) == types.Position(line=0, character=1)
    assert buffer.position(2, 1) == types.Position(line=1, character=0)
    assert {d.rule for d in found} >= {"section-missing", "footer-date-mismatch"}
    assert Analyzer().analyze(tmp_path / "notes.md", "# Notes\n\nTODO\n") == (None, [])


def test_links_and_references_of_the_unsaved_buffer_are_checked(tmp_path: Path) -> None:
    from designdoc.lsp.analyzer import Analyzer

    text = (EXAMPLES / "rate-limiter.md").read_text("utf-8")
    text = text.replace("## Appendix\n", "## Appendix\nSee [the plan](missing-plan.md) and [here](#nowhere).\n", 1)
    text = text.replace("\ntags:", "\nsupersedes:\n  - ghost-doc\ntags:", 1)
    _, found = Analyzer().analyze(tmp_path / "doc.md", text, version=1)
    assert sorted(d.rule for d in found) == ["link-broken", "link-broken", "reference-broken"]


def test_a_file_that_is_not_utf8_gets_encoding_invalid_and_no_fix(tmp_path: Path) -> None:
    """An editor opens a latin-1 file as latin-1: its CJK and emoji look like mojibake there, and a
    "fix" saved back would destroy them. The server says what `check` says of the bytes instead."""
    good = UNICODE_DOC.replace("🚀 设计 — the teamâ€™s plan", "🚀 设计 — the team’s plan")
    data = good.encode("utf-8").replace(b"Rate", b"R\xe9te", 1)  # one stray latin-1 byte
    path = tmp_path / "doc.md"
    path.write_bytes(data)
    as_the_editor_reads_it = data.decode("latin-1")

    async def scenario() -> None:
        async with in_process() as lsp:
            published = await lsp.open(path.as_uri(), as_the_editor_reads_it)
            assert [d.code for d in published.diagnostics] == ["encoding-invalid"]
            assert "Not valid UTF-8: byte 0xE9" in published.diagnostics[0].message
            actions = await lsp.actions(path.as_uri(), published.diagnostics, only=[types.CodeActionKind.QuickFix])
            assert all(not edits_of(a) for a in actions)  # nothing that would rewrite the text

    run(scenario())
    assert path.read_bytes() == data


def test_a_broken_config_is_a_diagnostic_on_every_open_doc_until_repaired(tmp_path: Path) -> None:
    config = tmp_path / "designdoc.toml"
    config.write_text('paths = ["."]\nstale_days = "ninety"\n', "utf-8")
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")
    first, second = (tmp_path / "a.md").as_uri(), (tmp_path / "b.md").as_uri()

    async def scenario() -> None:
        async with in_process() as lsp:
            for uri in (first, second):
                published = await lsp.open(uri, text)
                assert [d.code for d in published.diagnostics] == ["config-invalid"]
                assert "stale_days" in published.diagnostics[0].message
            config.write_text('paths = ["."]\nstale_days = 90\n', "utf-8")
            lsp.client.text_document_did_save(
                types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=config.as_uri()))
            )
            repaired = {p.uri: p for p in [await lsp.diagnostics(first), await lsp.diagnostics(second)]}
            for published in repaired.values():
                codes = {d.code for d in published.diagnostics}
                assert "config-invalid" not in codes and "section-missing" in codes

    run(scenario())


def test_code_actions_answer_while_typing_from_the_text_as_it_is_now(tmp_path: Path) -> None:
    uri = (tmp_path / "doc.md").as_uri()
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")

    async def scenario() -> None:
        async with in_process() as lsp:
            first = await lsp.open(uri, text)
            footer = [d for d in first.diagnostics if d.code == "footer-date-mismatch"]
            body = text.index("\n---\n", 4) + 5  # after the front matter: every later line moves down by two
            typed = text[:body] + "Typed a line before the rest.\n\n" + text[body:]
            lsp.change(uri, typed, 2)
            (fix, *_) = await lsp.actions(uri, footer, only=[types.CodeActionKind.QuickFix])  # within the debounce
            fixed = apply(typed, edits_of(fix))
            assert "\nTyped a line before the rest.\n\n" in fixed
            assert "_Last updated: 2026-11-27" in fixed and "_Last updated: 2026-11-01" not in fixed

    run(scenario())


FULL_CLIENT = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(
        workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
    )
)


@pytest.mark.parametrize("capabilities", [None, FULL_CLIENT], ids=["minimal-client", "full-client"])
def test_edits_come_in_the_form_the_client_announced(tmp_path: Path, capabilities) -> None:
    uri = (tmp_path / "doc.md").as_uri()
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")

    async def scenario() -> None:
        async with in_process(capabilities=capabilities) as lsp:
            published = await lsp.open(uri, text)
            footer = [d for d in published.diagnostics if d.code == "footer-date-mismatch"]
            actions = await lsp.actions(uri, footer)
            assert actions and all(a.edit is not None for a in actions)
            for action in actions:
                if capabilities is None:  # no documentChanges announced: plain changes
                    assert action.edit.document_changes is None and list(action.edit.changes) == [uri]
                else:  # versioned: the client refuses it once the buffer changed
                    assert action.edit.changes is None
                    assert action.edit.document_changes[0].text_document.version == 1

    run(scenario())


def test_the_editor_checks_what_check_checks_and_nothing_more(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Markdown file under `paths` without the template's doc_type is no doc to `check`, nor to the editor."""
    from designdoc.cli.main import main

    (tmp_path / "designdoc.toml").write_text('paths = ["docs"]\nexclude = ["docs/archive/*"]\n', "utf-8")
    docs = tmp_path / "docs"
    (docs / "archive").mkdir(parents=True)
    doc = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")
    files = {"notes.md": "# Meeting notes\n\nTODO: book a room.\n", "design.md": doc, "archive/old.md": doc}
    for name, text in files.items():
        (docs / name).write_text(text, "utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        main(["check", "--format", "json"])
    finally:
        os.chdir(cwd)
    checked = {Path(d["path"]).name for d in json.loads(capsys.readouterr().out)["diagnostics"]}
    assert checked == {"design.md"}

    async def scenario() -> None:
        async with in_process() as lsp:
            for name, text in files.items():
                published = await lsp.open((docs / name).as_uri(), text)
                assert bool(published.diagnostics) == (name == "design.md"), name

    run(scenario())


def test_the_outline_lists_the_sections_with_what_the_check_says_of_them(tmp_path: Path) -> None:
    uri = (tmp_path / "doc.md").as_uri()
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")
    lines = text.split("\n")

    async def scenario() -> None:
        async with in_process() as lsp:
            await lsp.open(uri, text)
            symbols = await lsp.client.text_document_document_symbol_async(
                types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
            )
            names = [s.name for s in symbols]
            assert names[0] == "Purpose" and "Data Model" in names
            data_model = next(s for s in symbols if s.name == "Data Model")
            assert data_model.detail == "placeholder"  # the example leaves its guidance there
            assert lines[data_model.selection_range.start.line].lstrip("# ") == "Data Model"
            assert all(s.range.start.line <= s.selection_range.start.line < s.range.end.line + 1 for s in symbols)

    run(scenario())


async def _complete(lsp: Session, uri: str, line: int, character: int) -> list[types.CompletionItem]:
    found = await lsp.client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=character)
        )
    )
    items = found.items if isinstance(found, types.CompletionList) else list(found or [])
    return sorted(items, key=lambda i: i.sort_text or "")


def test_completion_offers_the_lifecycle_dates_keys_sections_and_slugs(tmp_path: Path) -> None:
    uri = (tmp_path / "doc.md").as_uri()
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")
    lines = text.split("\n")
    status_line = next(i for i, text_line in enumerate(lines) if text_line.startswith("status:"))

    async def scenario() -> None:
        async with in_process() as lsp:
            await lsp.open(uri, text)
            statuses = await _complete(lsp, uri, status_line, len("status: "))
            current = lines[status_line].split(":", 1)[1].strip()
            moves = sorted(DESIGN_DOC.moves[current], key=DESIGN_DOC.rank)
            assert [i.label for i in statuses][: len(moves)] == moves  # the legal moves first
            assert {i.label for i in statuses} == set(DESIGN_DOC.names)
            dated = next(i for i, text_line in enumerate(lines) if text_line.startswith("last_updated:"))
            today = config_load.today().isoformat()
            assert [i.label for i in await _complete(lsp, uri, dated, len("last_updated: "))] == [today]
            typed = text.replace("## Alternatives", "## Alt", 1) if "## Alternatives" in text else text + "\n## Alt"
            lsp.change(uri, typed, 2)
            await lsp.diagnostics(uri)
            heading = next(i for i, text_line in enumerate(typed.split("\n")) if text_line == "## Alt")
            assert [i.label for i in await _complete(lsp, uri, heading, len("## Alt"))] == ["Alternatives"]
            comment = typed + "\n<!-- designdoc-disable todo-m"
            lsp.change(uri, comment, 3)
            await lsp.diagnostics(uri)
            last = len(comment.split("\n")) - 1
            assert [i.label for i in await _complete(lsp, uri, last, len("<!-- designdoc-disable todo-m"))] == [
                "todo-marker"
            ]

    run(scenario())


def test_completion_of_a_team_status_follows_its_lifecycle(tmp_path: Path) -> None:
    (tmp_path / "designdoc.toml").write_text('preset = "swift-evolution"\n', "utf-8")
    text = "# Count where\n\n* Proposal: [SE-0413](x.md)\n* Status: **Active review**\n\n## Introduction\n\nA method.\n"
    uri = (tmp_path / "0413-count-where.md").as_uri()

    async def scenario() -> None:
        async with in_process() as lsp:
            await lsp.open(uri, text)
            items = await _complete(lsp, uri, 3, len("* Status: "))
            first = [i.label for i in items][:4]
            assert first == [
                "Returned for revision",
                "Accepted",
                "Rejected",
                "Withdrawn",
            ]  # the moves from active review

    run(scenario())


def test_completion_of_the_template_version_lists_the_versions_newest_first(tmp_path: Path) -> None:
    older = "# NUMBER. TITLE\n\nDate: DATE\n\n## Status\n\nSTATUS\n\n## Context\n\nWhy we decide.\n"
    (tmp_path / "adr-2019.md").write_text(older, "utf-8")
    (tmp_path / "adr.md").write_text(older + "\n## Risks\n\nWhat could fail.\n", "utf-8")
    (tmp_path / "designdoc.toml").write_text(
        'preset = "nygard-adr"\ntemplate = "adr.md"\n'
        '[[template_versions]]\nname = "2019"\nsince = 2019-01-01\nfile = "adr-2019.md"\n'
        '[[template_versions]]\nname = "2022"\nsince = 2022-01-01\nfile = "adr.md"\n',
        "utf-8",
    )
    text = "# 3. Use a queue\n\nDate: 2021-04-12\nTemplate version: \n\n## Status\n\nAccepted\n"
    uri = (tmp_path / "0003-queue.md").as_uri()

    async def scenario() -> None:
        async with in_process() as lsp:
            await lsp.open(uri, text)
            items = await _complete(lsp, uri, 3, len("Template version: "))
            assert [(i.label, i.detail) for i in items] == [
                ("2022", "since 2022-01-01 (current)"),
                ("2019", "since 2019-01-01"),
            ]

    run(scenario())


def test_links_lead_to_their_file_and_the_heading_their_anchor_names(tmp_path: Path) -> None:
    other = tmp_path / "other.md"
    other.write_text("# Other\n\n## Data Model\n\nTables.\n\n## Data Model\n\nAgain.\n", "utf-8")
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")
    body = text.index("\n---\n", 4) + 5
    text = (
        text[:body] + "See [the model](other.md#data-model-1), [top](other.md) and [here](#purpose).\n\n" + text[body:]
    )
    uri = (tmp_path / "doc.md").as_uri()
    line = text[:body].count("\n")

    async def scenario() -> None:
        async with in_process() as lsp:
            await lsp.open(uri, text)
            links = await lsp.client.text_document_document_link_async(
                types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=uri))
            )
            assert {link.target for link in links} >= {other.as_uri(), (tmp_path / "doc.md").as_uri()}

            async def go(character: int) -> types.Location:
                return await lsp.client.text_document_definition_async(
                    types.DefinitionParams(
                        text_document=types.TextDocumentIdentifier(uri=uri),
                        position=types.Position(line=line, character=character),
                    )
                )

            model = await go(text.split("\n")[line].index("other.md#") + 2)
            assert (model.uri, model.range.start.line) == (other.as_uri(), 6)  # the second "Data Model"
            top = await go(text.split("\n")[line].index("other.md)") + 2)
            assert (top.uri, top.range.start.line) == (other.as_uri(), 0)
            here = await go(text.split("\n")[line].index("#purpose") + 2)
            assert here.uri == uri and text.split("\n")[here.range.start.line] == "# Purpose"

    run(scenario())


def test_a_change_during_a_slow_check_supersedes_it(tmp_path: Path) -> None:
    """A large doc takes a while to check; the edit typed meanwhile wins, and the old version is never published."""
    import time

    uri = (tmp_path / "doc.md").as_uri()
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")
    server_holder: dict = {}

    def slow(original):
        def analyze(path, source, *, version=None, **options):
            if version == 2:
                time.sleep(0.6)  # as a 1.5 MB doc would take
            return original(path, source, version=version, **options)

        return analyze

    async def scenario() -> None:
        async with in_process() as lsp:
            server = server_holder["server"]
            server.analyzer.analyze = slow(server.analyzer.analyze)
            await lsp.open(uri, text)
            lsp.change(uri, text + "\nTBD\n", 2)
            await asyncio.sleep(0.3)  # the check of version 2 is running
            lsp.change(uri, text, 3)
            latest = await lsp.diagnostics(uri)
            assert latest.version == 3
            await asyncio.sleep(0.6)
            assert lsp.published.empty()  # version 2 was dropped when it finished

    original_create = create_server

    def capture(**options):
        server_holder["server"] = original_create(**options)
        return server_holder["server"]

    globals()["create_server"] = capture
    try:
        run(scenario())
    finally:
        globals()["create_server"] = original_create


def test_a_rule_can_be_disabled_for_the_rest_of_a_section(tmp_path: Path) -> None:
    uri = (tmp_path / "doc.md").as_uri()
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")

    async def scenario() -> None:
        async with in_process() as lsp:
            published = await lsp.open(uri, text)
            guidance = [d for d in published.diagnostics if d.code == "section-placeholder"]
            actions = await lsp.actions(uri, guidance, only=[types.CodeActionKind.QuickFix])
            section = next(a for a in actions if a.title == "Disable section-placeholder for this section")
            silenced = apply(text, edits_of(section))
            assert "## Data Model\n<!-- designdoc-disable section-placeholder -->\n" in silenced
            lsp.change(uri, silenced, 2)
            after = await lsp.diagnostics(uri)
            assert "section-placeholder" not in {d.code for d in after.diagnostics}

    run(scenario())


def test_workspace_symbols_find_docs_by_title_status_and_owner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("rate-limiter.md", "event-bus-migration.md"):
        (tmp_path / name).write_text((EXAMPLES / name).read_text("utf-8"), "utf-8")
    (tmp_path / "designdoc.toml").write_text('paths = ["."]\n', "utf-8")
    monkeypatch.chdir(tmp_path)

    async def scenario() -> None:
        async with in_process(root=tmp_path) as lsp:
            found = await lsp.client.workspace_symbol_async(types.WorkspaceSymbolParams(query="rate"))
            assert [s.location.uri for s in found] == [(tmp_path / "rate-limiter.md").as_uri()]
            everything = await lsp.client.workspace_symbol_async(types.WorkspaceSymbolParams(query=""))
            assert len(everything) == 2 and all(s.container_name for s in everything)

    run(scenario())


def test_the_client_settings_choose_the_config_and_the_rules(tmp_path: Path) -> None:
    uri = (tmp_path / "doc.md").as_uri()
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")
    config = tmp_path / "team.toml"
    config.write_text('[rules.footer-date-mismatch]\nseverity = "off"\n', "utf-8")

    async def scenario() -> None:
        settings = {"config": str(config), "ignore": ["todo-marker"], "select": ["no-such-rule"]}
        async with in_process(settings=settings) as lsp:
            codes = {d.code for d in (await lsp.open(uri, text)).diagnostics}
            assert "todo-marker" not in codes and "footer-date-mismatch" not in codes
            assert "section-missing" in codes
            assert any("unknown rule 'no-such-rule'" in m for m in lsp.logs)

    run(scenario())


def test_references_find_the_links_to_a_heading_and_the_backlinks_of_a_doc(tmp_path: Path) -> None:
    (tmp_path / "designdoc.toml").write_text('paths = ["."]\n', "utf-8")
    target = (EXAMPLES / "rate-limiter.md").read_text("utf-8")
    (tmp_path / "rate-limiter.md").write_text(target, "utf-8")
    (tmp_path / "notes.md").write_text(
        "See [the purpose](rate-limiter.md#purpose) and [the doc](rate-limiter.md).\n", "utf-8"
    )
    uri = (tmp_path / "rate-limiter.md").as_uri()
    purpose = target.split("\n").index("# Purpose")

    async def scenario() -> None:
        async with in_process(root=tmp_path) as lsp:
            await lsp.open(uri, target)

            async def find(line: int) -> list[types.Location]:
                return await lsp.client.text_document_references_async(
                    types.ReferenceParams(
                        text_document=types.TextDocumentIdentifier(uri=uri),
                        position=types.Position(line=line, character=2),
                        context=types.ReferenceContext(include_declaration=False),
                    )
                )

            at_heading = await find(purpose)
            assert [(loc.uri.rsplit("/", 1)[-1], loc.range.start.character) for loc in at_heading] == [("notes.md", 4)]
            backlinks = await find(purpose + 2)  # not a heading: every link to the doc
            assert len(backlinks) == 2

    run(scenario())


def test_renaming_a_heading_renames_the_links_to_it_across_docs(tmp_path: Path) -> None:
    (tmp_path / "designdoc.toml").write_text('paths = ["."]\n', "utf-8")
    target = (EXAMPLES / "rate-limiter.md").read_text("utf-8")
    target = target.replace("# Purpose\n", "# Purpose\n\nSee [below](#purpose).\n", 1)
    (tmp_path / "rate-limiter.md").write_text(target, "utf-8")
    notes = "See [the purpose](rate-limiter.md#purpose) and [the doc](rate-limiter.md).\n"
    (tmp_path / "notes.md").write_text(notes, "utf-8")
    uri = (tmp_path / "rate-limiter.md").as_uri()
    purpose = target.split("\n").index("# Purpose")

    async def scenario() -> None:
        async with in_process(root=tmp_path) as lsp:
            await lsp.open(uri, target)
            edit = await lsp.client.text_document_rename_async(
                types.RenameParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=purpose, character=3),
                    new_name="Why we build it",
                )
            )
            renamed = apply(target, edit.changes[uri])
            assert "# Why we build it\n\nSee [below](#why-we-build-it).\n" in renamed
            other = apply(notes, edit.changes[(tmp_path / "notes.md").as_uri()])
            assert other == "See [the purpose](rate-limiter.md#why-we-build-it) and [the doc](rate-limiter.md).\n"

    run(scenario())


def test_completion_offers_the_projects_docs_owners_and_tags(tmp_path: Path) -> None:
    (tmp_path / "designdoc.toml").write_text('paths = ["."]\n', "utf-8")
    for name in ("rate-limiter.md", "audit-log.md"):
        (tmp_path / name).write_text((EXAMPLES / name).read_text("utf-8"), "utf-8")
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")
    lines = text.split("\n")
    owners_item = next(i for i, line in enumerate(lines) if line.startswith("owners:")) + 1
    uri = (tmp_path / "event-bus-migration.md").as_uri()

    async def scenario() -> None:
        async with in_process(root=tmp_path) as lsp:
            await lsp.open(uri, text)
            people = [i.label for i in await _complete(lsp, uri, owners_item, len("  - "))]
            assert "oliver.brandt@acme.io" in people and "priya.raman@acme.io" in people
            body = text.index("\n---\n", 4) + 5
            typed = text[:body] + "See [the limiter](" + "\n" + text[body:]
            lsp.change(uri, typed, 2)
            await lsp.diagnostics(uri)
            line = typed[:body].count("\n")
            targets = [i.label for i in await _complete(lsp, uri, line, len("See [the limiter]("))]
            assert targets == ["audit-log.md", "rate-limiter.md"]

    run(scenario())


def test_the_status_command_moves_a_doc_through_its_gates_as_an_edit(tmp_path: Path) -> None:
    (tmp_path / "designdoc.toml").write_text('preset = "nygard-adr"\n', "utf-8")
    text = "# 7. Keep audit events apart\n\nDate: 2025-02-03\n\n## Status\n\nProposed\n\n## Context\n\nA.\n"
    doc = tmp_path / "0007-audit.md"
    doc.write_text(text, "utf-8")
    uri = doc.as_uri()

    async def scenario() -> None:
        async with in_process(root=tmp_path) as lsp:
            applied: list[types.WorkspaceEdit] = []

            @lsp.client.feature(types.WORKSPACE_APPLY_EDIT)
            def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
                applied.append(params.edit)
                return types.ApplyWorkspaceEditResult(applied=True)

            await lsp.open(uri, text)
            said = await lsp.client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="designdoc.status", arguments=[uri, "accepted"])
            )
            assert said == "0007-audit.md: status accepted"
            (edit,) = applied
            assert apply(text, edit.changes[uri]) == text.replace("\nProposed\n", "\nAccepted\n")
            refused = await lsp.client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="designdoc.status", arguments=[uri, "superseded"])
            )
            assert "cannot move from 'proposed' to 'superseded'" in refused and len(applied) == 1
            assert doc.read_text("utf-8") == text  # the server wrote nothing

    run(scenario())


# -- disabling a rule where a comment line may go -----------------------------------------------


def _check_json(capsys: pytest.CaptureFixture[str], path: Path, text: str) -> list[tuple]:
    """Return what `designdoc check --format json` says of `text` written at `path` (run in-process)."""
    from designdoc.cli.main import main

    path.write_text(text, "utf-8")
    capsys.readouterr()
    main(["check", "--format", "json", str(path)])
    found = json.loads(capsys.readouterr().out)["diagnostics"]
    return [(d["line"], d["column"], d["end_line"], d["end_column"], d["rule"], d["message"]) for d in found]


LIST_DOC = (
    (EXAMPLES / "event-bus-migration.md")
    .read_text("utf-8")
    .replace(
        "## Components\n",
        "## Components\n"
        "1. first step\n"
        "   - a nested TBD item\n"
        "     with a TBD continuation\n"
        "10. a late TBD step\n"
        "\n"
        "- a fenced example:\n"
        "\n"
        "  ```text\u202e\n"
        "  body \u202e here\n"
        "  ```\n"
        "- the last item\n\n",
        1,
    )
)


@pytest.mark.parametrize("capabilities", [None, FULL_CLIENT], ids=["minimal-client", "full-client"])
@pytest.mark.parametrize(
    ("rule", "line_text", "comment"),
    [
        ("field-placeholder", "  - TODO@example.com", "  # <!-- designdoc-disable-next-line field-placeholder -->"),
        ("todo-marker", "- **Dedup store**", "  <!-- designdoc-disable-next-line todo-marker -->"),
        ("todo-marker", "   - a nested TBD item", "     <!-- designdoc-disable-next-line todo-marker -->"),
        ("todo-marker", "     with a TBD continuation", "     <!-- designdoc-disable-next-line todo-marker -->"),
        ("todo-marker", "10. a late TBD step", "    <!-- designdoc-disable-next-line todo-marker -->"),
        ("hidden-character", "  ```text\u202e", "  <!-- designdoc-disable-next-line hidden-character -->"),
    ],
    ids=["front-matter", "list-item", "nested-item", "continuation", "wide-marker", "fence-opening"],
)
def test_disable_next_line_goes_where_the_checker_honours_it_and_nothing_else_moves(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    capabilities,
    rule: str,
    line_text: str,
    comment: str,
) -> None:
    """The comment line goes in front matter (as YAML comment), list items (indented to the item's
    content) and above a fence; a real `check` of the result loses that finding and no other."""
    import yaml

    monkeypatch.chdir(tmp_path)
    text = LIST_DOC
    lines = text.split("\n")
    line = next(i for i, x in enumerate(lines) if x.startswith(line_text))
    path = tmp_path / "doc.md"
    before = _check_json(capsys, path, text)
    holder: dict = {}

    async def scenario() -> None:
        async with in_process(capabilities=capabilities) as lsp:
            published = await lsp.open(path.as_uri(), text)
            target = next(d for d in published.diagnostics if d.code == rule and d.range.start.line == line)
            actions = await lsp.actions(path.as_uri(), [target], only=[types.CodeActionKind.QuickFix])
            (disable,) = [a for a in actions if a.title == f"Disable {rule} on the next line"]
            holder["edits"] = edits_of(disable)

    run(scenario())
    (edit,) = holder["edits"]
    assert edit.range.start == edit.range.end == types.Position(line=line, character=0)
    silenced = apply(text, [edit])
    assert silenced.split("\n")[line] == comment
    after = _check_json(capsys, path, silenced)
    gone = [d for d in before if d[4] == rule and d[0] == line + 1]
    assert len(gone) == 1

    def up(n: int) -> int:  # the comment line taken out again
        return n - 1 if n > line + 1 else n

    moved = [(up(d[0]), d[1], up(d[2]), *d[3:]) for d in after]
    assert moved == [d for d in before if d not in gone]  # that finding went, and nothing else changed
    # the front matter holds the same values
    assert yaml.safe_load(silenced.split("---\n")[1]) == yaml.safe_load(text.split("---\n")[1])


def test_no_disable_next_line_inside_code_or_a_paragraph(tmp_path: Path) -> None:
    """A comment inside a fence would be code, and one inside a paragraph would split it: only the section's."""
    text = LIST_DOC.replace("## Components\n", "## Components\nA paragraph\nwith a TBD inside it.\n\n", 1)
    lines = text.split("\n")
    body = next(i for i, x in enumerate(lines) if x.startswith("  body \u202e"))
    inside = next(i for i, x in enumerate(lines) if x.startswith("with a TBD"))
    uri = (tmp_path / "doc.md").as_uri()

    async def scenario() -> None:
        async with in_process() as lsp:
            published = await lsp.open(uri, text)
            for rule, line in (("hidden-character", body), ("todo-marker", inside)):
                found = [d for d in published.diagnostics if d.code == rule and d.range.start.line == line]
                assert found, (rule, line)
                actions = await lsp.actions(uri, found, only=[types.CodeActionKind.QuickFix])
                assert [a.title for a in actions] == [f"Disable {rule} for this section"]

    run(scenario())


# -- supersede entries: references and go to definition --------------------------------------------


async def _references(lsp: Session, uri: str, line: int, character: int = 0) -> list[types.Location]:
    found = await lsp.client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    return list(found or [])


async def _definition(lsp: Session, uri: str, line: int, character: int) -> types.Location | None:
    return await lsp.client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=character)
        )
    )


def test_references_of_a_doc_list_the_supersede_entries_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "designdoc.toml").write_text('paths = ["."]\n', "utf-8")
    target = (EXAMPLES / "rate-limiter.md").read_text("utf-8")
    (tmp_path / "rate-limiter.md").write_text(target, "utf-8")
    successor = (
        (EXAMPLES / "audit-log.md")
        .read_text("utf-8")
        .replace("\ntags:", '\nsupersedes: ["🚀-launch", rate-limiter]\ntags:', 1)
    )
    (tmp_path / "audit-log.md").write_text(successor, "utf-8")
    older = (
        (EXAMPLES / "event-bus-migration.md")
        .read_text("utf-8")
        .replace("\ntags:", "\nsuperseded_by:\n  - ./rate-limiter.md\ntags:", 1)
    )
    (tmp_path / "event-bus.md").write_text(older, "utf-8")
    (tmp_path / "notes.md").write_text("See [the doc](rate-limiter.md).\n", "utf-8")
    uri = (tmp_path / "rate-limiter.md").as_uri()
    flow = successor.split("\n").index('supersedes: ["🚀-launch", rate-limiter]')
    block = older.split("\n").index("  - ./rate-limiter.md")

    async def scenario() -> None:
        async with in_process(root=tmp_path) as lsp:
            await lsp.open(uri, target)
            found = await _references(lsp, uri, 1, 3)  # on the front matter's title: the doc's references
            spans = sorted(
                (loc.uri.rsplit("/", 1)[-1], loc.range.start.line, loc.range.start.character, loc.range.end.character)
                for loc in found
            )
            column = utf16('supersedes: ["🚀-launch", ')
            assert spans == [
                ("audit-log.md", flow, column, column + len("rate-limiter")),
                ("event-bus.md", block, 4, 4 + len("./rate-limiter.md")),
                ("notes.md", 0, 4, 30),
            ]
            await lsp.open((tmp_path / "audit-log.md").as_uri(), successor)
            jump = await _definition(lsp, (tmp_path / "audit-log.md").as_uri(), flow, column + 3)
            assert jump is not None and jump.uri == uri and jump.range.start == types.Position(line=0, character=0)
            assert await _definition(lsp, (tmp_path / "audit-log.md").as_uri(), flow, column - 3) is None  # 🚀-launch

    run(scenario())


def test_references_of_a_kep_list_the_replaces_entries_of_the_sidecars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    shutil.copytree(FIXTURES / "processes" / "kep", tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    sidecar = tmp_path / "keps/sig-api-machinery/3001-typed-defaults/kep.yaml"
    sidecar.write_text(sidecar.read_text("utf-8") + "replaces:\n  - keps/sig-node/4012-image-pull-limits\n", "utf-8")
    target = tmp_path / "keps/sig-node/4012-image-pull-limits/README.md"
    line = sidecar.read_text("utf-8").split("\n").index("  - keps/sig-node/4012-image-pull-limits")

    async def scenario() -> None:
        async with in_process(root=tmp_path) as lsp:
            await lsp.open(target.as_uri(), target.read_text("utf-8"))
            found = await _references(lsp, target.as_uri(), 0)
            assert [(loc.uri, loc.range.start.line, loc.range.start.character) for loc in found] == [
                (sidecar.as_uri(), line, 4)
            ]

    run(scenario())


# -- the lifecycle commands: bump and new --------------------------------------------------------------

SHOWS_DOCUMENTS = types.ClientCapabilities(
    window=types.WindowClientCapabilities(show_document=types.ShowDocumentClientCapabilities(support=True))
)
CREATES_FILES = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(
        workspace_edit=types.WorkspaceEditClientCapabilities(
            document_changes=True, resource_operations=[types.ResourceOperationKind.Create]
        )
    ),
    window=types.WindowClientCapabilities(show_document=types.ShowDocumentClientCapabilities(support=True)),
)


class Editor:
    """What a client receives from the commands: the edits to apply, and the documents to show."""

    def __init__(self, lsp: Session) -> None:
        self.edits: list[types.WorkspaceEdit] = []
        self.shown: list[str] = []

        @lsp.client.feature(types.WORKSPACE_APPLY_EDIT)
        def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            self.edits.append(params.edit)
            return types.ApplyWorkspaceEditResult(applied=True)

        @lsp.client.feature(types.WINDOW_SHOW_DOCUMENT)
        def show_document(params: types.ShowDocumentParams) -> types.ShowDocumentResult:
            self.shown.append(params.uri)
            return types.ShowDocumentResult(success=True)


async def _command(lsp: Session, name: str, *arguments: object) -> object:
    return await lsp.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=name, arguments=list(arguments))
    )


def _one_document_edit(edit: types.WorkspaceEdit, uri: str) -> list[types.TextEdit]:
    if edit.document_changes is None:
        return list(edit.changes[uri])
    (change,) = edit.document_changes
    assert change.text_document.uri == uri and change.text_document.version == 1  # the buffer's version
    return list(change.edits)


@pytest.mark.parametrize("capabilities", [None, FULL_CLIENT], ids=["minimal-client", "full-client"])
def test_the_bump_command_edits_the_buffer_as_the_command_line_writes_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, capabilities
) -> None:
    from designdoc.cli.main import main

    monkeypatch.chdir(tmp_path)
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")
    doc, copy = tmp_path / "doc.md", tmp_path / "copy.md"
    doc.write_text(text, "utf-8")
    copy.write_text(text, "utf-8")
    assert main(["bump", str(copy), "minor"]) == 0
    bumped = copy.read_text("utf-8")
    assert "version: 0.10.0" in bumped

    async def scenario() -> None:
        async with in_process(capabilities=capabilities, root=tmp_path) as lsp:
            editor = Editor(lsp)
            await lsp.open(doc.as_uri(), text)
            said = await _command(lsp, "designdoc.bump", doc.as_uri(), "minor")
            assert said == "doc.md: version 0.10.0"
            (edit,) = editor.edits
            assert apply(text, _one_document_edit(edit, doc.as_uri())) == bumped
            assert doc.read_text("utf-8") == text  # the server wrote nothing: the client applies the edit
            for arguments, reason in (
                (("patch",), "0.9.x: not a semantic version"),
                (("huge",), "unknown version part 'huge'"),
            ):
                if reason.startswith("0.9.x"):
                    doc.write_text(text.replace("version: 0.9.0", "version: 0.9.x"), "utf-8")
                    lsp.change(doc.as_uri(), text.replace("version: 0.9.0", "version: 0.9.x"), 2)
                    await lsp.diagnostics(doc.as_uri())
                refused = await _command(lsp, "designdoc.bump", doc.as_uri(), *arguments)
                assert reason.split(": ")[-1] in refused and any(refused in m for m in lsp.logs), lsp.logs
            assert len(editor.edits) == 1  # a refused bump changes nothing

    run(scenario())


def test_the_bump_command_asks_for_a_saved_doc(tmp_path: Path) -> None:
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")
    doc = tmp_path / "doc.md"
    doc.write_text(text, "utf-8")

    async def scenario() -> None:
        async with in_process(root=tmp_path) as lsp:
            editor = Editor(lsp)
            await lsp.open(doc.as_uri(), text + "\nTyped.\n")
            said = await _command(lsp, "designdoc.bump", doc.as_uri(), "patch")
            assert "save it first" in said and not editor.edits

    run(scenario())


def test_the_commands_are_advertised(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with in_process(root=tmp_path) as lsp:
            result = await lsp.client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
            commands = set(result.capabilities.execute_command_provider.commands)
            assert {"designdoc.status", "designdoc.bump", "designdoc.new"} <= commands

    run(scenario())


@pytest.mark.parametrize(
    "capabilities", [None, SHOWS_DOCUMENTS, CREATES_FILES], ids=["minimal-client", "shows-documents", "creates-files"]
)
def test_the_new_command_creates_the_doc_from_the_template_and_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, capabilities
) -> None:
    from designdoc.cli.main import main

    cli, project = tmp_path / "cli", tmp_path / "project"
    for folder in (cli, project):
        folder.mkdir()
        (folder / "designdoc.toml").write_text('paths = ["docs"]\n', "utf-8")
    monkeypatch.chdir(cli)
    assert main(["new", "Edge cache 🚀 rollout", "--owner", "ana@acme.io", "--tag", "cdn"]) == 0
    (expected,) = (cli / "docs").rglob("*.md")
    monkeypatch.chdir(project)
    shown = expected.relative_to(cli).as_posix()
    created = project / shown

    async def scenario() -> None:
        async with in_process(capabilities=capabilities, root=project) as lsp:
            editor = Editor(lsp)
            options = {"owners": ["ana@acme.io"], "tags": ["cdn"]}
            said = await _command(lsp, "designdoc.new", "Edge cache 🚀 rollout", options)
            assert said == f"{shown}: created"
            if capabilities is CREATES_FILES:  # the client creates it, and fills it
                assert not created.exists() and not editor.shown
                (edit,) = editor.edits
                create, fill = edit.document_changes
                assert create.kind == "create" and create.uri == created.as_uri() and not create.options.overwrite
                assert fill.text_document.uri == created.as_uri()
                created.parent.mkdir(parents=True, exist_ok=True)
                created.write_text(apply("", list(fill.edits)), "utf-8")  # as the editor would, then saves
            else:  # written here, atomically, and shown when the client can be asked to
                assert not editor.edits
                assert editor.shown == ([created.as_uri()] if capabilities is SHOWS_DOCUMENTS else [])
            assert created.read_text("utf-8") == expected.read_text("utf-8")
            again = await _command(lsp, "designdoc.new", "Edge cache 🚀 rollout", options)
            assert "already exists, not overwritten" in again and any(again in m for m in lsp.logs)
            assert created.read_text("utf-8") == expected.read_text("utf-8") and len(editor.edits) <= 1

    run(scenario())


# -- the project rules: the editor says what `check` over the project says ---------------------------


def _workspace(root: Path) -> dict[str, str]:
    """Write a project whose docs have findings of every project rule, and commit it (as of a later day)."""
    base = (EXAMPLES / "rate-limiter.md").read_text("utf-8")

    def doc(title: str, extra: str = "", body: str = "") -> str:
        text = base.replace("title: Tenant-aware rate limiter for the public API", f"title: {title}", 1)
        text = text.replace("\ntags:", f"\n{extra}tags:", 1) if extra else text
        return text.replace("## Appendix\n", f"## Appendix\n{body}", 1) if body else text

    docs = {
        "docs/a.md": doc("A", 'supersedes: ["🚀-ghost", b]\n'),  # b does not answer, and is still approved
        "docs/b.md": doc("B"),
        "docs/c.md": doc("C", "supersedes:\n  - d\n"),  # c and d: a cycle, said on c (the smaller path)
        "docs/d.md": doc("D", "supersedes:\n  - c\n"),
        "docs/e.md": doc(
            "E", body="See [B's scope](b.md#scope-and-non-goals), [no such](b.md#nowhere) 🚀 [gone](x.md).\n"
        ),
    }
    (root / "designdoc.toml").write_text('paths = ["docs"]\n', "utf-8")
    for name, text in docs.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    env = {
        **os.environ,
        "GIT_COMMITTER_DATE": "2026-11-30T12:00:00+00:00",
        "GIT_AUTHOR_DATE": "2026-11-30T12:00:00+00:00",
    }
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "."], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "docs"], cwd=root, check=True, env=env)
    return docs


def _as_the_editor_shows(found: list[dict], text: str) -> list[tuple]:
    """Return `check`'s JSON findings of one doc in LSP terms (0-based lines, UTF-16 characters)."""
    lines = text.split("\n")
    severities = {"error": 1, "warning": 2, "info": 3}

    def at(line: int, column: int) -> tuple[int, int]:
        return line - 1, utf16(lines[line - 1][: column - 1]) + max(column - 1 - len(lines[line - 1]), 0)

    return sorted(
        (
            *at(d["line"], d["column"]),
            *at(d["end_line"], d["end_column"]),
            d["rule"],
            d["message"],
            severities[d["severity"]],
        )
        for d in found
    )


def _shown(published: types.PublishDiagnosticsParams) -> list[tuple]:
    return sorted(
        (
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            d.code,
            d.message,
            int(d.severity),
        )
        for d in published.diagnostics
    )


def test_the_editor_says_of_each_doc_what_check_over_the_project_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from designdoc.cli.main import main
    from designdoc.lsp.project import ProjectState

    docs = _workspace(tmp_path)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    main(["check", "--format", "json"])
    report = json.loads(capsys.readouterr().out)["diagnostics"]
    parsed: list[Path] = []  # the project's docs the editor had to parse: none, `check` kept their facts
    real_read = ProjectState._read
    monkeypatch.setattr(ProjectState, "_read", lambda self, c: parsed.append(c.path) or real_read(self, c))
    rules = {d["rule"] for d in report}
    assert {
        "supersede-asymmetric",
        "superseded-status-mismatch",
        "supersede-cycle",
        "reference-broken",
        "link-broken",
        "last-updated-behind-commit",
    } <= rules, rules
    assert [d["path"] for d in report if d["rule"] == "supersede-cycle"] == ["docs/c.md"]

    async def scenario() -> None:
        async with in_process(root=tmp_path) as lsp:
            for name, text in docs.items():
                published = await lsp.open((tmp_path / name).as_uri(), text)
                expected = _as_the_editor_shows([d for d in report if d["path"] == name], text)
                assert _shown(published) == expected, name

    run(scenario())
    assert parsed == []


def test_an_open_buffer_stands_in_for_its_file_in_the_other_docs_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """b answers a's `supersedes` in its unsaved buffer: a's finding goes at once; once b is saved,
    `check` agrees with what the editor showed."""
    from designdoc.cli.main import main

    docs = _workspace(tmp_path)
    monkeypatch.chdir(tmp_path)
    a, b = tmp_path / "docs/a.md", tmp_path / "docs/b.md"
    answered = (
        docs["docs/b.md"]
        .replace("\ntags:", "\nsuperseded_by:\n  - a\ntags:", 1)
        .replace("status: approved", "status: superseded", 1)
    )

    async def scenario() -> list[tuple]:
        async with in_process(root=tmp_path) as lsp:
            first = await lsp.open(a.as_uri(), docs["docs/a.md"])
            assert {"supersede-asymmetric", "superseded-status-mismatch"} <= {d.code for d in first.diagnostics}
            await lsp.open(b.as_uri(), docs["docs/b.md"])
            lsp.change(b.as_uri(), answered, 2)
            again = await lsp.diagnostics(a.as_uri())  # a is checked again: b's buffer changed what it answers
            codes = {d.code for d in again.diagnostics}
            assert not codes & {"supersede-asymmetric", "superseded-status-mismatch"}, codes
            assert b.read_text("utf-8") == docs["docs/b.md"]  # nothing was saved
            return _shown(again)

    shown = asyncio.run(asyncio.wait_for(scenario(), 30))
    b.write_text(answered, "utf-8")
    capsys.readouterr()
    main(["check", "--format", "json"])
    report = json.loads(capsys.readouterr().out)["diagnostics"]
    assert shown == _as_the_editor_shows([d for d in report if d["path"] == "docs/a.md"], docs["docs/a.md"])


def test_the_bump_of_a_doc_with_a_bom_edits_the_buffer_the_editor_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from designdoc.cli.main import main

    monkeypatch.chdir(tmp_path)
    text = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")
    doc, copy = tmp_path / "doc.md", tmp_path / "copy.md"
    for path in (doc, copy):
        path.write_bytes(("\ufeff" + text).encode("utf-8"))
    assert main(["bump", str(copy), "patch"]) == 0
    bumped = copy.read_bytes().decode("utf-8")

    async def scenario() -> None:
        async with in_process(root=tmp_path) as lsp:
            editor = Editor(lsp)
            await lsp.open(doc.as_uri(), "\ufeff" + text)  # the editor holds the BOM as a character
            await _command(lsp, "designdoc.bump", doc.as_uri(), "patch")
            (edit,) = editor.edits
            assert apply("\ufeff" + text, edit.changes[doc.as_uri()]) == bumped

    run(scenario())


def test_a_large_project_shows_the_docs_own_findings_first_then_the_projects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from designdoc.cli.main import main

    docs = _workspace(tmp_path)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    main(["check", "--format", "json", "--no-cache"])
    report = [d for d in json.loads(capsys.readouterr().out)["diagnostics"] if d["path"] == "docs/a.md"]
    monkeypatch.setattr("designdoc.lsp.analyzer.LARGE", 3)  # these five docs are a large project
    uri = (tmp_path / "docs/a.md").as_uri()

    async def scenario() -> None:
        async with in_process(root=tmp_path) as lsp:
            first = await lsp.open(uri, docs["docs/a.md"])
            own = {d.code for d in first.diagnostics}
            assert not own & {"supersede-asymmetric", "superseded-status-mismatch", "reference-broken"}, own
            whole = await lsp.diagnostics(uri)
            assert _shown(whole) == _as_the_editor_shows(report, docs["docs/a.md"])
            assert {"supersede-asymmetric", "reference-broken"} <= {d.code for d in whole.diagnostics}

    run(scenario())
