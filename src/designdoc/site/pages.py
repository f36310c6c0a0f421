"""What each page template receives: plain, JSON-able values, sorted.

A doc page's context holds everything on the page except its rendered body; its hash is
part of the manifest, so a doc whose backlinks, successor title or findings change is
rendered again even when its own text did not.  No page lists every doc except the
catalog and the dashboard: a doc page carries no site-wide navigation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from designdoc.catalog.entries import Catalog, Entry
from designdoc.model.diagnostics import Diagnostic
from designdoc.model.lifecycle import DESIGN_DOC, Lifecycle
from designdoc.site.charts import Bar, bar_chart
from designdoc.site.links import SiteMap, relative, root_of
from designdoc.site.source import Source

BANNERS = {
    "draft": "Draft: this design is still being written and may change.",
    "deprecated": "Deprecated: this design is no longer recommended.",
    "superseded": "Superseded: this design has been replaced.",
    "rejected": "Rejected: this design was reviewed and not accepted.",
    "withdrawn": "Withdrawn: this design was abandoned by its authors.",
}


@dataclass(frozen=True)
class Site:
    """Everything gathered for one build: the catalog, each doc's source and findings."""

    catalog: Catalog
    sources: dict[str, Source]  # by path, as shown, in the order the check returned them
    findings: dict[str, list[Diagnostic]]  # by path
    sitemap: SiteMap
    stale_days: int
    successors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    predecessors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    backlinks: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @cached_property
    def by_path(self) -> dict[str, Entry]:
        """Return the catalog entries by path (made once: every page asks)."""
        return {e.path: e for e in self.catalog.entries}

    def page(self, path: str) -> str | None:
        """Return the page of the doc at `path`, None when it has none (it could not be read)."""
        return self.sitemap.page_of(path) if path in self.sources else None


def relations(catalog: Catalog) -> tuple[dict, dict, dict]:
    """Return (successors, predecessors, backlinks) of each doc from the catalog's edges."""
    successors: dict[str, set[str]] = {}
    predecessors: dict[str, set[str]] = {}
    backlinks: dict[str, set[str]] = {}
    for edge in catalog.edges():
        if edge.kind == "supersedes":
            successors.setdefault(edge.target, set()).add(edge.source)
            predecessors.setdefault(edge.source, set()).add(edge.target)
        else:
            backlinks.setdefault(edge.target, set()).add(edge.source)
    return tuple({k: tuple(sorted(v)) for k, v in d.items()} for d in (successors, predecessors, backlinks))


def is_stale(entry: Entry, stale_days: int, lifecycle: Lifecycle) -> bool:
    """Return True for an open doc (draft, review) last updated more than `stale_days` ago."""
    return entry.status in lifecycle.open and entry.age_days is not None and entry.age_days > stale_days


def title_of(entry: Entry) -> str:
    """Return the title shown for a doc: its title, else its file name."""
    return entry.title or Path(entry.path).name


# --------------------------------------------------------------------------- doc pages


def doc_context(site: Site, entry: Entry) -> dict:
    """Return a doc page's context (everything but the rendered body)."""
    page = site.sitemap.page_of(entry.path)
    source = site.sources[entry.path]
    entries = site.by_path
    successors = [_ref(site, entries, page, p) for p in site.successors.get(entry.path, ())]
    return {
        **indexed_context(source),
        "page": page,
        "root": root_of(page),
        "path": entry.path,
        "badge": badge(site.catalog.lifecycle, entry.status),
        "version": entry.version,
        "owners": list(entry.owners),
        "reviewers": list(source.reviewers),
        "approvers": list(source.approvers),
        "last_updated": entry.last_updated,
        "age_days": entry.age_days,
        "stale": is_stale(entry, site.stale_days, site.catalog.lifecycle),
        "last_commit": entry.last_commit,
        "supersedes": [_ref(site, entries, page, p) for p in site.predecessors.get(entry.path, ())],
        "superseded_by": successors,
        "backlinks": [_ref(site, entries, page, p) for p in site.backlinks.get(entry.path, ())],
        "findings": [_finding(d) for d in site.findings.get(entry.path, ())],
        "errors": entry.errors,
        "warnings": entry.warnings,
        "banner": _banner(entry.status, successors),
    }


def indexed_context(source: Source) -> dict:
    """Return what the indexed part of a doc's page shows besides its body (see `_indexed.html`)."""
    entry = source.entry
    return {
        "title": title_of(entry),
        "status": entry.status,
        "tags": list(entry.tags),
        "has_title_heading": source.has_title_heading,
    }


def _ref(site: Site, entries: dict[str, Entry], here: str, path: str) -> dict:
    entry = entries[path]
    target = site.page(path)
    return {
        "title": title_of(entry),
        "status": entry.status,
        "href": relative(here, target) if target is not None else None,
    }


def _finding(d: Diagnostic) -> dict:
    return {"line": d.line, "column": d.column, "severity": d.severity.label, "rule": d.rule, "message": d.message}


def _banner(status: str | None, successors: list[dict]) -> dict | None:
    if status not in BANNERS:
        return None
    return {"kind": status, "text": BANNERS[status], "successors": successors if status == "superseded" else []}


# --------------------------------------------------------------------------- the catalog


def catalog_context(site: Site) -> dict:
    """Return the catalog page's context: rows sorted by title, the filter choices with counts."""
    entries = site.catalog.sort(site.catalog.entries, "title")
    rows = [_row(site, e) for e in entries]
    extra = list(dict.fromkeys(name for e in entries for name, _ in e.fields))  # the process's extra fields
    cells = [[_values(dict(e.fields).get(name)) for name in extra] for e in entries]
    for row, values in zip(rows, cells, strict=True):
        row["extra"] = values
    return {
        "page": "index.html",
        "root": "",
        "rows": rows,
        "total": len(rows),
        "statuses": _status_counts(site.catalog, entries),
        "tags": _counts(t for e in entries for t in dict.fromkeys(e.tags)),
        "owners": _counts(o for e in entries for o in dict.fromkeys(e.owners)),
        "stale": sum(1 for r in rows if r["stale"]),
        "stale_days": site.stale_days,
        "extra": [
            {
                "name": name,
                "label": name.replace("-", " ").capitalize(),
                "values": _counts(v for c in cells for v in c[n]),
            }
            for n, name in enumerate(extra)
        ],
        # what the filters read: one compact record per row, in row order
        "filter_data": [
            [r["status"] or "", r["tags"], r["owners"], _haystack(r), c] for r, c in zip(rows, cells, strict=True)
        ],
    }


def _values(value: str | tuple[str, ...] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _row(site: Site, entry: Entry) -> dict:
    page = site.page(entry.path)
    return {
        "title": title_of(entry),
        "href": page,
        "path": entry.path,
        "status": entry.status,
        "badge": badge(site.catalog.lifecycle, entry.status),
        "version": entry.version,
        "owners": list(entry.owners),
        "last_updated": entry.last_updated,
        "age_days": entry.age_days,
        "stale": is_stale(entry, site.stale_days, site.catalog.lifecycle),
        "tags": list(entry.tags),
        "errors": entry.errors,
        "warnings": entry.warnings,
    }


def _haystack(row: dict) -> str:
    return " ".join([row["title"], row["path"], *row["owners"], *row["tags"], row["version"] or ""]).casefold()


def _status_counts(catalog: Catalog, entries: Sequence[Entry]) -> list[dict]:
    counts = Counter(e.status if e.status in catalog.statuses else "" for e in entries)
    found = [
        {"status": s, "count": counts[s], "badge": badge(catalog.lifecycle, s)} for s in catalog.statuses if counts[s]
    ]
    if counts[""]:
        found.append({"status": "", "count": counts[""], "badge": badge(catalog.lifecycle, None)})
    return found


def _version_counts(entries: Sequence[Entry]) -> list[dict]:
    """Return the docs per template version: the current one first, then the others by count."""
    counts = Counter(e.template_version for e in entries if e.template_version is not None)
    current = {e.template_version for e in entries if e.template_version is not None and not e.template_outdated}
    rows = [{"version": v, "count": n, "current": v in current} for v, n in counts.items()]
    return sorted(rows, key=lambda r: (not r["current"], -r["count"], r["version"]))


def badge(lifecycle: Lifecycle, status: str | None) -> dict:
    """Return a status badge: its CSS classes and its text (the status's label in a team's lifecycle).

    The built-in lifecycle's statuses have their own styles in site.css; a team's statuses
    get the colours of their lifecycle, from lifecycle.css (`lifecycle_css`).
    """
    known = lifecycle.status(status) if status is not None else None
    if known is None:
        return {"css": "dd-status-none", "label": status or "no valid status"}
    if known == DESIGN_DOC.status(known.name):  # styled by site.css, shown by its name as ever
        return {"css": f"dd-status-{status}", "label": status}
    return {"css": f"dd-status-team dd-s-{lifecycle.rank(status)}", "label": known.label}


_COLOUR = re.compile(r"#[0-9A-Fa-f]{3,8}|[A-Za-z]{3,20}|(?:rgb|hsl)a?\([0-9., %]+\)")


def lifecycle_css(lifecycle: Lifecycle) -> str:
    """Return the badge colours of a team's lifecycle (nothing for the built-in one: site.css has them)."""
    if lifecycle is DESIGN_DOC:
        return "/* the built-in lifecycle: its colours are in site.css */\n"
    rules = [
        f".dd-s-{n} {{ --s-c: {status.colour if _COLOUR.fullmatch(status.colour) else '#6e7781'}; }}"
        for n, status in enumerate(lifecycle.statuses)
    ]
    return "/* the team's lifecycle: one colour per status */\n" + "\n".join(rules) + "\n"


def lifecycle_diagram(lifecycle: Lifecycle) -> str:
    """Return the lifecycle as a Mermaid state diagram: where a doc starts, the moves, the ends."""
    ids = {s.name: f"s{n}" for n, s in enumerate(lifecycle.statuses)}
    lines = ["stateDiagram-v2", "  direction LR"]
    lines += [f'  state "{_label(s.label)}" as {ids[s.name]}' for s in lifecycle.statuses]
    lines += [f"  [*] --> {ids[name]}" for name in dict.fromkeys((lifecycle.initial, *lifecycle.starts))]
    for source in lifecycle.names:
        lines += [
            f"  {ids[source]} --> {ids[target]}"
            for target in sorted(lifecycle.moves.get(source, ()), key=lifecycle.rank)
        ]
    reached = {t for targets in lifecycle.moves.values() for t in targets} | {lifecycle.initial, *lifecycle.starts}
    lines += [f"  {ids[name]} --> [*]" for name in lifecycle.final if name in reached]
    return "\n".join(lines) + "\n"


def _label(text: str) -> str:
    return re.sub(r'["<>#;]', "", text)


def _counts(values: Iterable[str]) -> list[dict]:
    counts = Counter(values)
    return [{"value": v, "count": counts[v]} for v in sorted(counts, key=lambda v: (v.casefold(), v))]


# --------------------------------------------------------------------------- the dashboard

TOP_OWNERS = 15


def dashboard_context(site: Site) -> dict:
    """Return the dashboard's context: charts by status and owner, stale docs, errors, supersede chains."""
    entries = site.catalog.entries
    statuses = _status_counts(site.catalog, entries)
    owners = sorted(
        _counts(o for e in entries for o in dict.fromkeys(e.owners)),
        key=lambda c: (-c["count"], c["value"].casefold(), c["value"]),
    )
    status_bars = [
        Bar(
            s["badge"]["label"],
            s["count"],
            s["badge"]["css"],
            "index.html?status=" + quote(s["status"] or "-"),
        )
        for s in statuses
    ]
    owner_bars = [
        Bar(o["value"], o["count"], "dd-bar-owner", "index.html?owner=" + quote(o["value"]))
        for o in owners[:TOP_OWNERS]
    ]
    stale = sorted(
        (e for e in entries if is_stale(e, site.stale_days, site.catalog.lifecycle)),
        key=lambda e: (-(e.age_days or 0), e.path),
    )
    failing = sorted((e for e in entries if e.errors), key=lambda e: (-e.errors, title_of(e).casefold(), e.path))
    return {
        "page": "dashboard.html",
        "root": "",
        "total": len(entries),
        "errors": sum(e.errors for e in entries),
        "warnings": sum(e.warnings for e in entries),
        "stale_days": site.stale_days,
        "status_chart": bar_chart(status_bars, title="Docs by status", chart_id="dd-chart-status"),
        "owner_chart": bar_chart(owner_bars, title=f"Docs by owner (top {TOP_OWNERS})", chart_id="dd-chart-owner"),
        "status_bars": _bar_rows(status_bars),  # the same charts as HTML, for narrow screens
        "owner_bars": _bar_rows(owner_bars),
        "statuses": statuses,
        "owners": owners,
        "stale": [_row(site, e) for e in stale],
        "failing": [_row(site, e) for e in failing],
        "chains": [[_chain_link(site, p) for p in chain] for chain in supersede_chains(site.predecessors)],
        "lifecycle": lifecycle_diagram(site.catalog.lifecycle),
        "template_versions": _version_counts(entries),
        "open_statuses": [
            badge(site.catalog.lifecycle, s)["label"]
            for s in site.catalog.lifecycle.names
            if s in site.catalog.lifecycle.open
        ],
    }


def _bar_rows(bars: list[Bar]) -> list[dict]:
    """Return a chart's bars as rows for the dashboard's HTML chart: label, value, class, link, length in %."""
    top = max((b.value for b in bars), default=0) or 1
    return [
        {"label": b.label, "value": b.value, "css": b.css, "href": b.href, "percent": round(100 * b.value / top)}
        for b in bars
    ]


def _chain_link(site: Site, path: str) -> dict:
    entry = site.by_path[path]
    return {"title": title_of(entry), "status": entry.status, "href": site.page(path)}


def supersede_chains(predecessors: dict[str, tuple[str, ...]]) -> list[list[str]]:
    """Return every supersede chain, oldest doc first, as lists of paths (a cycle is listed once).

    `predecessors[b]` are the docs that `b` supersedes.  A chain starts at a doc nothing
    supersedes and walks back through its predecessors; a branch gives one chain per path.
    """
    superseded = {p for olds in predecessors.values() for p in olds}
    newest = sorted(p for p in predecessors if p not in superseded)
    chains: list[list[str]] = []
    covered: set[str] = set()
    for start in newest:
        for path in _walk_back(start, predecessors):
            chains.append(list(reversed(path)))
            covered.update(path)
    for start in sorted(set(predecessors) - covered):  # what is left is in a cycle
        if start in covered:
            continue  # an earlier cycle went through it
        path = next(iter(_walk_back(start, predecessors)))
        chains.append(list(reversed(path)) + [path[-1]])  # closes the cycle
        covered.update(path)
    return chains


def _walk_back(start: str, predecessors: dict[str, tuple[str, ...]]) -> Iterable[list[str]]:
    stack = [[start]]
    while stack:
        path = stack.pop()
        olds = [p for p in predecessors.get(path[-1], ()) if p not in path]
        if not olds:
            yield path
        for old in reversed(olds):
            stack.append(path + [old])
