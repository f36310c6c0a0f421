"""Render a doc's Markdown body to safe HTML, with its headings and what its links became.

cmark-gfm, the CommonMark + GFM parser GitHub renders Markdown files with (through
`cmarkgfm`), with GitHub's extensions: tables, strikethrough, task lists, autolinks and
footnotes; raw HTML on (docs use `<details>`, `<br>`, ids).  Between parsing and
rendering, the syntax tree is edited in place: links point at their place on the site (or
become inert), headings get their page level and the GitHub-style slug that `link-broken`
checks (so a link that passes the check lands on the page), fenced code is highlighted by
Pygments on the server, and `mermaid` fences are left as `<pre class="mermaid">` source for
the browser.  The whole fragment then goes through nh3 with an allow-list: no script, no
event handler, no `javascript:` URL survives, and only the classes the site itself styles
(Pygments tokens, `mermaid`, task lists, footnotes) stay.

`render` is a pure function of the body text, the heading levels and what each link
resolves to; `Rendered.links` records those resolutions so an incremental build can tell
whether a page would come out differently.  Link destinations are normalised as
markdown-it-py (the check's parser) normalises them, so `Rendered.links` holds the same
hrefs as when the site rendered with it.
"""

from __future__ import annotations

import ctypes
import html as html_module
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import cmarkgfm._cmark
import nh3
from cmarkgfm.cmark import Options
from markdown_it.common.normalize_url import normalizeLink, validateLink
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
    cm = _cmark()
    source = _source(body)
    parser = cm.lib.cmark_parser_new(_OPTIONS)
    try:
        for extension in cm.extensions:
            cm.lib.cmark_parser_attach_syntax_extension(parser, extension)
        cm.lib.cmark_parser_feed(parser, source, len(source))
        root = cm.lib.cmark_parser_finish(parser)
        try:
            page = _Page(cm, cm.lib.cmark_parser_get_syntax_extensions(parser), resolve)
            nodes = _Nodes.of(cm, root, with_html=_TASK_IN_SOURCE in source)
            page.keep_raw_task_items(nodes)  # first: the other edits free some of these nodes
            page.rewrite_links(nodes)
            headings = page.headings(nodes, first_line, title_line, section_levels)
            page.code_blocks(nodes)
            html = page.html(root)
        finally:
            cm.lib.cmark_node_free(root)
    finally:
        cm.lib.cmark_parser_free(parser)
    return Rendered(
        _cleaner().clean(html),
        headings,
        tuple(sorted(page.links.items(), key=_link_key)),
        tuple(sorted(page.assets.items())),
        page.mermaid,
    )


def _link_key(item: tuple[str, str | None]) -> tuple[str, str]:
    return item[0], item[1] or ""


def _page_level(level: int, is_title: bool, section_levels: int) -> int:
    if is_title:
        return 1
    if level <= section_levels:
        return 2
    return min(6, level - section_levels + 2)


def _source(body: str) -> bytes:
    """Return the body as cmark-gfm is given it: line breaks as `\\n`, NUL as U+FFFD (as markdown-it-py has them)."""
    if "\r" in body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in body:
        body = body.replace("\x00", "\ufffd")
    return body.encode("utf-8", "replace")


# --------------------------------------------------------------------------- cmark-gfm's C API

# cmarkgfm's Python bindings only parse and render; the syntax tree API is exported by the
# same shared library (on Linux, macOS and Windows alike), and called here through ctypes (as
# fast a call as cffi's, without parsing C declarations at start-up: 60 ms).  Every function
# has its argument and result types declared: an undeclared pointer result would be cut to an int.
_P, _INT, _STR = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p  # a `_STR` result is copied into bytes
_FUNCTIONS: dict[str, tuple[type | None, tuple[type, ...]]] = {
    "cmark_version_string": (_STR, ()),
    "cmark_get_default_mem_allocator": (_P, ()),
    "cmark_gfm_core_extensions_ensure_registered": (None, ()),
    "cmark_find_syntax_extension": (_P, (_STR,)),
    "cmark_parser_new": (_P, (_INT,)),
    "cmark_parser_attach_syntax_extension": (_INT, (_P, _P)),
    "cmark_parser_feed": (None, (_P, _STR, ctypes.c_size_t)),
    "cmark_parser_finish": (_P, (_P,)),
    "cmark_parser_get_syntax_extensions": (_P, (_P,)),
    "cmark_parser_free": (None, (_P,)),
    "cmark_render_html": (_P, (_P, _INT, _P)),  # to free: not copied as a `_STR` would be
    "cmark_node_new": (_P, (_INT,)),
    "cmark_node_free": (None, (_P,)),
    "cmark_node_get_type": (_INT, (_P,)),
    "cmark_node_get_type_string": (_STR, (_P,)),
    "cmark_node_next": (_P, (_P,)),
    "cmark_node_first_child": (_P, (_P,)),
    "cmark_node_get_url": (_STR, (_P,)),
    "cmark_node_set_url": (_INT, (_P, _STR)),
    "cmark_node_get_literal": (_STR, (_P,)),
    "cmark_node_set_literal": (_INT, (_P, _STR)),
    "cmark_node_get_string_content": (_STR, (_P,)),
    "cmark_node_get_fence_info": (_STR, (_P,)),
    "cmark_node_get_fenced": (_INT, (_P, ctypes.POINTER(_INT), ctypes.POINTER(_INT), ctypes.c_char_p)),
    "cmark_node_get_heading_level": (_INT, (_P,)),
    "cmark_node_get_start_line": (_INT, (_P,)),
    "cmark_node_set_on_enter": (_INT, (_P, _STR)),
    "cmark_node_set_on_exit": (_INT, (_P, _STR)),
    "cmark_node_append_child": (_INT, (_P, _P)),
    "cmark_node_insert_before": (_INT, (_P, _P)),
    "cmark_node_replace": (_INT, (_P, _P)),
}


class _Memory(ctypes.Structure):
    """cmark-gfm's allocator (`cmark_mem`): what it allocated is freed with its `free`."""

    _fields_ = (
        ("calloc", ctypes.CFUNCTYPE(_P, ctypes.c_size_t, ctypes.c_size_t)),
        ("realloc", ctypes.CFUNCTYPE(_P, _P, ctypes.c_size_t)),
        ("free", ctypes.CFUNCTYPE(None, _P)),
    )


# node types (cmark-gfm.h); `_check` compares them with the library's own names for them
_BLOCK, _INLINE = 0x8000, 0xC000
DOCUMENT, BLOCK_QUOTE, LIST, ITEM, CODE_BLOCK, HTML_BLOCK, CUSTOM_BLOCK = (_BLOCK | n for n in range(1, 8))
PARAGRAPH, HEADING, THEMATIC_BREAK, FOOTNOTE_DEFINITION = (_BLOCK | n for n in range(8, 12))
TEXT, SOFTBREAK, LINEBREAK, CODE, HTML_INLINE, CUSTOM_INLINE = (_INLINE | n for n in range(1, 7))
EMPH, STRONG, LINK, IMAGE, FOOTNOTE_REFERENCE = (_INLINE | n for n in range(7, 12))
_TYPE_NAMES = {
    "document": DOCUMENT,
    "block_quote": BLOCK_QUOTE,
    "list": LIST,
    "item": ITEM,
    "code_block": CODE_BLOCK,
    "html_block": HTML_BLOCK,
    "paragraph": PARAGRAPH,
    "heading": HEADING,
    "text": TEXT,
    "code": CODE,
    "html_inline": HTML_INLINE,
    "link": LINK,
    "image": IMAGE,
}
# parsed once when the library is loaded, to check the types above and the string content of a heading
_PROBE = b"> # Heading\n\n    code\n\n- [l](u) ![i](s) <b> `c`\n\n<div>\n"

_EXTENSIONS = ("table", "strikethrough", "tasklist", "autolink")  # GitHub's, but tagfilter: nh3 does better
_OPTIONS = (
    Options.CMARK_OPT_FOOTNOTES
    | Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES  # alignment as `style="text-align: …"`: the sanitiser keeps it
    | Options.CMARK_OPT_UNSAFE  # raw HTML and every URL kept as written: nh3 cleans them afterwards
)


@dataclass(frozen=True)
class _Library:
    """cmark-gfm's C API, loaded once per process."""

    lib: Any
    extensions: tuple[int, ...]  # the syntax extensions attached to each parser
    free: Callable[[int], None]  # frees what the library allocated (rendered HTML)


@lru_cache(maxsize=1)
def _cmark() -> _Library:
    """Load cmark-gfm from cmarkgfm's shared library, with its extensions, and check it is the one expected."""
    lib = ctypes.CDLL(cmarkgfm._cmark.__file__)
    for name, (result, arguments) in _FUNCTIONS.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = result, arguments
    lib.cmark_gfm_core_extensions_ensure_registered()
    extensions = tuple(lib.cmark_find_syntax_extension(name.encode()) for name in _EXTENSIONS)
    memory = ctypes.cast(lib.cmark_get_default_mem_allocator(), ctypes.POINTER(_Memory)).contents
    library = _Library(lib, extensions, memory.free)
    _check(library)
    return library


def _text(value: bytes | None) -> str:
    """Return a string the library gave (None: NULL) as text."""
    return value.decode("utf-8", "replace") if value else ""


def _check(cm: _Library) -> None:
    """Raise when the library is not what this module expects of it (another cmark-gfm, another ABI)."""
    lib = cm.lib
    problems = [name for name, extension in zip(_EXTENSIONS, cm.extensions, strict=True) if not extension]
    parser = lib.cmark_parser_new(0)
    lib.cmark_parser_feed(parser, _PROBE, len(_PROBE))
    root = lib.cmark_parser_finish(parser)
    lib.cmark_parser_free(parser)
    seen: dict[str, int] = {}
    heading_source = None
    stack = [root]
    while stack:
        node = stack.pop()
        seen[_text(lib.cmark_node_get_type_string(node))] = lib.cmark_node_get_type(node)
        if lib.cmark_node_get_type(node) == HEADING:
            heading_source = _text(lib.cmark_node_get_string_content(node))
        child = lib.cmark_node_first_child(node)
        while child:
            stack.append(child)
            child = lib.cmark_node_next(child)
    lib.cmark_node_free(root)
    problems += [f"node type {name}" for name, number in _TYPE_NAMES.items() if seen.get(name) != number]
    if heading_source != "Heading":
        problems.append("a heading's string content")
    if problems:
        version = _text(lib.cmark_version_string())
        raise RuntimeError(f"cmarkgfm's cmark-gfm {version} is not the one expected: {', '.join(problems)}")


# --------------------------------------------------------------------------- the syntax tree

_INERT_LINK = '<span class="dd-unresolved" title="Not published with the site">'
_INERT_IMAGE = '<span class="dd-unresolved" title="Image not published with the site">'

# nodes that never have children: the walk does not ask (every other type may have some, extensions' too)
_LEAVES = frozenset((TEXT, SOFTBREAK, LINEBREAK, CODE, HTML_INLINE, HTML_BLOCK, CODE_BLOCK, THEMATIC_BREAK))
# what a link, an image, an autolink (`<…>`, a bare URL, `www.` or an e-mail address) or raw HTML needs in
# the text it is parsed from: a paragraph without any holds none, and its text is not visited
_LINK_SIGNS = re.compile(rb"[\[<@]|://|(?i:www\.)")


@dataclass
class _Nodes:
    """The nodes of a syntax tree that rendering edits, in document order."""

    links: list[int] = field(default_factory=list)  # a node is its address
    images: list[int] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)
    code: list[int] = field(default_factory=list)
    html: list[int] = field(default_factory=list)  # raw HTML: only when asked for

    @classmethod
    def of(cls, cm: _Library, root: int, *, with_html: bool) -> _Nodes:
        """Walk the tree depth first, in document order, without recursion (quotes nest deep).

        Not into an image: its description is only its `alt` text (markdown-it-py did not
        resolve the links in it either).
        """
        lib = cm.lib
        get_type, first_child, next_sibling = lib.cmark_node_get_type, lib.cmark_node_first_child, lib.cmark_node_next
        found = cls()
        parents: list[int] = []  # the open ancestors
        node = first_child(root)
        while node:
            kind = get_type(node)
            if kind == LINK:
                found.links.append(node)
            elif kind == IMAGE:
                found.images.append(node)
            elif kind == HEADING:
                found.headings.append(node)
            elif kind == CODE_BLOCK:
                found.code.append(node)
            elif with_html and (kind == HTML_BLOCK or kind == HTML_INLINE):
                found.html.append(node)
            child = None if kind in _LEAVES or kind == IMAGE else first_child(node)
            # a paragraph with children has its text as string content (one without has none to read)
            if child and kind == PARAGRAPH and not _LINK_SIGNS.search(lib.cmark_node_get_string_content(node) or b""):
                child = None
            if child:
                parents.append(node)
                node = child
                continue
            node = next_sibling(node)
            while not node and parents:
                node = next_sibling(parents.pop())
        return found


class _Page:
    """One render's edits of the syntax tree, and what they found."""

    def __init__(self, cm: _Library, extensions: int | None, resolve: Callable[[str], Target]) -> None:
        self.cm = cm
        self.lib = cm.lib
        self.extensions = extensions
        self.resolve = resolve
        self.links: dict[str, str | None] = {}
        self.assets: dict[str, str] = {}
        self.mermaid = False

    # ---- links and images

    def rewrite_links(self, nodes: _Nodes) -> None:
        """Point links and images at their place on the site; make the unpublishable ones inert."""
        for node in nodes.links:
            href = self._href(node)
            if href is None:  # a scheme markdown-it-py does not take for a link (javascript:, …): its text
                self._unwrap(node)
                continue
            target = self._resolved(href)
            if target.href is None:
                self._wrap(node, _INERT_LINK, "</span>")
            else:
                self.lib.cmark_node_set_url(node, target.href.encode())
        for node in nodes.images:
            href = self._href(node)
            target = self._resolved(href) if href is not None else Target(None)
            if target.href is None:
                self._replace(node, HTML_INLINE, f"{_INERT_IMAGE}{self._alt(node)}</span>")
            else:
                self.lib.cmark_node_set_url(node, target.href.encode())

    def _href(self, node: int) -> str | None:
        """Return a destination as markdown-it-py has it (normalised), or None when it would refuse it."""
        href = _normalized(_text(self.lib.cmark_node_get_url(node)))
        return href if validateLink(href) else None

    def _resolved(self, href: str) -> Target:
        target = self.resolve(href)
        self.links[href] = target.href
        if target.asset is not None and target.source is not None:
            self.assets[target.asset] = target.source
        return target

    def _alt(self, image: int) -> str:
        """Return an image's description as cmark-gfm writes it in `alt`: plain text, escaped."""
        html = self._render(image)
        start = html.index(' alt="') + 6  # before it, only `src`, whose `"` and spaces are %-encoded
        return html[start : html.index('"', start)]

    # ---- headings

    def headings(
        self, nodes: _Nodes, first_line: int, title_line: int | None, section_levels: int
    ) -> tuple[Heading, ...]:
        """Give every heading its page level and its slug (the same slugs as link checking)."""
        texts = [plain_text(self._heading_source(node)) for node in nodes.headings]
        found = []
        for node, slug, text in zip(nodes.headings, unique_slugs(texts), texts, strict=True):
            line = self.lib.cmark_node_get_start_line(node) - 1 + first_line
            level = _page_level(self.lib.cmark_node_get_heading_level(node), line == title_line, section_levels)
            inner = self._render(node)  # `<hN>…</hN>\n`
            inner = inner[inner.index(">") + 1 : inner.rindex("</h")]
            self._replace(node, HTML_BLOCK, f'<h{level} id="{html_module.escape(slug)}">{inner}</h{level}>')
            found.append(Heading(level, slug, text))
        return tuple(found)

    def _heading_source(self, node: int) -> str:
        """Return a heading's inline source as markdown-it-py has it (`token.content`): what its slug is made from.

        cmark-gfm keeps it as the node's string content, without the `#`s, the underline, the
        quote markers and indents.  A heading without children has none: its buffer is not
        even a string then.
        """
        if not self.lib.cmark_node_first_child(node):
            return ""
        return _text(self.lib.cmark_node_get_string_content(node)).strip()

    # ---- code

    def code_blocks(self, nodes: _Nodes) -> None:
        """Replace each code block: Mermaid source for the browser, else code highlighted by Pygments."""
        for node in nodes.code:
            code = _text(self.lib.cmark_node_get_literal(node))
            lang = ""
            length, offset, character = _INT(), _INT(), ctypes.create_string_buffer(1)
            if self.lib.cmark_node_get_fenced(node, ctypes.byref(length), ctypes.byref(offset), character):
                info = _text(self.lib.cmark_node_get_fence_info(node)).split(maxsplit=1)
                lang = info[0].lower() if info else ""
            if lang == "mermaid":
                self.mermaid = True
                html = f'<pre class="mermaid">{_escape(code)}</pre>'
            else:
                html = f'<pre class="highlight"><code>{_highlight(code, lang)}</code></pre>'
            self._replace(node, HTML_BLOCK, html)

    # ---- task lists and the whole page

    def keep_raw_task_items(self, nodes: _Nodes) -> None:
        """Write `<li ><input` in raw HTML that looks like a task item, so `html` styles only real ones.

        The sanitiser writes `<li >` back as `<li>`: the page is the same.
        """
        for node in nodes.html:
            literal = self.lib.cmark_node_get_literal(node) or b""
            if _TASK_IN_SOURCE in literal:
                self.lib.cmark_node_set_literal(node, literal.replace(_TASK_IN_SOURCE, b"<li ><input"))

    def html(self, root: int) -> str:
        """Return the edited tree as HTML, its task lists marked up as the site styles them."""
        html = self._render(root)
        return _TASK_ITEM.sub(_task_item, html) if _TASK in html else html

    # ---- tree edits

    def _render(self, node: int) -> str:
        raw = self.lib.cmark_render_html(node, _OPTIONS, self.extensions)
        try:
            return ctypes.string_at(raw).decode("utf-8", "replace")
        finally:
            self.cm.free(raw)

    def _replace(self, node: int, kind: int, html: str) -> None:
        """Put raw HTML (`HTML_BLOCK` or `HTML_INLINE`) in place of `node`, and free `node`."""
        raw = self.lib.cmark_node_new(kind)
        self.lib.cmark_node_set_literal(raw, html.encode())
        self.lib.cmark_node_replace(node, raw)
        self.lib.cmark_node_free(node)

    def _wrap(self, node: int, on_enter: str, on_exit: str) -> None:
        """Put `node`'s children, between `on_enter` and `on_exit`, in its place."""
        custom = self.lib.cmark_node_new(CUSTOM_INLINE)
        self.lib.cmark_node_set_on_enter(custom, on_enter.encode())
        self.lib.cmark_node_set_on_exit(custom, on_exit.encode())
        child = self.lib.cmark_node_first_child(node)
        while child:
            following = self.lib.cmark_node_next(child)
            self.lib.cmark_node_append_child(custom, child)
            child = following
        self.lib.cmark_node_replace(node, custom)
        self.lib.cmark_node_free(node)

    def _unwrap(self, node: int) -> None:
        """Put `node`'s children in its place."""
        child = self.lib.cmark_node_first_child(node)
        while child:
            following = self.lib.cmark_node_next(child)
            self.lib.cmark_node_insert_before(node, child)
            child = following
        self.lib.cmark_node_free(node)


# a task list item as cmark-gfm writes it (with its list's start tag when it is the first item): it gets
# the markup of markdown-it-py's task list plugin, which the site's stylesheet styles, the box in the
# first paragraph of a loose item
_TASK_IN_SOURCE = b"<li><input"
_TASK = '<li><input type="checkbox" '
_TASK_ITEM = re.compile(
    r'(<[uo]l(?: start="[0-9]+")?>\n)?<li><input type="checkbox" (checked="" )?disabled="" /> (\n<p>)?'
)


def _task_item(match: re.Match[str]) -> str:
    list_open = f'{match[1][:-2]} class="contains-task-list">\n' if match[1] else ""
    checked = 'checked="checked" ' if match[2] else ""
    box = f'<input class="task-list-item-checkbox" {checked}disabled="" type="checkbox"> '
    return f'{list_open}<li class="task-list-item">{match[3] or ""}{box}'


@lru_cache(maxsize=4096)
def _normalized(url: str) -> str:
    """Return a destination as markdown-it-py normalises it (percent-encoded, punycode host names)."""
    return normalizeLink(url)


def _escape(text: str) -> str:
    """Escape text for HTML as markdown-it-py does (`&`, `<`, `>`, `"`)."""
    return html_module.escape(text, quote=False).replace('"', "&quot;")


def _highlight(code: str, lang: str) -> str:
    lexer = _lexer(lang) if lang and _LANG.match(lang) and len(code) <= MAX_HIGHLIGHT else None
    if lexer is None:
        return _escape(code)
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
    "ol": {"contains-task-list"},
    "li": {"task-list-item"},
    "input": {"task-list-item-checkbox"},
    "section": {"footnotes"},
    "sup": {"footnote-ref"},
    "a": {"footnote-backref"},
}
_TAGS = set(nh3.ALLOWED_TAGS) | {"input", "section"}
_ATTRIBUTES = {
    "*": {"id", "title", "lang", "dir"},
    "a": {"href", "hreflang", "aria-label"},  # a footnote's way back is labelled "Back to reference 1"
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
