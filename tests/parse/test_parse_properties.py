"""Property tests (hypothesis): parsing any text never raises, positions stay in the file, plain text is exact."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from designdoc.config.load import builtin
from designdoc.model.diagnostics import Diagnostic
from designdoc.model.text import split_lines
from designdoc.parse import document, inline
from helpers import CLEAN, lint_doc
from strategies import MARKDOWN_BITS, SETTINGS

TEMPLATE = builtin()


def check_positions(text: str) -> list[Diagnostic]:
    """Parse and lint `text`; assert every diagnostic is inside the file."""
    doc = document.parse(text, "doc.md", TEMPLATE)
    lines = max(1, len(split_lines(text)))
    found = lint_doc(doc)
    for d in found:
        assert 1 <= d.line <= lines, (d, lines)
        assert 1 <= d.column, d
        assert d.line <= d.end_line <= lines, (d, lines)
        assert d.end_line > d.line or d.end_column >= d.column, d
    return found


# No NUL: the runner refuses a file holding one before parsing (encoding-invalid).
CHARS = st.characters(exclude_characters="\x00")


@SETTINGS
@given(st.one_of(st.text(CHARS, max_size=400), st.lists(MARKDOWN_BITS, max_size=80).map("".join)))
def test_parsing_arbitrary_text_never_raises_and_positions_are_in_the_file(text: str) -> None:
    check_positions(text)


@SETTINGS
@given(st.lists(MARKDOWN_BITS, max_size=60).map("".join), st.lists(MARKDOWN_BITS, max_size=60).map("".join))
def test_front_matter_then_arbitrary_body(yaml_text: str, body: str) -> None:
    check_positions(f"---\n{yaml_text}\n---\n{body}")


KEYS = st.sampled_from(
    [
        "title",
        "doc_type",
        "status",
        "version",
        "owners",
        "tags",
        "last_updated",
        "reviewers",
        "supersedes",
        "x",
        "~",
        "1",
        "<<",
        '"quoted key"',
        "'single'",
        "? complex",
        "-",
        "",
        "key with spaces",
        "null",
        "true",
    ]
)
VALUES = st.sampled_from(
    [
        "",
        "x",
        "draft",
        "no",
        "yes",
        "1.10",
        "0.1",
        "1.2.0",
        "2024-02-30",
        "2025-05-20",
        "9999-99-99",
        "~",
        "null",
        "[a, b]",
        "[a, [b, [c]]]",
        "[",
        "{a: 1}",
        "{",
        "&a x",
        "*a",
        "&a [1, 2]",
        "!!python/object/apply:os.system [x]",
        "!!str 1.0",
        "!custom y",
        "'quoted'",
        "'unterminated",
        '"esc\\n"',
        '"bad \\q"',
        "|",
        ">-",
        "a: b",
        "a #c",
        "#comment",
        "TODO@example.com",
        "ana@acme.io",
        "\t",
        "a\tb",
        "â€”",
        "\u202e",
        "\x07",
        "- item",
        "--- x",
    ]
)
INDENTS = st.sampled_from(["", "", "", "  ", "    ", "\t", "  - ", "- ", " "])
SEPARATORS = st.sampled_from([": ", ":", " : ", ":\t", ": ", ""])
BREAKS = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"])
YAML_LINE = st.tuples(INDENTS, KEYS, SEPARATORS, VALUES, BREAKS).map("".join)


@SETTINGS
@given(st.lists(YAML_LINE, max_size=25).map("".join), st.booleans(), st.sampled_from(["---", "...", "--- ", ""]))
def test_yaml_ish_front_matter_never_raises(yaml_text: str, with_body: bool, closer: str) -> None:
    body = CLEAN.split("\n---\n", 1)[1] if with_body else ""
    text = f"---\n{yaml_text}{closer}\n{body}"
    found = check_positions(text)
    front = document.parse(text, "doc.md", TEMPLATE).frontmatter
    if front is not None and front.end_line is not None:
        # every front-matter problem is inside the block it is about
        assert all(1 <= p.line <= front.end_line for p in front.problems), front.problems
    assert all(d.rule != "encoding-invalid" for d in found)


# ---- plain text skips the patterns that cannot match, and gives what they would


_INLINE_BITS = st.sampled_from(
    [
        "a",
        "b",
        " ",
        "  ",
        "\t",
        "\n",
        "\u00a0",
        "\u2028",
        "\x1c",
        "\u3000",
        "é",
        "*",
        "**",
        "_",
        "__",
        "~",
        "~~",
        "\\",
        "\\*",
        "\\~",
        "`",
        "``",
        "[",
        "]",
        "(",
        ")",
        "](",
        "<",
        ">",
        "<b>",
        "<!--",
        "-->",
        "!",
        "#",
    ]
)


@given(st.lists(_INLINE_BITS, max_size=30).map("".join))
def test_plain_text_is_the_pattern_pipeline(source: str) -> None:
    spans: list[str] = []  # code spans are kept aside from the markup around them, then put back

    def keep(match: re.Match[str]) -> str:
        spans.append(match.group(2).strip())
        return f"\ue000{len(spans) - 1}\ue001"

    text = inline._CODE_SPAN.sub(keep, source)
    text = inline._LINK.sub(lambda m: m.group("text"), text)
    text = inline._HTML.sub("", text)
    text = inline._EMPHASIS.sub("", text)
    text = inline._ESCAPE.sub(r"\1", text)
    text = inline._CODE_MARK.sub(lambda m: spans[int(m.group(1))], text)
    assert inline.plain_text(source) == re.sub(r"\s+", " ", text).strip()
