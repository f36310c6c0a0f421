"""Each preset on a small corpus written in its process's style: the catalog and the findings.

Every folder under tests/fixtures/processes/ is a project: a `designdoc.toml` naming the
preset, the team's template, and docs whose metadata lives where that process keeps it (a
`kep.yaml`, a `* Status:` list, front matter, a `Date:` line and a `## Status` section).
`expected-list.json` is `designdoc list --format json` of it, `expected-findings.json` the
findings of `designdoc check` as [path, line, rule].  The built-in process is the one of
examples/ and tests/fixtures/catalog/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from designdoc.cli.main import main
from helpers import FIXTURES

PROCESSES = sorted(p for p in (FIXTURES / "processes").iterdir() if p.is_dir())


@pytest.fixture
def project(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    source: Path = request.param
    target = tmp_path / source.name
    shutil.copytree(source, target)
    monkeypatch.chdir(target)
    return source


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    capsys.readouterr()
    assert main(list(args)) in (0, 1)
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("project", PROCESSES, ids=lambda p: p.name, indirect=True)
def test_the_catalog_reads_the_process_metadata(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = _json(capsys, "list", "--format", "json")
    assert found == json.loads((project / "expected-list.json").read_text("utf-8"))


@pytest.mark.parametrize("project", PROCESSES, ids=lambda p: p.name, indirect=True)
def test_the_findings_follow_the_process(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _json(capsys, "check", "--no-cache", "--format", "json")
    found = sorted([d["path"], d["line"], d["rule"]] for d in report["diagnostics"])
    assert found == json.loads((project / "expected-findings.json").read_text("utf-8"))


def test_a_superseded_adr_names_its_successor_in_its_status_line(tmp_path, monkeypatch, capsys) -> None:
    shutil.copytree(FIXTURES / "processes" / "nygard-adr", tmp_path / "adr")
    monkeypatch.chdir(tmp_path / "adr")
    capsys.readouterr()
    assert main(["graph"]) == 0
    graph = capsys.readouterr().out
    assert 'd2["2. Use RabbitMQ for jobs"]' in graph
    assert "d3 -->|supersedes| d2" in graph  # from `Superceded by [3. …](0003-….md)` in 0002's status
