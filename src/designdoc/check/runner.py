"""Check each doc once, and run the cross-document rules over their facts.

With `discovery.py`, `reading.py` and `project.py`, the only part of the check
path that touches files.  Reading is defensive (`reading.py`): a FIFO is never
opened, a symlink is resolved before it is followed, a file over the size limit
is never read, and every failure is a `file-skipped` or `encoding-invalid`
diagnostic, never an exception.

A run has two phases.  The per-file loop parses and lints each file once and
keeps a small `DocFacts` record of each doc; then the project rules (see
`rules/crossdoc.py`) run once per doc over those facts, so no Document needs to
stay in memory for them.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from designdoc.check import cache as cache_module
from designdoc.check import git as gitdates
from designdoc.check import pool
from designdoc.check.cache import Cache
from designdoc.check.git import GitDates
from designdoc.check.linter import lint, produce, select, suppressions
from designdoc.check.workspace import Project
from designdoc.config import versions as versions_module
from designdoc.config.load import today
from designdoc.files import reading
from designdoc.files.discovery import (
    Candidate,
    display,
    looks_like_doc,
    real_path,
    unique_files,
)
from designdoc.files.sidecar import read_sidecar
from designdoc.model.diagnostics import Diagnostic, Edit, Fix, Severity
from designdoc.model.settings import Config
from designdoc.parse import document as document_module
from designdoc.parse.document import Document
from designdoc.parse.template import Footer, SectionRules, Template, TemplateField, TemplateSection, TemplateSubsection
from designdoc.parse.versions import Draft, Policy, TemplateSet
from designdoc.rules import Rule, by_slug
from designdoc.rules.facts import (
    CrossFileFix,
    DocFacts,
    LinkFact,
    ProjectContext,
    ProjectFacts,
    RefItem,
    RefList,
    facts_of,
    status_in,
)
from designdoc.rules.registry import ReadingContext


@dataclass
class CheckResult:
    """What a check run found."""

    diagnostics: list[Diagnostic]
    files: int
    notes: list[str] = field(default_factory=list)  # one-line warnings about the run itself (shallow clone)
    git: GitDates | None = None  # the git dates, when a rule needed them
    extracted: list[object] = field(default_factory=list)  # `run(extract=…)`'s results, in order


@dataclass(frozen=True, slots=True)
class FileResult:
    """What the per-file phase found in one file: its diagnostics and its facts (None if skipped)."""

    diagnostics: tuple[Diagnostic, ...]
    facts: DocFacts | None
    extra: object = None  # what `run(extract=…)` took from the Document (cached as `(tag, value)`: CachedExtract)


# every class a cached FileResult is made of: the cache loads these and plain values, nothing else
CACHED_RECORDS = (FileResult, Diagnostic, Severity, Fix, Edit, DocFacts, RefList, RefItem, LinkFact, CrossFileFix)


class CachedExtract(Protocol):
    """An extract whose results can live in the check cache beside the file's findings.

    The cache holds `for_cache(value)` under `cache_tag` (which names the kind of value and
    its format); a hit gives back `from_cache(stored)`, so what depends on other files or
    on the run (resolved references, a render) can be left out and made again.
    """

    cache_tag: str

    def __call__(self, doc: Document) -> object: ...
    def for_cache(self, value: Any) -> object: ...
    def from_cache(self, stored: Any) -> object: ...


_POOL_STATE: tuple[Checker, Project, Cache | None, Callable[[Document], object] | None] | None = None


def _check_in_worker(candidate: Candidate) -> tuple[tuple[FileResult, None] | None, bytes | None]:
    """Check one file in a pool worker (the checker comes from the forked parent); no Document back."""
    checker, project, store, extract = _POOL_STATE
    outcome, key = checker._check(candidate, project, store, extract)
    return (None if outcome is None else (outcome[0], None)), key


def _cache_tag(extract: Callable[[Document], object] | None) -> str | None:
    return getattr(extract, "cache_tag", None)


def _from_cache(hit: FileResult, extract: Callable[[Document], object] | None) -> FileResult | None:
    """Return a cached result as this run needs it; None when it lacks this run's extract."""
    if extract is None:
        return hit
    tag = _cache_tag(extract)
    if tag is None or not (isinstance(hit.extra, tuple) and len(hit.extra) == 2 and hit.extra[0] == tag):
        return None
    return dataclasses.replace(hit, extra=extract.from_cache(hit.extra[1]))


def _for_cache(result: FileResult, extract: Callable[[Document], object] | None) -> FileResult:
    """Return a result as the cache keeps it: its extract's value in cached form, tagged, or none."""
    if result.extra is None:
        return result
    tag = _cache_tag(extract)
    if tag is None:
        return dataclasses.replace(result, extra=None)
    return dataclasses.replace(result, extra=(tag, extract.for_cache(result.extra)))


def _signature(candidate: Candidate) -> tuple[int, ...] | None:
    """Return what says a plain file is unchanged (times, size, inode), None for anything else."""
    if candidate.real is None:
        return None
    try:
        info = os.stat(candidate.real)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)


# what a cached template version is made of (config.versions' drafts of parse.template's records)
VERSION_RECORDS = (Draft, Template, TemplateSection, TemplateField, TemplateSubsection, SectionRules, Footer)


class Checker:
    """Check files with one config and template; reusable across runs (LSP, serve)."""

    def __init__(
        self,
        config: Config,
        template: Template,
        *,
        rules: Sequence[Rule] | None = None,
        today_: dt.date | None = None,
        base: str | None = None,
    ) -> None:
        self.config = config
        self.template = template
        self.rules = tuple(rules) if rules is not None else select()
        self.today = today_ or today()
        self.base = base  # `check --base REV`: status moves since the merge-base of REV and HEAD
        self.remember_versions = True  # derived template versions from the cache folder
        self.file_rules = tuple(r for r in self.rules if r.phase == "document")
        # project rules need the whole run: they run after the per-file loop, over DocFacts
        self.project_rules = tuple(
            r for r in self.rules if r.phase == "project" and config.rule(r.slug).severity is not Severity.OFF
        )

    @cached_property
    def versions(self) -> TemplateSet:
        """Return the versions of this run's template (read once: one git log, one cat-file; the
        derived versions kept in the cache folder while the template's history is the same)."""
        remember = None
        if self.remember_versions:
            root = self.config.root

            def remember(key: str, derive: Callable[[], object]) -> object:
                return cache_module.remembered(root, key, derive, VERSION_RECORDS)

        return versions_module.load(self.config, self.template, today=self.today, remember=remember)

    @cached_property
    def policy(self) -> Policy | None:
        """Return how a doc's template version is told, None when the template has one version."""
        if not self.versions.several:
            return None
        return Policy(self.versions, self.config.template_version_field, self._first_commit)

    def _first_commit(self, path: str) -> dt.date | None:
        """Return the date of the template version in force when `path` came to the main line
        (one diff per version for the run, on first use; None for a doc not committed)."""
        dates = self.__dict__.get("_arrived")
        if dates is None:
            dates = self.__dict__["_arrived"] = self._arrivals(cache=False)
        return dates.get(os.path.abspath(path)) or dates.get(os.path.realpath(path))

    def _arrivals(self, *, cache: bool) -> dict[str, dt.date]:
        """Return when each committed doc came, told against the versions' boundaries: from the
        cache folder while HEAD stays, else from git."""
        targets = self.config.targets()
        boundaries = [(v.date, v.commits[0] if v.commits else None) for v in self.versions.versions]
        commit = gitdates.head(targets) if cache else None
        name = f"arrivals\0{commit}\0{targets}\0{boundaries}"
        if commit is not None:
            found = cache_module.recall(self.config.root, name)
            if isinstance(found, dict):
                return found
        dates = gitdates.arrivals(targets, boundaries)
        if commit is not None:
            cache_module.keep(self.config.root, name, dates)
        return dates

    def lint(self, doc: Document, *, on_error: Callable[[Rule, Exception], None] | None = None) -> list[Diagnostic]:
        """Return one parsed doc's per-file findings: the one lint path of checks, fixes, gates and editors.

        `on_error` receives a rule that raised (an editor keeps going); without it the error propagates.
        """
        return lint(doc, config=self.config, today=self.today, rules=self.file_rules, on_error=on_error)

    def run(
        self,
        candidates: Sequence[Candidate],
        *,
        progress: Callable[[], None] | None = None,
        jobs: int | None = None,
        cache: bool = True,
        extract: Callable[[Document], object] | None = None,
        on_extract: Callable[[object], None] | None = None,
    ) -> CheckResult:
        """Check every candidate, then run the project rules.

        Files are checked in a process pool when there are enough of them (`jobs` overrides
        the size; 1 is serial) and results merge in candidate order, so the report is the same
        either way.  With `cache`, a file whose bytes are unchanged since the last run is not
        parsed again.  No Document outlives its file's check: `extract` is called with
        each parsed Document where it is parsed (a worker, too) and its results come back in
        `CheckResult.extracted`, in order: a caller gets what it needs of every doc and no
        Document is kept.  It bypasses the cache unless it is a `CachedExtract`.  `on_extract` is
        called with each of them as it arrives, in order, while later files are still being
        checked (the site feeds its search index this way).
        """
        project = Project.of(self.config, candidates)
        unique = unique_files(candidates)
        if not cache and "versions" not in self.__dict__:
            self.remember_versions = False  # a cold run is cold: the template's versions derived again
        notes = list(self.versions.notes)  # the versions are read here, once, before any worker forks
        if self.policy is not None and "_arrived" not in self.__dict__:  # and when each doc came: once
            self.__dict__["_arrived"] = self._arrivals(cache=cache and self.remember_versions)
        with contextlib.ExitStack() as scope:
            # The cache's many objects make no garbage, but would trigger collections as they
            # load and be scanned by every full one after: 0.35 s of a warm run of 10,000 docs.
            with pool.collector_paused():
                store = self._open_cache() if cache and (extract is None or _cache_tag(extract)) else None
                scope.enter_context(pool.frozen_heap())
            result = self._run(candidates, unique, project, store, progress, jobs, extract, on_extract)
        result.notes[:0] = notes
        return result

    def _run(
        self,
        candidates: Sequence[Candidate],
        unique: list[Candidate],
        project: Project,
        store: Cache | None,
        progress: Callable[[], None] | None,
        jobs: int | None,
        extract: Callable[[Document], object] | None,
        on_extract: Callable[[object], None] | None,
    ) -> CheckResult:
        found: list[Diagnostic] = []
        facts: dict[Path, DocFacts] = {}
        files = 0
        extracted: list[object] = []
        for candidate, outcome in self._outcomes(unique, project, store, jobs, extract):
            if progress is not None:
                progress()
            if outcome is None:
                continue
            files += 1
            checked, _ = outcome
            found += checked.diagnostics
            if extract is not None and checked.extra is not None:
                extracted.append(checked.extra)
                if on_extract is not None:
                    on_extract(extracted[-1])
            if checked.facts is not None:
                facts[candidate.real or real_path(candidate.path)] = checked.facts
        if store is not None:
            store.save()
        result = CheckResult(found, files, extracted=extracted)
        if facts and self.project_rules:
            self._project_phase(result, facts, project, candidates)
        found.sort(key=Diagnostic.sort_key)
        return result

    def cached_facts(self, candidates: Sequence[Candidate]) -> dict[Path, DocFacts | None]:
        """Return, by real path, the facts the check cache holds for candidates unchanged since a
        run wrote them (None: not a doc); the others are left out.  An editor opening a project
        that `check` ran on reads its docs from here instead of parsing them."""
        with pool.collector_paused():
            store = self._open_cache()
        if not store.entries:
            return {}
        found: dict[Path, DocFacts | None] = {}
        for i, hit in self._cache_hits(list(candidates), store).items():
            candidate = candidates[i]
            key = candidate.real or real_path(candidate.path)
            if hit is None:
                found[key] = None
            elif hit[0].facts is not None:
                found[key] = hit[0].facts
        return found

    def _open_cache(self) -> Cache:
        slugs = tuple(r.slug for r in self.rules)
        key = cache_module.fingerprint(
            repr(self.config),
            self.template.source,
            self.versions.fingerprint,
            self.template.name,
            self.template.schema,
            slugs,
            self.today.isoformat(),
            os.environ.get("DESIGNDOC_NO_BLOCKSCAN"),
        )
        return Cache.open(self.config.root, key, CACHED_RECORDS)

    def _outcomes(
        self,
        candidates: list[Candidate],
        project: Project,
        store: Cache | None,
        jobs: int | None,
        extract: Callable[[Document], object] | None = None,
    ) -> Iterator[tuple[Candidate, tuple[FileResult, Document | None] | None]]:
        """Yield each candidate with its outcome, in order; in a process pool when it pays.

        With a filled cache, unchanged files are answered here first (a read and a hash), so
        only the changed ones go to the workers.
        """
        hits = {} if store is None or not store.entries else self._cache_hits(candidates, store, extract)
        pending = [c for i, c in enumerate(candidates) if i not in hits]
        workers = pool.workers(len(pending), jobs)
        if workers < 2:
            for i, candidate in enumerate(candidates):
                yield candidate, hits[i] if i in hits else self._check(candidate, project, store, extract)[0]
            return
        global _POOL_STATE
        _POOL_STATE = (self, project, store, extract)  # inherited by the forked workers: nothing to pickle
        context = multiprocessing.get_context("fork")
        chunk = max(1, min(64, len(pending) // (workers * 8)))
        with (
            pool.frozen_heap(),
            concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=pool.worker_gc) as executor,
        ):
            computed = executor.map(_check_in_worker, pending, chunksize=chunk)
            for i, candidate in enumerate(candidates):
                if i in hits:
                    yield candidate, hits[i]
                    continue
                outcome, key = next(computed)
                if store is not None and key is not None and outcome is not None:
                    store.put(display(candidate.path), key, _for_cache(outcome[0], extract), _signature(candidate))
                yield candidate, outcome
        _POOL_STATE = None

    def _cache_hits(
        self, candidates: list[Candidate], store: Cache, extract: Callable[[Document], object] | None = None
    ) -> dict[int, tuple[FileResult, None] | None]:
        """Return {position: outcome} for the candidates the cache answers (None: not a doc).

        A plain file whose stat signature is the one recorded with its bytes' digest is not
        read again; any other file is read and hashed.
        """
        hits: dict[int, tuple[FileResult, None] | None] = {}
        for i, candidate in enumerate(candidates):
            shown = display(candidate.path)
            # a sidecar can change while its doc does not: then the doc's bytes are always hashed
            signature = _signature(candidate) if self.config.metadata.sidecar is None else None
            key = store.known_digest(shown, signature)
            if key is None:
                try:
                    data = self._read(candidate)
                except reading.Skip:
                    continue  # reported by the normal path
                if not candidate.named and not looks_like_doc(data, self.template.doc_type, self.template):
                    hits[i] = None
                    continue
                key = self._digest(candidate, data)
            found = store.get(shown, key, signature)
            usable = _from_cache(found, extract) if found is not None else None
            if usable is not None:
                hits[i] = (usable, None)
        return hits

    def _project_phase(
        self,
        result: CheckResult,
        facts: dict[Path, DocFacts],
        project: Project,
        candidates: Sequence[Candidate],
        rules: Sequence[Rule] | None = None,
    ) -> None:
        """Run the project rules once per doc over the run's facts; add their findings and notes."""
        paths = sorted({os.path.dirname(c.path) or "." for c in candidates})  # the docs' folders: no stat per doc
        base = self.base
        for key, fact in facts.items():
            project.know_anchors(key, fact.anchors, fact.path)
        whole = ProjectFacts(
            facts,
            resolve=project.resolve_reference,
            load=self._outside_facts,
            git=lambda: gitdates.load(paths),
            files=project,
            history=lambda: gitdates.status_history(paths, base, status_in) if base else None,
        )
        result.diagnostics += self.project_rules_on(whole, facts, rules=rules)
        result.git = whole.loaded_git
        result.notes += self._git_notes(result.git, whole.loaded_history)

    def project_rules_on(
        self,
        whole: ProjectFacts,
        keys: Iterable[Path],
        *,
        rules: Sequence[Rule] | None = None,
        on_error: Callable[[Rule, Exception], None] | None = None,
    ) -> list[Diagnostic]:
        """Run the project rules for the docs `keys` over the run's facts `whole`: the one project
        phase of `check` and of the editor, findings stamped with their configured severity and
        dropped where a disable comment says so.  `on_error` receives a rule that raised (an
        editor keeps going); without it the error propagates."""
        by_path = {f.path: f for f in whole.docs.values()}
        found: list[Diagnostic] = []
        for rule in self.project_rules if rules is None else rules:
            configured = self.config.rule(rule.slug)
            options = rule.options(**configured.options) if rule.options else None
            for key in keys:
                fact = whole.docs[key]
                context = ProjectContext(fact, key, whole, self.config, self.today, options, rule.slug)
                for d in produce(rule, context, on_error) or ():
                    suppressed = by_path.get(d.path, fact).suppressed
                    if not any(d.rule in slugs and first <= d.line <= last for first, last, slugs in suppressed):
                        found.append(dataclasses.replace(d, severity=configured.severity or rule.severity))
        return found

    def _git_notes(self, git: GitDates | None, history: gitdates.StatusHistory | None) -> list[str]:
        """Return one warning per reason a git-based rule could not run (shallow clone, --base outside git)."""
        notes = []
        if history is not None and not history.available:
            notes.append(f"--base {self.base}: {history.reason}; status-transition-illegal is off")
        rules = (("last-updated-behind-commit", git), ("status-transition-illegal", history))
        shallow = [slug for slug, loaded in rules if loaded is not None and loaded.shallow]
        if shallow:
            notes.append(f"shallow clone: {' and '.join(shallow)} off (fetch the full history: git fetch --unshallow)")
        return notes

    def _outside_facts(self, path: Path) -> DocFacts | None:
        """Read, once, a doc that a reference names but the run does not hold (None if unreadable)."""
        candidate = Candidate(path, True, None)
        try:
            data = self._read(candidate)
            text, bom = reading.decode(data)
            with reading.budget(self.config.time_budget):
                return facts_of(self.parse(text, display(path), bom=bom, at=path))
        except (reading.Skip, reading.OverBudget):
            return None

    def _check(
        self,
        candidate: Candidate,
        project: Project,
        store: Cache | None,
        extract: Callable[[Document], object] | None = None,
    ) -> tuple[tuple[FileResult, Document | None] | None, bytes | None]:
        shown = display(candidate.path)
        key = None
        try:
            data = self._read(candidate)
            if not candidate.named and not looks_like_doc(data, self.template.doc_type, self.template):
                return None, None
            if store is not None:
                key = self._digest(candidate, data)
                hit = store.get(shown, key)
                usable = _from_cache(hit, extract) if hit is not None else None
                if usable is not None:
                    return (usable, None), key
            text, bom = reading.decode(data)
            with reading.budget(self.config.time_budget):
                doc = self.parse(text, shown, bom=bom, at=candidate.path)
                diagnostics = self.lint(doc)
                facts = facts_of(doc, _suppressions(doc)) if self.project_rules else None
        except reading.Skip as skip:
            severity = (
                Severity.ERROR if candidate.named or skip.doc or skip.rule != "file-skipped" else Severity.WARNING
            )
            return (FileResult((self._diagnostic(shown, skip, severity),), None), None), None
        except reading.OverBudget:
            reason = f"over the time budget of {self.config.time_budget:g} s, not checked"
            return (FileResult((self._diagnostic(shown, reading.Skip(reason), Severity.ERROR),), None), None), None
        result = FileResult(tuple(diagnostics), facts, extract(doc) if extract is not None else None)
        if store is not None and key is not None:
            store.put(shown, key, _for_cache(result, extract), _signature(candidate))
        return (result, doc), key

    def parse(self, text: str, shown: str, *, bom: bool = False, at: Path | None = None) -> Document:
        """Parse a doc's text with this run's template and process, its sidecar read from beside
        `at` (the doc's path; default: `shown`)."""
        spec = self.config.metadata
        sidecar = None
        if spec.sidecar is not None:
            sidecar, _ = read_sidecar(at or Path(shown), spec.sidecar, self.config.root)
        policy = self.policy
        template = policy.versions.current.template if policy is not None else self.template
        return document_module.parse(text, shown, template, bom=bom, spec=spec, sidecar=sidecar, policy=policy)

    def _digest(self, candidate: Candidate, data: bytes) -> bytes:
        """Return the cache key of a doc's bytes: with its sidecar's bytes, when its process has one."""
        if self.config.metadata.sidecar is None:
            return cache_module.digest(data)
        sidecar, extra = read_sidecar(candidate.path, self.config.metadata.sidecar, self.config.root)
        return cache_module.digest(b"%b\0%b\0%b" % (data, extra, (sidecar.problem or "").encode()))

    def _diagnostic(self, shown: str, skip: reading.Skip, severity: Severity) -> Diagnostic:
        """Return the one diagnostic of a file that was not read, made by its reading rule."""
        reader = by_slug(skip.rule)
        assert reader is not None and reader.phase == "reading", skip.rule
        stamped = self.config.rule(skip.rule).severity or severity
        return next(iter(reader.check(ReadingContext(shown, skip.reason, skip.line, skip.column, stamped, skip.rule))))

    def _read(self, candidate: Candidate) -> bytes:
        return reading.read(candidate, max_size=self.config.max_file_size, template=self.template)


def _suppressions(doc: Document) -> tuple[tuple[int, int, frozenset[str]], ...]:
    return tuple(suppressions(doc)) if "designdoc-disable" in doc.text else ()
