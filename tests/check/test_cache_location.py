"""Where the check cache lives (a project, or just the working directory), and that git never sees it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from designdoc.check import cache
from designdoc.cli.main import main
from designdoc.config import load as config_module
from designdoc.parse import document
from helpers import EXAMPLES


@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory of docs with no config and no git work tree anywhere above it."""
    work = tmp_path / "work"
    shutil.copytree(EXAMPLES, work / "docs")
    monkeypatch.chdir(work)
    monkeypatch.delenv("DESIGNDOC_CACHE_DIR", raising=False)
    config = config_module.load()
    assert config.source is None and config.root is None, "the scratch folder is inside a project"
    return work


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the path of every doc parsed in this process (a serial run parses here)."""
    seen: list[str] = []
    real = document.parse

    def counting(text: str, path: str, *args: object, **kwargs: object) -> document.Document:
        seen.append(path)
        return real(text, path, *args, **kwargs)

    monkeypatch.setattr(document, "parse", counting)
    return seen


def report(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Return the JSON report of a serial check of `docs` (findings are expected: exit 0 or 1)."""
    capsys.readouterr()
    assert main(["check", "--format", "json", "--jobs", "1", *args, "docs"]) in (0, 1)
    return capsys.readouterr().out


def cache_files(where: Path) -> list[Path]:
    return sorted(where.glob("check-*.pickle"))


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=60)
    return done.stdout


def test_without_config_or_git_the_cache_is_in_the_working_directory(
    bare: Path, capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    cold = report(capsys)
    assert len(parses) == len(list(EXAMPLES.glob("*.md")))
    assert cache_files(bare / ".designdoc-cache")
    parses.clear()
    assert report(capsys) == cold
    assert parses == []  # the warm run was answered from the cache


def test_a_warm_run_in_a_configured_project_parses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "docs")
    (tmp_path / "designdoc.toml").write_text('paths = ["docs"]\n')
    monkeypatch.chdir(tmp_path / "docs")  # the project root is the config's folder, not the working directory
    monkeypatch.delenv("DESIGNDOC_CACHE_DIR", raising=False)
    capsys.readouterr()
    assert main(["check", "--format", "json", "--jobs", "1", "."]) in (0, 1)
    cold = capsys.readouterr().out
    assert parses and cache_files(tmp_path / ".designdoc-cache")
    assert not (tmp_path / "docs" / ".designdoc-cache").exists()
    parses.clear()
    assert main(["check", "--format", "json", "--jobs", "1", "."]) in (0, 1)
    assert capsys.readouterr().out == cold
    assert parses == []


def test_the_cache_folder_ignores_itself(bare: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report(capsys)
    ignore = bare / ".designdoc-cache" / ".gitignore"
    assert ignore.read_text("utf-8") == "*\n"
    assert not list(ignore.parent.glob("*.tmp"))  # written atomically: no temporary file left behind


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_add_all_never_stages_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES, repo / "docs")
    git(repo, "init", "-q", ".")
    monkeypatch.chdir(repo)
    monkeypatch.delenv("DESIGNDOC_CACHE_DIR", raising=False)
    report(capsys)
    assert cache_files(repo / ".designdoc-cache")  # the git root is the project root
    git(repo, "add", "-A")
    status = git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert "A  docs/rate-limiter.md" in status
    assert [line for line in status if ".designdoc-cache" in line] == []
    assert git(repo, "status", "--porcelain", "--ignored", ".designdoc-cache") == "!! .designdoc-cache/\n"


@pytest.mark.parametrize("edited", [False, True], ids=["unchanged", "edited"])
def test_a_removed_gitignore_comes_back(bare: Path, capsys: pytest.CaptureFixture[str], edited: bool) -> None:
    report(capsys)
    ignore = bare / ".designdoc-cache" / ".gitignore"
    ignore.unlink()
    if edited:  # a run with new results to write
        doc = bare / "docs" / "audit-log.md"
        doc.write_text(doc.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    report(capsys)  # with nothing new, the cache file is not written again: the .gitignore still is
    assert ignore.read_text("utf-8") == "*\n"


def test_an_existing_gitignore_is_left_alone(bare: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bare / ".designdoc-cache").mkdir()
    (bare / ".designdoc-cache" / ".gitignore").write_text("# mine\n*\n")
    report(capsys)
    assert (bare / ".designdoc-cache" / ".gitignore").read_text() == "# mine\n*\n"


def test_designdoc_cache_dir_still_wins(
    bare: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    elsewhere = bare.parent / "elsewhere" / "cache"
    monkeypatch.setenv("DESIGNDOC_CACHE_DIR", str(elsewhere))
    cold = report(capsys)
    assert cache_files(elsewhere) and not (bare / ".designdoc-cache").exists()
    assert (elsewhere / ".gitignore").read_text("utf-8") == "*\n"  # a folder of its own: ignored like the default
    parses.clear()
    assert report(capsys) == cold
    assert parses == []


def test_a_shared_cache_dir_gets_no_gitignore(
    bare: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """DESIGNDOC_CACHE_DIR naming a folder with other files in it: ignoring them all is not designdoc's call."""
    shared = bare.parent / "shared"
    shared.mkdir()
    (shared / "notes.txt").write_text("not designdoc's")
    monkeypatch.setenv("DESIGNDOC_CACHE_DIR", str(shared))
    report(capsys)
    assert cache_files(shared) and not (shared / ".gitignore").exists()


def test_no_working_directory_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    monkeypatch.delenv("DESIGNDOC_CACHE_DIR", raising=False)
    os.rmdir(gone)
    assert cache.folder(None) is None
    assert cache.folder(tmp_path) == tmp_path / ".designdoc-cache"
