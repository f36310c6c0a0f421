"""The text report: one line per diagnostic (coloured on a terminal) and the summary line."""

from __future__ import annotations

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
    parts = [
        f"{n} {word if n == 1 else word + 's'}"
        for n, word in ((counts["errors"], "error"), (counts["warnings"], "warning"), (counts["infos"], "info"))
        if n
    ]
    fixable = sum(1 for d in diagnostics if d.fixable)
    tail = f" ({fixable} fixable with --fix)" if fixable else ""
    return f"Found {', '.join(parts)} in {files} {noun} checked{tail}."


def text_line(d: Diagnostic, *, colour: bool = False) -> str:
    """Return one diagnostic as `path:line:col: severity [slug] message`."""
    severity = d.severity.label
    if colour:
        import click

        return (
            f"{click.style(f'{d.path}:{d.line}:{d.column}:', bold=True)} "
            f"{click.style(severity, fg=_COLOURS.get(d.severity), bold=True)} "
            f"{click.style(f'[{d.rule}]', dim=True)} {d.message}"
        )
    return f"{d.path}:{d.line}:{d.column}: {severity} [{d.rule}] {d.message}"
