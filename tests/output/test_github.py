"""GitHub Actions annotations: one workflow command per diagnostic, escaped, then the summary."""

from __future__ import annotations

import pytest

from designdoc.cli.main import main
from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.output.github import format_github, github_line
from helpers import ROOT


def diag(
    message: str = "Missing required section 'Alternatives'",
    *,
    path: str = "docs/a.md",
    severity: Severity = Severity.ERROR,
    line: int = 3,
    end_line: int = 3,
    column: int = 2,
    end_column: int = 9,
    rule: str = "section-missing",
) -> Diagnostic:
    return Diagnostic(path, line, column, end_line, end_column, rule, severity, message)


def unescape(text: str) -> str:
    for code, char in (("%3A", ":"), ("%2C", ","), ("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
        text = text.replace(code, char)
    return text


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """Split a workflow command the way the runner does: `::name k=v,k=v::message`."""
    assert line.startswith("::")
    head, _, message = line[2:].partition("::")
    name, _, props = head.partition(" ")
    fields = dict(item.split("=", 1) for item in props.split(","))
    return name, {k: unescape(v) for k, v in fields.items()}, unescape(message)


def test_an_error_annotation_carries_file_line_columns_and_title() -> None:
    assert github_line(diag()) == (
        "::error file=docs/a.md,line=3,col=2,endLine=3,endColumn=8,"
        "title=designdoc [section-missing]::Missing required section 'Alternatives'"
    )


@pytest.mark.parametrize(
    ("severity", "command"), [(Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "notice")]
)
def test_severities_map_to_error_warning_and_notice(severity: Severity, command: str) -> None:
    assert parse(github_line(diag(severity=severity)))[0] == command


def test_a_multi_line_span_has_no_columns() -> None:
    _, props, _ = parse(github_line(diag(line=3, end_line=5)))
    assert props == {"file": "docs/a.md", "line": "3", "endLine": "5", "title": "designdoc [section-missing]"}


def test_hostile_messages_and_paths_survive_escaping() -> None:
    message = "100% done\r\nand a second line: with, commas ::warning file=x::spoof %0A"
    path = "docs/we,ird:name%20 \n::error::.md"
    line = github_line(diag(message, path=path))
    assert "\n" not in line and "\r" not in line
    properties = line[2:].partition("::")[0].partition(" ")[2]
    assert ":" not in properties  # so the message starts where the command says, nothing injected
    name, props, text = parse(line)
    assert (name, props["file"], text) == ("error", path, message)
    assert set(props) == {"file", "line", "col", "endLine", "endColumn", "title"}


def test_a_summary_line_follows_the_annotations() -> None:
    lines = format_github([diag(), diag(severity=Severity.WARNING)], 2).splitlines()
    assert lines[-1] == "Found 1 error, 1 warning in 2 files checked."
    assert format_github([], 3) == "All clear: 3 files checked, no problems.\n"


def test_over_ten_errors_points_to_the_sarif_upload() -> None:
    lines = format_github([diag(line=n, end_line=n) for n in range(1, 12)], 1).splitlines()
    assert len(lines) == 13 and "SARIF" in lines[-1]


def test_check_prints_annotations(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert (
        main(
            [
                "check",
                "examples/event-bus-migration.md",
                "--format",
                "github",
                "--select",
                "section-missing,footer-date-mismatch",
            ]
        )
        == 1
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("::error file=examples/event-bus-migration.md,line=")
    assert parse(out[0])[2] == "Missing required section 'Alternatives'"
    assert out[-1].startswith("Found 2 errors in 1 file checked")
