"""`new`, `status` and `bump`: the lifecycle from a new draft to superseded, and every refusal."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from designdoc.cli.main import main
from designdoc.files import writer
from helpers import EXAMPLES

EXAMPLE = EXAMPLES / "rate-limiter.md"
TODAY = "2025-06-01"


def filled(path: Path) -> None:
    """Replace a new doc's body by a complete one (the clean example's), keeping its front matter."""
    new = path.read_text("utf-8")
    front = new[: new.index("\n---\n", 4) + 5]
    body = EXAMPLE.read_text("utf-8").split("\n---\n", 1)[1]
    body = re.sub(r"_Last updated: [0-9-]+_", f"_Last updated: {TODAY} (update before publishing)_", body)
    path.write_text(front + body, "utf-8")


def field(path: Path, key: str) -> str:
    match = re.search(rf"(?m)^{key}: *(.*)$", path.read_text("utf-8"))
    return match.group(1).strip() if match else ""


def new_doc(title: str, capsys: pytest.CaptureFixture[str]) -> Path:
    capsys.readouterr()
    assert main(["new", title, "--owner", "ana@acme.io", "--tag", "limits"]) == 0
    return Path(capsys.readouterr().out.strip())


def test_full_lifecycle_is_clean_at_every_step(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = new_doc("Tenant-aware rate limiter", capsys)
    assert old == Path("docs/design/tenant-aware-rate-limiter.md")
    assert main(["check", str(old)]) == 0  # a new draft has warnings only
    filled(old)
    for status in ("review", "approved", "implemented"):
        assert main(["status", str(old), status]) == 0, capsys.readouterr()
        assert main(["check", str(old), "--strict"]) == 0, capsys.readouterr().out
        assert field(old, "status") == status
    assert field(old, "version") == "1.0.0"
    assert "(update before publishing)" not in old.read_text("utf-8")
    successor = new_doc("Rate limiter v2", capsys)
    filled(successor)
    assert main(["status", str(successor), "review"]) == 0
    assert main(["status", str(old), "superseded", "--by", str(successor)]) == 0
    capsys.readouterr()
    assert "superseded_by:\n  - rate-limiter-v2\n" in old.read_text("utf-8")
    assert "supersedes:\n  - tenant-aware-rate-limiter\n" in successor.read_text("utf-8")
    assert main(["check", "docs/design", "--strict"]) == 0, capsys.readouterr().out


def test_new_refuses_to_overwrite(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = new_doc("Queue", capsys)
    before = path.read_bytes()
    assert main(["new", "Queue", "--owner", "ana@acme.io"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_new_without_owner_is_a_usage_error(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("designdoc.operations.new.git_email", lambda: None)
    assert main(["new", "Queue"]) == 2
    assert "--owner" in capsys.readouterr().err
    assert not Path("docs/design/queue.md").exists()


def test_new_names_files_from_titles_and_numbers_them(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("designdoc.toml").write_text("new_numbering = true\n")
    assert main(["new", "Café — Überblick!", "--owner", "ana@acme.io"]) == 0
    assert capsys.readouterr().out.strip() == "docs/design/0001-cafe-uberblick.md"
    assert main(["new", "Second", "--owner", "ana@acme.io"]) == 0
    assert capsys.readouterr().out.strip() == "docs/design/0002-second.md"


def snapshot(*paths: Path) -> list[tuple[bytes, int]]:
    return [(p.read_bytes(), p.stat().st_mtime_ns) for p in paths]


def test_gate_refuses_an_incomplete_doc_and_changes_nothing(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = new_doc("Incomplete", capsys)
    before = snapshot(path)
    assert main(["status", str(path), "review"]) == 1
    err = capsys.readouterr().err
    assert "cannot move to 'review'" in err and "[section-placeholder]" in err
    assert snapshot(path) == before


def test_approval_needs_resolved_questions(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = new_doc("Questions", capsys)
    filled(path)
    assert main(["status", str(path), "review"]) == 0
    text = path.read_text("utf-8").replace("- [x] Should limits", "- [ ] Should limits")
    path.write_text(text, "utf-8")
    before = snapshot(path)
    assert main(["status", str(path), "approved"]) == 1
    assert "[open-questions-unresolved]" in capsys.readouterr().err
    assert snapshot(path) == before


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("implemented",), 1, "allowed: review, withdrawn"),
        (("bogus",), 2, "unknown status"),
        (("superseded",), 2, "needs --by"),
        (("review", "--by", "x.md"), 2, "--by goes with"),
    ],
)
def test_refusals_change_nothing(
    work: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], code: int, says: str
) -> None:
    path = new_doc("Refused", capsys)
    before = snapshot(path)
    assert main(["status", str(path), *args]) == code
    assert says in capsys.readouterr().err
    assert snapshot(path) == before


def test_superseded_by_a_missing_or_draft_doc_is_refused(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = new_doc("Old", capsys)
    filled(old)
    for status in ("review", "approved"):
        assert main(["status", str(old), status]) == 0
    draft = new_doc("Draft successor", capsys)
    before = snapshot(old, draft)
    assert main(["status", str(old), "superseded", "--by", "docs/design/nope.md"]) == 1
    assert main(["status", str(old), "superseded", "--by", str(draft)]) == 1
    assert "still a draft" in capsys.readouterr().err
    assert snapshot(old, draft) == before


def test_same_status_is_a_no_op(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = new_doc("Same", capsys)
    before = snapshot(path)
    assert main(["status", str(path), "draft"]) == 0
    assert "already draft" in capsys.readouterr().out
    assert snapshot(path) == before


def test_read_only_doc_is_refused(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = new_doc("Locked", capsys)
    path.chmod(0o444)
    before = snapshot(path)
    assert main(["bump", str(path), "minor"]) == 1
    assert "read-only" in capsys.readouterr().err
    assert snapshot(path) == before


def test_a_doc_changed_underneath_is_not_written(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = new_doc("Raced", capsys)
    original = writer.write_all

    def edit_first(changes):
        path.write_text(path.read_text("utf-8") + "\nAn edit from elsewhere.\n", "utf-8")
        return original(changes)

    monkeypatch.setattr(writer, "write_all", edit_first)
    assert main(["bump", str(path), "patch"]) == 1
    assert "changed on disk" in capsys.readouterr().err
    assert path.read_text("utf-8").endswith("An edit from elsewhere.\n")
    assert "version: 0.1.0" in path.read_text("utf-8")


def test_bump_follows_semver_and_keeps_bytes(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = new_doc("Bumped", capsys)
    crlf = path.read_bytes().replace(b"\n", b"\r\n").replace(b"version: 0.1.0", b"version: 1.4.2-rc.1+b7")
    path.write_bytes(b"\xef\xbb\xbf" + crlf)
    os.chmod(path, 0o640)
    assert main(["bump", str(path), "minor"]) == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
    assert b"version: 1.5.0\r\n" in data
    assert path.stat().st_mode & 0o777 == 0o640
    assert data.replace(b"version: 1.5.0", b"version: 1.4.2-rc.1+b7") == b"\xef\xbb\xbf" + crlf


def test_a_file_without_front_matter_is_refused_with_one_line(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("notes.md").write_text("# Notes\n", "utf-8")
    assert main(["status", "notes.md", "review"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no front matter" in err
    assert Path("notes.md").read_text("utf-8") == "# Notes\n"
