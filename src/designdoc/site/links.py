"""Where each doc's page goes, and what a link written in a doc becomes on the site.

Pages mirror the docs tree: `docs/a/b.md`, built from `docs/`, becomes `a/b.html`, so a
relative link between two docs (or to an image beside them) keeps its shape; only the
`.md` becomes `.html`.  A link's target is one of:

- an anchor in the same page, or a link with a scheme (`https:`, `mailto:`): kept;
- another doc of the site: its page, with the `#anchor` kept (anchors are the same
  GitHub-style slugs that `link-broken` checks);
- a regular file inside the docs tree: copied to the same place in the site;
- anything else (outside the tree, `../../../etc/passwd`, an absolute path, a hidden or
  missing file, the site folder itself): made inert.  Nothing outside the tree is copied,
  ever: the check compares resolved paths (symlinks followed), not strings.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

STATIC_DIR = "_designdoc"  # the site's own CSS, JS and vendored Mermaid
SEARCH_DIR = "pagefind"  # the search index
RESERVED_PAGES = frozenset(("index.html", "dashboard.html", "search.html"))
RESERVED_DIRS = frozenset((STATIC_DIR, SEARCH_DIR))
MANIFEST = ".designdoc-site.json"
MAX_ASSET = 50 * 1024 * 1024
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DOC_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True, slots=True)
class Target:
    """What a link becomes: its `href` on the site (None: inert) and a file to copy, if any."""

    href: str | None
    asset: str | None = None  # where the copied file goes, relative to the site root
    source: str | None = None  # the file to copy: a resolved path inside the docs tree


def is_external(href: str) -> bool:
    """Return True for a link with a scheme or a protocol-relative `//host` link."""
    return bool(_SCHEME.match(href)) or href.startswith("//")


def page_paths(root: str, docs: Iterable[str]) -> dict[str, str]:
    """Return each doc's page path (relative to the site root, `/`-separated), keyed by absolute doc path.

    A page that would take the name of a site page (`index.html`) or fall in one of the
    site's own folders gets a `-doc` suffix; a clash left after that gets `-2`, `-3`.
    """
    pages: dict[str, str] = {}
    taken: set[str] = set(RESERVED_PAGES)
    for doc in sorted(os.path.abspath(d) for d in docs):
        page = _page_name(Path(os.path.relpath(doc, root)).as_posix())
        candidate, n = page, 1
        while candidate in taken:
            n += 1
            candidate = f"{page[:-5]}-{n}.html"
        taken.add(candidate)
        pages[doc] = candidate
    return pages


def _page_name(relative: str) -> str:
    stem = relative
    for suffix in _DOC_SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    parts = stem.split("/")
    if parts[0] in RESERVED_DIRS:
        parts[0] += "-doc"
    page = "/".join(parts) + ".html"
    return page[:-5] + "-doc.html" if page in RESERVED_PAGES else page


def root_of(page: str) -> str:
    """Return the relative prefix from a page back to the site root (`""`, `../`, …)."""
    return "../" * page.count("/")


def relative(page_from: str, page_to: str) -> str:
    """Return the relative URL from one site path to another (both relative to the site root, normalised).

    What `posixpath.relpath(page_to, dirname(page_from))` gives, without its calls to
    `abspath`: a site of 10,000 pages asks this some 60,000 times.
    """
    here = page_from.split("/")[:-1]
    there = page_to.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return quote("/".join([".."] * (len(here) - common) + there[common:]), safe="/")


class SiteMap:
    """The docs of a site and their pages; resolves the links written in them."""

    def __init__(
        self, root: Path, docs: Iterable[str], *, project_root: Path | None = None, output: Path | None = None
    ) -> None:
        self.root = os.path.abspath(root)
        self.real_root = os.path.realpath(root)
        self.project_root = os.path.abspath(project_root) if project_root is not None else None
        self.output = os.path.realpath(output) if output is not None else None
        self.pages = page_paths(self.root, docs)
        self._page_set = frozenset(self.pages.values())
        self._shown: dict[str, str] = {}  # doc path as given → page, for the paths asked before

    def page_of(self, doc: str) -> str:
        """Return the page of a doc of the site (KeyError for another path)."""
        page = self._shown.get(doc)
        if page is None:
            page = self._shown[doc] = self.pages[os.path.abspath(doc)]
        return page

    def resolve(self, doc: str, href: str) -> Target:
        """Return what the link `href`, written in `doc`, becomes on the site."""
        if not href or href.startswith("#") or is_external(href):
            return Target(href)
        path, hash_, fragment = href.partition("#")
        path = unquote(path.split("?", 1)[0])
        suffix = hash_ + fragment
        if not path:
            return Target(href)
        target = self._absolute(doc, path)
        if target is None:
            return Target(None)
        here = self.page_of(doc)
        if target in self.pages:
            return Target(relative(here, self.pages[target]) + suffix)
        asset = self.asset_path(target)
        if asset is None:
            return Target(None)
        return Target(relative(here, asset) + suffix, asset, os.path.realpath(target))

    def _absolute(self, doc: str, path: str) -> str | None:
        if "\x00" in path:
            return None
        if path.startswith("/"):
            if self.project_root is None:
                return None
            return os.path.normpath(os.path.join(self.project_root, path.lstrip("/")))
        return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(doc)), path))

    def asset_path(self, target: str) -> str | None:
        """Return where a file linked from a doc goes in the site, or None when it must not be copied.

        It must be a regular file (after following symlinks) inside the docs tree, under
        the size cap, with no hidden part in its path, not in the site folder, and not a
        name the site uses itself.
        """
        if os.path.commonpath((self.root, target)) != self.root:
            return None
        relative_path = Path(os.path.relpath(target, self.root)).as_posix()
        parts = relative_path.split("/")
        if any(part.startswith(".") or part == "" for part in parts) or parts[0] in RESERVED_DIRS:
            return None
        if relative_path in RESERVED_PAGES or relative_path in self._page_set:
            return None
        if not is_safe_file(target, self.real_root, self.output):
            return None
        return relative_path


def is_safe_file(path: str, real_root: str, output: str | None = None) -> bool:
    """Return True when `path` resolves to a regular file inside `real_root` (not in `output`), under the cap."""
    real = os.path.realpath(path)
    if os.path.commonpath((real_root, real)) != real_root:
        return False
    if output is not None and os.path.commonpath((output, real)) == output:
        return False
    try:
        info = os.stat(real)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= MAX_ASSET
