"""What a new team meets in its first hour: rule docs, the catalog piped, recording a baseline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from designdoc.cli.main import main
from designdoc.rules import ALL_RULES
from helpers import EXAMPLES


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.slug)
def test_every_rule_page_starts_with_its_header(rule, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", rule.slug]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# {rule.slug}\n\nDefault severity: {rule.default_label}")
    assert f"Fixable: {'yes' if rule.fixable else 'no'}\n" in out and rule.doc in out


def test_the_catalog_piped_is_never_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "docs" / "design" / "tenant-isolation-and-quota-enforcement"
    shutil.copytree(EXAMPLES, deep)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COLUMNS", raising=False)
    main(["list", "docs"])
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert "TAGS" in header and "TITLE" in header
    for path in sorted(deep.glob("*.md")):
        assert str(path.relative_to(tmp_path)) in out  # whole, not "docs/design/tena…"
    assert "…" not in out


def test_recording_a_baseline_says_what_was_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "docs")
    monkeypatch.chdir(tmp_path)
    main(["check", "--format", "json", "docs"])
    import json

    found = json.loads(capsys.readouterr().out)["diagnostics"]
    assert found
    assert main(["check", "--update-baseline", "baseline.json", "docs"]) == 0
    err = capsys.readouterr().err
    files = len({d["path"] for d in found})
    assert f"recorded {len(found)} findings in {files} file{'s' if files > 1 else ''} in baseline.json" in err


def test_a_fix_removes_the_temporary_files_a_killed_fix_left_and_only_those(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time

    source = EXAMPLES / "event-bus-migration.md"  # its footer date is one --fix repairs
    doc = tmp_path / "event-bus-migration.md"
    shutil.copy(source, doc)
    stale = tmp_path / ".event-bus-migration.md.deadbeef.tmp"
    fresh = tmp_path / ".event-bus-migration.md.cafebabe.tmp"
    other = tmp_path / ".event-bus-migration.md.notours.tmp"
    neighbour = tmp_path / ".audit-log.md.deadbeef.tmp"
    for path in (stale, fresh, other, neighbour):
        path.write_text("half a doc", "utf-8")
    old = time.time() - 3600
    for path in (stale, other, neighbour):
        os.utime(path, (old, old))
    monkeypatch.chdir(tmp_path)
    main(["check", "--fix", "--no-cache", "event-bus-migration.md"])
    assert doc.read_text("utf-8") != source.read_text("utf-8")  # the fix wrote
    assert not stale.exists()
    assert fresh.exists() and other.exists() and neighbour.exists()


@pytest.mark.parametrize(
    "command", [["check"], ["list", "--format", "json"], ["build", "-o", "../site", "--no-search"]]
)
def test_configured_paths_are_relative_to_the_config_file_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "docs" / "design")
    (tmp_path / "designdoc.toml").write_text('paths = ["docs/design"]\n', "utf-8")
    monkeypatch.chdir(tmp_path / "docs")
    code = main(command)
    out, err = capsys.readouterr()
    assert code in (0, 1) and "no such file" not in err, err
    if command[0] != "build":
        assert "design/rate-limiter.md" in out and "docs/design" not in out  # shown from where the user stands
    else:
        assert (tmp_path / "site" / "index.html").is_file()


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["rule", "sectoin-missing"], "did you mean 'section-missing'?"),
        (["check", "--select", "todo-markr", "."], "did you mean 'todo-marker'?"),
        (["status", "docs/audit-log.md", "aproved"], "did you mean 'approved'?"),
        (["status", "docs/audit-log.md", "Approved"], "did you mean 'approved'?"),
    ],
)
def test_a_misspelt_word_gets_the_nearest_one_suggested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], hint: str
) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "docs")
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert hint in capsys.readouterr().err


def test_a_misspelt_status_or_anchor_in_a_doc_gets_a_suggestion_and_no_spurious_footer_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    text = (EXAMPLES / "search-indexing.md").read_text("utf-8")
    assert "status: implemented" in text and text.endswith("_Last updated: 2026-11-27_\n")
    text = text.replace("status: implemented", "status: reveiw", 1).replace(
        "## Data Model", "## Data Model\n\nSee [the model](#data-modle).", 1
    )
    text = text.replace("_Last updated: 2026-11-27_", "_Last updated: 2026-11-27 (update before publishing)_")
    (tmp_path / "doc.md").write_text(text, "utf-8")
    monkeypatch.chdir(tmp_path)
    main(["check", "--format", "json", "doc.md"])
    found = {(d["rule"], d["message"]) for d in json.loads(capsys.readouterr().out)["diagnostics"]}
    rules = {rule for rule, _ in found}
    assert "footer-draft-note" not in rules
    assert any(r == "field-value" and "did you mean 'review'?" in m for r, m in found)
    assert any(r == "link-broken" and "did you mean '#data-model'?" in m for r, m in found)


def test_the_fix_hook_fails_only_when_it_changed_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(EXAMPLES / "event-bus-migration.md", tmp_path / "fixable.md")  # a footer date --fix repairs
    text = (EXAMPLES / "rate-limiter.md").read_text("utf-8")  # clean, but for a marker no fix can repair
    (tmp_path / "unfixable.md").write_text(text.replace("\n## Alternatives\n", "\n## Alternatives\nTODO\n", 1), "utf-8")
    monkeypatch.chdir(tmp_path)
    hook = ["check", "--only-docs", "--fix-only", "--exit-non-zero-on-fix", "--no-cache"]
    assert main(["check", "--no-cache", "unfixable.md"]) == 1  # findings remain: the check hook fails
    capsys.readouterr()
    assert main([*hook, "unfixable.md"]) == 0  # the fix hook changed nothing: it passes, quietly
    out, err = capsys.readouterr()
    assert out == "" and err == ""
    assert main([*hook, "fixable.md"]) == 1  # it changed a file: stage the fix
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("Fixed 1 file: fixable.md")
    assert main([*hook, "fixable.md"]) == 0  # nothing left to change


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("stale_days = -5", "stale_days: expected 0 or more, got -5"),
        ("commit_grace_days = -1", "commit_grace_days: expected 0 or more"),
        ("max_file_size = 0", "max_file_size: expected more than 0"),
        ("time_budget = 0", "time_budget: expected more than 0"),
    ],
)
def test_a_count_or_size_below_its_least_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], setting: str, message: str
) -> None:
    (tmp_path / "designdoc.toml").write_text(setting + "\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "."]) == 2
    assert message in capsys.readouterr().err


def test_init_leaves_a_docs_folder_git_keeps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q"], check=True)
    assert main(["init"]) == 0
    subprocess.run(["git", "add", "-A"], check=True)
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.split()
    assert "docs/design/.gitkeep" in tracked and "designdoc.toml" in tracked
    assert main(["init"]) == 1  # never over the config it wrote


def test_new_fills_every_date_and_author_field_of_a_team_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    (tmp_path / "tpl.md").write_text(
        "---\ntitle: neat-idea\nauthors:\n  - TBD\nreviewers:\n  - TBD\ncreation-date: yyyy-mm-dd\n"
        "last-updated: YYYY-MM-DD\nstatus: provisional|implementable|implemented\n---\n\n"
        "# neat-idea\n\n## Summary\n\n> One paragraph on what changes.\n\n## Motivation\n\n> Why now.\n",
        "utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DESIGNDOC_TODAY", "2026-12-06")
    assert (
        main(["new", "Two-node fencing", "--owner", "ana@acme.io", "--owner", "bo@acme.io", "--template", "tpl.md"])
        == 0
    )
    path = capsys.readouterr().out.strip()
    text = Path(path).read_text("utf-8")
    assert "authors:\n  - ana@acme.io\n  - bo@acme.io\n" in text  # both owners, in order
    assert "creation-date: 2026-12-06\n" in text and "last-updated: 2026-12-06\n" in text
    assert "status: provisional\n" in text and "reviewers:\n  - TBD\n" in text  # reviewers are the author's to name
    main(["check", "--format", "json", "--template", "tpl.md", path])
    rules = [d["rule"] for d in json.loads(capsys.readouterr().out)["diagnostics"]]
    assert "field-value" not in rules and rules.count("field-placeholder") == 1  # the reviewers, once


def test_a_placeholder_date_is_reported_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    template = "---\ntitle: neat-idea\ndate: YYYY-MM-DD\n---\n\n# neat-idea\n\n## Summary\n\n> What changes.\n"
    (tmp_path / "tpl.md").write_text(template, "utf-8")
    doc = template.replace("neat-idea", "Fencing").replace("> What changes.", "Fences the other node.")
    (tmp_path / "doc.md").write_text(doc, "utf-8")
    monkeypatch.chdir(tmp_path)
    main(["check", "--format", "json", "--template", "tpl.md", "doc.md"])
    found = [d["rule"] for d in json.loads(capsys.readouterr().out)["diagnostics"] if d["line"] == 3]
    assert found == ["field-placeholder"]


def test_new_says_when_an_owner_is_no_email(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "Audit log", "--owner", "maria"]) == 0
    err = capsys.readouterr().err
    assert "Invalid email 'maria' in 'owners' [field-value]" in err and err.startswith("designdoc: warning: ")


def test_approving_a_doc_says_that_it_raised_the_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (EXAMPLES / "rate-limiter.md").read_text("utf-8")
    text = text.replace("status: approved", "status: review").replace("version: 1.2.0", "version: 0.4.0")
    (tmp_path / "doc.md").write_text(text, "utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["status", "doc.md", "approved"]) == 0
    out = capsys.readouterr().out
    assert "doc.md: status approved\n" in out and "doc.md: version 0.4.0 -> 1.0.0" in out
    assert "version: 1.0.0\n" in (tmp_path / "doc.md").read_text("utf-8")


def test_an_empty_owner_falls_back_to_git_s_email(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("designdoc.operations.new.git_email", lambda: "git@acme.io")
    assert main(["new", "Audit log", "--owner", " "]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert "owners:\n  - git@acme.io\n" in path.read_text("utf-8")
