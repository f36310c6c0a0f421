"""A team's process on the published site, in Debian's chromium: badges in the lifecycle's
colours and labels, a filter per extra field, the lifecycle drawn on the dashboard."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from designdoc.cli.main import main
from helpers import FIXTURES
from site_helpers import ARGS, CHROMIUM, playwright_or_skip

playwright_api = playwright_or_skip()


@pytest.fixture(scope="module")
def kep_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("kep")
    shutil.copytree(FIXTURES / "processes" / "kep", base / "kep")
    cwd = os.getcwd()
    os.chdir(base / "kep")
    try:
        assert main(["build", "-o", str(base / "site"), "--no-search"]) in (0, 1)
    finally:
        os.chdir(cwd)
    yield base / "site"


@pytest.fixture(scope="module")
def page(kep_site: Path) -> Iterator[tuple[object, list[str]]]:
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        opened = browser.new_page(viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        opened.on("console", lambda m: m.type == "error" and errors.append(m.text))
        opened.on("pageerror", lambda e: errors.append(str(e)))
        yield opened, errors
        browser.close()


def test_badges_show_the_lifecycle_labels_in_its_colours(kep_site: Path, page) -> None:
    tab, errors = page
    tab.goto((kep_site / "index.html").as_uri())
    badge = tab.locator("#dd-catalog-rows .dd-status-team").first
    assert badge.inner_text() == "Implementable"
    edge = badge.evaluate("b => getComputedStyle(b).borderTopColor")
    assert edge == "rgb(26, 127, 55)"  # #1a7f37, the kep preset's colour of implementable
    assert errors == []


def test_an_extra_field_filters_the_catalog(kep_site: Path, page) -> None:
    tab, errors = page
    tab.goto((kep_site / "index.html").as_uri())
    assert tab.locator("#dd-catalog-rows > tr:not([hidden])").count() == 3
    tab.select_option("select[name=stage]", "beta")
    assert tab.locator("#dd-catalog-rows > tr:not([hidden])").count() == 1
    assert "stage=beta" in tab.url
    assert errors == []


def test_the_dashboard_draws_the_lifecycle(kep_site: Path, page) -> None:
    tab, errors = page
    tab.goto((kep_site / "dashboard.html").as_uri())
    tab.wait_for_selector("#dd-lifecycle ~ pre.mermaid svg", timeout=15000)
    drawn = tab.locator("#dd-lifecycle ~ pre.mermaid svg").text_content()
    for label in ("Provisional", "Implementable", "Implemented", "Replaced"):
        assert label in drawn
    assert errors == []
