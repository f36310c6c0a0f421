"""What a rendered doc body must hold, whichever Markdown parser renders it.

One small body with every feature the site's pages rely on: heading anchors equal to the
slugs `link-broken` checks, a Mermaid diagram, highlighted code, a footnote, a task list,
links rewritten through `resolve` (with what they became in `Rendered.links` and
`Rendered.assets`), and nothing unsafe left.  The HTML is read with a parser, not matched
as text, so that markup details that do not change the page (attribute order, quoting)
may differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from designdoc.parse.inline import plain_text, unique_slugs
from designdoc.site.links import Target
from designdoc.site.render import Rendered, render

BODY = """\
# Rate limiter

Intro with a note[^why] and [the queue](other.md#purpose) and ![the diagram](img/diagram.png).
A [missing doc](missing.md), an [outside link](https://example.org/x), [a click](javascript:alert(2)).

## Über `code` *x*

## Über `code` *x*

> ### Quoted [link](other.md)

Setext heading
--------------

```mermaid
graph TD; A-->B
```

```python
def f():
    return 1
```

- [ ] open task
- [x] done task

<script>alert(1)</script>
<a href="javascript:alert(3)" onclick="alert(4)">raw</a>
<img src="img/diagram.png" onerror="alert(5)">

[^why]: Because [the queue](other.md#purpose) says so.
"""

HEADINGS = ["Rate limiter", "Über `code` *x*", "Über `code` *x*", "Quoted [link](other.md)", "Setext heading"]


def _resolve(href: str) -> Target:
    """Resolve as a site map would: docs become pages, images are copied, other files are not published."""
    if href.startswith(("#", "https:", "javascript:")):
        return Target(href)
    path, _, fragment = href.partition("#")
    suffix = f"#{fragment}" if fragment else ""
    if path == "other.md":
        return Target("other.html" + suffix)
    if path == "img/diagram.png":
        return Target("img/diagram.png", "img/diagram.png", "/docs/img/diagram.png")
    return Target(None)


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""  # all the text inside it
    classes: set[str] = field(default_factory=set)


class _Page(HTMLParser):
    """Every element of an HTML fragment with its attributes and the text inside it."""

    VOID = frozenset(("br", "hr", "img", "input", "meta", "link", "wbr"))

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[_Element] = []
        self._open: list[_Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, dict(attrs), classes=set((dict(attrs).get("class") or "").split()))
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find(self, tag: str, **attrs: str) -> list[_Element]:
        """Return the elements of a tag with these attribute values (`class_` for a class among theirs)."""
        wanted = attrs.pop("class_", None)
        return [
            e
            for e in self.elements
            if e.tag == tag
            and (wanted is None or wanted in e.classes)
            and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    return render(BODY, first_line=5, title_line=5, section_levels=2, resolve=_resolve)


@pytest.fixture(scope="module")
def page(rendered: Rendered) -> _Page:
    return _Page(rendered.html)


def test_heading_anchors_are_the_slugs_link_checking_uses(rendered: Rendered, page: _Page) -> None:
    slugs = unique_slugs([plain_text(text) for text in HEADINGS])
    assert slugs == ["rate-limiter", "über-code-x", "über-code-x-1", "quoted-link", "setext-heading"]
    assert [h.slug for h in rendered.headings] == slugs
    assert [h.text for h in rendered.headings] == [plain_text(text) for text in HEADINGS]
    ids = [e.attrs.get("id") for e in page.elements if e.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
    assert ids == slugs


def test_headings_are_renumbered_for_the_page(rendered: Rendered, page: _Page) -> None:
    assert [h.level for h in rendered.headings] == [1, 2, 2, 3, 2]
    assert [e.tag for e in page.elements if e.tag[0] == "h" and e.tag[1:].isdigit()] == ["h1", "h2", "h2", "h3", "h2"]
    assert [h.slug for h in rendered.toc] == ["über-code-x", "über-code-x-1", "quoted-link", "setext-heading"]
    assert page.find("h2", id="über-code-x")[0].text == "Über code x"


def test_mermaid_is_left_as_source_for_the_browser(rendered: Rendered, page: _Page) -> None:
    (diagram,) = page.find("pre", class_="mermaid")
    assert diagram.text == "graph TD; A-->B\n"
    assert rendered.mermaid
    assert "A--&gt;B" in rendered.html  # escaped, and not highlighted
    assert not render("Text only.\n").mermaid


def test_code_is_highlighted_on_the_server(page: _Page) -> None:
    (code,) = [e for e in page.find("pre", class_="highlight") if "def f" in e.text]
    assert code.text == "def f():\n    return 1\n"
    keywords = [e.text for e in page.find("span", class_="k")]
    assert "def" in keywords and "return" in keywords
    assert page.find("span", class_="nf")[0].text == "f"


def test_footnote_reference_points_at_its_note(page: _Page) -> None:
    (reference,) = page.find("sup", class_="footnote-ref")
    anchor = next(e for e in page.elements if e.tag == "a" and (e.attrs.get("href") or "").startswith("#fn"))
    (section,) = page.find("section", class_="footnotes")
    note = next(e for e in page.elements if e.attrs.get("id") == anchor.attrs["href"][1:])
    assert note.tag == "li" and "Because the queue says so." in note.text and note.text in section.text
    assert reference.text.strip("[]") == "1"
    back = page.find("a", class_="footnote-backref")
    assert back and back[0].attrs["href"] == "#" + anchor.attrs["id"]


def test_task_list_items_are_disabled_checkboxes(page: _Page) -> None:
    items = page.find("li", class_="task-list-item")
    assert [item.text.strip() for item in items] == ["open task", "done task"]
    boxes = page.find("input", class_="task-list-item-checkbox")
    assert [box.attrs.get("type") for box in boxes] == ["checkbox", "checkbox"]
    assert all("disabled" in box.attrs for box in boxes)
    assert ["checked" in box.attrs for box in boxes] == [False, True]


def test_links_are_rewritten_through_resolve(rendered: Rendered, page: _Page) -> None:
    assert rendered.links == (
        ("https://example.org/x", "https://example.org/x"),
        ("img/diagram.png", "img/diagram.png"),
        ("missing.md", None),
        ("other.md", "other.html"),
        ("other.md#purpose", "other.html#purpose"),
    )
    assert rendered.assets == (("img/diagram.png", "/docs/img/diagram.png"),)
    assert [e.text for e in page.find("a", href="other.html#purpose")] == ["the queue", "the queue"]
    assert page.find("a", href="other.html")[0].text == "link"
    assert page.find("img", src="img/diagram.png")[0].attrs["alt"] == "the diagram"
    assert page.find("a", href="https://example.org/x")[0].text == "outside link"
    (inert,) = [e for e in page.find("span", class_="dd-unresolved")]
    assert inert.text == "missing doc" and not page.find("a", href="missing.md")


def test_an_unpublished_image_becomes_its_alt_text() -> None:
    done = render("![the *old* chart](gone.png)\n", resolve=lambda href: Target(None))
    assert done.links == (("gone.png", None),) and done.assets == ()
    (inert,) = _Page(done.html).find("span", class_="dd-unresolved")
    assert inert.text == "the old chart" and "<img" not in done.html


def test_scripts_handlers_and_javascript_urls_are_removed(rendered: Rendered, page: _Page) -> None:
    assert "<script" not in rendered.html.lower() and "alert(1)" not in rendered.html
    assert not page.find("script")
    for element in page.elements:
        assert not any(name.startswith("on") for name in element.attrs), element
        for name in ("href", "src"):
            assert not (element.attrs.get(name) or "").strip().lower().startswith("javascript:"), element
    assert "a click" in page.find("p")[0].text  # the link's text stays, harmless
    assert page.find("a", rel="noopener noreferrer")  # the raw link is kept, without its URL and handler


def test_raw_html_that_looks_like_a_task_item_is_left_as_written() -> None:
    done = render('<ul><li><input type="checkbox" disabled="" /> raw</li></ul>\n\n- [ ] real\n')
    page = _Page(done.html)
    assert [e.text.strip() for e in page.find("li", class_="task-list-item")] == ["real"]
    assert len(page.find("li")) == 2


def test_heading_without_text_and_windows_line_breaks() -> None:
    done = render("# Title\r\n\r\n##\r\n\r\n## Next ##\r\n", title_line=1)
    assert [(h.level, h.slug) for h in done.headings] == [(1, "title"), (2, ""), (2, "next")]
    assert "\r" not in done.html


def test_deeply_nested_quotes_render() -> None:
    done = render("> " * 300 + "deep [link](other.md)\n", resolve=_resolve)
    assert "deep" in done.html
