"""designdoc build: pages, links, assets, safety, determinism, incremental rebuilds."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner

from designdoc.cli.main import cli
from designdoc.parse.inline import unique_slugs
from designdoc.site import search
from designdoc.site.charts import Bar, bar_chart
from designdoc.site.links import MANIFEST, SiteMap, page_paths
from designdoc.site.pages import supersede_chains
from designdoc.site.render import render, sanitize
from helpers import ROOT
from site_helpers import SITE_FIXTURES, build_site, built_fixture, copy_fixture, tree


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The basic fixture, built once: (docs folder, site folder)."""
    return built_fixture("basic", tmp_path_factory.mktemp("basic"))


@pytest.fixture(scope="module")
def xss(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile fixture, built once: its site folder."""
    return built_fixture("xss", tmp_path_factory.mktemp("xss"), search=False)[1]


def body(page: str) -> str:
    """Return the rendered doc body of a page (without the findings that quote the source)."""
    return page.split('<div class="dd-body">', 1)[1].split("</article>", 1)[0]


# --------------------------------------------------------------------------- layout and content


def test_pages_mirror_the_docs_tree(basic: tuple[Path, Path]) -> None:
    _, site = basic
    for page in (
        "index.html",
        "dashboard.html",
        "search.html",
        "rate-limiter.html",
        "area/queue-v1.html",
        "area/queue-v2.html",
        "area/draft-idea.html",
        "area/old-cache.html",
    ):
        assert (site / page).is_file(), page
    assert not (site / "notes.html").exists()  # not a design doc
    assert (site / "_designdoc/vendor/mermaid.min.js").is_file()
    assert (site / "pagefind/pagefind-ui.js").is_file()


def test_page_paths_avoid_the_sites_own_names() -> None:
    pages = page_paths("/d", ["/d/index.md", "/d/dashboard.md", "/d/a/index.md", "/d/pagefind/x.md", "/d/b.markdown"])
    assert pages == {
        "/d/a/index.md": "a/index.html",
        "/d/b.markdown": "b.html",
        "/d/dashboard.md": "dashboard-doc.html",
        "/d/index.md": "index-doc.html",
        "/d/pagefind/x.md": "pagefind-doc/x.html",
    }


def test_links_between_docs_point_at_pages_with_the_checked_anchors(basic: tuple[Path, Path]) -> None:
    _, site = basic
    page = (site / "rate-limiter.html").read_text()
    assert 'href="area/queue-v2.html#purpose"' in page
    assert 'href="#storage"' in page and 'id="storage"' in page
    back = (site / "area/queue-v2.html").read_text()
    assert 'href="../rate-limiter.html#storage"' in back
    # a link to a file that does not exist, or outside the docs tree, is inert
    assert "area/nothing.md" not in body(page) and "README.txt" not in body(page)
    assert body(page).count('class="dd-unresolved"') >= 4


def test_heading_ids_are_the_slugs_link_checking_uses() -> None:
    rendered = render("# Title\n\n## Intro\n\n## Intro\n\n### Über `code` *x*\n\n## 🎉\n", title_line=1)
    texts = ["Title", "Intro", "Intro", "Über code x", "🎉"]
    assert [h.slug for h in rendered.headings] == unique_slugs(texts)
    assert [h.level for h in rendered.headings] == [1, 2, 2, 3, 2]


def test_images_inside_the_tree_are_copied_and_nothing_outside_ever_is(basic: tuple[Path, Path]) -> None:
    docs, site = basic
    assert (site / "img/diagram.png").read_bytes() == (docs / "img/diagram.png").read_bytes()
    page = (site / "rate-limiter.html").read_text()
    assert 'src="img/diagram.png"' in page and 'alt="The architecture"' in page
    assert "passwd" not in "".join(tree(site))
    assert "/etc/passwd" not in body(page)


def test_asset_resolution_refuses_escapes_and_symlinks_out(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "a.md").write_text("x")
    (docs / "ok.png").write_bytes(b"png")
    (docs / ".hidden.png").write_bytes(b"png")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (docs / "link.png").symlink_to(secret)
    (docs / "sub" / "fifo.png").parent.mkdir(exist_ok=True)
    os.mkfifo(docs / "sub" / "fifo.png")
    sitemap = SiteMap(docs, [str(docs / "a.md")], project_root=tmp_path)

    def resolve(href: str):
        return sitemap.resolve(str(docs / "a.md"), href)

    assert resolve("ok.png").asset == "ok.png"
    for href in (
        "../secret.txt",
        "../../../../etc/passwd",
        "/secret.txt",
        "/etc/passwd",
        "link.png",
        ".hidden.png",
        "sub/fifo.png",
        "sub/../../secret.txt",
        "%2e%2e/secret.txt",
        "nothing.png",
        "sub",
    ):
        assert resolve(href).href is None and resolve(href).asset is None, href
    assert resolve("https://example.org/x.png").href == "https://example.org/x.png"
    assert resolve("#anchor").href == "#anchor"


def test_doc_page_has_toc_metadata_findings_backlinks_and_highlighting(basic: tuple[Path, Path]) -> None:
    _, site = basic
    page = (site / "rate-limiter.html").read_text()
    assert 'dd-toc"' in page and 'href="#architecture-overview"' in page
    assert "ana.silva@acme.io" in page and "1.0.0" in page and "2025-05-20" in page
    assert 'id="dd-findings"' in page
    assert '<pre class="mermaid">' in page and "mermaid.min.js" in page and "mermaid-init.js" in page
    assert '<span class="k">def</span>' in page  # Pygments on the server
    assert 'type="checkbox"' in page and 'class="footnotes"' in page and 'style="text-align:right"' in page
    linked = (site / "area/queue-v2.html").read_text()
    assert 'id="dd-backlinks"' in linked and "Rate limiter</a>" in linked
    assert "mermaid.min.js" not in linked  # only pages with a diagram load Mermaid


def test_banners_for_superseded_draft_and_deprecated(basic: tuple[Path, Path]) -> None:
    _, site = basic
    old = (site / "area/queue-v1.html").read_text()
    assert "dd-banner-superseded" in old and re.search(r'Read instead:\s*<a href="queue-v2.html">Queue v2</a>', old)
    assert "dd-banner-draft" in (site / "area/draft-idea.html").read_text()
    assert "dd-banner-deprecated" in (site / "area/old-cache.html").read_text()
    assert "dd-banner" not in (site / "area/queue-v2.html").read_text().split("<main")[1].split("dd-aside")[0]


def test_catalog_lists_every_doc_with_filters_and_counts(basic: tuple[Path, Path]) -> None:
    _, site = basic
    page = (site / "index.html").read_text()
    for title in ("Rate limiter", "Queue v1", "Queue v2", "Request hedging", "Old cache"):
        assert f">{title}</a>" in page
    assert '<option value="approved">approved (2)</option>' in page
    assert '<option value="platform">platform (5)</option>' in page
    data = json.loads(
        re.search(r'<script type="application/json" id="dd-catalog-data">(.*?)</script>', page, re.DOTALL)[1]
    )
    # no extra fields in the built-in process
    assert len(data) == 5 and all(len(row) == 5 and row[4] == [] for row in data)
    assert "catalog.js" in page


def test_dashboard_has_svg_charts_and_supersede_chains(basic: tuple[Path, Path]) -> None:
    _, site = basic
    page = (site / "dashboard.html").read_text()
    assert page.count('<svg class="dd-chart" role="img"') == 2
    assert re.search(r"Queue v1</a>.*?superseded by.*?Queue v2</a>", page, re.DOTALL)


def test_supersede_chains_follow_branches_and_cycles() -> None:
    assert supersede_chains({"b": ("a",), "c": ("b",)}) == [["a", "b", "c"]]
    assert supersede_chains({"x": ("y",), "y": ("x",)}) == [["y", "x", "y"]]
    assert sorted(supersede_chains({"n": ("o1", "o2")})) == [["o1", "n"], ["o2", "n"]]


def test_every_page_is_valid_html_with_landmarks(basic: tuple[Path, Path]) -> None:
    _, site = basic
    parser = html5lib.HTMLParser(strict=True)
    for page in sorted(site.rglob("*.html")):
        if "pagefind" in page.parts:
            continue
        text = page.read_text()
        parser.parse(text)  # raises on any parse error
        ids = re.findall(r'\sid="([^"]+)"', text)
        assert len(ids) == len(set(ids)), f"{page}: duplicate ids"
        assert "<main" in text and "<header" in text and "<nav" in text and 'lang="en"' in text
        assert re.search(r"<img(?![^>]*\balt=)", text) is None, f"{page}: an image without alt"


def test_only_relative_links(basic: tuple[Path, Path]) -> None:
    _, site = basic
    for page in sorted(site.glob("**/*.html")):
        if "pagefind" in page.parts:
            continue
        for url in re.findall(r'(?:href|src|action)="([^"]*)"', page.read_text()):
            assert not url.startswith("/"), (page, url)


def test_chart_labels_are_escaped() -> None:
    svg = str(bar_chart([Bar("<script>x</script>", 3, href='a"b')], title="<b>t</b>", chart_id="c"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and 'href="a&#34;b"' in svg


# --------------------------------------------------------------------------- safety


def elements(html: str) -> list:
    """Return every element of an HTML document or fragment, as a browser would parse it."""
    return list(html5lib.parse(html, namespaceHTMLElements=False).iter())


def test_no_script_survives_a_hostile_doc(xss: Path) -> None:
    page = (xss / "hostile.html").read_text()
    found = elements(body(page))
    tags = {e.tag for e in found if isinstance(e.tag, str)}
    assert not tags & {"script", "iframe", "svg", "form", "object", "math", "style", "embed", "button"}
    for element in found:
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert "javascript:" not in value.lower() and "data:" not in value.lower(), (element.tag, name, value)
            assert name != "style" or value.startswith("text-align"), value
    scripts = [e.get("src") for e in elements(page) if e.tag == "script"]
    assert scripts == ["_designdoc/vendor/mermaid.min.js", "_designdoc/mermaid-init.js"]  # ours, nothing else


def test_hostile_title_and_tag_are_inert_everywhere(xss: Path) -> None:
    for name in ("hostile.html", "index.html", "dashboard.html"):
        page = (xss / name).read_text()
        assert "<script>alert" not in page, name
        assert all(
            e.get("src")
            in (None, "_designdoc/vendor/mermaid.min.js", "_designdoc/mermaid-init.js", "_designdoc/catalog.js")
            for e in elements(page)
            if e.tag == "script"
        ), name
        assert not any(k.startswith("on") for e in elements(page) for k in e.attrib), name
    catalog = (xss / "index.html").read_text()
    block = re.search(r'<script type="application/json" id="dd-catalog-data">(.*?)</script>', catalog, re.DOTALL)[1]
    assert "</" not in block and "<" not in block  # embedded JSON cannot close its <script>
    assert "</script><script>alert('tag')</script>" in json.loads(block)[0][1]
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in (xss / "hostile.html").read_text()


def test_template_syntax_in_a_doc_comes_out_literally(xss: Path) -> None:
    page = (xss / "hostile.html").read_text()
    assert "{{ 7*7 }}" in page and "{% raw %}" in page
    assert ">49<" not in page and " 49 " not in page


def test_sanitiser_keeps_what_the_site_needs() -> None:
    kept = sanitize(
        '<pre class="mermaid">a</pre><pre class="highlight"><code><span class="k">x</span></code></pre>'
        '<span class="evil k">y</span><a href="https://x.org" onclick="f()">l</a>'
    )
    assert '<pre class="mermaid">' in kept and '<span class="k">' in kept and "evil" not in kept
    assert "onclick" not in kept and 'href="https://x.org"' in kept


# --------------------------------------------------------------------------- determinism and incremental builds


def test_two_builds_are_byte_identical_search_index_included(tmp_path: Path) -> None:
    docs = copy_fixture("basic", tmp_path)
    build_site(docs, tmp_path / "one")
    build_site(docs, tmp_path / "two", jobs=2)
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []
    assert not any(b"2026-" in data or b"T0" in data for name, data in one.items() if name.endswith(".html"))


def test_rebuild_renders_only_what_changed(tmp_path: Path) -> None:
    docs = copy_fixture("basic", tmp_path)
    out = tmp_path / "site"
    first = build_site(docs, out)
    assert first.rendered == 5 and first.indexed
    again = build_site(docs, out)
    assert (again.rendered, again.indexed) == (0, False)
    draft = docs / "area/draft-idea.md"
    draft.write_text(draft.read_text().replace("An idea being written.", "An idea, rewritten."))
    assert build_site(docs, out).rendered == 1
    queue = docs / "area/queue-v2.md"
    queue.write_text(queue.read_text().replace("title: Queue v2", "title: Queue two"))
    changed = build_site(docs, out)  # itself, the doc it supersedes and the doc linking to it
    assert changed.rendered == 3
    (docs / "area/old-cache.md").unlink()
    removed = build_site(docs, out)
    assert removed.removed == 1 and not (out / "area/old-cache.html").exists()
    assert "Old cache" not in (out / "index.html").read_text()
    fresh = tmp_path / "fresh"
    build_site(docs, fresh)
    assert tree(out) == tree(fresh)  # incremental and full builds agree byte for byte


def _spy_on_pagefind(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record the folders pagefind is started on."""
    started: list[Path] = []
    original = search.Pagefind.start

    def start(self: search.Pagefind, pages: Path) -> str | None:
        started.append(Path(pages))
        return original(self, pages)

    monkeypatch.setattr(search.Pagefind, "start", start)
    return started


def test_search_records_index_exactly_as_the_pages_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = copy_fixture("basic", tmp_path)
    started = _spy_on_pagefind(monkeypatch)
    first = build_site(docs, tmp_path / "records")  # notes.md is no doc, but nothing links to it
    assert first.indexed and started[-1] != tmp_path / "records"  # a temporary folder of records
    assert not started[0].exists()  # the records are removed
    build_site(docs, tmp_path / "pages", search=False)
    second = build_site(docs, tmp_path / "pages")  # a rebuild that lacks an index indexes the written pages
    assert second.indexed and started[-1] == tmp_path / "pages"
    assert tree(tmp_path / "records" / "pagefind") == tree(tmp_path / "pages" / "pagefind")


def test_a_link_that_moved_makes_the_build_index_the_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = copy_fixture("basic", tmp_path)
    doc = docs / "rate-limiter.md"
    doc.write_text(doc.read_text().replace("and [the source](../README.txt)", "and [the notes](notes.md)"))
    started = _spy_on_pagefind(monkeypatch)
    assert build_site(docs, tmp_path / "site").indexed
    assert started == [tmp_path / "site"]  # the workers took notes.md for a page: their render was redone


def test_a_link_to_a_walked_file_that_is_no_doc_points_at_the_file(tmp_path: Path) -> None:
    docs = copy_fixture("basic", tmp_path)
    doc = docs / "rate-limiter.md"
    doc.write_text(doc.read_text().replace("and [the source](../README.txt)", "and [the notes](notes.md)"))
    build_site(docs, tmp_path / "site", search=False)
    page = (tmp_path / "site" / "rate-limiter.html").read_text()
    assert '<a href="notes.md" rel="noopener noreferrer">the notes</a>' in page  # the worker took it for a page
    assert (tmp_path / "site" / "notes.md").read_text() == (docs / "notes.md").read_text()


def test_a_large_tree_builds_in_workers_exactly_as_in_one_process(tmp_path: Path) -> None:
    for copy in range(12):  # 60 docs, and 12 walked files that are no doc: past the pool's threshold
        shutil.copytree(SITE_FIXTURES / "basic" / "docs", tmp_path / "docs" / f"team{copy:02d}")
    build_site(tmp_path / "docs", tmp_path / "workers", jobs=2, search=False)
    build_site(tmp_path / "docs", tmp_path / "serial", jobs=1, search=False)
    assert len(list((tmp_path / "workers").rglob("rate-limiter.html"))) == 12
    assert tree(tmp_path / "workers") == tree(tmp_path / "serial")


def test_a_rebuild_parses_only_the_edited_doc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from designdoc.parse import document

    docs = copy_fixture("basic", tmp_path)
    build_site(docs, tmp_path / "site", search=False)
    parsed: list[str] = []
    original = document.parse

    def counting(text: str, path: str, *args: object, **kwargs: object) -> document.Document:
        parsed.append(path)
        return original(text, path, *args, **kwargs)

    monkeypatch.setattr(document, "parse", counting)
    draft = docs / "area/draft-idea.md"
    draft.write_text(draft.read_text().replace("An idea being written.", "An idea, rewritten."))
    again = build_site(docs, tmp_path / "site", search=False)
    assert [Path(p).name for p in parsed] == ["draft-idea.md"] and again.rendered == 1
    fresh = build_site(docs, tmp_path / "fresh", search=False)  # every page, from cached sources: bodies read again
    assert [Path(p).name for p in parsed] == ["draft-idea.md"] and fresh.rendered == 5
    assert tree(tmp_path / "fresh") == tree(tmp_path / "site")


def test_a_cached_doc_sees_the_doc_it_supersedes_appear(tmp_path: Path) -> None:
    docs = copy_fixture("basic", tmp_path)
    draft = docs / "area/draft-idea.md"
    draft.write_text(draft.read_text().replace("tags:\n", "supersedes:\n  - hedging-v0\ntags:\n", 1))
    build_site(docs, tmp_path / "site", search=False)
    assert "Supersedes" not in (tmp_path / "site/area/draft-idea.html").read_text()
    old = (docs / "area/old-cache.md").read_text()
    (docs / "area/hedging-v0.md").write_text(old.replace("title: Old cache", "title: Hedging zero"))
    build_site(docs, tmp_path / "site", search=False)  # draft-idea.md is unchanged: its source comes from the cache
    page = (tmp_path / "site/area/draft-idea.html").read_text()
    assert "<dt>Supersedes</dt>" in page and "Hedging zero" in page


def test_a_site_made_by_other_code_is_rendered_and_written_again(tmp_path: Path) -> None:
    docs = copy_fixture("basic", tmp_path)
    out = tmp_path / "site"
    build_site(docs, out, search=False)
    css = out / "_designdoc" / "site.css"
    original = css.read_bytes()
    css.write_text("/* an older version's styles */")
    manifest = json.loads((out / MANIFEST).read_text())
    (out / MANIFEST).write_text(json.dumps({**manifest, "fingerprint": "another version"}))
    again = build_site(docs, out, search=False)
    assert again.rendered == 5 and css.read_bytes() == original


def test_a_hostile_tree_builds_twice_the_same_and_is_left_untouched(tmp_path: Path) -> None:
    docs = copy_fixture("basic", tmp_path)
    good = (docs / "rate-limiter.md").read_text()
    hostile = docs / "hostile"
    hostile.mkdir()
    os.mkfifo(hostile / "fifo.md")
    (hostile / "latin1.md").write_bytes(good.replace("Protect", "Prot\xe9ct").encode("latin-1"))
    (hostile / "utf16.md").write_bytes(good.encode("utf-16"))
    (hostile / "nul.md").write_text(good.replace("Protect", "Pro\x00tect"))
    (hostile / "bom-crlf.md").write_bytes(b"\xef\xbb\xbf" + good.replace("\n", "\r\n").encode())
    (hostile / "empty.md").write_text("")
    (hostile / "deep.md").write_text("---\ndoc_type: design_doc\nx: " + "[" * 1000 + "]" * 1000 + "\n---\n# T\n")
    (hostile / "big.md").write_text(good + "x" * (2 * 1024 * 1024))
    (hostile / "loop.md").symlink_to(hostile / "loop.md")
    (hostile / "out.md").symlink_to(tmp_path / "elsewhere.md")
    (tmp_path / "elsewhere.md").write_text(good)
    before = {p: (p.lstat().st_mtime_ns, p.lstat().st_size) for p in docs.rglob("*")}

    def build(out: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "designdoc", "build", "docs", "-o", out],
            cwd=docs.parent,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, "DESIGNDOC_TODAY": "2025-06-01", "DESIGNDOC_CACHE_DIR": str(tmp_path / "cache")},
        )

    first = build("one")
    assert first.returncode == 0 and "Traceback" not in first.stderr, first.stderr
    assert any((tmp_path / "cache").iterdir())
    second = build("two")  # the docs now come from the check cache: bodies are read again
    assert second.returncode == 0 and "Traceback" not in second.stderr, second.stderr
    assert tree(docs.parent / "one") == tree(docs.parent / "two")
    catalog = (docs.parent / "one" / "index.html").read_text()
    assert "hostile/latin1.md" in catalog and "hostile/utf16.md" in catalog  # listed, without a page
    assert (docs.parent / "one" / "hostile" / "bom-crlf.html").is_file()
    assert not (docs.parent / "one" / "hostile" / "latin1.html").exists()
    assert {p: (p.lstat().st_mtime_ns, p.lstat().st_size) for p in docs.rglob("*")} == before


def test_search_is_indexed_again_only_when_what_it_indexes_changed(tmp_path: Path) -> None:
    docs = copy_fixture("basic", tmp_path)
    out = tmp_path / "site"
    assert build_site(docs, out).indexed
    draft = docs / "area/draft-idea.md"
    draft.write_text(draft.read_text().replace("version: 1.0.0", "version: 1.1.0"))  # shown, not indexed
    details = build_site(docs, out)
    assert (details.rendered, details.indexed, details.search) == (1, False, True)
    draft.write_text(draft.read_text().replace("An idea being written.", "An idea about quokkas."))
    words = build_site(docs, out)
    assert (words.rendered, words.indexed) == (1, True)
    fresh = tmp_path / "fresh"
    build_site(docs, fresh)
    assert tree(out / "pagefind") == tree(fresh / "pagefind")


# ---- a large site's index is several bundles, each made again only when one of its pages changed


@pytest.fixture
def small_bundles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two pages to a bundle: the basic fixture's five doc pages make three."""
    monkeypatch.setattr(search, "SHARD_PAGES", 2)


def _bundles(site: Path) -> list[str]:
    return sorted(p.name for p in (site / "pagefind").iterdir() if p.is_dir() and p.name.startswith("shard-"))


def _indexed_pages(bundle: Path) -> int:
    return len(list((bundle / "fragment").glob("*.pf_fragment")))


def _new_words_in_queue_v1(docs: Path) -> int:
    """Change words of one doc's body; return the bundle its page is in (of three)."""
    queue = docs / "area/queue-v1.md"
    queue.write_text(queue.read_text().replace("kept for history", "kept for quokkas"))
    return search.shard_of("area/queue-v1.html", 3)


@pytest.mark.usefixtures("small_bundles")
def test_a_large_site_is_indexed_in_bundles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = copy_fixture("basic", tmp_path)
    site = tmp_path / "site"
    started = _spy_on_pagefind(monkeypatch)
    assert build_site(docs, site).indexed
    assert _bundles(site) == ["shard-0", "shard-1", "shard-2"]
    assert not (site / "pagefind" / "pagefind-entry.json").exists()
    assert sum(_indexed_pages(site / "pagefind" / bundle) for bundle in _bundles(site)) == 5
    assert 'data-bundles="pagefind/shard-0 pagefind/shard-1 pagefind/shard-2"' in (site / "search.html").read_text()
    assert len(started) == 3 and not any(folder.exists() for folder in started)  # the records, removed
    build_site(docs, tmp_path / "pages", search=False)
    assert build_site(docs, tmp_path / "pages").indexed  # from the written pages, a bundle at a time
    assert tree(site / "pagefind") == tree(tmp_path / "pages" / "pagefind")
    assert not list((tmp_path / "pages").glob(".pagefind-pages-*"))  # the folders of linked pages are gone


@pytest.mark.usefixtures("small_bundles")
def test_an_edit_makes_only_its_own_bundle_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs, out = built_fixture("basic", tmp_path)
    before = tree(out / "pagefind")
    started = _spy_on_pagefind(monkeypatch)
    shard = _new_words_in_queue_v1(docs)
    assert build_site(docs, out).indexed
    assert [folder.name for folder in started] == [f".pagefind-pages-{shard}"]
    after = tree(out / "pagefind")
    changed = {name.split("/")[0] for name in set(before) | set(after) if before.get(name) != after.get(name)}
    assert changed == {f"shard-{shard}"}
    build_site(docs, tmp_path / "fresh")
    assert after == tree(tmp_path / "fresh" / "pagefind")  # the same index as a first build's


@pytest.mark.usefixtures("small_bundles")
def test_a_missing_bundle_is_made_again_and_scratch_is_never_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, out = built_fixture("basic", tmp_path)
    whole = tree(out / "pagefind")
    shutil.rmtree(out / "pagefind" / "shard-1")
    (out / ".pagefind-pages-7").mkdir()  # as an interrupted index leaves it
    (out / ".pagefind-pages-7" / "x.html").write_text("<html><body data-pagefind-body>x</body></html>")
    started = _spy_on_pagefind(monkeypatch)
    assert build_site(docs, out).indexed  # nothing changed but the bundle that went missing
    assert [folder.name for folder in started] == [".pagefind-pages-1"]
    assert tree(out / "pagefind") == whole
    assert not list(out.glob(".pagefind-pages-*"))


def test_an_index_that_failed_is_made_whole_by_the_next_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs, out = built_fixture("basic", tmp_path)
    draft = docs / "area/draft-idea.md"
    draft.write_text(draft.read_text().replace("An idea being written.", "An idea about quokkas."))
    with monkeypatch.context() as missing:
        missing.setattr(search, "executable", lambda: None)
        failed = build_site(docs, out)
    assert not failed.indexed and any("pagefind binary is missing" in note for note in failed.notes)
    again = build_site(docs, out)  # nothing changed since: the index still lacks the quokkas
    assert again.indexed
    fresh = tmp_path / "fresh"
    build_site(docs, fresh)
    assert tree(out / "pagefind") == tree(fresh / "pagefind")
    for doc in docs.rglob("*.md"):
        doc.unlink()
    emptied = build_site(docs, out)
    assert emptied.pages == 0 and not (out / "pagefind").exists()  # no index of docs that are gone


@pytest.mark.usefixtures("small_bundles")
def test_a_stopped_index_has_its_bundles_made_by_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the preview server does: a newer build stops the index of the last one before it is in place."""
    docs, out = built_fixture("basic", tmp_path)
    shard = _new_words_in_queue_v1(docs)
    stopped = build_site(docs, out, index_later=True).pending
    assert stopped is not None
    stopped.stop()
    assert stopped.shards == {shard} and not stopped.indexed
    started = _spy_on_pagefind(monkeypatch)
    assert build_site(docs, out, reindex=stopped.shards).indexed  # no page changed since
    assert [folder.name for folder in started] == [f".pagefind-pages-{shard}"]
    build_site(docs, tmp_path / "fresh")
    assert tree(out / "pagefind") == tree(tmp_path / "fresh" / "pagefind")


def test_the_bundles_follow_the_size_of_the_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = copy_fixture("basic", tmp_path)
    out = tmp_path / "site"
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    build_site(docs, out)
    monkeypatch.setattr(search, "SHARD_PAGES", 2000)
    assert build_site(docs, out).indexed
    assert _bundles(out) == [] and (out / "pagefind" / "pagefind-entry.json").is_file()
    assert 'data-bundles="pagefind"' in (out / "search.html").read_text()
    monkeypatch.setattr(search, "SHARD_PAGES", 3)
    assert build_site(docs, out).indexed
    assert _bundles(out) == ["shard-0", "shard-1"]
    assert not (out / "pagefind" / "pagefind-entry.json").exists()


def test_output_folder_must_be_ours(tmp_path: Path) -> None:
    from designdoc.model.errors import UsageError

    docs = copy_fixture("basic", tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(UsageError, match="not a designdoc site"):
        build_site(docs, other)
    with pytest.raises(UsageError, match="must not contain the docs"):
        build_site(docs, tmp_path)
    assert (other / "keep.txt").read_text() == "mine"


def test_pagefind_filters_are_canonical(tmp_path: Path) -> None:
    docs = copy_fixture("basic", tmp_path)
    build_site(docs, tmp_path / "site")
    bundle = tmp_path / "site" / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    meta = search._read(bundle / f"pagefind.{entry['languages']['en']['hash']}.pf_meta")
    filters = dict(meta[3])
    assert sorted(filters) == ["status", "tag"]
    values = search._read(bundle / "filter" / f"{filters['status']}.pf_filter")
    assert [v[0] for v in values[1]] == sorted(v[0] for v in values[1])
    assert {v[0] for v in values[1]} == {"approved", "deprecated", "draft", "superseded"}


def test_cbor_round_trip() -> None:
    value = ["1.5.2", [["en_1", 760], ["x", -3]], search._Map([("k", True), ("n", None)]), b"\x00\xff", "é" * 30]
    assert search.cbor_decode(search.cbor_encode(value))[0] == value


# --------------------------------------------------------------------------- the command


def test_build_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = copy_fixture("basic", tmp_path)
    monkeypatch.chdir(docs.parent)
    result = CliRunner().invoke(cli, ["build", "docs", "-o", str(tmp_path / "out"), "--no-search"])
    assert result.exit_code == 0, result.output
    assert "Built 5 doc pages" in result.output
    assert (tmp_path / "out" / MANIFEST).is_file()


def test_build_shows_progress_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from designdoc.cli.main import main

    for copy in range(40):  # 200 docs and 40 walked files that are no doc: past the threshold
        shutil.copytree(SITE_FIXTURES / "basic" / "docs", tmp_path / "docs" / f"team{copy:02d}")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["build", "docs", "-o", "site"]) == 0
    err = capsys.readouterr().err
    assert "checked and rendered 240/240 files" in err and "indexing the pages for search" in err
    assert err.rstrip().splitlines()[-1].lstrip(" \r").startswith("Built 200 doc pages")  # the line was cleared
    monkeypatch.setattr(search, "SHARD_PAGES", 100)
    assert main(["build", "docs", "-o", "site3"]) == 0
    assert "indexing the pages for search (2/2 bundles)" in capsys.readouterr().err
    monkeypatch.setenv("CI", "true")
    assert main(["build", "docs", "-o", "site2", "--no-search"]) == 0
    assert "checked and rendered" not in capsys.readouterr().err


def test_check_does_not_import_the_site_stack(tmp_path: Path) -> None:
    code = (
        "import sys; from designdoc.cli.main import main; code = main(['check', 'examples']); "
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jinja2', 'starlette', 'uvicorn', 'pygments', 'nh3', 'watchfiles', 'markupsafe', 'pagefind', "
        "'designdoc.site', 'designdoc.site.serve') or m.startswith(('designdoc.site', 'designdoc.site.serve'))); "
        "print('HEAVY', heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr


def test_a_tampered_manifest_never_deletes_outside_the_site(tmp_path: Path) -> None:
    docs = copy_fixture("basic", tmp_path)
    out = tmp_path / "site"
    build_site(docs, out, search=False)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / "escape").symlink_to(tmp_path)
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"] += ["../victim.txt", "escape/victim.txt", str(victim)]
    (out / MANIFEST).write_text(json.dumps(manifest))
    build_site(docs, out, search=False)
    assert victim.read_text() == "keep me"
