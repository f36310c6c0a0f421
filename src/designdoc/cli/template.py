"""`designdoc template show` and `template history`: the contract a template derives to, and its versions.

Commands only: the contract itself is `template.contract()`; this module picks
the template (argument, `--template` in the config, else the built-in one) and
prints it as text or JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import click

_PREVIEW = 70  # characters of guidance shown per section in the text format


@click.group("template")
def template_group() -> None:
    """Inspect the template docs are checked against."""


@template_group.command("show")
@click.argument("template", required=False, metavar="[T]")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--config", "config_file", metavar="F", help="Use this configuration file.")
def show(template: str | None, fmt: str, config_file: str | None) -> int:
    """Show what template T (default: the configured one, else the built-in) asks of a doc."""
    from designdoc.config import load as config_module
    from designdoc.config.load import load_template
    from designdoc.parse.template import contract

    config = config_module.load(explicit=Path(config_file) if config_file else None)
    data = contract(load_template(config, template))
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(render(data)))
    return 0


def render(data: dict) -> list[str]:
    """Return the text form of a template contract, one line per item."""
    lines = [
        f"template: {data['name']}",
        f"doc_type: {data['doc_type'] or '(none: in a folder, every *.md but the template is a doc)'}",
        f"schema: {data['schema'] or '(none: field types follow the template values)'}",
    ]
    title = data["title_heading"]
    if title["required"]:
        lines.append(f"title heading: required ({'placeholder ' if title['placeholder'] else ''}{title['text']!r})")
    else:
        lines.append("title heading: not required")
    lines += _fields(data["fields"])
    if data["preamble_guidance"]:
        lines.append(f"preamble guidance: {data['preamble_guidance']} block(s)")
    lines.append("sections:")
    for section in data["sections"]:
        lines += _section(section)
    footer = data["footer"]
    lines.append(f"footer: {footer['example']!r}" if footer else "footer: none")
    return lines


def _fields(fields: list[dict]) -> list[str]:
    if not fields:
        return ["front matter: none"]
    width = max(len(f["name"]) for f in fields)
    out = ["front matter:"]
    for f in fields:
        role = "placeholder" if f["placeholder"] else "default"
        out.append(f"  {f['name']:<{width}}  {f['kind']:<6}  {role:<11}  {_short(f['value'] or '')!r}")
    return out


def _section(section: dict) -> list[str]:
    flags = ["optional"] if section["optional"] else []
    rules = section["rules"]
    if rules["max_sentences"]:
        flags.append(f"max {rules['max_sentences']} sentences")
    flags += [f"requires {r}" for r in rules["require"]]
    if rules["allow_empty"]:
        flags.append("may be empty")
    head = f"  {'#' * section['level']} {section['name']}"
    out = [head + (f"  [{', '.join(flags)}]" if flags else "")]
    if section["guidance"]:
        more = len(section["guidance"]) - 1
        out.append(f"      guidance: {_short(section['guidance'][0])!r}" + (f" (+{more} more)" if more else ""))
    for sub in section["subsections"]:
        state = "required" if sub["required"] else "optional" if sub["optional"] else "not checked"
        out.append(f"      {'#' * sub['level']} {sub['name']}  [{state}]")
    return out


def _short(text: str) -> str:
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"


@template_group.command("history")
@click.argument("template", required=False, metavar="[T]")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--config", "config_file", metavar="F", help="Use this configuration file.")
def history(template: str | None, fmt: str, config_file: str | None) -> int:
    """List the versions of template T (default: the configured one): from its git history
    (first parent, renames followed; versions asking the same of a doc are one) and the
    config's [[template_versions]], with what each changed."""
    from designdoc.cli.common import setup
    from designdoc.config import versions as versions_module
    from designdoc.config.load import today
    from designdoc.files.discovery import display
    from designdoc.model.text import squeeze

    config, tmpl = setup(config_file, template)
    found = versions_module.load(config, tmpl, today=today())
    rows = []
    previous = None
    for version in found.versions:
        changes = found.changes(previous, version) if previous is not None else None
        rows.append(
            {
                "version": version.id,
                "since": None if version.date == dt.date.min else version.date.isoformat(),
                "origin": version.origin,
                "commits": list(version.commits),
                "sections": [s.name for s in version.template.sections],
                "changes": None if changes is None else dataclasses.asdict(changes),
                "summary": "first version" if changes is None else squeeze(changes.summary()),
            }
        )
        previous = version
    for note in found.notes:
        click.echo(f"designdoc: {note}", err=True)
    name = display(tmpl.path) if tmpl.path is not None else tmpl.name
    if fmt == "json":
        click.echo(json.dumps({"template": name, "versions": rows}, indent=2, ensure_ascii=False))
        return 0
    click.echo(f"template: {name}: {len(rows)} version{'s' if len(rows) != 1 else ''}")
    width = max(len(r["version"]) for r in rows)
    for row in rows:
        since = row["since"] or "always"
        count = len(row["commits"])
        commits = f"  {count} commits" if count > 1 else ""
        click.echo(f"  {row['version']:<{width}}  {since:<10}  {len(row['sections']):>2} sections{commits}")
        click.echo(f"      {row['summary']}")
    return 0
