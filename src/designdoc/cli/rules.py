"""`designdoc rules` and `designdoc rule SLUG`: the rule catalogue and one rule's documentation."""

from __future__ import annotations

import click

from designdoc.cli.common import complete_rules
from designdoc.model.errors import UsageError


@click.command("rules")
def rules_command() -> int:
    """List every rule with its default severity and whether it can fix."""
    from designdoc.rules import ALL_RULES

    width = max(len(r.slug) for r in ALL_RULES)
    click.echo(f"{'rule':<{width}}  {'default':<12}  fix  summary")
    for r in ALL_RULES:
        click.echo(f"{r.slug:<{width}}  {r.default_label:<12}  {'yes' if r.fixable else '   '}  {r.summary}")
    return 0


@click.command("rule")
@click.argument("slug", shell_complete=complete_rules)
def rule_command(slug: str) -> int:
    """Show one rule's documentation."""
    from designdoc.model.text import did_you_mean
    from designdoc.rules import ALL_RULES, by_slug

    found = by_slug(slug)
    if found is None:
        hint = did_you_mean(slug, (r.slug for r in ALL_RULES))
        raise UsageError(f"unknown rule {slug!r}{hint} (see 'designdoc rules')")
    severity = found.default_label
    if severity == "completeness":
        severity += " (a warning in draft, an error from review on)"
    click.echo(
        f"# {found.slug}\n\nDefault severity: {severity}\nFixable: {'yes' if found.fixable else 'no'}\n\n{found.doc}"
    )
    return 0
