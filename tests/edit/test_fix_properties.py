"""Property tests (hypothesis): fixes are idempotent, local and keep the file's bytes.

The fix properties start from a clean doc (examples/rate-limiter.md), damage it
at random (sections dropped, duplicated or moved, fields removed, the footer
date changed or the footer dropped, mojibake injected, CRLF, a BOM, no final
newline) and check `fix_text`: fixing twice equals fixing once; every change
lies inside the span of a fix the linter offered for the text it was applied
to; line breaks and a BOM survive; the front matter never gets worse.
"""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given
from hypothesis import strategies as st

from designdoc.config.load import builtin
from designdoc.edit.rounds import fix_text
from designdoc.model.diagnostics import Diagnostic
from designdoc.parse import document
from helpers import CLEAN, lint_doc
from strategies import MARKDOWN_BITS, examples

TEMPLATE = builtin()


def _split_doc(text: str) -> tuple[str, list[str], str]:
    """Return (front matter and preamble, sections, footer) of the clean doc."""
    head, rest = text.split("\n# Purpose\n", 1)
    body, footer = rest.rsplit("\n---\n\n_Last updated", 1)
    parts = re.split(r"\n(?=## )", "# Purpose\n" + body)
    return head + "\n", [p + "\n" for p in parts], "---\n\n_Last updated" + footer


HEAD, SECTIONS, FOOTER = _split_doc(CLEAN)
assert HEAD + "".join(SECTIONS) + FOOTER == CLEAN
PROSE_LINES = [i for i, line in enumerate(CLEAN.split("\n")) if line[:1].isalpha()]
MOJIBAKE = ["â€™", "Ã©", "â€”", "Ã¼ber", "â€œquotedâ€\x9d"]
FIELDS = ["doc_type", "status", "version", "tags", "owners", "title", "last_updated"]

DAMAGE = st.one_of(
    st.tuples(st.just("drop"), st.integers(0, len(SECTIONS) - 1)),
    st.tuples(st.just("duplicate"), st.integers(0, len(SECTIONS) - 1)),
    st.tuples(st.just("move"), st.integers(0, len(SECTIONS) - 1), st.integers(0, len(SECTIONS) - 1)),
    st.tuples(st.just("footer-date"), st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31))),
    st.tuples(st.just("drop-footer")),
    st.tuples(st.just("drop-field"), st.sampled_from(FIELDS)),
    st.tuples(st.just("draft"), st.booleans()),
    st.tuples(st.just("mojibake"), st.sampled_from(PROSE_LINES), st.integers(0, 200), st.sampled_from(MOJIBAKE)),
    # blunt damage: Markdown / YAML fragments typed anywhere, a stretch of text deleted
    st.tuples(st.just("insert"), st.integers(0, len(CLEAN)), st.lists(MARKDOWN_BITS, min_size=1, max_size=5)),
    st.tuples(st.just("delete"), st.integers(0, len(CLEAN)), st.integers(1, 300)),
)


def damaged_doc(damage: list[tuple], crlf: bool, no_final_newline: bool) -> str:
    head, sections, footer = HEAD, list(SECTIONS), FOOTER
    for op in damage:
        kind = op[0]
        if kind == "drop" and len(sections) > 1:
            sections.pop(op[1] % len(sections))
        elif kind == "duplicate":
            k = op[1] % len(sections)
            sections.insert(k + 1, sections[k])
        elif kind == "move":
            section = sections.pop(op[1] % len(sections))
            sections.insert(op[2] % (len(sections) + 1), section)
        elif kind == "footer-date" and footer:
            footer = re.sub(r"\d{4}-\d{2}-\d{2}", op[1].isoformat(), footer)
        elif kind == "drop-footer":
            footer = ""
        elif kind == "drop-field":
            head = re.sub(rf"(?m)^{op[1]}:.*\n(?:  - .*\n)*", "", head)
        elif kind == "draft":
            head = head.replace("status: approved", "status: draft")
            if op[1] and footer:
                footer = footer.replace("_\n", " (update before publishing)_\n")
    text = head + "".join(sections) + footer
    for op in damage:
        if op[0] == "insert":
            at = op[1] % (len(text) + 1)
            text = text[:at] + "".join(op[2]) + text[at:]
        elif op[0] == "delete":
            at = op[1] % (len(text) + 1)
            text = text[:at] + text[at + op[2] :]
        elif op[0] == "mojibake":
            lines = text.split("\n")
            number = op[1] % len(lines)
            line = lines[number]
            at = op[2] % (len(line) + 1)
            lines[number] = line[:at] + op[3] + line[at:]
            text = "\n".join(lines)
    if crlf:
        text = text.replace("\n", "\r\n")
    if no_final_newline:
        text = text.rstrip("\r\n")
    return text


DOCS = st.builds(damaged_doc, st.lists(DAMAGE, min_size=1, max_size=5), st.booleans(), st.booleans())


class Recorder:
    """A lint_doc that remembers every text it linted and the fix spans it offered."""

    def __init__(self) -> None:
        self.rounds: list[tuple[str, list[tuple[int, int]]]] = []

    def __call__(self, doc: document.Document) -> list[Diagnostic]:
        found = lint_doc(doc)
        spans = [(e.start, e.end) for d in found if d.fix for e in d.fix.edits]
        self.rounds.append((doc.text, spans))
        return found


def only_inside(old: str, new: str, spans: list[tuple[int, int]]) -> bool:
    """Return True when `new` is `old` with changes inside `spans` only.

    The parts of `old` outside every span must appear in `new`, in order: the first as a
    prefix, the last as a suffix, the others in between.
    """
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    cuts = [0] + [x for span in merged for x in span] + [len(old)]
    gaps = [old[cuts[i] : cuts[i + 1]] for i in range(0, len(cuts), 2)]
    if len(gaps) == 1:
        return new == old
    if not new.startswith(gaps[0]) or not new.endswith(gaps[-1]):
        return False
    position, limit = len(gaps[0]), len(new) - len(gaps[-1])
    for gap in gaps[1:-1]:
        found = new.find(gap, position, limit)
        if found < 0:
            return False
        position = found + len(gap)
    return position <= limit


def newlines(text: str) -> set[str]:
    return set(re.findall(r"\r\n|\r|\n", text))


def front_problems(text: str, bom: bool) -> tuple[bool, int]:
    front = document.parse(text, "doc.md", TEMPLATE, bom=bom).frontmatter
    return (False, 0) if front is None else (front.fatal, len(front.problems))


@examples(120)
@given(DOCS, st.booleans())
def test_fixes_are_idempotent_local_and_keep_bytes(text: str, bom: bool) -> None:
    recorder = Recorder()
    once = fix_text(text, "doc.md", lint_doc=recorder, template=TEMPLATE, bom=bom)
    # every text linted (each round's result, or a candidate the fixer then undid) differs from
    # an earlier one only inside the spans of the fixes offered for that earlier text
    texts = [t for t, _ in recorder.rounds]
    for k in range(1, len(texts)):
        assert any(only_inside(old, texts[k], spans) for old, spans in recorder.rounds[:k])
    assert once.text in texts
    # fixing twice equals fixing once
    twice = fix_text(once.text, "doc.md", lint_doc=lint_doc, template=TEMPLATE, bom=bom)
    assert twice.text == once.text
    assert twice.applied == 0
    # line breaks, the BOM (kept outside the text) and the final newline survive
    assert newlines(once.text) <= newlines(text) or not newlines(text)
    assert once.text.startswith("\ufeff") == text.startswith("\ufeff")  # no second BOM in the text
    if text.endswith(("\n", "\r")):
        assert once.text.endswith(("\n", "\r"))
    assert once.text.count("\t") == text.count("\t")
    # the front matter never gets worse
    before, after = front_problems(text, bom), front_problems(once.text, bom)
    assert after[0] <= before[0] and after[1] <= before[1]
    # nothing fixable is left that a fix could still apply
    assert not once.dropped


@examples(60)
@given(DOCS)
def test_fixed_docs_keep_their_crlf_style(text: str) -> None:
    lf = re.sub(r"\r\n|\r", "\n", text)
    crlf = lf.replace("\n", "\r\n")
    fixed = fix_text(crlf, "doc.md", lint_doc=lint_doc, template=TEMPLATE).text
    assert "\n" not in fixed.replace("\r\n", "")
    assert "\r" not in fixed.replace("\r\n", "")
    fixed_lf = fix_text(lf, "doc.md", lint_doc=lint_doc, template=TEMPLATE).text
    assert fixed == fixed_lf.replace("\n", "\r\n")  # the same fixes, in the file's own line breaks


def test_only_inside_detects_changes_outside_spans() -> None:
    old = "abcdefgh"
    assert only_inside(old, "abXYZefgh", [(2, 4)])
    assert only_inside(old, "abcdNEWefgh", [(4, 4)])
    assert not only_inside(old, "abcdefgX", [(2, 4)])
    assert not only_inside(old, "Xbcdefgh", [(2, 4)])
    assert not only_inside(old, "abcdfgh", [(2, 3), (6, 7)])
    assert not only_inside(old, "abcdefghi", [])
