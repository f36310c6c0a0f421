"""Every fixture under tests/fixtures/rules/ produces exactly the diagnostics it declares."""

from __future__ import annotations

from pathlib import Path

import pytest

from designdoc.cli.main import main
from designdoc.rules import ALL_RULES
from harness import check_fixture
from helpers import FIXTURES

RULES_DIR = FIXTURES / "rules"
MARKED = sorted(p for p in RULES_DIR.glob("*/*.md") if not p.name.startswith("_") and not p.name.endswith(".fixed.md"))


@pytest.mark.parametrize("fixture", MARKED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_diagnostics_are_exactly_the_markers(fixture: Path, tmp_path: Path) -> None:
    found, expected, _ = check_fixture(fixture, tmp_path)
    got = sorted((d.rule, d.line) for d in found)
    want = sorted((e.slug, e.line) for e in expected)
    assert got == want, "\n".join(f"{d.line}:{d.column} {d.rule} {d.severity.label} {d.message}" for d in found)
    for e in expected:
        match = [d for d in found if d.rule == e.slug and d.line == e.line]
        if e.severity:
            assert any(d.severity.label == e.severity for d in match), (e, match)
        if e.text:
            assert any(e.text.lower() in d.message.lower() for d in match), (e, [d.message for d in match])


@pytest.mark.parametrize("rule", [r.slug for r in ALL_RULES])
def test_every_rule_has_a_failing_and_a_passing_fixture(rule: str) -> None:
    folder = RULES_DIR / rule
    texts = (
        [p.read_text("utf-8", "replace") for p in folder.glob("*.md") if not p.name.startswith("_")]
        if folder.is_dir()
        else []
    )
    assert any(f"expect: {rule}" in t for t in texts), f"no fixture triggers {rule}"
    assert any("expect:" not in t or f"expect: {rule}" not in t for t in texts), f"no passing fixture for {rule}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.slug)
def test_rule_documentation_has_the_four_headings(rule) -> None:
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Fix safety"):
        assert heading in rule.doc, f"{rule.slug}: missing {heading!r}"


SNAPSHOTS = sorted(RULES_DIR.glob("*/*.fixed.md"))


@pytest.mark.parametrize("snapshot", SNAPSHOTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fix_matches_its_snapshot_and_leaves_only_unfixable_findings(snapshot: Path, tmp_path: Path) -> None:
    source = snapshot.with_name(snapshot.name.removesuffix(".fixed.md") + ".md")
    if source.name.startswith("_"):  # a cross-file fix: fix the folder, compare the sibling it edits
        fixtures = [p for p in source.parent.glob("*.md") if not p.name.startswith("_") and ".fixed" not in p.name]
        for fixture in fixtures:
            check_fixture(fixture, tmp_path)
        target = str(tmp_path / source.parent.name / source.name)
        assert main(["check", "--fix", str(tmp_path / source.parent.name)]) in (0, 1)
        assert Path(target).read_bytes() == snapshot.read_bytes()
        return
    _, _, target = check_fixture(source, tmp_path)
    assert main(["check", "--fix", target]) in (0, 1)
    assert Path(target).read_bytes() == snapshot.read_bytes()
    assert main(["check", "--fix", target]) in (0, 1)  # idempotent: a second run changes nothing
    assert Path(target).read_bytes() == snapshot.read_bytes()
    found, _, _ = check_fixture(snapshot, tmp_path / "again")
    assert not [d for d in found if d.fixable]


@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r.fixable], ids=lambda r: r.slug)
def test_every_fixable_rule_has_a_fix_snapshot(rule) -> None:
    assert list((RULES_DIR / rule.slug).glob("*.fixed.md")), f"{rule.slug} has no .fixed.md snapshot"
