"""The catalog as people and tools read it: a terminal table, CSV, JSON, the Markdown index and the graph."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from designdoc.catalog.entries import FIELDS, NO_STATUS, Catalog, Entry

INDEX_START, INDEX_END = "<!-- designdoc:index:start -->", "<!-- designdoc:index:end -->"


def to_json(entries: Sequence[Entry]) -> str:
    """Return the entries as a JSON array of objects (the keys of `FIELDS`, then `created`,
    `status_raw`, the process's extra `fields`, `template_version` and `template_outdated`)."""
    return json.dumps([e.record() for e in entries], indent=2, ensure_ascii=False) + "\n"


def to_csv(entries: Sequence[Entry]) -> str:
    """Return the entries as CSV with a header row; list values are joined with ';'."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for entry in entries:
        writer.writerow(_cell(v, ";") for v in entry.row().values())
    return out.getvalue()


def _cell(value: object, joiner: str = ", ") -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return joiner.join(value)
    return str(value)


# (field, header, narrowest width a long cell is cut to); the path is cut last
_TABLE = (
    ("path", "PATH", 16),
    ("title", "TITLE", 24),
    ("status", "STATUS", 11),
    ("version", "VERSION", 7),
    ("owners", "OWNERS", 14),
    ("last_updated", "UPDATED", 10),
    ("age_days", "AGE", 3),
    ("tags", "TAGS", 10),
    ("errors", "ERR", 3),
    ("warnings", "WARN", 4),
    ("last_commit", "COMMIT", 10),
)


_DROP_ORDER = ("tags", "last_commit", "version", "warnings", "age_days", "owners", "last_updated", "title")


_SHRINK_ORDER = ("title", "owners", "tags", "path")


_NUMERIC = frozenset(("age_days", "errors", "warnings"))


def to_table(entries: Sequence[Entry], width: int | None) -> str:
    """Return plain aligned columns that fit in `width`: columns dropped, then long cells cut with '…'.

    With no `width` every column is kept whole.
    """
    columns = list(_TABLE)
    rows = [[c[1] for c in columns]] + [[_cell(e.row()[c[0]]) for c in columns] for e in entries]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    if width is None:
        width = sum(widths) + 2 * (len(columns) - 1)
    for name in _DROP_ORDER:  # least useful first, while even the narrowest layout is too wide
        narrowest = [min(w, c[2]) if c[0] in _SHRINK_ORDER else w for c, w in zip(columns, widths, strict=True)]
        if sum(narrowest) + 2 * (len(columns) - 1) <= width:
            break
        drop = next(i for i, c in enumerate(columns) if c[0] == name)
        for table in (columns, widths, *rows):
            del table[drop]
    _shrink(columns, widths, width)
    return "".join(
        "  ".join(_fit(text, widths[i], columns[i][0] in _NUMERIC) for i, text in enumerate(row)).rstrip() + "\n"
        for row in rows
    )


def _shrink(columns: list, widths: list[int], width: int) -> None:
    """Narrow the long text columns until a row fits: the one with most room to spare first, the path last."""
    excess = sum(widths) + 2 * (len(widths) - 1) - width
    while excess > 0:
        spare = [
            (c[0] != "path", widths[i] - c[2], i)
            for i, c in enumerate(columns)
            if c[0] in _SHRINK_ORDER and widths[i] > c[2]
        ]
        if not spare:
            return
        _, _, i = max(spare)
        widths[i] -= 1
        excess -= 1


def _fit(text: str, width: int, right: bool) -> str:
    if len(text) > width:
        text = text[: max(width - 1, 0)] + "…"
    return text.rjust(width) if right else text.ljust(width)


def index_block(catalog: Catalog, output: Path, newline: str = "\n") -> str:
    """Return the index between its markers: one table per status, in lifecycle order.

    Titles link to the docs relative to `output`; rows are sorted by title, then path.
    """
    groups: dict[str, list[Entry]] = {}
    for entry in catalog.entries:
        status = entry.status if entry.status in catalog.statuses else NO_STATUS
        groups.setdefault(status, []).append(entry)
    lines = [INDEX_START, ""]
    for status in (*catalog.statuses, NO_STATUS):
        rows = sorted(groups.get(status, ()), key=lambda e: ((e.title or e.path).casefold(), e.path))
        if not rows:
            continue
        lines += [
            f"### {status[:1].upper()}{status[1:]} ({len(rows)})",
            "",
            "| Title | Owners | Last updated |",
            "| --- | --- | --- |",
        ]
        lines += [_index_row(e, output) for e in rows]
        lines.append("")
    if not groups:
        lines += ["No design docs found.", ""]
    lines.append(INDEX_END)
    return newline.join(lines)


def _index_row(entry: Entry, output: Path) -> str:
    target = os.path.relpath(os.path.abspath(entry.path), os.path.dirname(os.path.abspath(output)))
    link = f"[{_escape(entry.title or entry.path)}]({quote(Path(target).as_posix())})"
    return f"| {link} | {_escape(', '.join(entry.owners))} | {_escape(entry.last_updated or '')} |"


def _escape(text: str) -> str:
    """Return text safe in a table cell and in link text (Markdown punctuation escaped)."""
    text = " ".join(text.split())
    for char in "\\`*[]<|":
        text = text.replace(char, "\\" + char)
    return text


def merge_index(existing: str | None, block: str, newline: str) -> str:
    """Return the file text with the block between the markers replaced (or appended).

    Everything outside the markers is kept byte for byte.  A file without markers gets the
    block after one blank line; ValueError when only one marker is there or they are reversed.
    """
    if existing is None or existing == "":
        return block + newline
    start, end = existing.find(INDEX_START), existing.find(INDEX_END)
    if start == -1 and end == -1:
        if existing.endswith(newline * 2):
            lead = ""
        else:
            lead = newline if existing.endswith(("\n", "\r")) else newline * 2
        return existing + lead + block + newline
    if start == -1 or end == -1 or end < start:
        raise ValueError(f"needs both {INDEX_START} and {INDEX_END}, in that order")
    return existing[:start] + block + existing[end + len(INDEX_END) :]


def graph_json(catalog: Catalog) -> str:
    """Return the graph as JSON: `nodes` (path, title, status) and `edges` (source, target, kind)."""
    nodes = [{"path": e.path, "title": e.title, "status": e.status} for e in catalog.entries]
    edges = [{"source": e.source, "target": e.target, "kind": e.kind} for e in catalog.edges()]
    return json.dumps({"nodes": nodes, "edges": edges}, indent=2, ensure_ascii=False) + "\n"


def graph_mermaid(catalog: Catalog) -> str:
    """Return the graph as a Mermaid flowchart (supersedes: solid arrows; links: dotted)."""
    ids = {e.path: f"d{n}" for n, e in enumerate(catalog.entries, 1)}
    lines = ["flowchart LR"]
    for entry in catalog.entries:
        label = (entry.title or entry.path).replace('"', "#quot;")
        lines.append(f'  {ids[entry.path]}["{label}"]')
    for edge in catalog.edges():
        arrow = "-->|supersedes|" if edge.kind == "supersedes" else "-.->|links to|"
        lines.append(f"  {ids[edge.source]} {arrow} {ids[edge.target]}")
    return "\n".join(lines) + "\n"


def graph_dot(catalog: Catalog) -> str:
    """Return the graph in Graphviz DOT (supersedes: solid edges; links: dashed)."""
    lines = ["digraph designdocs {", "  rankdir=LR;", "  node [shape=box];"]
    for entry in catalog.entries:
        lines.append(f"  {_dot(entry.path)} [label={_dot(entry.title or entry.path)}];")
    for edge in catalog.edges():
        style = ' [label="supersedes"]' if edge.kind == "supersedes" else ' [label="links to", style=dashed]'
        lines.append(f"  {_dot(edge.source)} -> {_dot(edge.target)}{style};")
    return "\n".join(lines + ["}"]) + "\n"


def _dot(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
