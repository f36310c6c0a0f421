"""Check an editor's buffer with the config and template of its project, through one Checker per project.

The document rules run on the buffer; the project rules run on it with the facts of
the project's other docs (`project.ProjectState`), the open buffers standing in for
their files, so the editor says of a doc what `check` over the project says.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from lsprotocol import types

from designdoc.check.runner import Checker
from designdoc.config import load as config_module
from designdoc.files.discovery import real_path
from designdoc.lsp.positions import Buffer
from designdoc.lsp.project import ProjectState, doc_facts
from designdoc.model.diagnostics import Diagnostic
from designdoc.model.errors import DesignDocError
from designdoc.model.settings import Config
from designdoc.model.text import split_bom
from designdoc.parse.document import Document
from designdoc.parse.template import Template
from designdoc.rules.facts import DocFacts
from designdoc.rules.registry import Rule

# A project of this many files or more is read after the first open doc's own findings are shown
# (1,000 docs take 1.4 s to read cold; the doc's own rules, 0.2 s).
LARGE = 300


class Analyzer:
    """Check buffers with the config and template of each file's project (cached by file stamps)."""

    def __init__(
        self,
        *,
        rules: Sequence[Rule] | None = None,
        on_error: Callable[[Rule, Exception, str], None] | None = None,
        config_file: Path | None = None,
    ) -> None:
        self.rules = tuple(rules) if rules is not None else None
        self.on_error = on_error
        self.config_file = config_file  # the client's setting: one config for every file
        self._setups: dict[tuple, tuple[Config, Template]] = {}
        self._checkers: dict[tuple, Checker] = {}
        self._projects: dict[int, ProjectState] = {}  # by the id of their Checker
        self._open: dict[Path, DocFacts] = {}  # the open buffers' facts as last checked, by real path
        self._lint: dict[Path, list[Diagnostic]] = {}  # and their document rules' findings
        self._lock = threading.Lock()

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

        config = config_module.load(start=folder, explicit=self.config_file)
        template_path = Path(config.template) if config.template else None
        if template_path is not None and not template_path.is_absolute() and config.root is not None:
            template_path = config.root / template_path
        key = (config.source, _stamp(config.source), config.root, template_path, _stamp(template_path))
        if key not in self._setups:
            self._setups[key] = (config, load_template(config))
        return key, self._setups[key]

    def forget(self) -> None:
        """Drop the cached configs, templates, checkers and project facts (one was saved)."""
        self._setups.clear()
        self._checkers.clear()
        self._projects.clear()

    def project(self, checker: Checker, *, refresh: bool = False) -> ProjectState:
        """Return the facts of the checker's project: read on first use, and again when `refresh`."""
        with self._lock:
            state = self._projects.get(id(checker))
            if state is None or state.checker is not checker:
                state = self._projects[id(checker)] = ProjectState(checker)
        with state.lock:
            if refresh or not state.loaded:
                state.refresh()
        return state

    def refresh(self) -> None:
        """Read again what changed on disk in every project (a file changed, a doc was saved)."""
        for state in list(self._projects.values()):
            with state.lock:
                state.refresh()

    def closed(self, path: Path) -> None:
        """Forget an open buffer: its file stands for the doc again."""
        key = real_path(path)
        with self._lock:
            self._open.pop(key, None)
            self._lint.pop(key, None)

    def project_pending(self, path: Path) -> bool:
        """Return True when the project of `path` is not read yet and is large (`LARGE` files or
        more): reading it would hold back the doc's own findings."""
        try:
            checker = self.checker(path.parent)
        except DesignDocError:
            return False
        with self._lock:
            state = self._projects.get(id(checker))
        if state is not None and state.checker is checker and state.loaded:
            return False
        probe = state if state is not None and state.checker is checker else ProjectState(checker)
        return probe.discovered() >= LARGE

    def project_findings(self, path: Path, doc: Document, *, refresh: bool = False) -> list[Diagnostic]:
        """Return the project rules' findings on the doc of `path`, as parsed from its buffer."""
        checker = self.checker(path.parent)
        state = self.project(checker, refresh=refresh)
        failed = self.on_error
        with self._lock:
            open_docs = dict(self._open)
        with state.lock:
            return state.findings(
                doc, path, open_docs, (lambda rule, error: failed(rule, error, doc.path)) if failed else None
            )

    def open_facts(self, path: Path) -> DocFacts | None:
        """Return the facts of an open buffer as last checked (None: not checked, or no doc)."""
        with self._lock:
            return self._open.get(real_path(path))

    def recheck(self, path: Path, doc: Document) -> list[Diagnostic] | None:
        """Return an open doc's findings again after another buffer changed (its document rules'
        findings kept), None when it was not checked here."""
        with self._lock:
            lint = self._lint.get(real_path(path))
        if lint is None:
            return None
        return sorted(lint + self.project_findings(path, doc), key=Diagnostic.sort_key)

    def analyze(
        self,
        path: Path,
        text: str,
        *,
        version: int | None = None,
        encoding: str = types.PositionEncodingKind.Utf16,
        refresh: bool = False,
        project: bool = True,
    ) -> tuple[Buffer | None, list[Diagnostic]]:
        """Check a buffer's text; (None, []) when the file is no design doc.  With `refresh` (the
        doc was opened or saved) the project's files changed on disk and its git dates are read
        again; without `project`, only the doc's own rules run (the project rules come later)."""
        from designdoc.files.discovery import display

        checker = self.checker(path.parent)
        config, template = checker.config, checker.template
        text, bom = split_bom(text)
        if not self.is_doc(path, text, config, template):
            self.closed(path)
            return None, []
        doc = checker.parse(text, display(path), bom=bom, at=path)
        on_disk = _unreadable_on_disk(path, checker)
        if on_disk is not None:
            # the editor decoded bytes that are not UTF-8 (as latin-1, say): its text is not the
            # file's, and a "fix" of what looks like mojibake would destroy the file on save
            return Buffer(doc, version, encoding, bom), on_disk
        failed = self.on_error
        diagnostics = checker.lint(
            doc, on_error=(lambda rule, error: failed(rule, error, doc.path)) if failed else None
        )
        with self._lock:
            self._open[real_path(path)] = doc_facts(doc)
            self._lint[real_path(path)] = list(diagnostics)
        if project:
            diagnostics += self.project_findings(path, doc, refresh=refresh)
        return Buffer(doc, version, encoding, bom), sorted(diagnostics, key=Diagnostic.sort_key)

    @staticmethod
    def is_doc(path: Path, text: str, config: Config, template: Template) -> bool:
        """Return True for a file `check` would take for a doc in a walk of its folder: not
        excluded, not in a hidden or skipped folder, and its front matter naming the template's
        doc_type (any Markdown file, the template itself aside, when the template has none)."""
        import fnmatch

        from designdoc.files.discovery import SKIP_DIRS, looks_like_doc

        base = config.root or Path.cwd()
        try:
            relative = path.resolve().relative_to(base.resolve())
        except ValueError:  # outside the project: as a file named on the command line
            relative = None
        if relative is not None:
            shown = relative.as_posix()  # the exclude globs are relative to the project, as in a run there
            if any(fnmatch.fnmatch(shown, p) or fnmatch.fnmatch(path.name, p) for p in config.exclude):
                return False
            if any(part.startswith(".") or part in SKIP_DIRS for part in relative.parts[:-1]):
                return False
        return looks_like_doc(text.encode("utf-8", "surrogatepass"), template.doc_type, template)


def _unreadable_on_disk(path: Path, checker: Checker) -> list[Diagnostic] | None:
    """Return what `check` says of the file on disk when its bytes are not UTF-8 (`encoding-invalid`,
    no fix), else None: the buffer is then checked as the editor holds it."""
    from designdoc.files import reading
    from designdoc.files.discovery import Candidate

    try:
        data = path.read_bytes() if path.is_file() else None
    except OSError:
        return None
    if data is None:
        return None
    try:
        reading.decode(data)
    except reading.Skip:
        found = checker.run([Candidate(path, True, None)]).diagnostics
        return [d for d in found if d.rule == "encoding-invalid"] or None
    return None


def _stamp(path: Path | None) -> tuple[int, int] | None:
    try:
        info = path.stat() if path is not None else None
    except OSError:
        return None
    return None if info is None else (info.st_mtime_ns, info.st_size)
