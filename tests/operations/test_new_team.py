"""`new` for a team's process: the metadata is written where the process keeps it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from designdoc.cli.main import main
from helpers import FIXTURES

PROCESSES = FIXTURES / "processes"


def project(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str) -> Path:
    root = tmp_path / name
    shutil.copytree(PROCESSES / name, root)
    with (root / "designdoc.toml").open("a", encoding="utf-8") as config:
        config.write(extra)
    monkeypatch.chdir(root)
    return root


def created(capsys: pytest.CaptureFixture[str], *args: str) -> Path:
    capsys.readouterr()
    assert main(["new", *args]) == 0
    out, err = capsys.readouterr()
    assert err == ""  # a new doc of a team's process has no finding to warn of
    return Path(out.strip())


def entry(capsys: pytest.CaptureFixture[str], path: Path) -> dict:
    assert main(["list", "--format", "json", str(path)]) == 0
    return json.loads(capsys.readouterr().out)[0]


def test_a_new_kep_is_a_folder_with_its_sidecar_from_the_team_template(tmp_path, monkeypatch, capsys) -> None:
    root = project("kep", tmp_path, monkeypatch, 'new_dir = "keps/sig-node"\n')
    doc = created(capsys, "Pod-level resource limits", "--owner", "@ana", "--owner", "@bo")
    assert doc == Path("keps/sig-node/pod-level-resource-limits/README.md")
    sidecar = (root / doc).with_name("kep.yaml").read_text("utf-8")
    assert 'authors:\n  - "@ana"\n  - "@bo"\n' in sidecar
    assert "status: provisional\n" in sidecar and "creation-date: 2025-06-01\n" in sidecar
    assert "owning-sig: sig-xxx\n" in sidecar  # the rest of the team's template, as it is
    found = entry(capsys, doc)
    assert (found["title"], found["status"], found["owners"]) == (
        "Pod-level resource limits",
        "provisional",
        ["@ana", "@bo"],
    )


def test_new_refuses_an_existing_sidecar_and_writes_nothing(tmp_path, monkeypatch, capsys) -> None:
    root = project("kep", tmp_path, monkeypatch, 'new_dir = "keps/sig-node"\n')
    folder = root / "keps/sig-node/pod-level-resource-limits"
    folder.mkdir(parents=True)
    (folder / "kep.yaml").write_text("title: someone else's\n", "utf-8")
    assert main(["new", "Pod-level resource limits", "--owner", "@ana"]) == 1
    assert "kep.yaml: already exists" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["kep.yaml"]


@pytest.mark.parametrize(
    ("name", "folder", "status", "written"),
    [
        ("swift-evolution", "proposals", "awaiting-review", "* Status: Awaiting review\n"),
        ("nygard-adr", "doc/adr", "proposed", "Date: 2025-06-01\n\n## Status\n\nProposed\n"),
        ("madr", "docs/decisions", "proposed", "date: 2025-06-01\ndecision-makers: Ana Silva\n"),
        ("rust-rfc", "text", "accepted", "- Start Date: 2025-06-01\n"),
        ("ember-rfc", "text", "accepted", "start-date: 2025-06-01"),
    ],
)
def test_a_new_doc_holds_its_metadata_where_the_process_keeps_it(
    name, folder, status, written, tmp_path, monkeypatch, capsys
) -> None:
    root = project(name, tmp_path, monkeypatch, f'new_dir = "{folder}"\n')
    doc = created(capsys, "Faster incremental builds", "--owner", "Ana Silva")
    assert written in (root / doc).read_text("utf-8")
    found = entry(capsys, doc)
    assert found["status"] == status
    assert found["title"] == "Faster incremental builds"
