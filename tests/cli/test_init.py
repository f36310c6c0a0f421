"""`designdoc init`: a commented config with every default, the docs folder, hook and CI snippets."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from designdoc.cli.main import main
from designdoc.config import load as config_module
from designdoc.model.settings import Config
from helpers import FIXTURES

TEMPLATE = FIXTURES / "templates" / "rfc" / "template.md"


def test_init_writes_every_default_creates_the_folder_and_prints_snippets(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert (work / "docs" / "design").is_dir()
    text = (work / "designdoc.toml").read_text("utf-8")
    table = tomllib.loads(text)
    tables = {"rules", "sections", "metadata", "lifecycle", "template_versions", "template_renames"}
    for key in tables:  # every table: shown commented out, with an example
        assert f"# [{key}" in text or f"# [[{key}]]" in text, key
    listed = {f.name for f in dataclasses.fields(Config)} - tables - {"source", "root"}
    for key in listed:  # every key: set, or (no default value) shown commented out
        assert key in table or f"# {key} = " in text, key
    loaded = config_module.load(start=work)
    defaults = Config()
    for key in listed - {"paths"}:
        assert getattr(loaded, key) == getattr(defaults, key), key
    assert loaded.paths == ("docs/design",)
    assert sum(line.startswith("#") for line in text.splitlines()) >= len(listed)
    assert "designdoc check --only-docs" in out and "repos:" in out
    assert "--format github" in out and "upload-sarif" in out and "fetch-depth: 0" in out


def test_init_refuses_to_overwrite_a_config(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (work / "designdoc.toml").write_text("stale_days = 30\n", "utf-8")
    assert main(["init"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert (work / "designdoc.toml").read_text("utf-8") == "stale_days = 30\n"
    assert not (work / "docs").exists()


def test_init_refuses_when_pyproject_already_configures_designdoc(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "pyproject.toml").write_text("[tool.designdoc]\nstale_days = 30\n", "utf-8")
    assert main(["init"]) == 1
    assert "[tool.designdoc]" in capsys.readouterr().err
    assert not (work / "designdoc.toml").exists()


def test_init_with_a_team_template_sets_it_and_checks_it(work: Path) -> None:
    copy = work / "templates" / "rfc.md"
    copy.parent.mkdir()
    copy.write_bytes(TEMPLATE.read_bytes())
    assert main(["init", "--template", "templates/rfc.md"]) == 0
    assert tomllib.loads((work / "designdoc.toml").read_text("utf-8"))["template"] == "templates/rfc.md"
    assert config_module.load(start=work).template == "templates/rfc.md"
    assert main(["new", "A first RFC", "--owner", "ana@acme.io"]) == 0


def test_init_with_a_missing_template_is_a_usage_error(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--template", "nowhere.md"]) == 2
    assert "nowhere.md" in capsys.readouterr().err
    assert not (work / "designdoc.toml").exists()


def test_init_preset_names_the_process_finds_its_template_and_docs(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "proposal-templates").mkdir()
    (tmp_path / "proposal-templates/0000-swift-template.md").write_text(
        "# Feature name\n\n* Proposal: [SE-NNNN](NNNN-filename.md)\n* Status: **Awaiting review**\n\n"
        "## Introduction\n\nA short description.\n",
        "utf-8",
    )
    (tmp_path / "proposals").mkdir()
    assert main(["init", "--preset", "swift-evolution"]) == 0
    assert "Found the swift-evolution template" in capsys.readouterr().out
    table = tomllib.loads((tmp_path / "designdoc.toml").read_text("utf-8"))
    assert table["preset"] == "swift-evolution"
    assert table["template"] == "proposal-templates/0000-swift-template.md"
    assert table["paths"] == ["proposals"]
    assert table["metadata"]["sources"] == ["list", "title"]  # every setting visible, to edit
    assert table["lifecycle"]["initial"] == "awaiting-review"
    assert not (tmp_path / "docs").exists()
    assert main(["check"]) in (0, 1)  # the written config loads


def test_init_with_a_misspelt_preset_lists_them_and_writes_nothing(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--preset", "madr2"]) == 2
    err = capsys.readouterr().err
    assert "unknown preset 'madr2'" in err and "nygard-adr" in err and "did you mean 'madr'?" in err
    assert not (tmp_path / "designdoc.toml").exists()
