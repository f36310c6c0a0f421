"""Shared test setup: a fixed "today" so date rules are deterministic, fixtures outside git, and
an empty working folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import TODAY


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESIGNDOC_TODAY", TODAY.isoformat())
    monkeypatch.delenv("NO_COLOR", raising=False)
    # The fixtures are files under test, not a history: git must not find this repository from
    # them (a fixture template's commits would be template versions, and a CI's shallow clone a
    # note). Tests of history build their own repositories.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(Path(__file__).parent))


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder of our own (no designdoc.toml of the repo's is found)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
