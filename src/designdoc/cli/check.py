"""`designdoc check`: check docs, fix or diff them, and report in the format asked.

The command is a few steps, each a small function: read the settings and the
baseline, find the docs, check (or fix), filter by the baseline, report, and
choose the exit code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from designdoc.cli.common import complete_rules, emit, setup, split_rules
from designdoc.cli.progress import file_ticker
from designdoc.model.errors import UsageError

FORMATS = ("text", "json", "sarif", "github")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--fix", is_flag=True, help="Apply safe fixes, then report what is left.")
@click.option(
    "--fix-only",
    is_flag=True,
    help="Apply safe fixes and say which files changed; report nothing else (the pre-commit fix hook).",
)
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option(
    "--select",
    multiple=True,
    metavar="RULES",
    help="Only these rules (comma-separated slugs).",
    shell_complete=complete_rules,
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="RULES",
    help="Skip these rules (comma-separated slugs).",
    shell_complete=complete_rules,
)
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--template", metavar="T", help="Check against this template file.")
@click.option("--config", "config_file", metavar="F", help="Use this configuration file.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="With --fix: exit 1 when a file was changed.")
@click.option(
    "--only-docs", is_flag=True, help="Skip named files that are not design docs, as in a folder (for pre-commit)."
)
@click.option("--base", metavar="REV", help="Also check status moves since the merge-base of REV and HEAD.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Processes to check with (default: the cores, for enough files).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the check cache (.designdoc-cache/).")
@click.option(
    "--baseline",
    "baseline_file",
    metavar="F",
    type=click.Path(dir_okay=False),
    help="Report only findings that baseline F does not record.",
)
@click.option(
    "--update-baseline",
    metavar="F",
    type=click.Path(dir_okay=False),
    help="Record every current finding in baseline F (adopting designdoc on existing docs).",
)
def check(
    paths: tuple[str, ...],
    fix: bool,
    fix_only: bool,
    diff: bool,
    fmt: str,
    output: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool,
    template: str | None,
    config_file: str | None,
    exit_non_zero_on_fix: bool = False,
    only_docs: bool = False,
    base: str | None = None,
    jobs: int | None = None,
    no_cache: bool = False,
    baseline_file: str | None = None,
    update_baseline: str | None = None,
) -> int:
    """Check design docs (files or folders; default: the configured paths, else '.')."""
    fix = fix or fix_only
    _refuse_conflicts(
        fix=fix,
        diff=diff,
        exit_non_zero_on_fix=exit_non_zero_on_fix,
        baseline_file=baseline_file,
        update_baseline=update_baseline,
    )
    accepted = _read_baseline(baseline_file)  # a bad file: exit 2 before any work
    checker, candidates, targets = _prepare(paths, config_file, template, select, ignore, base, only_docs)
    progress = file_ticker(len(candidates))
    if fix or diff:
        from designdoc.operations.fix import fix_files

        result = fix_files(checker, candidates, write=fix, diff=diff, jobs=jobs, cache=not no_cache, progress=progress)
        _say(result.notes, result.errors)
        if diff:
            emit(result.diff, output)
            return 1 if result.diff or result.errors else 0
        if result.written:
            noun = "file" if len(result.written) == 1 else "files"
            click.echo(f"Fixed {len(result.written)} {noun}: {', '.join(result.written)}", err=True)
        if fix_only:  # what is left is the check's to report, not the fixer's
            return 1 if result.errors or (exit_non_zero_on_fix and result.written) else 0
    else:
        result = _run(checker, candidates, sarif=fmt == "sarif", jobs=jobs, cache=not no_cache, progress=progress)
        _say(result.notes)
    diagnostics = _against_baseline(result.diagnostics, accepted, update_baseline)
    if result.files == 0 and any(Path(p).is_dir() for p in targets):
        click.echo(f"designdoc: warning: no design docs found in {', '.join(targets)}", err=True)
    colour = output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    emit(_render(fmt, diagnostics, result, colour=colour), output)
    if exit_non_zero_on_fix and result.written:
        return 1  # like a formatter: the commit must pick up the changed files
    return _exit_code(diagnostics, strict=strict, failed=bool(getattr(result, "errors", None)))


def _refuse_conflicts(
    *, fix: bool, diff: bool, exit_non_zero_on_fix: bool, baseline_file: str | None, update_baseline: str | None
) -> None:
    """Raise a usage error for options that cannot go together."""
    if fix and diff:
        raise UsageError("--fix and --diff cannot be used together")
    if exit_non_zero_on_fix and not fix:
        raise UsageError("--exit-non-zero-on-fix needs --fix")
    if baseline_file and update_baseline:
        raise UsageError("--baseline and --update-baseline cannot be used together")


def _read_baseline(baseline_file: str | None):
    from designdoc.check import baseline

    return baseline.load(Path(baseline_file)) if baseline_file else None


def _prepare(
    paths: tuple[str, ...],
    config_file: str | None,
    template: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    base: str | None,
    only_docs: bool,
):
    """Return the checker of these settings, the files to check, and the targets they came from."""
    from designdoc.check.linter import select as select_rules
    from designdoc.check.runner import Checker
    from designdoc.files.discovery import discover

    config, tmpl = setup(config_file, template)
    rules = select_rules(select=split_rules(select), ignore=split_rules(ignore))
    targets = config.targets(paths)
    candidates, _ = discover(targets, config)
    if only_docs:
        candidates = _as_walked(candidates, config)
    return Checker(config, tmpl, rules=rules, base=base), candidates, targets


def _run(checker, candidates, *, sarif: bool, jobs: int | None, cache: bool, progress):
    """Check the candidates; for SARIF, also keep each doc's text hash (its fixes are read again)."""
    from designdoc.check.extracts import TextHashes

    return checker.run(candidates, jobs=jobs, cache=cache, progress=progress, extract=TextHashes() if sarif else None)


def _say(notes: Sequence[str], errors: Sequence[str] = ()) -> None:
    """Print the run's warnings and the files it could not fix."""
    for line in errors:
        click.echo(f"designdoc: {line}", err=True)
    for note in notes:
        click.echo(f"designdoc: warning: {note}", err=True)


def _against_baseline(diagnostics: list, accepted, update_baseline: str | None) -> list:
    """Record the findings in a new baseline, and leave out those a baseline accepts (saying how many)."""
    from designdoc.check import baseline

    if update_baseline:
        baseline.write(Path(update_baseline), diagnostics)
        accepted = baseline.from_diagnostics(diagnostics, Path(update_baseline).parent)
        files = len({d.path for d in diagnostics})
        click.echo(
            f"designdoc: recorded {len(diagnostics)} finding{'s' if len(diagnostics) != 1 else ''} in "
            f"{files} file{'s' if files != 1 else ''} in {update_baseline}; runs with --baseline "
            f"{update_baseline} report only new ones",
            err=True,
        )
        return baseline.filter(diagnostics, accepted)
    if accepted is None:
        return diagnostics
    shown = baseline.filter(diagnostics, accepted)
    hidden = len(diagnostics) - len(shown)
    if hidden:
        click.echo(
            f"designdoc: {hidden} finding{'s' if hidden != 1 else ''} recorded in the baseline not shown", err=True
        )
    return shown


def _exit_code(diagnostics: list, *, strict: bool, failed: bool) -> int:
    """Return 1 for findings at the threshold (or a file that went unchecked, or a fix that failed), else 0."""
    from designdoc.model.diagnostics import Severity

    threshold = Severity.WARNING if strict else Severity.ERROR
    # a file that could not be checked is a finding whatever its severity: it went unchecked
    return 1 if failed or any(d.severity >= threshold or d.rule == "file-skipped" for d in diagnostics) else 0


def _render(fmt: str, diagnostics: list, result, *, colour: bool) -> str:
    """Return the report in the asked format."""
    from designdoc.output import text as report

    if fmt == "json":
        from designdoc.output.json import format_json

        return format_json(diagnostics, result.files)
    if fmt == "sarif":
        from designdoc.check.extracts import texts_as_checked
        from designdoc.output.sarif import format_sarif

        extracted = getattr(result, "extracted", ())  # a --fix run offers no fixes left
        return format_sarif(diagnostics, texts_as_checked(diagnostics, extracted))
    if fmt == "github":
        from designdoc.output.github import format_github

        return format_github(diagnostics, result.files)
    lines = [report.text_line(d, colour=colour) for d in diagnostics]
    return "\n".join(lines + [report.summary_line(diagnostics, result.files)]) + "\n"


def _as_walked(candidates, config):
    """Treat named files as met in a walk: non-docs and `exclude`d files are skipped silently."""
    import dataclasses

    from designdoc.files.discovery import excluded

    return [
        dataclasses.replace(c, named=False)
        for c in candidates
        if not (c.named and excluded(c.path, c.path.parent, config))
    ]
