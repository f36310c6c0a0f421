"""The catalog: every doc of a tree with its status, owners, tags, age, findings and relations.

A catalog is loaded once: one check run (`Checker.run(extract=…)`) gives each doc's
entry, made where the doc is parsed, and the run's diagnostics; one `git log` gives the
last commit dates.  A doc whose front matter is broken is still listed, with what could
be read and its error count.
Its renderings (JSON, CSV, table, the Markdown index, Mermaid, DOT) are in `render`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from designdoc.check import git as gitdates
from designdoc.check.git import GitDates
from designdoc.check.runner import Checker, CheckResult
from designdoc.check.workspace import Project
from designdoc.files.discovery import Candidate, discover, display
from designdoc.model import lifecycle as lifecycle_module
from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.model.fields import parse_date, parse_version, read_date
from designdoc.model.lifecycle import Lifecycle
from designdoc.model.metadata import PROSE_SOURCES, Value
from designdoc.model.settings import Config
from designdoc.parse.document import Document
from designdoc.parse.inline import links_in, plain_text
from designdoc.parse.template import Template

FIELDS = (
    "path",
    "title",
    "status",
    "version",
    "owners",
    "last_updated",
    "age_days",
    "tags",
    "errors",
    "warnings",
    "last_commit",
)
NO_STATUS = "No valid status"


@dataclass(frozen=True, slots=True)
class Entry:
    """One doc of the catalog.  Unreadable values are None (or empty tuples)."""

    path: str
    title: str | None
    status: str | None
    version: str | None
    owners: tuple[str, ...]
    last_updated: str | None  # the field's text, as written
    age_days: int | None  # days since last_updated (a valid date only)
    tags: tuple[str, ...]
    errors: int
    warnings: int
    last_commit: str | None  # YYYY-MM-DD of the last commit touching the doc
    supersedes: tuple[str, ...] = ()  # paths of the docs it names, as resolved
    superseded_by: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # paths of the docs of the catalog its body links to
    created: str | None = None  # the created role's text, as written
    status_raw: str | None = None  # the status as written (`Implemented (Swift 5.5)`)
    fields: tuple[tuple[str, str | tuple[str, ...]], ...] = ()  # the process's extra fields, as written
    sidecar: str | None = None  # the sidecar its metadata was read from: its findings count as the doc's
    template_version: str | None = None  # the id of the template version it follows (one version: None)
    template_outdated: bool = False  # that version is not the current one

    def row(self) -> dict[str, object]:
        """Return the entry as a JSON object with the keys of `FIELDS`."""
        return {
            name: list(value) if isinstance(value, tuple) else value
            for name in FIELDS
            for value in (getattr(self, name),)
        }

    def record(self) -> dict[str, object]:
        """Return the entry as `list --format json` shows it: `row()`, and `created`, `status_raw`,
        the extra fields by name, and the template version it follows."""
        extra = {name: list(value) if isinstance(value, tuple) else value for name, value in self.fields}
        return {
            **self.row(),
            "created": self.created,
            "status_raw": self.status_raw,
            "fields": extra,
            "template_version": self.template_version,
            "template_outdated": self.template_outdated,
        }


@dataclass(frozen=True, slots=True)
class Edge:
    """A relation of the graph: `source` supersedes or links to `target`."""

    source: str
    target: str
    kind: str  # "supersedes" | "links"


@dataclass(frozen=True)
class Catalog:
    """The entries of a tree, sorted by path, and what is known about their git dates."""

    entries: tuple[Entry, ...]
    git: GitDates
    lifecycle: Lifecycle = lifecycle_module.DESIGN_DOC

    @property
    def statuses(self) -> tuple[str, ...]:
        """Return the lifecycle's statuses, in order."""
        return self.lifecycle.names

    def select(
        self,
        *,
        statuses: Sequence[str] = (),
        owner: str | None = None,
        tag: str | None = None,
        stale: int | None = None,
        outdated: bool = False,
    ) -> list[Entry]:
        """Return the entries matching every given filter (statuses: any of them; `outdated`: those
        following an older template version)."""
        found = []
        for entry in self.entries:
            if outdated and not entry.template_outdated:
                continue
            if statuses and entry.status not in statuses:
                continue
            if owner is not None and not any(_same_owner(o, owner) for o in entry.owners):
                continue
            if tag is not None and tag.casefold() not in (t.casefold() for t in entry.tags):
                continue
            if stale is not None and (entry.age_days is None or entry.age_days <= stale):
                continue
            found.append(entry)
        return found

    def sort(self, entries: Iterable[Entry], field: str = "path") -> list[Entry]:
        """Return `entries` ordered by one field (statuses in lifecycle order; blanks last)."""
        if field not in FIELDS:
            raise ValueError(f"unknown field {field!r}")

        def key(entry: Entry) -> tuple:
            value = getattr(entry, field)
            if field == "status":
                value = self.lifecycle.rank(value) if value is not None else None
            elif field == "version":
                value = _version_key(value)
            elif isinstance(value, tuple):
                value = ", ".join(value).casefold() or None
            elif isinstance(value, str):
                value = value.casefold()
            return (value is None, value if value is not None else 0, entry.path)

        return sorted(entries, key=key)

    def edges(self) -> list[Edge]:
        """Return the supersede relations (stated on either side) and doc-to-doc links, sorted."""
        found: set[Edge] = set()
        for entry in self.entries:
            found.update(Edge(entry.path, other, "supersedes") for other in entry.supersedes)
            found.update(Edge(other, entry.path, "supersedes") for other in entry.superseded_by)
            found.update(Edge(entry.path, other, "links") for other in entry.links)
        paths = {entry.path for entry in self.entries}  # a doc outside the catalog is no node
        return sorted(
            (e for e in found if e.source in paths and e.target in paths), key=lambda e: (e.source, e.target, e.kind)
        )


def load(targets: Sequence[str], *, config: Config, template: Template, today: dt.date | None = None) -> Catalog:
    """Check the docs under `targets` once and return their catalog.

    Each doc's entry is made where the doc is parsed (in the check's workers, too), so no
    Document is kept: memory stays flat however large the tree.
    """
    candidates, _ = discover(targets, config)
    checker = Checker(config, template, today_=today)
    project = Project.of(config, candidates)
    result = checker.run(
        candidates, extract=lambda doc: entry_of(doc, checker.today, project, config.root, config.lifecycle)
    )
    return finish(list(result.extracted), result, candidates, config)


def finish(entries: list[Entry], result: CheckResult, candidates: Sequence[Candidate], config: Config) -> Catalog:
    """Return the catalog of a run's entries, adding what only the whole run knows and sorting.

    The whole run knows each doc's findings, its commit date and which of its links name
    docs of the catalog.  The site makes its entries with `entry_of` in its own extract.
    """
    git = result.git if result.git is not None else gitdates.load(c.path for c in candidates)
    counts = _counts(result.diagnostics)
    paths = {entry.path for entry in entries}
    finished = []
    for entry in entries:
        errors, warnings = counts.get(entry.path, (0, 0))
        if entry.sidecar is not None:
            more = counts.get(entry.sidecar, (0, 0))
            errors, warnings = errors + more[0], warnings + more[1]
        committed = git.last_commit(entry.path)
        finished.append(
            dataclasses.replace(
                entry,
                errors=errors,
                warnings=warnings,
                last_commit=committed.isoformat() if committed else None,
                links=tuple(link for link in entry.links if link in paths),
            )
        )
    finished += [_unread(path, counts) for path in sorted(_unreadable(result.diagnostics, paths))]
    return Catalog(tuple(sorted(finished, key=lambda e: e.path)), git, config.lifecycle)


def _counts(diagnostics: Iterable[Diagnostic]) -> dict[str, tuple[int, int]]:
    counts: dict[str, tuple[int, int]] = {}
    for d in diagnostics:
        errors, warnings = counts.get(d.path, (0, 0))
        counts[d.path] = (errors + (d.severity == Severity.ERROR), warnings + (d.severity == Severity.WARNING))
    return counts


def _unreadable(diagnostics: Iterable[Diagnostic], parsed: set[str]) -> set[str]:
    """Return the docs that could not be parsed at all (unreadable, not UTF-8, over a limit)."""
    return {
        d.path
        for d in diagnostics
        if d.path not in parsed and d.severity == Severity.ERROR and d.rule in ("file-skipped", "encoding-invalid")
    }


def _unread(path: str, counts: dict[str, tuple[int, int]]) -> Entry:
    errors, warnings = counts.get(path, (0, 0))
    return Entry(path, None, None, None, (), None, None, (), errors, warnings, None)


def entry_of(doc: Document, today: dt.date, project: Project, root: Path | None, lifecycle: Lifecycle) -> Entry:
    """Return a doc's entry from its metadata (wherever its process keeps it), read even when a
    problem was found in it.

    Findings, the commit date and which links name docs of the catalog are filled in by `finish`.
    """
    updated = _text(doc, "updated")
    date = read_date(updated) if not doc.spec.builtin else parse_date(updated)
    title = _text(doc, "title")
    if title is None and doc.title_heading is not None:
        title = plain_text(doc.title_heading.text) or None
    raw = _text(doc, "status")
    status = doc.status(lifecycle)
    supersedes, superseded_by = written_references(doc, lifecycle)
    version = doc.metadata.fields.get("version")
    return Entry(
        doc.path,
        title,
        status or raw,
        version.text.strip() or None if version is not None and version.items else None,
        _people(doc, "owners"),
        updated,
        (today - date).days if date else None,
        _people(doc, "tags"),
        0,
        0,
        None,
        resolve_references(doc.path, supersedes, project),
        resolve_references(doc.path, superseded_by, project),
        _links(doc, root),
        _text(doc, "created"),
        raw,
        _extra(doc),
        doc.metadata.sidecar,
        doc.choice.version.id if doc.choice is not None else None,
        doc.choice is not None and doc.policy is not None and doc.choice.version is not doc.policy.versions.current,
    )


def _text(doc: Document, role: str) -> str | None:
    value = doc.role(role)
    if value is None or not value.items or value.source in ("frontmatter", "sidecar") and not value.text:
        return None  # absent, empty, or a list where one value belongs
    return value.text.strip() or None


def _people(doc: Document, role: str) -> tuple[str, ...]:
    """Return the names every field of a list role holds, in order, each once."""
    split = not doc.spec.builtin
    found = [name for value in doc.spec.every(doc.metadata, role) for name in people(value, split=split)]
    return tuple(dict.fromkeys(found))


def people(value: Value | None, *, split: bool = True) -> tuple[str, ...]:
    """Return the names a list role holds: a YAML list's items, or a single value split at
    commas (`decision-makers: Ana, Bo`; not `split`: the built-in schema, where that is one value)."""
    if value is None:
        return ()
    if split and value.source in ("frontmatter", "sidecar") and len(value.items) == 1 and "," in value.items[0]:
        return tuple(part.strip() for part in value.items[0].split(",") if part.strip())
    return value.items


def _extra(doc: Document) -> tuple[tuple[str, str | tuple[str, ...]], ...]:
    found = []
    for name in doc.spec.extra:
        value = doc.metadata.fields.get(name)
        if value is not None and value.items:
            found.append((name, value.text.strip() if value.text else value.items))
    return tuple(found)


def written_references(doc: Document, lifecycle: Lifecycle) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return a doc's `supersedes` and `superseded_by` references as written (before resolving).

    A status written in prose that names its successor (`Superseded by [3. …](0003-….md)`)
    names it for `superseded_by` when the doc has no field for it.
    """
    supersedes = _references_in(doc.role("supersedes"))
    superseded_by = _references_in(doc.role("superseded_by"))
    status = doc.role("status")
    if not superseded_by and status is not None and status.source in PROSE_SOURCES:
        if lifecycle.superseded is not None and doc.status(lifecycle) == lifecycle.superseded:
            superseded_by = tuple(link.target for link in links_in(status.raw, status.line))
    return supersedes, superseded_by


def _references_in(value: Value | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if value.source in PROSE_SOURCES:  # `[SE-0001](0001-….md)`: the link's target is the reference
        targets = tuple(link.target for link in links_in(value.raw, value.line))
        return targets or value.items
    return value.items


def resolve_references(path: str, refs: Sequence[str], project: Project) -> tuple[str, ...]:
    """Return the paths of the docs that references written in the doc at `path` name (unresolved ones left out)."""
    found = []
    for ref in refs:
        target = project.resolve_reference(path, ref)
        if target is not None:
            found.append(display(Path(os.path.normpath(target))))
    return tuple(dict.fromkeys(found))


def _links(doc: Document, root: Path | None) -> tuple[str, ...]:
    """Return the Markdown files the body links to (relative or root-relative links), itself left out."""
    found = []
    for link in doc.links:
        target = unquote(link.target.split("#", 1)[0].split("?", 1)[0])
        if not target or ":" in target.split("/", 1)[0] or target.startswith("//"):
            continue
        if target.startswith("/"):
            if root is None:
                continue
            shown = display(Path(os.path.normpath(root / target.lstrip("/"))))
        else:
            shown = Path(os.path.normpath(os.path.join(os.path.dirname(doc.path), target))).as_posix()
        if shown != doc.path:
            found.append(shown)
    return tuple(sorted(set(found)))


def _same_owner(owner: str, wanted: str) -> bool:
    text = owner.strip().casefold()
    email = text[text.find("<") + 1 : text.rfind(">")] if "<" in text and text.endswith(">") else text
    return wanted.strip().casefold() in (text, email)


def _version_key(value: str | None) -> object:
    version = parse_version(value)
    return (0, version) if version is not None else (1, value) if value is not None else None


# --------------------------------------------------------------------------- list formats


# --------------------------------------------------------------------------- the Markdown index


# --------------------------------------------------------------------------- the graph
