"""`status` for a team's process: the status is rewritten where the process keeps it, and nowhere else.

One writer per place: a sidecar line (KEP), a front-matter line (MADR), a list item
(Swift Evolution), the status section's first line (Nygard ADR).  Each test checks the
bytes: only the status's span (and a dated `updated` field) change, line endings, BOMs and
comments stay, a second run changes nothing, and a refused move writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from designdoc.cli.main import main

KEP_README = """\
# KEP-4012: Node-local image pull limits

## Summary

Let a node cap how many image pulls run at once.
"""

KEP_YAML = """\
title: Node-local image pull limits  # the name in the tracking issue
kep-number: 4012
authors:
  - "@ruiz"
status: provisional   # moved by the SIG chairs
creation-date: 2025-10-09
last-updated: 2025-11-01
reviewers:
  - "@dchen"
approvers:
  - TBD
"""

SWIFT = """\
# Typed throws in closures\r
\r
* Proposal: [SE-0412](0412-typed-throws.md)\r
* Authors: [Mira Okafor](https://github.com/mokafor)\r
* Review Manager: [Holly Borla](https://github.com/hborla)\r
* Status: **Active review (January 8...22, 2026)**\r
\r
## Introduction\r
\r
Closures gain the typed `throws(E)` clause.\r
"""

MADR = """\
---
status: "proposed"   # MADR: proposed | accepted | …
date: 2025-09-30
decision-makers: Ana Silva, Bo Chen
---
# Use Postgres for the audit log

## Context and Problem Statement

Audit events need a durable store.
"""

NYGARD = """\
# 7. Keep audit events in their own table

Date: 2025-02-03

## Status

Proposed

## Context

Audit queries scan order rows.
"""


def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, preset: str, files: dict[str, str | bytes]) -> Path:
    (tmp_path / "designdoc.toml").write_text(f'preset = "{preset}"\n', "utf-8")
    for name, data in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def moved(path: str, status: str) -> int:
    return main(["status", path, status])


def test_a_kep_moves_in_its_sidecar_comments_and_all_else_kept(tmp_path, monkeypatch, capsys):
    root = project(tmp_path, monkeypatch, "kep", {"keps/4012/README.md": KEP_README, "keps/4012/kep.yaml": KEP_YAML})
    sidecar = root / "keps/4012/kep.yaml"
    assert moved("keps/4012/README.md", "deferred") == 0
    expected = KEP_YAML.replace("status: provisional ", "status: deferred ").replace(
        "last-updated: 2025-11-01", "last-updated: 2025-06-01"
    )
    assert sidecar.read_text("utf-8") == expected
    assert (root / "keps/4012/README.md").read_text("utf-8") == KEP_README
    assert "keps/4012/README.md: status deferred (also updated: keps/4012/kep.yaml)" in capsys.readouterr().out
    assert moved("keps/4012/README.md", "deferred") == 0  # a second run changes nothing
    assert sidecar.read_text("utf-8") == expected


def test_a_kep_gate_asks_for_approvers_and_a_refusal_writes_nothing(tmp_path, monkeypatch, capsys):
    root = project(tmp_path, monkeypatch, "kep", {"keps/4012/README.md": KEP_README, "keps/4012/kep.yaml": KEP_YAML})
    assert moved("keps/4012/README.md", "implementable") == 1
    assert "no approvers named" in capsys.readouterr().err
    assert (root / "keps/4012/kep.yaml").read_text("utf-8") == KEP_YAML
    assert moved("keps/4012/README.md", "implemented") == 1  # not a move from provisional
    assert "allowed: implementable, deferred" in capsys.readouterr().err
    assert (root / "keps/4012/kep.yaml").read_text("utf-8") == KEP_YAML


def test_a_missing_sidecar_is_one_clear_refusal(tmp_path, monkeypatch, capsys):
    project(tmp_path, monkeypatch, "kep", {"keps/4012/README.md": KEP_README})
    assert moved("keps/4012/README.md", "deferred") == 1
    err = capsys.readouterr().err
    assert "kep.yaml is missing" in err and "Traceback" not in err


def test_a_swift_proposal_moves_in_its_list_keeping_bold_and_crlf(tmp_path, monkeypatch):
    root = project(tmp_path, monkeypatch, "swift-evolution", {"proposals/0412-typed-throws.md": SWIFT})
    doc = root / "proposals/0412-typed-throws.md"
    assert moved("proposals/0412-typed-throws.md", "accepted") == 0
    expected = SWIFT.replace("**Active review (January 8...22, 2026)**", "**Accepted**")
    assert doc.read_bytes() == expected.encode("utf-8")
    assert moved("proposals/0412-typed-throws.md", "accepted") == 0
    assert doc.read_bytes() == expected.encode("utf-8")


def test_a_madr_record_moves_in_its_front_matter(tmp_path, monkeypatch):
    root = project(tmp_path, monkeypatch, "madr", {"docs/decisions/0003-postgres.md": b"\xef\xbb\xbf" + MADR.encode()})
    doc = root / "docs/decisions/0003-postgres.md"
    assert moved("docs/decisions/0003-postgres.md", "accepted") == 0
    expected = MADR.replace('status: "proposed"', 'status: "accepted"').replace("date: 2025-09-30", "date: 2025-06-01")
    assert doc.read_bytes() == b"\xef\xbb\xbf" + expected.encode("utf-8")  # the BOM kept


def test_a_nygard_record_moves_in_its_status_section(tmp_path, monkeypatch):
    root = project(tmp_path, monkeypatch, "nygard-adr", {"doc/adr/0007-audit-table.md": NYGARD})
    doc = root / "doc/adr/0007-audit-table.md"
    assert moved("doc/adr/0007-audit-table.md", "accepted") == 0
    assert doc.read_text("utf-8") == NYGARD.replace("\nProposed\n", "\nAccepted\n")  # Date: is `created`, kept


def test_an_unknown_status_names_the_lifecycle_and_the_nearest(tmp_path, monkeypatch, capsys):
    project(tmp_path, monkeypatch, "nygard-adr", {"doc/adr/0007-audit-table.md": NYGARD})
    assert moved("doc/adr/0007-audit-table.md", "acepted") == 2
    err = capsys.readouterr().err
    assert "expected one of: proposed, accepted, deprecated, superseded" in err and "did you mean 'accepted'?" in err


KEP_NEW_YAML = KEP_YAML.replace("status: provisional", "status: implementable").replace(
    "approvers:\n  - TBD", 'approvers:\n  - "@mrunal"\nreplaces:\n  - keps/4012'
)


def test_a_replaced_kep_names_its_successor_in_both_sidecars(tmp_path, monkeypatch, capsys):
    old_yaml = KEP_YAML.replace("status: provisional ", "status: implementable ").replace("  - TBD\n", '  - "@m"\n')
    old_yaml += "superseded-by: []\n"
    files = {
        "keps/4012/README.md": KEP_README,
        "keps/4012/kep.yaml": old_yaml,
        "keps/5100/README.md": KEP_README.replace("4012", "5100"),
        "keps/5100/kep.yaml": KEP_YAML.replace("status: provisional ", "status: implementable ").replace(
            "  - TBD\n", '  - "@m"\n'
        ),
    }
    root = project(tmp_path, monkeypatch, "kep", files)
    assert main(["status", "keps/4012/README.md", "replaced", "--by", "keps/5100/README.md"]) == 0, capsys.readouterr()
    old = (root / "keps/4012/kep.yaml").read_text("utf-8")
    assert "\nstatus: replaced   # moved by the SIG chairs\n" in old
    assert old.endswith('  - "@m"\nsuperseded-by: [../5100/README.md]\n')  # the list in its own (flow) style
    successor = (root / "keps/5100/kep.yaml").read_text("utf-8")
    assert successor.endswith('  - "@m"\nreplaces:\n  - ../4012/README.md\n')  # a new key, as a block list


def test_a_superseded_adr_names_its_successor_in_its_status_line(tmp_path, monkeypatch):
    newer = NYGARD.replace("7. Keep audit events in their own table", "9. Keep audit events in an event store")
    newer = newer.replace("\nProposed\n", "\nAccepted\n")
    older = NYGARD.replace("\nProposed\n", "\nAccepted\n")
    root = project(
        tmp_path,
        monkeypatch,
        "nygard-adr",
        {"doc/adr/0007-audit-table.md": older, "doc/adr/0009-event-store.md": newer},
    )
    assert main(["status", "doc/adr/0007-audit-table.md", "superseded", "--by", "doc/adr/0009-event-store.md"]) == 0
    text = (root / "doc/adr/0007-audit-table.md").read_text("utf-8")
    assert "\nSuperseded by [9. Keep audit events in an event store](0009-event-store.md)\n" in text
    assert main(["graph"]) == 0


def test_a_team_doc_bumps_its_version_where_it_is_written(tmp_path, monkeypatch, capsys):
    yaml = KEP_YAML.replace("kep-number: 4012\n", 'kep-number: 4012\nversion: "1.2.0"  # the API\'s\n')
    root = project(tmp_path, monkeypatch, "kep", {"keps/4012/README.md": KEP_README, "keps/4012/kep.yaml": yaml})
    assert main(["bump", "keps/4012/README.md", "minor"]) == 0
    written = (root / "keps/4012/kep.yaml").read_text("utf-8")
    assert written == yaml.replace('"1.2.0"', '"1.3.0"').replace("last-updated: 2025-11-01", "last-updated: 2025-06-01")
    assert main(["bump", "keps/4012/README.md", "minor"]) == 0  # a second bump: 1.4.0, nothing else moves
    assert '"1.4.0"' in (root / "keps/4012/kep.yaml").read_text("utf-8")
