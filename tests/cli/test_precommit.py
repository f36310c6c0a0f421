"""The pre-commit hooks, run for real by pre-commit on a scratch repository.

pre-commit installs a `language: python` hook into its own virtualenv with pip,
which fetches the build backend and dependencies from PyPI: several seconds.
The test runs in CI (CI=true) or with DESIGNDOC_SLOW_TESTS=1, and is skipped
with the reason when the install fails for want of a network.

The hooks repository is a snapshot of this working tree (tracked and untracked
files, .gitignore respected) committed in a temporary folder, so the test does
not depend on what has been committed here.  `pre-commit try-repo` does exactly
this with a throwaway store, so every call installs the environment again
(~10 s each); `pre-commit run` with a config naming the snapshot at its commit
is the same mechanism with one store, installed once for the module.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from designdoc.cli.main import main
from helpers import EXAMPLES, ROOT

NETWORK = re.compile(
    r"Could not find a version|No matching distribution|Failed to establish a new connection|"
    r"Temporary failure in name resolution|Network is unreachable|ConnectionError|ReadTimeout|"
    r"Name or service not known|ProxyError"
)
TODAY = "2026-12-01"  # the examples are dated 2026-11
GIT_ENV = {
    "GIT_AUTHOR_NAME": "designdoc tests",
    "GIT_AUTHOR_EMAIL": "tests@designdoc.invalid",
    "GIT_COMMITTER_NAME": "designdoc tests",
    "GIT_COMMITTER_EMAIL": "tests@designdoc.invalid",
}

slow = pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("DESIGNDOC_SLOW_TESTS")),
    reason="installs the hook's virtualenv (several seconds): runs in CI or with DESIGNDOC_SLOW_TESTS=1",
)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env={**os.environ, **GIT_ENV}
    ).stdout


def snapshot(source: Path, target: Path) -> Path:
    """Copy the working tree (what git would see, ignored files left out) into a fresh one-commit repo."""
    listed = git(source, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        origin = source / name
        if origin.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target / name)
    git(target, "init", "-q", ".")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "snapshot")
    return target


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git working tree")
    return snapshot(ROOT, tmp_path_factory.mktemp("hooks-repo"))


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    repo = tmp_path / "scratch"
    (repo / "docs" / "design").mkdir(parents=True)
    shutil.copy(EXAMPLES / "event-bus-migration.md", repo / "docs" / "design" / "event-bus-migration.md")
    clean = (EXAMPLES / "rate-limiter.md").read_text("utf-8")
    fixable = re.sub(r"_Last updated: [0-9-]+_", "_Last updated: 2020-01-01_", clean)
    (repo / "docs" / "design" / "rate-limiter.md").write_text(fixable, "utf-8")
    (repo / "README.md").write_text("# A readme, not a design doc\n\nTODO: write it.\n", "utf-8")
    git(repo, "init", "-q", ".")
    git(repo, "add", "-A")
    return repo


def run_hook(hooks: Path, home: Path, scratch: Path, hook: str, *files: str) -> subprocess.CompletedProcess[str]:
    """Run one hook of the snapshot repository on `files` of the scratch repository."""
    rev = git(hooks, "rev-parse", "HEAD").strip()
    (scratch / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: {hook}\n", "utf-8"
    )
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "DESIGNDOC_TODAY": TODAY}
    command = [sys.executable, "-m", "pre_commit", "run", hook, "--files", *files]
    done = subprocess.run(command, cwd=scratch, capture_output=True, text=True, env=env, timeout=540)
    log = home / "pre-commit.log"
    if (
        done.returncode != 0
        and "hook id" not in done.stdout
        and NETWORK.search(done.stdout + done.stderr + (log.read_text("utf-8", "replace") if log.is_file() else ""))
    ):
        pytest.skip("pre-commit could not install the hook's environment (no network to PyPI?)")
    return done


@slow
def test_the_check_and_fix_hooks_run_on_changed_docs_only(hooks_repo: Path, home: Path, scratch: Path) -> None:
    files = ("docs/design/event-bus-migration.md", "docs/design/rate-limiter.md", "README.md")
    checked = run_hook(hooks_repo, home, scratch, "designdoc-check", *files)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "event-bus-migration.md:101:1: error [section-missing]" in checked.stdout
    assert "rate-limiter.md" in checked.stdout and "README.md" not in checked.stdout
    assert "in 2 files checked" in checked.stdout  # README.md is no design doc: skipped

    fixed = run_hook(hooks_repo, home, scratch, "designdoc-fix", "docs/design/rate-limiter.md")
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr  # a file was changed
    text = (scratch / "docs" / "design" / "rate-limiter.md").read_text("utf-8")
    assert "_Last updated: 2020-01-01_" not in text
    again = run_hook(hooks_repo, home, scratch, "designdoc-fix", "docs/design/rate-limiter.md")
    assert again.returncode == 0, again.stdout + again.stderr


def test_the_hook_manifest_declares_the_three_hooks() -> None:
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    assert set(hooks) == {"designdoc-check", "designdoc-fix", "designdoc-index"}
    assert hooks["designdoc-fix"]["entry"].endswith("--fix-only --exit-non-zero-on-fix")
    assert hooks["designdoc-index"]["entry"] == "designdoc index --check"
    assert hooks["designdoc-index"]["pass_filenames"] is False
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["types"] == ["markdown"]


def test_only_docs_skips_named_files_that_are_not_design_docs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DESIGNDOC_TODAY", TODAY)
    Path("README.md").write_text("# Not a doc\n", "utf-8")
    shutil.copy(EXAMPLES / "rate-limiter.md", "doc.md")
    assert main(["check", "README.md", "doc.md", "--only-docs", "--ignore", "last-updated-behind-commit"]) == 0
    assert "1 file checked" in capsys.readouterr().out
    assert main(["check", "README.md"]) == 1  # named without --only-docs: checked, and no doc


def test_exit_non_zero_on_fix_fails_only_when_a_file_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DESIGNDOC_TODAY", TODAY)
    clean = (EXAMPLES / "rate-limiter.md").read_text("utf-8")
    Path("doc.md").write_text(re.sub(r"_Last updated: [0-9-]+_", "_Last updated: 2020-01-01_", clean), "utf-8")
    args = ["check", "doc.md", "--fix", "--exit-non-zero-on-fix", "--ignore", "last-updated-behind-commit"]
    assert main(args) == 1
    assert Path("doc.md").read_text("utf-8") == clean
    assert main(args) == 0
    assert main(["check", "doc.md", "--exit-non-zero-on-fix"]) == 2  # needs --fix
    assert "needs --fix" in capsys.readouterr().err


def _successor_pair(root: Path) -> None:
    """Write docs/design/old/limiter.md superseded by docs/design/new/limiter-v2.md, by file stem."""
    clean = (EXAMPLES / "rate-limiter.md").read_text("utf-8")
    old = clean.replace("status: approved", "status: superseded").replace(
        "tags:", "superseded_by:\n  - limiter-v2\ntags:", 1
    )
    new = clean.replace("tags:", "supersedes:\n  - limiter\ntags:", 1)
    for folder, name, text in (("old", "limiter.md", old), ("new", "limiter-v2.md", new)):
        (root / "docs" / "design" / folder).mkdir(parents=True, exist_ok=True)
        (root / "docs" / "design" / folder / name).write_text(text, "utf-8")
    (root / "designdoc.toml").write_text('paths = ["docs/design"]\n', "utf-8")


def test_the_whole_tree_resolves_references_between_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DESIGNDOC_TODAY", TODAY)
    _successor_pair(tmp_path)
    assert main(["check", "--ignore", "last-updated-behind-commit"]) == 0, capsys.readouterr().out


def test_one_changed_doc_still_resolves_a_stem_in_another_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DESIGNDOC_TODAY", TODAY)
    _successor_pair(tmp_path)
    code = main(["check", "--only-docs", "docs/design/new/limiter-v2.md", "--ignore", "last-updated-behind-commit"])
    assert code == 0, capsys.readouterr().out


def _readme_snippet() -> str:
    """Return the `.pre-commit-config.yaml` the README shows, as written there."""
    text = (ROOT / "README.md").read_text("utf-8")
    block = text.split("```yaml\n# .pre-commit-config.yaml\n", 1)[1].split("```", 1)[0]
    assert "<URL of the designdoc repository, or your mirror>" in block and "<a commit of that repository>" in block
    return block


@slow
def test_the_readme_snippet_runs_as_written_against_a_clone(hooks_repo: Path, home: Path, scratch: Path) -> None:
    head = git(scratch, "ls-remote", str(hooks_repo), "HEAD").split()[0]  # what the README says to pin
    config = _readme_snippet().replace("<URL of the designdoc repository, or your mirror>", str(hooks_repo))
    (scratch / ".pre-commit-config.yaml").write_text(config.replace("<a commit of that repository>", head), "utf-8")
    (scratch / "docs" / "design" / "event-bus-migration.md").unlink()  # findings no fix repairs: not this test's
    git(scratch, "add", "-A")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "DESIGNDOC_TODAY": TODAY}
    command = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    first = subprocess.run(command, cwd=scratch, capture_output=True, text=True, env=env, timeout=540)
    if first.returncode != 0 and NETWORK.search(first.stdout + first.stderr):
        pytest.skip("pre-commit could not install the hook's environment (no network to PyPI?)")
    assert first.returncode == 1, first.stdout + first.stderr  # the fix hook repaired a footer; the index is new
    assert "Traceback" not in first.stdout + first.stderr
    assert (scratch / "docs" / "design" / "README.md").exists() or "designdoc index" in first.stdout
    main_index = [sys.executable, "-m", "designdoc", "index", "docs/design", "--output", "docs/design/README.md"]
    subprocess.run(main_index, cwd=scratch, env=env, check=True, capture_output=True)
    git(scratch, "add", "-A")
    second = subprocess.run(command, cwd=scratch, capture_output=True, text=True, env=env, timeout=540)
    assert second.returncode == 0, second.stdout + second.stderr
    status = git(scratch, "status", "--porcelain").splitlines()
    assert [line for line in status if line[1] != " "] == []  # nothing unstaged or untracked: no cache to commit
