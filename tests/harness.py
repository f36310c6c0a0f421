"""Read fixture documents that carry their own expectations, and check them.

A marker `<!-- expect: SLUG [SEVERITY] [@ N | @ +N | @ -N] ["substring"] -->`
(or `# expect: …` in a YAML comment inside front matter) states one
diagnostic; the markers are the complete set.  `<!-- designdoc-test: KEY =
TOML -->` lines set configuration for that fixture (`with = ["_a.md"]` checks siblings in the
same run).  Markers are blanked
before checking, line breaks kept, so they never count as content.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from designdoc.check.runner import Checker
from designdoc.config import load as config_module
from designdoc.config.load import load_template
from designdoc.files.discovery import Candidate
from designdoc.model.diagnostics import Diagnostic
from helpers import TODAY, git

MARKER = re.compile(
    r"(?:<!--\s*|#\s*)expect:\s*(?P<slug>[a-z][a-z0-9-]*)(?:\s+(?P<severity>error|warning|info))?"
    r"(?:\s*@\s*(?P<at>[+-]?\d+))?(?:\s+\"(?P<text>[^\"]*)\")?\s*(?:-->)?"
)
SETTING = re.compile(r"<!--\s*designdoc-test:\s*(?P<key>[\w.\-]+)\s*=\s*(?P<value>.+?)\s*-->")


@dataclass(frozen=True)
class Expectation:
    """One expected diagnostic."""

    slug: str
    line: int
    severity: str | None
    text: str | None


def read_fixture(path: Path) -> tuple[bytes, list[Expectation], dict]:
    """Return the fixture's bytes with markers blanked, its expectations and its settings."""
    data = path.read_bytes()
    text = data.decode("utf-8", "surrogateescape")
    expectations: list[Expectation] = []
    settings: dict = {}
    lines = re.split(r"(\r\n|\r|\n)", text)
    for index in range(0, len(lines), 2):
        number = index // 2 + 1
        line = lines[index]
        for match in MARKER.finditer(line):
            at = match.group("at")
            target = number if at is None else (number + int(at) if at[0] in "+-" else int(at))
            expectations.append(Expectation(match.group("slug"), target, match.group("severity"), match.group("text")))
        for match in SETTING.finditer(line):
            settings.update(_setting(match.group("key"), match.group("value")))
        if "expect:" in line or "designdoc-test" in line:  # drop the marker and the space before it
            line = re.sub(r"[ \t]*(?:" + SETTING.pattern + "|" + MARKER.pattern + ")", "", line)
        if "#" in line and not line.strip().startswith("#") and "expect" in lines[index]:
            line = line.rstrip().removesuffix("#").rstrip()
        lines[index] = line
    return "".join(lines).encode("utf-8", "surrogateescape"), expectations, settings


def _setting(key: str, value: str) -> dict:
    parsed = tomllib.loads(f"v = {value}")["v"]
    table: dict = {}
    cursor = table
    parts = key.split(".")
    if parts[0] == "rules" and len(parts) == 3:
        return {"rules": {parts[1]: {parts[2]: parsed}}}
    for part in parts[:-1]:
        cursor = cursor.setdefault(part, {})
    cursor[parts[-1]] = parsed
    return table


def _merge(into: dict, new: dict) -> dict:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


def _commit(folder: Path, target: Path, date: str | None, base_status: str | None) -> None:
    """Make `folder` a git repository whose one commit holds the fixture.

    `commit = "DATE"` commits it as it is, at DATE; `base_status = "S"` commits it with
    `status: S`, so the working tree's status is a move from S (checked against HEAD).
    """
    text = target.read_bytes()
    if base_status:
        target.write_bytes(re.sub(rb"(?m)^status:.*$", b"status: " + base_status.encode(), text, count=1))
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "fixture"]):
        git(folder, *args, date=date or "2025-05-20")
    target.write_bytes(text)


def check_fixture(path: Path, tmp: Path) -> tuple[list[Diagnostic], list[Expectation], str]:
    """Check a fixture (markers blanked) in a copy of its folder; return found, expected, shown path."""
    data, expectations, settings = read_fixture(path)
    folder = tmp / path.parent.name
    folder.mkdir(parents=True, exist_ok=True)
    for sibling in path.parent.iterdir():
        if sibling.is_file() and sibling.name.startswith("_") and not sibling.name.endswith(".fixed.md"):
            (folder / sibling.name).write_bytes(read_fixture(sibling)[0])
    target = folder / path.name
    target.write_bytes(data)
    today = settings.pop("today", None)
    commit, base_status = settings.pop("commit", None), settings.pop("base_status", None)
    company = [folder / name for name in settings.pop("with", [])]  # siblings checked in the same run
    if commit or base_status:
        _commit(folder, target, commit, base_status)
    config = config_module.from_table(settings)
    config = config_module.Config(**{**config.__dict__, "root": folder})
    if config.template:
        config = config_module.Config(**{**config.__dict__, "template": str(folder / config.template)})
    checker = Checker(
        config,
        load_template(config),
        base="HEAD" if base_status else None,
        today_=dt.date.fromisoformat(today) if today else TODAY,
    )
    result = checker.run([Candidate(target, True, None), *(Candidate(p, True, None) for p in company)])
    return result.diagnostics, expectations, str(target)
