"""`check --fix` and `check --diff` say the run's own warnings, as a plain `check` does."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from designdoc.cli.main import main
from helpers import EXAMPLES


def _git(where: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_DATE="2025-02-02T10:00:00+00:00", GIT_COMMITTER_DATE="2025-02-02T10:00:00+00:00")
    subprocess.run(["git", "-C", str(where), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def shallow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A shallow clone of a repository with two commits of a doc that --fix can change."""
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "T")
    source = next(p for p in sorted(EXAMPLES.glob("*.md")))
    shutil.copy(source, repo / "docs" / "a.md")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "one")
    text = (repo / "docs" / "a.md").read_text("utf-8")
    (repo / "docs" / "a.md").write_text(text.replace("\n## ", "\n\n## ", 1) + "TODO\n", "utf-8")
    _git(repo, "commit", "-q", "-am", "two")
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(tmp_path / "shallow")], check=True)
    monkeypatch.chdir(tmp_path / "shallow")
    monkeypatch.setenv("DESIGNDOC_TODAY", "2026-11-27")
    return tmp_path / "shallow"


@pytest.mark.parametrize("how", [["--fix"], ["--diff"], []])
def test_the_shallow_clone_warning_is_said_once_whatever_the_mode(
    shallow: Path, capsys: pytest.CaptureFixture[str], how: list[str]
) -> None:
    main(["check", "--no-cache", *how, "docs"])
    err = capsys.readouterr().err
    assert err.count("shallow clone") == 1, err
