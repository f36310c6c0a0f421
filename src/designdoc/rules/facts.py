"""What the project phase reads: per-doc facts, the run's facts, and the context of a project rule.

While the runner checks each file it keeps a small `DocFacts` record of it (status,
dates, the supersede lists and links with their positions, its anchors); after the
loop it calls every rule of the `project` phase once per doc with a `ProjectContext`:
that doc's facts plus the run's `ProjectFacts`.  The rules are in `crossdoc.py` and
`links.py`.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from designdoc.edit.scalars import flow_item, yaml_scalar
from designdoc.model.diagnostics import CrossFileFix, Diagnostic, Edit, Fix, Severity
from designdoc.model.fields import parse_date
from designdoc.model.settings import Config
from designdoc.model.text import LineIndex, decode, split_lines
from designdoc.parse.document import Document
from designdoc.parse.frontmatter import parse as parse_front_matter

SUPERSEDES, SUPERSEDED_BY = "supersedes", "superseded_by"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # safe as a plain scalar, in block and flow lists


def _rebuilt_by_init(self: Any) -> tuple:
    """Pickle a frozen slotted dataclass as a call of its class: a warm run loads tens of
    thousands of these from the cache, and the default state-setting is several times slower."""
    return (type(self), tuple(getattr(self, name) for name in self.__slots__))


class LinkFact(NamedTuple):
    """A relative link or image of a doc (links with a scheme or `//` are not kept).

    A NamedTuple, like RefItem: a warm run loads tens of thousands from the cache.
    """

    line: int
    column: int
    end_column: int
    target: str


class RefItem(NamedTuple):
    """One `supersedes` / `superseded_by` entry and where it is written."""

    text: str
    line: int
    column: int
    end_column: int


@dataclass(frozen=True, slots=True)
class RefList:
    """A reference list of one doc: its entries, and how to add one (front-matter edit)."""

    key: str
    items: tuple[RefItem, ...] = ()
    mode: str = "none"  # absent | block | flow | scalar | none (no safe edit)
    at: int = 0  # offset of the insertion (scalar: the value's start)
    end: int = 0  # scalar: offset just past the value
    indent: str = ""  # block: the indent of the `-`
    lead: str = ""  # flow: ", " when the list already has items
    wrap: str = ""  # scalar: the value rewritten as a list item, when `[…]` would read it otherwise (`a, b`)

    __reduce__ = _rebuilt_by_init

    def add(self, ref: str, newline: str) -> tuple[Edit, ...]:
        """Return the edits that add `ref` to this list (none when no safe edit exists)."""
        value = yaml_scalar(ref)
        if self.mode == "absent":  # a new key goes before the closing `---`, as a block list
            return (Edit.insert(self.at, f"{self.key}:{newline}  - {value}{newline}"),)
        if self.mode == "block":
            return (Edit.insert(self.at, f"{self.indent}- {value}{newline}"),)
        if self.mode == "flow":
            return (Edit.insert(self.at, f"{self.lead}{value}"),)
        if self.mode == "scalar" and self.wrap:
            return (Edit(self.at, self.end, f"[{self.wrap}, {value}]"),)
        if self.mode == "scalar":  # a single reference is a one-item list: `a` becomes `[a, b]`
            return Edit.insert(self.at, "["), Edit.insert(self.end, f", {value}]")
        return ()


@dataclass(frozen=True, slots=True)
class DocFacts:
    """What the project rules need to know of one doc: small, so a run's memory stays flat."""

    path: str
    readable: bool  # front matter present and usable
    status: str | None
    last_updated: dt.date | None
    updated_at: tuple[int, int, int]  # line, column, end column of the last_updated value
    status_at: tuple[int, int, int]  # line, column, end column of the status value
    supersedes: RefList
    superseded_by: RefList
    newline: str
    suppressed: tuple[tuple[int, int, frozenset[str]], ...] = ()
    links: tuple[LinkFact, ...] = ()
    anchors: frozenset[str] = frozenset()
    sidecar: str | None = None  # the sidecar its metadata came from (a team's process)

    __reduce__ = _rebuilt_by_init

    def refs(self, key: str) -> RefList:
        """Return the `supersedes` or `superseded_by` list."""
        return self.supersedes if key == SUPERSEDES else self.superseded_by


def facts_of(doc: Document, suppressed: tuple[tuple[int, int, frozenset[str]], ...] = ()) -> DocFacts:
    """Return the facts of a parsed doc."""
    front = doc.frontmatter
    readable = front is not None and not front.fatal and front.end_line is not None
    links = tuple(
        LinkFact(link.line, link.column, link.end_column, link.target)
        for link in doc.links
        if link.target and not _SCHEME.match(link.target) and not link.target.startswith("//")
    )
    return DocFacts(
        doc.path,
        readable,
        doc.field_text("status"),
        parse_date(doc.field_text("last_updated")),
        _value_at(doc, "last_updated", readable),
        _value_at(doc, "status", readable),
        _ref_list(doc, SUPERSEDES, readable),
        _ref_list(doc, SUPERSEDED_BY, readable),
        doc.newline,
        suppressed,
        links,
        doc.anchors,
        doc.metadata.sidecar if doc.spec.sidecar is not None else None,
    )


def status_in(data: bytes) -> str | None:
    """Return the `status` a version of a doc (its bytes) has in its front matter, if readable."""
    text, _ = decode(data, "replace")
    front = parse_front_matter(text, split_lines(text), LineIndex(text))
    item = front.get("status") if front is not None else None
    if item is None or item.node.kind != "scalar" or item.node.value is None:
        return None
    return str(item.node.value)


def _value_at(doc: Document, key: str, readable: bool) -> tuple[int, int, int]:
    item = doc.frontmatter.get(key) if readable else None
    if item is None or item.node.kind != "scalar":
        return (1, 1, 2)
    return item.node.line, item.node.column, _end_column(doc, item.node)


def _end_column(doc: Document, node: Any) -> int:
    line, column = doc.index.position(node.end)
    return column if line == node.line and column > node.column else node.column + 1


def _ref_list(doc: Document, key: str, readable: bool) -> RefList:
    if not readable:
        return RefList(key)
    item = doc.frontmatter.fields.get(key)
    if item is None:
        return RefList(key, mode="absent", at=doc.frontmatter.content_end)
    node = item.node
    entries = [n for n in node.items() if n.kind == "scalar" and n.value is not None and str(n.value).strip()]
    refs = tuple(RefItem(str(n.value).strip(), n.line, n.column, _end_column(doc, n)) for n in entries)
    if node.kind == "seq" and len(entries) == len(node.value):
        if node.style == "block":
            after = doc.index.offset(doc.index.position(entries[-1].end)[0] + 1)
            return RefList(key, refs, "block", after, indent=" " * (node.column - 1))
        at = entries[-1].end if entries else node.end - 1
        return RefList(key, refs, "flow", at, lead=", " if entries else "")
    if node.kind == "scalar" and entries and node.style in ("", "'", '"') and "\n" not in node.value:
        raw = doc.text[node.start : node.end]
        item = flow_item(raw, node.style, str(node.value))
        return RefList(key, refs, "scalar", node.start, node.end, wrap="" if item == raw else item)
    return RefList(key, refs)


def reference_to(target: str | os.PathLike[str], source: str | os.PathLike[str]) -> str:
    """Return how the doc at `source` names the doc at `target`: its stem in the same folder, else a path.

    The one way a reference is made (the `supersede-asymmetric` fix, `status … --by`).  It is
    read as a path from the source's folder with `..` taken out lexically, as in a link
    (`Project.resolve_reference`), so that folder is taken as named (a symlinked folder stays
    the link), while the target is the file itself, its real path: the bare stem when that
    file is in the source's folder (through any link), else the path from the folder to it.
    """
    real_target = os.path.realpath(target)
    folder = os.path.abspath(os.path.dirname(source) or os.curdir)
    if os.path.realpath(folder) == os.path.dirname(real_target):
        return Path(real_target).stem
    return Path(os.path.relpath(real_target, folder)).as_posix()


class ProjectFacts:
    """The facts of every doc in the run, the references between them and, lazily, git dates.

    A doc named by a reference but outside the run is read once, through `load`.
    """

    def __init__(
        self,
        docs: Mapping[Path, DocFacts],
        *,
        resolve: Callable[[str, str], Path | None],
        load: Callable[[Path], DocFacts | None],
        git: Callable[[], Any],
        history: Callable[[], Any] = lambda: None,
        files: Any = None,
    ) -> None:
        self.docs = docs
        self.files = files  # project.Project: existence and anchors of linked files, cached for the run
        self._resolve, self._load, self._git_loader, self._history_loader = resolve, load, git, history
        self._outside: dict[Path, DocFacts | None] = {}
        self._targets: dict[tuple[str, str], Path | None] = {}
        self.loaded_git: Any = None
        self.loaded_history: Any = None

    def facts(self, key: Path) -> DocFacts | None:
        """Return the facts of a doc, reading it once if it is outside the run."""
        if key in self.docs:
            return self.docs[key]
        if key not in self._outside:
            self._outside[key] = self._load(key)
        return self._outside[key]

    def target(self, facts: DocFacts, item: RefItem) -> Path | None:
        """Return the key of the doc an entry names, or None when it names none."""
        memo = (facts.path, item.text)
        if memo not in self._targets:
            found = self._resolve(facts.path, item.text)
            self._targets[memo] = found  # already a real path
        return self._targets[memo]

    def names(self, facts: DocFacts, key: str, wanted: Path) -> bool:
        """Return True when the `key` list of `facts` names the doc `wanted`."""
        return any(self.target(facts, item) == wanted for item in facts.refs(key).items)

    def git(self) -> Any:
        """Return the run's git dates (loaded on first use)."""
        if self.loaded_git is None:
            self.loaded_git = self._git_loader()
        return self.loaded_git

    def history(self) -> Any:
        """Return the status history since the `--base` revision (None without one; loaded on first use)."""
        if self.loaded_history is None:
            self.loaded_history = self._history_loader()
        return self.loaded_history

    @functools.cached_property
    def sidecar_claims(self) -> dict[str, tuple[str, ...]]:
        """Return {sidecar: the docs of the run that read it, sorted} for every sidecar read."""
        claims: dict[str, list[str]] = {}
        for facts in self.docs.values():
            if facts.sidecar is not None:
                claims.setdefault(os.path.normpath(facts.sidecar), []).append(facts.path)
        return {sidecar: tuple(sorted(paths)) for sidecar, paths in claims.items()}

    @functools.cached_property
    def cycles(self) -> dict[Path, tuple[Path, ...]]:
        """Return {doc that reports it: the cycle's docs, first repeated at the end} per supersede cycle."""
        graph = self._graph()
        found: dict[Path, tuple[Path, ...]] = {}
        for component in _components(graph):
            first = min((k for k in component if k in self.docs), key=lambda k: self.docs[k].path, default=None)
            if first is not None and (len(component) > 1 or first in graph[first]):
                found[first] = _cycle_through(first, component, graph)
        return found

    def _graph(self) -> dict[Path, set[Path]]:
        """Return "supersedes" edges, stated on either side, among the docs the run reaches."""
        graph: dict[Path, set[Path]] = {key: set() for key in self.docs}
        todo = list(self.docs)
        while todo:
            key = todo.pop()
            facts = self.facts(key)
            for name in (SUPERSEDES, SUPERSEDED_BY):
                for item in facts.refs(name).items if facts else ():
                    other = self.target(facts, item)
                    if other is None or self.facts(other) is None:
                        continue
                    source, sink = (key, other) if name == SUPERSEDES else (other, key)
                    if other not in graph:  # a doc outside the run: follow its references too
                        graph[other] = set()
                        todo.append(other)
                    graph[source].add(sink)
        return graph


def _components(graph: dict[Path, set[Path]]) -> Iterator[set[Path]]:
    """Yield the strongly connected components of `graph` (Tarjan, iterative)."""
    index: dict[Path, int] = {}
    low: dict[Path, int] = {}
    stack: list[Path] = []
    on_stack: set[Path] = set()
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                yield component


def _cycle_through(first: Path, component: set[Path], graph: dict[Path, set[Path]]) -> tuple[Path, ...]:
    """Return a shortest cycle from `first` back to itself inside its component (breadth first)."""
    parents: dict[Path, Path] = {}
    frontier = [first]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & component):
                if child == first:
                    chain = [node]
                    while chain[-1] != first:
                        chain.append(parents[chain[-1]])
                    return (*reversed(chain), first)
                if child not in parents:
                    parents[child] = node
                    following.append(child)
        frontier = following
    return (first, first)


@dataclass(frozen=True)
class ProjectContext:
    """What a project rule reads: one doc's facts, the run's facts, config, today, options."""

    facts: DocFacts
    key: Path
    project: ProjectFacts
    config: Config
    today: dt.date
    options: Any
    slug: str

    def report(
        self,
        message: str,
        *,
        line: int,
        column: int = 1,
        end_column: int | None = None,
        fix: Fix | None = None,
        subject: str = "",
    ) -> Diagnostic:
        """Return a diagnostic of this rule on this doc (the severity is stamped by the runner)."""
        return Diagnostic(
            self.facts.path,
            line,
            column,
            line,
            end_column or column + 1,
            self.slug,
            Severity.OFF,
            message,
            fix,
            subject,
        )

    def at(self, item: RefItem, message: str, fix: Fix | None = None) -> Diagnostic:
        """Return a diagnostic pointing at a reference entry."""
        return self.report(
            message, line=item.line, column=item.column, end_column=item.end_column, fix=fix, subject=item.text
        )

    def related(self, key: str) -> Iterator[tuple[RefItem, Path, DocFacts]]:
        """Yield the entries of a reference list that name another readable doc, with that doc."""
        for item in self.facts.refs(key).items:
            other = self.project.target(self.facts, item)
            facts = self.project.facts(other) if other is not None and other != self.key else None
            if facts is not None and facts.readable:
                yield item, other, facts


def cross_file_edits(diagnostics: Iterable[Diagnostic]) -> dict[str, tuple[Edit, ...]]:
    """Return, per file to change, the edits of the cross-file fixes that can be applied together.

    A fix that touches the span (or insertion point) of an earlier one waits for the next run:
    two docs missing from a list that does not exist yet must not both add the key.
    """
    taken: dict[str, list[Edit]] = {}
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if not isinstance(fix, CrossFileFix) or not fix.file_edits:
            continue
        done = taken.setdefault(fix.path, [])
        if not any(_touches(a, b) for a in fix.file_edits for b in done):
            done.extend(fix.file_edits)
    return {path: tuple(edits) for path, edits in taken.items() if edits}


def _touches(a: Edit, b: Edit) -> bool:
    return a.start <= b.end and b.start <= a.end
