"""Completion for design docs: what a writer types next, from the template and the team's process.

- a status value (in front matter, a sidecar-less `* Status:` item or `Status:` line): the
  lifecycle's statuses, the moves allowed from the doc's current status first;
- a date field of the template, or of the `created` / `updated` roles: today;
- a front-matter key the template has and the doc lacks;
- a heading: the template's sections the doc does not have yet, in template order;
- the template version marker (`template_version`): the template's versions, newest first;
- inside `<!-- designdoc-disable …`: rule slugs.

Everything is read from the doc as last checked and the line as it is now; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lsprotocol import types

from designdoc.model.lifecycle import Lifecycle
from designdoc.model.metadata import DATE_ROLES, field_key
from designdoc.parse.document import Document
from designdoc.rules import ALL_RULES

_KEY_VALUE = re.compile(r"(?P<key>[A-Za-z_][\w-]*):[ \t]*(?P<value>[^#]*)")
_PROSE_KEY = re.compile(
    r"(?:[ ]{0,3}[-*+][ \t]+)?(?:\*\*|__)?(?P<key>[^\W\d_][^:*_\n]{0,40}?)(?:\*\*|__)?:(?:\*\*|__)?[ \t]*"
)
_KEY_START = re.compile(r"[A-Za-z_][\w-]*")
_HEADING = re.compile(r"(?P<marks>#{1,6})(?:[ \t]+(?P<text>.*))?")
_LINK_TARGET = re.compile(r"\]\((?P<typed>[^()\s#]*)$")
_LIST_ITEM = re.compile(r"[ \t]*-[ \t]*[\w@.<>'\"-]*$|.*\[[^\]]*$")
_DISABLE = re.compile(r"<!--\s*designdoc-disable(?:-next-line)?\s+(?:[\w-]+[\s,]+)*(?P<word>[\w-]*)$")


@dataclass(frozen=True)
class ProjectWords:
    """What the project's other docs offer: their paths (from the doc's folder), owners and tags."""

    paths: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def complete(
    doc: Document,
    lifecycle: Lifecycle,
    line: int,
    prefix: str,
    today: dt.date,
    project: ProjectWords = ProjectWords(),
) -> list[types.CompletionItem]:
    """Return the completions at 0-based `line`, whose text before the cursor is `prefix`."""
    disable = _DISABLE.search(prefix)
    if disable is not None:
        word = disable.group("word")
        return [_item(r.slug, r.summary, i) for i, r in enumerate(ALL_RULES) if r.slug.startswith(word)]
    number = line + 1
    in_front = doc.frontmatter is not None and doc.frontmatter.start_line <= number < doc.body_line
    if in_front:
        people = _list_under(doc, number, prefix)
        if people is not None:
            words = project.owners if people in ("owners", "reviewers", "approvers") else project.tags
            return [_item(w, f"in the project's {people}", i) for i, w in enumerate(words)]
        pair = _KEY_VALUE.fullmatch(prefix)
        if pair is not None:
            return _values(doc, lifecycle, pair.group("key"), today)
        if _KEY_START.fullmatch(prefix) or not prefix:
            present = set(doc.frontmatter.fields)
            return [
                _item(f.name, f"the template's `{f.name}`", i, insert=f"{f.name}: ")
                for i, f in enumerate(doc.template.fields)
                if f.name not in present and f.name.startswith(prefix)
            ]
        return []
    target = _LINK_TARGET.search(prefix)
    if target is not None:
        typed = target.group("typed")
        return [_item(p, "a doc of the project", i) for i, p in enumerate(project.paths) if p.startswith(typed)]
    heading = _HEADING.fullmatch(prefix)
    if heading is not None:
        return _sections(doc, heading.group("marks"), heading.group("text") or "")
    pair = _PROSE_KEY.fullmatch(prefix)
    if pair is not None and field_key(pair.group("key")) in doc.spec.fields_of("status"):
        return _statuses(doc, lifecycle, prose=True)
    if pair is not None:
        return _versions(doc, field_key(pair.group("key")))
    return []


def _list_under(doc: Document, number: int, prefix: str) -> str | None:
    """Return the role (`owners`, `tags`, …) of the front-matter list the line is an item of, if any."""
    if not _LIST_ITEM.match(prefix):
        return None
    spec = doc.spec
    roles = {name: role for role in ("owners", "reviewers", "approvers", "tags") for name in spec.fields_of(role)}
    for item in doc.frontmatter.fields.values():
        role = roles.get(field_key(item.key))
        if role is None:
            continue
        last = doc.index.position(max(item.node.end - 1, item.node.start))[0]
        if item.line <= number <= max(last, item.line + (1 if item.node.is_null else 0)):
            return role
    return None


def _values(doc: Document, lifecycle: Lifecycle, key: str, today: dt.date) -> list[types.CompletionItem]:
    spec = doc.spec
    name = field_key(key)
    if name in spec.fields_of("status"):
        return _statuses(doc, lifecycle, prose=False)
    versions = _versions(doc, name)
    if versions:
        return versions
    dated = {n for role in DATE_ROLES for n in spec.fields_of(role)}
    field = doc.template.field(key)
    if name in dated or (field is not None and field.kind == "date"):
        return [_item(today.isoformat(), "today", 0)]
    return []


def _versions(doc: Document, name: str) -> list[types.CompletionItem]:
    """Return the template's versions for the version marker field, newest first (none without several)."""
    policy = doc.policy
    if policy is None or not policy.versions.several or name != field_key(policy.marker_field):
        return []
    found = policy.versions.versions
    current = policy.versions.current
    return [
        _item(v.id, f"since {v.date.isoformat()}" + (" (current)" if v is current else ""), rank)
        for rank, v in enumerate(reversed(found))
    ]


def _statuses(doc: Document, lifecycle: Lifecycle, *, prose: bool) -> list[types.CompletionItem]:
    """Return the lifecycle's statuses: the moves from the current one first, then the others."""
    current = doc.status(lifecycle)
    allowed = lifecycle.moves.get(current, frozenset()) if current is not None else frozenset(lifecycle.starts)
    items = []
    for status in lifecycle.statuses:
        first = status.name in allowed
        where = (
            f"a move from {current}" if first and current else "where a doc starts" if first else "not a move from here"
        )
        text = status.label if prose else status.name
        items.append(_item(text, where, lifecycle.rank(status.name) + (0 if first else 100)))
    return items


def _sections(doc: Document, marks: str, typed: str) -> list[types.CompletionItem]:
    """Return the template's sections the doc lacks, at the level typed, in template order."""
    have = {s.index for s in doc.sections if s.index is not None}
    return [
        _item(section.name, "a section of the template, not in the doc yet", i)
        for i, section in enumerate(doc.template.sections)
        if i not in have and section.level == len(marks) and section.name.casefold().startswith(typed.casefold())
    ]


def _item(
    text: str, detail: str, rank: int, *, label: str | None = None, insert: str | None = None
) -> types.CompletionItem:
    return types.CompletionItem(
        label=label or text,
        detail=detail,
        insert_text=insert or text,
        filter_text=text,
        sort_text=f"{rank:04d}",
        kind=types.CompletionItemKind.Value,
    )
