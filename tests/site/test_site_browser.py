"""The published site in a real browser: Playwright driving Debian's chromium (never a downloaded one).

Skipped locally when /usr/bin/chromium is missing (`apt-get install chromium`); in CI
(`CI=true`) a missing chromium is a failure.  `DESIGNDOC_SCREENSHOTS=1` also writes the
README's screenshots to docs/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import EXAMPLES, ROOT
from serve_helpers import Served
from site_helpers import ARGS, CHROMIUM, build_site, built_fixture, copy_fixture, playwright_or_skip

SCREENSHOTS = ROOT / "docs" / "screenshots"

playwright_api = playwright_or_skip()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The basic and hostile fixtures, built once (search included for the basic one)."""
    base = tmp_path_factory.mktemp("browser")
    return {"basic": built_fixture("basic", base)[1], "xss": built_fixture("xss", base, search=False)[1]}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    """`designdoc serve` on a copy of the basic fixture: (server, project folder)."""
    base = tmp_path_factory.mktemp("served")
    docs = copy_fixture("basic", base)
    (docs.parent / "designdoc.toml").write_text('paths = ["docs"]\n')
    server = Served([], cwd=docs.parent, env={"DESIGNDOC_TODAY": "2025-06-01"})
    yield server, docs.parent
    assert server.stop() == 0


class Watch:
    """A page with its console errors, uncaught errors and dialogs collected."""

    def __init__(self, browser: object, **options: object) -> None:
        self.page = browser.new_page(**options)
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self) -> None:
        self.page.close()


@pytest.fixture()
def watch(browser: object) -> Iterator[Watch]:
    watched = Watch(browser, viewport={"width": 1280, "height": 800})
    yield watched
    watched.close()


def _shot(watch: Watch, name: str) -> None:
    if os.environ.get("DESIGNDOC_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        watch.page.screenshot(path=str(SCREENSHOTS / name))


def _until(watch: Watch, script: str, timeout: float = 15) -> None:
    """Poll `script` (an expression) until it is true; page.wait_for_function would eval under our CSP."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if watch.page.evaluate(script):
                return
        except playwright_api.Error:  # the page is navigating (a reload)
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {script}")


def _visible_rows(watch: Watch) -> int:
    return watch.page.locator("#dd-catalog-rows > tr:not([hidden])").count()


def test_catalog_filters_by_status_tag_and_text(watch: Watch, sites: dict[str, Path]) -> None:
    page = watch.page
    page.goto((sites["basic"] / "index.html").as_uri())
    assert _visible_rows(watch) == 5
    page.select_option("#dd-f-status", "approved")
    assert _visible_rows(watch) == 2
    assert page.locator("#dd-f-count").inner_text() == "Showing 2 of 5 docs"
    page.select_option("#dd-f-tag", "api")
    assert (
        _visible_rows(watch) == 1
        and page.locator("#dd-catalog-rows > tr:not([hidden]) a").inner_text() == "Rate limiter"
    )
    page.click("button[type=reset]")
    page.fill("#dd-f-text", "queue")
    assert _visible_rows(watch) == 2
    page.goto((sites["basic"] / "index.html").as_uri() + "?tag=platform&status=draft")  # a linked view
    assert _visible_rows(watch) == 1
    page.keyboard.press("Tab")  # the skip link, then the filters, by keyboard alone
    page.focus("#dd-f-status")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "dd-f-tag"
    assert watch.errors == []


def test_mermaid_block_becomes_an_svg(watch: Watch, sites: dict[str, Path]) -> None:
    page = watch.page
    page.goto((sites["basic"] / "rate-limiter.html").as_uri())
    page.wait_for_selector("pre.mermaid svg", timeout=15000)
    assert page.locator("pre.mermaid svg").count() == 1
    assert watch.errors == []


def test_superseded_banner_links_the_successor(watch: Watch, sites: dict[str, Path]) -> None:
    page = watch.page
    page.goto((sites["basic"] / "area" / "queue-v1.html").as_uri())
    banner = page.locator(".dd-banner-superseded")
    assert "Superseded" in banner.inner_text()
    banner.get_by_role("link", name="Queue v2").click()
    page.wait_for_url("**/area/queue-v2.html")
    assert page.locator("h1").first.inner_text() == "Queue v2"


def test_hostile_docs_run_no_script(watch: Watch, sites: dict[str, Path]) -> None:
    page = watch.page
    for name in ("hostile.html", "index.html", "dashboard.html"):
        page.goto((sites["xss"] / name).as_uri())
        if name == "hostile.html":
            _until(watch, "document.documentElement.getAttribute('data-mermaid') === 'done'")
        page.wait_for_timeout(200)
        page.locator("body").click(position={"x": 5, "y": 5})
    assert watch.dialogs == []
    assert page.evaluate("typeof window.alertCalled") == "undefined"


def test_no_console_errors_on_any_page(watch: Watch, sites: dict[str, Path]) -> None:
    site = sites["basic"]
    for html in sorted(site.rglob("*.html")):
        if "pagefind" in html.parts:
            continue
        watch.page.goto(html.as_uri())
        if "mermaid.min.js" in html.read_text():
            _until(watch, "document.documentElement.getAttribute('data-mermaid') === 'done'")
    assert watch.errors == []
    watch.page.goto((site / "search.html").as_uri() + "?q=queue")  # over file:// search says what to do instead
    assert "served over HTTP" in watch.page.locator("#dd-search-note").inner_text()
    watch.page.get_by_role("link", name="Filter the catalog").click()
    assert watch.page.input_value("#dd-f-text") == "queue" and _visible_rows(watch) == 2


def test_search_through_serve_finds_a_word_only_in_a_body(watch: Watch, served: tuple[Served, Path]) -> None:
    server, _ = served
    page = watch.page
    page.goto(server.url + "/search.html?q=zanzibarquartz")
    result = page.locator(".pagefind-ui__result-link").first
    result.wait_for(timeout=20000)
    assert result.inner_text() == "Rate limiter"
    assert page.locator("li.pagefind-ui__result").count() == 1
    assert page.locator(".pagefind-ui__filter-name", has_text="status").count() >= 1
    assert watch.errors == []


def test_search_merges_the_bundles_of_a_large_site(
    watch: Watch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three pages to a bundle: the basic fixture's index is two, and the word is in the second."""
    import functools
    import http.server
    import threading

    from designdoc.site import search

    monkeypatch.setattr(search, "SHARD_PAGES", 3)
    docs = copy_fixture("basic", tmp_path)
    build_site(docs, tmp_path / "site")
    assert search.shard_of("rate-limiter.html", 2) == 1 and (tmp_path / "site/pagefind/shard-1").is_dir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "site"))
    handler.log_message = lambda *args: None
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            watch.page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/search.html?q=zanzibarquartz")
            result = watch.page.locator(".pagefind-ui__result-link").first
            result.wait_for(timeout=20000)
            assert result.inner_text() == "Rate limiter"
            assert result.get_attribute("href") == "/rate-limiter.html"  # the page, not the bundle's scratch copy
            assert watch.page.locator(".pagefind-ui__filter-name", has_text="status").count() >= 1
        finally:
            httpd.shutdown()
    assert watch.errors == []


def test_live_reload_after_an_edit(watch: Watch, served: tuple[Served, Path]) -> None:
    server, project = served
    page = watch.page
    page.goto(server.url + "/area/draft-idea.html")
    page.evaluate("window.beforeReload = true")
    doc = project / "docs" / "area" / "draft-idea.md"
    doc.write_text(doc.read_text().replace("An idea being written.", "An idea, edited while open."))
    _until(watch, "window.beforeReload === undefined && document.body.innerText.includes('edited while open')", 20)
    assert watch.errors == []


def test_screenshots(browser: object, tmp_path: Path) -> None:
    """Take the README's screenshots of the example docs (written with DESIGNDOC_SCREENSHOTS=1)."""
    import datetime as dt
    import shutil

    shutil.copytree(EXAMPLES, tmp_path / "examples")
    build_site(tmp_path / "examples", tmp_path / "site", search=False, today=dt.date(2026, 11, 30))
    watched = Watch(browser, viewport={"width": 1280, "height": 900})
    try:
        watched.page.goto((tmp_path / "site" / "index.html").as_uri())
        _shot(watched, "catalog-1280-light.png")
        watched.page.set_viewport_size({"width": 1280, "height": 1500})
        watched.page.goto((tmp_path / "site" / "rate-limiter.html").as_uri())
        watched.page.wait_for_selector("pre.mermaid svg", timeout=15000)
        _shot(watched, "doc-1280-light.png")
        assert watched.errors == []
    finally:
        watched.close()
