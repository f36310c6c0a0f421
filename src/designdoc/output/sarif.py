"""SARIF 2.1.0 output: one run of the designdoc tool, its rules, results and fixes.

Positions map one to one.  Our lines and columns are 1-based, columns count
Unicode code points and `end_column` is exclusive; SARIF regions are 1-based
too, `endColumn` is "one greater than the last character", and the run
declares `columnKind: unicodeCodePoints`, so no column is converted.

A fix is a set of `Edit`s at character offsets into the decoded text (after
the BOM).  SARIF wants a `deletedRegion` as lines and columns, so the offsets
are mapped with the document's `LineIndex`, which needs the text: the caller
passes `texts` (path -> decoded text, as checked: `check.extracts.texts_as_checked`
reads them again and keeps only those whose hash is the one the check saw).
The text the diagnostics were computed from is the only one their offsets are
valid for.  A result whose text is not given (the file changed since, or after
`--fix`, which reports on the rewritten file) keeps no `fixes`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from designdoc import __version__
from designdoc.model.diagnostics import Diagnostic, Edit, Fix, Severity
from designdoc.model.text import LineIndex
from designdoc.rules import ALL_RULES, COMPLETENESS, Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def level(severity: Severity | str) -> str:
    """Return the SARIF level of a severity (completeness rules default to a warning)."""
    if severity == COMPLETENESS or not isinstance(severity, Severity):
        return "warning"
    return _LEVELS.get(severity, "none")


def rule_descriptor(rule: Rule) -> dict[str, object]:
    """Return a rule as a SARIF reportingDescriptor."""
    return {
        "id": rule.slug,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _what_it_does(rule.doc)},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {"fixable": rule.fixable},
    }


def _what_it_does(doc: str) -> str:
    body = doc.split("## What it does", 1)[-1].strip()
    section = re.split(r"\n## ", body, maxsplit=1)[0].strip() or doc.strip()
    # the docstrings are hard-wrapped: one line per paragraph reads better in a viewer
    return "\n\n".join(" ".join(p.split()) for p in section.split("\n\n"))


def artifact_location(path: str) -> dict[str, str]:
    """Return a SARIF artifactLocation: relative paths against %SRCROOT%, absolute ones as file URIs."""
    if path.startswith("/"):
        return {"uri": "file://" + quote(path)}
    return {"uri": quote(path), "uriBaseId": SRCROOT}


def _region(d: Diagnostic) -> dict[str, int]:
    return {"startLine": d.line, "startColumn": d.column, "endLine": d.end_line, "endColumn": d.end_column}


def _offset_region(index: LineIndex, edit: Edit) -> dict[str, int]:
    start_line, start_column = index.position(edit.start)
    end_line, end_column = index.position(edit.end)
    return {"startLine": start_line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column}


def sarif_fix(fix: Fix, path: str, texts: Mapping[str, str], indexes: dict[str, LineIndex]) -> dict | None:
    """Return a fix as a SARIF fix object, or None when the text its offsets point into is unknown."""
    # a cross-file fix (rules/crossdoc.py) edits another doc: its own `edits` stay empty
    target = getattr(fix, "path", "") or path
    edits = tuple(fix.edits) or tuple(getattr(fix, "file_edits", ()))
    if not edits or target not in texts:
        return None
    if target not in indexes:
        indexes[target] = LineIndex(texts[target])
    replacements = [
        {"deletedRegion": _offset_region(indexes[target], e), "insertedContent": {"text": e.text}}
        for e in sorted(edits, key=lambda e: (e.start, e.end))
    ]
    return {
        "description": {"text": fix.title},
        "artifactChanges": [{"artifactLocation": artifact_location(target), "replacements": replacements}],
    }


def result(
    d: Diagnostic, rule_index: Mapping[str, int], texts: Mapping[str, str], indexes: dict[str, LineIndex]
) -> dict[str, object]:
    """Return one diagnostic as a SARIF result."""
    out: dict[str, object] = {"ruleId": d.rule}
    if d.rule in rule_index:
        out["ruleIndex"] = rule_index[d.rule]
    out["level"] = level(d.severity)
    out["message"] = {"text": d.message}
    out["locations"] = [{"physicalLocation": {"artifactLocation": artifact_location(d.path), "region": _region(d)}}]
    fix = sarif_fix(d.fix, d.path, texts, indexes) if d.fix is not None else None
    if fix is not None:
        out["fixes"] = [fix]
    return out


def sarif_log(
    diagnostics: Sequence[Diagnostic], texts: Mapping[str, str] | None = None, rules: Sequence[Rule] = ALL_RULES
) -> dict[str, object]:
    """Return the SARIF log (a dict) of one run; `texts` maps a path to the text its fixes edit."""
    rule_index = {r.slug: i for i, r in enumerate(rules)}
    indexes: dict[str, LineIndex] = {}
    # no informationUri: it is optional, and the project has no public home to name yet
    driver = {
        "name": "designdoc",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [rule_descriptor(r) for r in rules],
    }
    run = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": [result(d, rule_index, texts or {}, indexes) for d in diagnostics],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def format_sarif(diagnostics: Sequence[Diagnostic], texts: Mapping[str, str] | None = None) -> str:
    """Return the SARIF 2.1.0 report as JSON text."""
    return json.dumps(sarif_log(diagnostics, texts), indent=2, ensure_ascii=False) + "\n"
