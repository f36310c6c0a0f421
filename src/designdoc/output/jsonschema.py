"""JSON Schemas (draft 2020-12) of a template's front matter and of the config file.

Editors validate YAML front matter and TOML with JSON Schema (the YAML and
TOML language servers, `taplo`), so these let authors see most mistakes
before `designdoc check` runs.  A schema can say less than the rules: it knows
no severities (unknown keys, a warning here, stay allowed), no cross-document
facts and nothing of the body.  Values are checked as a YAML 1.2 reader sees
them: dates are strings, `0.1` is a number.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from designdoc.config.process import preset_names
from designdoc.model.diagnostics import Severity
from designdoc.model.fields import (
    DESIGN_DOC,
    EMAIL,
    EMAIL_FIELDS,
    ISO_DATE,
    NAMED_EMAIL,
    OPTIONAL_FIELDS,
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_TITLE,
    REFERENCE_FIELDS,
    SEMVER,
)
from designdoc.model.metadata import ROLES, SOURCES
from designdoc.model.settings import Config
from designdoc.parse.template import SectionRules, Template, TemplateField
from designdoc.rules import ALL_RULES, REQUIREMENTS, Rule

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_STRINGS = {"type": "array", "items": {"type": "string"}}


def _whole(pattern: re.Pattern[str]) -> str:
    """Return a model pattern (which the rules match whole) as a JSON Schema pattern (which searches)."""
    return f"^(?:{pattern.pattern})$"


def _start(pattern: re.Pattern[str]) -> str:
    """Return a model pattern the rules match at the start of a text as a JSON Schema pattern."""
    return f"^(?:{pattern.pattern})"


# -- front matter --------------------------------------------------------------------------------


def frontmatter_schema(template: Template, config: Config) -> dict[str, Any]:
    """Return the JSON Schema of a doc's front matter under `template` and `config`."""
    design = template.schema == DESIGN_DOC
    properties: dict[str, Any] = {}
    for spec in template.fields:
        properties[spec.name] = _design_field(spec.name, template, config) if design else _shaped(spec)
    if design:
        for name in OPTIONAL_FIELDS:
            properties.setdefault(name, _design_field(name, template, config))
    for name in config.allowed_fields:
        properties.setdefault(name, {})
    optional = set(config.optional_fields)
    return {
        "$schema": DIALECT,
        "title": f"designdoc front matter: {template.name}",
        "type": "object",
        "properties": properties,
        "required": [f.name for f in template.fields if f.name not in optional],
    }


def _email(*, placeholder_ok: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "string",
        "anyOf": [{"format": "email", "pattern": _whole(EMAIL)}, {"pattern": _whole(NAMED_EMAIL)}],
    }
    if not placeholder_ok:
        schema["not"] = {"pattern": _whole(PLACEHOLDER_EMAIL)}
    return schema


def _design_field(name: str, template: Template, config: Config) -> dict[str, Any]:
    """Return the schema of a field of the design-doc schema (schema.py, rules/frontmatter.py)."""
    if name == "title":
        title: dict[str, Any] = {"type": "string", "minLength": 1, "not": {"pattern": _start(PLACEHOLDER_TITLE)}}
        if template.title_value:
            title["not"] = {"anyOf": [title["not"], {"const": template.title_value}]}
        return title
    if name == "doc_type":
        return {"type": "string", "const": template.doc_type} if template.doc_type else {"type": "string"}
    if name == "status":
        return {"type": "string", "enum": list(config.lifecycle.names)}
    if name == "version":
        return {
            "type": "string",
            "pattern": _whole(SEMVER),
            "description": 'A semantic version, quoted if YAML would read a number ("0.1.0").',
        }
    if name == "last_updated":
        return {"type": "string", "format": "date", "pattern": _whole(ISO_DATE)}
    if name in EMAIL_FIELDS:
        return {"type": "array", "items": _email(), **({"minItems": 1} if name == "owners" else {})}
    if name in REFERENCE_FIELDS:  # a single reference is a one-item list
        return {"anyOf": [{"type": "string", "minLength": 1}, {**_STRINGS, "minItems": 1}]}
    if name == "tags":
        return dict(_STRINGS)
    spec = template.field(name)
    return _shaped(spec) if spec is not None else {}


def _shaped(spec: TemplateField) -> dict[str, Any]:
    """Return the schema a team template's field implies: its shape, and not its placeholder."""
    shape: dict[str, Any] = {
        "list": {"type": "array"},
        "map": {"type": "object"},
        "date": {"type": "string", "format": "date", "pattern": _whole(ISO_DATE)},
        "scalar": {"type": ["string", "number", "integer", "boolean"]},
    }.get(spec.kind, {})
    if spec.placeholder and spec.value is not None:
        shape["not"] = {"contains": {"const": spec.value}} if spec.kind == "list" else {"const": spec.value}
    return shape


# -- config --------------------------------------------------------------------------------------

_ENUMS = {"completeness_default": ["warning", "error", "info"], "schema": [DESIGN_DOC]}


def config_schema() -> dict[str, Any]:
    """Return the JSON Schema of designdoc.toml (and of `[tool.designdoc]` in pyproject.toml)."""
    defaults = Config()
    properties: dict[str, Any] = {}
    for spec in dataclasses.fields(Config):
        if spec.name in ("source", "root"):
            continue
        if spec.name == "rules":
            properties["rules"] = _rules_schema()
        elif spec.name == "sections":
            properties["sections"] = _sections_schema()
        elif spec.name == "metadata":
            properties["metadata"] = _metadata_schema()
        elif spec.name == "lifecycle":
            properties["lifecycle"] = _lifecycle_schema()
        elif spec.name == "preset":
            properties["preset"] = {"type": "string", "enum": list(preset_names())}
        elif spec.name == "template_versions":
            properties["template_versions"] = _versions_schema()
        elif spec.name == "template_renames":
            properties["template_renames"] = {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "A template's renamed headings: old heading = new heading",
            }
        else:
            properties[spec.name] = _value_schema(getattr(defaults, spec.name))
            if spec.name in _ENUMS:
                properties[spec.name]["enum"] = _ENUMS[spec.name]
    properties["statuses"] = {**_STRINGS, "description": "A status vocabulary (the lifecycle's, restricted)"}
    return {
        "$schema": DIALECT,
        "title": "designdoc configuration",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


def _value_schema(default: Any) -> dict[str, Any]:
    """Return the schema of a value whose default is `default` (config._typed's rule: None is a str)."""
    if isinstance(default, bool):
        return {"type": "boolean", "default": default}
    if isinstance(default, int):
        return {"type": "integer", "default": default}
    if isinstance(default, float):
        return {"type": "number", "default": default}
    if isinstance(default, tuple):
        return {**_STRINGS, "default": list(default)}
    return {"type": "string"} if default is None else {"type": "string", "default": default}


def _versions_schema() -> dict[str, Any]:
    """Return the schema of `[[template_versions]]`: a name, a date, and a file or a git revision."""
    return {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "since"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "since": {"type": "string", "format": "date", "description": "a TOML date, or YYYY-MM-DD"},
                "file": {"type": "string", "minLength": 1},
                "rev": {"type": "string", "minLength": 1, "description": "a git revision, or REV:PATH"},
            },
            "oneOf": [{"required": ["file"]}, {"required": ["rev"]}],
        },
    }


def _metadata_schema() -> dict[str, Any]:
    names = {"anyOf": [{"type": "string"}, _STRINGS]}
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "sources": {"type": "array", "items": {"enum": list(SOURCES)}},
            "sidecar": {"type": "string"},
            "sidecar_template": {"type": "string"},
            "roles": {"type": "object", "additionalProperties": False, "properties": {r: names for r in ROLES}},
            "extra": _STRINGS,
            "required": {"type": "array", "items": {"enum": list(ROLES)}},
            "status_section": {"type": "string"},
            "default_status": {"type": "string"},
            "doc_file": {"type": "string"},
            "folder_statuses": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }


def _lifecycle_schema() -> dict[str, Any]:
    status = {
        "anyOf": [
            {"type": "string"},
            {
                "type": "object",
                "required": ["name"],
                "additionalProperties": False,
                "properties": {k: {"type": "string"} for k in ("name", "label", "colour", "color")},
            },
        ]
    }
    gate = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"no_errors": {"type": "boolean"}, "fields": _STRINGS, "min_version": {"type": "string"}},
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "statuses": {"type": "array", "items": status},
            "moves": {"type": "object", "additionalProperties": _STRINGS},
            "initial": {"type": "string"},
            **{key: _STRINGS for key in ("starts", "approved", "strict", "open", "draft_note")},
            "gates": {"type": "object", "additionalProperties": gate},
            "aliases": {"type": "object", "additionalProperties": {"type": "string"}},
            "superseded": {"type": "string"},
            "loose": {"type": "boolean"},
        },
    }


def _rules_schema() -> dict[str, Any]:
    severities = [s.label for s in Severity]
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {r.slug: _rule_schema(r, severities) for r in ALL_RULES},
    }


def _rule_schema(rule: Rule, severities: list[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {"severity": {"enum": severities}}
    defaults = rule.default_options()
    for option in dataclasses.fields(rule.options) if rule.options else ():
        properties[option.name] = _value_schema(getattr(defaults, option.name))
    return {"type": "object", "description": rule.summary, "properties": properties, "additionalProperties": False}


def _sections_schema() -> dict[str, Any]:
    """Return the schema of `[sections."Name"]` tables: one option per SectionRules field."""
    known = {
        "max_sentences": {"type": "integer", "minimum": 1},
        "require": {"type": "array", "items": {"enum": list(REQUIREMENTS)}},
    }
    defaults = SectionRules()
    options = {
        f.name: known.get(f.name) or _value_schema(getattr(defaults, f.name)) for f in dataclasses.fields(SectionRules)
    }
    section = {"type": "object", "additionalProperties": False, "properties": options}
    return {"type": "object", "additionalProperties": section}
