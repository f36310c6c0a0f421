"""The catalog: entries of a tree, queries, `list`, `index` and `graph` (fixture tree: tests/fixtures/catalog)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest

from designdoc.catalog import entries as catalog
from designdoc.catalog import render
from designdoc.config import load as config_module
from designdoc.config.load import load_template
from helpers import EXAMPLES, FIXTURES, run

TREE = FIXTURES / "catalog"
ALL_DOCS = 15  # docs/README.md has no front matter: it is no design doc


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copy the fixture tree outside any git work tree and work from there."""
    shutil.copytree(TREE, tmp_path / "tree")
    monkeypatch.chdir(tmp_path / "tree")
    return tmp_path / "tree"


def load() -> catalog.Catalog:
    config = config_module.load()
    return catalog.load(["docs"], config=config, template=load_template(config))


def by_path(entries: list[catalog.Entry] | tuple[catalog.Entry, ...]) -> dict[str, catalog.Entry]:
    return {e.path: e for e in entries}


# --------------------------------------------------------------------------- loading


def test_every_doc_is_listed_once_in_every_status(tree: Path) -> None:
    entries = load().entries
    assert len(entries) == ALL_DOCS
    assert [e.path for e in entries] == sorted(e.path for e in entries)
    statuses = {e.status for e in entries}
    assert {
        "draft",
        "review",
        "approved",
        "implemented",
        "deprecated",
        "superseded",
        "rejected",
        "withdrawn",
    } <= statuses


def test_an_entry_holds_the_front_matter_and_the_findings(tree: Path) -> None:
    entry = by_path(load().entries)["docs/api/approved-auth.md"]
    assert entry.title == "Token Exchange"
    assert entry.status == "approved"
    assert entry.version == "1.1.0"
    assert entry.owners == ("ana.silva@acme.io", "bo.chen@acme.io")
    assert entry.last_updated == "2025-03-01"
    assert entry.age_days == 92  # DESIGNDOC_TODAY=2025-06-01 (conftest)
    assert entry.tags == ("api", "security")
    assert (entry.errors, entry.warnings) == (0, 0)
    assert entry.last_commit is None  # outside git


def test_a_doc_with_unparsable_front_matter_is_listed_blank_with_its_errors(tree: Path) -> None:
    entry = by_path(load().entries)["docs/broken/broken-yaml.md"]
    assert (entry.title, entry.status, entry.version, entry.owners, entry.last_updated) == (None, None, None, (), None)
    assert entry.errors == 1


def test_a_front_matter_problem_that_leaves_fields_readable_keeps_them(tree: Path) -> None:
    entry = by_path(load().entries)["docs/broken/duplicate-key.md"]
    assert (entry.title, entry.status) == ("Audit Trail", "review")  # the first of two `status` keys
    assert entry.errors == 1


def test_relations_are_resolved_to_paths(tree: Path) -> None:
    entries = by_path(load().entries)
    assert entries["docs/platform/limits-v2.md"].supersedes == ("docs/platform/limits-v1.md",)
    assert entries["docs/platform/limits-v1.md"].superseded_by == ("docs/platform/limits-v2.md",)
    assert entries["docs/one-sided/search-v1.md"].superseded_by == ("docs/one-sided/search-v2.md",)
    assert entries["docs/one-sided/search-v2.md"].supersedes == ()


def test_links_count_only_other_docs_of_the_catalog(tree: Path) -> None:
    links = by_path(load().entries)["docs/api/approved-auth.md"].links
    assert links == ("docs/api/draft-idea.md", "docs/platform/implemented-cache.md")


# --------------------------------------------------------------------------- queries


def test_filters_by_status_owner_tag_and_staleness(tree: Path) -> None:
    cat = load()
    assert {e.path for e in cat.select(statuses=["draft", "review"])} == {
        "docs/api/draft-idea.md",
        "docs/api/review-gateway.md",
        "docs/broken/duplicate-key.md",
    }
    assert {e.path for e in cat.select(owner="BO.CHEN@acme.io", tag="limits")} == {
        "docs/platform/limits-v1.md",
        "docs/platform/limits-v2.md",
    }
    stale = cat.select(stale=300)
    assert {e.path for e in stale} == {
        "docs/one-sided/search-v1.md",
        "docs/platform/deprecated-queue.md",
        "docs/platform/limits-v1.md",
    }
    assert all(e.age_days > 300 for e in stale)
    assert cat.select(stale=365) == [e for e in cat.entries if e.path == "docs/platform/limits-v1.md"]


def test_sorting_puts_statuses_in_lifecycle_order_and_blanks_last(tree: Path) -> None:
    cat = load()
    ordered = cat.sort(cat.entries, "status")
    ranks = [
        ("draft", "review", "approved", "implemented", "deprecated", "superseded", "rejected", "withdrawn").index(
            e.status
        )
        for e in ordered
        if e.status
    ]
    assert ranks == sorted(ranks)
    assert ordered[-1].path == "docs/broken/broken-yaml.md"
    by_age = cat.sort(cat.entries, "age_days")
    assert by_age[0].path == "docs/api/draft-idea.md" and by_age[-1].age_days is None


# --------------------------------------------------------------------------- list


def test_list_json_has_exactly_the_documented_keys(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "list", "docs", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == ALL_DOCS
    for row in rows:
        assert list(row) == [
            "path",
            "title",
            "status",
            "version",
            "owners",
            "last_updated",
            "age_days",
            "tags",
            "errors",
            "warnings",
            "last_commit",
            "created",
            "status_raw",
            "fields",
            "template_version",
            "template_outdated",
        ]
    first = rows[0]
    assert first == {
        "path": "docs/api/approved-auth.md",
        "title": "Token Exchange",
        "status": "approved",
        "version": "1.1.0",
        "owners": ["ana.silva@acme.io", "bo.chen@acme.io"],
        "last_updated": "2025-03-01",
        "age_days": 92,
        "tags": ["api", "security"],
        "errors": 0,
        "warnings": 0,
        "last_commit": None,
        "created": None,
        "status_raw": "approved",
        "fields": {},
        "template_version": None,
        "template_outdated": False,
    }
    assert err.count("no commit dates") == 1  # said once, on stderr


def test_list_filters_and_sorts_from_the_command_line(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "list",
        "docs",
        "--status",
        "approved",
        "--status",
        "implemented",
        "--sort",
        "last_updated",
        "--format",
        "json",
    )
    assert code == 0
    assert [r["path"] for r in json.loads(out)] == [
        "docs/platform/implemented-cache.md",
        "docs/platform/limits-v2.md",
        "docs/api/approved-auth.md",
        "docs/one-sided/search-v2.md",
    ]
    _, out, _ = run(capsys, "list", "docs", "--stale", "365", "--format", "json")
    assert [r["path"] for r in json.loads(out)] == ["docs/platform/limits-v1.md"]
    _, out, _ = run(capsys, "list", "docs", "--owner", "cy.okoro@acme.io", "--tag", "platform", "--format", "json")
    assert len(json.loads(out)) == 4


def test_list_csv_has_a_header_and_joins_lists(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list", "docs", "--format", "csv", "--status", "approved")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == list(catalog.FIELDS)
    assert rows[1][:5] == [
        "docs/api/approved-auth.md",
        "Token Exchange",
        "approved",
        "1.1.0",
        "ana.silva@acme.io;bo.chen@acme.io",
    ]
    assert rows[1][-1] == ""


@pytest.mark.parametrize("width", [200, 120, 80, 60, 40])
def test_list_table_fits_the_terminal(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    code, out, _ = run(capsys, "list", "docs")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("PATH") and len(lines) == ALL_DOCS + 1
    assert max(len(line) for line in lines) <= width
    if width >= 120:
        assert "Fixed Window Limits" in out and "superseded" in out


def test_list_refuses_an_unknown_status_or_sort_field(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "list", "docs", "--status", "done")
    assert code == 2 and "unknown status 'done'" in err
    code, _, err = run(capsys, "list", "docs", "--sort", "colour")
    assert code == 2 and "unknown field 'colour'" in err
    code, _, err = run(capsys, "list", "nowhere")
    assert code == 2 and "no such file or directory" in err


def test_list_of_a_folder_without_docs_is_an_empty_array(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    code, out, err = run(capsys, "list", "empty", "--format", "json")
    assert (code, json.loads(out)) == (0, [])
    assert "no design docs found" in err


# --------------------------------------------------------------------------- index


def test_index_appends_one_table_per_status_in_lifecycle_order(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("README.md").write_text("# Designs\n\nRead these first.\n", "utf-8")
    code, _, _ = run(capsys, "index", "docs", "--output", "README.md")
    assert code == 0
    text = Path("README.md").read_text("utf-8")
    assert text.startswith("# Designs\n\nRead these first.\n\n" + render.INDEX_START + "\n")
    assert text.endswith(render.INDEX_END + "\n")
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    assert headings == [
        "### Draft (1)",
        "### Review (2)",
        "### Approved (3)",
        "### Implemented (1)",
        "### Deprecated (1)",
        "### Superseded (4)",
        "### Rejected (1)",
        "### Withdrawn (1)",
        "### No valid status (1)",
    ]
    superseded = text.split("### Superseded (4)")[1].split("###")[0]
    rows = [line for line in superseded.splitlines() if line.startswith("| [")]
    assert [r.split("](")[0] for r in rows] == [
        "| [Alpha Routing",
        "| [Beta Routing",
        "| [Fixed Window Limits",
        "| [Search by Prefix",
    ]
    assert "| [Token Exchange](docs/api/approved-auth.md) | ana.silva@acme.io, bo.chen@acme.io | 2025-03-01 |" in text
    assert "timestamp" not in text.lower() and "generated" not in text.lower()


def test_index_links_are_relative_to_the_output_file(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "index", "docs", "--output", "docs/INDEX.md")[0] == 0
    text = Path("docs/INDEX.md").read_text("utf-8")
    assert "[Token Exchange](api/approved-auth.md)" in text
    assert text.startswith(render.INDEX_START)


def test_index_round_trip_keeps_the_outside_and_is_a_no_op_the_second_time(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = "Intro line\r\n\r\n" + render.INDEX_START + "stale content" + render.INDEX_END + " tail\r\nEnd\r\n"
    target = Path("catalog.md")
    target.write_bytes(before.encode("utf-8"))
    assert run(capsys, "index", "docs", "-o", "catalog.md")[0] == 0
    after = target.read_bytes()
    head, tail = before.split(render.INDEX_START)[0], before.split(render.INDEX_END)[1]
    assert after.startswith(head.encode()) and after.endswith(tail.encode())
    block = after[len(head) : len(after) - len(tail)].decode("utf-8")
    assert "\n" not in block.replace("\r\n", "")  # the file's CRLF line breaks are kept
    assert "### Approved (3)" in block
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    assert run(capsys, "index", "docs", "-o", "catalog.md")[0] == 0
    assert target.stat().st_mtime_ns == 1_000_000_000  # not rewritten
    assert target.read_bytes() == after


def test_index_check_exits_1_when_the_file_would_change_and_writes_nothing(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "index", "docs", "--output", "INDEX.md", "--check")[0] == 1
    assert not Path("INDEX.md").exists()
    assert run(capsys, "index", "docs", "--output", "INDEX.md")[0] == 0
    assert run(capsys, "index", "docs", "--output", "INDEX.md", "--check")[0] == 0
    doc = Path("docs/api/draft-idea.md")
    doc.write_text(doc.read_text("utf-8").replace("status: draft", "status: review"), "utf-8")
    saved = Path("INDEX.md").read_bytes()
    code, _, err = run(capsys, "index", "docs", "--output", "INDEX.md", "--check")
    assert code == 1 and "INDEX.md" in err
    assert Path("INDEX.md").read_bytes() == saved


def test_index_refuses_a_file_with_one_marker(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("INDEX.md").write_text(f"{render.INDEX_START}\nno end\n", "utf-8")
    code, _, err = run(capsys, "index", "docs", "--output", "INDEX.md")
    assert code == 2 and "INDEX.md" in err
    assert Path("INDEX.md").read_text("utf-8") == f"{render.INDEX_START}\nno end\n"
    assert run(capsys, "index", "docs", "--check")[0] == 2  # --check needs --output


def test_merge_index_appends_after_exactly_one_blank_line() -> None:
    block = f"{render.INDEX_START}\n{render.INDEX_END}"
    assert render.merge_index("a", block, "\n") == f"a\n\n{block}\n"
    assert render.merge_index("a\n", block, "\n") == f"a\n\n{block}\n"
    assert render.merge_index("a\n\n", block, "\n") == f"a\n\n{block}\n"
    assert render.merge_index(None, block, "\n") == f"{block}\n"


def test_index_escapes_markdown_in_cells() -> None:
    entry = catalog.Entry("docs/x y.md", "A [b] | c", "draft", None, ("a@b.io",), "2025-01-01", 1, (), 0, 0, None)
    block = render.index_block(catalog.Catalog((entry,), catalog.GitDates()), Path("INDEX.md"))
    assert r"| [A \[b\] \| c](docs/x%20y.md) | a@b.io | 2025-01-01 |" in block


# --------------------------------------------------------------------------- graph


def test_graph_json_has_supersede_edges_from_either_side_and_links(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "graph", "docs", "--format", "json")
    assert code == 0
    graph = json.loads(out)
    assert len(graph["nodes"]) == ALL_DOCS
    edges = {(e["source"], e["target"], e["kind"]) for e in graph["edges"]}
    assert edges == {
        ("docs/platform/limits-v2.md", "docs/platform/limits-v1.md", "supersedes"),
        ("docs/one-sided/search-v2.md", "docs/one-sided/search-v1.md", "supersedes"),  # stated by v1 only
        ("docs/cycle/alpha.md", "docs/cycle/beta.md", "supersedes"),
        ("docs/cycle/beta.md", "docs/cycle/alpha.md", "supersedes"),
        ("docs/api/approved-auth.md", "docs/api/draft-idea.md", "links"),
        ("docs/api/approved-auth.md", "docs/platform/implemented-cache.md", "links"),
    }


def test_graph_mermaid_and_dot(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "graph", "docs")
    assert out.startswith("flowchart LR\n")
    ids = {line.split("[")[1].strip('"]'): line.split("[")[0].strip() for line in out.splitlines() if '["' in line}
    assert f"  {ids['Token Bucket Limits']} -->|supersedes| {ids['Fixed Window Limits']}" in out.splitlines()
    assert f"  {ids['Token Exchange']} -.->|links to| {ids['Edge Cache']}" in out.splitlines()
    _, out, _ = run(capsys, "graph", "docs", "--format", "dot")
    assert out.startswith("digraph designdocs {")
    assert '"docs/platform/limits-v2.md" -> "docs/platform/limits-v1.md" [label="supersedes"];' in out


def test_a_large_tree_is_catalogued_in_workers_exactly_as_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from designdoc.catalog import entries as catalog_module
    from designdoc.check import pool
    from designdoc.config.load import from_table, load_template

    for copy in range(15):  # 60 docs: past the pool's threshold
        shutil.copytree(EXAMPLES, tmp_path / f"team{copy:02d}")
    monkeypatch.chdir(tmp_path)
    config = from_table({})
    template = load_template(config)
    in_workers = catalog_module.load(["."], config=config, template=template)
    monkeypatch.setattr(pool, "PARALLEL_FROM", 10**6)  # one process
    in_one = catalog_module.load(["."], config=config, template=template)
    assert len(in_workers.entries) == 60
    assert in_workers.entries == in_one.entries
