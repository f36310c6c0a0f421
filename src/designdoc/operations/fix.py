"""`check --fix` and `--diff` over files: check, fix each doc in rounds, write atomically, check again.

The rounds themselves are `edit.rounds.fix_text` (pure); this module reads the docs
again, applies the cross-document fixes first, writes through `files.writer` and
reports what it did, with the check's own warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from designdoc.check.extracts import TextHashes
from designdoc.check.runner import Checker
from designdoc.edit.apply import apply_edits
from designdoc.edit.diff import unified_diff
from designdoc.edit.rounds import FixOutcome, fix_text
from designdoc.files import writer
from designdoc.model.diagnostics import Diagnostic
from designdoc.model.errors import WriteError
from designdoc.model.text import decode, encode, text_hash
from designdoc.parse.document import Document


@dataclass
class FixRun:
    """What `check --fix` / `--diff` did across files."""

    diagnostics: list[Diagnostic]
    files: int
    diff: str = ""
    written: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the check's warnings about the run itself (shallow clone)


def fix_files(
    checker,
    candidates,
    *,
    write: bool,
    diff: bool,
    jobs: int | None = None,
    cache: bool = True,
    progress=None,
) -> FixRun:
    """Check every candidate and fix what can be fixed (writing only when `write`).

    Per-file fixes run in rounds on each doc; a cross-document fix (the missing side of a
    supersede relation) edits the other doc first, whose own fixes then run on the result.
    After writing, the tree is checked again, so the report says what the files now hold.
    """
    from designdoc.rules import in_phase
    from designdoc.rules.facts import cross_file_edits

    result = checker.run(candidates, extract=TextHashes(), jobs=jobs, cache=cache, progress=progress)
    checked: dict[str, str] = dict(result.extracted)
    cross = cross_file_edits(d for d in result.diagnostics if in_phase(d.rule, "project"))
    own = {d.path for d in result.diagnostics if d.fix and d.path in checked and not in_phase(d.rule, "project")}
    targets = sorted(own | set(cross))
    if not targets:
        return FixRun(result.diagnostics, result.files, notes=result.notes)
    run = FixRun(result.diagnostics, result.files, notes=result.notes)
    chunks = []
    for path in targets:
        doc = _read(path, checker)
        if doc is None:
            continue
        if path in checked and text_hash(doc.text) != checked[path]:
            run.errors.append(f"{path}: changed while it was being checked; not fixed (run again)")
            continue
        outcome = fix_text(
            apply_edits(doc.text, cross.get(path, ())),
            path,
            template=checker.template,
            bom=doc.bom,
            lint_doc=checker.lint,
            parse=doc.reparsed,
        )
        _note_refusals(path, outcome, run)
        if outcome.text == doc.text:
            continue
        if diff:
            chunks.append(unified_diff(path, doc.text, outcome.text))
        if write:
            _write(Path(path), doc, outcome.text, run)
    if run.written:  # report what the files hold now, cross-document findings included
        run.diagnostics = checker.run(candidates, jobs=jobs, cache=cache).diagnostics
    run.diff = "".join(chunks)
    return run


def _read(path: str, checker: Checker) -> Document | None:
    """Parse a doc to fix (read again after the check); None when it can no longer be read."""
    try:
        text, bom = decode(Path(path).read_bytes())
    except (OSError, UnicodeDecodeError):
        return None
    return checker.parse(text, path, bom=bom)


def _note_refusals(path: str, outcome: FixOutcome, run: FixRun) -> None:
    for dropped in outcome.dropped:
        run.errors.append(
            f"{path}:{dropped.line}: fix for [{dropped.rule}] not applied: it would break the "
            "front matter (please report this)"
        )
    run.errors += [f"{path}:{line}: {why}" for line, why in outcome.held]


def _write(path: Path, doc: Document, text: str, run: FixRun) -> bool:
    """Write the fixed text; return False (with the reason in `run.errors`) when refused."""
    data = encode(text, doc.bom)
    try:
        snap = writer.snapshot(path)
        if snap.data != encode(doc.text, doc.bom):
            raise WriteError(f"{path}: changed on disk since it was read, not written")
        if len(text) < len(doc.text) // 2:
            raise WriteError(f"{path}: the fixes would remove over half of the file, not written (please report this)")
        if writer.write_atomic(snap, data):
            run.written.append(str(path))
    except WriteError as error:
        run.errors.append(str(error))
        return False
    return True
