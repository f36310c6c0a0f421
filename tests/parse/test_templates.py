"""Team templates in the styles of three public formats: RFC, MADR and KEP.

Each fixture folder under `fixtures/templates/<style>/` holds `template.md`, a
`designdoc.toml` pointing at it, a filled clean doc, a doc missing a required
section and a doc that keeps guidance.  The expectations here are the complete
(slug, line) sets; the built-in template goes through the same derivation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from designdoc.check.runner import Checker
from designdoc.cli.main import main
from designdoc.config import load as config_module
from designdoc.config.load import load_template
from designdoc.files.discovery import Candidate, discover
from designdoc.model.errors import ConfigError
from designdoc.parse import template as template_module
from designdoc.parse.template import derive
from helpers import FIXTURES

TEMPLATES = FIXTURES / "templates"
GUIDANCE = "section-placeholder"


def _placeholders(*lines: int) -> set[tuple[str, int]]:
    return {(GUIDANCE, line) for line in lines}


EXPECTED: dict[tuple[str, str], set[tuple[str, int]]] = {
    # the RFC template: the metadata list (1-4) and the title heading (6) are its preamble;
    # every section's whole body is guidance, one finding per paragraph or list item
    ("rfc", "template"): _placeholders(
        1, 2, 3, 4, 6, 11, 16, 21, 23, 24, 25, 26, 28, 33, 35, 36, 37, 39, 44, 49, 50, 51, 56, 61, 62, 63, 68
    ),
    ("rfc", "filled"): set(),
    ("rfc", "missing-section"): {("section-missing", 28)},  # Drawbacks: at "Rationale and alternatives"
    ("rfc", "kept-guidance"): _placeholders(2, 31, 37),  # a metadata item, a paragraph, one list item
    # MADR: `key: {…}` values are placeholders; the H1 is a placeholder title; `{…}` left anywhere
    # is guidance; the "optional element" comments are markers, never guidance
    ("madr", "template"): {("field-placeholder", line) for line in (3, 4, 5, 6, 7)}
    | _placeholders(9, 13, 19, 20, 21, 25, 26, 27, 28, 32, 37, 38, 39, 44, 47, 49, 50, 51, 52, 53, 56, 58, 60, 61, 66),
    ("madr", "filled"): set(),
    ("madr", "missing-section"): {("section-missing", 12)},  # Considered Options; the optional ones may go
    ("madr", "kept-guidance"): {("field-placeholder", 3)} | _placeholders(10, 25),
    # KEP: HTML comments are the guidance, so the sign-off checklist and the "[ ] I/we understand"
    # line may stay; the table of contents is not guidance; an UNRESOLVED block counts once
    ("kep", "template"): _placeholders(
        1, 23, 25, 29, 58, 77, 86, 93, 99, 105, 112, 123, 130, 137, 144, 157, 163, 169, 176, 182, 189
    )
    | {("todo-marker", 163)},
    ("kep", "filled"): set(),
    ("kep", "missing-section"): {("section-missing", 19), ("section-missing", 39)},  # Non-Goals, Drawbacks
    ("kep", "kept-guidance"): _placeholders(3, 13) | {("todo-marker", 46)},
}

SECTIONS = {
    "rfc": [
        ("Summary", 2, False),
        ("Motivation", 2, False),
        ("Guide-level explanation", 2, False),
        ("Reference-level explanation", 2, False),
        ("Drawbacks", 2, False),
        ("Rationale and alternatives", 2, False),
        ("Prior art", 2, False),
        ("Unresolved questions", 2, False),
        ("Future possibilities", 2, False),
    ],
    "madr": [
        ("Context and Problem Statement", 2, False),
        ("Decision Drivers", 2, True),
        ("Considered Options", 2, False),
        ("Decision Outcome", 2, False),
        ("Pros and Cons of the Options", 2, True),
        ("More Information", 2, True),
    ],
    "kep": [
        ("Release Signoff Checklist", 2, False),
        ("Summary", 2, False),
        ("Motivation", 2, False),
        ("Proposal", 2, False),
        ("Design Details", 2, False),
        ("Implementation History", 2, False),
        ("Drawbacks", 2, False),
        ("Alternatives", 2, False),
        ("Infrastructure Needed", 2, True),
    ],
}


def _checker(style: str) -> Checker:
    config = config_module.load(explicit=TEMPLATES / style / "designdoc.toml")
    return Checker(config, load_template(config))


def _found(style: str, name: str) -> set[tuple[str, int]]:
    result = _checker(style).run([Candidate(TEMPLATES / style / f"{name}.md", True, None)])
    return {(d.rule, d.line) for d in result.diagnostics}


@pytest.mark.parametrize(("style", "name"), sorted(EXPECTED))
def test_each_template_doc_reports_exactly_the_expected_findings(style: str, name: str) -> None:
    assert _found(style, name) == EXPECTED[(style, name)]


@pytest.mark.parametrize("style", sorted(SECTIONS))
def test_template_show_lists_the_sections(style: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["template", "show", "--config", str(TEMPLATES / style / "designdoc.toml"), "--format", "json"])
    assert code == 0
    shown = json.loads(capsys.readouterr().out)
    assert [(s["name"], s["level"], s["optional"]) for s in shown["sections"]] == SECTIONS[style]
    assert shown["title_heading"]["required"] and shown["title_heading"]["placeholder"]
    assert shown["doc_type"] is None and shown["footer"] is None


def test_template_show_text_names_fields_subsections_and_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "show", str(TEMPLATES / "madr" / "template.md")]) == 0
    out = capsys.readouterr().out
    assert "  date       date    placeholder  '{YYYY-MM-DD when the decision was last updated}'" in out
    assert "## Decision Drivers  [optional]" in out
    assert "### Consequences  [optional]" in out
    assert main(["template", "show", "--config", str(TEMPLATES / "kep" / "designdoc.toml")]) == 0
    out = capsys.readouterr().out
    assert "### Non-Goals  [required]" in out and "## Alternatives  [requires alternatives]" in out


def test_template_show_builtin_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["template", "show"]) == 0
    out = capsys.readouterr().out
    assert "template: design_doc (built-in)" in out and "# Purpose  [max 3 sentences]" in out
    assert "footer: '_Last updated: 2024-05-18 (update before publishing)_'" in out


def test_template_show_missing_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "show", str(tmp_path / "nope.md")]) == 2
    assert "template file not found" in capsys.readouterr().err


@pytest.mark.parametrize("style", sorted(SECTIONS))
def test_a_folder_walk_checks_every_markdown_file_but_the_template(style: str) -> None:
    checker = _checker(style)
    candidates, _ = discover([str(TEMPLATES / style)], checker.config)
    result = checker.run(candidates)
    assert result.files == 3
    assert not any(d.path.endswith("template.md") for d in result.diagnostics)


def test_a_whole_block_placeholder_pattern_counts_once_at_its_opening_line(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "# KEP-1: Title\n\n## Summary\n\nText.\n\n<<[UNRESOLVED @ana ]>>\nStill argued.\n"
        "<<[/UNRESOLVED]>>\n\nMore `<<[UNRESOLVED in code ]>>` text.\n",
        "utf-8",
    )
    template = TEMPLATES / "kep" / "template.md"
    for pattern in (r"<<\[UNRESOLVED\b[^\]]*\]>>", r"(?s)<<\[UNRESOLVED.*?<<\[/UNRESOLVED\]>>"):
        config = config_module.from_table({"template": str(template), "placeholder_patterns": [pattern]})
        result = Checker(config, load_template(config), rules=_only("todo-marker")).run([Candidate(doc, True, None)])
        assert [(d.rule, d.line) for d in result.diagnostics] == [("todo-marker", 7)]


def _only(slug: str):
    from designdoc.check.linter import select

    return select(select=[slug])


def test_madr_field_types_follow_the_template_values(tmp_path: Path) -> None:
    source = (TEMPLATES / "madr" / "filled.md").read_text("utf-8")
    doc = tmp_path / "adr.md"
    doc.write_text(
        source.replace("date: 2024-04-02", "date: 2024-02-30").replace(
            "deciders: [ana.silva, bo.lindqvist, chen.wu]", "deciders: Ana Silva and Bo"
        ),
        "utf-8",
    )
    config = config_module.from_table({"template": str(TEMPLATES / "madr" / "template.md")})
    result = Checker(config, load_template(config)).run([Candidate(doc, True, None)])
    # a `{YYYY-MM-DD …}` placeholder makes a date; a `{list …}` placeholder allows any shape
    assert [(d.rule, d.line) for d in result.diagnostics] == [("field-value", 3)]


def test_madr_field_shapes_are_derived() -> None:
    template = template_module.load(TEMPLATES / "madr" / "template.md")
    kinds = {f.name: (f.kind, f.placeholder) for f in template.fields}
    assert kinds == {
        "status": ("scalar", True),
        "date": ("date", True),
        "deciders": ("any", True),
        "consulted": ("any", True),
        "informed": ("any", True),
    }
    assert template.title_heading and template.title_placeholder == "short title of solved problem and solution"


def test_subsections_are_required_only_where_the_config_says_so(tmp_path: Path) -> None:
    doc = tmp_path / "kep.md"
    doc.write_text((TEMPLATES / "kep" / "missing-section.md").read_text("utf-8"), "utf-8")
    config = config_module.from_table({"template": str(TEMPLATES / "kep" / "template.md")})
    result = Checker(config, load_template(config)).run([Candidate(doc, True, None)])
    assert [(d.rule, d.line) for d in result.diagnostics] == [("section-missing", 39)]


def test_subsection_rule_option_is_validated() -> None:
    with pytest.raises(ConfigError, match="require_subsections: expected true or false"):
        config_module.from_table({"sections": {"Motivation": {"require_subsections": "yes"}}})


def test_the_builtin_template_goes_through_the_same_derivation() -> None:
    builtin = config_module.builtin()
    text = config_module.builtin_path().read_text("utf-8")
    again = template_module.derive(text, name="copy")
    assert [s.key for s in again.sections] == [s.key for s in builtin.sections]
    assert [s.guidance for s in again.sections] == [s.guidance for s in builtin.sections]
    assert builtin.title_heading is False and builtin.footer is not None
    assert len(builtin.sections) == 17 and all(len(s.guidance) == 1 for s in builtin.sections)


def test_a_checklist_is_kept_and_ticked_not_guidance() -> None:
    text = (
        "## Release checklist\n\n- [ ] Tests written\n- [x] Docs reviewed by the team\n\n"
        "## Summary\n\nOne paragraph saying what changes and for whom.\n"
    )
    template = derive(text, name="t")
    assert template.sections[0].guidance == ()
    assert template.sections[1].guidance != ()


def test_a_bracketed_optional_marks_a_section_optional_as_parentheses_do() -> None:
    template = derive("## Drawbacks [optional]\n\nWhy not.\n\n## Risks (Optional)\n\nWhat could fail.\n", name="t")
    assert [(s.key, s.name, s.optional) for s in template.sections] == [
        ("drawbacks", "Drawbacks", True),
        ("risks", "Risks", True),
    ]
