"""Every YAML value designdoc writes reads back, through designdoc's own reader, as the string it meant.

The write paths: setting a scalar, adding a list item, replacing a list (front-matter
edits), the `supersede-asymmetric` fix (`RefList.add`), a missing field's default, and the
scaffold of `designdoc new`.  Each is driven with arbitrary text (unicode, quotes,
backslashes, colons, `#`, YAML indicators in front, YAML 1.1 words and numbers, blanks
at the ends, the empty string) and the document is parsed again.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from designdoc.cli.main import main
from designdoc.config.load import builtin
from designdoc.edit.apply import apply_edits
from designdoc.edit.edits import add_list_item, replace_list, set_scalar
from designdoc.edit.fixes import missing_field_fix
from designdoc.edit.scalars import plain_is_safe, yaml_scalar
from designdoc.model.text import LineIndex, split_lines
from designdoc.operations.new import scaffold
from designdoc.parse import document, frontmatter
from designdoc.parse.document import Document
from designdoc.parse.template import derive
from designdoc.rules.facts import facts_of
from helpers import EXAMPLES

TEMPLATE = builtin()
TODAY = dt.date(2025, 6, 1)
SETTINGS = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])

# what a careless writer gets wrong: YAML 1.1 words and numbers, indicators, blanks, flow characters
TRICKY = [
    "",
    " ",
    " x",
    "x ",
    "null",
    "Null",
    "NULL",
    "~",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "true",
    "1.10",
    "0.1",
    "1e3",
    "0x1F",
    "0o17",
    "1_000",
    "1.",
    ".inf",
    "-.inf",
    ".NaN",
    "2025-06-01",
    "2001-12-14t21:59:43.10-05:00",
    "12:30:00",
    "@x",
    "@mention",
    "@maria",
    "a: b",
    "a:b",
    "#x",
    "a #b",
    "a#b",
    "[x]",
    "{x}",
    "a, b",
    "a]",
    "*x",
    "&x",
    "!x",
    "!!str",
    "%x",
    "|x",
    ">x",
    "?x",
    "? x",
    "-x",
    "- x",
    "-",
    "---",
    "...",
    "'x'",
    '"x"',
    "it's",
    'say "hi"',
    "back\\slash",
    "\\",
    "`x`",
    "=",
    "<<",
    "tab\there",
    "line\nbreak",
    "cr\rhere",
    "nel\x85here",
    "ls\u2028here",
    "bom\ufeffhere",
    "del\x7fhere",
    "c1\x9bhere",
    "nul\x00here",
    "bell\x07",
    "nbsp\xa0",
    "\xa0",
    "über",
    "名前",
    "emoji 🎉",
    "e\u0301",
    "\u200b",
    "ana@acme.io",
    "Ana <ana@acme.io>",
    "../other/x.md",
    "Audit log export: v1",
]

INDICATORS = "@-?!&*%|>#'\"`~=,[]{}: \t"
VALUES = st.one_of(
    st.sampled_from(TRICKY),
    st.text(),
    st.builds(lambda head, rest: head + rest, st.sampled_from(INDICATORS), st.text(max_size=8)),
    st.builds(lambda a, b: a + b, st.sampled_from(TRICKY), st.sampled_from(TRICKY)),
)

# the front matter around the written value: each shape a write path meets in real docs
HEAD = "---\ntitle: Doc\ndoc_type: design_doc\nstatus: draft\n"
TAIL = "last_updated: 2025-05-20\n---\n\n# Purpose\n\nText.\n"
SCALAR_SHAPES = {
    "absent": "",
    "plain": "key: old\n",
    "single": "key: 'old'\n",
    "double": 'key: "old"\n',
    "empty": "key:\n",
    "null": "key: null\n",
    "number": "key: 1.10\n",
    "flow list": "key: [a, b]\n",
    "block list": "key:\n  - a\n  - b\n",
    "block list at column 1": "key:\n- a\n",
    "block scalar": "key: |\n  some\n  text\n",
    "folded scalar": "key: >-\n  some text\n",
}
LIST_SHAPES = {
    "absent": "",
    "block": "key:\n  - a\n  - b\n",
    "block at column 1": "key:\n- a\n",
    "block quoted": "key:\n  - 'a'\n",
    "flow": "key: [a, b]\n",
    "flow quoted": "key: ['a', \"b\"]\n",
    "empty flow": "key: []\n",
    "null": "key:\n",
    "single string": "key: a\n",
    "single quoted string": "key: 'a'\n",
    "single string with a comma": "key: a, b\n",
    "single string over two lines": "key: a\n  b\n",
    "block scalar": "key: |\n  a\n",
}


def doc_with(shape: str) -> Document:
    return document.parse(HEAD + shape + TAIL, "doc.md", TEMPLATE)


def reparse(doc: Document, edits) -> Document:
    """Apply the edits and parse again: the document as designdoc reads it next time."""
    again = document.parse(apply_edits(doc.text, edits), doc.path, doc.template)
    assert again.frontmatter is not None and not again.frontmatter.problems, again.frontmatter
    return again


def scalar(doc: Document, key: str) -> str | None:
    node = doc.frontmatter.fields[key].node
    assert node.kind == "scalar", node
    return node.value


def items(doc: Document, key: str) -> list[str | None]:
    return [n.value for n in doc.frontmatter.fields[key].node.items()]


# --------------------------------------------------------------------------- the one writer


@pytest.mark.parametrize("loader", [getattr(yaml, "CSafeLoader", yaml.SafeLoader), yaml.SafeLoader])
@SETTINGS
@given(value=VALUES, style=st.sampled_from(["", "'", '"', "|"]))
def test_yaml_scalar_reads_back_in_every_place_with_either_parser(loader: type, value: str, style: str) -> None:
    scalar_text = yaml_scalar(value, style)
    places = [
        (f"key: {scalar_text}\nnext: 1\n", lambda f: f.fields["key"].node.value),
        (f"key:\n  - {scalar_text}\n  - next\n", lambda f: f.fields["key"].node.value[0].value),
        (f"key: [{scalar_text}, next]\n", lambda f: f.fields["key"].node.value[0].value),
        (f"key: [first, {scalar_text}]\n", lambda f: f.fields["key"].node.value[1].value),
    ]
    with mock.patch.object(frontmatter, "_Loader", loader):  # libyaml, and the pure-Python fallback
        for block, read in places:
            text = f"---\n{block}---\n"
            front = frontmatter.parse(text, split_lines(text), LineIndex(text))
            assert not front.problems, (scalar_text, front.problems)
            assert read(front) == value, scalar_text
    if style not in ("'", '"') and plain_is_safe(value):
        assert scalar_text == value


# --------------------------------------------------------------------------- each write path


@pytest.mark.parametrize("shape", SCALAR_SHAPES)
@SETTINGS
@given(value=VALUES)
def test_a_scalar_written_by_set_scalar_reads_back_exactly(shape: str, value: str) -> None:
    doc = doc_with(SCALAR_SHAPES[shape])
    again = reparse(doc, set_scalar(doc, "key", value))
    assert scalar(again, "key") == value
    assert scalar(again, "status") == "draft"  # the neighbours are untouched


@pytest.mark.parametrize("shape", LIST_SHAPES)
@SETTINGS
@given(value=VALUES)
def test_a_list_item_written_by_add_list_item_reads_back_exactly(shape: str, value: str) -> None:
    doc = doc_with(LIST_SHAPES[shape])
    before = items(doc, "key") if "key" in doc.frontmatter.fields else []
    again = reparse(doc, add_list_item(doc, "key", value))
    assert items(again, "key") == [v for v in before if v is not None] + [value]


@pytest.mark.parametrize(
    "shape", ["absent", "block", "block at column 1", "flow", "empty flow", "single string", "block scalar"]
)
@SETTINGS
@given(values=st.lists(VALUES, min_size=1, max_size=3))
def test_a_list_written_by_replace_list_reads_back_exactly(shape: str, values: list[str]) -> None:
    doc = doc_with(LIST_SHAPES[shape])
    again = reparse(doc, replace_list(doc, "key", values))
    assert items(again, "key") == values


@pytest.mark.parametrize(
    "shape",
    ["absent", "block", "block at column 1", "flow", "empty flow", "single string", "single string with a comma"],
)
@SETTINGS
@given(value=VALUES)
def test_a_reference_written_by_the_supersede_fix_reads_back_exactly(shape: str, value: str) -> None:
    doc = doc_with(LIST_SHAPES[shape].replace("key:", "supersedes:"))
    refs = facts_of(doc).supersedes
    assert refs.mode != "none"
    before = [item.text for item in refs.items]
    again = reparse(doc, refs.add(value, doc.newline))
    assert items(again, "supersedes") == before + [value]


@SETTINGS
@given(title=VALUES.filter(lambda v: v.strip()), owner=VALUES, tags=st.lists(VALUES, min_size=1, max_size=3))
@example(title="@mention", owner="@maria", tags=["@platform"])
@example(title="Audit log export: v1", owner="null", tags=["yes", "1.10"])
def test_the_scaffold_of_new_reads_back_exactly(title: str, owner: str, tags: list[str]) -> None:
    text = scaffold(title, TEMPLATE, owners=[owner], tags=tags, today=TODAY)
    doc = document.parse(text, "new.md", TEMPLATE)
    assert doc.frontmatter is not None and not doc.frontmatter.problems, doc.frontmatter
    assert scalar(doc, "title") == title
    assert items(doc, "owners") == [owner]
    assert items(doc, "tags") == tags
    assert scalar(doc, "last_updated") == "2025-06-01"  # a date stays a plain date
    assert re.search(r"(?m)^last_updated: 2025-06-01$", text)


@SETTINGS
@given(value=VALUES)
def test_a_missing_fields_default_from_a_team_template_reads_back_exactly(value: str) -> None:
    escaped = "".join(c if c.isascii() and c.isalnum() else f"\\U{ord(c):08X}" for c in value)  # YAML, by hand
    template = derive(f'---\ntitle: T\nkey: "{escaped}"\n---\n\n# Purpose\n', name="team.md")
    spec = template.field("key")
    doc = document.parse("---\ntitle: Doc\n---\n\n# Purpose\n\nText.\n", "doc.md", template)
    fix = missing_field_fix(doc, spec)
    if fix is None:  # a placeholder (`TODO`, `{…}`, …) is for the author to fill: no fix
        assert spec.placeholder
        return
    assert scalar(reparse(doc, fix.edits), "key") == value


def test_a_team_templates_quoted_version_is_written_quoted() -> None:
    template = derive('---\ntitle: T\nversion: "0.1"\n---\n\n# Purpose\n', name="team.md")
    doc = document.parse("---\ntitle: Doc\n---\n\n# Purpose\n\nText.\n", "doc.md", template)
    fix = missing_field_fix(doc, template.field("version"))
    assert "version: 0.1\n" not in apply_edits(doc.text, fix.edits)
    assert scalar(reparse(doc, fix.edits), "version") == "0.1"


def test_ordinary_values_stay_plain() -> None:
    doc = doc_with(LIST_SHAPES["flow"])
    for value in ("rate-limiter", "../a/x.md", "ana@acme.io", "0.1.0", "2025-06-01", "Rate limiter v2", "Rate über"):
        edits = add_list_item(doc, "key", value)
        assert apply_edits(doc.text, edits).count(f", {value}]") == 1, value


# --------------------------------------------------------------------------- through the commands


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def clean_doc(title: str, front: str) -> str:
    """Return a clean approved doc (the example's body) with extra front-matter lines."""
    example = (EXAMPLES / "rate-limiter.md").read_text("utf-8")
    example = re.sub(r"\d{4}-\d{2}-\d{2}", "2025-05-20", example)
    head, body = example.split("\n---\n", 1)
    head = re.sub(r"(?m)^title: .*$", lambda _: f"title: {title}", head)
    return head + "\n" + front + "---\n" + body


def findings(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    capsys.readouterr()
    main(["check", *args, "--format", "json"])
    return json.loads(capsys.readouterr().out)["diagnostics"]


def test_the_supersede_fix_names_a_doc_called_null_so_the_finding_goes(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = here / "docs"
    docs.mkdir()
    (docs / "older.md").write_text(clean_doc("Older", "superseded_by:\n  - newer\n"), "utf-8")
    (docs / "null.md").write_text(clean_doc("Null", "superseded_by:\n  - newer\n"), "utf-8")
    (docs / "newer.md").write_text(clean_doc("Newer", "supersedes: [older]\n"), "utf-8")
    asymmetric = [d for d in findings(capsys, "docs") if d["rule"] == "supersede-asymmetric"]
    assert [d["path"] for d in asymmetric] == ["docs/null.md"]
    main(["check", "docs", "--fix"])
    newer = document.parse((docs / "newer.md").read_text("utf-8"), "docs/newer.md", TEMPLATE)
    assert items(newer, "supersedes") == ["older", "null"]
    assert [d for d in findings(capsys, "docs") if d["rule"] in ("supersede-asymmetric", "frontmatter-invalid")] == []


def test_new_with_at_signs_writes_front_matter_designdoc_reads(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["new", "@mention", "--tag", "@platform", "--owner", "@maria"]) == 0
    path = Path(capsys.readouterr().out.strip())
    doc = document.parse(path.read_text("utf-8"), str(path), TEMPLATE)
    assert doc.frontmatter is not None and not doc.frontmatter.problems, doc.frontmatter
    assert (scalar(doc, "title"), items(doc, "owners"), items(doc, "tags")) == ("@mention", ["@maria"], ["@platform"])
    assert [d for d in findings(capsys, str(path)) if d["rule"] == "frontmatter-invalid"] == []


# --------------------------------------------------------------------------- a value with `: ` in it


def test_a_value_with_a_colon_and_space_gets_a_hint_to_quote_it(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("doc.md").write_text(clean_doc("Audit log export: v1", ""), "utf-8")
    invalid = [d for d in findings(capsys, "doc.md") if d["rule"] == "frontmatter-invalid"]
    assert len(invalid) == 1
    assert invalid[0]["line"] == 2
    assert invalid[0]["message"].endswith('; quote it: title: "Audit log export: v1"')


def test_the_quote_hint_quotes_what_the_value_needs(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("doc.md").write_text(clean_doc('Say "no": then stop  # why', ""), "utf-8")
    (invalid,) = [d for d in findings(capsys, "doc.md") if d["rule"] == "frontmatter-invalid"]
    assert invalid["message"].endswith(r'; quote it: title: "Say \"no\": then stop"')


def test_other_yaml_errors_get_no_quote_hint(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("doc.md").write_text(clean_doc("Fine", "tags:\n  - a\n - b: c\n"), "utf-8")
    invalid = [d for d in findings(capsys, "doc.md") if d["rule"] == "frontmatter-invalid"]
    assert invalid and all("quote it" not in d["message"] for d in invalid)
