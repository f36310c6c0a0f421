"""Git commit dates (one `git log` for the tree), `list`'s last_commit and last-updated-behind-commit.

Every test builds a real repository in tmp_path with commits at set dates.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from designdoc.check import git as gitdates
from designdoc.cli.main import main
from designdoc.model.diagnostics import Severity
from helpers import FIXTURES, check, git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
CLEAN = FIXTURES / "rules" / "superseded-by-missing" / "_replacement.md"


def commit(repo: Path, date: str, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, date=date)


def doc(last_updated: str, title: str = "Rate limiter") -> str:
    """Return a clean doc whose last_updated (and footer) is `last_updated`."""
    text = CLEAN.read_text("utf-8").replace("2025-05-20", last_updated)
    text = text.replace("supersedes:\n  - pass-superseded-by-set\n", "")
    return text.replace("title: Rate Limiter Service v2", f"title: {title}")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    git(root, "init", "-q")
    monkeypatch.chdir(root)
    return root


def behind(found: list) -> list[tuple[str, int, int, str]]:
    return [(d.path, d.line, d.column, d.message) for d in found if d.rule == "last-updated-behind-commit"]


# --------------------------------------------------------------------------- gitdates


def test_last_commit_date_per_file_in_the_committers_time_zone(repo: Path) -> None:
    (repo / "docs" / "a.md").write_text("a\n")
    commit(repo, "2025-01-02T10:00:00+02:00")
    (repo / "docs" / "b c.md").write_text("b\n")
    commit(repo, "2025-02-03T12:00:00+00:00")
    (repo / "docs" / "a.md").write_text("a2\n")
    commit(repo, "2025-03-04T23:30:00-05:00")  # 2025-03-05 in UTC: the committer's date counts
    dates = gitdates.load([repo / "docs"])
    assert dates.available and not dates.shallow
    assert str(dates.last_commit("docs/a.md")) == "2025-03-04"
    assert str(dates.last_commit(repo / "docs" / "b c.md")) == "2025-02-03"


def test_renames_count_for_the_new_name_and_uncommitted_edits_do_not(repo: Path) -> None:
    (repo / "docs" / "old.md").write_text("x\n")
    commit(repo, "2025-01-05T09:00:00+00:00")
    git(repo, "mv", "docs/old.md", "docs/new.md")
    commit(repo, "2025-02-06T09:00:00+00:00")
    (repo / "docs" / "new.md").write_text("edited, not committed\n")
    (repo / "docs" / "untracked.md").write_text("y\n")
    dates = gitdates.load(["docs"])
    assert str(dates.last_commit("docs/new.md")) == "2025-02-06"
    assert dates.last_commit("docs/untracked.md") is None


def test_one_git_log_serves_the_whole_tree(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(30):
        (repo / "docs" / f"d{n}.md").write_text(f"{n}\n")
    commit(repo, "2025-01-05T09:00:00+00:00")
    calls = []
    real = subprocess.run

    def counting(args, **kwargs):
        calls.append(args[1:3])
        return real(args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting)
    dates = gitdates.load(sorted((repo / "docs").iterdir()))
    assert len(dates.dates) == 30
    assert len(calls) == 2  # rev-parse, then one log


def test_outside_git_the_dates_are_empty_and_say_why(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("a\n")
    dates = gitdates.load([tmp_path / "a.md"])
    assert (dates.available, dict(dates.dates), dates.reason) == (False, {}, "not a git repository")
    assert dates.last_commit(tmp_path / "a.md") is None


def test_without_git_on_path_the_dates_are_empty(repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "empty-bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    dates = gitdates.load([repo / "docs"])
    assert (dates.available, dates.reason) == (False, "git is not installed")


# --------------------------------------------------------------------------- last-updated-behind-commit


def test_a_commit_after_last_updated_is_a_warning(repo: Path) -> None:
    (repo / "docs" / "a.md").write_text(doc("2025-01-10"))
    commit(repo, "2025-03-02T10:00:00+00:00")
    found = check("docs").diagnostics
    assert behind(found) == [
        ("docs/a.md", 9, 15, "last_updated 2025-01-10 is 51 days before the last commit touching the doc (2025-03-02)")
    ]
    assert [d.severity for d in found if d.rule == "last-updated-behind-commit"] == [Severity.WARNING]


@pytest.mark.parametrize(
    ("committed", "grace", "warned"),
    [
        ("2025-03-02T08:00:00+00:00", None, False),  # one day: within the default grace
        ("2025-03-03T08:00:00+00:00", None, True),  # two days
        ("2025-03-03T08:00:00+00:00", 2, False),
        ("2025-02-20T08:00:00+00:00", None, False),  # committed before last_updated
    ],
)
def test_commit_grace_days(repo: Path, committed: str, grace: int | None, warned: bool) -> None:
    (repo / "docs" / "a.md").write_text(doc("2025-03-01"))
    commit(repo, committed)
    table = {} if grace is None else {"commit_grace_days": grace}
    assert bool(behind(check("docs", table=table).diagnostics)) is warned


def test_an_uncommitted_update_of_last_updated_counts(repo: Path) -> None:
    (repo / "docs" / "a.md").write_text(doc("2025-01-10"))
    commit(repo, "2025-03-02T10:00:00+00:00")
    (repo / "docs" / "a.md").write_text(doc("2025-03-02"))  # the working tree is what is read
    assert behind(check("docs").diagnostics) == []


def test_outside_git_the_rule_is_silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text(doc("2020-01-10"))
    result = check("a.md")
    assert behind(result.diagnostics) == [] and result.notes == []


def test_in_a_shallow_clone_the_rule_is_off_with_one_note(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "docs" / "a.md").write_text(doc("2025-01-10"))
    (repo / "docs" / "b.md").write_text(doc("2025-01-10", "Other"))
    commit(repo, "2025-02-02T10:00:00+00:00")
    (repo / "docs" / "a.md").write_text(doc("2025-01-11"))
    commit(repo, "2025-03-02T10:00:00+00:00")
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", "shallow")
    monkeypatch.chdir(tmp_path / "shallow")
    result = check("docs")
    assert behind(result.diagnostics) == []
    assert len(result.notes) == 1 and "shallow clone" in result.notes[0] and "--unshallow" in result.notes[0]
    assert main(["list", "docs", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert err.count("shallow clone") == 1
    assert [row["last_commit"] for row in json.loads(out)] == ["2025-03-02", "2025-03-02"]


# --------------------------------------------------------------------------- list


def test_list_shows_the_last_commit_date(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "docs" / "a.md").write_text(doc("2025-01-10"))
    (repo / "docs" / "b.md").write_text(doc("2025-01-10", "Other"))
    commit(repo, "2025-01-10T10:00:00+00:00")
    (repo / "docs" / "b.md").write_text(doc("2025-02-01", "Other"))
    commit(repo, "2025-02-01T10:00:00+00:00")
    (repo / "docs" / "c.md").write_text(doc("2025-02-01", "New"))  # not committed yet
    assert main(["list", "docs", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert {row["path"]: row["last_commit"] for row in json.loads(out)} == {
        "docs/a.md": "2025-01-10",
        "docs/b.md": "2025-02-01",
        "docs/c.md": None,
    }
    assert err == ""


# --------------------------------------------------------------------------- status-transition-illegal (--base)


def with_status(text: str, status: str) -> str:
    return text.replace("status: approved", f"status: {status}", 1)


@pytest.fixture
def branch(repo: Path) -> Path:
    """A repo whose `main` holds docs/a.md as a draft; work continues on `feature`."""
    (repo / "docs" / "a.md").write_text(with_status(doc("2025-01-10"), "draft"))
    commit(repo, "2025-01-10T10:00:00+00:00")
    git(repo, "branch", "-M", "main")
    git(repo, "checkout", "-q", "-b", "feature")
    return repo


def moves(base: str | None = "main", *targets: str) -> list[tuple[str, int, str]]:
    found = check(*(targets or ("docs",)), base=base).diagnostics
    return [(d.path, d.line, d.message) for d in found if d.rule == "status-transition-illegal"]


def test_legal_moves_since_the_base_are_silent(branch: Path) -> None:
    a = branch / "docs" / "a.md"
    for status, day in (("review", "02"), ("draft", "03"), ("review", "04"), ("approved", "05")):
        a.write_text(with_status(doc("2025-01-10"), status))
        commit(branch, f"2025-02-{day}T10:00:00+00:00")
    a.write_text(with_status(doc("2025-01-10"), "implemented"))  # and on, in the working tree
    assert moves() == []


def test_a_skipped_step_in_a_commit_is_reported(branch: Path) -> None:
    a = branch / "docs" / "a.md"
    a.write_text(with_status(doc("2025-01-10"), "approved"))
    commit(branch, "2025-02-02T10:00:00+00:00")
    found = moves()
    assert len(found) == 1
    path, line, message = found[0]
    assert (path, line) == ("docs/a.md", 4)
    assert message.startswith("Illegal status move 'draft' → 'approved' (in commit ")
    assert moves(None) == []  # without --base the rule is off


def test_a_move_in_the_working_tree_is_reported(branch: Path) -> None:
    a = branch / "docs" / "a.md"
    a.write_text(with_status(doc("2025-01-10"), "review"))
    commit(branch, "2025-02-02T10:00:00+00:00")
    a.write_text(with_status(doc("2025-01-10"), "implemented"))
    assert [m for _, _, m in moves()] == ["Illegal status move 'review' → 'implemented' (in the working tree)"]


def test_renames_are_followed(branch: Path) -> None:
    git(branch, "mv", "docs/a.md", "docs/renamed.md")
    (branch / "docs" / "renamed.md").write_text(with_status(doc("2025-01-10"), "withdrawn"))
    commit(branch, "2025-02-02T10:00:00+00:00")
    (branch / "docs" / "renamed.md").write_text(with_status(doc("2025-01-10"), "review"))
    assert [(p, m) for p, _, m in moves()] == [
        ("docs/renamed.md", "Illegal status move 'withdrawn' → 'review' (in the working tree)")
    ]


def test_a_new_doc_must_start_as_draft_or_review(branch: Path) -> None:
    (branch / "docs" / "b.md").write_text(with_status(doc("2025-01-10", "B"), "approved"))
    commit(branch, "2025-02-02T10:00:00+00:00")
    (branch / "docs" / "c.md").write_text(with_status(doc("2025-01-10", "C"), "review"))  # untracked: fine
    (branch / "docs" / "d.md").write_text(with_status(doc("2025-01-10", "D"), "implemented"))
    found = sorted((p, m.split(" (in ")[0]) for p, _, m in moves())
    assert found == [("docs/b.md", "New doc starts as 'approved'"), ("docs/d.md", "New doc starts as 'implemented'")]


def test_an_unknown_base_is_a_usage_error(branch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from designdoc.model.errors import UsageError

    (branch / "docs" / "a.md").write_text(with_status(doc("2025-01-10"), "review"))
    with pytest.raises(UsageError, match="--base no-such-branch: "):
        moves("no-such-branch")


def test_the_history_takes_a_fixed_number_of_git_calls(branch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(12):
        (branch / "docs" / f"n{n}.md").write_text(with_status(doc("2025-01-10", f"N{n}"), "draft"))
    commit(branch, "2025-02-02T10:00:00+00:00")
    for n in range(12):
        (branch / "docs" / f"n{n}.md").write_text(with_status(doc("2025-01-10", f"N{n}"), "review"))
    commit(branch, "2025-02-03T10:00:00+00:00")
    calls = []
    real = subprocess.run

    def counting(args, **kwargs):
        calls.append(args[1])
        return real(args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting)
    history = gitdates.status_history(["docs"], "main", lambda data: "x")
    assert len(history.steps) == 12 and all(len(steps) == 2 for steps in history.steps.values())
    assert len(calls) == 6  # rev-parse, merge-base, diff, ls-files, log, cat-file


def test_in_a_shallow_clone_the_history_is_off_with_a_note(
    branch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (branch / "docs" / "a.md").write_text(with_status(doc("2025-01-10"), "approved"))
    commit(branch, "2025-02-02T10:00:00+00:00")
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{branch}", "shallow")
    monkeypatch.chdir(tmp_path / "shallow")
    result = check("docs", base="origin/main")
    assert [d for d in result.diagnostics if d.rule == "status-transition-illegal"] == []
    assert any("status-transition-illegal" in note for note in result.notes)
