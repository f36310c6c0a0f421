"""Output formats: each a pure function from diagnostics to text."""

from __future__ import annotations

import json
from collections.abc import Sequence

from designdoc.model.diagnostics import Diagnostic, Severity

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def summary_counts(diagnostics: Sequence[Diagnostic]) -> dict[str, int]:
    """Return the number of errors, warnings and infos."""
    counts = {"errors": 0, "warnings": 0, "infos": 0}
    for d in diagnostics:
        counts[{Severity.ERROR: "errors", Severity.WARNING: "warnings"}.get(d.severity, "infos")] += 1
    return counts


def summary_line(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """Return the closing line of the text report."""
    counts = summary_counts(diagnostics)
    noun = "file" if files == 1 else "files"
    if not diagnostics:
        return f"All clear: {files} {noun} checked, no problems."
    parts = [f"{n} {word if n == 1 else word + 's'}" for n, word in
             ((counts["errors"], "error"), (counts["warnings"], "warning"), (counts["infos"], "info")) if n]
    fixable = sum(1 for d in diagnostics if d.fixable)
    tail = f" ({fixable} fixable with --fix)" if fixable else ""
    return f"Found {', '.join(parts)} in {files} {noun} checked{tail}."


def text_line(d: Diagnostic, *, colour: bool = False) -> str:
    """Return one diagnostic as `path:line:col: severity [slug] message`."""
    severity = d.severity.label
    if colour:
        import click

        return (f"{click.style(f'{d.path}:{d.line}:{d.column}:', bold=True)} "
                f"{click.style(severity, fg=_COLOURS.get(d.severity), bold=True)} "
                f"{click.style(f'[{d.rule}]', dim=True)} {d.message}")
    return f"{d.path}:{d.line}:{d.column}: {severity} [{d.rule}] {d.message}"


def to_json_object(d: Diagnostic) -> dict[str, object]:
    """Return a diagnostic as the JSON object of `check --format json`."""
    return {"path": d.path, "line": d.line, "column": d.column, "end_line": d.end_line,
            "end_column": d.end_column, "rule": d.rule, "severity": d.severity.label,
            "message": d.message, "fixable": d.fixable}


def format_json(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """Return the JSON report: `diagnostics` and `summary`."""
    report = {"diagnostics": [to_json_object(d) for d in diagnostics],
              "summary": {"files": files, **summary_counts(diagnostics)}}
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


# GitHub workflow commands: https://docs.github.com/actions/reference/workflow-commands-for-github-actions
_GITHUB_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
GITHUB_LIMIT = 10  # GitHub shows at most 10 error and 10 warning annotations per step


def _github_data(text: str) -> str:
    """Escape a workflow command's message: `%`, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: object) -> str:
    """Escape a workflow command's property value: the message escapes plus `:` and `,`."""
    return _github_data(str(text)).replace(":", "%3A").replace(",", "%2C")


def github_line(d: Diagnostic) -> str:
    """Return one diagnostic as a GitHub Actions annotation (`::error file=…,line=…::message`)."""
    one_line = d.end_line == d.line  # GitHub takes columns only on a one-line span
    props: list[tuple[str, object]] = [("file", d.path), ("line", d.line)]
    props += [("col", d.column)] * one_line + [("endLine", d.end_line)]
    # GitHub's endColumn is the last column (inclusive: it defaults to col, a one-character span); ours is exclusive
    props += [("endColumn", max(d.column, d.end_column - 1))] * one_line
    props.append(("title", f"designdoc [{d.rule}]"))
    fields = ",".join(f"{key}={_github_property(value)}" for key, value in props)
    return f"::{_GITHUB_COMMANDS.get(d.severity, 'notice')} {fields}::{_github_data(d.message)}"


def format_github(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """Return GitHub Actions annotations, one per diagnostic, then the summary line."""
    lines = [github_line(d) for d in diagnostics]
    lines.append(summary_line(diagnostics, files))
    counts = summary_counts(diagnostics)
    if counts["errors"] > GITHUB_LIMIT or counts["warnings"] > GITHUB_LIMIT:
        lines.append(f"GitHub shows only the first {GITHUB_LIMIT} errors and {GITHUB_LIMIT} warnings of a step "
                     "as annotations: upload the SARIF report (--format sarif) to see them all.")
    return "\n".join(lines) + "\n"
