"""The catalog commands: `list`, `index` and `graph` (registered on the `designdoc` group).

Commands only: parse arguments, load the catalog, print or write, exit.  The
rendering lives in `catalog.py`; every write goes through `writer.py`.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click

from designdoc.cli.common import setup
from designdoc.files import writer
from designdoc.model.errors import UsageError, WriteError
from designdoc.model.text import decode, encode

LIST_FORMATS = ("table", "json", "csv")
GRAPH_FORMATS = ("mermaid", "dot", "json")


def _catalog(paths: tuple[str, ...], config_file: str | None, template: str | None):
    from designdoc.catalog import entries as catalog

    config, tmpl = setup(config_file, template)
    targets = config.targets(paths)
    loaded = catalog.load(targets, config=config, template=tmpl)
    if not loaded.entries and any(Path(p).is_dir() for p in targets):
        click.echo(f"designdoc: warning: no design docs found in {', '.join(targets)}", err=True)
    return loaded


def _common(function):
    """Add the options every catalog command shares."""
    function = click.option("--config", "config_file", metavar="F", help="Use this configuration file.")(function)
    function = click.option("--template", metavar="T", help="Read docs of this template file.")(function)
    return click.argument("paths", nargs=-1, type=click.Path(readable=False))(function)


@click.command("list")
@_common
@click.option("--status", "statuses", multiple=True, metavar="S", help="Only docs in this status (repeatable).")
@click.option("--owner", metavar="O", help="Only docs this email address owns.")
@click.option("--tag", metavar="T", help="Only docs with this tag.")
@click.option(
    "--stale",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Only docs last updated more than DAYS days ago (any status).",
)
@click.option(
    "--outdated",
    is_flag=True,
    help="Only docs that follow an older version of the template (see `designdoc template history`).",
)
@click.option(
    "--sort",
    "sort_by",
    default="path",
    show_default=True,
    metavar="FIELD",
    help="Order by this field (path, title, status, version, owners, last_updated, age_days, tags, "
    "errors, warnings, last_commit).",
)
@click.option("--format", "fmt", type=click.Choice(LIST_FORMATS), default="table", show_default=True)
def list_command(
    paths: tuple[str, ...],
    config_file: str | None,
    template: str | None,
    statuses: tuple[str, ...],
    owner: str | None,
    tag: str | None,
    stale: int | None,
    outdated: bool,
    sort_by: str,
    fmt: str,
) -> int:
    """List design docs with status, owners, dates, tags and findings."""
    from designdoc.catalog import entries as catalog
    from designdoc.catalog import render

    if sort_by not in catalog.FIELDS:
        raise UsageError(f"--sort: unknown field {sort_by!r} (expected one of: {', '.join(catalog.FIELDS)})")
    loaded = _catalog(paths, config_file, template)
    unknown = [s for s in statuses if s not in loaded.statuses]
    if unknown:
        raise UsageError(f"--status: unknown status {unknown[0]!r} (expected one of: {', '.join(loaded.statuses)})")
    entries = loaded.sort(
        loaded.select(statuses=statuses, owner=owner, tag=tag, stale=stale, outdated=outdated), sort_by
    )
    if not loaded.git.available and loaded.entries:
        click.echo(f"designdoc: note: no commit dates ({loaded.git.reason}); last_commit is empty", err=True)
    elif loaded.git.shallow:
        from designdoc.check.git import SHALLOW_NOTE

        click.echo(f"designdoc: warning: {SHALLOW_NOTE}", err=True)
    if fmt == "json":
        click.echo(render.to_json(entries), nl=False)
    elif fmt == "csv":
        click.echo(render.to_csv(entries), nl=False)
    else:
        # on a terminal (or with COLUMNS set) the table fits that width; piped, nothing is cut
        fits = sys.stdout.isatty() or "COLUMNS" in os.environ
        width = shutil.get_terminal_size((120, 24)).columns if fits else None
        click.echo(render.to_table(entries, width), nl=False)
    return 0


@click.command("index")
@_common
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="The Markdown file to write the catalog into (between its markers); default: print it.",
)
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 when FILE would change.")
def index_command(
    paths: tuple[str, ...], config_file: str | None, template: str | None, output: str | None, check_only: bool
) -> int:
    """Write a Markdown catalog, one table per status, between index markers in FILE."""
    from designdoc.catalog import render

    if check_only and output is None:
        raise UsageError("--check needs --output FILE")
    loaded = _catalog(paths, config_file, template)
    if output is None:
        click.echo(render.index_block(loaded, Path.cwd() / "index.md"))
        return 0
    target = Path(output)
    snap = writer.snapshot(target) if target.exists() else None
    existing, bom = _decode(snap.data, output) if snap is not None else (None, False)
    newline = _newline(existing)
    try:
        text = render.merge_index(existing, render.index_block(loaded, target, newline), newline)
    except ValueError as error:
        raise UsageError(f"{output}: the index {error}") from None
    if text == existing:
        return 0
    if check_only:
        click.echo(f"designdoc: {output} is out of date (run 'designdoc index --output {output}')", err=True)
        return 1
    data = encode(text, bom)
    if snap is None:
        writer.write_new(target, data)
    else:
        writer.write_atomic(snap, data)
    click.echo(f"designdoc: wrote {output}", err=True)
    return 0


def _decode(data: bytes, output: str) -> tuple[str, bool]:
    try:
        return decode(data)
    except UnicodeDecodeError:
        raise WriteError(f"{output}: not valid UTF-8, not written") from None


def _newline(text: str | None) -> str:
    from designdoc.model.text import newline_of

    return newline_of(text) if text else "\n"


@click.command("graph")
@_common
@click.option("--format", "fmt", type=click.Choice(GRAPH_FORMATS), default="mermaid", show_default=True)
def graph_command(paths: tuple[str, ...], config_file: str | None, template: str | None, fmt: str) -> int:
    """Print the supersede relations and doc-to-doc links as a graph."""
    from designdoc.catalog import render

    loaded = _catalog(paths, config_file, template)
    render = {"mermaid": render.graph_mermaid, "dot": render.graph_dot, "json": render.graph_json}[fmt]
    click.echo(render(loaded), nl=False)
    return 0
