"""Build the static site: gather every doc first, then render, then write (mkdocs' order).

    gather    one check run gives each doc's findings and its `Source` (catalog entry,
              body, rendered body: see source.py), made in the check's worker processes;
              nothing is read twice and no Document is kept
    plan      a doc page is written again only when its text, its page context (title,
              findings, backlinks, successors …) or what one of its links resolves to has
              changed since the last build, or the site code itself changed; the manifest
              (`.designdoc-site.json` in the output folder) holds those input hashes
    render    bodies the workers did not render (their text had not changed, or a link
              turned out to point elsewhere) are rendered here, or in a pool when many
    write     pages, copied images and the site's static files; files of the last build that
              this one did not make are removed (only files the manifest lists, never others)
    search    pagefind indexes the doc pages: during the check on a first build (each page
              as its doc comes back from a worker), else from the written pages when any changed

Same input, same bytes: no timestamps, everything sorted, the manifest holds only hashes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from designdoc.catalog import entries as catalog_module
from designdoc.catalog.entries import Entry
from designdoc.check import pool
from designdoc.check.runner import Checker
from designdoc.check.workspace import Project
from designdoc.files.discovery import Candidate, discover, display
from designdoc.model.diagnostics import Diagnostic
from designdoc.model.errors import UsageError
from designdoc.model.settings import Config
from designdoc.parse.template import Template
from designdoc.site import pages
from designdoc.site.links import MANIFEST, SEARCH_DIR, STATIC_DIR, SiteMap
from designdoc.site.render import Rendered, pygments_css
from designdoc.site.search import SearchIndex, bundle_folder, shard_count, shard_of
from designdoc.site.source import Extractor, Source, body_of, render_body, still_valid
from designdoc.site.theme import (
    PACKAGE,
    fingerprint,
    render_page,
    search_record,
    static_files,
)

Progress = Callable[[str, int, int], None]  # (stage, done, total): "check" per file, then "index" per bundle
MANIFEST_FORMAT = 2
PARALLEL_FROM = 48  # pages to render after the check; fewer are rendered in this process (a worker costs ~50 ms)


@dataclass
class BuildResult:
    """What a build did."""

    pages: int = 0  # doc pages in the site
    rendered: int = 0  # doc pages rendered by this build
    written: int = 0  # files written (pages, assets, static files)
    removed: int = 0  # files of the previous build removed
    search: bool = False  # the site has a search index
    indexed: bool = False  # this build indexed the pages
    notes: list[str] = field(default_factory=list)  # one-line warnings
    pending: SearchIndex | None = field(default=None, repr=False)  # `index_later`: the running index, to `finish`


# --------------------------------------------------------------------------- gather


def docs_root(targets: Sequence[str]) -> Path:
    """Return the folder the pages mirror: the one folder given, else the deepest folder holding every target."""
    folders = [os.path.abspath(t) if os.path.isdir(t) else os.path.dirname(os.path.abspath(t)) for t in targets]
    return Path(os.path.commonpath(folders))


def candidates_of(targets: Sequence[str], config: Config, output: Path) -> list[Candidate]:
    """Return the files to check, without any inside the output folder."""
    candidates, _ = discover(targets, config)
    out = os.path.realpath(output)
    return [c for c in candidates if not _inside(os.path.realpath(c.path), out)]


def gather(
    targets: Sequence[str],
    *,
    config: Config,
    template: Template,
    output: Path,
    today: object | None = None,
    candidates: list[Candidate] | None = None,
    jobs: int | None = None,
    unchanged: dict[str, str] | None = None,
    records: _Records | None = None,
    progress: Progress | None = None,
) -> pages.Site:
    """Check the docs under `targets` once; return the catalog with each doc's `Source` and findings.

    `unchanged` (page → text hash of its last render) spares the workers rendering docs
    whose text is the same; `records` receives each doc's search record as it comes back.
    """
    if candidates is None:
        candidates = candidates_of(targets, config, output)
    root = docs_root(targets)
    checker = Checker(config, template, today_=today)
    guessed = SiteMap(root, [display(c.path) for c in candidates], project_root=config.root, output=output)
    extract = Extractor(
        guessed,
        template.section_levels,
        checker.today,
        Project.of(config, candidates),
        config.root,
        unchanged or {},
        config.lifecycle,
    )
    result = checker.run(
        candidates,
        extract=extract,
        jobs=jobs,
        progress=_ticks(progress, len(candidates)),
        on_extract=(lambda s: records.add(guessed.page_of(s.entry.path), s)) if records is not None else None,
    )
    sources: dict[str, Source] = {s.entry.path: s for s in result.extracted}
    catalog = catalog_module.finish([s.entry for s in sources.values()], result, candidates, config)
    sitemap = SiteMap(root, sources, project_root=config.root, output=output)
    if sitemap.pages != guessed.pages:  # a candidate was no doc: keep the renders whose links did not change
        sources = {
            path: s
            if s.rendered is None or still_valid(path, s.rendered, sitemap)
            else dataclasses.replace(s, rendered=None)
            for path, s in sources.items()
        }
    findings: dict[str, list[Diagnostic]] = {}
    owner_of = {e.sidecar: e.path for e in catalog.entries if e.sidecar is not None}  # a sidecar's findings
    for d in result.diagnostics:
        findings.setdefault(owner_of.get(d.path, d.path), []).append(d)
    successors, predecessors, backlinks = pages.relations(catalog)
    return pages.Site(catalog, sources, findings, sitemap, config.stale_days, successors, predecessors, backlinks)


def _ticks(progress: Progress | None, total: int) -> Callable[[], None] | None:
    """Return the check's per-file callback that reports ("check", done, total)."""
    if progress is None:
        return None
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        progress("check", done, total)

    return tick


def _inside(path: str, folder: str) -> bool:
    return os.path.commonpath((folder, path)) == folder


# --------------------------------------------------------------------------- build


def build(
    targets: Sequence[str],
    output: Path,
    *,
    config: Config,
    template: Template,
    today: object | None = None,
    jobs: int | None = None,
    search: bool = True,
    index_later: bool = False,
    reindex: bool | AbstractSet[int] = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build (or bring up to date) the site for the docs under `targets` in `output`.

    With `index_later` the search index, when one is due, is left running in
    `BuildResult.pending` for the caller to `finish` (or `stop`): the preview server
    reloads pages without waiting for it.  `reindex` makes bundles of the index again even
    if none of their pages changed: these (`SearchIndex.shards` of an index that was
    stopped before it was in place), or with True all of them.  `progress` hears ("check", done,
    total) for each file checked, then ("index", made, total) for the bundles of the search
    index while the build waits for pagefind.
    """
    output = Path(output)
    _check_output(output, docs_root(targets))
    previous = _load_manifest(output)
    old_pages: dict = previous.get("pages", {})
    # a first build indexes every page: write each one's search record while the check runs
    candidates = candidates_of(targets, config, output)
    records = _Records(len(candidates)) if search and not old_pages and not index_later else None
    try:
        site = gather(
            targets,
            config=config,
            template=template,
            output=output,
            today=today,
            jobs=jobs,
            candidates=candidates,
            records=records,
            progress=progress,
            unchanged={page: record["text"] for page, record in old_pages.items()},
        )
        return _Builder(site, output, previous, template, jobs, records, progress).run(
            search=search, index_later=index_later, reindex=reindex
        )
    finally:
        if records is not None:
            records.close()


def _check_output(output: Path, root: Path) -> None:
    """Refuse an output folder that holds the docs, or that is something else's folder."""
    out = os.path.realpath(output)
    if _inside(os.path.realpath(root), out):
        raise UsageError(f"{output}: the output folder must not contain the docs it publishes")
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output}: not a folder")
    if output.is_dir() and any(output.iterdir()) and not (output / MANIFEST).is_file():
        raise UsageError(f"{output}: not empty and not a designdoc site (no {MANIFEST}); choose an empty or new folder")


def _load_manifest(output: Path) -> dict:
    """Return the last build's manifest; empty when there is none, or when other code made it."""
    try:
        manifest = json.loads((output / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(manifest, dict):
        return {}
    if manifest.get("format") != MANIFEST_FORMAT or manifest.get("fingerprint") != fingerprint():
        # made by other code: every page is rendered again, and what it wrote is still removed when not made again
        files = manifest.get("files")
        return {"files": [f for f in files if isinstance(f, str)]} if isinstance(files, list) else {}
    return manifest


class _Records:
    """The search records of a first build's pages, written to a temporary folder as the check returns each doc.

    pagefind can index them as soon as the check ends, if every page went in as it is
    finally written: at the page it has on the site, with the body the page shows, in the
    bundle the final count of pages gives it.  Otherwise (a walked file that was no doc
    moved a page or a link, a body came from the cache unrendered) the build indexes the
    written pages instead.
    """

    def __init__(self, pages: int) -> None:
        self._folder: tempfile.TemporaryDirectory | None = None
        self.count = shard_count(pages)  # bundles, if every walked file is a doc
        self.pages: set[str] = set()
        self.valid = True

    @property
    def folder(self) -> Path:
        """Return the folder of records (pages of their own, at their pages' paths, in one folder per bundle)."""
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="designdoc-search-")
        return Path(self._folder.name)

    def add(self, page: str, source: Source) -> None:
        """Write a doc's search record (the check's worker rendered its body)."""
        if source.rendered is None:
            self.valid = False
        if not self.valid:
            return
        path = self.folder / str(shard_of(page, self.count)) / page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(search_record(source), "utf-8")
        self.pages.add(page)

    def jobs(self, pages_: set[str]) -> list[tuple[int, Path]] | None:
        """Return the index's jobs (bundle, folder of records) when the records are exactly the site's doc pages."""
        if not (self.valid and self.pages and self.pages == pages_ and shard_count(len(pages_)) == self.count):
            return None
        return [(shard, self.folder / str(shard)) for shard in sorted({shard_of(p, self.count) for p in pages_})]

    def invalidate(self) -> None:
        """Say that the pages are not all as their records."""
        self.valid = False

    def close(self) -> None:
        """Remove the records."""
        if self._folder is not None:
            self._folder.cleanup()


class _Builder:
    """One build: decides what is due, renders it, writes it."""

    def __init__(
        self,
        site: pages.Site,
        output: Path,
        previous: dict,
        template: Template,
        jobs: int | None,
        records: _Records | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.site = site
        self.output = output
        self.previous = previous if "fingerprint" in previous else {}  # made by this code: its files can stay
        self.previous_files: list[str] = previous.get("files", [])  # removed when not made again, whatever made them
        self.old_pages: dict = previous.get("pages", {})
        self.section_levels = template.section_levels
        self.jobs = jobs
        self.records = records
        self.progress = progress
        self.result = BuildResult()
        self.files: set[str] = set()
        self.page_records: dict[str, dict] = {}
        self.changed_pages: set[str] = set()  # pages added, removed, or changed in what search indexes

    def run(self, *, search: bool, index_later: bool = False, reindex: bool | AbstractSet[int] = False) -> BuildResult:
        """Render and write what is due; return what was done."""
        for leftover in self.output.glob(f".{SEARCH_DIR}-pages-*"):  # an interrupted index's: never publish them
            shutil.rmtree(leftover, ignore_errors=True)
        entries = [e for e in self.site.catalog.entries if e.path in self.site.sources]
        due, contexts = self._plan(entries)
        rendered = self._rendered(due)
        count = shard_count(len(self.page_records))
        bundles = sorted({shard_of(page, count) for page in self.page_records})  # those holding a page
        indexing = None
        jobs = self.records.jobs(set(self.page_records)) if search and self.records is not None else None
        if jobs is not None:
            indexing = SearchIndex(self.output, count, jobs)
            indexing.start()  # runs while the pages are written
        try:
            self._write_doc_pages(due, contexts, rendered)
            self._write_static()
            self._write_page("index.html", "catalog.html", pages.catalog_context(self.site))
            self._write_page("dashboard.html", "dashboard.html", pages.dashboard_context(self.site))
            self._write_page(
                "search.html",
                "search.html",
                {
                    "page": "search.html",
                    "root": "",
                    "search": search,
                    "bundles": [bundle_folder(b, count) for b in bundles],
                },
            )
            self._copy_assets()
            self._remove_stale()
        except BaseException:
            if indexing is not None:
                indexing.stop()
            raise
        if indexing is None and search:
            shards = self._shards_to_index(count, bundles, reindex)
            if shards:
                indexing = self._index(count, shards, [b for b in bundles if b not in shards])
                indexing.start()
        if indexing is not None and index_later:
            self.result.search, self.result.pending = True, indexing
        elif indexing is not None:
            progress = self.progress
            if progress is not None:
                progress("index", 0, len(indexing.shards))
            self.result.search = self.result.indexed = indexing.finish(
                self.result.notes, (lambda made, total: progress("index", made, total)) if progress else None
            )
        elif search:
            self.result.search = True
            if not bundles:  # no doc left: no index of docs that are gone
                shutil.rmtree(self.output / SEARCH_DIR, ignore_errors=True)
        failed = indexing is not None and not index_later and not self.result.indexed
        self._write_manifest(0 if failed else count)  # after a failed index, the next build makes all of it
        self.result.pages = len(entries)
        return self.result

    # ---- plan

    def _plan(self, entries: list[Entry]) -> tuple[list[Entry], dict[str, dict]]:
        """Return the docs whose page must be written, and every doc's page context."""
        due: list[Entry] = []
        contexts: dict[str, dict] = {}
        for entry in entries:
            context = pages.doc_context(self.site, entry)
            contexts[entry.path] = context
            page = context["page"]
            record = {"text": self.site.sources[entry.path].text_hash, "context": _hash(context)}
            old = self.old_pages.get(page)
            if old is not None and self._unchanged(entry, page, old, record):
                self.page_records[page] = old
                self.files.add(page)
            else:
                due.append(entry)
                self.page_records[page] = record
        return due, contexts

    def _unchanged(self, entry: Entry, page: str, old: dict, record: dict) -> bool:
        """Return True when the page on disk is what rendering it again would give."""
        if old.get("text") != record["text"] or old.get("context") != record["context"]:
            return False
        if not (self.output / page).is_file():
            return False
        resolve = self.site.sitemap.resolve
        return all(resolve(entry.path, href).href == was for href, was in old.get("links", ()))

    # ---- render and write

    def _write_doc_pages(self, due: list[Entry], contexts: dict[str, dict], bodies: list[Rendered]) -> None:
        for entry, rendered in zip(due, bodies, strict=True):
            context = contexts[entry.path]
            page = context["page"]
            # what search indexes of the page: a page whose findings or backlinks changed needs no new index
            indexed = _hash([pages.indexed_context(self.site.sources[entry.path]), rendered.html])
            if self.old_pages.get(page, {}).get("indexed") != indexed:
                self.changed_pages.add(page)
            self.page_records[page].update(
                page=page,
                links=[list(link) for link in rendered.links],
                assets=[dest for dest, _ in rendered.assets],
                indexed=indexed,
            )
            html = render_page(
                "doc.html", {**context, "body": rendered.html, "toc": rendered.toc, "mermaid": rendered.mermaid}
            )
            self._write(page, html.encode("utf-8"))
            self.result.rendered += 1
        self.changed_pages |= set(self.old_pages) - set(self.page_records)

    # ---- search

    def _shards_to_index(self, count: int, bundles: list[int], reindex: bool | AbstractSet[int]) -> set[int]:
        """Return the bundles to make again: those holding a page added, removed or changed in what search indexes.

        Every bundle is made again when their number changed, or one was left empty.
        """
        live = self.output / SEARCH_DIR
        before = {shard_of(page, count) for page in self.old_pages}
        if (
            reindex is True
            or not live.is_dir()
            or self.previous.get("search_shards", 1) != count
            or before != set(bundles)
        ):
            return set(bundles)
        due = {shard_of(page, count) for page in self.changed_pages} | (set(reindex or ()) & set(bundles))
        if count > 1:
            due |= {shard for shard in bundles if not (live / f"shard-{shard}").is_dir()}
        return due

    def _index(self, count: int, shards: set[int], keep: list[int]) -> SearchIndex:
        """Return the index run for `shards` over the written pages: the site itself, or one folder per bundle."""
        if count == 1:
            return SearchIndex(self.output, 1, [(0, self.output)])
        jobs = [(shard, self._bundle_pages(shard, count)) for shard in sorted(shards)]
        return SearchIndex(self.output, count, jobs, keep=keep, scratch=[folder for _, folder in jobs])

    def _bundle_pages(self, shard: int, count: int) -> Path:
        """Return a folder holding the written doc pages of one bundle (hard links; copies where links fail)."""
        folder = self.output / f".{SEARCH_DIR}-pages-{shard}"
        shutil.rmtree(folder, ignore_errors=True)
        for page in sorted(self.page_records):
            if shard_of(page, count) != shard:
                continue
            target = folder / page
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self.output / page, target)
            except OSError:
                shutil.copyfile(self.output / page, target)
        return folder

    def _rendered(self, due: list[Entry]) -> list[Rendered]:
        """Return the due docs' rendered bodies: the workers', else rendered now (in a pool when many)."""
        sources = self.site.sources
        done: dict[int, Rendered] = {
            n: sources[e.path].rendered for n, e in enumerate(due) if sources[e.path].rendered is not None
        }
        missing = [n for n in range(len(due)) if n not in done]
        if missing and self.records is not None:
            self.records.invalidate()
        jobs_ = [(due[n].path, sources[due[n].path]) for n in missing]
        workers = pool.workers(len(jobs_), self.jobs, parallel_from=PARALLEL_FROM)
        if workers <= 1:
            done.update(
                (n, _render_job(job, self.site.sitemap, self.section_levels))
                for n, job in zip(missing, jobs_, strict=True)
            )
        else:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(
                workers, mp_context=context, initializer=_init_worker, initargs=(self.site.sitemap, self.section_levels)
            ) as executor:
                chunk = max(1, len(jobs_) // (workers * 8))
                done.update(zip(missing, executor.map(_render_in_worker, jobs_, chunksize=chunk), strict=True))
        return [done[n] for n in range(len(due))]

    def _write_static(self) -> None:
        for source in sorted(static_files()):
            relative_path = f"{STATIC_DIR}/{source.relative_to(PACKAGE / 'static').as_posix()}"
            if self.previous and (self.output / relative_path).is_file():
                self.files.add(relative_path)
                continue
            self._write(relative_path, source.read_bytes())
        self._write(
            f"{STATIC_DIR}/lifecycle.css",
            pages.lifecycle_css(self.site.catalog.lifecycle).encode(),
            only_if_changed=True,
        )
        css = f"{STATIC_DIR}/pygments.css"
        if not (self.previous and (self.output / css).is_file()):
            self._write(css, pygments_css().encode("utf-8"))
        self.files.add(css)

    def _write_page(self, page: str, template_name: str, context: dict) -> None:
        self._write(page, render_page(template_name, context).encode("utf-8"), only_if_changed=True)

    def _copy_assets(self) -> None:
        """Copy the files the pages link to; each is checked again to lie inside the docs tree."""
        old = self.previous.get("assets", {})
        assets: dict[str, str] = {}
        for record in self.page_records.values():
            for dest in record.get("assets", ()):
                target = os.path.join(self.site.sitemap.root, dest)
                if self.site.sitemap.asset_path(target) == dest:
                    assets[dest] = os.path.realpath(target)
        self.assets: dict[str, str] = {}
        for dest, source in sorted(assets.items()):
            data = Path(source).read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            self.assets[dest] = digest
            if old.get(dest) == digest and (self.output / dest).is_file():
                self.files.add(dest)
            else:
                self._write(dest, data)

    def _remove_stale(self) -> None:
        for name in sorted(set(self.previous_files) - self.files):
            path = self.output / name
            inside = _inside(os.path.realpath(path.parent), os.path.realpath(self.output))  # the manifest is input too
            if inside and path.is_file() and not path.is_symlink():
                path.unlink()
                self.result.removed += 1
                _prune(path.parent, self.output)

    def _write_manifest(self, search_shards: int) -> None:
        manifest = {
            "format": MANIFEST_FORMAT,
            "fingerprint": fingerprint(),
            "pages": self.page_records,
            "assets": self.assets,
            "files": sorted(self.files),
            "search_shards": search_shards,
        }
        self._write(
            MANIFEST,
            (json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode(),
            only_if_changed=True,
            track=False,
        )

    def _write(self, name: str, data: bytes, *, only_if_changed: bool = False, track: bool = True) -> None:
        """Write one file of the site atomically (never outside the output folder)."""
        path = self.output / name
        if not _inside(os.path.realpath(path), os.path.realpath(self.output)):
            raise UsageError(f"{name}: would be written outside {self.output}")
        if track:
            self.files.add(name)
        if only_if_changed and path.is_file() and path.read_bytes() == data:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_bytes(data)
        os.replace(temp, path)
        self.result.written += 1


def _prune(folder: Path, top: Path) -> None:
    """Remove folders left empty by a removed page, up to the output folder."""
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _hash(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


# --------------------------------------------------------------------------- rendering (also in workers)

_WORKER: dict = {}  # what a render process was given: the site map and the section levels


def _init_worker(sitemap: SiteMap, section_levels: int) -> None:
    _WORKER["sitemap"], _WORKER["levels"] = sitemap, section_levels


def _render_in_worker(job: tuple[str, Source]) -> Rendered:
    return _render_job(job, _WORKER["sitemap"], _WORKER["levels"])


def _render_job(job: tuple[str, Source], sitemap: SiteMap, section_levels: int) -> Rendered:
    path, source = job
    return render_body(path, body_of(source), source.body_line, source.title_line, section_levels, sitemap)
