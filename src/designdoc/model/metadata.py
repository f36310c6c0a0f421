"""A doc's metadata wherever it lives, and the roles a team's process gives its fields.

A process keeps status, people and dates in places of its own: YAML front matter, a
sidecar file beside the doc (`kep.yaml`), a leading `- Key: value` list, `Key: value`
lines under the title, a `## Status` section, the title heading.  `MetadataSpec` says
which of these sources to read, in order, and which fields feed each role
(`status`, `owners`, `created`, …).  Parsing (`parse.metadata`) turns a doc into
`Metadata`: every field found, as written (never coerced by YAML), with the place of
its value, so that a move of status can rewrite exactly that span.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from types import MappingProxyType

SOURCES = ("frontmatter", "sidecar", "list", "lines", "section", "title")
ROLES = (
    "title",
    "status",
    "owners",
    "created",
    "updated",
    "tags",
    "supersedes",
    "superseded_by",
    "reviewers",
    "approvers",
)
LIST_ROLES = frozenset(("owners", "tags", "supersedes", "superseded_by", "reviewers", "approvers"))
DATE_ROLES = frozenset(("created", "updated"))
# the sources whose values are prose: a status is written there as its label (`Accepted`), not its name
PROSE_SOURCES = frozenset(("list", "lines", "section", "title"))

_KEY_SEPARATORS = re.compile(r"[\s_\-]+")


def field_key(name: str) -> str:
    """Return the key a field is known by: casefolded, runs of spaces, `_` and `-` as one `-`.

    `Start Date`, `start_date` and `start-date` are one field; so are `last_updated` and `Last Updated`,
    and `Author(s)` and `Authors`.
    """
    return _KEY_SEPARATORS.sub("-", name.strip().casefold().replace("(", "").replace(")", "")).strip("-")


@dataclass(frozen=True, slots=True)
class Value:
    """One field's value as written, and where: the file, and the span of the value's text."""

    key: str  # the field's name as written (`Status`, `creation-date`)
    text: str  # the value as written, markup around it removed (`Implemented (Swift 5.5)`)
    items: tuple[str, ...]  # a list's items (a single value: itself; empty: none)
    source: str  # one of SOURCES
    file: str  # the doc's path, or its sidecar's
    line: int
    column: int  # 1-based, where `text` starts
    end_column: int  # just past it
    start: int  # offsets of `text` in its file's text: what an in-place edit replaces
    end: int
    editable: bool = True  # a single scalar on one line, safe to rewrite in place
    raw: str = ""  # the source text of the span (links kept), for prose values
    style: str = ""  # a YAML scalar's quoting (`'`, `"`, or plain): a rewrite keeps it


@dataclass(frozen=True, slots=True)
class MetaProblem:
    """A reason metadata could not be read: a sidecar missing, unreadable or claimed twice."""

    file: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Metadata:
    """Every metadata field of one doc (first source wins), by `field_key`."""

    fields: Mapping[str, Value] = field(default_factory=dict)
    sidecar: str | None = None  # the sidecar's path, when one was read
    problems: tuple[MetaProblem, ...] = ()

    def first(self, names: tuple[str, ...]) -> Value | None:
        """Return the value of the first of `names` (field keys) that the doc has."""
        for name in names:
            value = self.fields.get(name)
            if value is not None:
                return value
        return None


EMPTY = Metadata(MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Sidecar:
    """A doc's sidecar as read: its path, and its text or why it could not be read."""

    path: str
    text: str | None
    problem: str | None = None  # a missing file, a symlink out of the tree, over the size limit …
    line: int = 1


@dataclass(frozen=True)
class MetadataSpec:
    """Where a process keeps its metadata, and which fields feed each role."""

    sources: tuple[str, ...] = ("frontmatter",)
    sidecar: str | None = None  # a path relative to the doc's folder: `kep.yaml`, `{stem}.yaml`
    sidecar_template: str | None = None  # the file `new` copies into a new doc's sidecar
    doc_file: str | None = None  # a doc is a folder of its own, holding this file (`README.md`)
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # role → field keys, in order
    extra: tuple[str, ...] = ()  # more fields to show in the catalog and the site (`stage`, `area`)
    required: tuple[str, ...] = ()  # roles every doc must fill
    status_section: str = "status"  # the section whose first line is the status (source `section`)
    default_status: str | None = None  # the status of a doc that states none (a merged RFC: accepted)
    # the status a doc that states none has by its folder, first match wins: (("archive/*", "withdrawn"),)
    folder_statuses: tuple[tuple[str, str], ...] = ()
    builtin: bool = False  # the built-in design-doc mapping: the front-matter rules check it

    def __reduce__(self) -> tuple:
        """Pickle with its roles as a plain dict (a read-only mapping does not pickle)."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return (_spec_rebuilt, (values | {"roles": dict(self.roles)},))

    def implied_status(self, path: str) -> str | None:
        """Return the status a doc at `path` has when it states none: its folder's, else the default."""
        for pattern, status in self.folder_statuses:
            if PurePosixPath(path).match(pattern):
                return status
        return self.default_status

    def fields_of(self, role: str) -> tuple[str, ...]:
        """Return the field keys that feed `role`, in order."""
        return self.roles.get(role, ())

    def role(self, metadata: Metadata, role: str) -> Value | None:
        """Return the value of `role` in a doc's metadata, from the first of its fields present."""
        return metadata.first(self.fields_of(role))

    def every(self, metadata: Metadata, role: str) -> tuple[Value, ...]:
        """Return the values of every field that feeds `role` (`author` and `co-authors` for owners)."""
        return tuple(v for v in (metadata.fields.get(name) for name in self.fields_of(role)) if v is not None)


def _spec_rebuilt(values: dict) -> MetadataSpec:
    return MetadataSpec(**(values | {"roles": MappingProxyType(values["roles"])}))


DESIGN_DOC = MetadataSpec(
    roles=MappingProxyType(
        {
            "title": ("title",),
            "status": ("status",),
            "owners": ("owners",),
            "updated": ("last-updated",),
            "tags": ("tags",),
            "supersedes": ("supersedes",),
            "superseded_by": ("superseded-by",),
            "reviewers": ("reviewers",),
            "approvers": ("approvers",),
        }
    ),
    builtin=True,
)
