"""The commands that move a doc through its life: `new`, `status` and `bump`."""

from __future__ import annotations

from pathlib import Path

import click

from designdoc.cli.common import complete_statuses, make_checker


@click.command()
@click.argument("title")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Folder (default: new_dir, docs/design).")
@click.option(
    "--owner", "owners", multiple=True, metavar="EMAIL", help="An owner (repeatable; default: git config user.email)."
)
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="A tag (repeatable).")
@click.option("--template", metavar="T", help="Scaffold from this template file.")
@click.option("--config", "config_file", metavar="F", help="Use this configuration file.")
def new(
    title: str,
    directory: str | None,
    owners: tuple[str, ...],
    tags: tuple[str, ...],
    template: str | None,
    config_file: str | None,
) -> int:
    """Write a new doc from the template; print its path."""
    from designdoc.files.discovery import display
    from designdoc.operations.new import errors_of, plan_new, write_planned

    checker = make_checker(config_file, template)
    planned = plan_new(
        title,
        checker.config,
        checker.template,
        directory=Path(directory) if directory else None,
        owners=list(owners),
        tags=list(tags),
        today=checker.today,
    )
    path = write_planned(planned)
    click.echo(display(path))
    for found in errors_of(path, checker):  # written as asked, but the check will say so: say it now
        click.echo(f"designdoc: warning: {found.path}:{found.line}: {found.message} [{found.rule}]", err=True)
    return 0


@click.command()
@click.argument("doc", type=click.Path(dir_okay=False))
@click.argument("new_status", shell_complete=complete_statuses)
@click.option("--by", "by", multiple=True, metavar="DOC", help="The successor (with 'superseded'; repeatable).")
@click.option("--config", "config_file", metavar="F", help="Use this configuration file.")
def status(doc: str, new_status: str, by: tuple[str, ...], config_file: str | None) -> int:
    """Move DOC to NEW_STATUS, if the lifecycle and its gates allow it."""
    from designdoc.operations.revise import change_status

    moved = change_status(Path(doc), new_status, [Path(p) for p in by], make_checker(config_file))
    written = moved.written
    if not written:
        click.echo(f"{doc}: already {new_status}, nothing to do")
        return 0
    others = [w for w in written if Path(w).resolve() != Path(doc).resolve()]  # a successor, a sidecar
    also = f" (also updated: {', '.join(others)})" if others else ""
    click.echo(f"{doc}: status {new_status}{also}")
    if moved.version:
        before, after = moved.version
        click.echo(f"{doc}: version {before} -> {after} (a doc is {after} or later from {new_status!r} on)")
    return 0


@click.command()
@click.argument("doc", type=click.Path(dir_okay=False))
@click.argument("part", type=click.Choice(("major", "minor", "patch")))
@click.option("--config", "config_file", metavar="F", help="Use this configuration file.")
def bump(doc: str, part: str, config_file: str | None) -> int:
    """Bump DOC's version (semver) and set its dates to today."""
    from designdoc.operations.revise import bump as bump_version

    click.echo(f"{doc}: version {bump_version(Path(doc), part, make_checker(config_file))}")
    return 0
