"""What the site takes from each doc, made where the check parses it (its worker, too).

A build checks every doc once with `Checker.run(extract=…)`: the worker that parses a
doc also renders its body, so the check and the rendering share one read, one decode
and one process, and no Document crosses back to the main process.  What comes back is
a `Source`: the doc's catalog entry, the few front-matter lists the page shows, and its
rendered body (or, when it was not rendered, its body).

Rendering needs to know what each link points at, which depends on which files are
docs.  The workers assume every candidate is one (`SiteMap` of the candidates); the main
process keeps a render only when that assumption held for the links it contains (see
`still_valid`), so a walked file that turned out not to be a doc costs a re-render of
the pages that link to it, never a wrong link.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designdoc.catalog.entries import (
    Entry,
    entry_of,
    people,
    resolve_references,
    written_references,
)
from designdoc.check.workspace import Project
from designdoc.model.errors import UsageError
from designdoc.model.lifecycle import Lifecycle
from designdoc.model.text import decode, split_lines, text_hash
from designdoc.parse.document import Document
from designdoc.site import render as render_module
from designdoc.site.links import SiteMap
from designdoc.site.render import Rendered


@dataclass(frozen=True, slots=True)
class Source:
    """One doc as the site needs it."""

    entry: Entry  # before the run's findings and commit dates are added
    text_hash: str  # of the whole file: the manifest's key for "its text changed"
    body: str | None  # the text after the front matter (None when rendered, or from the cache: read again if needed)
    body_line: int  # the file line `body` starts on
    title_line: int | None  # the file line of the title heading, if it has one
    reviewers: tuple[str, ...]
    approvers: tuple[str, ...]
    references: tuple[tuple[str, ...], tuple[str, ...]]  # supersedes, superseded_by, as written
    rendered: Rendered | None  # None: not rendered (its text is what the last build rendered, or from the cache)

    @property
    def has_title_heading(self) -> bool:
        """Return True when the doc's own H1 is the page's title."""
        return self.title_line is not None


@dataclass(frozen=True)
class Extractor:
    """Turns a parsed doc into its `Source`; called by the check where the doc is parsed.

    `unchanged` maps a page to the text hash it was last rendered from: such a doc is not
    rendered here (its page is rendered again only if something else on it changed).

    Sources are kept in the check cache (a `CachedExtract`) without their body, render and
    resolved references: a rebuild after no or few edits parses only the edited docs.
    The cache's settings fingerprint covers the config, template and date they depend on.
    """

    cache_tag = "site-source-2"

    sitemap: SiteMap  # every candidate taken for a doc
    section_levels: int
    today: dt.date
    project: Project
    root: Path | None
    unchanged: dict[str, str]
    lifecycle: Lifecycle

    def __call__(self, doc: Document) -> Source:
        digest = text_hash(doc.text)
        body = "\n".join(doc.lines[doc.body_line - 1 :])
        title_line = doc.title_heading.line if doc.title_heading is not None else None
        rendered = None
        if self.unchanged.get(self.sitemap.page_of(doc.path)) != digest:
            rendered = render_body(doc.path, body, doc.body_line, title_line, self.section_levels, self.sitemap)
        kept = body if rendered is None else None  # a render redone (rare) reads the body again: `body_of`
        return Source(
            entry_of(doc, self.today, self.project, self.root, self.lifecycle),
            digest,
            kept,
            doc.body_line,
            title_line,
            people(doc.role("reviewers"), split=not doc.spec.builtin),
            people(doc.role("approvers"), split=not doc.spec.builtin),
            written_references(doc, self.lifecycle),
            rendered,
        )

    def for_cache(self, source: Source) -> tuple:
        """Return a source as the cache keeps it: what depends on the doc's text alone, as plain tuples.

        Tuples unpickle several times faster than dataclasses: `check` loads them too.
        """
        entry = dataclasses.replace(source.entry, supersedes=(), superseded_by=())
        return (
            dataclasses.astuple(entry),
            source.text_hash,
            source.body_line,
            source.title_line,
            source.reviewers,
            source.approvers,
            source.references,
        )

    def from_cache(self, stored: Any) -> Source:
        """Return a cached source, with its references resolved among today's files."""
        fields, digest, body_line, title_line, reviewers, approvers, references = stored
        entry = Entry(*fields)
        supersedes, superseded_by = (resolve_references(entry.path, refs, self.project) for refs in references)
        entry = dataclasses.replace(entry, supersedes=supersedes, superseded_by=superseded_by)
        return Source(entry, digest, None, body_line, title_line, reviewers, approvers, references, None)


def body_of(source: Source) -> str:
    """Return a doc's body: kept from the check, else read again (a source from the cache).

    A file that changed since the check is an error: its page would not match its findings.
    """
    if source.body is not None:
        return source.body
    path = source.entry.path
    try:
        with open(path, "rb") as handle:
            text, _ = decode(handle.read())
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: could not be read again while building ({error}); build again") from None
    if text_hash(text) != source.text_hash:
        raise UsageError(f"{path}: changed while the site was being built; build again")
    return "\n".join(split_lines(text)[source.body_line - 1 :])


def render_body(
    path: str, body: str, first_line: int, title_line: int | None, section_levels: int, sitemap: SiteMap
) -> Rendered:
    """Render a doc's body with its links resolved on `sitemap`."""
    return render_module.render(
        body,
        first_line=first_line,
        title_line=title_line,
        section_levels=section_levels,
        resolve=lambda href: sitemap.resolve(path, href),
    )


def still_valid(path: str, rendered: Rendered, sitemap: SiteMap) -> bool:
    """Return True when every link of a render resolves on `sitemap` as it did when it was rendered."""
    assets = set()
    for href, was in rendered.links:
        target = sitemap.resolve(path, href)
        if target.href != was:
            return False
        if target.asset is not None:
            assets.add((target.asset, target.source))
    return assets == set(rendered.assets)
