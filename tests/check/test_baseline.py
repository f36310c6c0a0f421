"""Baselines: findings accepted once stay silent, new ones are reported, lines never matter."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from designdoc.check import baseline
from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.model.errors import UsageError
from helpers import EXAMPLES, check

EXAMPLE = EXAMPLES / "event-bus-migration.md"


def _slugs(diagnostics: list[Diagnostic]) -> list[tuple[str, int]]:
    return [(d.rule, d.line) for d in diagnostics]


@pytest.fixture()
def doc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "docs" / "bus.md"
    path.parent.mkdir()
    path.write_text(EXAMPLE.read_text("utf-8"), "utf-8")
    return path


def _move_data_model_to_the_end(text: str) -> str:
    """Move '## Data Model' (and its guidance note) after '## Appendix': every line below shifts."""
    section = re.search(r"(?ms)^## Data Model\n.*?(?=^## )", text).group(0)
    text = text.replace(section, "", 1)
    return text.replace("\n---\n\n_Last updated", "\n" + section + "\n---\n\n_Last updated", 1)


def test_baselined_findings_are_silent(doc: Path, tmp_path: Path) -> None:
    found = check(doc).diagnostics
    assert found, "the example has findings to baseline"
    baseline.write(tmp_path / "baseline.json", found)
    assert baseline.filter(check(doc).diagnostics, baseline.load(tmp_path / "baseline.json")) == []


def test_a_new_finding_is_reported(doc: Path, tmp_path: Path) -> None:
    baseline.write(tmp_path / "baseline.json", check(doc).diagnostics)
    text = doc.read_text("utf-8").replace("## Appendix\n", "## Appendix\nThe TODO list moved to the wiki.\n", 1)
    doc.write_text(text, "utf-8")
    new = baseline.filter(check(doc).diagnostics, baseline.load(tmp_path / "baseline.json"))
    line = text.splitlines().index("The TODO list moved to the wiki.") + 1
    assert _slugs(new) == [("todo-marker", line)]  # the example's own TODO marker stays silent


def test_moving_a_section_does_not_resurrect_baselined_findings(doc: Path, tmp_path: Path) -> None:
    before = check(doc).diagnostics
    baseline.write(tmp_path / "baseline.json", before)
    doc.write_text(_move_data_model_to_the_end(doc.read_text("utf-8")), "utf-8")
    after = check(doc).diagnostics
    assert {(d.rule, d.line) for d in after} != {(d.rule, d.line) for d in before}  # lines did shift
    new = baseline.filter(after, baseline.load(tmp_path / "baseline.json"))
    assert [d.rule for d in new] == ["section-order"]  # only the move itself is new


def test_a_count_accepts_that_many_and_reports_one_more() -> None:
    def todo(line: int) -> Diagnostic:
        return Diagnostic(
            "a.md", line, 1, line, 5, "todo-marker", Severity.WARNING, "TODO marker left in the text", subject="TODO"
        )

    accepted = baseline.from_diagnostics([todo(3), todo(9)])
    assert accepted.counts == {("a.md", "todo-marker", "TODO"): 2}
    assert _slugs(baseline.filter([todo(4), todo(20), todo(31)], accepted)) == [("todo-marker", 31)]


def test_the_file_is_sorted_json_keyed_by_path_rule_and_text_never_line(doc: Path, tmp_path: Path) -> None:
    baseline.write(tmp_path / "baseline.json", check(doc).diagnostics)
    text = (tmp_path / "baseline.json").read_text("utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert data["version"] == 1
    assert data["findings"]["docs/bus.md"]["section-placeholder"] == {"Data Model": 1}
    assert data["findings"]["docs/bus.md"]["section-missing"] == {"Alternatives": 1}
    assert not re.search(r"\bline \d", text)


def test_a_message_without_subject_is_keyed_without_its_line_numbers() -> None:
    first = Diagnostic(
        "a.md",
        4,
        1,
        4,
        2,
        "frontmatter-invalid",
        Severity.ERROR,
        "Duplicate key 'status' (first at line 3; that value is used)",
    )
    moved = Diagnostic(
        "a.md",
        9,
        1,
        9,
        2,
        "frontmatter-invalid",
        Severity.ERROR,
        "Duplicate key 'status' (first at line 8; that value is used)",
    )
    assert baseline.filter([moved], baseline.from_diagnostics([first])) == []


def test_paths_are_relative_to_the_baseline_folder(doc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    baseline.write(tmp_path / "docs" / "baseline.json", check(doc).diagnostics)
    assert "bus.md" in json.loads((tmp_path / "docs" / "baseline.json").read_text("utf-8"))["findings"]
    monkeypatch.chdir(tmp_path / "docs")  # reported paths are now "bus.md", read from another folder
    assert baseline.filter(check(Path("bus.md")).diagnostics, baseline.load(Path("baseline.json"))) == []


def test_updating_a_baseline_rewrites_it(doc: Path, tmp_path: Path) -> None:
    target = tmp_path / "baseline.json"
    baseline.write(target, check(doc).diagnostics)
    baseline.write(target, [])
    assert json.loads(target.read_text("utf-8")) == {"findings": {}, "version": 1}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "invalid JSON"),
        ("[]", "not a designdoc baseline"),
        ('{"version": 2, "findings": {}}', "not a designdoc baseline"),
        ('{"version": 1, "findings": {"a.md": []}}', "a.md: expected an object"),
        ('{"version": 1, "findings": {"a.md": {"todo-marker": {"TODO": 0}}}}', "expected a count of 1 or more"),
        ('{"version": 1, "findings": {"a.md": {"todo-marker": {"TODO": true}}}}', "expected a count of 1 or more"),
    ],
)
def test_a_malformed_baseline_is_a_usage_error_in_one_line(tmp_path: Path, text: str, says: str) -> None:
    (tmp_path / "baseline.json").write_text(text, "utf-8")
    with pytest.raises(UsageError, match=re.escape(says)) as raised:
        baseline.load(tmp_path / "baseline.json")
    assert "\n" not in str(raised.value) and raised.value.exit_code == 2


def test_a_missing_baseline_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="baseline not found"):
        baseline.load(tmp_path / "nope.json")
