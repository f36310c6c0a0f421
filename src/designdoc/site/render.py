"""Render a doc's Markdown body to safe HTML, with its headings and what its links became.

markdown-it-py (CommonMark, raw HTML on: docs use `<details>`, `<br>`, ids) with GFM
tables, strikethrough, task lists and footnotes; fenced code highlighted by Pygments on
the server; `mermaid` fences left as `<pre class="mermaid">` source for the browser.
Every heading gets the GitHub-style slug that `link-broken` checks against, so a link
that passes the check lands on the page.  The whole fragment then goes through nh3 with
an allow-list: no script, no event handler, no `javascript:` URL survives, and only the
classes the site itself styles (Pygments tokens, `mermaid`, task lists, footnotes) stay.

`render` is a pure function of the body text, the heading levels and what each link
resolves to; `Rendered.links` records those resolutions so an incremental build can tell
whether a page would come out differently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

from designdoc.parse.inline import plain_text, unique_slugs
from designdoc.site.links import Target

TOC_DEPTH = 3  # h2 and h3 in the table of contents
MAX_HIGHLIGHT = 200_000  # characters; a bigger code block is shown plain
_LANG = re.compile(r"^[A-Za-z0-9_+.#-]{1,40}$")


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading of the rendered page: its level on the page, anchor and plain text."""

    level: int
    slug: str
    text: str


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered body."""

    html: str
    headings: tuple[Heading, ...]
    links: tuple[tuple[str, str | None], ...]  # (href as written, href on the site or None), sorted
    assets: tuple[tuple[str, str], ...]  # (site path, source file) to copy, sorted
    mermaid: bool  # holds a diagram: the page loads Mermaid

    @property
    def toc(self) -> tuple[Heading, ...]:
        """Return the headings for the table of contents."""
        return tuple(h for h in self.headings if 2 <= h.level <= TOC_DEPTH)


def render(
    body: str,
    *,
    first_line: int = 1,
    title_line: int | None = None,
    section_levels: int = 2,
    resolve: Callable[[str], Target] = Target,
) -> Rendered:
    """Render a Markdown body (whose first line is file line `first_line`) to sanitised HTML.

    Headings are renumbered for the page: the title heading (at `title_line`) is the h1,
    headings down to `section_levels` (the template's sections) are h2, deeper ones follow.
    """
    md = _markdown()
    env: dict = {"links": {}, "assets": {}, "mermaid": False}
    tokens = md.parse(body, env)
    headings = _headings(tokens, first_line, title_line, section_levels)
    for token in tokens:
        if token.type == "inline" and token.children:
            _rewrite_links(token.children, resolve, env)
    html = md.renderer.render(tokens, md.options, env)
    return Rendered(
        _cleaner().clean(html),
        headings,
        tuple(sorted(env["links"].items(), key=_link_key)),
        tuple(sorted(env["assets"].items())),
        env["mermaid"],
    )


def _link_key(item: tuple[str, str | None]) -> tuple[str, str]:
    return item[0], item[1] or ""


def _headings(tokens: list[Token], first_line: int, title_line: int | None, section_levels: int) -> tuple[Heading, ...]:
    """Give every heading its page level and its slug (the same slugs as link checking)."""
    opens = [i for i, t in enumerate(tokens) if t.type == "heading_open"]
    texts = [plain_text(tokens[i + 1].content) for i in opens]
    found = []
    for i, slug, text in zip(opens, unique_slugs(texts), texts, strict=True):
        opener, closer = tokens[i], _closer(tokens, i)
        line = opener.map[0] + first_line if opener.map else None
        level = _page_level(int(opener.tag[1]), line is not None and line == title_line, section_levels)
        opener.tag = closer.tag = f"h{level}"
        opener.attrSet("id", slug)
        found.append(Heading(level, slug, text))
    return tuple(found)


def _closer(tokens: list[Token], i: int) -> Token:
    return next(t for t in tokens[i + 1 :] if t.type == "heading_close")


def _page_level(level: int, is_title: bool, section_levels: int) -> int:
    if is_title:
        return 1
    if level <= section_levels:
        return 2
    return min(6, level - section_levels + 2)


def _rewrite_links(children: list[Token], resolve: Callable[[str], Target], env: dict) -> None:
    """Point links and images at their place on the site; make the unpublishable ones inert."""
    closers: list[Token] = []
    for token in children:
        if token.type == "link_open":
            target = _resolved(str(token.attrGet("href") or ""), resolve, env)
            closer = token  # paired below
            closers.append(closer)
            if target.href is None:
                token.tag = "span"
                token.attrs = {"class": "dd-unresolved", "title": "Not published with the site"}
                token.meta["inert"] = True
            else:
                token.attrSet("href", target.href)
        elif token.type == "link_close":
            opener = closers.pop() if closers else None
            if opener is not None and opener.meta.get("inert"):
                token.tag = "span"
        elif token.type == "image":
            target = _resolved(str(token.attrGet("src") or ""), resolve, env)
            if target.href is None:
                token.meta["inert"] = True
            else:
                token.attrSet("src", target.href)


def _resolved(href: str, resolve: Callable[[str], Target], env: dict) -> Target:
    target = resolve(href)
    env["links"][href] = target.href
    if target.asset is not None and target.source is not None:
        env["assets"][target.asset] = target.source
    return target


# --------------------------------------------------------------------------- markdown-it setup


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False, "linkify": False})
    md.enable(["table", "strikethrough"])
    md.use(tasklists_plugin).use(footnote_plugin)
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _code_block)
    md.add_render_rule("image", _image)
    return md


def _fence(self, tokens: list[Token], idx: int, options: dict, env: dict) -> str:
    """Render a fence: Mermaid source for the browser, else code highlighted by Pygments."""
    token = tokens[idx]
    info = token.info.strip().split(maxsplit=1)
    lang = info[0].lower() if info else ""
    if lang == "mermaid":
        env["mermaid"] = True
        return f'<pre class="mermaid">{escapeHtml(token.content)}</pre>\n'
    return f'<pre class="highlight"><code>{_highlight(token.content, lang)}</code></pre>\n'


def _code_block(self, tokens: list[Token], idx: int, options: dict, env: dict) -> str:
    return f'<pre class="highlight"><code>{escapeHtml(tokens[idx].content)}</code></pre>\n'


def _image(self, tokens: list[Token], idx: int, options: dict, env: dict) -> str:
    """Render an image; one that is not published becomes its alt text."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    if token.meta.get("inert"):
        return f'<span class="dd-unresolved" title="Image not published with the site">{escapeHtml(alt)}</span>'
    token.attrSet("alt", alt)
    return self.renderToken(tokens, idx, options, env)


def _highlight(code: str, lang: str) -> str:
    lexer = _lexer(lang) if lang and _LANG.match(lang) and len(code) <= MAX_HIGHLIGHT else None
    if lexer is None:
        return escapeHtml(code)
    return highlight(code, lexer, _formatter())


@lru_cache(maxsize=256)
def _lexer(lang: str):
    try:
        return get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=1)
def _formatter() -> HtmlFormatter:
    return HtmlFormatter(nowrap=True)


def pygments_css() -> str:
    """Return the highlighting CSS: a light style, and a dark one for `prefers-color-scheme: dark`."""
    light = HtmlFormatter(style="default").get_style_defs(".highlight")
    dark = HtmlFormatter(style="github-dark").get_style_defs(".highlight")
    dark = "\n".join("  " + line for line in dark.splitlines())
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


# --------------------------------------------------------------------------- sanitising

_TOKEN_CLASSES = frozenset(c for c in STANDARD_TYPES.values() if c)
_CLASSES = {
    "pre": {"highlight", "mermaid"},
    "span": set(_TOKEN_CLASSES) | {"dd-unresolved"},
    "ul": {"contains-task-list"},
    "ol": {"footnotes-list"},
    "li": {"task-list-item", "footnote-item"},
    "input": {"task-list-item-checkbox"},
    "section": {"footnotes"},
    "hr": {"footnotes-sep"},
    "sup": {"footnote-ref"},
    "a": {"footnote-backref"},
}
_TAGS = set(nh3.ALLOWED_TAGS) | {"input", "section"}
_ATTRIBUTES = {
    "*": {"id", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "ol": {"start"},
    "input": {"checked", "disabled"},
    "del": {"datetime"},
    "ins": {"datetime"},
    "time": {"datetime"},
}


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    """Return the sanitiser: an allow-list of tags, attributes, classes and URL schemes."""
    return nh3.Cleaner(
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        allowed_classes={tag: set(classes) for tag, classes in _CLASSES.items()},
        tag_attribute_values={"input": {"type": {"checkbox"}}},
        set_tag_attribute_values={"input": {"disabled": ""}},
        url_schemes={"http", "https", "mailto"},
        filter_style_properties={"text-align"},
        strip_comments=True,
    )


def sanitize(html: str) -> str:
    """Return an HTML fragment through the site's allow-list (for tests and other callers)."""
    return _cleaner().clean(html)
