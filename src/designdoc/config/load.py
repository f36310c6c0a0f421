"""Find, read and validate the configuration, once, into a frozen `Config`.

The file is `designdoc.toml`, or the `[tool.designdoc]` table of
`pyproject.toml`, in the working directory or the nearest folder above it
(or one named with `--config`).  Every key is checked here against the
defaults' types; an unknown key or a wrong type is a ConfigError naming the
file and the key, so nothing downstream re-checks options.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import fields
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from designdoc.config.process import process_of
from designdoc.model.diagnostics import Severity
from designdoc.model.errors import ConfigError, TemplateError, UsageError
from designdoc.model.settings import Config, NamedVersion, RuleConfig
from designdoc.parse import template as template_module
from designdoc.parse.template import SectionRules, Template, derive, section_rules_from
from designdoc.rules import REQUIREMENTS

CONFIG_NAMES = ("designdoc.toml", "pyproject.toml")


_TUPLE_KEYS = {
    "paths",
    "exclude",
    "optional_sections",
    "optional_fields",
    "allowed_fields",
    "statuses",
    "strict_statuses",
    "placeholder_patterns",
}
_KEYS = {f.name for f in fields(Config)} - {"source", "root"} | {"statuses"}
_PROCESS_KEYS = ("preset", "metadata", "lifecycle")
# days may be 0; a size or a time budget of 0 would skip every file
_LEAST = {"stale_days": 0, "commit_grace_days": 0, "max_file_size": 1, "time_budget": 1e-9}


def find(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """Return the nearest config file at or above `start`, with its designdoc table."""
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                table = _read(candidate)
                if name == "designdoc.toml":
                    return candidate, table
                tool = table.get("tool", {}).get("designdoc")
                if tool is not None:
                    return candidate, tool
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the configuration ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def load(start: Path | None = None, *, explicit: Path | None = None) -> Config:
    """Find and validate the configuration; defaults when there is none."""
    start = (start or Path.cwd()).resolve()
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        table = _read(explicit)
        if explicit.name == "pyproject.toml":
            table = table.get("tool", {}).get("designdoc", {})
        found: tuple[Path, dict[str, Any]] | None = (explicit, table)
    else:
        found = find(start)
    if found is None:
        return Config(root=git_root(start))
    path, table = found
    return from_table(table, source=path)


def git_root(start: Path) -> Path | None:
    """Return the nearest folder at or above `start` that holds `.git`."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def from_table(table: dict[str, Any], *, source: Path | None = None) -> Config:
    """Validate a designdoc table into a Config; ConfigError names the bad key."""
    where = str(source) if source else "configuration"
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (expected one of: {', '.join(sorted(_KEYS))})")
    values: dict[str, Any] = {}
    defaults = Config()
    for key, value in table.items():
        if key in _PROCESS_KEYS:
            continue
        if key == "rules":
            values[key] = _rules(value, where)
        elif key == "sections":
            values[key] = _sections(value, where)
        elif key == "template_versions":
            values[key] = _named_versions(value, where)
        elif key == "template_renames":
            values[key] = _renames(value, where)
        elif key in _TUPLE_KEYS:
            values[key] = _strings(value, key, where)
        else:
            values[key] = _typed(value, getattr(defaults, key), key, where)
    for key, least in _LEAST.items():
        if key in values and values[key] < least:
            expected = "0 or more" if least == 0 else "more than 0"
            raise ConfigError(f"{where}: {key}: expected {expected}, got {values[key]!r}")
    if values.get("completeness_default", "warning") not in ("warning", "error", "info"):
        raise ConfigError(f"{where}: completeness_default: expected 'warning', 'error' or 'info'")
    preset = table.get("preset")
    if preset is not None and not isinstance(preset, str):
        raise ConfigError(f"{where}: preset: expected a preset's name, got {preset!r}")
    spec, lifecycle = process_of(
        preset, table.get("metadata"), table.get("lifecycle"), values.get("statuses", ()), where
    )
    values.update(preset=preset, metadata=spec, lifecycle=lifecycle)
    values.setdefault("strict_statuses", lifecycle.strict)
    values.pop("statuses", None)  # folded into the lifecycle
    root = source.parent if source else None
    return Config(source=source, root=root, **values)


def _typed(value: Any, default: Any, key: str, where: str) -> Any:
    expected = type(default) if default is not None else str
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(f"{where}: {key}: expected {expected.__name__}, got {value!r}")
    return value


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key}: expected a list of strings, got {value!r}")
    return tuple(value)


def _sections(value: Any, where: str) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: sections: expected a table of section names")
    try:
        section_rules(value, where)  # validates option names and requirement words
    except TemplateError as error:
        raise ConfigError(str(error)) from None
    return value


def _named_versions(value: Any, where: str) -> tuple[NamedVersion, ...]:
    """Validate `[[template_versions]]`: each a name, a `since` date and a `file` or a git `rev`."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{where}: template_versions: expected [[template_versions]] tables")
    out = []
    for number, table in enumerate(value, 1):
        at = f"{where}: template_versions #{number}"
        unknown = sorted(set(table) - {"name", "since", "file", "rev"})
        if unknown:
            raise ConfigError(f"{at}: unknown key {unknown[0]!r} (expected name, since, file or rev)")
        name, since = table.get("name"), table.get("since")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f'{at}: name: expected the version\'s name, e.g. name = "v2"')
        if isinstance(since, str):
            try:
                since = dt.date.fromisoformat(since)
            except ValueError:
                since = None
        if isinstance(since, dt.datetime):
            since = since.date()
        if not isinstance(since, dt.date):
            raise ConfigError(f"{at}: since: expected a date (since = 2024-03-01)")
        sources = [k for k in ("file", "rev") if k in table]
        if len(sources) != 1 or not isinstance(table[sources[0]], str) or not table[sources[0]]:
            raise ConfigError(f'{at}: expected either file = "path" or rev = "git revision"')
        out.append(NamedVersion(name.strip(), since, table.get("file"), table.get("rev")))
    names = [v.name for v in out]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise ConfigError(f"{where}: template_versions: the name {twice!r} is used twice")
    return tuple(out)


def _renames(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ConfigError(f'{where}: template_renames: expected "old heading" = "new heading" pairs')
    return dict(value)


def _rules(value: Any, where: str) -> dict[str, RuleConfig]:
    from designdoc.rules import by_slug

    if not isinstance(value, dict):
        raise ConfigError(f"{where}: rules: expected a table of rule slugs")
    out = {}
    for slug, options in value.items():
        rule = by_slug(slug)
        if rule is None:
            raise ConfigError(f"{where}: rules.{slug}: unknown rule (see 'designdoc rules')")
        if not isinstance(options, dict):
            raise ConfigError(f"{where}: rules.{slug}: expected a table")
        options = dict(options)
        severity = None
        if "severity" in options:
            word = options.pop("severity")
            try:
                severity = Severity.parse(word) if isinstance(word, str) else None
            except KeyError:
                severity = None
            if severity is None:
                raise ConfigError(f"{where}: rules.{slug}.severity: expected off, info, warning or error, got {word!r}")
        out[slug] = RuleConfig(severity, rule.validate_options(options, f"{where}: rules.{slug}"))
    return out


def today() -> dt.date:
    """Return "today": the local date, or `DESIGNDOC_TODAY` (YYYY-MM-DD) when set."""
    pinned = os.environ.get("DESIGNDOC_TODAY")
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise UsageError(f"DESIGNDOC_TODAY={pinned!r} is not a date (expected YYYY-MM-DD)") from None


def load_template(config: Config, override: str | None = None) -> Template:
    """Return the template the config (or `--template`) names, else the built-in one."""
    name = override or config.template
    rules = section_rules(config.sections, str(config.source or "configuration"))
    if name is None:
        base = builtin()
        if not rules and not config.optional_sections:
            return base
        return template_module.derive(
            base.source,
            name=base.name,
            schema=base.schema,
            section_rules={**builtin_rules()[1], **rules},
            optional_sections=config.optional_sections,
        )
    path = Path(name)
    if not path.is_absolute() and override is None and config.root is not None:
        path = config.root / path
    if not path.is_file():
        raise TemplateError(f"{name}: template file not found")
    return template_module.load(
        path,
        schema=config.schema,
        section_rules=rules,
        optional_sections=config.optional_sections,
        titled="title" in config.metadata.sources,
    )


def builtin_path() -> Path:
    """Return the path of the built-in design-doc template."""
    return Path(str(resources.files("designdoc.config") / "templates" / "design_doc.md"))


@cache
def builtin_rules() -> tuple[str | None, dict[str, SectionRules]]:
    """Return the built-in template's schema and per-section rules (its TOML, read once)."""
    table = tomllib.loads(builtin_path().with_suffix(".toml").read_text("utf-8"))
    return table.get("schema"), section_rules(table.get("sections", {}), "built-in template")


@cache
def builtin() -> Template:
    """Return the built-in template (parsed once per process)."""
    schema, rules = builtin_rules()
    return derive(builtin_path().read_text("utf-8"), name="design_doc (built-in)", schema=schema, section_rules=rules)


def section_rules(table: dict, where: str) -> dict[str, SectionRules]:
    """Build a template's per-section rules from a `[sections."Name"]` table; TemplateError names a bad key."""
    return section_rules_from(table, where, REQUIREMENTS)
