"""Cross-document rules and the runner's project phase (supersede relations, cycles, statuses)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from designdoc.check.linter import lint
from designdoc.check.runner import Checker
from designdoc.config import load as config_module
from designdoc.config.load import load_template
from designdoc.edit.apply import apply_edits
from designdoc.files.discovery import discover
from designdoc.model.diagnostics import CrossFileFix, Diagnostic, Severity
from designdoc.model.text import decode
from designdoc.parse.document import parse
from designdoc.rules import ALL_RULES
from designdoc.rules.facts import cross_file_edits, reference_to
from helpers import FIXTURES, check, write

TREE = FIXTURES / "catalog"
CLEAN = FIXTURES / "rules" / "superseded-by-missing" / "_replacement.md"


def make(status: str, extra: str = "", *, title: str = "Some design") -> str:
    """Return a clean doc in `status` with extra front-matter lines."""
    text = CLEAN.read_text("utf-8")
    text = re.sub(r"(?ms)^supersedes:\n(?:  - .*?\n)+", "", text)
    text = text.replace("status: approved", f"status: {status}").replace(
        "title: Rate Limiter Service v2", f"title: {title}"
    )
    if status in ("draft", "review"):
        text = text.replace("version: 1.0.0", "version: 0.2.0")
    return text.replace("\n---\n\n# Purpose", f"\n{extra}---\n\n# Purpose", 1)


# the supersede relations' rules (links and references are project rules too, tested elsewhere)
PROJECT_SCOPE = {r.slug for r in ALL_RULES if r.phase == "project"} - {
    "link-broken",
    "reference-broken",
    "sidecar-shared",
}


def cross(found: list[Diagnostic]) -> list[tuple[str, int, str]]:
    return [(d.path, d.line, d.rule) for d in found if d.rule in PROJECT_SCOPE]


def apply_cross_fix(diagnostic: Diagnostic) -> None:
    """Apply a CrossFileFix to the file it names, as a fixer would."""
    fix = diagnostic.fix
    assert isinstance(fix, CrossFileFix) and fix.edits == () and fix.file_edits
    target = Path(fix.path)
    text, bom = decode(target.read_bytes())
    target.write_bytes((("\ufeff" if bom else "") + apply_edits(text, fix.file_edits)).encode("utf-8"))


# --------------------------------------------------------------------------- the fixture tree


def test_the_fixture_tree_has_exactly_its_cross_document_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(TREE, tmp_path / "tree")
    monkeypatch.chdir(tmp_path / "tree")
    found = check("docs").diagnostics
    assert cross(found) == [
        ("docs/cycle/alpha.md", 11, "supersede-cycle"),
        ("docs/one-sided/search-v1.md", 11, "supersede-asymmetric"),
    ]
    cycle = next(d for d in found if d.rule == "supersede-cycle")
    assert cycle.message == "Supersede cycle: docs/cycle/alpha.md → docs/cycle/beta.md → docs/cycle/alpha.md"
    assert (cycle.column, cycle.end_column, cycle.severity) == (5, 9, Severity.ERROR)


# --------------------------------------------------------------------------- supersede-asymmetric


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("", "supersedes:\n  - old\n---"),  # absent key: a block list before the closing ---
        ("supersedes:\n  - other\n", "supersedes:\n  - other\n  - old\n"),
        ("supersedes:\n- other\n", "supersedes:\n- other\n- old\n"),
        ("supersedes: [other]\n", "supersedes: [other, old]\n"),
        ("supersedes: []\n", "supersedes: [old]\n"),
        ("supersedes: other\n", "supersedes: [other, old]\n"),
        ("supersedes: 'other'  # kept\n", "supersedes: ['other', old]  # kept\n"),
    ],
)
def test_the_fix_writes_the_missing_side_in_the_other_doc(work: Path, answer: str, expected: str) -> None:
    if "other" in answer:  # a doc new.md already supersedes, answered
        write("other.md", make("superseded", "superseded_by:\n  - new\n", title="Other"))
    write("old.md", make("superseded", "superseded_by:\n  - new\n", title="Old"))
    new = write("new.md", make("approved", answer, title="New"))
    before_old = Path("old.md").read_bytes()
    found = [d for d in check(".").diagnostics if d.rule == "supersede-asymmetric"]
    assert [(d.path, d.line, d.column) for d in found] == [("old.md", 13, 5)]
    assert found[0].message == "superseded_by names 'new', but new.md does not name this doc in supersedes"
    apply_cross_fix(found[0])
    assert expected in new.read_text("utf-8")
    assert Path("old.md").read_bytes() == before_old  # only the missing side is written
    again = check(".").diagnostics
    assert not cross(again), again  # fixed, and the fix is stable


def test_the_fix_names_a_doc_in_another_folder_by_relative_path(work: Path) -> None:
    write("docs/a/new.md", make("approved", "supersedes:\n  - ../b/old.md\n", title="New"))
    old = write("docs/b/old.md", make("superseded", "superseded_by: [other]\n", title="Old"))
    write("docs/b/other.md", make("approved", "supersedes: [old]\n", title="Other"))  # old answers other
    found = [d for d in check("docs").diagnostics if d.rule == "supersede-asymmetric"]
    assert [(d.path, d.line) for d in found] == [("docs/a/new.md", 13)]
    assert found[0].fix.title == "Add '../a/new.md' to superseded_by of docs/b/old.md"
    apply_cross_fix(found[0])
    assert "superseded_by: [other, ../a/new.md]\n" in old.read_text("utf-8")
    assert not cross(check("docs").diagnostics)


def test_the_fix_keeps_crlf_line_breaks(work: Path) -> None:
    write("old.md", make("superseded", "superseded_by:\n  - new\n", title="Old"))
    new = Path("new.md")
    new.write_bytes(make("approved", "supersedes:\n  - other\n", title="New").replace("\n", "\r\n").encode())
    write("other.md", make("superseded", "superseded_by:\n  - new\n", title="Other"))
    found = [d for d in check(".").diagnostics if d.rule == "supersede-asymmetric"]
    apply_cross_fix(found[0])
    assert b"supersedes:\r\n  - other\r\n  - old\r\n" in new.read_bytes()


def test_two_fixes_adding_the_same_missing_key_apply_one_run_at_a_time(work: Path) -> None:
    old = write("old.md", make("superseded", title="Old"))
    write("new.md", make("approved", "supersedes: [old]\n", title="New"))
    write("newer.md", make("approved", "supersedes: [old]\n", title="Newer"))
    for expected in (["new"], ["new", "newer"]):
        found = [d for d in check(".").diagnostics if d.rule == "supersede-asymmetric"]
        edits = cross_file_edits(found)
        assert list(edits) == ["old.md"] and len(edits["old.md"]) == 1
        old.write_text(apply_edits(old.read_text("utf-8"), edits["old.md"]), "utf-8")
        assert "superseded_by:\n" + "".join(f"  - {n}\n" for n in expected) + "---" in old.read_text("utf-8")
    assert not cross(check(".").diagnostics)


def test_reference_to_is_the_stem_in_the_same_folder_else_a_relative_path() -> None:
    assert reference_to("docs/a/x.md", "docs/a/y.md") == "x"
    assert reference_to("docs/a/x.md", "docs/b/y.md") == "../a/x.md"
    assert reference_to("docs/x.md", "docs/a/b/y.md") == "../../x.md"


def test_a_doc_outside_the_run_is_read_for_its_side(work: Path) -> None:
    write("old.md", make("superseded", "superseded_by:\n  - new\n", title="Old"))
    write("new.md", make("approved", title="New"))
    assert cross(check("old.md").diagnostics) == [("old.md", 13, "supersede-asymmetric")]
    # nothing in new.md names old.md: only the run's statements count
    assert cross(check("new.md").diagnostics) == []


def test_an_unresolved_or_unreadable_reference_is_left_to_other_rules(work: Path) -> None:
    write("old.md", make("superseded", "superseded_by:\n  - ghost\n  - broken\n", title="Old"))
    write("broken.md", "---\ntitle: [unclosed\n---\n")
    found = check("old.md").diagnostics
    assert [d.rule for d in found if d.line in (13, 14)] == ["reference-broken"]
    assert not cross(found)


# --------------------------------------------------------------------------- superseded-status-mismatch


def test_a_doc_named_in_supersedes_must_be_superseded(work: Path) -> None:
    write("old.md", make("approved", "superseded_by:\n  - new\n", title="Old"))
    write("new.md", make("approved", "supersedes:\n  - old\n", title="New"))
    found = [d for d in check(".").diagnostics if d.rule in PROJECT_SCOPE]
    assert [(d.path, d.line, d.rule) for d in found] == [("new.md", 13, "superseded-status-mismatch")]
    assert found[0].message == "supersedes 'old', whose status is 'approved', not 'superseded'"


def test_a_draft_successor_is_allowed_unless_the_config_says_otherwise(work: Path) -> None:
    write("old.md", make("superseded", "superseded_by:\n  - new\n", title="Old"))
    write("new.md", make("draft", "supersedes:\n  - old\n", title="New"))
    assert not cross(check(".").diagnostics)
    strict = {"rules": {"superseded-status-mismatch": {"allow_draft_successor": False}}}
    found = [d for d in check(".", table=strict).diagnostics if d.rule in PROJECT_SCOPE]
    assert [(d.path, d.line, d.rule) for d in found] == [("old.md", 13, "superseded-status-mismatch")]
    assert "still a draft" in found[0].message


def test_an_invalid_status_is_left_to_field_value(work: Path) -> None:
    write("old.md", make("wip", "superseded_by:\n  - new\n", title="Old"))
    write("new.md", make("approved", "supersedes:\n  - old\n", title="New"))
    assert not cross(check(".").diagnostics)


# --------------------------------------------------------------------------- supersede-cycle


def test_a_cycle_is_reported_once_on_the_smallest_path(work: Path) -> None:
    write("c.md", make("superseded", "supersedes: [a]\nsuperseded_by: [b]\n", title="C"))
    write("b.md", make("superseded", "supersedes: [c]\nsuperseded_by: [a]\n", title="B"))
    write("a.md", make("superseded", "supersedes: [b]\nsuperseded_by: [c]\n", title="A"))
    found = [d for d in check(".").diagnostics if d.rule in PROJECT_SCOPE]
    assert [(d.path, d.line, d.column, d.rule) for d in found] == [("a.md", 12, 14, "supersede-cycle")]
    assert found[0].message == "Supersede cycle: a.md → b.md → c.md → a.md"


def test_a_cycle_stated_on_one_side_only_is_still_a_cycle(work: Path) -> None:
    write("a.md", make("superseded", "supersedes: [b]\nsuperseded_by: [b]\n", title="A"))
    write("b.md", make("superseded", title="B"))
    assert cross(check(".").diagnostics) == [
        ("a.md", 12, "supersede-asymmetric"),
        ("a.md", 12, "supersede-cycle"),
        ("a.md", 13, "supersede-asymmetric"),
    ]


def test_a_doc_that_supersedes_itself(work: Path) -> None:
    write("a.md", make("approved", "supersedes:\n  - a\n", title="A"))
    found = [d for d in check(".").diagnostics if d.rule in PROJECT_SCOPE]
    assert [(d.line, d.rule, d.message) for d in found] == [(13, "supersede-cycle", "Supersede cycle: a.md → a.md")]


# --------------------------------------------------------------------------- the project phase


def test_configured_severity_applies_to_project_rules(work: Path) -> None:
    write("old.md", make("superseded", "superseded_by:\n  - new\n", title="Old"))
    write("new.md", make("approved", title="New"))
    found = cross(check(".", table={"rules": {"supersede-asymmetric": {"severity": "off"}}}).diagnostics)
    assert found == []
    found = check(".", table={"rules": {"supersede-asymmetric": {"severity": "warning"}}}).diagnostics
    assert [d.severity for d in found if d.rule == "supersede-asymmetric"] == [Severity.WARNING]


def test_ignored_project_rules_are_not_run(work: Path) -> None:
    write("old.md", make("superseded", "superseded_by:\n  - new\n", title="Old"))
    write("new.md", make("approved", title="New"))
    config = config_module.from_table({})
    from designdoc.check.linter import select

    checker = Checker(config, load_template(config), rules=select(ignore=["supersede-asymmetric"]))
    candidates, _ = discover(["."], config)
    assert not cross(checker.run(candidates).diagnostics)


def test_the_per_file_linter_runs_project_rules_as_no_ops(work: Path) -> None:
    config = config_module.from_table({})
    doc = parse(make("approved", "supersedes:\n  - a\n"), "a.md", load_template(config))
    import datetime as dt

    found = lint(doc, config=config, today=dt.date(2025, 6, 1), rules=[r for r in ALL_RULES if r.slug in PROJECT_SCOPE])
    assert found == []


def test_per_file_findings_are_the_same_with_and_without_the_project_phase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(TREE, tmp_path / "tree")
    monkeypatch.chdir(tmp_path / "tree")
    config = config_module.from_table({})
    from designdoc.check.linter import select

    candidates, _ = discover(["docs"], config)
    everything = Checker(config, load_template(config)).run(candidates).diagnostics
    per_file = Checker(config, load_template(config), rules=select(ignore=sorted(PROJECT_SCOPE))).run(candidates)
    assert [d for d in everything if d.rule not in PROJECT_SCOPE] == per_file.diagnostics


def test_project_rules_are_listed_and_documented() -> None:
    slugs = [r.slug for r in ALL_RULES]
    assert slugs[-5:] == [
        "supersede-asymmetric",
        "superseded-status-mismatch",
        "supersede-cycle",
        "last-updated-behind-commit",
        "status-transition-illegal",
    ]
    assert set(slugs[-5:]) == PROJECT_SCOPE
    fixable = {r.slug for r in ALL_RULES if r.fixable} & PROJECT_SCOPE
    assert fixable == {"supersede-asymmetric"}
