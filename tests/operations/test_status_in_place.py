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
    expected = MADR.replace('status: "proposed"', "status: accepted").replace("date: 2025-09-30", "date: 2025-06-01")
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
