"""Shared by the tests: where fixtures and examples live, and running the CLI or the checker in-process."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import pytest

from designdoc.check.linter import lint
from designdoc.check.runner import Checker, CheckResult
from designdoc.cli.main import main
from designdoc.config import load as config_module
from designdoc.config.load import load_template
from designdoc.files.discovery import discover
from designdoc.model.diagnostics import Diagnostic
from designdoc.model.settings import Config
from designdoc.parse.document import Document

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = ROOT / "examples"
TODAY = dt.date(2025, 6, 1)  # "today" for every test (conftest.py pins it)
# The example with its dates (last_updated, footer) set before TODAY: it checks clean.
CLEAN = re.sub(r"\d{4}-\d{2}-\d{2}", "2025-05-20", (EXAMPLES / "rate-limiter.md").read_text("utf-8"))


def assert_no_crash(out: str, err: str) -> None:
    """Assert that a run printed no traceback and no internal error."""
    assert "Traceback" not in out + err
    assert "internal error" not in err


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `designdoc ARGS` in-process; assert it did not crash; return exit code, stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    assert_no_crash(out, err)
    return code, out, err


def report(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Return the JSON report of `designdoc check ARGS` (output printed before is dropped)."""
    capsys.readouterr()
    main(["check", "--format", "json", *args])
    return capsys.readouterr().out


def check(*targets: str | Path, table: dict | None = None, base: str | None = None) -> CheckResult:
    """Check `targets` (folders walked) with `table` as configuration, else the one found from here.

    `base` is `check --base`: the git revision status moves are checked against.
    """
    config = config_module.load() if table is None else config_module.from_table(table)
    candidates, _ = discover([str(target) for target in targets], config)
    return Checker(config, load_template(config), base=base).run(candidates)


def lint_doc(doc: Document) -> list[Diagnostic]:
    """Lint one parsed doc with the default configuration, on TODAY."""
    return lint(doc, config=Config(), today=TODAY)


def git(repo: Path, *args: str, date: str | None = None) -> str:
    """Run git in `repo` as a neutral test author (no global or system configuration), its commits
    dated `date` when given (YYYY-MM-DD, at noon UTC, or a full ISO time); return its output."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@acme.io",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@acme.io",
    }
    if date is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date if "T" in date else f"{date}T12:00:00+00:00"
    done = subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def write(path: str | Path, data: str | bytes, mode: int | None = None) -> Path:
    """Write `data` (text as UTF-8) to `path`, its folders created, and set `mode` if given; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if mode is not None:
        path.chmod(mode)
    return path
