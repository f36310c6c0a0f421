"""Shared by the bad-input tests: the clean example, damaged variants, and a `check` that asserts the invariants.

Bad inputs (hostile files, encodings, YAML, Markdown and writes) go end to end
through the CLI.  Every `check` here runs twice, once as text and once as JSON,
and asserts what must hold for any input: no traceback, the same exit code,
every text diagnostic present in the JSON report (and nothing else), and not
one byte, mode or mtime changed anywhere under the working folder (directories
included, so even a temp file created and removed is caught).  Runs that could
hang (a FIFO, pathological Markdown) go through a subprocess with a timeout.
"Today" is pinned by conftest.py to 2025-06-01.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from designdoc.cli.main import main
from helpers import CLEAN, assert_no_crash

CLEAN_LINES = CLEAN.split("\n")
PURPOSE_LINE = CLEAN_LINES.index("# Purpose") + 2  # the Purpose paragraph
FOOTER_LINE = CLEAN_LINES.index("_Last updated: 2025-05-20_") + 1
APPENDIX_LINE = CLEAN_LINES.index("## Appendix") + 1
# A TODO at (PURPOSE_LINE, 5), a fixable footer date at (FOOTER_LINE, 16).
WITH_TODO = CLEAN.replace("One noisy tenant", "One TODO tenant")
STALE_FOOTER = CLEAN.replace("_Last updated: 2025-05-20_", "_Last updated: 2025-05-01_")

TEXT_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning|info) "
    r"\[(?P<rule>[a-z0-9-]+)\] (?P<message>.*)$"
)


def tree_state(root: Path) -> dict[str, tuple]:
    """Return mode, mtime, inode and bytes of everything under `root` (FIFOs never opened).

    The check cache (`.designdoc-cache/`) is designdoc's own and may be written.
    """
    state = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".designdoc-cache"]
        for name in dirs + files:
            path = Path(folder, name)
            info = path.lstat()
            data = None
            if stat.S_ISREG(info.st_mode):
                try:
                    data = path.read_bytes()
                except OSError:
                    data = None
            state[str(path)] = (info.st_mode, info.st_mtime_ns, info.st_ino, info.st_nlink, data)
    return state


@dataclass
class Result:
    """One `check` run: its exit code, its output, and the JSON report's diagnostics and summary."""

    code: int
    out: str
    err: str
    diagnostics: list[dict]
    summary: dict

    def found(self, rule: str | None = None, path: str | None = None) -> list[tuple[int, int]]:
        """Return (line, column) of the diagnostics with this rule (and path)."""
        return [
            (d["line"], d["column"])
            for d in self.diagnostics
            if (rule is None or d["rule"] == rule) and (path is None or d["path"] == path)
        ]

    def rules(self, path: str | None = None) -> list[str]:
        return [d["rule"] for d in self.diagnostics if path is None or d["path"] == path]

    def one(self, rule: str) -> dict:
        matching = [d for d in self.diagnostics if d["rule"] == rule]
        assert len(matching) == 1, self.out
        return matching[0]


def check(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """Run `check ARGS` as text and as JSON; assert the invariants every run must keep."""
    before = tree_state(Path.cwd())
    code = main(["check", *args])
    out, err = capsys.readouterr()
    assert_no_crash(out, err)
    json_code = main(["check", *args, "--format", "json"])
    json_out, json_err = capsys.readouterr()
    assert_no_crash(json_out, json_err)
    assert json_code == code
    assert json_err == err
    report = json.loads(json_out)
    lines = out.splitlines()
    assert lines, "the text report always ends with a summary line"
    parsed = [TEXT_LINE.match(line) for line in lines[:-1]]
    assert all(parsed), out
    as_text = sorted(
        (m["path"], int(m["line"]), int(m["column"]), m["severity"], m["rule"], m["message"]) for m in parsed
    )
    as_json = sorted(
        (d["path"], d["line"], d["column"], d["severity"], d["rule"], d["message"]) for d in report["diagnostics"]
    )
    assert as_text == as_json
    assert report["summary"]["errors"] == sum(1 for d in report["diagnostics"] if d["severity"] == "error")
    assert tree_state(Path.cwd()) == before, "check must never modify any file"
    return Result(code, out, err, report["diagnostics"], report["summary"])


def run_subprocess(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `designdoc ARGS` in a child process that is killed (failing the test) after `timeout`."""
    env = {**os.environ, "DESIGNDOC_TODAY": "2025-06-01"}
    env.pop("DESIGNDOC_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "designdoc", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert_no_crash(proc.stdout, proc.stderr)
    return proc


def age(path: Path) -> int:
    """Move `path`'s mtime an hour into the past (so any rewrite shows); return it."""
    info = path.stat()
    old = info.st_mtime_ns - 3600 * 10**9
    os.utime(path, ns=(info.st_atime_ns, old), follow_symlinks=False)
    return old


def front(yaml_text: str, body: str = "") -> str:
    """Return the clean doc with its front matter replaced by `yaml_text` (and extra body lines)."""
    rest = CLEAN.split("\n---\n", 1)[1]
    return f"---\n{yaml_text}---\n{body}{rest}"


def mixed_endings(text: str) -> str:
    """Return `text` with CRLF, LF and CR line breaks in turn (a CR is never followed by an LF)."""
    lines = text.split("\n")
    breaks = ["\r\n", "\n", "\r"]
    return "".join(line + breaks[i % 3] for i, line in enumerate(lines[:-1])) + lines[-1]
