"""The `designdoc` command line: the group, its commands, and `main`.

Each command lives in the module of its family (`check`, `lifecycle`, `catalog`,
`rules`, `template`, `site`, `setup`) and is added to the group here; a command
parses its arguments, calls the library and prints.

Exit codes: 0 clean, 1 findings (or a refused operation), 2 usage, config or
internal error.  `main` is the one place that turns errors into exit codes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import click

from designdoc import __version__
from designdoc.cli import catalog, check, lifecycle, migrate, rules, setup, site, template
from designdoc.model.errors import DesignDocError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="designdoc", standalone_mode=False)
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
        click.echo(
            f"designdoc: internal error: {type(error).__name__}: {error} (set DESIGNDOC_DEBUG=1 for the traceback)",
            err=True,
        )
        return 2
    return result if isinstance(result, int) else 0


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="designdoc")
def cli() -> None:
    """Scaffold, check, fix, catalog and publish design documents written from a template."""


for command in (
    check.check,
    lifecycle.new,
    lifecycle.status,
    lifecycle.bump,
    migrate.migrate_command,
    catalog.list_command,
    catalog.index_command,
    catalog.graph_command,
    rules.rules_command,
    rules.rule_command,
    template.template_group,
    site.build_command,
    site.serve_command,
    setup.init_command,
    setup.completion_command,
    setup.schema_command,
    setup.lsp_command,
):
    cli.add_command(command)
