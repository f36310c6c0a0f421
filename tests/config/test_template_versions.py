"""Template versions from a repository's history: built here, commit by commit, at chosen dates.

Each test makes a git repository under tmp_path whose template changed over the years
(ADRs in the Nygard style: a `Date:` line is the doc's creation date) and checks what a
doc is checked against, what `template history` lists, and what is said when history
cannot be read.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from designdoc.check.runner import Checker
from designdoc.config import load as config_module
from designdoc.config import versions as versions_module
from designdoc.config.load import load_template
from designdoc.files.discovery import Candidate
from designdoc.parse.versions import Draft, build
from helpers import FIXTURES, TODAY, git, run, write

CONFIG = 'preset = "nygard-adr"\ntemplate = "templates/adr.md"\npaths = ["adr"]\n'

V1 = """\
# NUMBER. TITLE

Date: DATE

## Status

STATUS

## Context

The issue motivating this decision, and any context that influences or constrains the decision.

## Decision

The change that we're proposing or have agreed to implement.

## Consequences

What becomes easier or more difficult to do and any risks introduced by the change.
"""
# the same contract, reworded guidance: one version with V1
V1_REWORDED = V1.replace("The change that we're proposing", "The change we propose")
# a section added, a heading renamed
V2 = V1_REWORDED.replace("## Context\n", "## Context and problem\n").replace(
    "## Consequences\n",
    "## Alternatives considered\n\nThe options the team weighed and why each was not chosen.\n\n## Consequences\n",
)


def new_repo(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make `root` an empty git repository and work there."""
    root.mkdir()
    git(root, "init", "-q")
    monkeypatch.chdir(root)
    return root


def commit(repo: Path, date: str, message: str, files: dict[str, str | None]) -> str:
    """Write (or, for None, delete) files and commit them all at `date`; return the commit."""
    for name, text in files.items():
        if text is None:
            git(repo, "rm", "-q", name, date=date)
        else:
            write(repo / name, text)
            git(repo, "add", name, date=date)
    git(repo, "commit", "-qm", message, date=date)
    return git(repo, "rev-parse", "HEAD")


def adr(number: int, title: str, date: str | None, *, context: str = "Context", marker: str | None = None) -> str:
    lines = [f"# {number}. {title}", ""]
    if date:
        lines.append(f"Date: {date}")
    if marker:
        lines.append(f"Template version: {marker}")
    lines += [
        "",
        "## Status",
        "",
        "Accepted",
        "",
        f"## {context}",
        "",
        "The nightly job takes six hours and the window is four.",
        "",
        "## Decision",
        "",
        "We split the job by region and run the regions side by side.",
        "",
        "## Consequences",
        "",
        "Each region's failure is its own; the dashboard shows four jobs.",
        "",
    ]
    return "\n".join(lines)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose template was written in 2019, reworded in 2020 and extended in 2022."""
    root = new_repo(tmp_path / "repo", monkeypatch)
    commit(root, "2019-03-01", "template", {"designdoc.toml": CONFIG, "templates/adr.md": V1})
    commit(root, "2020-05-01", "reword", {"templates/adr.md": V1_REWORDED})
    commit(root, "2022-06-01", "extend", {"templates/adr.md": V2})
    return root


def checker(root: Path) -> Checker:
    config = config_module.load(root)
    return Checker(config, load_template(config), today_=TODAY)


def findings(root: Path, *names: str) -> list[tuple[str, str, int, str]]:
    result = checker(root).run([Candidate(root / "adr" / name, True, None) for name in names])
    wanted = {"section-missing", "template-outdated", "template-version-unknown", "section-order"}
    return [(Path(d.path).name, d.rule, d.line, d.message) for d in result.diagnostics if d.rule in wanted]


def test_versions_collapse_equal_contracts_and_say_what_changed(repo: Path) -> None:
    versions = checker(repo).versions
    assert [v.date.isoformat() for v in versions.versions] == ["2019-03-01", "2022-06-01"]
    first, current = versions.versions
    assert len(first.commits) == 2  # the rewording is the same contract
    assert first.id == first.commits[0][:7]
    changes = versions.changes(first, current)
    assert changes.added == ("Alternatives considered",)
    assert changes.renamed == (("Context", "Context and problem"),)
    # the reworded guidance of both commits is guidance of the one version
    decision = first.template.sections[first.template.find_section("decision")]
    assert any("we're proposing" in t for t in decision.guidance_text)
    assert any("we propose" in t for t in decision.guidance_text)


def test_a_doc_is_checked_against_the_version_of_its_creation_date(repo: Path) -> None:
    write(repo / "adr/0001-split.md", adr(1, "Split the nightly job", "2021-02-03"))
    write(repo / "adr/0002-new.md", adr(2, "A new one", "2023-01-10", context="Context and problem"))
    found = findings(repo, "0001-split.md", "0002-new.md")
    assert [(name, rule) for name, rule, _, _ in found] == [
        ("0001-split.md", "template-outdated"),
        ("0002-new.md", "section-missing"),
    ]
    assert "adds 'Alternatives considered', renames 'Context' to 'Context and problem'" in found[0][3]
    assert "Alternatives considered" in found[1][3]


def test_without_a_date_the_day_it_came_tells_renames_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = new_repo(tmp_path / "repo", monkeypatch)
    commit(root, "2019-03-01", "template", {"designdoc.toml": CONFIG, "templates/adr.md": V1})
    commit(root, "2021-01-01", "an undated ADR", {"adr/old-name.md": adr(3, "Undated", None)})
    commit(root, "2021-02-01", "another", {"adr/0005-other.md": adr(5, "Other", None)})
    commit(root, "2022-06-01", "extend", {"templates/adr.md": V2})
    git(root, "mv", "adr/old-name.md", "adr/0003-undated.md")  # renamed after the template changed
    git(root, "commit", "-qm", "rename", date="2024-01-01")
    moved = adr(5, "Other", None).replace("six hours", "seven hours")  # moved and edited: its name is kept
    commit(root, "2024-01-15", "archive", {"adr/0005-other.md": None, "adr/archive/0005-other.md": moved})
    commit(root, "2024-02-01", "a late one", {"adr/0006-late.md": adr(6, "Late", None, context="Context and problem")})
    found = findings(root, "0003-undated.md", "archive/0005-other.md", "0006-late.md")
    assert [(name, rule) for name, rule, _, _ in found] == [
        ("0003-undated.md", "template-outdated"),
        ("0006-late.md", "section-missing"),  # came after 2022: 'Alternatives considered' is asked
        ("0005-other.md", "template-outdated"),  # adr/archive/ sorts last
    ]
    assert "by its first commit" in found[0][3]
    # not committed at all: today's template
    write(root / "adr/0004-fresh.md", adr(4, "Fresh", None))
    assert [rule for _, rule, _, _ in findings(root, "0004-fresh.md")] == ["section-missing"]


def test_a_marker_names_a_version_by_commit_or_date_and_a_wrong_one_is_reported(repo: Path) -> None:
    first = checker(repo).versions.versions[0]
    write(repo / "adr/0005-marked.md", adr(5, "Marked", "2023-05-05", marker=first.commits[1][:9]))
    write(repo / "adr/0006-dated.md", adr(6, "Dated", "2023-05-05", marker="2020-12-31"))
    write(repo / "adr/0007-wrong.md", adr(7, "Wrong", "2021-05-05", marker="deadbeef"))
    found = findings(repo, "0005-marked.md", "0006-dated.md", "0007-wrong.md")
    assert [(name, rule) for name, rule, _, _ in found] == [
        ("0005-marked.md", "template-outdated"),
        ("0006-dated.md", "template-outdated"),
        ("0007-wrong.md", "template-outdated"),  # checked by its creation date instead
        ("0007-wrong.md", "template-version-unknown"),
    ]
    assert found[3][2] == 4 and "'deadbeef' names no version" in found[3][3]


def test_a_doc_older_than_the_template_follows_the_first_version(repo: Path) -> None:
    write(repo / "adr/0000-ancient.md", adr(0, "Ancient", "2010-01-01"))
    found = findings(repo, "0000-ancient.md")
    assert [rule for _, rule, _, _ in found] == ["template-outdated"]
    assert "2019-03-01" in found[0][3]


def test_the_template_moved_and_deleted_and_brought_back(repo: Path) -> None:
    git(repo, "mv", "templates/adr.md", "templates/decision.md")
    git(repo, "commit", "-qm", "move", date="2023-01-01")
    commit(repo, "2023-06-01", "drop", {"templates/decision.md": None})
    commit(repo, "2024-06-01", "back", {"templates/decision.md": V2.replace("## Decision\n", "## Decision outcome\n")})
    write(repo / "designdoc.toml", CONFIG.replace("templates/adr.md", "templates/decision.md"))
    versions = checker(repo).versions
    dates = [v.date.isoformat() for v in versions.versions]
    assert dates == ["2019-03-01", "2022-06-01", "2024-06-01"]  # followed across the move; the deletion is no version
    assert versions.changes(versions.versions[1], versions.current).renamed == (("Decision", "Decision outcome"),)


def test_an_uncommitted_edit_is_the_newest_version(repo: Path) -> None:
    write(repo / "templates/adr.md", V2 + "\n## Risks\n\nWhat could go wrong, and what we would do then.\n")
    versions = checker(repo).versions
    assert versions.current.id == "current" and versions.current.origin == "file"
    assert versions.changes(versions.versions[1], versions.current).added == ("Risks",)


def test_a_shallow_clone_has_one_version_and_says_why(repo: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True, capture_output=True
    )
    found = checker(shallow)
    assert not found.versions.several
    assert found.versions.notes == (versions_module.SHALLOW_NOTE,)
    write(shallow / "adr/0001-a.md", adr(1, "A", "2021-02-03"))
    result = found.run([Candidate(shallow / "adr/0001-a.md", True, None)])
    assert versions_module.SHALLOW_NOTE in result.notes


def test_history_off_and_no_git_mean_one_version(repo: Path, tmp_path: Path) -> None:
    write(repo / "designdoc.toml", CONFIG + "template_git_history = false\n")
    assert not checker(repo).versions.several
    plain = tmp_path / "plain"
    write(plain / "designdoc.toml", CONFIG)
    write(plain / "templates/adr.md", V2)
    found = checker(plain).versions
    assert not found.several and found.notes == ()


def test_named_versions_join_the_history(repo: Path) -> None:
    paper = V1[: V1.index("## Consequences")] + "## Outcome\n\nA line for each team affected, filled in after a year.\n"
    write(repo / "templates/adr-2018.md", paper)
    named = '[[template_versions]]\nname = "paper"\nsince = 2018-01-01\nfile = "templates/adr-2018.md"\n'
    write(repo / "designdoc.toml", CONFIG + named)
    versions = checker(repo).versions
    assert [v.id for v in versions.versions][0] == "paper"
    assert versions.named("PAPER") is versions.versions[0]
    assert versions.changes(versions.versions[0], versions.versions[1]).renamed == ()  # no words shared, no place alike
    write(repo / "designdoc.toml", CONFIG + named + '[template_renames]\n"Outcome" = "Consequences"\n')
    versions = checker(repo).versions
    assert versions.changes(versions.versions[0], versions.versions[1]).renamed == (("Outcome", "Consequences"),)


def test_the_cache_key_follows_every_version(repo: Path) -> None:
    before = checker(repo).versions.fingerprint
    commit(repo, "2023-01-01", "guidance", {"templates/adr.md": V2.replace("the team weighed", "we weighed")})
    assert checker(repo).versions.fingerprint != before


def test_template_history_lists_the_versions(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "template", "history")
    assert code == 0
    assert "2 versions" in out and "2019-03-01" in out and "2 commits" in out
    assert "adds 'Alternatives considered', renames 'Context' to 'Context and problem'" in out
    code, out, _ = run(capsys, "template", "history", "--format", "json")
    data = json.loads(out)
    assert [v["since"] for v in data["versions"]] == ["2019-03-01", "2022-06-01"]
    assert data["versions"][1]["changes"]["renamed"] == [["Context", "Context and problem"]]


@pytest.mark.parametrize(
    "table, message",
    [
        ('[[template_versions]]\nsince = 2020-01-01\nfile = "a.md"\n', "name"),
        ('[[template_versions]]\nname = "a"\nsince = "soon"\nfile = "a.md"\n', "since"),
        ('[[template_versions]]\nname = "a"\nsince = 2020-01-01\n', "either file"),
        ('[[template_versions]]\nname = "a"\nsince = 2020-01-01\nfile = "missing.md"\n', "cannot read missing.md"),
        ('[[template_versions]]\nname = "a"\nsince = 2020-01-01\nrev = "nope"\n', "rev 'nope' has no"),
        ('[template_renames]\n"a" = 1\n', "template_renames"),
    ],
)
def test_a_bad_version_table_is_one_line_naming_the_key(
    repo: Path, capsys: pytest.CaptureFixture[str], table: str, message: str
) -> None:
    write(repo / "designdoc.toml", CONFIG + table)
    write(repo / "adr/0001-a.md", adr(1, "A", "2021-02-03"))
    code, out, err = run(capsys, "check", "adr")
    assert code == 2 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_renames_are_told_by_words_or_by_place_and_guidance() -> None:
    from designdoc.parse.template import derive

    def version(text: str, date: str) -> Draft:
        import datetime as dt

        return Draft(derive(text, name="t"), dt.date.fromisoformat(date), name=date)

    body = "\n\nWhat the team must decide before the work can start, one question per item.\n"
    old = "## Summary\n\nOne paragraph.\n\n## Open questions" + body + "\n## Drawbacks [optional]\n\nWhy not.\n"
    # a rewording with no shared word, in the same place, with the same guidance; and "[optional]" dropped
    new = "## Summary\n\nOne paragraph.\n\n## Unresolved issues" + body + "\n## Drawbacks\n\nWhy not.\n"
    found = build([version(old, "2020-01-01"), version(new, "2021-01-01")])
    changes = found.changes(*found.versions)
    assert changes.renamed == (("Open questions", "Unresolved issues"),)
    assert changes.made_required == ("Drawbacks",)
    # the old heading is still the section in the new version's template
    assert found.current.template.find_section("open questions") == 1


FRONT = """\
---
title: TITLE
status: draft
owners:
  - someone@acme.io
last_updated: YYYY-MM-DD
---

# TITLE

## Summary

One paragraph: what changes, and for whom.

## Design

How it works, with a diagram where one helps.
"""


def test_new_writes_the_version_and_list_shows_who_is_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = new_repo(tmp_path / "team", monkeypatch)
    config = 'template = "template.md"\npaths = ["docs"]\nnew_dir = "docs"\n'
    first = commit(root, "2020-01-01", "template", {"designdoc.toml": config, "template.md": FRONT})
    second = commit(root, "2021-01-01", "risks", {"template.md": FRONT + "\n## Risks\n\nWhat could fail.\n"})
    code, out, err = run(capsys, "new", "Cache warmer", "--owner", "ana@acme.io")
    assert code == 0, err
    written = (root / "docs/cache-warmer.md").read_text("utf-8")
    assert f"\ntemplate_version: {second[:7]}\n" in written
    # an older doc, marked with the first version by hand
    old = written.replace(second[:7], first[:7]).replace("Cache warmer", "Old one")
    write(root / "docs/old-one.md", old)
    code, out, _ = run(capsys, "list", "--format", "json")
    rows = {r["path"]: r for r in json.loads(out)}
    assert rows["docs/cache-warmer.md"]["template_version"] == second[:7]
    assert rows["docs/cache-warmer.md"]["template_outdated"] is False
    assert rows["docs/old-one.md"]["template_outdated"] is True
    code, out, _ = run(capsys, "list", "--outdated", "--format", "json")
    assert [r["path"] for r in json.loads(out)] == ["docs/old-one.md"]
    code, out, _ = run(
        capsys, "check", "--format", "json", "--select", "template-outdated,section-missing,field-unknown"
    )
    found = [(d["path"], d["rule"]) for d in json.loads(out)["diagnostics"]]
    assert found == [("docs/old-one.md", "template-outdated")]
    code, out, err = run(capsys, "build", "--no-search", "-o", str(tmp_path / "site"))
    assert code in (0, 1), err
    dashboard = (tmp_path / "site" / "dashboard.html").read_text("utf-8")
    panel = dashboard[dashboard.index("By template version") :]
    assert f'<code>{second[:7]}</code> (current)</td><td class="dd-num">1<' in panel
    assert f'<code>{first[:7]}</code></td><td class="dd-num">1<' in panel


def test_a_marker_in_a_key_list_is_read_and_a_template_that_lived_elsewhere_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # swift-evolution's style: metadata in a `* Key: value` list, no creation date
    swift = FIXTURES / "processes" / "swift-evolution"
    root = new_repo(tmp_path / "swift", monkeypatch)
    current = (swift / "proposal-templates" / "0000-swift-template.md").read_text("utf-8")
    older = current.replace("## Motivation\n", "## Rationale\n")
    commit(root, "2016-01-01", "old template", {"templates/proposal.md": older})
    # a move git cannot follow: the old file dropped, the new one added a commit later
    commit(root, "2017-12-01", "drop", {"templates/proposal.md": None})
    commit(root, "2018-01-01", "add", {"proposal-templates/0000-swift-template.md": current})
    config = (
        'preset = "swift-evolution"\ntemplate = "proposal-templates/0000-swift-template.md"\npaths = ["proposals"]\n'
    )
    write(root / "designdoc.toml", config)
    assert not checker(root).versions.several  # git saw a new file, with one version
    named = '[[template_versions]]\nname = "first"\nsince = 2016-01-01\nrev = "HEAD~2:templates/proposal.md"\n'
    write(root / "designdoc.toml", config + named)
    versions = checker(root).versions
    assert [v.id for v in versions.versions][0] == "first"
    assert versions.changes(versions.versions[0], versions.current).renamed == (("Rationale", "Motivation"),)
    doc = (swift / "proposals" / "0413-count-where.md").read_text("utf-8")
    marked = doc.replace("* Status:", "* Template version: first\n* Status:", 1)
    assert marked != doc
    write(root / "proposals/0413-count-where.md", marked.replace("## Motivation\n", "## Rationale\n"))
    found = checker(root).run([Candidate(root / "proposals/0413-count-where.md", True, None)])
    rules = [(d.rule, d.message) for d in found.diagnostics if d.rule.startswith(("template", "section-missing"))]
    assert [rule for rule, _ in rules] == ["template-outdated"], rules
    assert "by its marker" in rules[0][1]


def test_arrivals_are_read_once_per_head(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from designdoc.check import git as gitdates

    calls = []
    real = gitdates.arrivals
    monkeypatch.setattr(gitdates, "arrivals", lambda *args: calls.append(1) or real(*args))
    write(repo / "designdoc.toml", CONFIG.replace('preset = "nygard-adr"\n', 'preset = "madr"\n'))
    write(repo / "adr/0001-a.md", "# Use a queue\n\n## Context and Problem Statement\n\nWebhooks are slow.\n")
    commit(repo, "2021-01-01", "doc", {"adr/0001-a.md": (repo / "adr/0001-a.md").read_text("utf-8")})

    def once() -> None:
        config = config_module.load(repo)
        Checker(config, load_template(config), today_=TODAY).run([Candidate(repo / "adr/0001-a.md", True, None)])

    once()
    once()
    assert len(calls) == 1  # the second run read them from the cache: HEAD did not move
    commit(repo, "2021-02-01", "another", {"adr/0002-b.md": "# B\n"})
    once()
    assert len(calls) == 2


def test_derived_versions_are_kept_per_head_and_a_cold_run_derives_them_again(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from designdoc.config import versions as loader

    calls = []
    real = loader._from_history
    monkeypatch.setattr(loader, "_from_history", lambda *args: calls.append(1) or real(*args))
    assert checker(repo).versions.several and checker(repo).versions.several
    assert len(calls) == 1  # the second from the cache folder
    kept = list((repo / ".designdoc-cache").glob("versions-*.pickle"))
    assert len(kept) == 1
    write(repo / "adr/0001-a.md", adr(1, "A", "2021-02-03"))
    cold = checker(repo)
    cold.run([Candidate(repo / "adr/0001-a.md", True, None)], cache=False)
    assert len(calls) == 2  # --no-cache: derived again
    kept[0].write_bytes(b"\x80\x05not a pickle")  # a corrupt file is derived again, never fatal
    assert checker(repo).versions.several and len(calls) == 3
    commit(repo, "2023-01-01", "guidance", {"templates/adr.md": V2.replace("the team weighed", "we weighed")})
    assert checker(repo).versions.several and len(calls) == 4  # HEAD moved


def test_a_heading_level_change_between_versions_is_no_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Rust RFCs' style: the template's headings moved from H1 to H2 in a later version
    rfc = FIXTURES / "processes" / "rust-rfc"
    old = (rfc / "0000-template.md").read_text("utf-8")
    old += "\n# Drawbacks\n[drawbacks]: #drawbacks\n\nWhy should we *not* do this?\n"
    new = old.replace("\n# ", "\n## ")
    root = new_repo(tmp_path / "rfcs", monkeypatch)
    config = 'preset = "rust-rfc"\ntemplate = "0000-template.md"\npaths = ["text"]\n'
    commit(root, "2018-01-01", "template", {"designdoc.toml": config, "0000-template.md": old})
    commit(root, "2025-01-01", "levels", {"0000-template.md": new})
    versions = checker(root).versions
    changes = versions.changes(*versions.versions)
    assert changes.levels == (("Summary", 1, 2), ("Motivation", 1, 2), ("Drawbacks", 1, 2))
    assert changes.added == () and changes.removed == () and changes.renamed == ()
    doc = (rfc / "text" / "3101-let-chains.md").read_text("utf-8") + "\n# Drawbacks\n\nChains read less easily.\n"
    write(root / "text/3101-let-chains.md", doc)  # of 2021, with H1 sections as its template had
    write(root / "text/3300-newer.md", doc.replace("2021-02-14", "2025-06-01").replace("\n# ", "\n## "))
    result = checker(root).run(
        [Candidate(root / "text" / n, True, None) for n in ("3101-let-chains.md", "3300-newer.md")]
    )
    structure = [
        (Path(d.path).name, d.rule)
        for d in result.diagnostics
        if d.rule.startswith(("section-", "template-", "title-"))
    ]
    assert structure == [("3101-let-chains.md", "template-outdated")]


def test_a_removed_section_is_named_and_not_asked_of_newer_docs(repo: Path) -> None:
    commit(repo, "2024-01-01", "drop consequences", {"templates/adr.md": V2[: V2.index("## Consequences")]})
    versions = checker(repo).versions
    assert versions.changes(versions.versions[1], versions.current).removed == ("Consequences",)
    write(repo / "adr/0009-late.md", adr(9, "Late", "2024-05-05", context="Context and problem"))
    found = findings(repo, "0009-late.md")
    assert [rule for _, rule, _, _ in found] == ["section-missing"]  # 'Alternatives considered', not Consequences
    assert "Alternatives considered" in found[0][3]
