"""The `designdoc` command line: parse arguments, call the library, print, exit.

Exit codes: 0 clean, 1 findings (or a refused operation), 2 usage, config or
internal error.  `main` is the one place that turns errors into exit codes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from designdoc import __version__
from designdoc.model.errors import DesignDocError, UsageError

FORMATS = ("text", "json", "sarif", "github")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="designdoc",
                          standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("designdoc: interrupted", err=True)
        return 130
    except click.exceptions.ClickException as error:
        error.show()
        return 2 if isinstance(error, click.UsageError) else error.exit_code
    except click.exceptions.Exit as done:
        return done.exit_code
    except DesignDocError as error:
        click.echo(f"designdoc: {error}", err=True)
        return error.exit_code
    except BrokenPipeError:
        return 1
    except Exception as error:  # an internal error: one line, the traceback only on request
        if os.environ.get("DESIGNDOC_DEBUG"):
            raise
        click.echo(f"designdoc: internal error: {type(error).__name__}: {error} "
                   "(set DESIGNDOC_DEBUG=1 for the traceback)", err=True)
        return 2
    return result if isinstance(result, int) else 0


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="designdoc")
def cli() -> None:
    """Scaffold, check, fix, catalog and publish design documents written from a template."""


def _split(values: Sequence[str]) -> list[str]:
    from designdoc.rules import by_slug

    slugs = [s.strip() for value in values for s in value.split(",") if s.strip()]
    for slug in slugs:
        if by_slug(slug) is None:
            raise UsageError(f"unknown rule {slug!r} (see 'designdoc rules')")
    return slugs


def _setup(config_file: str | None, template: str | None):  # noqa: ANN202
    from designdoc.config import load as config_module
    from designdoc.check.runner import load_template

    config = config_module.load(explicit=Path(config_file) if config_file else None)
    return config, load_template(config, template)


def _complete_rules(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    from designdoc.cli.setup import complete_rules

    return complete_rules(ctx, param, incomplete)


def _complete_statuses(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    from designdoc.cli.setup import complete_statuses

    return complete_statuses(ctx, param, incomplete)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--fix", is_flag=True, help="Apply safe fixes, then report what is left.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option("--select", multiple=True, metavar="RULES", help="Only these rules (comma-separated slugs).",
              shell_complete=_complete_rules)
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules (comma-separated slugs).",
              shell_complete=_complete_rules)
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--template", metavar="T", help="Check against this template file.")
@click.option("--config", "config_file", metavar="F", help="Use this configuration file.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="With --fix: exit 1 when a file was changed.")
@click.option("--only-docs", is_flag=True,
              help="Skip named files that are not design docs, as in a folder (for pre-commit).")
@click.option("--base", metavar="REV", help="Also check status moves since the merge-base of REV and HEAD.")
@click.option("--jobs", type=click.IntRange(min=1), metavar="N", help="Processes to check with (default: the cores, "
              "for enough files).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the check cache (.designdoc-cache/).")
@click.option("--baseline", "baseline_file", metavar="F", type=click.Path(dir_okay=False),
              help="Report only findings that baseline F does not record.")
@click.option("--update-baseline", metavar="F", type=click.Path(dir_okay=False),
              help="Record every current finding in baseline F (adopting designdoc on existing docs).")
def check(paths: tuple[str, ...], fix: bool, diff: bool, fmt: str, output: str | None, select: tuple[str, ...],
          ignore: tuple[str, ...], strict: bool, template: str | None, config_file: str | None,
          exit_non_zero_on_fix: bool = False, only_docs: bool = False, base: str | None = None,
          jobs: int | None = None, no_cache: bool = False,
          baseline_file: str | None = None, update_baseline: str | None = None) -> int:
    """Check design docs (files or folders; default: the configured paths, else '.')."""
    from designdoc.check import baseline
    from designdoc.model.diagnostics import Severity
    from designdoc.check.linter import select as select_rules
    from designdoc.check.runner import Checker, discover

    if fix and diff:
        raise UsageError("--fix and --diff cannot be used together")
    if exit_non_zero_on_fix and not fix:
        raise UsageError("--exit-non-zero-on-fix needs --fix")
    if baseline_file and update_baseline:
        raise UsageError("--baseline and --update-baseline cannot be used together")
    accepted = baseline.load(Path(baseline_file)) if baseline_file else None  # a bad file: exit 2 before any work
    config, tmpl = _setup(config_file, template)
    rules = select_rules(select=_split(select), ignore=_split(ignore))
    targets = list(paths) or list(config.paths) or ["."]
    candidates, _ = discover(targets, config)
    if only_docs:
        candidates = _as_walked(candidates, config)
    checker = Checker(config, tmpl, rules=rules, base=base)
    if fix or diff:
        from designdoc.operations.fix import fix_files

        result = fix_files(checker, candidates, write=fix, diff=diff, jobs=jobs, cache=not no_cache,
                           progress=_progress(len(candidates)))
        for line in result.errors:
            click.echo(f"designdoc: {line}", err=True)
        if diff:
            _emit(result.diff, output)
            return 1 if result.diff or result.errors else 0
        if result.written:
            noun = "file" if len(result.written) == 1 else "files"
            click.echo(f"Fixed {len(result.written)} {noun}: {', '.join(result.written)}", err=True)
    else:
        extract = None
        if fmt == "sarif":  # its fixes need the texts as checked: their hashes, to read them again
            from designdoc.operations.fix import TextHashes

            extract = TextHashes()
        result = checker.run(candidates, jobs=jobs, cache=not no_cache, progress=_progress(len(candidates)),
                             extract=extract)
    for note in getattr(result, "notes", ()):
        click.echo(f"designdoc: warning: {note}", err=True)
    diagnostics = result.diagnostics
    if update_baseline:
        baseline.write(Path(update_baseline), diagnostics)
        accepted = baseline.from_diagnostics(diagnostics, Path(update_baseline).parent)
    if accepted is not None:
        diagnostics = baseline.filter(diagnostics, accepted)
        hidden = len(result.diagnostics) - len(diagnostics)
        if hidden:
            click.echo(f"designdoc: {hidden} finding{'s' if hidden != 1 else ''} recorded in the baseline not shown",
                       err=True)
    if result.files == 0 and any(Path(p).is_dir() for p in targets):
        click.echo(f"designdoc: warning: no design docs found in {', '.join(targets)}", err=True)
    text = _render(fmt, diagnostics, result, colour=output is None and sys.stdout.isatty()
                   and not os.environ.get("NO_COLOR"))
    _emit(text, output)
    if exit_non_zero_on_fix and result.written:
        return 1  # like a formatter: the commit must pick up the changed files
    threshold = Severity.WARNING if strict else Severity.ERROR
    failed = getattr(result, "errors", None)
    # a file that could not be checked is a finding whatever its severity: it went unchecked
    return 1 if failed or any(d.severity >= threshold or d.rule == "file-skipped" for d in diagnostics) else 0


PROGRESS_FROM = 200  # files: a smaller run is over before a progress line would help


def on_terminal() -> bool:
    """Return True when progress may be shown: stderr is a terminal and this is not CI."""
    return not os.environ.get("CI") and sys.stderr.isatty()


class ProgressLine:
    """One status line on stderr, rewritten in place, and cleared before anything else is printed."""

    def __init__(self) -> None:
        self.width = 0

    def show(self, text: str) -> None:
        """Replace the line with `text`."""
        click.echo("\r" + text.ljust(self.width), err=True, nl=False)
        self.width = max(self.width, len(text))

    def clear(self) -> None:
        """Remove the line."""
        if self.width:
            click.echo("\r" + " " * self.width + "\r", err=True, nl=False)
            self.width = 0


def build_stages(line: ProgressLine):  # noqa: ANN202 - the build's progress callback
    """Return a site build's progress callback on `line`: files checked and rendered, then the search index."""

    def show(stage: str, done: int, total: int) -> None:
        if stage == "check" and total >= PROGRESS_FROM and (done % 50 == 0 or done == total):
            line.show(f"designdoc: checked and rendered {done}/{total} files")
        elif stage == "index":
            line.show("designdoc: indexing the pages for search" + (f" ({done}/{total} bundles)" if total > 1 else ""))

    return show


def _progress(total: int):  # noqa: ANN202 - a callback or None
    """Return a callback showing files done / total on a terminal's stderr; None when piped or in CI."""
    if total < PROGRESS_FROM or not on_terminal():
        return None
    line = ProgressLine()
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if done % 50 == 0 or done == total:
            line.show(f"designdoc: checked {done}/{total} files")
        if done == total:  # leave the line clean for the report
            line.clear()

    return tick


def _render(fmt: str, diagnostics: list, result, *, colour: bool) -> str:  # noqa: ANN001
    """Return the report in the asked format."""
    from designdoc.output import text as report

    if fmt == "json":
        return report.format_json(diagnostics, result.files)
    if fmt == "sarif":
        from designdoc.operations.fix import texts_as_checked
        from designdoc.output.sarif import format_sarif

        return format_sarif(diagnostics, texts_as_checked(diagnostics, getattr(result, "extracted", ())))
    if fmt == "github":
        return report.format_github(diagnostics, result.files)
    lines = [report.text_line(d, colour=colour) for d in diagnostics]
    return "\n".join(lines + [report.summary_line(diagnostics, result.files)]) + "\n"


def _as_walked(candidates, config):  # noqa: ANN001,ANN202
    """Treat named files as met in a walk: non-docs and `exclude`d files are skipped silently."""
    import dataclasses

    from designdoc.files.discovery import excluded

    return [dataclasses.replace(c, named=False) for c in candidates
            if not (c.named and excluded(c.path, c.path.parent, config))]


def _emit(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, "utf-8")
    except OSError as error:
        raise UsageError(f"{output}: cannot write the report ({error.strerror})") from None


def _checker(config_file: str | None = None, template: str | None = None):  # noqa: ANN202
    from designdoc.check.runner import Checker

    config, tmpl = _setup(config_file, template)
    return Checker(config, tmpl)


@cli.command()
@click.argument("title")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Folder (default: new_dir, docs/design).")
@click.option("--owner", metavar="EMAIL", help="Owner (default: git config user.email).")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="A tag (repeatable).")
@click.option("--template", metavar="T", help="Scaffold from this template file.")
@click.option("--config", "config_file", metavar="F", help="Use this configuration file.")
def new(title: str, directory: str | None, owner: str | None, tags: tuple[str, ...], template: str | None,
        config_file: str | None) -> int:
    """Write a new doc from the template; print its path."""
    from designdoc.operations.revise import new_doc
    from designdoc.check.runner import display

    checker = _checker(config_file, template)
    path = new_doc(title, checker.config, checker.template, directory=Path(directory) if directory else None,
                   owner=owner, tags=list(tags), today=checker.today)
    click.echo(display(path))
    return 0


@cli.command()
@click.argument("doc", type=click.Path(dir_okay=False))
@click.argument("new_status", shell_complete=_complete_statuses)
@click.option("--by", "by", multiple=True, metavar="DOC", help="The successor (with 'superseded'; repeatable).")
@click.option("--config", "config_file", metavar="F", help="Use this configuration file.")
def status(doc: str, new_status: str, by: tuple[str, ...], config_file: str | None) -> int:
    """Move DOC to NEW_STATUS, if the lifecycle and its gates allow it."""
    from designdoc.operations.revise import change_status

    written = change_status(Path(doc), new_status, [Path(p) for p in by], _checker(config_file))
    if written:
        click.echo(f"{doc}: status {new_status}" + (f" (also updated: {', '.join(written[1:])})" if len(written) > 1 else ""))
    else:
        click.echo(f"{doc}: already {new_status}, nothing to do")
    return 0


@cli.command()
@click.argument("doc", type=click.Path(dir_okay=False))
@click.argument("part", type=click.Choice(("major", "minor", "patch")))
@click.option("--config", "config_file", metavar="F", help="Use this configuration file.")
def bump(doc: str, part: str, config_file: str | None) -> int:
    """Bump DOC's version (semver) and set its dates to today."""
    from designdoc.operations.revise import bump as bump_version

    click.echo(f"{doc}: version {bump_version(Path(doc), part, _checker(config_file))}")
    return 0


@cli.command("rules")
def rules_command() -> int:
    """List every rule with its default severity and whether it can fix."""
    from designdoc.rules import ALL_RULES

    width = max(len(r.slug) for r in ALL_RULES)
    click.echo(f"{'rule':<{width}}  {'default':<12}  fix  summary")
    for r in ALL_RULES:
        click.echo(f"{r.slug:<{width}}  {r.default_label:<12}  {'yes' if r.fixable else '   '}  {r.summary}")
    return 0


@cli.command("rule")
@click.argument("slug", shell_complete=_complete_rules)
def rule_command(slug: str) -> int:
    """Show one rule's documentation."""
    from designdoc.rules import by_slug

    found = by_slug(slug)
    if found is None:
        raise UsageError(f"unknown rule {slug!r} (see 'designdoc rules')")
    click.echo(f"# {found.slug}\n\nDefault severity: {found.default_label}"
               f" (completeness: a warning in draft, an error from review on)" * (found.default_label == "completeness")
               + f"\nFixable: {'yes' if found.fixable else 'no'}\n\n{found.doc}")
    return 0


from designdoc.cli import template as cli_template  # noqa: E402,F401


from designdoc.cli import setup as cli_tools  # noqa: E402,F401


from designdoc.cli import catalog as cli_catalog  # noqa: E402,F401  (registers list, index, graph)
from designdoc.cli import site as cli_site  # noqa: E402,F401
