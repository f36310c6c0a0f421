"""The site's look: its page templates (Jinja2), its static files, and a fingerprint of both.

Pages are rendered with autoescaping and undefined names as errors; a doc's body comes
in already sanitised (render.py).  The fingerprint covers this package's code,
templates and static files and the versions of the renderers: a site built by other
code is rendered again whole.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from designdoc import __version__
from designdoc.site import pages
from designdoc.site.links import relative
from designdoc.site.source import Source

PACKAGE = Path(__file__).resolve().parent


def search_record(source: Source) -> str:
    """Return what pagefind indexes of a doc's page, as a page of its own (the same words, filters and title)."""
    return render_page("search_record.html", {**pages.indexed_context(source), "body": source.rendered.html})


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PACKAGE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
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
