"""`check --format json`: one object with the diagnostics and a summary (the documented contract)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from designdoc.model.diagnostics import Diagnostic
from designdoc.output.text import summary_counts


def to_json_object(d: Diagnostic) -> dict[str, object]:
    """Return a diagnostic as the JSON object of `check --format json`."""
    return {
        "path": d.path,
        "line": d.line,
        "column": d.column,
        "end_line": d.end_line,
        "end_column": d.end_column,
        "rule": d.rule,
        "severity": d.severity.label,
        "message": d.message,
        "fixable": d.fixable,
    }


def format_json(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """Return the JSON report: `diagnostics` and `summary`."""
    report = {
        "diagnostics": [to_json_object(d) for d in diagnostics],
        "summary": {"files": files, **summary_counts(diagnostics)},
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
