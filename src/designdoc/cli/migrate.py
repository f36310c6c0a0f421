"""`designdoc migrate`: bring docs forward to the current (or another) version of their template.

The command only reads its arguments, calls `operations.migrate` and prints one line per
doc; conflicts name the place (`path:line: …`) as a merge conflict would.
"""

from __future__ import annotations

import click

from designdoc.cli.common import make_checker
from designdoc.cli.progress import file_ticker


@click.command("migrate")
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option(
    "--to",
    "to",
    metavar="VERSION",
    help="The version to migrate to: a name, a commit or a date (default: the current template).",
)
@click.option("--diff", is_flag=True, help="Print the changes as a unified diff; write nothing.")
@click.option("--config", "config_file", metavar="F", help="Use this configuration file.")
def migrate_command(paths: tuple[str, ...], to: str | None, diff: bool, config_file: str | None) -> int:
    """Rename headings, add sections and write the version marker, so docs (files or folders;
    default: the configured paths, else '.') follow another version of their template."""
    from designdoc.files.discovery import discover
    from designdoc.operations.migrate import migrate_files

    checker = make_checker(config_file)
    candidates, _ = discover(checker.config.targets(paths), checker.config)
    run = migrate_files(checker, candidates, to=to, write=not diff, diff=diff, progress=file_ticker(len(candidates)))
    for note in run.notes:
        click.echo(f"designdoc: warning: {note}", err=True)
    if run.single:
        click.echo(
            "designdoc: nothing to migrate: the template has one version (no git history of it, "
            "no [[template_versions]] in the configuration)",
            err=True,
        )
        return 0
    for outcome in run.outcomes:  # with --diff, stdout is the patch
        click.echo(outcome.summary(), err=diff)
        for conflict in outcome.migration.conflicts if outcome.migration is not None else ():
            click.echo(f"{conflict.path}:{conflict.line}: conflict: {conflict.message}", err=diff)
    if diff:
        click.echo(run.diff, nl=False)
    elif not run.outcomes:
        click.echo("designdoc: warning: no design docs found", err=True)
    return 1 if run.failed else 0
