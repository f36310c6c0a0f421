"""`designdoc completion`: click's scripts, with rule slugs and statuses completed."""

from __future__ import annotations

import pytest
from click.shell_completion import BashComplete

from designdoc.cli.main import cli, main
from designdoc.model.lifecycle import DESIGN_DOC
from designdoc.rules import ALL_RULES


def complete(args: list[str], incomplete: str) -> list[str]:
    return [
        item.value
        for item in BashComplete(cli, {}, "designdoc", "_DESIGNDOC_COMPLETE").get_completions(args, incomplete)
    ]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_shell_script(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    assert "_DESIGNDOC_COMPLETE" in script and f"{shell}_complete" in script


def test_select_and_ignore_complete_rule_slugs_after_commas() -> None:
    assert complete(["check", "--select"], "section-m") == ["section-missing"]
    assert complete(["check", "--ignore"], "") == [r.slug for r in ALL_RULES]
    after = complete(["check", "--select"], "section-missing,section-")
    assert "section-missing,section-order" in after and "section-missing,section-missing" not in after


def test_status_completes_lifecycle_statuses_and_rule_completes_slugs() -> None:
    assert complete(["status", "doc.md"], "") == list(DESIGN_DOC.names)
    assert complete(["status", "doc.md"], "re") == ["review", "rejected"]
    assert complete(["rule"], "todo") == ["todo-marker"]


def test_completion_rejects_an_unknown_shell(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "tcsh"]) == 2
