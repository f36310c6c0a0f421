"""`designdoc schema frontmatter|config`: JSON Schemas (2020-12) that agree with the checks."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from designdoc.cli.main import main
from designdoc.config import load as config_module
from designdoc.config.load import load_template
from designdoc.config.starter import config_text
from designdoc.output.jsonschema import config_schema, frontmatter_schema
from helpers import FIXTURES, ROOT

TEMPLATES = FIXTURES / "templates"


class Yaml12Loader(yaml.SafeLoader):
    """Read YAML as editors' YAML 1.2 readers do: dates stay strings (no timestamp type)."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def front_matter(text: str) -> dict[str, Any]:
    block = re.match(r"---\r?\n(.*?)\r?\n---", text, re.S)
    assert block is not None
    return yaml.load(block.group(1), Loader=Yaml12Loader)


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def builtin_validator() -> jsonschema.Draft202012Validator:
    config = config_module.Config()
    return validator(frontmatter_schema(load_template(config), config))


def errors(v: jsonschema.Draft202012Validator, instance: object) -> list[str]:
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in v.iter_errors(instance)]


@pytest.mark.parametrize("name", ["rate-limiter.md", "search-indexing.md"])
def test_a_good_docs_front_matter_validates(name: str) -> None:
    assert errors(builtin_validator(), front_matter((ROOT / "examples" / name).read_text("utf-8"))) == []


GOOD = front_matter((ROOT / "examples" / "rate-limiter.md").read_text("utf-8"))


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"version": 0.1}, "version"),  # YAML read a number: quote it
        ({"version": "1.2"}, "version"),  # not semver
        ({"status": "done"}, "status"),
        ({"status": False}, "status"),  # `status: no` to a YAML 1.1 reader
        ({"owners": ["TODO@example.com"]}, "owners/0"),  # the template's placeholder
        ({"owners": ["priya"]}, "owners/0"),
        ({"owners": []}, "owners"),
        ({"last_updated": "2024-02-30"}, "last_updated"),  # no such day
        ({"doc_type": "rfc"}, "doc_type"),
        ({"title": "TODO — Replace with Design Title"}, "title"),
        ({"tags": "api"}, "tags"),
        ({"supersedes": []}, "supersedes"),
    ],
)
def test_a_bad_front_matter_is_rejected_where_the_rules_would_report_it(change: dict, where: str) -> None:
    found = errors(builtin_validator(), {**GOOD, **change})
    assert any(e.startswith(f"{where}:") for e in found), found


def test_a_missing_required_field_is_rejected_and_optional_fields_may_be_absent() -> None:
    v = builtin_validator()
    assert errors(v, {k: val for k, val in GOOD.items() if k != "owners"}) == [": 'owners' is a required property"]
    assert errors(v, {k: val for k, val in GOOD.items() if k not in ("reviewers", "approvers")}) == []
    assert errors(v, {**GOOD, "supersedes": "older-limiter", "superseded_by": ["a", "b"]}) == []


def test_a_team_templates_schema_follows_its_fields_and_config(tmp_path: Path) -> None:
    for name in ("template.md", "filled.md", "designdoc.toml"):
        shutil.copy(TEMPLATES / "madr" / name, tmp_path / name)
    config = config_module.load(start=tmp_path)
    schema = frontmatter_schema(load_template(config), config)
    v = validator(schema)
    assert set(schema["required"]) == {"status", "date", "deciders"}  # consulted, informed optional
    filled = front_matter((tmp_path / "filled.md").read_text("utf-8"))
    assert errors(v, filled) == []
    template = front_matter((tmp_path / "template.md").read_text("utf-8"))
    assert errors(v, template)  # still the placeholders


def test_the_config_schema_accepts_what_init_writes_and_rejects_mistakes() -> None:
    v = validator(config_schema())
    written = tomllib.loads(config_text(template="docs/templates/rfc.md"))
    assert errors(v, written) == []
    assert errors(v, tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["designdoc"]) == []
    for name in ("rfc", "kep", "madr"):
        table = tomllib.loads((TEMPLATES / name / "designdoc.toml").read_text("utf-8"))
        assert errors(v, table) == [], name
    assert errors(v, {"stale_dayz": 3})
    assert errors(v, {"stale_days": "90"})
    assert errors(v, {"rules": {"no-such-rule": {}}})
    assert errors(v, {"rules": {"stale": {"severity": "loud"}}})
    assert errors(v, {"rules": {"purpose-too-long": {"max_sentences": 4}}}) == []
    assert errors(v, {"sections": {"Purpose": {"require": ["telepathy"]}}})
    version = {"name": "v1", "since": "2021-03-01", "rev": "v1.0:docs/template.md"}
    assert errors(v, {"template_versions": [version], "template_renames": {"Drawbacks": "Risks"}}) == []
    assert errors(v, {"template_versions": [{**version, "file": "t.md"}]})  # a file or a rev, not both
    assert errors(v, {"template_versions": [{"name": "v1", "rev": "v1.0"}]})  # since is required
    assert errors(v, {"template_renames": {"Drawbacks": 3}})


def test_schema_command_prints_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["schema", "frontmatter"]) == 0
    assert json.loads(capsys.readouterr().out)["properties"]["status"]["enum"][0] == "draft"
    assert main(["schema", "config"]) == 0
    assert "stale_days" in json.loads(capsys.readouterr().out)["properties"]
    assert main(["schema", "nonsense"]) == 2
