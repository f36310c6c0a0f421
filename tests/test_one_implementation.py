"""One implementation per concept: references, footers, the BOM, and the field patterns the schema exports.

Each concept used to be written in several places that could (and did) drift apart;
these tests hold the places that use it to one behaviour.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
import semver
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from designdoc.check.linter import lint
from designdoc.check.workspace import Project
from designdoc.cli.main import main
from designdoc.config.load import builtin
from designdoc.edit.apply import apply_edits
from designdoc.model.fields import (
    EMAIL,
    ISO_DATE,
    NAMED_EMAIL,
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_TITLE,
    SEMVER,
    is_email,
    is_placeholder_email,
    is_placeholder_title,
    parse_date,
)
from designdoc.model.settings import Config
from designdoc.model.text import decode, encode
from designdoc.operations.new import scaffold
from designdoc.output.jsonschema import frontmatter_schema
from designdoc.parse import document
from designdoc.parse.template import derive
from designdoc.rules.facts import reference_to

SRC = Path(__file__).resolve().parent.parent / "src" / "designdoc"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "rate-limiter.md"
TEMPLATE = builtin()
TODAY = dt.date(2025, 6, 1)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --------------------------------------------------------------------------- references


def tree(root: Path) -> None:
    """A docs tree with a symlinked folder two levels deep and one beside its target."""
    for folder in ("docs/a/b", "docs/other"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for name in ("docs/a/b/old.md", "docs/a/b/peer.md", "docs/a/up.md", "docs/other/new.md"):
        (root / name).write_text("x\n", "utf-8")
    (root / "docs/link").symlink_to("a/b", target_is_directory=True)
    (root / "docs/twin").symlink_to("a/b", target_is_directory=True)


PAIRS = [
    ("docs/link/old.md", "docs/link/peer.md"),  # one folder, named through the link
    ("docs/link/old.md", "docs/a/b/peer.md"),  # one folder: the link and its target
    ("docs/twin/old.md", "docs/link/peer.md"),  # one folder through two links
    ("docs/a/b/old.md", "docs/twin/peer.md"),
    ("docs/link/old.md", "docs/other/new.md"),  # from a symlinked folder, `..` leads out of the link
    ("docs/other/new.md", "docs/link/old.md"),
    ("docs/other/new.md", "docs/link/../up.md"),  # the file `link/..` opens is docs/a/up.md
    ("docs/link/old.md", "docs/link/../up.md"),
    ("docs/other/../a/up.md", "docs/a/b/old.md"),  # a plain `..`
    ("docs/a/b/../up.md", "docs/other/../a/b/peer.md"),
]


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_a_reference_reads_back_as_the_doc_it_names(here: Path, source: str, target: str) -> None:
    tree(here)
    ref = reference_to(target, source)
    assert Project(None).resolve_reference(source, ref) == Path(os.path.realpath(target))
    if os.path.realpath(os.path.dirname(source)) == os.path.dirname(os.path.realpath(target)):
        assert ref == Path(target).stem


def approved(title: str, front: str = "") -> str:
    """Return a clean approved doc (the example's body) with extra front-matter lines."""
    text = re.sub(r"\d{4}-\d{2}-\d{2}", "2025-05-20", EXAMPLE.read_text("utf-8"))
    head, body = text.split("\n---\n", 1)
    head = re.sub(r"(?m)^title: .*$", lambda _: f"title: {title}", head)
    return head + "\n" + front + "---\n" + body


def written(path: Path, key: str) -> list[str]:
    doc = document.parse(path.read_text("utf-8"), str(path), TEMPLATE)
    return [n.value for n in doc.frontmatter.fields[key].node.items()]


def rules_found(capsys: pytest.CaptureFixture[str], *args: str) -> set[str]:
    capsys.readouterr()
    main(["check", *args, "--format", "json"])
    return {d["rule"] for d in json.loads(capsys.readouterr().out)["diagnostics"]}


def test_the_fix_and_status_write_one_reference_through_a_symlinked_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    written_by = {}
    for how in ("fix", "status"):
        root = tmp_path / how
        tree(root)
        monkeypatch.chdir(root)
        old, new = Path("docs/link/old.md"), Path("docs/other/new.md")
        old.write_text(approved("Old"), "utf-8")
        new.write_text(approved("New", "supersedes:\n  - ../link/old.md\n" if how == "fix" else ""), "utf-8")
        if how == "fix":  # supersede-asymmetric writes old's side
            main(["check", str(old), str(new), "--fix"])
        else:
            assert main(["status", str(old), "superseded", "--by", str(new)]) == 0
        written_by[how] = written(old, "superseded_by")
        assert not {"supersede-asymmetric", "reference-broken"} & rules_found(capsys, str(old), str(new))
    assert written_by["fix"] == written_by["status"] == ["../other/new.md"]


# --------------------------------------------------------------------------- the footer

FOOTER_TEMPLATE = """---
title: TODO
status: draft
last_updated: YYYY-MM-DD
---

# Summary

> What this is.

---

_Last updated: YYYY-MM-DD  (draft)_
"""
FRONT = "---\ntitle: Real\nstatus: {status}\nlast_updated: 2025-06-01\n---\n\n# Summary\n\nWhat it is.\n"


def fixed_footer(template, text: str) -> str:
    """Apply every footer fix the linter offers (one round) and return the last line."""
    doc = document.parse(text, "doc.md", template)
    fixes = [d.fix for d in lint(doc, config=Config(), today=TODAY) if d.rule.startswith("footer-") and d.fix]
    assert fixes
    fixed = apply_edits(text, [edit for fix in fixes for edit in fix.edits])
    again = document.parse(fixed, "doc.md", template)
    assert [d.rule for d in lint(again, config=Config(), today=TODAY) if d.rule.startswith("footer-")] == []
    return fixed.rstrip("\n").rsplit("\n", 1)[-1]


def test_every_footer_write_makes_the_same_line() -> None:
    template = derive(FOOTER_TEMPLATE, name="team.md")
    new = scaffold("Real", template, owners=["ana@acme.io"], tags=[], today=TODAY)
    assert new.rstrip("\n").endswith("\n_Last updated: 2025-06-01  (draft)_")  # a draft keeps the note
    review = FRONT.format(status="review")
    appended = fixed_footer(template, review)  # footer-missing
    rewritten = fixed_footer(template, review + "\n---\n\n_Last updated: 2025-05-01  (draft)_\n")  # date and note
    noted = fixed_footer(template, review + "\n---\n\n_Last updated: 2025-06-01 (draft)_\n")  # footer-draft-note
    assert appended == rewritten == noted == "_Last updated: 2025-06-01_"


# --------------------------------------------------------------------------- the BOM


def test_the_bom_is_taken_off_and_put_back_in_one_place() -> None:
    bom_handling = re.compile(
        "|".join(
            (
                r"utf[-_]8[-_]sig",  # a codec that takes a BOM off
                r"""(?:removeprefix|startswith|lstrip)\(\s*["']\\ufeff""",  # a BOM taken off or tested by hand
                r"""["']\\ufeff["'] if""",  # a BOM put back by hand
            )
        ),
        re.IGNORECASE,
    )
    others = [
        path.relative_to(SRC).as_posix()
        for path in sorted(SRC.rglob("*.py"))
        if path != SRC / "model" / "text.py" and bom_handling.search(path.read_text("utf-8"))
    ]
    assert others == []


@pytest.mark.parametrize("bom", [False, True])
def test_decode_and_encode_round_trip_a_file(bom: bool) -> None:
    data = ("\ufeff" if bom else "").encode("utf-8") + "---\ntitle: \ufeffé\n".encode()
    text, had = decode(data)
    assert (text, had) == ("---\ntitle: \ufeffé\n", bom)  # one BOM, at the start only
    assert encode(text, had) == data
    assert decode(b"\xef\xbb\xbfa\xff", "replace") == ("a\ufffd", True)
    with pytest.raises(UnicodeDecodeError):
        decode(b"a\xff")


def test_a_bom_survives_check_fix_bump_and_the_index(here: Path) -> None:
    folder = Path("docs")
    folder.mkdir()
    doc = folder / "old.md"
    stale = approved("Old").replace("_Last updated: 2025-05-20", "_Last updated: 2025-05-01")
    doc.write_bytes(encode(stale, True))
    main(["check", str(doc), "--fix"])  # footer-date-mismatch
    assert doc.read_bytes() == encode(approved("Old"), True)
    assert main(["bump", str(doc), "patch"]) == 0
    assert doc.read_bytes().startswith(b"\xef\xbb\xbf---\ntitle: Old\n")
    index = Path("index.md")
    index.write_bytes(encode("# Docs\n", True))
    assert main(["index", "docs", "--output", str(index)]) == 0
    assert index.read_bytes().startswith(b"\xef\xbb\xbf# Docs\n\n")


# --------------------------------------------------------------------------- the field patterns

TEXT = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789-.+٣", max_size=12),
    st.lists(
        st.sampled_from(["a", "B", "1", "0", ".", "-", "+", "@", "<", ">", " ", ",", "TODO", "todo", "é", "_", "x"])
        | st.sampled_from(["example.com", "EXAMPLE.COM", "acme.io", "2025-06-01", "1.2.3", "-rc.1", "+b.5", "٣"]),
        max_size=8,
    ).map("".join),
).filter(lambda s: not s.endswith("\n"))  # Python's `$` also matches before a final newline; ECMA 262's does not
PROPERTIES = frontmatter_schema(TEMPLATE, Config())["properties"]


def valid(schema: dict, value: object) -> bool:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).is_valid(value)


def test_the_schema_patterns_are_the_models() -> None:
    owner = PROPERTIES["owners"]["items"]
    assert [p["pattern"] for p in owner["anyOf"]] == [f"^(?:{EMAIL.pattern})$", f"^(?:{NAMED_EMAIL.pattern})$"]
    assert owner["not"]["pattern"] == f"^(?:{PLACEHOLDER_EMAIL.pattern})$"
    assert PROPERTIES["last_updated"]["pattern"] == f"^(?:{ISO_DATE.pattern})$"
    assert PROPERTIES["version"]["pattern"] == f"^(?:{SEMVER.pattern})$"
    assert PLACEHOLDER_TITLE.pattern in json.dumps(PROPERTIES["title"]).replace("\\\\", "\\")


@settings(deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
@example(text="ANA@EXAMPLE.COM")  # the rule reads placeholders in any case; the schema did not
@example(text="TODOé")  # `TODO` is no word here, to the rule; the schema took `é` for a word boundary
def test_the_schema_and_the_rules_agree_on_a_value(text: str) -> None:
    assert valid(PROPERTIES["owners"]["items"], text) == (is_email(text) and not is_placeholder_email(text))
    assert valid(PROPERTIES["last_updated"], text) == (
        ISO_DATE.fullmatch(text) is not None and parse_date(text) is not None
    )
    try:
        semver.Version.parse(text)
        parsed = True
    except ValueError:
        parsed = False
    assert valid(PROPERTIES["version"], text) == parsed
    title = text != TEMPLATE.title_value and not is_placeholder_title(text) and text != ""
    assert valid(PROPERTIES["title"], text) == title


@pytest.mark.parametrize("owner", ["ANA@EXAMPLE.COM", " todo@acme.io", "<ana@dev.example.com> "])
def test_a_placeholder_owner_is_one_to_the_schema_too(owner: str) -> None:
    assert is_placeholder_email(owner)
    assert not valid(PROPERTIES["owners"]["items"], owner)


def test_a_title_is_a_placeholder_to_both_only_when_todo_is_a_word() -> None:
    for title, placeholder in (("TODO", True), ("TODO: x", True), ("TODOs", False), ("TODOé", False), ("TODO_", True)):
        assert is_placeholder_title(title) == placeholder
        assert valid(PROPERTIES["title"], title) == (not placeholder)
