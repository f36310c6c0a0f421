"""A team's process from its config: the `[metadata]` and `[lifecycle]` tables, and presets.

A preset is a TOML file in `presets/` holding those two tables (and a description); the
config names one with `preset = "kep"` and may override any key of either table.  The
built-in process (no preset, or `design-doc`) is the `DESIGN_DOC` metadata mapping and
lifecycle of the model.  Every key is validated here: a misspelt preset, source, role or
status is a ConfigError naming the file, the key and what is expected.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from designdoc.model import lifecycle as lifecycle_module
from designdoc.model import metadata as metadata_module
from designdoc.model.errors import ConfigError
from designdoc.model.lifecycle import Gate, Lifecycle, Status
from designdoc.model.metadata import ROLES, SOURCES, MetadataSpec, field_key
from designdoc.model.text import did_you_mean

BUILTIN = "design-doc"
_GREY = "#6e7781"
_LIFECYCLE_KEYS = ("statuses", "moves", "initial", "starts", "approved", "strict", "open", "gates", "aliases")
_LIFECYCLE_KEYS += ("superseded", "draft_note", "loose")
_METADATA_KEYS = ("sources", "sidecar", "sidecar_template", "roles", "extra", "required", "status_section")
_METADATA_KEYS += ("default_status", "doc_file", "folder_statuses")
_GATE_KEYS = ("no_errors", "fields", "min_version")


@dataclass(frozen=True)
class Preset:
    """A shipped preset: its name, what it is for, and its two tables."""

    name: str
    description: str
    metadata: dict[str, Any]
    lifecycle: dict[str, Any]
    template_hint: str  # where the team's template usually is, for `init --preset`
    paths_hint: str  # where the team's docs usually are


def preset_names() -> tuple[str, ...]:
    """Return the names of the shipped presets, the built-in one first."""
    folder = resources.files("designdoc.config") / "presets"
    names = sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))
    return (BUILTIN, *(n for n in names if n != BUILTIN))


@cache
def preset(name: str, where: str = "configuration") -> Preset:
    """Return a shipped preset; ConfigError lists the names when there is none of that name."""
    names = preset_names()
    if name not in names:
        raise ConfigError(
            f"{where}: preset: unknown preset {name!r} (expected one of: {', '.join(names)}){did_you_mean(name, names)}"
        )
    path = resources.files("designdoc.config") / "presets" / f"{name}.toml"
    table = tomllib.loads(path.read_text("utf-8"))
    return Preset(
        name,
        table.get("description", ""),
        table.get("metadata", {}),
        table.get("lifecycle", {}),
        table.get("template_hint", ""),
        table.get("paths_hint", ""),
    )


def process_of(
    preset_name: str | None, metadata: Any, lifecycle: Any, statuses: tuple[str, ...], where: str
) -> tuple[MetadataSpec, Lifecycle]:
    """Return the metadata mapping and lifecycle of a config: its preset's, overridden key by key."""
    if metadata is not None and not isinstance(metadata, dict):
        raise ConfigError(f"{where}: metadata: expected a table")
    if lifecycle is not None and not isinstance(lifecycle, dict):
        raise ConfigError(f"{where}: lifecycle: expected a table")
    base = preset(preset_name, where) if preset_name is not None else preset(BUILTIN, where)
    meta_table = {**base.metadata, **(metadata or {})}
    if metadata and "sidecar" not in meta_table.get("sources", ()) and "sidecar" not in metadata:
        meta_table.pop("sidecar", None)  # the team reads no sidecar: the preset's name of it goes too
        meta_table.pop("sidecar_template", None)
    # new statuses make a new lifecycle: the preset's moves and gates name statuses it no longer has
    inherited = {} if lifecycle and "statuses" in lifecycle else base.lifecycle
    life_table = {**inherited, **(lifecycle or {})}
    builtin = base.name == BUILTIN and not metadata and not lifecycle
    spec = metadata_module.DESIGN_DOC if builtin else spec_of(meta_table, f"{where}: metadata")
    cycle = (
        lifecycle_module.DESIGN_DOC if builtin or not life_table else lifecycle_of(life_table, f"{where}: lifecycle")
    )
    if statuses:
        cycle = _restricted(cycle, statuses)
    if spec.default_status is not None and cycle.status(spec.default_status) is None:
        raise ConfigError(f"{where}: metadata.default_status: {spec.default_status!r} is not a lifecycle status")
    for pattern, status in spec.folder_statuses:
        if cycle.status(status) is None:
            raise ConfigError(f"{where}: metadata.folder_statuses.{pattern}: {status!r} is not a lifecycle status")
    for role in spec.required:
        if role not in ROLES:
            raise ConfigError(
                f"{where}: metadata.required: unknown role {role!r} (expected one of: {', '.join(ROLES)})"
            )
    for name, gate in cycle.gates.items():
        for role in gate.fields:
            if role not in ROLES:
                raise ConfigError(f"{where}: lifecycle.gates.{name}.fields: unknown role {role!r}")
    return spec, cycle


def spec_of(table: dict[str, Any], where: str) -> MetadataSpec:
    """Validate a `[metadata]` table into a MetadataSpec."""
    _known(table, _METADATA_KEYS, where)
    sources = _strings(table.get("sources", ["frontmatter"]), f"{where}.sources")
    for source in sources:
        if source not in SOURCES:
            raise ConfigError(
                f"{where}.sources: unknown source {source!r} (expected any of: {', '.join(SOURCES)})"
                f"{did_you_mean(source, SOURCES)}"
            )
    sidecar = _optional_string(table.get("sidecar"), f"{where}.sidecar")
    if ("sidecar" in sources) != (sidecar is not None):
        raise ConfigError(
            f"{where}: 'sidecar' names the file, and 'sources' must list \"sidecar\": give both or neither"
        )
    if sidecar is not None and (sidecar.startswith("/") or ".." in sidecar.split("/")):
        raise ConfigError(f"{where}.sidecar: expected a path inside the doc's folder, got {sidecar!r}")
    roles_table = table.get("roles", {})
    if not isinstance(roles_table, dict):
        raise ConfigError(f"{where}.roles: expected a table of roles")
    roles: dict[str, tuple[str, ...]] = {}
    for role, names in roles_table.items():
        if role not in ROLES:
            raise ConfigError(
                f"{where}.roles: unknown role {role!r} (expected any of: {', '.join(ROLES)}){did_you_mean(role, ROLES)}"
            )
        listed = (names,) if isinstance(names, str) else _strings(names, f"{where}.roles.{role}")
        roles[role] = tuple(field_key(n) for n in listed)
    return MetadataSpec(
        sources=sources,
        sidecar=sidecar,
        sidecar_template=_optional_string(table.get("sidecar_template"), f"{where}.sidecar_template"),
        roles=MappingProxyType(roles),
        extra=tuple(field_key(n) for n in _strings(table.get("extra", []), f"{where}.extra")),
        required=_strings(table.get("required", []), f"{where}.required"),
        status_section=" ".join(str(table.get("status_section", "status")).casefold().split()),
        default_status=_optional_string(table.get("default_status"), f"{where}.default_status"),
        doc_file=_optional_string(table.get("doc_file"), f"{where}.doc_file"),
        folder_statuses=_folder_statuses(table.get("folder_statuses", {}), f"{where}.folder_statuses"),
    )


def _folder_statuses(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ConfigError(f'{where}: expected a table of globs and statuses, e.g. "archive/*" = "withdrawn"')
    return tuple(value.items())


def lifecycle_of(table: dict[str, Any], where: str) -> Lifecycle:
    """Validate a `[lifecycle]` table into a Lifecycle."""
    _known(table, _LIFECYCLE_KEYS, where)
    raw = table.get("statuses")
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{where}.statuses: expected a list of statuses ({{ name = …, label = …, colour = … }})")
    statuses = tuple(_status(entry, f"{where}.statuses") for entry in raw)
    names = tuple(s.name for s in statuses)
    if len(set(names)) != len(names):
        raise ConfigError(f"{where}.statuses: a status is listed twice")

    def known(value: str, key: str) -> str:
        if value not in names:
            raise ConfigError(
                f"{where}.{key}: {value!r} is not a status of the lifecycle (expected one of: {', '.join(names)})"
                f"{did_you_mean(value, names)}"
            )
        return value

    def some(key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        return tuple(known(v, key) for v in _strings(table.get(key, list(default)), f"{where}.{key}"))

    moves_table = table.get("moves", {})
    if not isinstance(moves_table, dict):
        raise ConfigError(f"{where}.moves: expected a table: status = [statuses it may move to]")
    moves = {
        known(k, "moves"): tuple(known(v, f"moves.{k}") for v in _strings(targets, f"{where}.moves.{k}"))
        for k, targets in moves_table.items()
    }
    initial = known(str(table.get("initial", names[0])), "initial")
    gates_table = table.get("gates", {})
    if not isinstance(gates_table, dict):
        raise ConfigError(f"{where}.gates: expected a table of statuses")
    gates = {known(k, "gates"): _gate(v, f"{where}.gates.{k}") for k, v in gates_table.items()}
    aliases_table = table.get("aliases", {})
    if not isinstance(aliases_table, dict):
        raise ConfigError(f'{where}.aliases: expected a table: "written value" = "status"')
    aliases = {str(k): known(str(v), f"aliases.{k}") for k, v in aliases_table.items()}
    superseded = _optional_string(table.get("superseded"), f"{where}.superseded")
    return Lifecycle.of(
        statuses,
        moves,
        initial,
        starts=some("starts", (initial,)),
        approved=frozenset(some("approved")),
        strict=some("strict"),
        open=frozenset(some("open", (initial,))),
        gates=gates,
        aliases=aliases,
        superseded=known(superseded, "superseded") if superseded is not None else None,
        draft_note=frozenset(some("draft_note", (initial,))),
        loose=_flag(table.get("loose", True), f"{where}.loose"),
    )


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    return value


def _status(entry: Any, where: str) -> Status:
    if isinstance(entry, str):
        return Status(entry, entry.replace("-", " ").replace("_", " ").capitalize(), _GREY)
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise ConfigError(f"{where}: expected a name, or a table with a name (and a label and a colour)")
    unknown = sorted(set(entry) - {"name", "label", "colour", "color"})
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (expected name, label, colour)")
    name = entry["name"].strip()
    label = entry.get("label", name.replace("-", " ").replace("_", " ").capitalize())
    colour = entry.get("colour", entry.get("color", _GREY))
    if not isinstance(label, str) or not isinstance(colour, str):
        raise ConfigError(f"{where}.{name}: label and colour are strings")
    return Status(name, label, colour)


def _gate(value: Any, where: str) -> Gate:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table (no_errors, fields, min_version)")
    _known(value, _GATE_KEYS, where)
    return Gate(
        _flag(value.get("no_errors", False), f"{where}.no_errors"),
        _strings(value.get("fields", []), f"{where}.fields"),
        _optional_string(value.get("min_version"), f"{where}.min_version"),
    )


def _restricted(cycle: Lifecycle, statuses: tuple[str, ...]) -> Lifecycle:
    """Return the lifecycle with the vocabulary of the `statuses` key: known ones keep their
    place and moves among themselves, new ones are added as final statuses."""
    kept = tuple(cycle.status(n) or Status(n, n.capitalize(), _GREY) for n in statuses)
    moves = {n: tuple(m for m in cycle.moves.get(n, ()) if m in statuses) for n in statuses}
    initial = cycle.initial if cycle.initial in statuses else statuses[0]
    return Lifecycle.of(
        kept,
        moves,
        initial,
        starts=tuple(s for s in cycle.starts if s in statuses) or (initial,),
        approved=cycle.approved & set(statuses),
        strict=cycle.strict,
        open=cycle.open & set(statuses),
        gates={k: v for k, v in cycle.gates.items() if k in statuses},
        aliases={k: v for k, v in cycle.aliases.items() if v in statuses},
        superseded=cycle.superseded if cycle.superseded in statuses else None,
        draft_note=cycle.draft_note & set(statuses),
        loose=cycle.loose,
    )


def _known(table: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} (expected any of: {', '.join(keys)}){did_you_mean(unknown[0], keys)}"
        )


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
    return tuple(value)


def _optional_string(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected a non-empty string, got {value!r}")
    return value.strip()
