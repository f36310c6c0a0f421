"""Apply fixes: exact-span edits in rounds until nothing changes, then write safely.

A round lints the text, takes every fix whose edits do not overlap an earlier
fix's (the rest wait for the next round), applies them from the end backwards
and parses the result again.  A round that would add a front-matter problem is
retried fix by fix and the culprit is dropped and reported: a fix must never
make a document worse.  At most `MAX_ROUNDS` rounds run.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import document as document_module
from . import writer
from .diagnostics import Diagnostic, Edit, Fix
from .document import Document
from .errors import WriteError
from .linter import lint

MAX_ROUNDS = 10


@dataclass
class FixOutcome:
    """The fixed text, what is left, and fixes that were refused."""

    text: str
    remaining: list[Diagnostic]
    applied: int = 0
    dropped: list[Diagnostic] = field(default_factory=list)


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Return `text` with non-overlapping edits applied (from the end backwards)."""
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:edit.start] + edit.text + text[edit.end:]
    return text


def choose(fixes: Sequence[Fix]) -> list[Fix]:
    """Return the fixes of one round: each fix whose edits overlap no earlier chosen fix."""
    taken: list[tuple[int, int]] = []
    chosen = []
    for fix in fixes:
        spans = [(e.start, e.end) for e in fix.edits]
        if any(_overlap(a, b) for a in spans for b in taken):
            continue
        taken += spans
        chosen.append(fix)
    return chosen


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] == b[0] == b[1]:
        return True  # two insertions at one point: their order would be arbitrary
    return a[0] < b[1] and b[0] < a[1] or (a[0] == a[1] and b[0] < a[0] < b[1]) \
        or (b[0] == b[1] and a[0] < b[0] < a[1])


def _problems(doc: Document) -> int:
    front = doc.frontmatter
    return 0 if front is None else len(front.problems) + (100 if front.fatal else 0)


def fix_text(text: str, path: str, *, lint_doc, template, bom: bool = False) -> FixOutcome:  # noqa: ANN001
    """Fix one document's text; `lint_doc(doc)` returns its diagnostics."""
    doc = document_module.parse(text, path, template, bom=bom)
    diagnostics = lint_doc(doc)
    outcome = FixOutcome(text, diagnostics)
    refused: set[tuple[str, int, str]] = set()
    for _ in range(MAX_ROUNDS):
        pending = [d for d in diagnostics if d.fix and (d.rule, d.line, d.message) not in refused]
        if not pending:
            break
        round_fixes = choose([d.fix for d in pending])
        candidate = apply_edits(outcome.text, [e for f in round_fixes for e in f.edits])
        new_doc = document_module.parse(candidate, path, template, bom=bom)
        if _problems(new_doc) > _problems(doc):
            candidate, new_doc = _one_by_one(outcome, doc, pending, refused, path, template, bom)
        if candidate == outcome.text:
            break
        outcome.applied += len(round_fixes)
        outcome.text, doc = candidate, new_doc
        diagnostics = lint_doc(doc)
    outcome.remaining = diagnostics
    return outcome


def _one_by_one(outcome: FixOutcome, doc: Document, pending: list[Diagnostic], refused: set,
                path: str, template, bom: bool) -> tuple[str, Document]:  # noqa: ANN001
    """Apply the round's fixes one at a time, dropping each that adds a parse problem."""
    text, current = outcome.text, doc
    for diagnostic in pending:
        trial = apply_edits(text, diagnostic.fix.edits)
        trial_doc = document_module.parse(trial, path, template, bom=bom)
        if _problems(trial_doc) > _problems(current):
            refused.add((diagnostic.rule, diagnostic.line, diagnostic.message))
            outcome.dropped.append(diagnostic)
            continue
        text, current = trial, trial_doc
        break  # offsets of the others changed: they come back in the next round
    return text, current


@dataclass
class FixRun:
    """What `check --fix` / `--diff` did across files."""

    diagnostics: list[Diagnostic]
    files: int
    diff: str = ""
    written: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def unified_diff(path: str, old: str, new: str) -> str:
    """Return a unified diff of one file, `--- a/PATH` / `+++ b/PATH`."""
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 fromfile=f"a/{path.lstrip('/')}", tofile=f"b/{path.lstrip('/')}")
    out = []
    for line in lines:
        out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def fix_files(checker, candidates, *, write: bool, diff: bool) -> FixRun:  # noqa: ANN001
    """Check every candidate and fix those with fixable findings (writing only when `write`)."""
    from .runner import Project, display

    result = checker.run(candidates, keep=True)
    by_path = {doc.path: doc for doc in result.documents}
    fixable = sorted({d.path for d in result.diagnostics if d.fix and d.path in by_path})
    if not fixable:
        return FixRun(result.diagnostics, result.files)
    project = Project(checker.config.root)
    for candidate in candidates:
        project.add(candidate.path)
    run = FixRun([d for d in result.diagnostics if d.path not in fixable], result.files)
    chunks = []
    for path in fixable:
        doc = by_path[path]
        outcome = fix_text(doc.text, path, template=checker.template, bom=doc.bom,
                           lint_doc=lambda d: lint(d, config=checker.config, today=checker.today,
                                                   project=project, rules=checker.rules))
        run.diagnostics += outcome.remaining
        for dropped in outcome.dropped:
            run.errors.append(f"{path}:{dropped.line}: fix for [{dropped.rule}] not applied: it would break the "
                              "front matter (please report this)")
        if outcome.text == doc.text:
            continue
        if diff:
            chunks.append(unified_diff(path, doc.text, outcome.text))
        if write:
            _write(Path(path), doc, outcome.text, run)
    run.diagnostics.sort(key=Diagnostic.sort_key)
    run.diff = "".join(chunks)
    return run


def _write(path: Path, doc: Document, text: str, run: FixRun) -> None:
    data = (("\ufeff" if doc.bom else "") + text).encode("utf-8")
    try:
        snap = writer.snapshot(path)
        if snap.data != (("\ufeff" if doc.bom else "") + doc.text).encode("utf-8"):
            raise WriteError(f"{path}: changed on disk since it was read, not written")
        if len(text) < len(doc.text) // 2:
            raise WriteError(f"{path}: the fixes would remove over half of the file, not written (please report this)")
        if writer.write_atomic(snap, data):
            run.written.append(str(path))
    except WriteError as error:
        run.errors.append(str(error))
