"""`check --format github`: workflow commands that annotate a pull request, then the summary line."""

from __future__ import annotations

from collections.abc import Sequence

from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.output.text import summary_counts, summary_line

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
        lines.append(
            f"GitHub shows only the first {GITHUB_LIMIT} errors and {GITHUB_LIMIT} warnings of a step "
            "as annotations: upload the SARIF report (--format sarif) to see them all."
        )
    return "\n".join(lines) + "\n"
