"""What the commands share: reading the settings, rule lists, writing a report, shell completion.

Nothing here registers a command; `main` assembles the group from the command modules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from designdoc.model.errors import DesignDocError, UsageError


def setup(config_file: str | None, template: str | None):
    """Return the configuration (found, or the one named) and the template to check against."""
    from designdoc.config import load as config_module

    config = config_module.load(explicit=Path(config_file) if config_file else None)
    return config, config_module.load_template(config, template)


def make_checker(config_file: str | None = None, template: str | None = None):
    """Return a Checker for the found (or named) configuration and template."""
    from designdoc.check.runner import Checker

    config, tmpl = setup(config_file, template)
    return Checker(config, tmpl)


def split_rules(values: Sequence[str]) -> list[str]:
    """Return the rule slugs of repeated, comma-separated options; an unknown slug is a usage error."""
    from designdoc.model.text import did_you_mean
    from designdoc.rules import ALL_RULES, by_slug

    slugs = [s.strip() for value in values for s in value.split(",") if s.strip()]
    for slug in slugs:
        if by_slug(slug) is None:
            hint = did_you_mean(slug, (r.slug for r in ALL_RULES))
            raise UsageError(f"unknown rule {slug!r}{hint} (see 'designdoc rules')")
    return slugs


def emit(text: str, output: str | None) -> None:
    """Print `text`, or write it to the file `output`."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, "utf-8")
    except OSError as error:
        raise UsageError(f"{output}: cannot write the report ({error.strerror})") from None


def complete_rules(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Complete rule slugs, also after commas (`--select section-missing,sec<TAB>`)."""
    from designdoc.rules import ALL_RULES

    done, _, last = incomplete.rpartition(",")
    prefix = f"{done}," if done else ""
    chosen = set(done.split(",")) if done else set()
    return [
        CompletionItem(prefix + r.slug, help=r.summary)
        for r in ALL_RULES
        if r.slug.startswith(last) and r.slug not in chosen
    ]


def complete_statuses(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Complete lifecycle statuses (the configured vocabulary, if any)."""
    from designdoc.config import load as config_module
    from designdoc.model.lifecycle import DESIGN_DOC

    try:
        lifecycle = config_module.load().lifecycle
    except DesignDocError:
        lifecycle = DESIGN_DOC
    return [
        CompletionItem(s, help=_reachable_from(s, lifecycle.moves)) for s in lifecycle.names if s.startswith(incomplete)
    ]


def _reachable_from(status: str, transitions: Mapping[str, frozenset[str]]) -> str:
    sources = sorted(source for source, targets in transitions.items() if status in targets)
    return f"from {', '.join(sources)}" if sources else "initial"
