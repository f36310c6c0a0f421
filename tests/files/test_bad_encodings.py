"""Bad encodings and line breaks, end to end: invalid UTF-8, UTF-16, NUL bytes, a BOM, any line ending."""

from __future__ import annotations

from pathlib import Path

import pytest

from bad_inputs import (
    APPENDIX_LINE,
    CLEAN,
    FOOTER_LINE,
    PURPOSE_LINE,
    STALE_FOOTER,
    WITH_TODO,
    check,
    mixed_endings,
)
from helpers import write

NEWLINES = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}


@pytest.mark.parametrize("newline", NEWLINES)
@pytest.mark.parametrize("bom", [False, True], ids=["nobom", "bom"])
def test_invalid_utf8_is_the_only_diagnostic_at_the_right_line(
    work: Path, capsys: pytest.CaptureFixture[str], newline: str, bom: bool
) -> None:
    text = WITH_TODO.replace("One TODO", "Ωne TODO").replace("_Last updated: 2025-05-20_", "_Last updated: x_")
    data = text.replace("\n", NEWLINES[newline]).encode()
    data = data.replace("Ωne TODO tenant".encode(), "Ωne TODO ten".encode() + b"\xe9ant")  # cp1252 é
    write(work / "docs" / "doc.md", (b"\xef\xbb\xbf" if bom else b"") + data)
    # (a CR-only doc is not found in a walk: see test_cr_only_doc_is_found_in_a_walk)
    for target in ("docs/doc.md",) + (("docs",) if newline != "cr" else ()):
        result = check(capsys, target)
        assert [(d["rule"], d["line"], d["column"]) for d in result.diagnostics] == [
            ("encoding-invalid", PURPOSE_LINE, 13)
        ]
        assert f"line {PURPOSE_LINE}, column 13" in result.diagnostics[0]["message"]
        assert result.code == 1


@pytest.mark.parametrize("style", ["cr", "mixed"])
def test_cr_only_doc_is_found_in_a_walk(work: Path, capsys: pytest.CaptureFixture[str], style: str) -> None:
    write(work / "docs" / "doc.md", WITH_TODO.replace("\n", "\r") if style == "cr" else mixed_endings(WITH_TODO))
    result = check(capsys, "docs")
    assert result.summary["files"] == 1
    assert result.found("todo-marker") == [(PURPOSE_LINE, 5)]


def test_invalid_utf8_on_the_first_line_after_a_bom(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "doc.md", b"\xef\xbb\xbf# T\xfftle\n")
    assert check(capsys, "doc.md").found() == [(1, 4)]  # the BOM is not a column


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom_are_unsupported_encoding(
    work: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    bom = {"utf-16": b"", "utf-16-be": b"\xfe\xff", "utf-32": b""}[encoding]
    write(work / "doc.md", bom + WITH_TODO.encode(encoding))
    result = check(capsys, "doc.md")
    diagnostic = result.one("encoding-invalid")
    assert len(result.diagnostics) == 1
    assert diagnostic["message"].startswith(f"Unsupported encoding {encoding[:6].upper()}")
    assert result.code == 1


def test_utf16_doc_in_a_walk_is_reported(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "docs" / "doc.md", WITH_TODO.encode("utf-16"))
    assert check(capsys, "docs").rules() == ["encoding-invalid"]


@pytest.mark.parametrize("where", ["body", "frontmatter"])
def test_nul_byte_is_reported_with_its_position(work: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    if where == "body":
        data, line, column = WITH_TODO.replace("One TODO", "One\0TODO"), PURPOSE_LINE, 4
    else:
        data, line, column = CLEAN.replace("status: approved", "status: appr\0oved"), 4, 13
    write(work / "docs" / "doc.md", data)
    for target in ("docs", "docs/doc.md"):
        result = check(capsys, target)
        assert [(d["rule"], d["line"], d["column"]) for d in result.diagnostics] == [("encoding-invalid", line, column)]


def test_bom_before_front_matter_is_still_front_matter(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "docs" / "clean.md", "\ufeff" + CLEAN)
    write(work / "docs" / "todo.md", "\ufeff" + WITH_TODO)
    write(work / "docs" / "version.md", "\ufeff" + CLEAN.replace("version: 1.2.0", "version: 1.10"))
    result = check(capsys, "docs")  # discovered as docs through the BOM, too
    assert result.found(path="docs/clean.md") == []
    assert result.found(path="docs/todo.md") == [(PURPOSE_LINE, 5)]
    assert [(d["rule"], d["line"], d["column"]) for d in result.diagnostics if d["path"] == "docs/version.md"] == [
        ("field-type", 5, 10)
    ]


@pytest.mark.parametrize("style", ["crlf", "cr", "mixed"])
def test_line_numbers_are_right_with_any_line_endings(
    work: Path, capsys: pytest.CaptureFixture[str], style: str
) -> None:
    text = STALE_FOOTER.replace("One noisy tenant", "One TODO tenant").replace(
        "status: approved", "status: approved\nversion: 1.10"
    )
    expected = check_text(work, capsys, text)
    converted = mixed_endings(text) if style == "mixed" else text.replace("\n", NEWLINES[style])
    assert check_text(work, capsys, converted) == expected
    assert ("todo-marker", PURPOSE_LINE + 1, 5) in expected
    assert ("footer-date-mismatch", FOOTER_LINE + 1, 16) in expected
    assert ("frontmatter-invalid", 6, 1) in expected  # the duplicate `version`, at the second


def check_text(work: Path, capsys: pytest.CaptureFixture[str], text: str) -> list[tuple[str, int, int]]:
    write(work / "doc.md", text)
    return sorted((d["rule"], d["line"], d["column"]) for d in check(capsys, "doc.md").diagnostics)


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c", "\x1d", "\x1e"])
def test_unicode_line_separators_inside_a_line_do_not_shift_lines(
    work: Path, capsys: pytest.CaptureFixture[str], char: str
) -> None:
    text = STALE_FOOTER.replace("One noisy tenant", f"One{char}TODO tenant").replace(
        "Load test results", f"Load{char}test{char}results TODO"
    )
    found = check_text(work, capsys, text)
    appendix_todo = APPENDIX_LINE + 1, len("Load test results ") + 1
    assert ("todo-marker", PURPOSE_LINE, 5) in found
    assert ("todo-marker", *appendix_todo) in found
    assert ("footer-date-mismatch", FOOTER_LINE, 16) in found
    assert all(line <= len(text.split("\n")) for _, line, _ in found)
