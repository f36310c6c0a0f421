"""SARIF 2.1.0 output: valid against the official schema, rules and results that match ours, fixes."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from designdoc import __version__
from designdoc.cli.main import main
from designdoc.edit.apply import apply_edits
from designdoc.model.diagnostics import Diagnostic, Edit, Fix, Severity
from designdoc.output.sarif import format_sarif, level, sarif_log
from designdoc.rules import ALL_RULES, COMPLETENESS
from helpers import FIXTURES, ROOT

SCHEMA = json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text("utf-8"))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)


def validate(log: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def offset_of(text: str, line: int, column: int) -> int:
    """Map a SARIF line/column back to an offset, independently of designdoc's LineIndex."""
    lines = text.splitlines(keepends=True)
    return sum(len(x) for x in lines[: line - 1]) + column - 1


def apply_sarif(text: str, replacements: list[dict]) -> str:
    spans = []
    for r in replacements:
        region = r["deletedRegion"]
        spans.append(
            (
                offset_of(text, region["startLine"], region["startColumn"]),
                offset_of(text, region["endLine"], region["endColumn"]),
                r["insertedContent"]["text"],
            )
        )
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def diag(
    path: str = "docs/a.md",
    line: int = 1,
    column: int = 1,
    end_line: int = 1,
    end_column: int = 2,
    rule: str = "mojibake",
    severity: Severity = Severity.WARNING,
    fix: Fix | None = None,
) -> Diagnostic:
    return Diagnostic(path, line, column, end_line, end_column, rule, severity, f"message about {rule}", fix)


def test_check_examples_as_sarif_is_valid_against_the_official_schema(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["check", "examples/", "--format", "sarif"]) == 1
    log = json.loads(capsys.readouterr().out)
    validate(log)
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "designdoc"
    assert run["tool"]["driver"]["version"] == __version__
    assert run["results"] and any("fixes" in r for r in run["results"])


def test_every_rule_is_described_once_and_results_point_at_their_rule() -> None:
    log = sarif_log([diag(rule=r.slug) for r in ALL_RULES])
    validate(log)
    driver = log["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == [r.slug for r in ALL_RULES]
    for rule, descriptor in zip(ALL_RULES, driver["rules"], strict=True):
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["help"]["markdown"] == rule.doc
        assert descriptor["fullDescription"]["text"]
    for result in log["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_levels_map_error_warning_info_and_completeness() -> None:
    assert [level(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)] == ["error", "warning", "note"]
    assert level(COMPLETENESS) == "warning"
    driver = sarif_log([])["runs"][0]["tool"]["driver"]
    by_id = {r["id"]: r["defaultConfiguration"]["level"] for r in driver["rules"]}
    assert by_id["section-empty"] == "warning"  # a completeness rule
    assert by_id["section-missing"] == "error"


def test_regions_keep_our_one_based_code_point_columns() -> None:
    d = diag(line=3, column=5, end_line=4, end_column=2, severity=Severity.ERROR)
    (result,) = sarif_log([d])["runs"][0]["results"]
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "docs/a.md", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 5, "endLine": 4, "endColumn": 2},
    }
    assert sarif_log([])["runs"][0]["columnKind"] == "unicodeCodePoints"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_fix_regions_apply_to_the_text_exactly_as_the_fixer_does(newline: str) -> None:
    text = newline.join(["---", "title: Ünïcode 🚀 设计", "---", "Teamâ€™s plan 🚀 here", "last"]) + newline
    start = text.index("â€™")
    edits = (
        Edit(start, start + 3, "’"),
        Edit.insert(len(text), "_Last updated: 2025-06-01_" + newline),
        Edit(text.index("last"), text.index("last") + 4 + len(newline), ""),
    )
    d = diag(line=4, column=5, end_column=8, fix=Fix("Repair", edits))
    log = sarif_log([d], {"docs/a.md": text})
    validate(log)
    (fix,) = log["runs"][0]["results"][0]["fixes"]
    assert fix["description"]["text"] == "Repair"
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "docs/a.md", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"][0]["deletedRegion"] == {
        "startLine": 4,
        "startColumn": 5,
        "endLine": 4,
        "endColumn": 8,
    }
    assert apply_sarif(text, change["replacements"]) == apply_edits(text, edits)


def test_a_fix_without_its_text_is_left_out_and_the_log_stays_valid() -> None:
    d = diag(fix=Fix("Repair", (Edit(0, 1, "x"),)))
    log = sarif_log([d], {})
    validate(log)
    assert "fixes" not in log["runs"][0]["results"][0]


def test_a_cross_file_fix_changes_the_other_artifact() -> None:
    @dataclass(frozen=True)
    class OtherFileFix(Fix):  # the shape of rules.crossdoc.CrossFileFix
        path: str = ""
        file_edits: tuple[Edit, ...] = ()

    other = "---\nsupersedes: []\n---\n"
    fix = OtherFileFix("Add the reference", (), "docs/b.md", (Edit.insert(other.index("]"), "a"),))
    log = sarif_log([diag(fix=fix)], {"docs/a.md": "x\n", "docs/b.md": other})
    validate(log)
    (change,) = log["runs"][0]["results"][0]["fixes"][0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "docs/b.md"
    assert apply_sarif(other, change["replacements"]) == "---\nsupersedes: [a]\n---\n"


def test_paths_become_uris_relative_to_srcroot_or_absolute_file_uris() -> None:
    log = sarif_log([diag(path="docs/my design #1.md"), diag(path="/abs/dir/ä.md")])
    validate(log)
    first, second = (r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"])
    assert first == {"uri": "docs/my%20design%20%231.md", "uriBaseId": "%SRCROOT%"}
    assert second == {"uri": "file:///abs/dir/%C3%A4.md"}


def test_sarif_report_is_written_with_fixes_for_each_checked_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(ROOT / "examples" / "event-bus-migration.md", tmp_path / "doc.md")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "doc.md", "--format", "sarif", "-o", "report.sarif"]) == 1
    log = json.loads((tmp_path / "report.sarif").read_text("utf-8"))
    validate(log)
    text = (tmp_path / "doc.md").read_text("utf-8")
    fixed = [r for r in log["runs"][0]["results"] if r["ruleId"] == "footer-date-mismatch"]
    (change,) = fixed[0]["fixes"][0]["artifactChanges"]
    assert "_Last updated: 2026-11-27_" in apply_sarif(text, change["replacements"])


def test_format_sarif_is_json_text_ending_in_a_newline() -> None:
    text = format_sarif([diag()])
    assert text.endswith("}\n") and json.loads(text)["version"] == "2.1.0"


def test_the_schema_fixture_rejects_a_broken_log() -> None:
    broken = sarif_log([diag()])
    broken["runs"][0]["results"][0]["level"] = "fatal"
    del broken["runs"][0]["tool"]["driver"]["name"]
    assert len(list(VALIDATOR.iter_errors(broken))) == 2


def test_a_fix_keeps_only_texts_still_as_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from designdoc.check.extracts import TextHashes, texts_as_checked
    from designdoc.model.diagnostics import Diagnostic, Edit, Fix, Severity
    from designdoc.model.text import text_hash

    monkeypatch.chdir(tmp_path)
    Path("same.md").write_text("as checked\n")
    Path("moved.md").write_text("edited since\n")
    fix = Fix("Repair", (Edit(0, 2, "AS"),))
    found = [Diagnostic(name, 1, 1, 1, 3, "todo-marker", Severity.ERROR, "m", fix) for name in ("same.md", "moved.md")]
    hashes = [("same.md", text_hash("as checked\n")), ("moved.md", text_hash("as checked\n"))]
    assert texts_as_checked(found, hashes) == {"same.md": "as checked\n"}
    assert TextHashes().cache_tag and TextHashes().from_cache(hashes[0]) == hashes[0]
