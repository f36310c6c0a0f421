"""The publishing commands: `build` and `serve` (registered on the `designdoc` group).

Commands only: parse arguments, call `site.build` / `server`, print, exit.  jinja2,
pygments, nh3, starlette and uvicorn are imported inside the commands, so `designdoc
check` never loads them.
"""

from __future__ import annotations

from pathlib import Path

import click

from designdoc.cli.common import setup
from designdoc.cli.progress import build_progress


def _common(function):
    """Add the options both commands share."""
    function = click.option("--config", "config_file", metavar="F", help="Use this configuration file.")(function)
    function = click.option("--template", metavar="T", help="Read docs of this template file.")(function)
    return click.argument("paths", nargs=-1, type=click.Path())(function)


@click.command("build")
@_common
@click.option(
    "-o",
    "--output",
    default="site",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder to write the site to (created; only a designdoc site is updated in place).",
)
@click.option("--jobs", type=click.IntRange(min=1), metavar="N", help="Render with N processes (default: the CPUs).")
@click.option("--no-search", is_flag=True, help="Skip the search index (pagefind).")
def build_command(
    paths: tuple[str, ...],
    config_file: str | None,
    template: str | None,
    output: str,
    jobs: int | None,
    no_search: bool,
) -> int:
    """Publish the docs as a static site: catalog, dashboard, one page per doc, search."""
    from designdoc.site.build import build

    config, tmpl = setup(config_file, template)
    targets = config.targets(paths)
    with build_progress() as progress:
        result = build(
            targets, Path(output), config=config, template=tmpl, jobs=jobs, search=not no_search, progress=progress
        )
    for note in result.notes:
        click.echo(f"designdoc: warning: {note}", err=True)
    if result.pages == 0:
        click.echo(f"designdoc: warning: no design docs found in {', '.join(targets)}", err=True)
    click.echo(
        f"Built {result.pages} doc page{'s' if result.pages != 1 else ''} in {output} "
        f"({result.rendered} rendered, {result.written} files written, {result.removed} removed"
        f"{', search index built' if result.indexed else ''}); open "
        f"{Path(output) / 'index.html'}",
        err=True,
    )
    return 0


@click.command("serve")
@_common
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(min=0, max=65535),
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback exposes the docs to the network.",
)
def serve_command(paths: tuple[str, ...], config_file: str | None, template: str | None, port: int, host: str) -> int:
    """Preview the site: build it, serve it, rebuild and reload open pages on every save."""
    from designdoc.site.serve import serve

    targets = list(paths) or None
    return serve(
        targets, host=host, port=port, config_file=config_file, template=template, first_build_progress=build_progress
    )
