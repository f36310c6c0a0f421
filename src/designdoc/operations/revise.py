"""The lifecycle operations that rewrite a doc: `status` and `bump`.

Each one reads what it changes once, computes the whole new text first (as
exact-span edits), judges the result where a gate applies, and only then
writes, through `writer` (atomic, mode kept, refused when the file changed
underneath).  A refusal raises before anything is written.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from designdoc.check.runner import Checker
from designdoc.edit.apply import apply_edits
from designdoc.edit.edits import add_list_item, set_footer, set_scalar, yaml_file, yaml_file_edits
from designdoc.edit.scalars import yaml_scalar
from designdoc.files import writer
from designdoc.files.discovery import display
from designdoc.files.sidecar import read_sidecar
from designdoc.model.diagnostics import Diagnostic, Edit, Severity
from designdoc.model.errors import LifecycleError, UsageError, WriteError
from designdoc.model.fields import parse_version, read_date
from designdoc.model.metadata import PROSE_SOURCES, Sidecar
from designdoc.model.text import decode, did_you_mean, encode
from designdoc.parse import document as document_module
from designdoc.parse.document import Document
from designdoc.parse.template import Template
from designdoc.rules.facts import reference_to
from designdoc.rules.metadata import filled

PARTS = ("major", "minor", "patch")


@dataclass(frozen=True)
class Loaded:
    """A document read for writing: the bytes read and the parsed text."""

    snapshot: writer.Snapshot
    doc: Document

    def encode(self, text: str) -> bytes:
        """Return new text as bytes, with the BOM kept if the file had one."""
        return encode(text, self.doc.bom)


def load(path: Path, template: Template) -> Loaded:
    """Read and parse a document for an operation; errors name the file."""
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    snap, text, bom = _snapshot(path)
    doc = document_module.parse(text, display(path), template, bom=bom)
    if doc.frontmatter is None:
        raise LifecycleError(f"{path}: has no front matter, so it is no design doc this command can change")
    if doc.frontmatter.fatal:
        raise LifecycleError(f"{path}: the front matter cannot be read; run 'designdoc check {path}'")
    return Loaded(snap, doc)


def _errors(checker: Checker, doc: Document) -> list[Diagnostic]:
    return [d for d in checker.lint(doc) if d.severity >= Severity.ERROR]


def _stamp(doc: Document, today: dt.date, *, keep_note: bool) -> list:
    """Edits that set last_updated and the footer to today."""
    return set_scalar(doc, "last_updated", today.isoformat()) + set_footer(doc, today.isoformat(), keep_note=keep_note)


@dataclass(frozen=True)
class Moved:
    """What a status move wrote: the paths (empty when the doc already had that status), and a raised version."""

    written: list[str]
    version: tuple[str, str] | None = None  # (before, after) when the move raised the version to 1.0.0
    planned: tuple[tuple[Path, bytes], ...] = ()  # with `plan_only`: each file and the bytes it would get


def _done(changes: list, raised: tuple[str, str] | None, plan_only: bool) -> Moved:
    """Write every change (all or none), or only say what each file would become."""
    if plan_only:
        planned = tuple((snap.path, data) for snap, data in changes if data != snap.data)
        return Moved([str(p) for p, _ in planned], raised, planned)
    return Moved([str(p) for p in writer.write_all(changes)], raised)


def change_status(path: Path, new: str, by: list[Path], checker: Checker, *, plan_only: bool = False) -> Moved:
    """Move a doc to status `new` (and name it in each successor for `superseded`).

    Returns what was written (nothing when the doc already has that status).
    Raises UsageError for an unknown status or a misused `--by`, and
    LifecycleError (nothing written) for an illegal move or a failed gate.
    """
    lifecycle = checker.config.lifecycle
    names = lifecycle.names
    if new not in names:
        raise UsageError(f"unknown status {new!r} (expected one of: {', '.join(names)}){did_you_mean(new, names)}")
    if not checker.config.metadata.builtin:
        return _move_in_place(path, new, by, checker, plan_only)
    if new == lifecycle.superseded and not by:
        raise UsageError(f"status {new!r} needs --by DOC naming the successor")
    if by and new != lifecycle.superseded:
        raise UsageError(
            f"--by goes with the status {lifecycle.superseded!r} only"
            if lifecycle.superseded
            else "--by: this lifecycle has no status that names a successor"
        )
    loaded = load(path, checker.template)
    doc = loaded.doc
    current = doc.field_text("status")
    if current == new:
        return Moved([])
    if current not in names:
        raise LifecycleError(f"{path}: the current status {current!r} is not a lifecycle status; fix it first")
    if not lifecycle.allowed(current, new):
        raise LifecycleError(
            f"{path}: cannot move from {current!r} to {new!r} (allowed: {lifecycle.legal_moves(current)})"
        )
    successors = [_successor(p, checker) for p in by]
    edits = set_scalar(doc, "status", new) + _stamp(doc, checker.today, keep_note=new in lifecycle.draft_note)
    version = parse_version(doc.field_text("version"))
    least = lifecycle.gate(new).min_version
    raised = None
    if least is not None and version is not None and version.compare(least) < 0:
        edits += set_scalar(doc, "version", least)
        raised = (str(version), least)
    for successor in successors:
        edits += _reference_edits(doc, "superseded_by", successor.doc, path)
    text = apply_edits(doc.text, edits)
    future = document_module.parse(text, doc.path, checker.template, bom=doc.bom)
    if lifecycle.gate(new).no_errors:
        _gate(path, new, future, checker)
    changes = [(loaded.snapshot, loaded.encode(text))]
    for successor, successor_path in zip(successors, by, strict=True):
        extra = _reference_edits(successor.doc, "supersedes", doc, successor_path, other_path=path)
        if extra:
            changes.append((successor.snapshot, successor.encode(apply_edits(successor.doc.text, extra))))
    return _done(changes, raised, plan_only)


def _move_in_place(path: Path, new: str, by: list[Path], checker: Checker, plan_only: bool = False) -> Moved:
    """Move a doc of a team's process: rewrite its status where the process keeps it (a sidecar
    line, a front-matter line, a list item, the status section's line) and its updated date, if
    it has one; every other byte of every file stays as it was."""
    lifecycle = checker.config.lifecycle
    if by and new != lifecycle.superseded:
        raise UsageError(
            f"--by goes with the status {lifecycle.superseded!r} only"
            if lifecycle.superseded
            else "--by: this lifecycle has no status that names a successor"
        )
    doc, snapshots = _load_with_sidecar(path, checker)
    value = doc.role("status")
    if value is None or not value.text.strip():
        fields = " or ".join(repr(n) for n in doc.spec.fields_of("status")) or "no field"
        raise LifecycleError(f"{path}: states no status ({fields}); write one first")
    current = doc.status(lifecycle)
    if current == new:
        return Moved([])
    if current is None:
        raise LifecycleError(
            f"{value.file}:{value.line}: the status {value.text!r} is not a lifecycle status; fix it first"
        )
    if not lifecycle.allowed(current, new):
        raise LifecycleError(
            f"{path}: cannot move from {current!r} to {new!r} (allowed: {lifecycle.legal_moves(current)})"
        )
    if not value.editable:
        raise LifecycleError(f"{value.file}:{value.line}: the status is not one value on one line; change it by hand")
    status = lifecycle.status(new)
    written = status.label if value.source in PROSE_SOURCES and status is not None else new
    successors = [_load_with_sidecar(p, checker) for p in by]
    for successor, successor_path in zip(successors, by, strict=True):
        if successor[0].status(lifecycle) in (None, lifecycle.initial):
            raise LifecycleError(f"{successor_path}: the successor is still {lifecycle.initial!r}; move it on first")
    edits: dict[str, list[Edit]] = {}
    named = [_name_in(doc, "superseded_by", reference_to(p, path), snapshots) for p in by]
    if by and not all(named):  # no field for it: the status names the successor, as ADRs write it
        successor_doc, successor_path = successors[0][0], by[0]
        ref = reference_to(successor_path, path)
        if value.source in PROSE_SOURCES:
            title = successor_doc.role("title")
            link = Path(os.path.relpath(successor_path, path.parent)).as_posix()
            written = f"{written} by [{title.text if title else ref}]({link})"
        else:
            written = f"{new} by {ref}"
        named = []
    for found in named:
        for file, more in found.items():
            edits.setdefault(file, []).extend(more)
    scalar = written if value.source in PROSE_SOURCES else yaml_scalar(written, value.style)
    edits.setdefault(value.file, []).append(Edit(value.start, value.end, scalar))
    _stamp_updated(doc, checker.today, edits)
    texts = {file: apply_edits(snapshots[file][1], changes) for file, changes in edits.items()}
    for (successor_doc, successor_files), successor_path in zip(successors, by, strict=True):
        back = _name_in(successor_doc, "supersedes", reference_to(path, successor_path), successor_files)
        for file, more in (back or {}).items():
            snapshots.setdefault(file, successor_files[file])
            texts[file] = apply_edits(successor_files[file][1], more)
    sidecar = doc.sidecar
    if sidecar is not None and sidecar.path in texts:
        sidecar = Sidecar(sidecar.path, texts[sidecar.path])
    future = document_module.parse(
        texts.get(doc.path, doc.text), doc.path, doc.template, bom=doc.bom, spec=doc.spec, sidecar=sidecar
    )
    gate = lifecycle.gate(new)
    for role in gate.fields:
        if not any(filled(v) for v in future.spec.every(future.metadata, role)):
            raise LifecycleError(f"{path}: cannot move to {new!r}: no {role} named (its gate asks for them)")
    if gate.no_errors:
        _gate(path, new, future, checker)
    changes = [(snapshots[file][0], encode(text, snapshots[file][2])) for file, text in texts.items()]
    return _done(changes, None, plan_only)


def _stamp_updated(doc: Document, today: dt.date, edits: dict[str, list[Edit]]) -> None:
    """Add the edit setting the doc's `updated` date to today, when it has a dated one."""
    updated = doc.role("updated")
    if updated is not None and updated.editable and read_date(updated.text) is not None:
        edits.setdefault(updated.file, []).append(Edit(updated.start, updated.end, today.isoformat()))


def _name_in(
    doc: Document, role: str, ref: str, files: dict[str, tuple[writer.Snapshot, str, bool]]
) -> dict[str, list[Edit]] | None:
    """Return the edits adding `ref` to the YAML list that holds `role` (front matter or sidecar;
    the role's first field is added when the doc has none yet), none when it is named already,
    None when the doc keeps no YAML to write it in."""
    spec = doc.spec
    value = next((v for v in spec.every(doc.metadata, role) if v.source in ("frontmatter", "sidecar")), None)
    if value is not None:
        if ref in value.items or ref.removesuffix(".md") in (i.removesuffix(".md") for i in value.items):
            return {}
        source, file, key = value.source, value.file, value.key
    elif spec.fields_of(role) and "sidecar" in spec.sources and doc.metadata.sidecar in files:
        source, file, key = "sidecar", doc.metadata.sidecar, spec.fields_of(role)[0]
    elif spec.fields_of(role) and "frontmatter" in spec.sources and doc.frontmatter and not doc.frontmatter.fatal:
        source, file, key = "frontmatter", doc.path, spec.fields_of(role)[0]
    else:
        return None
    if source == "frontmatter":
        return {file: add_list_item(doc, key, ref)}
    text = files[file][1]
    return {file: yaml_file_edits(text, add_list_item(yaml_file(text, file), key, ref))}


def _load_with_sidecar(path: Path, checker: Checker) -> tuple[Document, dict[str, tuple[writer.Snapshot, str, bool]]]:
    """Read a doc and its sidecar for writing: the parsed doc, and each file's snapshot, text and BOM."""
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    files: dict[str, tuple[writer.Snapshot, str, bool]] = {}
    spec = checker.config.metadata
    sidecar = None
    if spec.sidecar is not None:
        sidecar, _ = read_sidecar(path, spec.sidecar, checker.config.root)
        if sidecar.text is None:
            raise LifecycleError(f"{sidecar.path}: {sidecar.problem}")
        files[sidecar.path] = _snapshot(Path(sidecar.path))
        sidecar = Sidecar(sidecar.path, files[sidecar.path][1])
    shown = display(path)
    files[shown] = _snapshot(path)
    _, text, bom = files[shown]
    doc = document_module.parse(text, shown, checker.template, bom=bom, spec=spec, sidecar=sidecar)
    return doc, files


def _snapshot(path: Path) -> tuple[writer.Snapshot, str, bool]:
    try:
        snap = writer.snapshot(path)
    except WriteError as error:
        raise UsageError(str(error)) from None
    try:
        text, bom = decode(snap.data)
    except UnicodeDecodeError:
        raise LifecycleError(f"{path}: not valid UTF-8; run 'designdoc check {path}'") from None
    return snap, text, bom


def _successor(path: Path, checker: Checker) -> Loaded:
    if not path.exists():
        raise LifecycleError(f"{path}: the successor does not exist")
    loaded = load(path, checker.template)
    status = loaded.doc.field_text("status")
    if checker.template.doc_type and loaded.doc.field_text("doc_type") != checker.template.doc_type:
        raise LifecycleError(
            f"{path}: the successor is not a design doc (doc_type is not {checker.template.doc_type!r})"
        )
    if status is None or status == checker.config.lifecycle.initial:
        raise LifecycleError(f"{path}: the successor is still a draft; move it to review first")
    return loaded


def _reference_edits(
    doc: Document, key: str, other: Document, doc_path: Path, *, other_path: Path | None = None
) -> list:
    """Edits adding a reference to `other` under `key`, unless it is already there."""
    target = Path(other_path or other.path)
    ref = reference_to(target, doc_path)
    item = doc.frontmatter.fields.get(key)
    if item is not None:
        names = {str(n.value).removesuffix(".md") for n in item.node.items() if n.value is not None}
        if ref.removesuffix(".md") in names or target.stem in names:
            return []
    return add_list_item(doc, key, ref)


def _gate(path: Path, new: str, future: Document, checker: Checker) -> None:
    blocking = _errors(checker, future)
    if blocking:
        lines = "\n".join(f"  {d.path}:{d.line}:{d.column}: [{d.rule}] {d.message}" for d in blocking)
        raise LifecycleError(
            f"{path}: cannot move to {new!r}: {len(blocking)} "
            f"error{'s' if len(blocking) != 1 else ''} would remain\n{lines}"
        )


def bump(path: Path, part: str, checker: Checker) -> str:
    """Bump the doc's semantic version (`part`: major, minor, patch); return the new version."""
    bumped, changes = _bump_changes(path, part, checker)
    writer.write_all(changes)
    return bumped


def plan_bump(path: Path, part: str, checker: Checker) -> tuple[str, tuple[tuple[Path, bytes], ...]]:
    """Return what `bump` would do, writing nothing: the new version, and each file with the bytes it would get."""
    bumped, changes = _bump_changes(path, part, checker)
    return bumped, tuple((snap.path, data) for snap, data in changes if data != snap.data)


def _bump_changes(path: Path, part: str, checker: Checker) -> tuple[str, list[tuple[writer.Snapshot, bytes]]]:
    if part not in PARTS:
        raise UsageError(f"unknown version part {part!r} (expected major, minor or patch)")
    if not checker.config.metadata.builtin:
        return _bump_in_place(path, part, checker)
    loaded = load(path, checker.template)
    doc = loaded.doc
    version = parse_version(doc.field_text("version"))
    if version is None:
        raise LifecycleError(f"{path}: version {doc.field_text('version')!r} is not a semantic version; fix it first")
    bumped = str(getattr(version, f"bump_{part}")().replace(prerelease=None, build=None))
    status = doc.field_text("status")
    edits = set_scalar(doc, "version", bumped) + _stamp(
        doc, checker.today, keep_note=status in checker.config.lifecycle.draft_note
    )
    return bumped, [(loaded.snapshot, loaded.encode(apply_edits(doc.text, edits)))]


def _bump_in_place(path: Path, part: str, checker: Checker) -> tuple[str, list[tuple[writer.Snapshot, bytes]]]:
    """Bump the `version` field of a doc of a team's process where it is written (and its updated date)."""
    doc, snapshots = _load_with_sidecar(path, checker)
    value = doc.metadata.fields.get("version")
    if value is None:
        raise LifecycleError(f"{path}: has no version field to bump")
    version = parse_version(value.text)
    if version is None or not value.editable:
        raise LifecycleError(
            f"{value.file}:{value.line}: version {value.text!r} is not a semantic version; fix it first"
        )
    bumped = str(getattr(version, f"bump_{part}")().replace(prerelease=None, build=None))
    edits = {
        value.file: [
            Edit(value.start, value.end, bumped if value.source in PROSE_SOURCES else yaml_scalar(bumped, value.style))
        ]
    }
    _stamp_updated(doc, checker.today, edits)
    changes = [
        (snapshots[file][0], encode(apply_edits(snapshots[file][1], more), snapshots[file][2]))
        for file, more in edits.items()
    ]
    return bumped, changes
