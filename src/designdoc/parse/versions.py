"""A template's versions: which contract a doc was written against, and what changed since.

Teams revise their templates; a doc written in 2019 should not be reported for a
section the template gained in 2023.  A `TemplateSet` holds the template as it was
at each date (from its git history, from the config's named versions, or both) and
answers three questions:

- which version a doc follows (`at(date)`, `named(marker)`);
- what changed between two versions (`changes`): sections added, removed, renamed,
  made optional or required, moved to another heading level;
- under which headings a section may appear (every name it had in any version, so a
  doc of 2019 that already uses the 2023 wording is not missing the section).

Versions whose contract is the same (the same sections, levels, optional flags,
sub-sections and fields: wording of the guidance aside) collapse into one; the
guidance of all of them counts as guidance, since a doc may keep any of those
wordings.  A section is the same section across versions when its heading is the
same, when the config says it was renamed, or when its heading's words or its
place and guidance say so (`_renames`).

Nothing here reads files or runs git: `config.versions` gathers the texts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from designdoc.model.metadata import Value
from designdoc.parse.template import Template, TemplateSection, section_key

# A heading is renamed when its words and the old heading's mostly agree ("Drawbacks
# [optional]" → "Drawbacks"), or when it takes the old one's place with guidance that
# mostly agrees (a rewording that shares no words).
_HEADING_SIMILARITY = 85.0
_GUIDANCE_SIMILARITY = 0.6


@dataclass(frozen=True)
class Draft:
    """One version as read, before versions are compared: where it came from and its template."""

    template: Template
    date: dt.date
    commit: str | None = None  # the commit that brought it (git), if any
    name: str | None = None  # its name in the config, if named there
    origin: str = "git"  # git, config or file (the template as it is on disk, uncommitted)


@dataclass(frozen=True)
class TemplateVersion:
    """A version of the template: a contract in force from `date` on."""

    id: str  # its name in the config, else the short commit that brought it, else "current"
    date: dt.date
    template: Template
    commits: tuple[str, ...] = ()  # every commit with this contract (full hashes), oldest first
    origin: str = "git"
    number: int = 1  # 1 for the oldest version

    def describe(self) -> str:
        """Return how a message names this version: `1a2b3c4 (2023-04-01)`."""
        if self.id == self.date.isoformat() or self.date == dt.date.min:
            return self.id
        return f"{self.id} ({self.date.isoformat()})"


@dataclass(frozen=True)
class Changes:
    """What a newer version asks of a doc that an older one did not (section names as written)."""

    added: tuple[str, ...] = ()  # required in the newer version
    added_optional: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()  # (old name, new name)
    made_required: tuple[str, ...] = ()
    made_optional: tuple[str, ...] = ()
    levels: tuple[tuple[str, int, int], ...] = ()  # (name, old level, new level)
    added_subsections: tuple[str, ...] = ()  # "Section › Sub-section"
    removed_subsections: tuple[str, ...] = ()
    added_fields: tuple[str, ...] = ()
    removed_fields: tuple[str, ...] = ()
    footer: bool = False  # the footer line changed

    def __bool__(self) -> bool:
        return any(dataclasses.astuple(self))

    def summary(self) -> str:
        """Return the changes as one clause: "adds 'Risks', renames 'Drawbacks [optional]' to 'Drawbacks'"."""
        parts = []
        for name, form in _SUMMARY:
            value = getattr(self, name)
            if not value:
                continue
            if name == "renamed":
                parts.append("renames " + ", ".join(f"{old!r} to {new!r}" for old, new in value))
            elif name == "levels":
                parts.append("moves " + ", ".join(f"{n!r} to level {new}" for n, _, new in value))
            else:
                parts.append(form.format(_names(value)) if "{}" in form else form)
        return ", ".join(parts) or "changes only its guidance"


# the clauses of `Changes.summary`, in the order they are said
_SUMMARY = (
    ("added", "adds {}"),
    ("added_optional", "adds {} (optional)"),
    ("renamed", ""),
    ("made_required", "requires {}"),
    ("removed", "drops {}"),
    ("made_optional", "makes {} optional"),
    ("levels", ""),
    ("added_subsections", "adds sub-sections {}"),
    ("removed_subsections", "drops sub-sections {}"),
    ("added_fields", "adds fields {}"),
    ("removed_fields", "drops fields {}"),
    ("footer", "changes the footer"),
)


def _names(names: Sequence[str], most: int = 4) -> str:
    shown = ", ".join(repr(n) for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


@dataclass(frozen=True)
class TemplateSet:
    """A template's versions, oldest first; the last is the current template."""

    versions: tuple[TemplateVersion, ...]
    lineage: tuple[Mapping[str, str], ...]  # per version: section key → the section's identity across versions
    notes: tuple[str, ...] = ()  # why some history was left out (a shallow clone, git missing, …)

    @property
    def current(self) -> TemplateVersion:
        """Return the newest version: the template as it is today."""
        return self.versions[-1]

    @property
    def several(self) -> bool:
        """Return True when there is more than one version (else nothing here changes a check)."""
        return len(self.versions) > 1

    def at(self, date: dt.date) -> TemplateVersion:
        """Return the version in force on `date` (the first version for a date before it)."""
        found = self.versions[0]
        for version in self.versions:
            if version.date <= date:
                found = version
            else:
                break
        return found

    def named(self, marker: str) -> TemplateVersion | None:
        """Return the version a marker names: its id, one of its commits (7 hex digits or more),
        or a date (the version in force then); None when it names none."""
        text = marker.strip()
        folded = text.casefold()
        for version in self.versions:
            if version.id.casefold() == folded:
                return version
        if len(text) >= 7 and all(c in "0123456789abcdef" for c in folded):
            for version in self.versions:
                if any(commit.startswith(folded) for commit in version.commits):
                    return version
        try:
            return self.at(dt.date.fromisoformat(text))
        except ValueError:
            return None

    def changes(self, older: TemplateVersion, newer: TemplateVersion) -> Changes:
        """Return what `newer` asks that `older` did not, section by section identity."""
        before = self._by_identity(older)
        after = self._by_identity(newer)
        added = [s for ident, s in after.items() if ident not in before]
        renamed, levels, required, optional = [], [], [], []
        subs_added, subs_removed = [], []
        for ident, new in after.items():
            old = before.get(ident)
            if old is None:
                continue
            old_subs = {sub.key: sub.name for sub in old.subsections}
            new_subs = {sub.key: sub.name for sub in new.subsections}
            subs_added += [f"{new.name} › {name}" for key, name in new_subs.items() if key not in old_subs]
            subs_removed += [f"{new.name} › {name}" for key, name in old_subs.items() if key not in new_subs]
            if old.key != new.key:
                renamed.append((old.name, new.name))
            if old.level != new.level:
                levels.append((new.name, old.level, new.level))
            if old.optional and not new.optional:
                required.append(new.name)
            elif new.optional and not old.optional:
                optional.append(new.name)
        return Changes(
            added=tuple(s.name for s in added if not s.optional),
            added_optional=tuple(s.name for s in added if s.optional),
            removed=tuple(s.name for ident, s in before.items() if ident not in after),
            renamed=tuple(renamed),
            made_required=tuple(required),
            made_optional=tuple(optional),
            levels=tuple(levels),
            added_subsections=tuple(subs_added),
            removed_subsections=tuple(subs_removed),
            added_fields=tuple(f.name for f in newer.template.fields if older.template.field(f.name) is None),
            removed_fields=tuple(f.name for f in older.template.fields if newer.template.field(f.name) is None),
            footer=_footer(older.template) != _footer(newer.template),
        )

    def identity(self, version: TemplateVersion, key: str) -> str | None:
        """Return the identity across versions of `version`'s section `key`."""
        return self.lineage[version.number - 1].get(key)

    def _by_identity(self, version: TemplateVersion) -> dict[str, TemplateSection]:
        lineage = self.lineage[version.number - 1]
        return {lineage[s.key]: s for s in version.template.sections}

    @cached_property
    def fingerprint(self) -> str:
        """Return a digest of every version (its id, date and template text): part of the cache key."""
        digest = hashlib.blake2b(digest_size=16)
        for version in self.versions:
            digest.update(f"{version.id}\0{version.date}\0{version.template.name}\0".encode())
            digest.update(version.template.source.encode("utf-8", "surrogatepass"))
        for note in self.notes:
            digest.update(note.encode())
        return digest.hexdigest()


def single(template: Template, notes: Iterable[str] = ()) -> TemplateSet:
    """Return the set of one version: the template as it is (no history known)."""
    version = TemplateVersion("current", dt.date.min, template, origin="file")
    return TemplateSet((version,), ({s.key: s.key for s in template.sections},), tuple(notes))


def build(
    drafts: Sequence[Draft], *, renames: Mapping[str, str] | None = None, notes: Iterable[str] = ()
) -> TemplateSet:
    """Return the set of versions from drafts in any order: sorted by date, equal contracts
    collapsed, sections followed across renames, and each version's template taught every
    name its sections had (aliases) and every field any version had."""
    if not drafts:
        raise ValueError("a template set needs at least one version")
    ordered = sorted(drafts, key=lambda d: d.date)  # stable: same-day commits keep git's order
    groups: list[list[Draft]] = []
    for draft in ordered:
        if groups and _shape(groups[-1][-1].template) == _shape(draft.template):
            groups[-1].append(draft)
        else:
            groups.append([draft])
    merged = [_merge(group) for group in groups]
    configured = {section_key(old): section_key(new) for old, new in (renames or {}).items()}
    lineage = _lineage([t for t, _ in merged], configured)
    names: dict[str, set[str]] = {}  # identity → every key it had
    for keys in lineage:
        for key, ident in keys.items():
            names.setdefault(ident, set()).add(key)
    fields = frozenset(f.name for template, _ in merged for f in template.fields)
    versions = []
    for number, ((template, group), keys) in enumerate(zip(merged, lineage, strict=True), 1):
        own = set(keys)
        aliases = tuple(
            sorted((alias, key) for key, ident in keys.items() for alias in names[ident] - own if alias != key)
        )
        template = dataclasses.replace(template, aliases=aliases, known_fields=fields)
        named = next((d.name for d in group if d.name), None)
        first = group[0]
        commits = tuple(d.commit for d in group if d.commit)
        if named:
            ident = named
        elif first.commit:
            ident = first.commit[:7]
        else:
            ident = "current" if first.origin == "file" else first.date.isoformat()
        versions.append(TemplateVersion(ident, first.date, template, commits, first.origin, number))
    return TemplateSet(tuple(versions), tuple(lineage), tuple(notes))


def _footer(template: Template) -> str | None:
    return template.footer.example if template.footer else None


def _shape(template: Template) -> tuple:
    """Return what a doc must follow in a template, guidance aside: equal shapes collapse."""
    return (
        template.title_heading,
        template.title_level,
        tuple(
            (s.key, s.level, s.optional, tuple((sub.key, sub.optional) for sub in s.subsections))
            for s in template.sections
        ),
        tuple((f.name, f.kind) for f in template.fields),
        template.footer.example if template.footer else None,
    )


def _merge(group: list[Draft]) -> tuple[Template, list[Draft]]:
    """Return the newest template of a group of equal contracts, with every member's guidance."""
    newest = group[-1].template
    if len(group) == 1:
        return newest, group
    sections = []
    for i, section in enumerate(newest.sections):
        guidance = dict.fromkeys(section.guidance)
        text = dict.fromkeys(section.guidance_text)
        literals = dict.fromkeys(section.literals)
        for draft in group[:-1]:
            older = draft.template.sections[i]
            guidance.update(dict.fromkeys(older.guidance))
            text.update(dict.fromkeys(older.guidance_text))
            literals.update(dict.fromkeys(older.literals))
        sections.append(
            dataclasses.replace(section, guidance=tuple(guidance), guidance_text=tuple(text), literals=tuple(literals))
        )
    preamble = tuple(dict.fromkeys(p for d in group for p in d.template.preamble))
    return dataclasses.replace(newest, sections=tuple(sections), preamble=preamble), group


def _lineage(templates: list[Template], configured: Mapping[str, str]) -> list[dict[str, str]]:
    """Return, per version, {section key: identity}: a section keeps its identity across renames."""
    result: list[dict[str, str]] = []
    taken: set[str] = set()
    for number, template in enumerate(templates):
        keys: dict[str, str] = {}
        previous = result[-1] if result else {}
        renamed = _renames(templates[number - 1], template, configured) if number else {}
        for section in template.sections:
            if section.key in keys:
                continue  # a heading written twice: the first one counts
            if section.key in previous:
                keys[section.key] = previous[section.key]
            elif section.key in renamed:
                keys[section.key] = previous[renamed[section.key]]
            else:
                ident = section.key
                n = 2
                while ident in taken:
                    ident, n = f"{section.key}#{n}", n + 1
                keys[section.key] = ident
            taken.add(keys[section.key])
        result.append(keys)
    return result


def _renames(older: Template, newer: Template, configured: Mapping[str, str]) -> dict[str, str]:
    """Return {new key: old key} for the sections of `newer` that are renamed sections of `older`."""
    old_keys = [s.key for s in older.sections]
    new_keys = {s.key for s in newer.sections}
    gone = {s.key: s for s in older.sections if s.key not in new_keys}
    fresh = {s.key: s for s in newer.sections if s.key not in set(old_keys)}
    pairs: dict[str, str] = {}
    for old, new in configured.items():
        if old in gone and new in fresh:
            pairs[new] = old
    if len(pairs) == min(len(gone), len(fresh)):
        return pairs
    from rapidfuzz import fuzz
    from rapidfuzz.distance import Indel

    scored = []
    for new_key, new in fresh.items():
        if new_key in pairs:
            continue
        for old_key, old in gone.items():
            if old_key in pairs.values():
                continue
            words = fuzz.token_set_ratio(old.name.casefold(), new.name.casefold())
            if words >= _HEADING_SIMILARITY:
                scored.append((words / 100, new_key, old_key))
    for _, new_key, old_key in sorted(scored, reverse=True):
        if new_key not in pairs and old_key not in pairs.values():
            pairs[new_key] = old_key
    # a rewording that shares no words: the one section gone from a place, the one new there
    gaps: dict[tuple[str | None, str | None], tuple[list[str], list[str]]] = {}
    for template, keys, side in ((older, gone, 0), (newer, fresh, 1)):
        for key, gap in _gaps(template, kept=set(old_keys) & new_keys).items():
            if key in keys and key not in (pairs.values() if side == 0 else pairs):
                gaps.setdefault(gap, ([], []))[side].append(key)
    for old_list, new_list in gaps.values():
        if len(old_list) == 1 and len(new_list) == 1:
            old, new = gone[old_list[0]], fresh[new_list[0]]
            if old.guidance and new.guidance:
                alike = Indel.normalized_similarity(" ".join(old.guidance), " ".join(new.guidance))
                if alike >= _GUIDANCE_SIMILARITY:
                    pairs[new.key] = old.key
    return pairs


def _gaps(template: Template, kept: set[str]) -> dict[str, tuple[str | None, str | None]]:
    """Return {section key: (the kept section before it, the kept section after it)}."""
    keys = [s.key for s in template.sections]
    out = {}
    for i, key in enumerate(keys):
        before = next((k for k in reversed(keys[:i]) if k in kept), None)
        after = next((k for k in keys[i + 1 :] if k in kept), None)
        out[key] = (before, after)
    return out


@dataclass(frozen=True)
class Policy:
    """How a run tells a doc's version: the versions, the marker field, the docs' first commits."""

    versions: TemplateSet
    marker_field: str = "template_version"
    first_commit: Callable[[str], dt.date | None] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Choice:
    """The version a doc follows, and how it was told."""

    version: TemplateVersion
    source: str  # marker, created, first commit, or today
    marker: Value | None = None  # the marker as written, when the doc has one
    problem: str | None = None  # the marker names no version


def choose(
    policy: Policy, marker: Value | None, created: dt.date | None, path: str, today: dt.date | None = None
) -> Choice:
    """Return the version of a doc: its marker's, else the one in force when it was created (its
    `created` date, else its first commit), else the current one."""
    versions = policy.versions
    problem = None
    if marker is not None and marker.text.strip():
        found = versions.named(marker.text)
        if found is not None:
            return Choice(found, "marker", marker)
        known = ", ".join(v.id for v in versions.versions[-5:])
        problem = f"{policy.marker_field} {marker.text.strip()!r} names no version of the template (known: {known})"
    if created is not None:
        return Choice(versions.at(created), "created", marker, problem)
    first = policy.first_commit(path) if policy.first_commit is not None else None
    if first is not None:
        return Choice(versions.at(first), "first commit", marker, problem)
    return Choice(versions.current if today is None else versions.at(today), "today", marker, problem)
