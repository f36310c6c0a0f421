"""The cross-document rules for an editor's buffer, from the same facts as `check` has.

`check` reads every doc of the project once, keeps a `DocFacts` record of each and
then runs the rules of the project phase (supersede symmetry and cycles, links into
other docs, shared sidecars, the git dates) over those facts.  A `ProjectFacts` here
holds the same records for one project, read from disk and kept by each file's stat
signature; the open buffers stand in for their files (their facts as last typed),
so a keystroke re-reads nothing: the project is discovered again, and changed files
read again, only on `refresh` (a doc opened or saved, a file changed on disk).
The git dates are read on `refresh` too: the git rule compares the buffer's date
with the commits of the saved tree, never running git per keystroke.

The rules run for one doc at a time, as `Checker._project_phase` runs them for each
doc of a run: the same contexts, severities and suppressions.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from designdoc.check import git as gitdates
from designdoc.check.linter import suppressions
from designdoc.check.runner import Checker
from designdoc.check.workspace import Project
from designdoc.files import reading
from designdoc.files.discovery import Candidate, discover, display, looks_like_doc, real_path, unique_files
from designdoc.files.sidecar import sidecar_path
from designdoc.model.diagnostics import Diagnostic
from designdoc.model.errors import DesignDocError
from designdoc.parse.document import Document
from designdoc.rules import Rule
from designdoc.rules.facts import DocFacts, ProjectFacts, facts_of

Signature = tuple[tuple[int, ...] | None, ...]


def doc_facts(doc: Document) -> DocFacts:
    """Return a parsed doc's facts with its suppressions, as the runner keeps them."""
    return facts_of(doc, tuple(suppressions(doc)) if "designdoc-disable" in doc.text else ())


class ProjectState:
    """The facts of one project's docs (by real path), its `Project` and git dates, as of the last refresh."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.lock = threading.Lock()
        self.loaded = False
        self._disk: dict[Path, tuple[Signature, DocFacts | None]] = {}
        self._candidates: list[Candidate] = []
        self._project: Project | None = None
        # a doc outside the project's paths: a run of its own (its Project, its git dates)
        self._alone: dict[Path, tuple[Project, Callable[[], object]]] = {}
        self._git: object = None
        self._resolved: dict[tuple[int, str, str], Path | None] = {}  # references, as of the last refresh

    def discovered(self) -> int:
        """Return how many files the project's paths hold (a walk, no file read): a first open of a
        large project shows the doc's own findings before it reads them all."""
        return len(self._discover())

    def _discover(self) -> list[Candidate]:
        config = self.checker.config
        try:
            return unique_files(discover(config.targets(), config)[0]) if config.paths else []
        except DesignDocError:
            return []

    def refresh(self) -> None:
        """Discover the project's docs, read again those whose file changed, and read the git dates."""
        config = self.checker.config
        candidates = self._discover()
        disk = {}
        changed = []
        for candidate in candidates:
            key = candidate.real or real_path(candidate.path)
            signature = self._signature(candidate)
            known = self._disk.get(key)
            if known is not None and known[0] == signature:
                disk[key] = known
            else:
                changed.append((candidate, key, signature))
        # what `check` read of these files and kept in its cache: not parsed again (0.1 s, not 1.2 s, for 1,000 docs)
        cached = self.checker.cached_facts([c for c, _, _ in changed]) if changed else {}
        for candidate, key, signature in changed:
            disk[key] = (signature, cached[key] if key in cached else self._read(candidate))
        self._disk, self._candidates = disk, candidates
        self._project = Project.of(config, candidates)
        self._alone.clear()
        self._resolved.clear()
        folders = sorted({os.path.dirname(c.path) or "." for c in candidates})  # as the runner asks git
        needs_git = any("git" in rule.needs for rule in self.checker.project_rules)
        self._git = gitdates.load(folders) if needs_git and folders else None
        self.loaded = True

    def findings(
        self,
        doc: Document,
        path: Path,
        open_docs: dict[Path, DocFacts],
        on_error: Callable[[Rule, Exception], None] | None = None,
    ) -> list[Diagnostic]:
        """Return the project rules' findings on `doc` (the buffer of `path`), the project's other
        docs as last read from disk or, when open, as the editor holds them."""
        key = real_path(path)
        if key in self._disk:  # a doc of the project: the run of `check` over its paths
            facts = {k: f for k, (_, f) in self._disk.items() if f is not None}
            facts.update((k, f) for k, f in open_docs.items() if k in self._disk)
            project, git = self._project, self._git_of_project
        else:  # a file outside the project's paths: checked as `check FILE` checks it
            facts = {}
            project, git = self._alone_run(key, path)
        facts[key] = open_docs.get(key) or doc_facts(doc)
        return self._rules_on(key, facts, project, git, on_error)

    def _git_of_project(self) -> object:
        return self._git

    def _alone_run(self, key: Path, path: Path) -> tuple[Project, Callable[[], object]]:
        """Return the Project of a run over one file, and its git dates (read once per refresh)."""
        if key not in self._alone:
            folders = [os.path.dirname(display(path)) or "."]
            cell: list[object] = []

            def git() -> object:
                if not cell:
                    cell.append(gitdates.load(folders))
                return cell[0]

            self._alone[key] = (Project.of(self.checker.config, [Candidate(path, True, None)]), git)
        return self._alone[key]

    def _rules_on(
        self,
        key: Path,
        facts: dict[Path, DocFacts],
        project: Project,
        git: Callable[[], object],
        on_error: Callable[[Rule, Exception], None] | None,
    ) -> list[Diagnostic]:
        """Run every project rule for the doc `key` over `facts`, through the runner's one project phase."""
        checker = self.checker
        for other, fact in facts.items():
            project.know_anchors(other, fact.anchors, fact.path)
        resolved = self._resolved

        def resolve(doc_path: str, ref: str) -> Path | None:  # what a reference names: files read at refresh
            memo = (id(project), doc_path, ref)
            if memo not in resolved:
                resolved[memo] = project.resolve_reference(doc_path, ref)
            return resolved[memo]

        whole = ProjectFacts(
            facts,
            resolve=resolve,
            load=self._outside,
            git=git,
            files=project,
            history=lambda: None,  # status moves since a base revision: `check --base` only
        )
        return checker.project_rules_on(whole, [key], on_error=on_error)

    def _signature(self, candidate: Candidate) -> Signature:
        """Return what says a doc's file (and its sidecar) is unchanged: times, size, inode."""
        paths = [candidate.real or candidate.path]
        pattern = self.checker.config.metadata.sidecar
        if pattern is not None:
            paths.append(sidecar_path(candidate.path, pattern))
        return tuple(_stat(p) for p in paths)

    def _read(self, candidate: Candidate) -> DocFacts | None:
        """Return the facts of a doc of the project, read as `check` reads it (None: not a doc, unreadable)."""
        checker = self.checker
        try:
            data = reading.read(candidate, max_size=checker.config.max_file_size, template=checker.template)
            if not candidate.named and not looks_like_doc(data, checker.template.doc_type, checker.template):
                return None
            text, bom = reading.decode(data)
            with reading.budget(checker.config.time_budget):
                return doc_facts(checker.parse(text, display(candidate.path), bom=bom, at=candidate.path))
        except (reading.Skip, reading.OverBudget):
            return None

    def _outside(self, path: Path) -> DocFacts | None:
        """Return the facts of a doc a reference names outside the run (read as `check` reads it)."""
        return self._read(Candidate(path, True, None))


def _stat(path: Path) -> tuple[int, ...] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)
