"""Bad YAML front matter, end to end: aliases, deep nesting, tags, odd scalars, duplicate keys, odd delimiters."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from bad_inputs import CLEAN, STALE_FOOTER, WITH_TODO, check, front
from designdoc.model.text import split_lines
from designdoc.parse import frontmatter
from helpers import run, write


@pytest.fixture(params=["libyaml", "pure-python"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the front-matter tests with libyaml's parser and with PyYAML's pure-Python one."""
    if request.param == "pure-python":
        monkeypatch.setattr(frontmatter, "_Loader", yaml.SafeLoader)
    elif not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML built without libyaml")
    return request.param


def alias_bomb(depth: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("depth", [7, 20])
def test_alias_bomb_is_rejected_fast(work: Path, capsys: pytest.CaptureFixture[str], loader: str, depth: int) -> None:
    write(work / "warm.md", CLEAN)
    check(capsys, "warm.md")
    write(work / "doc.md", front(alias_bomb(depth) + CLEAN.split("---\n")[1], "TODO\n"))
    started = time.perf_counter()
    result = check(capsys, "doc.md")
    assert time.perf_counter() - started < 5  # expanding even depth 7 takes ~15 s and 1.5 GB
    invalid = result.one("frontmatter-invalid")
    assert (invalid["line"], invalid["column"]) == (2, 5)
    assert "Anchors and aliases" in invalid["message"]
    assert "todo-marker" in result.rules()  # body rules still run
    assert not {"field-missing", "field-value", "field-type"} & set(result.rules())  # fields silenced


def test_merge_key_is_rejected_as_an_alias(work: Path, capsys: pytest.CaptureFixture[str], loader: str) -> None:
    write(work / "doc.md", front("defaults: &d {status: draft}\nextra:\n  <<: *d\n" + CLEAN.split("---\n")[1]))
    invalid = check(capsys, "doc.md").one("frontmatter-invalid")
    assert invalid["line"] == 2 and "Anchors and aliases" in invalid["message"]


@pytest.mark.parametrize("where", ["frontmatter", "body"])
def test_deep_nesting_1000_levels(work: Path, capsys: pytest.CaptureFixture[str], loader: str, where: str) -> None:
    nested = "[" * 1000 + "]" * 1000
    if where == "frontmatter":
        write(work / "doc.md", CLEAN.replace("tags:\n", f"deep: {nested}\ntags:\n", 1))
        invalid = check(capsys, "doc.md").one("frontmatter-invalid")
        assert invalid["line"] == 14  # the `deep:` line
        assert "nest" in invalid["message"]
    else:
        write(work / "doc.md", CLEAN.replace("## Appendix\n", f"## Appendix\n{nested}\n" + ">" * 1000 + " x\n"))
        assert check(capsys, "doc.md").diagnostics == []


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['touch pwned']",
        "!!python/object/new:os.system [touch pwned]",
        "!custom thing",
        "!!binary aGVsbG8=",
    ],
)
def test_custom_tags_are_rejected_and_never_run(
    work: Path, capsys: pytest.CaptureFixture[str], loader: str, tagged: str
) -> None:
    write(work / "doc.md", CLEAN.replace("tags:\n", f"extra: {tagged}\ntags:\n", 1))
    invalid = check(capsys, "doc.md").one("frontmatter-invalid")
    assert (invalid["line"], invalid["column"]) == (14, 8)
    assert invalid["message"].startswith("Tag ") and "not allowed" in invalid["message"]
    assert not (work / "pwned").exists()


def test_version_1_10_is_a_type_error_and_never_written_back(
    work: Path, capsys: pytest.CaptureFixture[str], loader: str
) -> None:
    doc = write(work / "doc.md", CLEAN.replace("version: 1.2.0", "version: 1.10"))
    result = check(capsys, "doc.md")
    field_type = result.one("field-type")
    assert (field_type["line"], field_type["column"]) == (5, 10)
    assert "1.10" in field_type["message"] and "quote it" in field_type["message"]
    assert result.rules() == ["field-type"]
    code, _, _ = run(capsys, "check", "doc.md", "--fix")
    assert code == 1 and doc.read_text() == CLEAN.replace("version: 1.2.0", "version: 1.10")


def test_status_no_is_the_string_no(work: Path, capsys: pytest.CaptureFixture[str], loader: str) -> None:
    write(work / "doc.md", CLEAN.replace("status: approved", "status: no"))
    result = check(capsys, "doc.md")
    value = result.one("field-value")
    assert (value["line"], value["column"]) == (4, 9)
    assert "'no'" in value["message"] and "False" not in value["message"]


def test_impossible_date_is_a_field_value(work: Path, capsys: pytest.CaptureFixture[str], loader: str) -> None:
    write(work / "doc.md", CLEAN.replace("last_updated: 2025-05-20", "last_updated: 2024-02-30"))
    result = check(capsys, "doc.md")
    value = result.one("field-value")
    assert (value["line"], value["column"]) == (13, 15) and "2024-02-30" in value["message"]
    assert result.rules() == ["field-value"]  # no stale / date-in-future / footer date on an invalid date


def test_duplicate_key_is_one_diagnostic_and_no_fix_picks_a_value(
    work: Path, capsys: pytest.CaptureFixture[str], loader: str
) -> None:
    text = STALE_FOOTER.replace("last_updated: 2025-05-20\n", "last_updated: 2025-05-20\nlast_updated: 2025-05-01\n")
    doc = write(work / "doc.md", text)
    result = check(capsys, "doc.md")
    duplicate = result.one("frontmatter-invalid")
    assert (duplicate["line"], duplicate["column"]) == (14, 1)
    assert "'last_updated'" in duplicate["message"] and "line 13" in duplicate["message"]
    # The footer is fixable from `last_updated`, but which of the two values is for the author to say.
    code, _, err = run(capsys, "check", "doc.md", "--fix")
    assert code == 1
    assert doc.read_text() == text
    assert "duplicate key 'last_updated'" in err and "doc.md" in err
    code, out, _ = run(capsys, "check", "doc.md", "--diff")
    assert out == "" and doc.read_text() == text


@pytest.mark.parametrize(
    ("yaml_text", "line", "message"),
    [
        ("", 2, "Front matter is empty"),
        ("- a\n- b\n", 2, "Front matter is a list"),
        ("just text\n", 2, "Front matter is a single value"),
        ("--- a\n--- b\n", 2, "several YAML documents"),
        ("title: x\n~: null key\n", 3, "keys must be plain words"),
        ("title: x\n? [a, b]\n: list key\n", 3, "keys must be plain words"),
        ("title: x\n{a: 1}: map key\n", 3, "keys must be plain words"),
        ("title: x\nowners:\n\t- ana@acme.io\n", 4, "Invalid front matter"),
        (
            "title: caf\u00e9 \u2603\u2603\u2603\u2603\u2603\u2603\u2603\u2603\u2603\nx: a\x07b\n",
            3,
            "characters are not allowed",
        ),
        ("title: [unclosed\n", 3, "Invalid front matter"),
        ("title: " + "x" * 70_000 + "\n", 1, "over 64 KiB"),
    ],
)
def test_unusable_front_matter_is_one_diagnostic_and_the_body_is_still_checked(
    work: Path, capsys: pytest.CaptureFixture[str], loader: str, yaml_text: str, line: int, message: str
) -> None:
    write(work / "doc.md", front(yaml_text, "TODO here\n"))
    result = check(capsys, "doc.md")
    invalid = result.one("frontmatter-invalid")
    assert invalid["line"] == line and message in invalid["message"]
    end = len(yaml_text.split("\n")) + 1
    assert (end + 1, 1) in result.found("todo-marker")  # the body is still checked
    assert not {"field-missing", "field-value", "field-type", "field-unknown"} & set(result.rules())
    assert result.code == 1


def test_yaml_error_lines_are_file_lines_with_crlf_and_bom(
    work: Path, capsys: pytest.CaptureFixture[str], loader: str
) -> None:
    text = front("title: café ☃☃☃\nx: a\x07b\nowners:\n\t- ana@acme.io\n")
    expected = [(3, 5)]
    for variant in (text, "\ufeff" + text, text.replace("\n", "\r\n"), text.replace("\n", "\r")):
        write(work / "doc.md", variant)
        assert check(capsys, "doc.md").found("frontmatter-invalid") == expected


def test_int_key_is_an_unknown_field(work: Path, capsys: pytest.CaptureFixture[str], loader: str) -> None:
    write(work / "doc.md", CLEAN.replace("tags:\n", "1: one\ntags:\n", 1))
    result = check(capsys, "doc.md")
    assert [(d["rule"], d["line"]) for d in result.diagnostics] == [("field-unknown", 14)]


def test_unclosed_front_matter_is_reported_at_line_1_and_the_body_checked(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = WITH_TODO.split("\n---\n", 1)[1].rsplit("\n---\n", 1)[0]  # no later `---` line to close it
    text = "---\ntitle: x\n" + body + "\n"
    write(work / "doc.md", text)
    result = check(capsys, "doc.md")
    invalid = result.one("frontmatter-invalid")
    assert (invalid["line"], invalid["column"]) == (1, 1) and "not closed" in invalid["message"]
    todo_line = next(n for n, line in enumerate(text.split("\n"), 1) if line.startswith("One TODO"))
    assert (todo_line, 5) in result.found("todo-marker")


@pytest.mark.parametrize("opener, closer", [("---   ", "---"), ("---", "---\t "), ("---", "..."), ("---", "... ")])
def test_delimiters_with_trailing_spaces_and_dots(
    work: Path, capsys: pytest.CaptureFixture[str], opener: str, closer: str
) -> None:
    lines = CLEAN.split("\n")
    closing = lines.index("---", 1)
    lines[0], lines[closing] = opener, closer
    write(work / "docs" / "doc.md", "\n".join(lines))
    result = check(capsys, "docs")  # still discovered as a doc
    assert result.diagnostics == [] and result.summary["files"] == 1


def test_setext_heading_is_not_front_matter(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "doc.md", "Rate limiter\n---\n\n# Purpose\nTODO\n")
    result = check(capsys, "doc.md")
    assert result.found("frontmatter-missing") == [(1, 1)]
    assert "frontmatter-invalid" not in result.rules()
    assert (5, 1) in result.found("todo-marker")


@pytest.mark.parametrize(
    ("data", "rule", "line"),
    [
        ("", "frontmatter-missing", 1),
        ("\n\n  \n", "frontmatter-missing", 1),
        ("---\n---", "frontmatter-invalid", 2),
        ("---\n---\n", "frontmatter-invalid", 2),
        ("---\ntitle: x\n---", "field-missing", 1),
        ("---", "frontmatter-invalid", 1),
    ],
)
def test_tiny_files(work: Path, capsys: pytest.CaptureFixture[str], data: str, rule: str, line: int) -> None:
    write(work / "doc.md", data)
    result = check(capsys, "doc.md")
    assert (line, 1) in result.found(rule)
    assert all(1 <= d["line"] <= max(1, len(split_lines(data))) for d in result.diagnostics)
    if not data.strip():
        assert result.rules() == ["frontmatter-missing"]  # an empty file is one diagnostic
