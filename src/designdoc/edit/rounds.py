"""Fix one text: exact-span edits in rounds until nothing changes.

A round lints the text, takes every fix whose edits do not overlap an earlier
fix's (the rest wait for the next round), applies them from the end backwards
and parses the result again.  A round that would add a front-matter problem is
retried fix by fix and the culprit is dropped and reported: a fix must never
make a document worse.  A fix whose problem is still there once applied is
undone and left out (it would be applied again every round), and no fix runs
while the front matter has a duplicate key (it would pick one of the values).
At most `MAX_ROUNDS` rounds run.

Pure: the caller passes the lint (`Checker.lint`), and writes nothing here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from designdoc.edit.apply import apply_edits, choose
from designdoc.model.diagnostics import Diagnostic
from designdoc.parse import document as document_module
from designdoc.parse.document import Document
from designdoc.parse.template import Template

MAX_ROUNDS = 10


@dataclass
class FixOutcome:
    """The fixed text, what is left, and fixes that were refused."""

    text: str
    remaining: list[Diagnostic]
    applied: int = 0
    dropped: list[Diagnostic] = field(default_factory=list)
    held: list[tuple[int, str]] = field(default_factory=list)  # (line, why no fix was tried)


def _duplicate_key(doc: Document) -> tuple[int, str] | None:
    """Return (line, key) of the first duplicate key in the front matter, if any."""
    front = doc.frontmatter
    if front is None:
        return None
    return next(((p.line, p.duplicate) for p in front.problems if p.duplicate is not None), None)


def _problems(doc: Document) -> int:
    front = doc.frontmatter
    return 0 if front is None else len(front.problems) + (100 if front.fatal else 0)


def fix_text(
    text: str,
    path: str,
    *,
    lint_doc: Callable[[Document], list[Diagnostic]],
    template: Template,
    bom: bool = False,
    parse: Callable[[str], Document] | None = None,
) -> FixOutcome:
    """Fix one document's text; `lint_doc(doc)` returns its diagnostics (`Checker.lint`).

    `parse` parses the text as the run does (its process, its sidecar); every later text is
    parsed the same way (`Document.reparsed`).
    """
    doc = parse(text) if parse is not None else document_module.parse(text, path, template, bom=bom)
    diagnostics = lint_doc(doc)
    outcome = FixOutcome(text, diagnostics)
    duplicate = _duplicate_key(doc)
    if duplicate is not None and any(d.fix for d in diagnostics):
        # A duplicate key means the rules read the first of two values; a fix built on that
        # (a footer date from `last_updated`, a draft note from `status`, …) would silently pick
        # one of them. Hold every fix until the author keeps one value.
        line, key = duplicate
        outcome.held.append(
            (line, (f"fixes not applied: the front matter has a duplicate key {key!r}; keep one value, then fix again"))
        )
        return outcome
    refused: set[tuple[str, int, str]] = set()
    futile: set[tuple[str, str]] = set()
    for _ in range(MAX_ROUNDS):
        pending = [
            d
            for d in diagnostics
            if d.fix and (d.rule, d.line, d.message) not in refused and (d.rule, d.message) not in futile
        ]
        if not pending:
            break
        round_fixes = choose([d.fix for d in pending], [d.rule for d in pending])
        applied = [d for d in pending if any(d.fix is f for f in round_fixes)]
        candidate = apply_edits(outcome.text, [e for f in round_fixes for e in f.edits])
        new_doc = doc.reparsed(candidate)
        if _problems(new_doc) > _problems(doc):
            candidate, new_doc, applied = _one_by_one(outcome, doc, pending, refused)
        if candidate == outcome.text:
            break
        new_diagnostics = lint_doc(new_doc)
        if len(applied) > 1 and _unresolved(diagnostics, applied, new_diagnostics):
            # Fixes of one round can undo each other (a section appended after the footer that
            # another fix has just repaired): apply the first alone, the rest come next round.
            applied = applied[:1]
            candidate = apply_edits(outcome.text, applied[0].fix.edits)
            new_doc = doc.reparsed(candidate)
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
                    outcome.held.append(
                        (
                            d.line,
                            (f"fix for [{d.rule}] not applied: it does not resolve '{d.message}' (please report this)"),
                        )
                    )
            continue
        outcome.applied += len(applied)
        outcome.text, doc, diagnostics = candidate, new_doc, new_diagnostics
    outcome.remaining = diagnostics
    return outcome


def _unresolved(before: list[Diagnostic], applied: list[Diagnostic], after: list[Diagnostic]) -> list[Diagnostic]:
    """Return the applied fixes' diagnostics that are as many after the round as before it."""

    def key(d: Diagnostic) -> tuple[str, str]:
        return d.rule, d.message

    count_before, count_applied, count_after = (
        Counter(map(key, before)),
        Counter(map(key, applied)),
        Counter(map(key, after)),
    )
    return [d for d in applied if count_after[key(d)] > count_before[key(d)] - count_applied[key(d)]]


def _one_by_one(
    outcome: FixOutcome, doc: Document, pending: list[Diagnostic], refused: set
) -> tuple[str, Document, list[Diagnostic]]:
    """Apply the round's fixes one at a time, dropping each that adds a parse problem."""
    text, current = outcome.text, doc
    for diagnostic in pending:
        trial = apply_edits(text, diagnostic.fix.edits)
        trial_doc = doc.reparsed(trial)
        if _problems(trial_doc) > _problems(current):
            refused.add((diagnostic.rule, diagnostic.line, diagnostic.message))
            outcome.dropped.append(diagnostic)
            continue
        return trial, trial_doc, [diagnostic]  # offsets of the others changed: they come back next round
    return text, current, []
