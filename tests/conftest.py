"""Shared test setup: a fixed "today" so date rules are deterministic."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESIGNDOC_TODAY", TODAY.isoformat())
    monkeypatch.delenv("NO_COLOR", raising=False)
