"""Bad Markdown bodies, end to end: pathological lines, the time budget, unclosed fences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bad_inputs import CLEAN, WITH_TODO, check, run_subprocess
from helpers import write


@pytest.mark.parametrize(
    "line",
    [
        "[" * (256 * 1024),
        ">" * 50_000 + " deep",
        "*a" * (2 * 1024 * 1024),
        "[a](" * 50_000,
        "`" * 100_000,
        "<a " * 50_000,
        "\\[" * 50_000 + "](x)",
    ],
)
def test_pathological_lines_finish_or_are_skipped_for_the_time_budget(work: Path, line: str) -> None:
    write(work / "designdoc.toml", "time_budget = 5.0\n")
    write(work / "docs" / "doc.md", CLEAN.replace("## Appendix\n", f"## Appendix\n{line}\n"))
    write(work / "docs" / "other.md", WITH_TODO)
    proc = run_subprocess(work, "check", "docs", "--format", "json", timeout=90)
    report = json.loads(proc.stdout)
    rules = {d["rule"] for d in report["diagnostics"] if d["path"] == "docs/doc.md"}
    skipped = [d for d in report["diagnostics"] if d["rule"] == "file-skipped"]
    assert not skipped or skipped[0]["message"] == "over the time budget of 5 s, not checked"
    assert rules <= {"file-skipped", "link-broken"}
    assert any(d["path"] == "docs/other.md" for d in report["diagnostics"])  # the run went on


def test_link_with_a_very_long_target_is_a_diagnostic(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "doc.md", CLEAN.replace("## Appendix\n", "## Appendix\nSee [x](" + "a" * 300 + ".md).\n"))
    assert check(capsys, "doc.md").rules() == ["link-broken"]


def test_time_budget_is_enforced(work: Path) -> None:
    write(work / "designdoc.toml", "time_budget = 0.01\n")
    filler = "".join(f"Paragraph {n} of filler text with a [link](#purpose).\n\n" for n in range(60_000))
    write(work / "docs" / "slow.md", CLEAN.replace("## Appendix\n", "## Appendix\n" + filler))
    proc = run_subprocess(work, "check", "docs/slow.md", timeout=60)
    assert proc.stdout.startswith("docs/slow.md:1:1: error [file-skipped] over the time budget of 0.01 s")
    assert proc.returncode == 1


def test_unclosed_fence_and_headings_inside_fences(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inner = "````markdown\n```\n## Alternatives\nTODO in code\n```\n````\n"
    write(
        work / "doc.md",
        CLEAN.replace("## Appendix\n", "## Appendix\n" + inner).replace(
            "_Last updated: 2025-05-20_", "_Last updated: 2025-05-20_\n```\n## Alternatives\nTODO\n"
        ),
    )
    result = check(capsys, "doc.md")
    assert "section-duplicate" not in result.rules() and "todo-marker" not in result.rules()
    assert "footer-missing" in result.rules()  # the unclosed fence swallowed the footer's successor lines
