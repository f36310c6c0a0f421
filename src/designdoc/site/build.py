"""Build the static site: gather every doc first, then render, then write (mkdocs' order).

    gather    one check run (`Checker.run(keep=True)`) gives the parsed docs, their findings
              and the catalog; nothing is read twice
    plan      a doc page is rendered again only when its text, its page context (title,
              findings, backlinks, successors …) or what one of its links resolves to has
              changed since the last build, or the site code itself changed; the manifest
              (`.designdoc-site.json` in the output folder) holds those input hashes
    render    Markdown → HTML in worker processes when many pages are due (fork, before any
              thread exists), else in this process
    write     pages, copied images and the site's static files; files of the last build that
              this one did not make are removed (only files the manifest lists, never others)
    search    pagefind indexes the doc pages when any of them changed

Same input, same bytes: no timestamps, everything sorted, the manifest holds only hashes.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import stat
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .. import __version__
from .. import catalog as catalog_module
from ..catalog import Entry
from ..config import Config
from ..diagnostics import Diagnostic
from ..errors import UsageError
from ..runner import Candidate, Checker, discover
from ..template import Template
from . import pages
from . import render as render_module
from .links import MANIFEST, SEARCH_DIR, STATIC_DIR, SiteMap, relative
from .render import Rendered
from .search import run_pagefind

PACKAGE = Path(__file__).resolve().parent
MANIFEST_FORMAT = 1
PARALLEL_FROM = 48  # pages due; fewer are rendered in this process (a worker costs ~50 ms to start)


@dataclass
class BuildResult:
    """What a build did."""

    pages: int = 0  # doc pages in the site
    rendered: int = 0  # doc pages rendered by this build
    written: int = 0  # files written (pages, assets, static files)
    removed: int = 0  # files of the previous build removed
    search: bool = False  # the site has a search index
    indexed: bool = False  # this build ran pagefind
    notes: list[str] = field(default_factory=list)  # one-line warnings


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


def gather(targets: Sequence[str], *, config: Config, template: Template, output: Path,
           today: object | None = None, candidates: list[Candidate] | None = None) -> pages.Site:
    """Check the docs under `targets` once; return the catalog with the parsed docs and findings."""
    if candidates is None:
        candidates = candidates_of(targets, config, output)
    checker = Checker(config, template, today_=today)  # type: ignore[arg-type]
    result = checker.run(candidates, keep=True)
    catalog = catalog_module.from_result(result, candidates, config=config, today=checker.today)
    documents = {doc.path: doc for doc in result.documents}
    findings: dict[str, list[Diagnostic]] = {}
    for d in result.diagnostics:
        findings.setdefault(d.path, []).append(d)
    sitemap = SiteMap(docs_root(targets), documents, project_root=config.root, output=output)
    successors, predecessors, backlinks = pages.relations(catalog)
    return pages.Site(catalog, documents, findings, sitemap, config.stale_days, successors, predecessors, backlinks)


def _inside(path: str, folder: str) -> bool:
    return os.path.commonpath((folder, path)) == folder


# --------------------------------------------------------------------------- build


def build(targets: Sequence[str], output: Path, *, config: Config, template: Template, today: object | None = None,
          jobs: int | None = None, search: bool = True) -> BuildResult:
    """Build (or bring up to date) the site for the docs under `targets` in `output`."""
    output = Path(output)
    root = docs_root(targets)
    _check_output(output, root)
    previous = _load_manifest(output)
    candidates = candidates_of(targets, config, output)
    workers = _workers(jobs, len(candidates))
    # a first build renders every page: start rendering while the check runs (see _Speculation)
    speculation = _Speculation(candidates, root, config, template, workers) \
        if workers > 1 and not previous.get("pages") else None
    try:
        site = gather(targets, config=config, template=template, output=output, today=today, candidates=candidates)
        return _Builder(site, output, previous, template, jobs, speculation).run(search=search)
    finally:
        if speculation is not None:
            speculation.close()


def _check_output(output: Path, root: Path) -> None:
    """Refuse an output folder that holds the docs, or that is something else's folder."""
    out = os.path.realpath(output)
    if _inside(os.path.realpath(root), out):
        raise UsageError(f"{output}: the output folder must not contain the docs it publishes")
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output}: not a folder")
    if output.is_dir() and any(output.iterdir()) and not (output / MANIFEST).is_file():
        raise UsageError(f"{output}: not empty and not a designdoc site (no {MANIFEST}); "
                         "choose an empty or new folder")


def _load_manifest(output: Path) -> dict:
    try:
        manifest = json.loads((output / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) and manifest.get("format") == MANIFEST_FORMAT else {}


class _Builder:
    """One build: decides what is due, renders it, writes it."""

    def __init__(self, site: pages.Site, output: Path, previous: dict, template: Template, jobs: int | None,
                 speculation: _Speculation | None = None) -> None:
        self.site = site
        self.speculation = speculation
        self.output = output
        self.previous = previous if previous.get("fingerprint") == fingerprint() else {}
        self.previous_files: list[str] = previous.get("files", [])  # removed when not made again, whatever made them
        self.old_pages: dict = self.previous.get("pages", {})
        self.section_levels = template.section_levels
        self.jobs = jobs
        self.result = BuildResult()
        self.files: set[str] = set()
        self.page_records: dict[str, dict] = {}
        self.changed_pages = False

    def run(self, *, search: bool) -> BuildResult:
        """Render and write what is due; return what was done."""
        entries = [e for e in self.site.catalog.entries if e.path in self.site.documents]
        due, contexts = self._plan(entries)
        self._write_doc_pages(due, contexts)
        self._write_static()
        self._write_page("index.html", "catalog.html", pages.catalog_context(self.site))
        self._write_page("dashboard.html", "dashboard.html", pages.dashboard_context(self.site))
        self._write_page("search.html", "search.html", {"page": "search.html", "root": "", "search": search})
        self._copy_assets()
        self._remove_stale()
        if search and (self.changed_pages or not (self.output / SEARCH_DIR).is_dir()):
            self.result.search = self.result.indexed = run_pagefind(self.output, self.result.notes)
        elif search:
            self.result.search = True
        self._write_manifest()
        self.result.pages = len(entries)
        return self.result

    # ---- plan

    def _plan(self, entries: list[Entry]) -> tuple[list[Entry], dict[str, dict]]:
        """Return the docs whose page must be rendered, and every doc's page context."""
        due: list[Entry] = []
        contexts: dict[str, dict] = {}
        for entry in entries:
            context = pages.doc_context(self.site, entry)
            contexts[entry.path] = context
            page = context["page"]
            record = {"text": render_module.text_hash(self.site.documents[entry.path].text),
                      "context": _hash(context)}
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

    def _write_doc_pages(self, due: list[Entry], contexts: dict[str, dict]) -> None:
        jobs_ = [self._job(entry) for entry in due]
        for entry, rendered in zip(due, self._render_all(jobs_), strict=True):
            context = contexts[entry.path]
            page = context["page"]
            self.page_records[page].update(page=page, links=[list(link) for link in rendered.links],
                                           assets=[dest for dest, _ in rendered.assets])
            html = render_page("doc.html", {**context, "body": rendered.html, "toc": rendered.toc,
                                            "mermaid": rendered.mermaid})
            self._write(page, html.encode("utf-8"))
            self.result.rendered += 1
            self.changed_pages = True
        removed = set(self.old_pages) - set(self.page_records)
        if removed:
            self.changed_pages = True

    def _job(self, entry: Entry) -> tuple:
        doc = self.site.documents[entry.path]
        body = "\n".join(doc.lines[doc.body_line - 1:])
        title_line = doc.title_heading.line if doc.title_heading is not None else None
        return (entry.path, body, doc.body_line, title_line, self.section_levels)

    def _render_all(self, jobs_: list[tuple]) -> list[Rendered]:
        """Render the due pages: taken from the speculative renders when their inputs held, else here or in a pool."""
        done: dict[int, Rendered] = {}
        if self.speculation is not None:
            for n, job in enumerate(jobs_):
                guess = self.speculation.take(job[0])
                if guess is not None and self._still_valid(job, guess):
                    done[n] = guess[1]
        missing = [n for n in range(len(jobs_)) if n not in done]
        workers = _workers(self.jobs, len(missing))
        if workers <= 1:
            done.update((n, _render_job(jobs_[n], self.site.sitemap)) for n in missing)
        else:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                     initargs=(self.site.sitemap, None)) as pool:
                chunk = max(1, len(missing) // (workers * 8))
                done.update(zip(missing, pool.map(_render_in_worker, [jobs_[n] for n in missing], chunksize=chunk)))
        return [done[n] for n in range(len(jobs_))]

    def _still_valid(self, job: tuple, guess: tuple[str, Rendered]) -> bool:
        """Return True when a speculative render had the inputs the real one has (text, title, link targets)."""
        path, _, _, title_line, _ = job
        text_sha, rendered = guess
        if text_sha != render_module.text_hash(self.site.documents[path].text) or rendered.title_line != title_line:
            return False
        assets = set()
        for href, was in rendered.links:
            target = self.site.sitemap.resolve(path, href)
            if target.href != was:
                return False
            if target.asset is not None:
                assets.add((target.asset, target.source))
        return assets == set(rendered.assets)

    def _write_static(self) -> None:
        for source in sorted(static_files()):
            relative_path = f"{STATIC_DIR}/{source.relative_to(PACKAGE / 'static').as_posix()}"
            if self.previous and (self.output / relative_path).is_file():
                self.files.add(relative_path)
                continue
            self._write(relative_path, source.read_bytes())
        css = f"{STATIC_DIR}/pygments.css"
        if not (self.previous and (self.output / css).is_file()):
            self._write(css, render_module.pygments_css().encode("utf-8"))
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

    def _write_manifest(self) -> None:
        manifest = {"format": MANIFEST_FORMAT, "fingerprint": fingerprint(), "pages": self.page_records,
                    "assets": self.assets, "files": sorted(self.files)}
        self._write(MANIFEST, (json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode(),
                    only_if_changed=True, track=False)

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


def _workers(jobs: int | None, due: int) -> int:
    """Return how many render processes to use for `due` pages (1: render here)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if jobs is not None:
        return max(1, min(jobs, due))
    if due < PARALLEL_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _prune(folder: Path, top: Path) -> None:
    """Remove folders left empty by a removed page, up to the output folder."""
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _hash(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


# --------------------------------------------------------------------------- rendering (also in workers)

_WORKER: dict = {}  # what a render process was given: the site map, and the template (speculation)


def _init_worker(sitemap: SiteMap, template: Template | None) -> None:
    _WORKER["sitemap"], _WORKER["template"] = sitemap, template


def _render_in_worker(job: tuple) -> Rendered:
    return _render_job(job, _WORKER["sitemap"])


def _render_job(job: tuple, sitemap: SiteMap) -> Rendered:
    path, body, first_line, title_line, levels = job
    return render_module.render(body, first_line=first_line, title_line=title_line, section_levels=levels,
                                resolve=lambda href: sitemap.resolve(path, href))


class _Speculation:
    """Render every candidate in worker processes while the main process checks the docs.

    A first build renders every doc, and rendering does not need the check's results,
    only the doc's text, its title heading and what its links point at.  The workers
    guess those (every `.md` candidate counts as a doc; the title heading is found as
    `document.py` finds it); `_Builder._still_valid` keeps a guess only when the
    check's view agrees, and the others are rendered again.  Files are read as the
    check reads them: a regular file under the size limit, valid UTF-8.
    """

    def __init__(self, candidates: list[Candidate], root: Path, config: Config, template: Template,
                 workers: int) -> None:
        from ..runner import display

        sitemap = SiteMap(root, [display(c.path) for c in candidates], project_root=config.root)
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                        initializer=_init_worker, initargs=(sitemap, template))
        jobs_ = [(display(c.path), str(c.path), config.max_file_size) for c in candidates]
        self.results = self.pool.map(_speculate, jobs_, chunksize=max(1, len(jobs_) // (workers * 8)))
        self.found: dict[str, tuple[str, Rendered]] | None = None

    def take(self, path: str) -> tuple[str, Rendered] | None:
        """Return the (text hash, render) guessed for the doc at `path`, if any."""
        if self.found is None:
            self.found = {result[0]: result[1:] for result in self.results if result is not None}
        return self.found.pop(path, None)

    def close(self) -> None:
        """Stop the workers."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def _speculate(job: tuple[str, str, int]) -> tuple[str, str, Rendered] | None:
    """Read and render one candidate in a worker; None when the check would not read it either."""
    from ..document import decode
    from ..template import section_key

    shown, path, limit = job
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None  # never open a FIFO or a device
        with open(path, "rb") as handle:
            text, _ = decode(handle.read(limit + 1))
    except (OSError, UnicodeDecodeError):
        return None
    template: Template = _WORKER["template"]
    sitemap: SiteMap = _WORKER["sitemap"]
    body, first_line = render_module.body_of(text)
    rendered = render_module.render(
        body, first_line=first_line, section_levels=template.section_levels,
        resolve=lambda href: sitemap.resolve(shown, href),
        is_section=lambda heading: template.find_section(section_key(heading)) is not None)
    return shown, render_module.text_hash(text), rendered


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(PACKAGE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.filters["page_href"] = lambda page, here: relative(here, page)
    return env


def render_page(template_name: str, context: dict) -> str:
    """Render one page template (autoescaped, undefined names are errors)."""
    from markupsafe import Markup

    if "body" in context:
        context = {**context, "body": Markup(context["body"])}  # sanitised by render.py
    return _environment().get_template(template_name).render(**context)


def static_files() -> list[Path]:
    """Return the site's static files (CSS, JS, vendored Mermaid and its licence)."""
    return [p for p in (PACKAGE / "static").rglob("*") if p.is_file() and not p.name.startswith(".")]


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Return a hash of the site code, templates, static files and renderer versions.

    A build by other code renders every page again.
    """
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    for name in ("markdown-it-py", "mdit-py-plugins", "pygments", "nh3", "jinja2"):
        digest.update(f"{name}={_version(name)}".encode())
    return digest.hexdigest()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"
