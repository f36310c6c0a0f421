"""`designdoc migrate`: bring a doc forward (or back) to another version of its template.

A doc is checked against the template version it was written from (its marker, its
creation date, its first commit).  Migrating it replays what changed between that
version and the target onto the doc, as exact-span edits:

- a renamed section's heading gets the target's name: only the name, so the doc's `#`
  level, a numbering like `2. `, a trailing `{#anchor}` or `<a name>` stay;
- each section of the target the doc lacks (by its identity across versions) is
  inserted where the target places it: after the doc's section that holds the nearest
  section before it in the target (before the doc's first one when none precedes),
  as the target's heading at the doc's section level and the section's body exactly
  as the target template writes it (guidance, to fill: `section-placeholder` says so);
- the version marker is written: its value replaced in place when the doc has one,
  else added where the doc's metadata lives (a front-matter key, a `Key: value` line or
  `- Key: value` item in the style of the last one, the sidecar's YAML).

Nothing the author wrote is removed or reworded: the edits are insertions, the heading
names and the marker's value.  A change that cannot be placed (sections out of
template order, a heading to rename written twice, a new name already a heading, no
section in common to anchor to) is a conflict: that doc is left byte for byte as it
was, and the conflict named, like a merge conflict.  The result is parsed again before
anything is written: every section of the target must be there and the marker must
read back as the target, or the doc is a conflict too (or its marker is not written).

`plan` is pure (a parsed doc in, edits out); `migrate_files` reads the docs, plans each
one and writes every migrated doc at once, all or nothing, through `files.writer`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from designdoc.check.runner import Checker
from designdoc.edit.apply import apply_edits
from designdoc.edit.diff import unified_diff
from designdoc.edit.edits import set_scalar, yaml_file, yaml_file_edits
from designdoc.files import reading, writer
from designdoc.files.discovery import Candidate, display, looks_like_doc, unique_files
from designdoc.model.diagnostics import Edit
from designdoc.model.errors import UsageError, WriteError
from designdoc.model.metadata import Sidecar, Value, field_key
from designdoc.model.text import decode, encode, split_lines
from designdoc.parse import document as document_module
from designdoc.parse.document import Document, Section
from designdoc.parse.inline import plain_text
from designdoc.parse.template import Template, section_key
from designdoc.parse.versions import TemplateSet, TemplateVersion

# the parts of a heading's text that are not its name: a number before it, an anchor or
# attributes after it, an "(optional)" the doc kept, a closing colon
_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*|[A-Za-z])[.)][ \t]+")
_LEADING_ANCHOR = re.compile(r"^<a\b[^<>]*>(?:[ \t]*</a>)?[ \t]*", re.IGNORECASE)
_TRAILING = re.compile(
    r"(?:[ \t]*\{[^{}]*\}|[ \t]*<a\b[^<>]*>(?:[ \t]*</a>)?|[ \t]*(?:\(optional\)|\[optional\])|[ \t]*:)$",
    re.IGNORECASE,
)
_WRAPPED = re.compile(r"^(\*\*|__|\*|_|`)(?=\S)(.*\S)\1$")
_ATX = re.compile(r"^( {0,3}#{1,6})(?:[ \t]+|$)")
_CLOSING_HASHES = re.compile(r"(?:[ \t]+#+)?[ \t]*$")
_OPTIONAL_MARKER = re.compile(r"^\s*<!--.{0,60}\boptional\b.{0,60}-->\s*$", re.IGNORECASE)
_RULE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_BREAK = re.compile(r"(?:[ \t]*\\|[ \t]{2,})$")  # a hard line break at the end of a metadata line


@dataclass(frozen=True, slots=True)
class Conflict:
    """A change that cannot be placed in a doc: where, and why."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Migration:
    """What migrating one parsed doc takes: edits per file (the doc, its sidecar), or conflicts."""

    source: TemplateVersion
    target: TemplateVersion
    renamed: tuple[tuple[str, str], ...] = ()  # (heading as written, new name)
    added: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()  # the doc's sections the target does not have: left as written
    marker: str = ""  # "written", "replaced", or "not written: why" ("" when nothing to do)
    conflicts: tuple[Conflict, ...] = ()
    edits: dict[str, list[Edit]] = field(default_factory=dict)  # file (the doc's path, its sidecar's) → edits

    @property
    def changed(self) -> bool:
        """Return True when the migration edits anything."""
        return not self.conflicts and any(self.edits.values())


@dataclass(frozen=True)
class FileChange:
    """One file a migration rewrites: what it read, and the text it would write."""

    snapshot: writer.Snapshot
    path: str
    before: str
    after: str
    bom: bool

    @property
    def data(self) -> bytes:
        """Return the new bytes (the BOM kept)."""
        return encode(self.after, self.bom)


@dataclass(frozen=True)
class DocOutcome:
    """What `migrate` did, or would do, with one doc."""

    path: str
    state: str  # migrated, up to date, newer (than the target, walked: left alone), unchanged, conflict, skipped
    source: str | None = None  # the version the doc followed (its id)
    target: str | None = None
    migration: Migration | None = None
    files: tuple[FileChange, ...] = ()
    reason: str = ""  # why a doc was skipped

    def summary(self) -> str:
        """Return the doc's one line: what it was migrated from and to, and what changed."""
        m = self.migration
        if self.state == "skipped":
            return f"{self.path}: not migrated: {self.reason}"
        if self.state == "newer":
            return f"{self.path}: follows {self.source}, newer than {self.target}: left as it is (name it to go back)"
        if self.state == "up to date" or m is None:
            return f"{self.path}: up to date ({self.target})"
        if self.state == "conflict":
            conflicts = _count(len(m.conflicts), "conflict")
            return f"{self.path}: not migrated from {self.source} to {self.target}: {conflicts}"
        parts = [f"renamed {len(m.renamed)}", f"added {len(m.added)}"]
        if m.marker:
            parts.append(f"marker {m.marker}")
        if m.kept:
            parts.append(f"kept {_names(m.kept)} (not in {self.target})")
        if self.state == "unchanged":
            return f"{self.path}: already has the sections of {self.target} (from {self.source}): {', '.join(parts)}"
        return f"{self.path}: migrated from {self.source} to {self.target}: {', '.join(parts)}"


@dataclass
class MigrationRun:
    """What a `migrate` run did across docs."""

    outcomes: list[DocOutcome] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    diff: str = ""
    notes: list[str] = field(default_factory=list)  # why some template history was left out
    single: bool = False  # the template has one version: nothing to migrate

    @property
    def conflicts(self) -> list[Conflict]:
        """Return every conflict of the run, doc by doc."""
        return [c for o in self.outcomes if o.state == "conflict" and o.migration for c in o.migration.conflicts]

    @property
    def failed(self) -> bool:
        """Return True when some doc was not migrated as asked (a conflict, a named doc not read)."""
        return any(o.state in ("conflict", "skipped") for o in self.outcomes)


def target_version(versions: TemplateSet, to: str | None) -> TemplateVersion:
    """Return the version `--to` names (default: the current one); UsageError when it names none."""
    if to is None:
        return versions.current
    found = versions.named(to)
    if found is None:
        known = ", ".join(v.id for v in versions.versions[-8:])
        raise UsageError(f"--to {to!r} names no version of the template (known: {known})")
    return found


# --------------------------------------------------------------------------- planning (pure)


def plan(doc: Document, target: TemplateVersion) -> Migration | None:
    """Return how to migrate a parsed doc to `target` (None when the template has one version).

    The doc must have been parsed with its policy (`Checker.parse`), so that it knows the
    version it follows.  Pure: the edits are against `doc.text` and, for a marker kept in a
    sidecar, against `doc.sidecar.text`.
    """
    choice, policy = doc.choice, doc.policy
    if choice is None or policy is None:
        return None
    versions = policy.versions
    source = choice.version
    if source is target:
        return Migration(source, target)
    sections = _Matched.of(doc, versions, source, target)
    conflicts = sections.conflicts()
    renames, rename_edits = _renames(doc, sections, conflicts, versions)
    added, insert_edits = _insertions(doc, sections, conflicts)
    if conflicts:
        return Migration(source, target, conflicts=tuple(conflicts))
    edits = {doc.path: rename_edits + insert_edits}
    marker, marker_edits = _marker(doc, target)
    for file, more in marker_edits.items():
        edits.setdefault(file, []).extend(more)
    migration = Migration(source, target, tuple(renames), tuple(added), sections.kept(), marker, (), edits)
    return _verified(doc, migration, rename_edits + insert_edits)


@dataclass(frozen=True)
class _Matched:
    """The doc's template sections, told by their identity across versions, against the target's."""

    doc: Document
    target: TemplateVersion
    occurrences: tuple[tuple[Section, str], ...]  # each doc section of its version, with its identity
    by_identity: dict[str, int]  # the target's sections: identity → index

    @classmethod
    def of(cls, doc: Document, versions: TemplateSet, source: TemplateVersion, target: TemplateVersion) -> _Matched:
        found = []
        for section in doc.sections:
            if section.index is None:
                continue
            ident = versions.identity(source, doc.template.sections[section.index].key)
            if ident is not None:
                found.append((section, ident))
        lineage = versions.lineage[target.number - 1]
        by_identity: dict[str, int] = {}
        for index, spec in enumerate(target.template.sections):
            by_identity.setdefault(lineage.get(spec.key, spec.key), index)
        return cls(doc, target, tuple(found), by_identity)

    @property
    def present(self) -> set[str]:
        return {ident for _, ident in self.occurrences}

    def missing(self) -> list[int]:
        """Return the target's sections the doc has none of, in target order."""
        present = self.present
        return [i for ident, i in sorted(self.by_identity.items(), key=lambda p: p[1]) if ident not in present]

    def kept(self) -> tuple[str, ...]:
        """Return the doc's sections that the target does not have (they stay as written)."""
        names = [s.name for s, ident in self.occurrences if ident not in self.by_identity]
        return tuple(dict.fromkeys(names))

    def placed(self) -> list[tuple[Section, int]]:
        """Return the doc's sections the target has, with the target's index, in the doc's order."""
        return [(s, self.by_identity[ident]) for s, ident in self.occurrences if ident in self.by_identity]

    def conflicts(self) -> list[Conflict]:
        """Return why the new sections cannot be placed (only asked when there are some)."""
        if not self.missing():
            return []
        path, target = self.doc.path, self.target
        placed = self.placed()
        if not placed:
            return [
                Conflict(
                    path,
                    self.doc.sections[0].line if self.doc.sections else 1,
                    f"no section of {target.id} to place the new sections by; add one of its sections, then migrate",
                )
            ]
        highest: tuple[Section, int] | None = None
        for section, index in placed:
            if highest is not None and index < highest[1]:
                names = target.template.sections
                return [
                    Conflict(
                        path,
                        section.line,
                        f"sections out of template order: {section.name!r} comes after {highest[0].name!r} "
                        f"(line {highest[0].line}), but {target.id} puts {names[index].name!r} before "
                        f"{names[highest[1]].name!r}; put them in template order, then migrate",
                    )
                ]
            if highest is None or index >= highest[1]:
                highest = (section, index)
        return []


def _renames(
    doc: Document, sections: _Matched, conflicts: list[Conflict], versions: TemplateSet
) -> tuple[list[tuple[str, str]], list[Edit]]:
    """Return the headings to rename (as written, new name) and their edits; conflicts are added.

    Moving forward, a heading is renamed only when its name is older than the target's: a doc
    whose author already took a later version's name keeps it.  Moving back (`--to` an older
    version) renames every heading to the target's names, as asked.
    """
    target = sections.target.template
    number = sections.target.number
    forward = doc.choice is not None and doc.choice.version.number < number

    def behind(section: Section, ident: str) -> bool:
        if not forward:
            return True
        newest = max(
            (v.number for v in versions.versions if versions.lineage[v.number - 1].get(section.key) == ident), default=0
        )
        return newest < number

    by_ident: dict[str, list[Section]] = {}
    for section, ident in sections.occurrences:
        by_ident.setdefault(ident, []).append(section)
    renames, edits = [], []
    for ident, found in by_ident.items():
        index = sections.by_identity.get(ident)
        if index is None:
            continue
        spec = target.sections[index]
        wrong = [s for s in found if not spec.matches(s.key) and behind(s, ident)]
        if not wrong:
            continue
        new = _NUMBER.sub("", spec.name).strip()
        if len(found) > 1:
            right = [s for s in found if spec.matches(s.key)]
            if right:
                why = f"{new!r} is already a heading at line {right[0].line}"
            else:
                why = f"{wrong[0].name!r} appears twice (lines {', '.join(str(s.line) for s in found)})"
            conflicts.append(
                Conflict(doc.path, wrong[-1].line, f"cannot rename {wrong[-1].name!r} to {new!r}: {why}; keep one")
            )
            continue
        section = wrong[0]
        if spec.pattern is not None:  # "{Component} design": the doc's words there are the author's
            conflicts.append(
                Conflict(
                    doc.path,
                    section.line,
                    f"cannot rename {section.name!r} to {new!r}: the new heading has a placeholder; rename it by hand",
                )
            )
            continue
        elsewhere = [line for line, _, text in doc.headings if section_key(text) == spec.key and line != section.line]
        if elsewhere:
            conflicts.append(
                Conflict(
                    doc.path,
                    section.line,
                    f"cannot rename {section.name!r} to {new!r}: {new!r} is already a heading at line {elsewhere[0]}",
                )
            )
            continue
        edit = _rename_edit(doc, section, new)
        if edit is None or not spec.matches(section_key(_heading_after(doc, section, edit))):
            conflicts.append(
                Conflict(
                    doc.path, section.line, f"cannot rename {section.name!r} to {new!r}: the heading's text is unusual"
                )
            )
            continue
        renames.append((section.name, new))
        edits.append(edit)
    return renames, edits


def _rename_edit(doc: Document, section: Section, new: str) -> Edit | None:
    """Return the edit giving a heading the name `new`, all else on its line kept."""
    line = doc.lines[section.line - 1]
    atx = _ATX.match(line)
    if atx is not None:
        start = atx.end()
        end = start + _CLOSING_HASHES.search(line[start:]).start()
    else:  # a setext heading: the line is its text
        start = len(line) - len(line.lstrip(" "))
        end = len(line.rstrip())
    text = line[start:end]
    while True:  # peel what is not the name, from both ends
        lead = _NUMBER.match(text) or _LEADING_ANCHOR.match(text)
        if lead is not None and lead.end() < len(text):
            start, text = start + lead.end(), text[lead.end() :]
            continue
        trail = _TRAILING.search(text)
        if trail is not None and trail.start() > 0:
            end, text = end - (len(text) - trail.start()), text[: trail.start()]
            continue
        wrapped = _WRAPPED.match(text)
        if wrapped is not None:
            width = len(wrapped.group(1))
            start, end, text = start + width, end - width, text[width:-width]
            continue
        break
    if not text.strip():
        return None
    base = doc.index.offset(section.line)
    return Edit(base + start, base + end, new)


def _heading_after(doc: Document, section: Section, edit: Edit) -> str:
    """Return the heading's text as the edit leaves it."""
    base = doc.index.offset(section.line)
    line = doc.lines[section.line - 1]
    renamed = line[: edit.start - base] + edit.text + line[edit.end - base :]
    atx = _ATX.match(renamed)
    if atx is None:
        return renamed.strip()
    body = renamed[atx.end() :]
    return plain_text(body[: _CLOSING_HASHES.search(body).start()])


def _insertions(doc: Document, sections: _Matched, conflicts: list[Conflict]) -> tuple[list[str], list[Edit]]:
    """Return the names of the sections to add and the edits inserting them; conflicts are added."""
    missing = sections.missing()
    if not missing or conflicts:
        return [], []
    target = sections.target.template
    placed = sections.placed()
    headings = {section_key(text): (line, level) for line, level, text in reversed(doc.headings)}
    bodies = _bodies(target)
    nl = doc.newline
    groups: dict[tuple[int, bool], list[str]] = {}  # (the anchor's heading line, after it) → blocks, in order
    added = []
    for index in missing:
        spec = target.sections[index]
        if spec.key in headings:
            line, level = headings[spec.key]
            conflicts.append(
                Conflict(
                    doc.path,
                    line,
                    f"cannot add {spec.name!r}: it is already a heading here (level {level}), "
                    "not a section; make it one or rename it, then migrate",
                )
            )
            continue
        before = [(s, i) for s, i in placed if i < index]
        (anchor, anchor_index), after = (before[-1], True) if before else (placed[0], False)
        level = max(1, min(6, spec.level + anchor.level - target.sections[anchor_index].level))
        groups.setdefault((anchor.line, after), []).append(nl.join(["#" * level + " " + spec.name, *bodies[index]]))
        added.append(spec.name)
    if conflicts:
        return [], []
    anchors = {s.line: s for s, _ in placed}
    edits = []
    for (line, after), blocks in groups.items():
        anchor = anchors[line]
        if not after:  # before the doc's first section of the target
            gap = nl * _blanks_before(doc, anchor.line)
            edits.append(Edit.insert(doc.index.offset(anchor.line), "".join(b + nl + gap for b in blocks)))
            continue
        gap = nl * _blanks_after(doc, anchor)
        if anchor.end_line < len(doc.lines):
            edits.append(Edit.insert(doc.index.offset(anchor.end_line + 1), "".join(gap + b + nl for b in blocks)))
        elif doc.text.endswith(("\n", "\r")):
            edits.append(Edit.insert(len(doc.text), "".join(gap + b + nl for b in blocks)))
        else:  # after the last line, which has no line break: neither will the new last line
            edits.append(Edit.insert(len(doc.text), "".join(nl + gap + b for b in blocks)))
    return added, edits


def _blanks_after(doc: Document, section: Section) -> int:
    """Return the blank lines after a section (before what follows it; at the end, those above its heading)."""
    count = 0
    while section.end_line + count < len(doc.lines) and not doc.lines[section.end_line + count].strip():
        count += 1
    if section.end_line + count < len(doc.lines) and count:
        return count
    return _blanks_before(doc, section.line)


def _blanks_before(doc: Document, line: int) -> int:
    """Return the blank lines above a heading (at least one: a section starts after a blank line)."""
    count = 0
    while line - 1 - count >= 1 and not doc.lines[line - 2 - count].strip():
        count += 1
    return max(1, count)


def _bodies(template: Template) -> list[list[str]]:
    """Return each section's body as the template writes it: the lines after its heading, up to the
    next section (an "optional" marker above that one left to it) or the footer; trailing blanks dropped."""
    lines = split_lines(template.source)
    starts = [s.line for s in template.sections]
    stop = _footer_start(template, lines)
    out = []
    for n, spec in enumerate(template.sections):
        end = starts[n + 1] - 1 if n + 1 < len(starts) else stop
        body = lines[spec.line : end]
        while body and not body[-1].strip():
            body.pop()
        if n + 1 < len(starts) and body and _OPTIONAL_MARKER.match(body[-1]):
            body.pop()
            while body and not body[-1].strip():
                body.pop()
        out.append(body)
    return out


def _footer_start(template: Template, lines: list[str]) -> int:
    """Return how many lines the last section may hold: up to the footer and its rule, if any."""
    end = len(lines)
    if template.footer is None:
        return end
    while end and not lines[end - 1].strip():
        end -= 1
    if end and template.footer.pattern.fullmatch(lines[end - 1]) or lines[end - 1].strip() == template.footer.example:
        end -= 1
        blank = end
        while end and not lines[end - 1].strip():
            end -= 1
        if end and end < blank and _RULE.match(lines[end - 1]):
            end -= 1
    return end


# --------------------------------------------------------------------------- the marker


def _marker(doc: Document, target: TemplateVersion) -> tuple[str, dict[str, list[Edit]]]:
    """Return how the marker is written ("replaced", "written", or "not written: why") and its edits."""
    policy = doc.policy
    assert policy is not None
    name = policy.marker_field
    value = target.id
    marker = doc.metadata.fields.get(field_key(name))
    if marker is not None:
        return _replace_marker(doc, marker, value)
    spec = doc.spec
    for source in spec.sources:
        if source == "frontmatter" and doc.frontmatter is not None and not doc.frontmatter.fatal:
            return "written", {doc.path: set_scalar(doc, name, value)}
        if source == "sidecar" and doc.sidecar is not None and doc.sidecar.text is not None:
            text = doc.sidecar.text
            yaml = yaml_file(text, doc.sidecar.path)
            if yaml.frontmatter is None or yaml.frontmatter.fatal:
                continue
            return "written", {doc.sidecar.path: yaml_file_edits(text, set_scalar(yaml, name, value))}
        if source in ("lines", "list"):
            found = [v for v in doc.metadata.fields.values() if v.source == source and v.file == doc.path]
            if found:
                return "written", {doc.path: [_line_after(doc, max(found, key=lambda v: v.line), name, value)]}
    places = " or ".join(_PLACES.get(s, s) for s in spec.sources if s in _PLACES) or "place for fields"
    return f"not written: the doc has no {places} to hold {name}", {}


_PLACES = {
    "frontmatter": "front matter",
    "sidecar": "sidecar",
    "lines": "'Key: value' line",
    "list": "'- Key: value' list",
}


def _replace_marker(doc: Document, marker: Value, value: str) -> tuple[str, dict[str, list[Edit]]]:
    """Return the edit replacing the marker's value in its span (in the doc or its sidecar)."""
    if marker.source in ("frontmatter", "sidecar"):
        if not marker.editable and marker.text:
            return "not written: the marker is not one value on one line; change it by hand", {}
        if marker.source == "frontmatter":
            return "replaced", {doc.path: set_scalar(doc, marker.key, value)}
        assert doc.sidecar is not None and doc.sidecar.text is not None
        text = doc.sidecar.text
        edits = set_scalar(yaml_file(text, marker.file), marker.key, value)
        return "replaced", {marker.file: yaml_file_edits(text, edits)}
    if not marker.editable:
        return "not written: the marker is not one value on one line; change it by hand", {}
    return "replaced", {marker.file: [Edit(marker.start, marker.end, value)]}


def _line_after(doc: Document, last: Value, name: str, value: str) -> Edit:
    """Return the edit adding `Name: value` after the doc's last metadata line, written as that line is."""
    line = doc.lines[last.line - 1]
    key_at = line.rfind(last.key, 0, last.column - 1)
    key = name.replace("_", " ").replace("-", " ").strip()
    key = key[:1].upper() + key[1:] if last.key[:1].isupper() else key[:1].lower() + key[1:]
    new = line[:key_at] + key + line[key_at + len(last.key) : last.column - 1] + value + line[last.end_column - 1 :]
    new = _BREAK.sub("", new)
    edits_at = doc.index.offset(last.line) + len(line)
    nl = doc.newline
    previous = doc.lines[last.line - 2] if last.line >= 2 else ""
    hard = _BREAK.search(previous) if last.source == "lines" and last.line >= 2 else None
    if hard is not None and not _BREAK.search(line):  # the lines break with `\` or two spaces: so does this one
        return Edit.insert(edits_at, hard.group(0) + nl + new)
    return Edit.insert(edits_at, nl + new)


# --------------------------------------------------------------------------- checking the result


def texts_after(doc: Document, migration: Migration) -> tuple[str, str | None]:
    """Return the doc's text and its sidecar's text (None: no sidecar) once migrated."""
    text = apply_edits(doc.text, migration.edits.get(doc.path, []))
    sidecar = doc.sidecar
    side = None
    if sidecar is not None and sidecar.text is not None:
        side = apply_edits(sidecar.text, migration.edits.get(sidecar.path, []))
    return text, side


def _reparsed(doc: Document, text: str, sidecar_text: str | None) -> Document:
    sidecar = doc.sidecar
    if sidecar is not None and sidecar_text is not None:
        sidecar = Sidecar(sidecar.path, sidecar_text)
    policy = doc.policy
    current = policy.versions.current.template if policy is not None else doc.template
    return document_module.parse(text, doc.path, current, bom=doc.bom, spec=doc.spec, sidecar=sidecar, policy=policy)


def _verified(doc: Document, migration: Migration, section_edits: list[Edit]) -> Migration:
    """Return the migration once its result reads back as meant: every section of the target
    there, and the marker naming the target (else the marker is dropped, and said so)."""
    target = migration.target
    text, side = texts_after(doc, migration)
    after = _reparsed(doc, text, side)
    marker = migration.marker
    edits = migration.edits
    if marker in ("written", "replaced") and (after.choice is None or after.choice.version is not target):
        marker = "not written: it would not read back as the marker (please report this)"
        edits = {doc.path: section_edits}
        text = apply_edits(doc.text, section_edits)
    placed = document_module.parse(text, doc.path, target.template, bom=doc.bom, spec=doc.spec, sidecar=doc.sidecar)
    lost = [spec.name for i, spec in enumerate(target.template.sections) if placed.section(i) is None]
    if lost:
        anchor = doc.sections[0].line if doc.sections else 1
        return Migration(
            migration.source,
            target,
            conflicts=(
                Conflict(
                    doc.path,
                    anchor,
                    f"{_names(lost)} would not read as a section where it goes (an unclosed code block?)",
                ),
            ),
        )
    return Migration(
        migration.source,
        target,
        migration.renamed,
        migration.added,
        migration.kept,
        marker,
        (),
        {file: more for file, more in edits.items() if more},
    )


# --------------------------------------------------------------------------- over files


def migrate_files(
    checker: Checker,
    candidates: Sequence[Candidate],
    *,
    to: str | None = None,
    write: bool = True,
    diff: bool = False,
    progress: Callable[[], None] | None = None,
) -> MigrationRun:
    """Plan every candidate's migration to `to` (default: the current version) and write the
    migrated docs all at once (when `write`): all or nothing, a doc with a conflict untouched.

    Raises UsageError when `to` names no version; WriteError (nothing written) when a file
    changed since it was read or cannot be written.
    """
    versions = checker.versions
    run = MigrationRun(notes=list(versions.notes))
    if not versions.several:
        run.single = True
        return run
    target = target_version(versions, to)
    sources = {v.template.source for v in versions.versions}
    for candidate in unique_files(candidates):
        outcome = _one(checker, candidate, target, sources)
        if progress is not None:
            progress()
        if outcome is not None:
            run.outcomes.append(outcome)
    changes = [change for o in run.outcomes if o.state == "migrated" for change in o.files]
    if diff:
        run.diff = "".join(unified_diff(c.path, c.before, c.after) for c in changes)
    if write and changes:
        run.written = [display(p) for p in writer.write_all([(c.snapshot, c.data) for c in changes])]
    return run


def _one(checker: Checker, candidate: Candidate, target: TemplateVersion, sources: set[str]) -> DocOutcome | None:
    """Plan one candidate (None: a walked file that is no doc)."""
    shown = display(candidate.path)
    try:
        data = reading.read(candidate, max_size=checker.config.max_file_size, template=checker.template)
        if not candidate.named and not looks_like_doc(data, checker.template.doc_type, checker.template):
            return None
        text, bom = reading.decode(data)
    except reading.Skip as skip:
        if not candidate.named and not skip.doc:
            return None
        return DocOutcome(shown, "skipped", reason=skip.reason)
    if not candidate.named and text in sources:  # a version of the template itself, not a doc
        return None
    try:
        with reading.budget(checker.config.time_budget):
            doc = checker.parse(text, shown, bom=bom, at=candidate.path)
            migration = plan(doc, target)
    except reading.OverBudget:
        return DocOutcome(shown, "skipped", reason=f"over the time budget of {checker.config.time_budget:g} s")
    if migration is None or doc.choice is None:
        return DocOutcome(shown, "up to date", target=target.id)
    source = migration.source.id
    if migration.source is target:
        return DocOutcome(shown, "up to date", source, target.id, migration)
    if not candidate.named and migration.source.number > target.number:
        # a folder brings its older docs up to the target; a newer one goes back only when named
        return DocOutcome(shown, "newer", source, target.id)
    if migration.conflicts:
        return DocOutcome(shown, "conflict", source, target.id, migration)
    if not migration.changed:
        return DocOutcome(shown, "unchanged", source, target.id, migration)
    try:
        files = _changes(candidate.path, doc, data, migration)
    except WriteError as error:
        return DocOutcome(shown, "skipped", source, target.id, migration, reason=str(error))
    return DocOutcome(shown, "migrated", source, target.id, migration, files)


def _changes(path: Path, doc: Document, data: bytes, migration: Migration) -> tuple[FileChange, ...]:
    """Return the files the migration rewrites, each from a snapshot that holds what was planned on."""
    text, side = texts_after(doc, migration)
    out = []
    snap = writer.snapshot(path)
    if snap.data != data:
        raise WriteError(f"{doc.path}: changed on disk while it was read, not migrated (run again)")
    out.append(FileChange(snap, doc.path, doc.text, text, doc.bom))
    sidecar = doc.sidecar
    if sidecar is not None and side is not None and side != sidecar.text:
        snap = writer.snapshot(Path(sidecar.path))
        try:
            before, bom = decode(snap.data)
        except UnicodeDecodeError:
            raise WriteError(f"{sidecar.path}: not valid UTF-8, not migrated") from None
        if before != sidecar.text:
            raise WriteError(f"{sidecar.path}: changed on disk while it was read, not migrated (run again)")
        out.append(FileChange(snap, sidecar.path, before, side, bom))
    return tuple(c for c in out if c.before != c.after)


def _names(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"
