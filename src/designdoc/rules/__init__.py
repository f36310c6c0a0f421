"""The rule catalogue: every rule, listed explicitly, in documentation order.

    registry.py    the `Rule` record, the `@rule` decorator (slug, severity, phase, needs,
                   section requirement) and the contexts rules run in
    fields.py      frontmatter-*, field-*, date-in-future, stale, superseded-by-missing
    metadata.py    metadata-missing, status-unknown, date-invalid, sidecar-shared: a team's metadata
    structure.py   title-*, section-*, footer-*
    prose.py       todo-marker, hidden-character, mojibake
    content.py     the template's section requirements (lists, diagrams, non-goals, …)
    unreadable.py  encoding-invalid, file-skipped: the reading phase
    facts.py       what the project phase reads: per-doc facts, the run's facts, the context
    links.py       link-broken, reference-broken
    crossdoc.py    supersede-*, superseded-status-mismatch, the git-based rules
    versions.py    template-outdated, template-version-unknown: the template version a doc follows

Adding a rule: one decorated function in its family's module, one line in `ALL_RULES`,
and one fixture folder under tests/fixtures/rules/.
"""

from __future__ import annotations

from designdoc.rules import content, crossdoc, fields, links, metadata, prose, structure, unreadable, versions
from designdoc.rules.registry import COMPLETENESS, Context, Rule

ALL_RULES: tuple[Rule, ...] = (
    fields.frontmatter_missing,
    fields.frontmatter_invalid,
    fields.field_missing,
    fields.field_type,
    fields.field_value,
    fields.field_placeholder,
    fields.field_unknown,
    fields.date_in_future,
    metadata.metadata_missing,
    metadata.status_unknown,
    metadata.date_invalid,
    versions.template_outdated,
    versions.template_version_unknown,
    structure.title_missing,
    structure.title_mismatch,
    structure.section_missing,
    structure.section_order,
    structure.section_duplicate,
    structure.section_empty,
    structure.section_placeholder,
    prose.todo_marker,
    structure.footer_missing,
    structure.footer_date_mismatch,
    structure.footer_draft_note,
    unreadable.encoding_invalid,
    prose.hidden_character,
    unreadable.file_skipped,
    prose.mojibake,
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
    fields.superseded_by_missing,
    fields.stale,
    metadata.sidecar_shared,
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
