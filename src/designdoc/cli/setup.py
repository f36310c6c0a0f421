"""Commands that meet people where they work: `lsp`, `init`, `completion`, `schema`.

Each reads its arguments, calls the library and prints, as every command does;
`main` adds them to the group.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from designdoc.cli.common import setup
from designdoc.model.errors import UsageError, WriteError

SHELLS = ("bash", "zsh", "fish")


@click.command("lsp")
def lsp_command() -> int:
    """Run the language server on stdin/stdout (for editors)."""
    from designdoc.lsp.server import serve  # pygls loads only here: `check` must stay quick to start

    serve()
    return 0


@click.command("init")
@click.option("--template", metavar="T", help="Start from this team template file (sets `template =`).")
@click.option("--preset", metavar="NAME", help="Follow this process (kep, swift-evolution, madr, …; see the README).")
def init_command(template: str | None, preset: str | None) -> int:
    """Write designdoc.toml with every default, create the docs folder, print hook and CI snippets.

    With --preset, the config names the process and holds its metadata and lifecycle tables;
    the team's template and docs folder are found where that process keeps them.
    """
    from designdoc.config import process as process_module
    from designdoc.config.starter import (
        CONFIG_NAME,
        ci_snippet,
        config_text,
        precommit_snippet,
    )
    from designdoc.files import writer
    from designdoc.model.settings import Config
    from designdoc.parse import template as template_module

    target = Path(CONFIG_NAME)
    _refuse_existing(target)
    docs = Path(Config().new_dir)
    if preset is not None:
        chosen = process_module.preset(preset, "--preset")  # exit 2, naming the presets, when misspelt
        if template is None and chosen.template_hint and Path(chosen.template_hint).is_file():
            template = chosen.template_hint
            click.echo(f"Found the {preset} template: {template}")
        if chosen.paths_hint and Path(chosen.paths_hint).is_dir():
            docs = Path(chosen.paths_hint)
    if template is not None:
        template_module.load(Path(template))  # TemplateError (exit 2) when it cannot be used
    text = config_text(template=template, preset=preset, paths=(docs.as_posix(),))
    writer.write_new(target, text.encode("utf-8"))  # never over an existing file
    try:
        docs.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteError(f"{error.filename or docs}: cannot create the folder ({error.strerror})") from None
    if not any(docs.iterdir()):  # git keeps no empty folder: the docs folder would vanish from a clone
        writer.write_new(docs / ".gitkeep", b"")
    click.echo(f"Wrote {target} and created {docs.as_posix()}/.\n")
    click.echo(precommit_snippet(docs.as_posix()))
    click.echo(ci_snippet(docs.as_posix()), nl=False)
    return 0


def _refuse_existing(target: Path) -> None:
    if target.exists():
        raise WriteError(f"{target}: already exists, not overwritten")
    pyproject = Path("pyproject.toml")
    if pyproject.is_file():
        import tomllib

        try:
            table = tomllib.loads(pyproject.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return
        if "designdoc" in table.get("tool", {}):
            raise WriteError("pyproject.toml: already has a [tool.designdoc] configuration, nothing written")


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_command(shell: str) -> int:
    """Print the shell completion script (e.g. `eval "$(designdoc completion bash)"`)."""
    from click.shell_completion import get_completion_class

    completion = get_completion_class(shell)
    if completion is None:  # pragma: no cover - click ships all three
        raise UsageError(f"no completion for {shell}")
    root = click.get_current_context().find_root().command
    click.echo(completion(root, {}, "designdoc", "_DESIGNDOC_COMPLETE").source())
    return 0


@click.command("schema")
@click.argument("what", type=click.Choice(("frontmatter", "config")))
@click.option("--template", metavar="T", help="The template (default: the configured one).")
@click.option("--config", "config_file", metavar="F", help="Use this configuration file.")
def schema_command(what: str, template: str | None, config_file: str | None) -> int:
    """Print the JSON Schema (2020-12) of the front matter or of the config file."""
    from designdoc.output import jsonschema as json_schema

    if what == "config":
        schema = json_schema.config_schema()
    else:
        config, tmpl = setup(config_file, template)
        schema = json_schema.frontmatter_schema(tmpl, config)
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))
    return 0
