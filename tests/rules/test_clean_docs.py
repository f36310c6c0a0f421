"""A complete, correct doc is clean in every status; the seed-shaped template is reported, not crashed on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bad_inputs import PURPOSE_LINE, WITH_TODO, check
from designdoc.cli.main import main
from designdoc.model.lifecycle import DESIGN_DOC
from helpers import CLEAN, EXAMPLES, FIXTURES, write

EXAMPLE = EXAMPLES / "rate-limiter.md"
DATE = "2025-05-20"


def doc_in(status: str) -> str:
    text = EXAMPLE.read_text("utf-8")
    text = re.sub(r"(?m)^status: .*$", f"status: {status}", text)
    text = re.sub(r"(?m)^last_updated: .*$", f"last_updated: {DATE}", text)
    text = re.sub(r"_Last updated: [0-9-]+_", f"_Last updated: {DATE}_", text)
    if status == "superseded":
        text = text.replace("\ntags:", "\nsuperseded_by:\n  - successor\ntags:", 1)
    return text


def test_the_clean_example_is_clean(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "doc.md", CLEAN)
    result = check(capsys, "doc.md")
    assert result.code == 0 and result.diagnostics == []
    assert write(work / "todo.md", WITH_TODO) and check(capsys, "todo.md").found() == [(PURPOSE_LINE, 5)]


@pytest.mark.parametrize("status", DESIGN_DOC.names)
def test_a_complete_doc_is_clean_in_every_status(
    status: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "doc.md").write_text(doc_in(status), "utf-8")
    successor = doc_in("approved")
    if status == "superseded":  # the successor names it back, as the supersede rules require
        successor = successor.replace("\ntags:", "\nsupersedes:\n  - doc\ntags:", 1)
    (tmp_path / "successor.md").write_text(successor, "utf-8")
    code = main(["check", "--strict", str(tmp_path / "doc.md"), str(tmp_path / "successor.md")])
    assert code == 0, capsys.readouterr().out
    assert "All clear: 2 files checked" in capsys.readouterr().out


def test_the_seed_template_is_reported_in_full(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = FIXTURES / "rules" / "field-placeholder" / "seed-template.md"
    text = re.sub(r"\s*(?:<!--|#) expect:[^\n]*?(?:-->|$)", "", seed.read_text("utf-8"), flags=re.M)
    (tmp_path / "seed.md").write_text(text, "utf-8")
    assert main(["check", "--format", "json", str(tmp_path / "seed.md")]) == 1
    out = capsys.readouterr().out
    for rule in ("field-placeholder", "mojibake", "section-placeholder", "stale"):
        assert f'"rule": "{rule}"' in out


def test_a_footnote_definition_is_not_a_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = doc_in("approved").replace("## Appendix\n", "## Appendix\nSee the note.[^1]\n\n[^1]: The note.\n", 1)
    (tmp_path / "doc.md").write_text(text, "utf-8")
    assert main(["check", str(tmp_path / "doc.md")]) == 0, capsys.readouterr().out
