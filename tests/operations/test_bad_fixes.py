"""Fixes and writes on bad inputs, end to end: bytes and modes kept, refusals, diffs, fixes that converge."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from bad_inputs import (
    CLEAN,
    CLEAN_LINES,
    FOOTER_LINE,
    PURPOSE_LINE,
    STALE_FOOTER,
    WITH_TODO,
    age,
    mixed_endings,
    tree_state,
)
from helpers import run, write

MOJIBAKE = "tenantâ€™s"  # "tenant’s" read as cp1252
DAMAGED = STALE_FOOTER.replace("One noisy tenant can", f"One noisy {MOJIBAKE}\ttab café ✓ can")


def fixed_version(data: bytes) -> bytes:
    """Return what a fix must make of `data`: only the footer date and the mojibake change."""
    return data.replace(b"_Last updated: 2025-05-01_", b"_Last updated: 2025-05-20_").replace(
        MOJIBAKE.encode(), "tenant’s".encode()
    )


VARIANTS = {
    "lf": DAMAGED.encode(),
    "crlf-bom": b"\xef\xbb\xbf" + DAMAGED.replace("\n", "\r\n").encode(),
    "cr": DAMAGED.replace("\n", "\r").encode(),
    "mixed": mixed_endings(DAMAGED).encode(),
    "no-final-newline": DAMAGED.rstrip("\n").encode(),
    "many-final-newlines": (DAMAGED + "\n\n\n").encode(),
}


@pytest.mark.parametrize("mode", [0o640, 0o755])
@pytest.mark.parametrize("variant", VARIANTS)
def test_fix_keeps_bytes_and_mode_and_a_second_fix_changes_nothing(
    work: Path, capsys: pytest.CaptureFixture[str], variant: str, mode: int
) -> None:
    original = VARIANTS[variant]
    doc = write(work / "docs" / "doc.md", original, mode)
    age(doc)
    code, out, err = run(capsys, "check", "docs/doc.md", "--fix")  # named: CR docs are not found in walks
    assert doc.read_bytes() == fixed_version(original) != original
    assert stat.S_IMODE(doc.stat().st_mode) == mode
    assert "Fixed 1 file: docs/doc.md" in err
    assert code == 0 and out.startswith("All clear")
    assert sorted(p.name for p in (work / "docs").iterdir()) == ["doc.md"]  # no temp file left
    # a second --fix: nothing to do, the file is not even rewritten
    before = tree_state(work)
    code, out, err = run(capsys, "check", "docs/doc.md", "--fix")
    assert code == 0 and "Fixed" not in err
    assert tree_state(work) == before


def test_doc_with_nothing_to_fix_is_not_rewritten(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = write(work / "docs" / "clean.md", CLEAN)
    unfixable = write(work / "docs" / "todo.md", WITH_TODO)  # a finding, but no fix for it
    age(clean)
    age(unfixable)
    before = tree_state(work)
    code, out, err = run(capsys, "check", "docs", "--fix")
    assert code == 1 and f"docs/todo.md:{PURPOSE_LINE}:5: error [todo-marker]" in out
    assert "Fixed" not in err
    assert tree_state(work) == before


def test_doc_changed_between_check_and_fix_is_not_fixed(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from designdoc.operations import fix as fixer

    doc = write(work / "docs" / "doc.md", DAMAGED)
    edited = DAMAGED.replace("# Purpose", "# Purpose\n\nEdited while fixing.", 1)
    assert edited != DAMAGED
    original = fixer._read

    def read_after_an_edit(path: str, template: object) -> object:
        doc.write_text(edited)  # the author saves while --fix runs
        return original(path, template)

    monkeypatch.setattr(fixer, "_read", read_after_an_edit)
    code, out, err = run(capsys, "check", "docs", "--fix")
    assert "docs/doc.md: changed while it was being checked; not fixed (run again)" in err
    assert doc.read_text() == edited and "Fixed" not in err


def test_diff_writes_nothing_and_exits_1_only_when_something_would_change(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "docs" / "doc.md", DAMAGED)
    write(work / "docs" / "clean.md", CLEAN)
    before = tree_state(work)
    code, out, err = run(capsys, "check", "docs", "--diff")
    assert code == 1 and err == ""
    assert out.startswith("--- a/docs/doc.md\n+++ b/docs/doc.md\n")
    assert "-_Last updated: 2025-05-01_\n+_Last updated: 2025-05-20_\n" in out
    assert "clean.md" not in out
    assert tree_state(work) == before
    code, out, err = run(capsys, "check", "docs/clean.md", "--diff")
    assert (code, out) == (0, "")
    assert tree_state(work) == before


def test_fix_with_diff_is_a_usage_error(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "doc.md", DAMAGED)
    before = tree_state(work)
    code, out, err = run(capsys, "check", "doc.md", "--fix", "--diff")
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "--fix" in err and "--diff" in err
    assert tree_state(work) == before


def test_read_only_doc_is_refused_and_left_byte_for_byte(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = write(work / "docs" / "doc.md", DAMAGED, 0o444)
    before = tree_state(work)
    code, out, err = run(capsys, "check", "docs", "--fix")
    assert code == 1
    assert err.splitlines() == [
        ("designdoc: docs/doc.md: read-only (mode 0444), not written; make it writable (chmod u+w) to allow changes")
    ]
    assert tree_state(work) == before
    assert doc.read_bytes() == DAMAGED.encode()
    # the file still holds its problems, so the report says so (not what the fix would have left)
    assert f"docs/doc.md:{FOOTER_LINE}:16: error [footer-date-mismatch]" in out


def test_hard_linked_doc_is_refused(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = write(work / "docs" / "doc.md", DAMAGED)
    os.link(doc, work / "copy.md")
    before = tree_state(work)
    code, out, err = run(capsys, "check", "docs", "--fix")
    assert code == 1
    assert f"docs/doc.md:{FOOTER_LINE}:16: error [footer-date-mismatch]" in out  # still there: not fixed
    assert len(err.splitlines()) == 1
    assert err.startswith("designdoc: docs/doc.md: hard-linked (2 links)")
    assert tree_state(work) == before
    assert doc.stat().st_nlink == 2 and (work / "copy.md").read_bytes() == DAMAGED.encode()


def test_diff_of_a_file_with_unicode_separators_and_lone_cr(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # str.splitlines() would split at U+2028 / form feed and print "No newline at end of file"
    # in the middle of the diff; lone-CR lines would all run together on one terminal line.
    text = STALE_FOOTER.replace("One noisy tenant", "One\u2028noisy\x0ctenant")
    for name, data in (("sep.md", text), ("cr.md", text.replace("\n", "\r"))):
        write(work / name, data)
        code, out, err = run(capsys, "check", name, "--diff")
        assert code == 1 and err == ""
        lines = out.split("\n")
        assert "\\ No newline at end of file" not in out
        changed = [line.rstrip("\r") for line in lines[2:] if line.startswith(("+", "-"))]
        assert changed == ["-_Last updated: 2025-05-01_", "+_Last updated: 2025-05-20_"]
        assert lines[:2] == [f"--- a/{name}", f"+++ b/{name}"]


def test_many_missing_sections_are_fixed_in_one_run_in_template_order(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = CLEAN.split("\n# Purpose\n", 1)[0]
    doc = write(work / "doc.md", head + "\n# Purpose\nOne sentence.\n\n---\n\n_Last updated: 2025-05-20_\n")
    code, out, err = run(capsys, "check", "doc.md", "--fix")
    assert "Fixed 1 file" in err
    assert code == 1  # the inserted sections hold only their guidance: section-placeholder
    headings = re.findall(r"(?m)^#{1,2} (.*)$", doc.read_text())
    expected = [line.lstrip("# ") for line in CLEAN_LINES if re.match(r"#{1,2} ", line)]
    assert headings == expected  # all sixteen, in order: not ten now and six on a second run
    assert "section-missing" not in out
    before = tree_state(work)
    run(capsys, "check", "doc.md", "--fix")
    assert tree_state(work) == before


def test_fix_never_inserts_into_an_unclosed_code_fence(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The last fence is never closed: every section after it is code, so "missing"; a section
    # inserted before the footer lands in the fence too and is still missing. Applying that fix
    # again each round wrote ten copies of every section into the code block.
    text = CLEAN.replace('  "expires_at": null\n}\n```\n', '  "expires_at": null\n}\n')
    assert text != CLEAN
    doc = write(work / "doc.md", text)
    before = tree_state(work)
    code, out, err = run(capsys, "check", "doc.md", "--fix")
    assert code == 1
    assert tree_state(work) == before and doc.read_text() == text
    assert "Missing required section 'Appendix'" in out
    assert "fix for [section-missing] not applied: it does not resolve" in err


def test_a_footer_fix_and_a_section_appended_after_it_converge(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # One round fixed the unreadable footer and appended the missing Appendix after it, so
    # the footer was no longer last; a second --fix then changed the file again.
    head, _ = CLEAN.rsplit("\n## Appendix\n", 1)
    doc = write(work / "doc.md", head + "\n\n---\n\n_Last updated: 2025-owners: []05-20_\n")
    _, out, err = run(capsys, "check", "doc.md", "--fix")
    assert "Fixed 1 file" in err
    text = doc.read_text()
    assert text.endswith(
        "\n## Appendix\n\n> Include supplementary materials: detailed diagrams, capacity math, "
        "glossary additions, or reference links.\n\n---\n\n_Last updated: 2025-05-20_\n"
    )
    assert "footer" not in out
    before = tree_state(work)
    run(capsys, "check", "doc.md", "--fix")
    assert tree_state(work) == before
