"""The lifecycle as data: statuses in order, the moves between them, their gates and spellings.

A team's process names its own statuses (a KEP is `provisional`, then `implementable`; a
Swift proposal is `Active Review`, then `Accepted`).  A `Lifecycle` says, once, what every
command and rule needs to know of them: the order (for tables and sorting), a label and a
colour (for the site), the allowed moves, where a new doc starts, which statuses count as
approved (open questions resolved, version 1.0.0 or more), which make completeness findings
errors, which can go stale, the gates of a move, and how values written by hand map to
statuses (`Implemented (Swift 5.5)`, `Superceded by [3. …](…)`).

`DESIGN_DOC` is the built-in lifecycle: draft → review → approved → implemented, and the ends.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Status:
    """One status: its name (what commands take and YAML fields hold), label and colour."""

    name: str
    label: str
    colour: str  # a CSS colour for the site's badges and the lifecycle diagram


@dataclass(frozen=True, slots=True)
class Gate:
    """What a doc must satisfy to enter a status."""

    no_errors: bool = False  # no error-severity finding
    fields: tuple[str, ...] = ()  # roles that must hold a value (e.g. `approvers`)
    min_version: str | None = None  # the version is raised to this when lower


@dataclass(frozen=True, slots=True)
class Reading:
    """What a written status value means: the status (None when unknown) and the rest of it."""

    status: str | None
    detail: str = ""  # `Swift 5.5` of `Implemented (Swift 5.5)`, `[3. Foo](0003-foo.md)` of `Superseded by …`


_MARKUP = re.compile(r"[*_`]+")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_SPACE = re.compile(r"\s+")
_DETAIL_EDGES = " \t:;,.-–—()[]"


def _plain(text: str) -> str:
    return _SPACE.sub(" ", _MARKUP.sub("", _LINK.sub(r"\1", text))).strip()


@dataclass(frozen=True, repr=False)
class Lifecycle:
    """A team's lifecycle.  Build it with `Lifecycle.of`; every table is read-only.

    Its repr is the same in every process (sets sorted): the check cache's key holds it.
    """

    statuses: tuple[Status, ...]
    moves: Mapping[str, frozenset[str]]
    initial: str
    starts: tuple[str, ...] = ()  # where a new doc may start (the initial status, and any other)
    approved: frozenset[str] = frozenset()  # past approval: open questions resolved, version ≥ 1.0.0
    strict: tuple[str, ...] = ()  # completeness findings are errors here
    open: frozenset[str] = frozenset()  # a doc in these goes stale
    gates: Mapping[str, Gate] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)  # a written value (casefolded) → status
    superseded: str | None = None  # the status that names a successor (`superseded_by`)
    draft_note: frozenset[str] = frozenset()  # the template's draft note may stay in these
    loose: bool = True  # read written values loosely (case, markup, detail); False: names only, exactly

    @classmethod
    def of(
        cls,
        statuses: tuple[Status, ...],
        moves: Mapping[str, frozenset[str] | tuple[str, ...] | list[str]],
        initial: str,
        **tables: object,
    ) -> Lifecycle:
        """Return a lifecycle whose tables cannot be changed afterwards."""
        frozen = {status.name: frozenset(moves.get(status.name, ())) for status in statuses}
        read_only = {
            key: MappingProxyType(dict(value)) if isinstance(value, Mapping) else value for key, value in tables.items()
        }
        return cls(statuses, MappingProxyType(frozen), initial, **read_only)

    def __reduce__(self) -> tuple:
        """Pickle as the call of `of` that makes it (read-only tables do not pickle)."""
        tables = {name: getattr(self, name) for name in self.__dataclass_fields__}
        tables = {k: dict(v) if isinstance(v, Mapping) else v for k, v in tables.items()}
        return (_rebuilt, (tables,))

    def __repr__(self) -> str:
        def plain(value: object) -> object:
            if isinstance(value, (set, frozenset)):
                return sorted(value)
            if isinstance(value, Mapping):
                return sorted((k, plain(v)) for k, v in value.items())
            return value

        fields = ", ".join(f"{name}={plain(getattr(self, name))!r}" for name in self.__dataclass_fields__)
        return f"Lifecycle({fields})"

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Return the statuses' names, in lifecycle order (made once: every doc's status is looked up)."""
        return tuple(s.name for s in self.statuses)

    @property
    def final(self) -> tuple[str, ...]:
        """Return the statuses no move leaves."""
        return tuple(s.name for s in self.statuses if not self.moves.get(s.name))

    def status(self, name: str) -> Status | None:
        """Return the status named `name`, if the lifecycle has it."""
        return next((s for s in self.statuses if s.name == name), None)

    def rank(self, name: str | None) -> int:
        """Return a status's place in the order (unknown ones last)."""
        names = self.names
        return names.index(name) if name in names else len(names)

    def allowed(self, current: str, new: str) -> bool:
        """Return True when a doc may move from `current` to `new`."""
        return new in self.moves.get(current, frozenset())

    def legal_moves(self, current: str) -> str:
        """Return the statuses reachable from `current`, for messages."""
        moves = sorted(self.moves.get(current, frozenset()), key=self.rank)
        return ", ".join(moves) if moves else f"none: {current!r} is final"

    def gate(self, new: str) -> Gate:
        """Return the gate of entering `new` (an empty gate when it has none)."""
        return self.gates.get(new, _NO_GATE)

    def read(self, written: str | None) -> Reading:
        """Return what a written value means: a status name or label, any case, markup and detail
        around it ignored (`**Implemented (Swift 5.5)**`), or an alias (`Superceded by …`).

        The longest name, label or alias that the value starts with (at a word's end) wins;
        what follows it is the detail.  A value still listing the template's alternatives
        (`provisional|implementable`) is no status.
        """
        if written is None:
            return Reading(None)
        if not self.loose:
            return Reading(written if written in self.names else None)
        text = _plain(written)
        folded = text.casefold()
        if "|" in folded:  # the template's alternatives, `provisional|implementable|…`, still there
            return Reading(None)
        best: tuple[int, str] | None = None
        for spelling, status in self._spellings():
            if folded == spelling:
                return Reading(status)
            if folded.startswith(spelling) and not folded[len(spelling)].isalnum():
                if best is None or len(spelling) > best[0]:
                    best = (len(spelling), status)
        if best is None:
            return Reading(None)
        return Reading(best[1], text[best[0] :].strip(_DETAIL_EDGES))

    def _spellings(self) -> list[tuple[str, str]]:
        found = [(s.name.casefold(), s.name) for s in self.statuses]
        found += [(s.label.casefold(), s.name) for s in self.statuses]
        found += [(_plain(alias).casefold(), status) for alias, status in self.aliases.items()]
        return [(spelling, status) for spelling, status in found if spelling]


def _rebuilt(tables: dict) -> Lifecycle:
    statuses, moves, initial = tables.pop("statuses"), tables.pop("moves"), tables.pop("initial")
    return Lifecycle.of(statuses, moves, initial, **tables)


_NO_GATE = Gate()

DESIGN_DOC = Lifecycle.of(
    (
        Status("draft", "Draft", "#6e7781"),
        Status("review", "In review", "#9a6700"),
        Status("approved", "Approved", "#1a7f37"),
        Status("implemented", "Implemented", "#0969da"),
        Status("deprecated", "Deprecated", "#bc4c00"),
        Status("superseded", "Superseded", "#8250df"),
        Status("rejected", "Rejected", "#cf222e"),
        Status("withdrawn", "Withdrawn", "#57606a"),
    ),
    {
        "draft": ("review", "withdrawn"),
        "review": ("draft", "approved", "rejected", "withdrawn"),
        "approved": ("implemented", "superseded", "deprecated", "withdrawn"),
        "implemented": ("superseded", "deprecated"),
        "deprecated": ("superseded",),
    },
    "draft",
    starts=("draft", "review"),
    approved=frozenset({"approved", "implemented", "deprecated", "superseded"}),
    strict=("review", "approved", "implemented", "deprecated", "superseded"),
    open=frozenset({"draft", "review"}),
    gates={
        "review": Gate(no_errors=True),
        "approved": Gate(no_errors=True, min_version="1.0.0"),
        "implemented": Gate(no_errors=True, min_version="1.0.0"),
        "deprecated": Gate(min_version="1.0.0"),
        "superseded": Gate(min_version="1.0.0"),
    },
    superseded="superseded",
    draft_note=frozenset({"draft"}),
    loose=False,  # the built-in schema asks for the names exactly; `field-value` reports others
)
