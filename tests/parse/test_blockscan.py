"""Differential tests: the block scanner agrees with markdown-it-py, or declines.

`blockscan.scan` must return exactly `markdownit.parse_with_markdown_it`'s Body
(blocks and code lines) or None.  The inputs: every fixture, the examples,
the project's own design docs, a generated corpus (which must never fall
back), hypothesis-built documents and a seeded "line soup" that stacks the
constructs whose interplay is subtle.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designdoc.parse import blockscan, markdownit
from designdoc.parse import body as markdown
from designdoc.parse.document import (
    body_source as body_of,  # the body exactly as `document.parse` cuts it
)
from helpers import FIXTURES, ROOT

GENERATOR = ROOT / "bench" / "corpus.py"  # our own synthetic corpus


def agrees(source: str, first_line: int = 1) -> bool:
    """Assert the scanner matches markdown-it-py or declines; return True when it answered."""
    reference = markdownit.parse_with_markdown_it(source, first_line)
    got = blockscan.scan(source, first_line)
    if got is None:
        return False
    assert got.blocks == reference.blocks, source
    assert got.code_lines == reference.code_lines, source
    return True


def _documents() -> list[Path]:
    found = sorted(FIXTURES.rglob("*.md")) + sorted((ROOT / "examples").glob("*.md"))
    return found + sorted((ROOT / "docs" / "design").glob("*.md"))


@pytest.mark.parametrize("path", _documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_repository_documents(path: Path) -> None:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8: never parsed")
    agrees(*body_of(text))


def test_repository_documents_mostly_take_the_fast_path() -> None:
    answered = total = 0
    for path in _documents():
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        total += 1
        answered += agrees(*body_of(text))
    assert answered >= 0.95 * total


@pytest.mark.parametrize("seed", [1, 9])
def test_generated_corpus_agrees_and_never_falls_back(seed: int, tmp_path: Path) -> None:
    if not GENERATOR.exists():
        pytest.skip(f"{GENERATOR} is not here")
    subprocess.run(
        [sys.executable, str(GENERATOR), "300", str(tmp_path), "--seed", str(seed)], check=True, capture_output=True
    )
    paths = sorted((tmp_path / "docs").rglob("*.md"))
    assert len(paths) == 300
    fell_back = [p.name for p in paths if not agrees(*body_of(p.read_text(encoding="utf-8")))]
    assert fell_back == [], f"fallback rate {len(fell_back) / len(paths):.1%}"


def test_parse_body_uses_the_scanner_and_the_switch_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(blockscan, "scan", lambda source, first: calls.append(source))
    markdown.parse_body("# A\n", 1)
    assert calls == ["# A\n"]  # the scanner declined (returned None): markdown-it answered
    monkeypatch.setenv("DESIGNDOC_NO_BLOCKSCAN", "1")
    assert markdown.parse_body("# A\n", 1) == markdownit.parse_with_markdown_it("# A\n", 1)
    assert calls == ["# A\n"]


def test_parse_body_survives_a_scanner_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(source: str, first_line: int) -> None:
        raise IndexError("a scanner bug")

    monkeypatch.setattr(blockscan, "scan", broken)
    assert markdown.parse_body("- a\n- b\n", 4) == markdownit.parse_with_markdown_it("- a\n- b\n", 4)


def test_trim_set_is_markdown_its() -> None:
    from markdown_it.common.utils import MD_TRIM_CHARS

    assert sorted(blockscan._TRIM) == sorted(MD_TRIM_CHARS)


# ---- hand-picked cases: each is a rule the scanner ports or declines ----


@pytest.mark.parametrize(
    "source",
    [
        "",
        "   ",
        "a\n   ",  # a final line of blanks is no line
        "```\ncode\n   ",
        "```\ncode",  # unclosed at the end: no final line break in the content
        "  ```py\n  a\n    b\n c\n  ```",  # the fence's indent is removed from its lines
        "\t```\n\tx\n\t\ty\n```",
        "```\na\n``",  # a shorter closer does not close
        "~~~~\n~~~\n~~~~~ \nafter",
        "``` a`b\nnot a fence",
        "- a\n\npara",  # a list keeps the blank lines up to the next block
        "- a\n\n\n- b\n\n\npara",
        "- a\nlazy\n- b",
        "- a\n  - b\n    - c\n      - d\n        - e\n         - f",
        "1. a\n2. b\n3) c\n\n10. d",
        "- a\n1. b\n* c\n+ d",
        "-\n  a\n-\n\n  b",  # empty items
        "- ```\n  code\n  ```\n- b",
        "- a\n\n      code\n\n  b",
        "-     code\n  more",
        "-     code\n- b\n1.      c\n2. d",  # an item that opens with indented code
        "- a\n\n- b\n\n  more\n- c\n\n\n  - d\n\ne",  # blank lines between items, in items
        "- a\n  - b\n    more\nlazy\n  - c\n- d",
        "  - a\n      - b\n  - c",  # 4+ past the outer item: a paragraph continuation
        "1. a\n   1. b\n   2) c\n4. d",
        "> a\n>\n\n\nb",
        "> a\nlazy\n> b\n\nc",
        "> ```\nfoo",  # a lazy line ends the fence in the quote, then is a paragraph
        "> - a\n> - b\n- c",
        "- > a\n> b",
        "> # h\n> > ## h2\n> - ### h3",
        "| a | b |\n|---|---|\n| 1 | 2 |\n- x",
        "a | b\n--|--\nc | d\n\n| a |\n|---|---|",  # the second has a column count mismatch
        "para\n| a | b |\n| - | - |\nrow",
        "| a \\| b | c |\n|---|---|",
        "# h #\n## h ##   \n### #\n####### not\n#no",
        "***\n---\n___\n- - -\n* * *\n_ _",
        "<!-- a\n\nb -->\nafter",
        '<!--\n-->\n<div>\nx\n\ny</div>\n<span>\na\n\n<a id="x"></a>text',
        "- <!--\n\n  -->\n- b",
        "para\n<!-- interrupts -->\npara\n<span>\nstill para",
        "[a]: /url\n[b]: #b\ntext\n[c]: /c\n\n[not a def]\n[d] x",
        "- [a]: /url\n- ***\n- ---\n\n- ___\n* [b] x\n* [c]: #c",  # definitions, breaks in one-line items
        "# A\r\n\r\n- b\r\n- c\r\rd\re",
        "trailing   \n- item  \n\t\n  \t",
        "    code\n\n    more\nnot",
        "1) a\n2) b\n\n2. c",
        "para\n2. not a list\n1. a list",
        "para\n+\n* x",  # an empty item does not interrupt a paragraph
        "[a]: /url 'title'\n[b]: /b \"t\"\n[c]: /c (t)\ntext",  # titles on the definition's line
        "[1]: The scripts cover these cases:\n- a\n- b",  # words after the destination: a paragraph
        "[1]: /url words\n\n[2]: /two",
        "[q]: https://x.io/?a=b&c=d\n[p]:(https://x.io/a_b)\n[l]: <https://x.io/a b>\ntext",
        "[See the long\nlink](https://x) here\n\nnext",  # a label over lines that is a link
        "[An open bracket\nnever closed\n\n[a]: /a",
        "- [a]: /url 'title'\n- [See\n  this](#x)",
    ],
)
def test_cases(source: str) -> None:
    assert agrees(source, 3)


@pytest.mark.parametrize(
    "source",
    [
        "Title\n=====",
        "Title\n---",
        "[a]:\n/url",
        "[a]: /url 'title' more",  # words after a title: markdown-it decides
        "[a]: /url 'ti\ntle'",
        "[e]: /a&amp;b",  # an entity in the destination
        "[p]:(https://x.io/a_(b))",  # parentheses two deep
        "[a\nb]: /url",
        "[a\nb]: /url",
        "[a\\]b\nc]: /url\n\ntext",  # an escaped `]` does not close the label, which spans lines
        "<script>\nx\n</script>",
        "<?php\n?>",
        "<![CDATA[\nx\n]]>",
        "<!DOCTYPE html>",
        "> \ta",
        "a\0b",
    ],
)
def test_declines(source: str) -> None:
    assert blockscan.scan(source, 1) is None
    agrees(source)


# ---- hypothesis: documents composed of the constructs design docs use ----

_WORDS = st.sampled_from(
    [
        "alpha",
        "beta",
        "the",
        "cache",
        "`code`",
        "*em*",
        "a | b",
        "[link](#x)",
        "x\\|y",
        "<b>",
        "1.",
        "-",
        "#",
        ">",
        "~~~",
        "```",
        "[ ]",
        "[x]",
        "==",
        "--",
        "***",
        "é",
        "a\tb",
    ]
)


def _text(min_words: int = 1) -> st.SearchStrategy[str]:
    return st.lists(_WORDS, min_size=min_words, max_size=6).map(" ".join)


@st.composite
def _heading(draw: st.DrawFn) -> list[str]:
    level = draw(st.integers(1, 7))
    close = draw(st.sampled_from(["", " #", " ###", "#"]))
    indent = " " * draw(st.integers(0, 3))
    return [f"{indent}{'#' * level}{draw(st.sampled_from([' ', '  ', '', chr(9)]))}{draw(_text(0))}{close}"]


@st.composite
def _paragraph(draw: st.DrawFn) -> list[str]:
    lines = [draw(_text())]
    for _ in range(draw(st.integers(0, 2))):
        lines.append(" " * draw(st.sampled_from([0, 0, 1, 4, 6])) + draw(_text()))
    return lines


@st.composite
def _fence(draw: st.DrawFn) -> list[str]:
    marker = draw(st.sampled_from("`~"))
    size = draw(st.integers(3, 5))
    indent = " " * draw(st.integers(0, 3))
    info = draw(st.sampled_from(["", "python", "mermaid", " go ", "a`b", "yaml {x}"]))
    body = draw(
        st.lists(
            st.sampled_from(
                [
                    "x = 1",
                    "",
                    "    indented",
                    "\tfunc()",
                    "# not a heading",
                    "- no",
                    "``",
                    "~~~",
                    "```",
                    "> no",
                    "| a | b |",
                ]
            ),
            max_size=4,
        )
    )
    close = draw(st.sampled_from([None, size, size + 1, size - 1]))
    lines = [f"{indent}{marker * size}{info}"] + body
    if close is not None:
        lines.append(" " * draw(st.integers(0, 4)) + marker * close + draw(st.sampled_from(["", "  ", " x"])))
    return lines


@st.composite
def _table(draw: st.DrawFn) -> list[str]:
    columns = draw(st.integers(1, 3))
    pipes = draw(st.booleans())

    def row(cells: list[str]) -> str:
        text = " | ".join(cells)
        return f"| {text} |" if pipes or columns == 1 else text

    lines = [row([draw(_text()) for _ in range(columns)])]
    lines.append(
        row(
            [
                draw(st.sampled_from(["---", ":--", "--:", ":-:", "-"]))
                for _ in range(draw(st.sampled_from([columns, columns, columns + 1])))
            ]
        )
    )
    for _ in range(draw(st.integers(0, 3))):
        lines.append(row([draw(_text()) for _ in range(draw(st.integers(1, columns + 1)))]))
    return lines


_LEAVES = st.one_of(
    _heading(),
    _paragraph(),
    _paragraph(),
    _fence(),
    _table(),
    st.sampled_from(
        [
            ["---"],
            ["***"],
            ["_ _ _"],
            ["- - -"],
            ["<!-- note -->"],
            ["<!--", "a", "", "-->"],
            ["<div>", "x", "</div>"],
            ["<details>"],
            ["<span>"],
            ["[ref]: /target"],
            ["[ref]: https://x.io/a 'A title'"],
            ['[ref]: /a "[Amazon CloudWatch]"'],
            ["[1]: The scripts cover these cases:"],
            ["[See the long", "link](#x) here"],
            ["[An open bracket", "never closed"],
            ["[a", "b]: /url"],
            ["[q]: https://x.io/?a=b&c=d"],
            ["[p]:(https://x.io/a)"],
            ["[l]: <https://x.io/a b>"],
            ["[e]: &#106;avascript:alert(1)"],
            ["    code"],
        ]
    ),
)


@st.composite
def _list(draw: st.DrawFn, inner: st.SearchStrategy[list[str]]) -> list[str]:
    marker = draw(st.sampled_from(["-", "*", "+", "1.", "2.", "1)", "10."]))
    lines: list[str] = []
    for number in range(draw(st.integers(1, 4))):
        mark = str(int(marker[:-1]) + number) + marker[-1] if marker[0].isdigit() else marker
        gap = " " * draw(st.sampled_from([1, 1, 1, 2, 5]))
        task = draw(st.sampled_from(["", "", "[ ] ", "[x] "]))
        lines.append(f"{mark}{gap}{task}{draw(_text())}")
        width = len(mark) + len(gap)
        for child in draw(st.lists(inner, max_size=2)):
            if draw(st.booleans()):
                lines.append("")
            shift = draw(st.sampled_from([width, width, width, 2, 0]))
            lines += [" " * shift + line if line else line for line in child]
        if draw(st.integers(0, 4)) == 0:
            lines.append(draw(_text()))  # a lazy continuation line, or the list's end
        if draw(st.integers(0, 3)) == 0:
            lines.append("")
    return lines


@st.composite
def _quote(draw: st.DrawFn, inner: st.SearchStrategy[list[str]]) -> list[str]:
    lines: list[str] = []
    for child in draw(st.lists(inner, min_size=1, max_size=3)):
        prefix = draw(st.sampled_from(["> ", ">", " > ", ">  "]))
        lines += [prefix + line for line in child]
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from([">", "> ", ""])))
    if draw(st.integers(0, 3)) == 0:
        lines.append(draw(_text()))  # lazy
    return lines


_BLOCKS = st.recursive(_LEAVES, lambda inner: st.one_of(_list(inner), _quote(inner)), max_leaves=8)


@st.composite
def _document(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for block in draw(st.lists(_BLOCKS, max_size=8)):
        lines += block
        lines += [""] * draw(st.sampled_from([0, 1, 1, 1, 2]))
    if draw(st.booleans()):
        lines = [line + " " * draw(st.sampled_from([0, 0, 1, 2])) for line in lines]
    if draw(st.integers(0, 3)) == 0:
        lines = [line.replace("    ", "\t", 1) for line in lines]
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline, "  "]))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_document(), st.integers(1, 40))
def test_generated_documents(source: str, first_line: int) -> None:
    agrees(source, first_line)


# ---- line soup: random stacks of significant lines, seeded ----

_SOUP = [
    "text",
    "more text",
    "",
    "",
    "  ",
    "# h",
    "## h ##",
    "#x",
    "```",
    "```py",
    "````",
    "~~~",
    "  ```",
    "    code",
    "- a",
    "* b",
    "+ c",
    "1. d",
    "2) e",
    "-",
    "1.",
    "  - f",
    "    - g",
    "   1. h",
    "> q",
    ">",
    "> > qq",
    "> - r",
    "- > s",
    "| a | b |",
    "|---|---|",
    "a | b",
    "--|--",
    "| x |",
    "---",
    "***",
    "- - -",
    "<!-- c -->",
    "<!--",
    "-->",
    "<div>",
    "</div>",
    "<span>",
    "[r]: /u",
    "[r]: #a",
    "  text",
    "      deep",
    "\tcode",
    "- [ ] task",
    "- [x] done",
]


def _soup(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 14)):
        line = rng.choice(_SOUP)
        if rng.random() < 0.3:
            line = rng.choice(["", "  ", "> ", "- ", "1. ", "   "]) + line
        lines.append(line)
    return "\n".join(lines)


def test_line_soup() -> None:
    rng = random.Random(20250601)
    answered = sum(agrees(_soup(rng)) for _ in range(4000))
    assert answered >= 2000  # the differential check must mostly exercise the scanner
