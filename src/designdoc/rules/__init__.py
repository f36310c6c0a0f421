"""The rule catalogue: every rule, listed explicitly, in documentation order."""

from __future__ import annotations

from designdoc.rules import content, crossdoc, links, structure, unreadable
from designdoc.rules import fields as frontmatter
from designdoc.rules import prose as text
from designdoc.rules.registry import COMPLETENESS, Context, Rule

ALL_RULES: tuple[Rule, ...] = (
    frontmatter.frontmatter_missing,
    frontmatter.frontmatter_invalid,
    frontmatter.field_missing,
    frontmatter.field_type,
    frontmatter.field_value,
    frontmatter.field_placeholder,
    frontmatter.field_unknown,
    frontmatter.date_in_future,
    structure.title_missing,
    structure.title_mismatch,
    structure.section_missing,
    structure.section_order,
    structure.section_duplicate,
    structure.section_empty,
    structure.section_placeholder,
    text.todo_marker,
    structure.footer_missing,
    structure.footer_date_mismatch,
    structure.footer_draft_note,
    unreadable.encoding_invalid,
    text.hidden_character,
    unreadable.file_skipped,
    text.mojibake,
    content.purpose_too_long,
    content.scope_list_missing,
    content.non_goals_missing,
    content.diagram_missing,
    content.mermaid_unknown_type,
    content.alternatives_missing,
    content.open_questions_unresolved,
    content.acceptance_criteria_missing,
    content.table_missing,
    content.code_missing,
    links.link_broken,
    links.reference_broken,
    frontmatter.superseded_by_missing,
    frontmatter.stale,
    crossdoc.supersede_asymmetric,
    crossdoc.superseded_status_mismatch,
    crossdoc.supersede_cycle,
    crossdoc.last_updated_behind_commit,
    crossdoc.status_transition_illegal,
)

_BY_SLUG = {r.slug: r for r in ALL_RULES}
# the words a template's `require = [...]` may hold: one rule checks each
REQUIREMENTS: tuple[str, ...] = tuple(r.requirement for r in ALL_RULES if r.requirement)


def by_slug(slug: str) -> Rule | None:
    """Return the rule called `slug`, or None."""
    return _BY_SLUG.get(slug)


def in_phase(slug: str, phase: str) -> bool:
    """Return True when the rule called `slug` runs in `phase` (`document`, `project` or `reading`)."""
    found = _BY_SLUG.get(slug)
    return found is not None and found.phase == phase


__all__ = ["ALL_RULES", "COMPLETENESS", "REQUIREMENTS", "Context", "Rule", "by_slug", "in_phase"]
