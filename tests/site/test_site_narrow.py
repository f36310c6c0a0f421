"""The published site on a phone-sized screen (400 px), and what search indexes of a doc.

Playwright drives Debian's chromium (never a downloaded one), like test_site_browser.py:
skipped locally when /usr/bin/chromium is missing, a failure in CI.  Everything asserted
is measured in the page (getBoundingClientRect, getComputedStyle), at 400 × 800 and, for
the wide layout, at 1280 × 800.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_helpers import ARGS, CHROMIUM, build_site, copy_fixture, playwright_or_skip

NARROW = {"width": 400, "height": 800}
WIDE = {"width": 1280, "height": 800}
PAGES = {
    "catalog": "index.html",
    "dashboard": "dashboard.html",
    "doc": "rate-limiter.html",  # a Mermaid diagram, 15 findings
    "doc with a wide table": "area/search-indexing.html",
    "search": "search.html?q=queue",
}

# A doc with what a narrow screen finds hard: a long title, several owners, a wide table.
LONG_DOC = """\
---
title: Incremental search indexing for the product catalog across regions
doc_type: design_doc
status: review
version: 0.3.0
owners:
  - lucia.fernandez@acme.io
  - samir.haddad@acme.io
  - oliver.brandt@acme.io
last_updated: 2025-05-20
tags:
  - search
  - data-pipeline
  - multi-region
---

# Purpose
Index catalog changes within seconds instead of a nightly rebuild of the queue.

## Data Model
| field | type | indexed | analyser | example value | notes |
|-------|------|---------|----------|---------------|-------|
| product_identifier | keyword | yes | none | sku-000000000001 | stable across regions |
| localised_description | text | yes | language-specific | An ergonomic office chair | per locale |
"""

playwright_api = playwright_or_skip()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The basic fixture and a doc with a long title and a wide table, built with search."""
    base = tmp_path_factory.mktemp("narrow")
    docs = copy_fixture("basic", base)
    (docs / "area" / "search-indexing.md").write_text(LONG_DOC)
    build_site(docs, base / "site")
    return base / "site"


@pytest.fixture(scope="module")
def url(site: Path) -> Iterator[str]:
    """The site served over HTTP (search needs it), as its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def open_page(browser: object) -> Iterator[object]:
    """open_page(url, viewport=NARROW, color_scheme="light"): a loaded page, its console errors checked at the end."""
    opened: list[tuple[object, list[str]]] = []

    def _open(address: str, viewport: dict = NARROW, color_scheme: str = "light") -> object:
        page = browser.new_page(viewport=viewport, color_scheme=color_scheme)
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        opened.append((page, errors))
        page.goto(address)
        if "rate-limiter" in address:  # wait for the diagram: it changes the page's width
            page.wait_for_selector("html[data-mermaid=done]", state="attached", timeout=15000)
        if "search.html?q=" in address:
            page.locator(".pagefind-ui__result-link").first.wait_for(timeout=20000)
        return page

    yield _open
    for page, errors in opened:
        page.close()
        assert errors == []


# Elements that stick out of the window on the right, unless a box that scrolls sideways
# (overflow-x auto or scroll, wider inside than out) holds them and shows it scrolls: the
# site's scroll cue is a shadow background on such boxes.  A box that clips (overflow
# hidden, an ellipsis) holds them too.
SIDEWAYS = """() => {
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > innerWidth) problems.push('the page is ' + root.scrollWidth + ' px wide');
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || box.right <= innerWidth + 1) continue;
    let holder = null;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (/auto|scroll|hidden|clip/.test(style.overflowX)) { holder = up; break; }
    }
    if (!holder) { problems.push(name(el) + ' ends at ' + Math.round(box.right) + ' px'); continue; }
    const style = getComputedStyle(holder);
    if (/auto|scroll/.test(style.overflowX) && holder.scrollWidth > holder.clientWidth
        && style.backgroundImage === 'none') problems.push(name(holder) + ' scrolls with no cue');
  }
  return [...new Set(problems)];
}"""


@pytest.mark.parametrize("viewport", [NARROW, {"width": 360, "height": 740}], ids=["400", "360"])
def test_narrow_pages_do_not_scroll_sideways(open_page: object, url: str, viewport: dict) -> None:
    problems = {}
    for name, path in PAGES.items():
        page = open_page(f"{url}/{path}", viewport)
        problems[name] = page.evaluate(SIDEWAYS)
    assert problems == {name: [] for name in PAGES}


def test_doc_side_panel_flows_in_the_page_when_narrow(open_page: object, url: str) -> None:
    page = open_page(f"{url}/rate-limiter.html")
    aside = page.evaluate("""() => {
      const aside = document.querySelector('.dd-aside'), style = getComputedStyle(aside);
      const article = document.querySelector('.dd-article').getBoundingClientRect();
      return {position: style.position, maxHeight: style.maxHeight, scrollHeight: aside.scrollHeight,
              clientHeight: aside.clientHeight, top: aside.getBoundingClientRect().top, articleBottom: article.bottom};
    }""")
    assert aside["position"] not in ("sticky", "fixed"), aside
    assert aside["maxHeight"] == "none" and aside["scrollHeight"] <= aside["clientHeight"] + 1, aside  # no inner scroll
    assert aside["top"] >= aside["articleBottom"], aside  # after the doc, in one column
    # every finding shows once the page itself is scrolled to it
    findings = page.locator(".dd-findings li")
    assert findings.count() >= 10
    for n in (0, findings.count() - 1):
        shown = page.evaluate(
            """(n) => {
              const item = document.querySelectorAll('.dd-findings li')[n];
              window.scrollTo(0, item.getBoundingClientRect().top + scrollY - 100);
              const box = item.getBoundingClientRect();
              const hit = document.elementFromPoint(box.left + 5, box.top + box.height / 2);
              return item.contains(hit);
            }""",
            n,
        )
        assert shown, f"finding {n} is not visible when the page is scrolled to it"
    # and the top of the page says how many there are and links to them
    page.evaluate("window.scrollTo(0, 0)")
    jump = page.locator(".dd-jump a[href='#dd-findings']")
    assert jump.is_visible() and jump.bounding_box()["y"] < 400
    jump.click()
    assert page.evaluate("document.getElementById('dd-findings').getBoundingClientRect().top") < 100


def test_catalog_titles_get_room_when_narrow(open_page: object, url: str) -> None:
    page = open_page(f"{url}/index.html")
    widths = page.evaluate(
        "[...document.querySelectorAll('#dd-catalog-rows > tr > td:nth-child(2)')]"
        ".map(td => Math.round(td.getBoundingClientRect().width))"
    )
    assert len(widths) == 6 and min(widths) >= 200, widths
    # a long title wraps into a few lines, not word by word
    lines = page.evaluate("""() => {
      const links = [...document.querySelectorAll('#dd-catalog-rows a')];
      const link = links.find(a => a.textContent.startsWith('Incremental'));
      return Math.round(link.getBoundingClientRect().height / parseFloat(getComputedStyle(link).lineHeight));
    }""")
    assert lines <= 3
    # the filters still hide rows (a row shown as a card is no table row any more)
    page.select_option("#dd-f-status", "approved")
    rows = page.evaluate(
        "[...document.querySelectorAll('#dd-catalog-rows > tr')]"
        ".map(tr => [tr.hidden, tr.getBoundingClientRect().height])"
    )
    assert sum(not hidden for hidden, _ in rows) == 2
    assert all((height == 0) == hidden for hidden, height in rows), rows


# The rendered size of a chart label: the CSS font size, times the SVG's scale for SVG text.
LABEL_SIZES = """() => {
  const sizes = [];
  for (const el of document.querySelectorAll('.dd-chart-label, .dd-bars-label')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;  // not shown at this width
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement) size *= el.getScreenCTM().a;
    sizes.push({text: el.firstChild.nodeValue, size: Math.round(size * 10) / 10, right: box.right});
  }
  return sizes;
}"""


def test_dashboard_chart_labels_stay_readable_when_narrow(open_page: object, url: str) -> None:
    page = open_page(f"{url}/dashboard.html")
    labels = page.evaluate(LABEL_SIZES)
    texts = [label["text"] for label in labels]
    assert "approved" in texts and "ana.silva@acme.io" in texts, texts  # both charts
    assert all(label["size"] >= 11 for label in labels), labels
    assert all(label["right"] <= 400 for label in labels), labels


def test_wide_layout_keeps_the_side_panel_beside_the_doc(open_page: object, url: str) -> None:
    page = open_page(f"{url}/rate-limiter.html", WIDE)
    layout = page.evaluate("""() => {
      const aside = document.querySelector('.dd-aside'), article = document.querySelector('.dd-article');
      const a = aside.getBoundingClientRect(), b = article.getBoundingClientRect();
      const jump = document.querySelector('.dd-jump');
      return {position: getComputedStyle(aside).position, asideLeft: a.left, articleRight: b.right,
              asideTop: a.top, articleTop: b.top, asideWidth: a.width,
              jump: jump ? getComputedStyle(jump).display : 'missing'};
    }""")
    assert layout["position"] == "sticky" and layout["asideLeft"] > layout["articleRight"], layout
    assert abs(layout["asideTop"] - layout["articleTop"]) < 2 and layout["asideWidth"] > 300, layout
    assert layout["jump"] == "none", layout  # the narrow screens' jump line stays out
    catalog = open_page(f"{url}/index.html", WIDE)
    assert catalog.evaluate("getComputedStyle(document.querySelector('.dd-catalog')).display") == "table"
    assert catalog.evaluate("getComputedStyle(document.querySelector('.dd-catalog thead')).position") == "static"
    dashboard = open_page(f"{url}/dashboard.html", WIDE)
    shown = dashboard.evaluate(
        "['.dd-chart', '.dd-bars'].map(s => [...document.querySelectorAll(s)].map(e => getComputedStyle(e).display))"
    )
    assert shown == [["inline", "inline"], ["none", "none"]]  # the SVG charts, not the narrow screens' ones
    assert all(label["size"] >= 11 for label in dashboard.evaluate(LABEL_SIZES))


def test_search_notice_sits_under_the_heading(open_page: object, site: Path) -> None:
    """Over file:// the search page says it needs HTTP: right under its heading, not below an empty box."""
    for viewport in (NARROW, WIDE):
        page = open_page((site / "search.html").as_uri(), viewport)
        gap = page.evaluate(
            "document.getElementById('dd-search-note').getBoundingClientRect().top"
            " - document.querySelector('main h1').getBoundingClientRect().bottom"
        )
        assert 0 <= gap < 48, gap
        assert page.locator("#dd-search-note").is_visible()


def test_search_results_follow_the_colour_scheme(open_page: object, url: str) -> None:
    page = open_page(f"{url}/search.html?q=queue", NARROW, "dark")
    colours = page.evaluate("""() => {
      const colour = s => getComputedStyle(document.querySelector(s)).color;
      return {page: colour('body'), title: colour('.pagefind-ui__result-link'),
              excerpt: colour('.pagefind-ui__result-excerpt'),
              input: getComputedStyle(document.querySelector('.pagefind-ui__search-input')).backgroundColor,
              background: getComputedStyle(document.body).backgroundColor};
    }""")
    assert colours["title"] == colours["excerpt"] == colours["page"], colours
    assert colours["input"] == colours["background"], colours


def _fragments(site: Path) -> dict[str, str]:
    """Return what pagefind holds of each page (its URL → the indexed text)."""
    held = {}
    for path in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd") :])
        held[record["url"]] = record["content"]
    return held


def test_search_index_holds_no_mermaid_source(tmp_path: Path) -> None:
    """A diagram's source is no text to find: on a first build (search records) and a rebuild (the pages)."""
    docs = copy_fixture("basic", tmp_path)
    site = tmp_path / "site"
    build_site(docs, site)
    _assert_no_diagram(_fragments(site))
    doc = docs / "rate-limiter.md"
    doc.write_text(doc.read_text().replace("noisy tenants", "noisy neighbours"))
    build_site(docs, site)  # one page changed: pagefind reads the written pages this time
    held = _fragments(site)
    assert "noisy neighbours" in held["/rate-limiter.html"]
    _assert_no_diagram(held)


def _assert_no_diagram(held: dict[str, str]) -> None:
    limiter = held["/rate-limiter.html"]
    assert "zanzibarquartz" in limiter and "Architecture Overview" in limiter  # the doc is indexed, around the diagram
    assert all(
        "flowchart" not in text and "-->" not in text and "gateway[Gateway]" not in text for text in held.values()
    )
