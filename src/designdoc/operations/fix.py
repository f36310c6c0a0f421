"""Apply fixes: exact-span edits in rounds until nothing changes, then write safely.

A round lints the text, takes every fix whose edits do not overlap an earlier
fix's (the rest wait for the next round), applies them from the end backwards
and parses the result again.  A round that would add a front-matter problem is
retried fix by fix and the culprit is dropped and reported: a fix must never
make a document worse.  A fix whose problem is still there once applied is
undone and left out (it would be applied again every round), and no fix runs
while the front matter has a duplicate key (it would pick one of the values).
At most `MAX_ROUNDS` rounds run.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from designdoc.files import writer
from designdoc.model.diagnostics import Diagnostic, Edit, Fix
from designdoc.model.errors import WriteError
from designdoc.model.text import text_hash
from designdoc.parse import document as document_module
from designdoc.parse.document import Document

MAX_ROUNDS = 10


@dataclass
class FixOutcome:
    """The fixed text, what is left, and fixes that were refused."""

    text: str
    remaining: list[Diagnostic]
    applied: int = 0
    dropped: list[Diagnostic] = field(default_factory=list)
    held: list[tuple[int, str]] = field(default_factory=list)  # (line, why no fix was tried)


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Return `text` with non-overlapping edits applied (from the end backwards).

    Insertions at one point appear in the order given, as LSP specifies for TextEdits (a
    plain reverse sort put them in reverse order).
    """
    ordered = sorted(enumerate(edits), key=lambda item: (item[1].start, item[1].end, item[0]), reverse=True)
    for _, edit in ordered:
        text = text[:edit.start] + edit.text + text[edit.end:]
    return text


def choose(fixes: Sequence[Fix], groups: Sequence[str] | None = None) -> list[Fix]:
    """Return the fixes of one round: each fix whose edits overlap no earlier chosen fix.

    Two insertions at one point overlap (their order would be arbitrary) unless both fixes
    are of one group (one rule: several missing sections before one heading, several
    missing fields before the closing `---`): those go in together, in the given order.
    Without this, a doc missing more sections than `MAX_ROUNDS` needed a second `--fix`.
    """
    taken: list[tuple[tuple[int, int], str | None]] = []
    chosen = []
    for number, fix in enumerate(fixes):
        group = groups[number] if groups is not None else None
        spans = [(e.start, e.end) for e in fix.edits]
        if any(_overlap(a, b) and not (group is not None and group == other and _same_point(a, b))
               for a in spans for b, other in taken):
            continue
        taken += [(span, group) for span in spans]
        chosen.append(fix)
    return chosen


def _same_point(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] == a[1] == b[0] == b[1]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] == b[0] == b[1]:
        return True  # two insertions at one point: their order would be arbitrary
    return a[0] < b[1] and b[0] < a[1] or (a[0] == a[1] and b[0] < a[0] < b[1]) \
        or (b[0] == b[1] and a[0] < b[0] < a[1])


def _duplicate_key(doc: Document) -> tuple[int, str] | None:
    """Return (line, key) of the first duplicate key in the front matter, if any."""
    front = doc.frontmatter
    if front is None:
        return None
    return next(((p.line, p.duplicate) for p in front.problems if p.duplicate is not None), None)


def _problems(doc: Document) -> int:
    front = doc.frontmatter
    return 0 if front is None else len(front.problems) + (100 if front.fatal else 0)


def fix_text(text: str, path: str, *, lint_doc, template, bom: bool = False) -> FixOutcome:  # noqa: ANN001
    """Fix one document's text; `lint_doc(doc)` returns its diagnostics."""
    doc = document_module.parse(text, path, template, bom=bom)
    diagnostics = lint_doc(doc)
    outcome = FixOutcome(text, diagnostics)
    duplicate = _duplicate_key(doc)
    if duplicate is not None and any(d.fix for d in diagnostics):
        # A duplicate key means the rules read the first of two values; a fix built on that
        # (a footer date from `last_updated`, a draft note from `status`, …) would silently pick
        # one of them (BAD_INPUTS #24). Hold every fix until the author keeps one value.
        line, key = duplicate
        outcome.held.append((line, (f"fixes not applied: the front matter has a duplicate key {key!r}; "
                                    "keep one value, then fix again")))
        return outcome
    refused: set[tuple[str, int, str]] = set()
    futile: set[tuple[str, str]] = set()
    for _ in range(MAX_ROUNDS):
        pending = [d for d in diagnostics if d.fix and (d.rule, d.line, d.message) not in refused
                   and (d.rule, d.message) not in futile]
        if not pending:
            break
        round_fixes = choose([d.fix for d in pending], [d.rule for d in pending])
        applied = [d for d in pending if any(d.fix is f for f in round_fixes)]
        candidate = apply_edits(outcome.text, [e for f in round_fixes for e in f.edits])
        new_doc = document_module.parse(candidate, path, template, bom=bom)
        if _problems(new_doc) > _problems(doc):
            candidate, new_doc, applied = _one_by_one(outcome, doc, pending, refused, path, template, bom)
        if candidate == outcome.text:
            break
        new_diagnostics = lint_doc(new_doc)
        if len(applied) > 1 and _unresolved(diagnostics, applied, new_diagnostics):
            # Fixes of one round can undo each other (a section appended after the footer that
            # another fix has just repaired): apply the first alone, the rest come next round.
            applied = applied[:1]
            candidate = apply_edits(outcome.text, applied[0].fix.edits)
            new_doc = document_module.parse(candidate, path, template, bom=bom)
            if _problems(new_doc) > _problems(doc):
                refused.add((applied[0].rule, applied[0].line, applied[0].message))
                outcome.dropped.append(applied[0])
                continue
            new_diagnostics = lint_doc(new_doc)
        unresolved = _unresolved(diagnostics, applied, new_diagnostics)
        if unresolved:
            # A fix whose problem is still there once it is applied (a section inserted into an
            # unclosed code fence, where it is no heading) would be applied again every round:
            # ten copies of it. Undo the round and leave such fixes out from now on.
            for d in unresolved:
                if (d.rule, d.message) not in futile:
                    futile.add((d.rule, d.message))
                    outcome.held.append((d.line, (f"fix for [{d.rule}] not applied: it does not resolve "
                                                  f"'{d.message}' (please report this)")))
            continue
        outcome.applied += len(applied)
        outcome.text, doc, diagnostics = candidate, new_doc, new_diagnostics
    outcome.remaining = diagnostics
    return outcome


def _unresolved(before: list[Diagnostic], applied: list[Diagnostic], after: list[Diagnostic]) -> list[Diagnostic]:
    """Return the applied fixes' diagnostics that are as many after the round as before it."""
    def key(d: Diagnostic) -> tuple[str, str]:
        return d.rule, d.message

    count_before, count_applied, count_after = Counter(map(key, before)), Counter(map(key, applied)), \
        Counter(map(key, after))
    return [d for d in applied if count_after[key(d)] > count_before[key(d)] - count_applied[key(d)]]


def _one_by_one(outcome: FixOutcome, doc: Document, pending: list[Diagnostic], refused: set,
                path: str, template, bom: bool) -> tuple[str, Document, list[Diagnostic]]:  # noqa: ANN001
    """Apply the round's fixes one at a time, dropping each that adds a parse problem."""
    text, current = outcome.text, doc
    for diagnostic in pending:
        trial = apply_edits(text, diagnostic.fix.edits)
        trial_doc = document_module.parse(trial, path, template, bom=bom)
        if _problems(trial_doc) > _problems(current):
            refused.add((diagnostic.rule, diagnostic.line, diagnostic.message))
            outcome.dropped.append(diagnostic)
            continue
        return trial, trial_doc, [diagnostic]  # offsets of the others changed: they come back next round
    return text, current, []


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
    # Lines end at \r\n, \r or \n only: str.splitlines() also splits at U+2028, form feeds, …,
    # which put "No newline at end of file" markers in the middle of a file (BAD_INPUTS #16).
    lines = difflib.unified_diff(_lines(old), _lines(new),
                                 fromfile=f"a/{path.lstrip('/')}", tofile=f"b/{path.lstrip('/')}")
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        elif line.endswith("\r"):  # a lone CR ends the line in the file; show each on its own line
            out.append(line + "\n")
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Return the lines of `text`, each with its own line break (`\r\n`, `\r` or `\n`)."""
    return [m.group(0) for m in _LINE.finditer(text)]


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


class TextHashes:
    """The check's extract for `--fix` and SARIF: each doc's text hash, kept in the check cache.

    The run keeps no Document (it runs in the pool, from the cache); a doc with something
    to fix is read again, and used only if its text is the one that was checked.
    """

    cache_tag = "text-hash-1"

    def __call__(self, doc: Document) -> tuple[str, str]:
        return doc.path, text_hash(doc.text)

    def for_cache(self, value: tuple[str, str]) -> tuple[str, str]:
        return value

    def from_cache(self, stored: tuple[str, str]) -> tuple[str, str]:
        return stored


def fix_files(checker, candidates, *, write: bool, diff: bool, jobs: int | None = None,  # noqa: ANN001
              cache: bool = True, progress=None) -> FixRun:  # noqa: ANN001
    """Check every candidate and fix what can be fixed (writing only when `write`).

    Per-file fixes run in rounds on each doc; a cross-document fix (the missing side of a
    supersede relation) edits the other doc first, whose own fixes then run on the result.
    After writing, the tree is checked again, so the report says what the files now hold.
    """
    from designdoc.rules import in_phase
    from designdoc.rules.facts import cross_file_edits

    result = checker.run(candidates, extract=TextHashes(), jobs=jobs, cache=cache, progress=progress)
    checked: dict[str, str] = dict(result.extracted)  # type: ignore[arg-type]
    cross = cross_file_edits(d for d in result.diagnostics if in_phase(d.rule, "project"))
    own = {d.path for d in result.diagnostics if d.fix and d.path in checked and not in_phase(d.rule, "project")}
    targets = sorted(own | set(cross))
    if not targets:
        return FixRun(result.diagnostics, result.files)
    run = FixRun(result.diagnostics, result.files)
    chunks = []
    for path in targets:
        doc = _read(path, checker.template)
        if doc is None:
            continue
        if path in checked and text_hash(doc.text) != checked[path]:
            run.errors.append(f"{path}: changed while it was being checked; not fixed (run again)")
            continue
        outcome = fix_text(apply_edits(doc.text, cross.get(path, ())), path, template=checker.template,
                           bom=doc.bom, lint_doc=checker.lint)
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


def texts_as_checked(diagnostics: Sequence[Diagnostic], hashes: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Return the texts the diagnostics' fixes edit, read again: only those still as checked (`TextHashes`)."""
    checked = dict(hashes)
    wanted = {getattr(d.fix, "path", "") or d.path for d in diagnostics if d.fix is not None}
    texts = {}
    for path in sorted(wanted & checked.keys()):
        try:
            text, _ = document_module.decode(Path(path).read_bytes())
        except (OSError, UnicodeDecodeError):
            continue
        if text_hash(text) == checked[path]:
            texts[path] = text
    return texts


def _read(path: str, template) -> Document | None:  # noqa: ANN001
    """Parse a doc to fix (read again after the check); None when it can no longer be read."""
    try:
        text, bom = document_module.decode(Path(path).read_bytes())
    except (OSError, UnicodeDecodeError):
        return None
    return document_module.parse(text, path, template, bom=bom)


def _note_refusals(path: str, outcome: FixOutcome, run: FixRun) -> None:
    for dropped in outcome.dropped:
        run.errors.append(f"{path}:{dropped.line}: fix for [{dropped.rule}] not applied: it would break the "
                          "front matter (please report this)")
    run.errors += [f"{path}:{line}: {why}" for line, why in outcome.held]


def _write(path: Path, doc: Document, text: str, run: FixRun) -> bool:
    """Write the fixed text; return False (with the reason in `run.errors`) when refused."""
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
        return False
    return True
