"""Run the rules on one Document: stamp severities, apply suppressions, sort.

Rules only yield; everything that decides what the user finally sees happens
here, in one place: the configured or default severity (completeness rules
follow the doc's status), `<!-- designdoc-disable SLUG -->` comments, order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable

from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.model.settings import Config
from designdoc.parse.document import Document
from designdoc.rules import ALL_RULES, COMPLETENESS, Context, Rule

_SUPPRESS = re.compile(r"<!--\s*designdoc-disable(?P<next>-next-line)?\s+(?P<slugs>[\w\-, ]+?)\s*-->")


def select(*, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> tuple[Rule, ...]:
    """Return the rules to run: all, or those `select`ed, minus those `ignore`d."""
    chosen = set(select)
    dropped = set(ignore)
    return tuple(r for r in ALL_RULES if (not chosen or r.slug in chosen) and r.slug not in dropped)


def produce(rule: Rule, context: object, on_error: Callable[[Rule, Exception], None] | None) -> list[Diagnostic] | None:
    """Return what a rule finds in its context; None when it raised and `on_error` took the error
    (one broken rule must not hide the others' findings); without `on_error` the error propagates."""
    try:
        return list(rule.check(context))
    except Exception as error:
        if on_error is None:
            raise
        on_error(rule, error)
        return None


def completeness_severity(doc: Document, config: Config) -> Severity:
    """Return the severity of completeness rules for this doc's status."""
    status = doc.status(config.lifecycle)
    if status is not None and status in config.strict_statuses:
        return Severity.ERROR
    return Severity.parse(config.completeness_default)


def lint(
    doc: Document,
    *,
    config: Config,
    today: dt.date,
    rules: Iterable[Rule] = ALL_RULES,
    on_error: Callable[[Rule, Exception], None] | None = None,
) -> list[Diagnostic]:
    """Return the diagnostics of one document, stamped, filtered and sorted.

    Only rules of the `document` phase run here; the others read the run's facts or the
    reading of a file, and the runner calls them.
    """
    front = doc.frontmatter
    fields_usable = front is not None and not front.fatal
    completeness = completeness_severity(doc, config)
    if not doc.text.strip():  # an empty file is one frontmatter-missing, not a cascade
        rules = [r for r in rules if r.slug == "frontmatter-missing"] or rules
    found: list[Diagnostic] = []
    for rule in rules:
        configured = config.rule(rule.slug)
        if rule.phase != "document" or configured.severity is Severity.OFF or (rule.needs_fields and not fields_usable):
            continue
        options = rule.options(**configured.options) if rule.options else None
        produced = produce(rule, Context(doc, config, today, options, rule.slug), on_error)
        if produced is None:
            continue
        default = completeness if rule.severity == COMPLETENESS else rule.severity
        for diagnostic in produced:
            severity = configured.severity or (diagnostic.severity or default)
            found.append(dataclasses.replace(diagnostic, severity=severity))
    return sorted(_unsuppressed(doc, found), key=Diagnostic.sort_key)


def _unsuppressed(doc: Document, found: list[Diagnostic]) -> list[Diagnostic]:
    if "designdoc-disable" not in doc.text:
        return found
    ranges = suppressions(doc)
    return [d for d in found if not any(d.rule in slugs and first <= d.line <= last for first, last, slugs in ranges)]


def suppressions(doc: Document) -> list[tuple[int, int, frozenset[str]]]:
    """Return (first line, last line, slugs) ranges that inline comments disable."""
    ranges = []
    ends = [s.line - 1 for s in doc.sections] + [len(doc.lines)]
    for number, line in enumerate(doc.lines, 1):
        if "designdoc-disable" not in line or number in doc.code_lines:
            continue
        for match in _SUPPRESS.finditer(line):
            slugs = frozenset(s for s in re.split(r"[\s,]+", match.group("slugs")) if s)
            if match.group("next"):
                ranges.append((number + 1, number + 1, slugs))
            else:
                ranges.append((number, min(e for e in ends if e >= number), slugs))
    return ranges
