"""`designdoc migrate`: a doc brought to another version of its template, and nothing of its author's lost.

The fixtures (tests/fixtures/migrate/) are three processes whose template changed:
Nygard ADRs (2019 → 2022: 'Context' renamed, 'Options weighed' and 'Review date' added;
metadata in `Date:` lines), RFCs with front matter (v1 → v2: 'Drawbacks' renamed, an
optional 'Non-goals' added) and KEPs (metadata in a `kep.yaml` sidecar; 2025 adds
'Production Readiness Review').  Every test copies one process into its own folder with a
designdoc.toml naming the versions; one builds a git history instead.
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from designdoc.check.runner import Checker
from designdoc.config import load as config_module
from designdoc.config.load import load_template
from designdoc.operations.migrate import plan, target_version, texts_after
from helpers import FIXTURES, check, git, run, write
from strategies import examples

MIGRATE = FIXTURES / "migrate"


def versions_config(head: str, template: str, versions: list[tuple[str, str, str]]) -> str:
    """Return a designdoc.toml naming `template` and its versions (name, since, file), git history off."""
    text = f'{head}template = "{template}"\ntemplate_git_history = false\n'
    for name, since, file in versions:
        text += f'\n[[template_versions]]\nname = "{name}"\nsince = {since}\nfile = "{file}"\n'
    return text


ADR_VERSIONS = versions_config(
    'preset = "nygard-adr"\n',
    "_template-2022.md",
    [("2019", "2019-01-01", "_template-2019.md"), ("2022", "2022-06-01", "_template-2022.md")],
)
RFC_VERSIONS = versions_config(
    "", "_template-v2.md", [("v1", "2020-01-01", "_template-v1.md"), ("v2", "2024-01-01", "_template-v2.md")]
)
KEP_VERSIONS = versions_config(
    'preset = "kep"\n',
    "_template/README-2025.md",
    [("2023", "2023-01-01", "_template/README-2023.md"), ("2025", "2025-01-01", "_template/README-2025.md")],
)

# 0003, migrated from 2019 to 2022: every line the author wrote, the heading renamed,
# two sections added with the 2022 template's guidance, the marker after `Date:`
ADR_0003_MIGRATED = """\
# 3. Deliver webhooks through a queue

Date: 2021-04-12
Template version: 2022

## Status

Accepted

## Context and problem

Webhook deliveries run inside the request that triggers them, so a slow customer endpoint slows our API.
Retries are ad hoc and a deploy drops whatever is in flight.

## Decision

We will put every webhook delivery on a durable queue and deliver it from a worker pool with
exponential backoff, giving up after 24 hours.

## Options weighed

> Each option the team looked at, and the one reason that ruled it out.
> Keep it short: a reader wants to know the road not taken, not relive the meeting.

## Consequences

API latency no longer depends on customer endpoints. We now run and monitor a queue, and a
delivery can arrive minutes after the event when the backlog is long.

## Review date

When this decision should be looked at again, and what would make us look sooner.
"""


def project(root: Path, monkeypatch: pytest.MonkeyPatch, kind: str, config: str) -> Path:
    """Copy a fixture process into `root`, with its designdoc.toml, and work there."""
    shutil.copytree(MIGRATE / kind, root, dirs_exist_ok=True)
    (root / "designdoc.toml").write_text(config, "utf-8")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def adr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return project(tmp_path / "adr", monkeypatch, "adr", ADR_VERSIONS)


def kept_in_order(before: str, after: str, changed: set[str] = frozenset()) -> bool:
    """Return True when every line of `before` (but the `changed` ones) is in `after`, in order."""
    remaining = iter(after.splitlines())
    return all(any(line == other for other in remaining) for line in before.splitlines() if line not in changed)


def rules_found(path: str) -> list[str]:
    return [d.rule for d in check(path).diagnostics]


# --------------------------------------------------------------------------- the ADR process


def test_an_old_adr_is_renamed_completed_and_marked(adr: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = adr / "0003-queue-for-webhooks.md"
    before = doc.read_text("utf-8")
    assert "section-missing" not in rules_found(doc.name)  # checked against 2019, it is complete
    code, out, _ = run(capsys, "migrate", doc.name)
    assert code == 0
    assert out == "0003-queue-for-webhooks.md: migrated from 2019 to 2022: renamed 1, added 2, marker written\n"
    after = doc.read_text("utf-8")
    assert after == ADR_0003_MIGRATED
    assert kept_in_order(before, after, changed={"## Context"})
    found = rules_found(doc.name)  # the real checker: now against 2022, by the marker
    assert "section-missing" not in found and "template-outdated" not in found
    assert found.count("section-placeholder") == 2  # the new sections hold guidance, to fill


def test_a_second_run_changes_nothing(adr: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "migrate", ".")[0] == 1  # 0009 is out of order: a conflict
    snapshot = {p: p.read_bytes() for p in adr.glob("*.md")}
    code, out, _ = run(capsys, "migrate", ".")
    assert {p: p.read_bytes() for p in adr.glob("*.md")} == snapshot
    assert code == 1
    assert "0003-queue-for-webhooks.md: up to date (2022)" in out
    assert "0005-marked-old.md: up to date (2022)" in out
    assert "0008-numbered.md: up to date (2022)" in out
    assert "_template" not in out  # the template's versions are no docs


def test_a_marker_is_replaced_in_its_span(adr: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = adr / "0005-marked-old.md"
    before = doc.read_text("utf-8")
    code, out, _ = run(capsys, "migrate", doc.name)
    assert code == 0 and "renamed 1, added 2, marker replaced" in out
    after = doc.read_text("utf-8")
    assert after.count("Template version") == 1
    assert "Date: 2023-01-09\nTemplate version: 2022\n" in after
    assert kept_in_order(before, after, changed={"## Context", "Template version: 2019"})


def test_numbering_and_anchors_of_a_renamed_heading_stay(adr: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = adr / "0008-numbered.md"
    assert run(capsys, "migrate", doc.name)[0] == 0
    after = doc.read_text("utf-8")
    assert '## 2. Context and problem <a name="context"></a>\n' in after
    assert "## 3. Decision\n\nWe will stop the job" in after
    assert "section-missing" not in rules_found(doc.name)


def test_sections_out_of_order_are_a_conflict_and_the_doc_is_untouched(
    adr: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = adr / "0009-out-of-order.md"
    before = doc.read_bytes()
    code, out, err = run(capsys, "migrate", doc.name)
    assert code == 1
    assert doc.read_bytes() == before
    assert "0009-out-of-order.md: not migrated from 2019 to 2022: 1 conflict" in out
    assert "0009-out-of-order.md:13: conflict: sections out of template order: 'Context'" in out


@pytest.mark.parametrize(
    ("change", "line", "why"),
    [
        (("## Decision", "## Context\n\nMore context.\n\n## Decision"), 14, "'Context' appears twice (lines 9, 14)"),
        (("## Decision", "## Context and problem\n\nAgain.\n\n## Decision"), 9, "is already a heading at line 14"),
        (("exponential backoff", "### Context and problem\n\nexponential backoff"), 9, "is already a heading at line"),
        (("exponential backoff", "### Options weighed\n\nexponential backoff"), 17, "cannot add 'Options weighed'"),
    ],
)
def test_a_change_that_cannot_be_placed_leaves_the_doc_byte_for_byte(
    adr: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str], line: int, why: str
) -> None:
    doc = adr / "0003-queue-for-webhooks.md"
    doc.write_text(doc.read_text("utf-8").replace(*change, 1), "utf-8")
    before = doc.read_bytes()
    code, out, _ = run(capsys, "migrate", doc.name)
    assert code == 1
    assert doc.read_bytes() == before
    conflict = next(x for x in out.splitlines() if ": conflict: " in x)
    assert conflict.startswith(f"0003-queue-for-webhooks.md:{line}: conflict: ") and why in conflict, conflict


def test_no_section_in_common_is_a_conflict(adr: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = adr / "notes.md"
    doc.write_text("# 12. Loose notes\n\nDate: 2021-02-02\n\n## Background\n\nSome prose.\n", "utf-8")
    code, out, _ = run(capsys, "migrate", doc.name)
    assert code == 1 and "no section of 2022 to place the new sections by" in out
    assert doc.read_text("utf-8").endswith("Some prose.\n")


def test_diff_prints_the_patch_and_writes_nothing(adr: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = adr / "0003-queue-for-webhooks.md"
    before, mtime = doc.read_bytes(), doc.stat().st_mtime_ns
    code, out, err = run(capsys, "migrate", "--diff", doc.name)
    assert code == 0
    assert doc.read_bytes() == before and doc.stat().st_mtime_ns == mtime
    assert out.startswith("--- a/0003-queue-for-webhooks.md\n+++ b/0003-queue-for-webhooks.md\n")
    assert "-## Context\n+## Context and problem\n" in out and "+Template version: 2022\n" in out
    assert "migrated from 2019 to 2022" in err  # the summary is not part of the patch
    patched = subprocess.run(["patch", "-s", "-o", "-", str(doc)], input=out, capture_output=True, text=True)
    if patched.returncode == 0:  # where `patch` is installed: the diff is the migration
        assert patched.stdout == ADR_0003_MIGRATED


@pytest.mark.parametrize("bom", [False, True])
def test_crlf_and_bom_are_kept(adr: Path, capsys: pytest.CaptureFixture[str], bom: bool) -> None:
    doc = adr / "0003-queue-for-webhooks.md"
    prefix = b"\xef\xbb\xbf" if bom else b""
    doc.write_bytes(prefix + doc.read_bytes().replace(b"\n", b"\r\n"))
    assert run(capsys, "migrate", doc.name)[0] == 0
    data = doc.read_bytes()
    assert data == prefix + ADR_0003_MIGRATED.replace("\n", "\r\n").encode()
    assert run(capsys, "migrate", doc.name)[1].endswith("up to date (2022)\n")


def test_a_doc_without_a_final_line_break_keeps_it_that_way(adr: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = adr / "0003-queue-for-webhooks.md"
    doc.write_text(doc.read_text("utf-8").rstrip("\n"), "utf-8")
    assert run(capsys, "migrate", doc.name)[0] == 0
    assert doc.read_text("utf-8") == ADR_0003_MIGRATED.rstrip("\n")


def test_to_an_older_version_renames_back_and_keeps_the_newer_sections(
    adr: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = adr / "0003-queue-for-webhooks.md"
    assert run(capsys, "migrate", doc.name)[0] == 0
    migrated = doc.read_text("utf-8")
    code, out, _ = run(capsys, "migrate", "--to", "2019", doc.name)
    assert code == 0
    assert "migrated from 2022 to 2019: renamed 1, added 0, marker replaced" in out
    assert "kept 'Options weighed', 'Review date' (not in 2019)" in out
    after = doc.read_text("utf-8")
    assert "## Context\n" in after and "Template version: 2019\n" in after
    assert kept_in_order(migrated, after, changed={"## Context and problem", "Template version: 2022"})
    assert run(capsys, "migrate", "--to", "2019-03-01", doc.name)[1].endswith("up to date (2019)\n")  # a date


def test_to_a_version_that_does_not_exist_is_one_line_and_exit_2(adr: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "migrate", "--to", "2031", "0003-queue-for-webhooks.md")
    assert code == 2 and out == ""
    assert err == "designdoc: --to '2031' names no version of the template (known: 2019, 2022)\n"


def test_a_missing_path_is_a_usage_error(adr: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "migrate", "nowhere.md")
    assert code == 2 and err.count("\n") == 1 and "nowhere.md: no such file" in err


def test_one_template_version_means_nothing_to_migrate(tmp_path: Path, monkeypatch, capsys) -> None:
    root = project(tmp_path, monkeypatch, "adr", 'preset = "nygard-adr"\ntemplate = "_template-2022.md"\n')
    before = (root / "0003-queue-for-webhooks.md").read_bytes()
    code, out, err = run(capsys, "migrate")
    assert code == 0 and out == ""
    assert err.startswith("designdoc: nothing to migrate: the template has one version") and err.count("\n") == 1
    assert (root / "0003-queue-for-webhooks.md").read_bytes() == before


def test_a_write_refused_writes_no_doc_at_all(adr: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (adr / "0009-out-of-order.md").unlink()
    snapshot = {p: p.read_bytes() for p in adr.glob("*.md")}
    (adr / "0008-numbered.md").chmod(0o444)  # read-only: the writer refuses it, so nothing is written
    try:
        code, _, err = run(capsys, "migrate", ".")
    finally:
        (adr / "0008-numbered.md").chmod(0o644)
    assert code == 1 and "0008-numbered.md" in err
    assert {p: p.read_bytes() for p in adr.glob("*.md")} == snapshot


# --------------------------------------------------------------------------- front matter and sidecars


def test_front_matter_marker_is_replaced_keeping_its_comment(tmp_path: Path, monkeypatch, capsys) -> None:
    root = project(tmp_path, monkeypatch, "rfc", RFC_VERSIONS)
    doc = root / "0042-upload-quotas.md"
    before = doc.read_text("utf-8")
    code, out, _ = run(capsys, "migrate", doc.name)
    assert code == 0 and "migrated from v1 to v2: renamed 1, added 1, marker replaced" in out
    after = doc.read_text("utf-8")
    assert "template_version: v2   # the template this RFC was started from\n" in after
    assert "## Risks and drawbacks\n\nA tenant that hits the cap" in after
    assert "## Motivation\n\nOne tenant's backfill filled the ingest disk twice in March and stalled uploads " in after
    non_goals = "## Non-goals\n\n> What this proposal deliberately leaves out, so reviewers do not ask for it.\n\n"
    assert non_goals + "## Design\n" in after
    assert kept_in_order(
        before, after, changed={"## Drawbacks", "template_version: v1   # the template this RFC was started from"}
    )
    assert "section-missing" not in rules_found(doc.name)


def test_a_kep_gets_its_marker_in_its_sidecar(tmp_path: Path, monkeypatch, capsys) -> None:
    root = project(tmp_path, monkeypatch, "kep", KEP_VERSIONS)
    readme, sidecar = root / "4188-node-drain/README.md", root / "4188-node-drain/kep.yaml"
    before, yaml_before = readme.read_text("utf-8"), sidecar.read_text("utf-8")
    code, out, _ = run(capsys, "migrate", "4188-node-drain/README.md")
    assert code == 0 and "migrated from 2023 to 2025: renamed 0, added 1, marker written" in out
    assert sidecar.read_text("utf-8") == yaml_before + 'template_version: "2025"\n'
    after = readme.read_text("utf-8")
    assert after.startswith(before)
    assert after.endswith(
        "\n## Production Readiness Review\n\n> How an operator knows it works, how it fails, and how to roll it back.\n"
    )
    assert "section-missing" not in rules_found("4188-node-drain/README.md")
    assert run(capsys, "migrate", "4188-node-drain/README.md")[1].endswith("up to date (2025)\n")


def test_a_doc_with_no_place_for_a_marker_is_migrated_without_one(adr: Path, capsys) -> None:
    doc = adr / "0003-queue-for-webhooks.md"
    doc.write_text(doc.read_text("utf-8").replace("Date: 2021-04-12\n\n", ""), "utf-8")
    code, out, _ = run(capsys, "migrate", "--to", "2022", doc.name)  # no date: by today, it follows 2022
    assert code == 0 and out.endswith("up to date (2022)\n")
    code, out, _ = run(capsys, "migrate", "--to", "2019", doc.name)
    assert code == 0
    assert "renamed 0, added 0, marker not written: the doc has no 'Key: value' line to hold template_version" in out


# --------------------------------------------------------------------------- git history


def test_versions_from_git_history_and_a_marker_added_to_front_matter(tmp_path: Path, monkeypatch, capsys) -> None:
    repo = tmp_path / "repo"
    (repo / "rfcs").mkdir(parents=True)
    git(repo, "init", "-q")
    template = repo / "rfcs/_template.md"
    template.write_bytes((MIGRATE / "rfc/_template-v1.md").read_bytes())
    (repo / "designdoc.toml").write_text('template = "rfcs/_template.md"\npaths = ["rfcs"]\n', "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "RFC template", date="2020-01-10")
    doc = repo / "rfcs/0042-upload-quotas.md"
    text = (MIGRATE / "rfc/0042-upload-quotas.md").read_text("utf-8")
    doc.write_text(text.replace("template_version: v1   # the template this RFC was started from\n", ""), "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "RFC 42", date="2021-03-03")
    template.write_bytes((MIGRATE / "rfc/_template-v2.md").read_bytes())
    git(repo, "commit", "-qam", "RFC template: non-goals, risks", date="2024-02-02")
    old, new = (
        git(repo, "log", "--format=%h", "-n1", "--skip=2", "--abbrev=7"),
        git(repo, "rev-parse", "--short=7", "HEAD"),
    )
    monkeypatch.chdir(repo)
    before = doc.read_text("utf-8")
    code, out, _ = run(capsys, "migrate")
    assert code == 0
    assert out == f"rfcs/0042-upload-quotas.md: migrated from {old} to {new}: renamed 1, added 1, marker written\n"
    after = doc.read_text("utf-8")
    front = after.split("---\n")[1]
    assert front.splitlines()[-1].startswith("template_version: ") and new in front.splitlines()[-1]
    assert kept_in_order(before, after, changed={"## Drawbacks"})
    found = rules_found("rfcs")
    assert "section-missing" not in found and "template-outdated" not in found
    assert run(capsys, "migrate")[1] == f"rfcs/0042-upload-quotas.md: up to date ({new})\n"


# --------------------------------------------------------------------------- a property


def _adr_checker() -> Checker:
    """Return a checker of the ADR fixtures' versions (the config as if it were beside them)."""
    config = config_module.from_table(tomllib.loads(ADR_VERSIONS), source=MIGRATE / "adr" / "designdoc.toml")
    return Checker(config, load_template(config))


_CHECKER: list[Checker] = []
_OLD = ["Status", "Context", "Decision", "Consequences"]
_WORDS = st.text(alphabet="abcdefghij klmnop,.", min_size=1, max_size=30).map(str.strip).filter(bool)


@examples(60)
@given(
    keep=st.lists(st.booleans(), min_size=4, max_size=4),
    extras=st.lists(st.tuples(st.integers(0, 4), _WORDS, _WORDS), max_size=3),
    bodies=st.lists(_WORDS, min_size=4, max_size=4),
    newline=st.sampled_from(["\n", "\r\n"]),
    dated=st.booleans(),
)
def test_migrating_keeps_every_line_for_any_section_order(keep, extras, bodies, newline, dated) -> None:
    if not _CHECKER:
        _CHECKER.append(_adr_checker())
    checker = _CHECKER[0]
    parts = ["# 1. A decision", ""] + (["Date: 2020-05-05", ""] if dated else [])
    for position in range(5):
        for at, heading, body in extras:
            if at == position:
                parts += [f"## Notes {heading}", "", body, ""]
        if position < 4 and keep[position]:
            parts += [f"## {_OLD[position]}", "", bodies[position], ""]
    text = newline.join(parts)
    doc = checker.parse(text, "adr.md")
    target = target_version(checker.versions, "2022")
    migration = plan(doc, target)
    assert migration is not None
    if not dated:  # by today: it follows 2022 already
        assert migration.source is target and not migration.edits
        return
    if not any(keep):
        assert migration.conflicts and not migration.edits
        return
    assert not migration.conflicts
    after, _ = texts_after(doc, migration)
    assert kept_in_order(text, after, changed={"## Context"})
    assert after.count("\r\n") == after.count("\n") if newline == "\r\n" else "\r" not in after
    migrated = checker.parse(after, "adr.md")
    assert migrated.choice is not None and migrated.choice.version is target
    assert all(migrated.section(i) is not None for i in range(len(target.template.sections)))
    again = plan(migrated, target)
    assert again is not None and not again.edits  # a second run changes nothing


def test_a_heading_the_author_filled_in_is_never_replaced_by_a_placeholder(tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "_v1.md").write_text(
        "# TITLE\n\n## Summary\n\nWhat and why.\n\n## {Component} design\n\nHow.\n", "utf-8"
    )
    (tmp_path / "_v2.md").write_text(
        "# TITLE\n\n## Summary\n\nWhat and why.\n\n## Design of {Component}\n\nHow.\n", "utf-8"
    )
    config = 'template = "_v2.md"\ntemplate_git_history = false\n'
    config += 'template_renames = { "{Component} design" = "Design of {Component}" }\n'
    versions = '[[template_versions]]\nname = "{0}"\nsince = {1}\nfile = "_{0}.md"\n'
    (tmp_path / "designdoc.toml").write_text(
        config + versions.format("v1", "2020-01-01") + versions.format("v2", "2024-01-01"), "utf-8"
    )
    doc = tmp_path / "cache.md"
    text = "---\ntemplate_version: v1\n---\n# Cache\n\n## Summary\n\nA cache.\n\n## Cache design\n\nLRU.\n"
    doc.write_text(text, "utf-8")
    monkeypatch.chdir(tmp_path)
    before = doc.read_bytes()
    code, out, _ = run(capsys, "migrate", "cache.md")
    assert code == 1 and doc.read_bytes() == before
    assert "cache.md:10: conflict: cannot rename 'Cache design' to 'Design of {Component}'" in out


def test_moving_forward_never_renames_a_heading_back_to_an_older_name(
    adr: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # three versions: 2019, then 2020 adds 'Risks', then 2022 renames 'Context'; this doc, of
    # 2019 by its date, already took 2022's heading: bringing it to 2020 keeps that heading
    older = (adr / "_template-2019.md").read_text("utf-8")
    write(adr / "_template-2020.md", older + "\n## Risks\n\nWhat could go wrong, and what we would do then.\n")
    versions = [("2019", "2019-01-01", "_template-2019.md"), ("2020", "2020-06-01", "_template-2020.md")]
    versions.append(("2022", "2022-06-01", "_template-2022.md"))
    write(adr / "designdoc.toml", versions_config('preset = "nygard-adr"\n', "_template-2022.md", versions))
    doc = adr / "0003-queue-for-webhooks.md"
    text = doc.read_text("utf-8").replace("Date: 2021-04-12", "Date: 2019-09-01")
    text = text.replace("## Context\n", "## Context and problem\n")
    write(doc, text)
    code, out, _ = run(capsys, "migrate", "--to", "2020", doc.name)
    assert code == 0, out
    assert "migrated from 2019 to 2020: renamed 0, added 1" in out
    after = doc.read_text("utf-8")
    assert "## Context and problem\n" in after and "## Risks\n" in after
    assert kept_in_order(text, after)


def test_a_folder_goes_forward_only_and_a_named_doc_goes_back(adr: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = adr / "0003-queue-for-webhooks.md"
    assert run(capsys, "migrate", doc.name)[0] == 0
    migrated = doc.read_bytes()
    code, out, _ = run(capsys, "migrate", "--to", "2019", ".")
    assert code == 0
    assert "0003-queue-for-webhooks.md: follows 2022, newer than 2019: left as it is (name it to go back)" in out
    assert doc.read_bytes() == migrated
    code, out, _ = run(capsys, "migrate", "--to", "2019", doc.name)
    assert code == 0 and "migrated from 2022 to 2019" in out
