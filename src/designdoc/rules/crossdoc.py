"""Cross-document rules: supersede-*, superseded-status-mismatch and the git-based ones
(last-updated-behind-commit, status-transition-illegal).

These rules need the whole run (and git).  While the runner checks each file it keeps a
small `DocFacts` record of it (status, dates, the supersede lists with their
positions); after the loop it calls every project rule once per doc with a
`ProjectContext`: that doc's facts plus the run's `ProjectFacts`.  Called by the
per-file linter (with a document `Context`), a project rule yields nothing.

A diagnostic points at the list item stating the relation.  The fix of
`supersede-asymmetric` edits the *other* doc, so it is a `CrossFileFix`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ..config import Config
from ..diagnostics import Diagnostic, Edit, Fix, Severity
from ..document import Document
from ..frontmatter import parse as parse_front_matter
from ..lifecycle import INITIAL, STATUSES, allowed
from ..schema import parse_date
from ..text import LineIndex, split_lines
from ._registry import rule

SUPERSEDES, SUPERSEDED_BY = "supersedes", "superseded_by"
_PLAIN = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_./-]*")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # safe as a plain scalar, in block and flow lists


@dataclass(frozen=True, slots=True)
class CrossFileFix(Fix):
    """A fix whose edits apply to another file, `path` (offsets into its decoded text).

    Its own `edits` stay empty, so a fixer that does not know this class changes nothing.
    """

    path: str = ""
    file_edits: tuple[Edit, ...] = ()


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

    __reduce__ = _rebuilt_by_init

    def add(self, ref: str, newline: str) -> tuple[Edit, ...]:
        """Return the edits that add `ref` to this list (none when no safe edit exists)."""
        value = ref if _PLAIN.fullmatch(ref) else json.dumps(ref, ensure_ascii=False)
        if self.mode == "absent":  # a new key goes before the closing `---`, as a block list
            return (Edit.insert(self.at, f"{self.key}:{newline}  - {value}{newline}"),)
        if self.mode == "block":
            return (Edit.insert(self.at, f"{self.indent}- {value}{newline}"),)
        if self.mode == "flow":
            return (Edit.insert(self.at, f"{self.lead}{value}"),)
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

    __reduce__ = _rebuilt_by_init

    def refs(self, key: str) -> RefList:
        """Return the `supersedes` or `superseded_by` list."""
        return self.supersedes if key == SUPERSEDES else self.superseded_by


def facts_of(doc: Document, suppressed: tuple[tuple[int, int, frozenset[str]], ...] = ()) -> DocFacts:
    """Return the facts of a parsed doc."""
    front = doc.frontmatter
    readable = front is not None and not front.fatal and front.end_line is not None
    links = tuple(LinkFact(link.line, link.column, link.end_column, link.target) for link in doc.links
                  if link.target and not _SCHEME.match(link.target) and not link.target.startswith("//"))
    return DocFacts(doc.path, readable, doc.field_text("status"), parse_date(doc.field_text("last_updated")),
                    _value_at(doc, "last_updated", readable), _value_at(doc, "status", readable),
                    _ref_list(doc, SUPERSEDES, readable), _ref_list(doc, SUPERSEDED_BY, readable),
                    doc.newline, suppressed, links, doc.anchors)


def status_in(data: bytes) -> str | None:
    """Return the `status` a version of a doc (its bytes) has in its front matter, if readable."""
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
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
        return RefList(key, refs, "scalar", node.start, node.end)
    return RefList(key, refs)


def reference_to(target: str, source: str) -> str:
    """Return how the doc at `source` names the doc at `target`: its stem in the same folder, else a path."""
    target_path, source_path = Path(os.path.abspath(target)), Path(os.path.abspath(source))
    if target_path.parent == source_path.parent:
        return target_path.stem
    return Path(os.path.relpath(target_path, source_path.parent)).as_posix()


class ProjectFacts:
    """The facts of every doc in the run, the references between them and, lazily, git dates.

    A doc named by a reference but outside the run is read once, through `load`.
    """

    def __init__(self, docs: Mapping[Path, DocFacts], *, resolve: Callable[[str, str], Path | None],
                 load: Callable[[Path], DocFacts | None], git: Callable[[], Any],
                 history: Callable[[], Any] = lambda: None, files: Any = None) -> None:
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

    def report(self, message: str, *, line: int, column: int = 1, end_column: int | None = None,
               fix: Fix | None = None, subject: str = "") -> Diagnostic:
        """Return a diagnostic of this rule on this doc (the severity is stamped by the runner)."""
        return Diagnostic(self.facts.path, line, column, line, end_column or column + 1, self.slug,
                          Severity.OFF, message, fix, subject)

    def at(self, item: RefItem, message: str, fix: Fix | None = None) -> Diagnostic:
        """Return a diagnostic pointing at a reference entry."""
        return self.report(message, line=item.line, column=item.column, end_column=item.end_column,
                           fix=fix, subject=item.text)

    def related(self, key: str) -> Iterator[tuple[RefItem, Path, DocFacts]]:
        """Yield the entries of a reference list that name another readable doc, with that doc."""
        for item in self.facts.refs(key).items:
            other = self.project.target(self.facts, item)
            facts = self.project.facts(other) if other is not None and other != self.key else None
            if facts is not None and facts.readable:
                yield item, other, facts


def project_rule(slug: str, *, severity: Severity, fixable: bool = False,
                 options: type | None = None) -> Callable[[Callable], Any]:
    """Register a rule of the project phase; under the per-file linter it yields nothing."""

    def register(function: Callable[[ProjectContext], Iterator[Diagnostic]]) -> Any:
        @functools.wraps(function)
        def check(ctx: Any) -> Iterator[Diagnostic]:
            if isinstance(ctx, ProjectContext):
                yield from function(ctx)

        return rule(slug, severity=severity, fixable=fixable, options=options)(check)

    return register


@project_rule("supersede-asymmetric", severity=Severity.ERROR, fixable=True)
def supersede_asymmetric(ctx: ProjectContext) -> Iterator[Diagnostic]:
    """## What it does
    Checks that every supersede relation is stated on both sides: when `a` lists `b` in
    `supersedes`, `b` must list `a` in `superseded_by`, and the other way round. It reports the
    entry that states the relation, when the doc it names is readable and does not answer.

    ## Why is this bad?
    Readers arrive from either end. A superseded doc that does not point at its successor, or
    a successor that does not say what it replaces, sends half of them the wrong way, and the
    catalog and the site draw a chain with a missing link.

    ## Example
    ```yaml
    # rate-limiter-v2.md
    supersedes:
      - rate-limiter
    # rate-limiter.md has no superseded_by
    ```
    Use instead, in `rate-limiter.md`:
    ```yaml
    superseded_by:
      - rate-limiter-v2
    ```

    ## Fix safety
    Safe: the fix writes only the missing side, in the other doc: one list item at the list's
    indent (a flow list `[a]` becomes `[a, b]`), or a new block-list key before the closing
    `---`. The reference is the bare file stem when both docs share a folder, else a relative
    path with `.md`. Nothing else in either file changes.
    """
    for key, answer in ((SUPERSEDES, SUPERSEDED_BY), (SUPERSEDED_BY, SUPERSEDES)):
        for item, _, facts in ctx.related(key):
            if ctx.project.names(facts, answer, ctx.key):
                continue
            ref = reference_to(ctx.facts.path, facts.path)
            edits = facts.refs(answer).add(ref, facts.newline)
            fix = CrossFileFix(f"Add '{ref}' to {answer} of {facts.path}", (), facts.path, edits) if edits else None
            yield ctx.at(item, f"{key} names {item.text!r}, but {facts.path} does not name this doc in {answer}",
                         fix)


@dataclass(frozen=True)
class StatusMismatchOptions:
    """Options of superseded-status-mismatch."""

    # a successor may be drafted after its predecessor is marked superseded (common when a
    # redesign is announced); `designdoc status … superseded --by` refuses a draft regardless
    allow_draft_successor: bool = True


@project_rule("superseded-status-mismatch", severity=Severity.ERROR, options=StatusMismatchOptions)
def superseded_status_mismatch(ctx: ProjectContext) -> Iterator[Diagnostic]:
    """## What it does
    Checks the statuses on both ends of a supersede relation: a doc named in another's
    `supersedes` must have the status `superseded`; with `allow_draft_successor = false`, the
    successor named in a superseded doc's `superseded_by` must also be past `draft`.

    ## Why is this bad?
    A doc that is replaced but still says `approved` is read as the current design; a doc
    superseded by a draft points readers at a design nobody has agreed to.

    ## Example
    ```yaml
    # rate-limiter-v2.md
    status: approved
    supersedes:
      - rate-limiter      # whose status is still "approved"
    ```
    Use instead: `designdoc status rate-limiter superseded --by rate-limiter-v2`.

    ## Fix safety
    No fix: a status changes through the lifecycle (`designdoc status`), with its gates.
    Options: `allow_draft_successor` (default true).
    """
    vocabulary = ctx.config.statuses or STATUSES
    for item, _, facts in ctx.related(SUPERSEDES):
        if facts.status in vocabulary and facts.status != "superseded":
            yield ctx.at(item, f"supersedes {item.text!r}, whose status is {facts.status!r}, not 'superseded'")
    if ctx.facts.status == "superseded" and not ctx.options.allow_draft_successor:
        for item, _, facts in ctx.related(SUPERSEDED_BY):
            if facts.status == "draft":
                yield ctx.at(item, f"Superseded by {item.text!r}, which is still a draft")


@project_rule("supersede-cycle", severity=Severity.ERROR)
def supersede_cycle(ctx: ProjectContext) -> Iterator[Diagnostic]:
    """## What it does
    Reports a cycle of supersede relations (`a` supersedes `b`, which supersedes `a`; or a
    doc that supersedes itself), once per cycle, on the doc of the cycle with the smallest path.
    Relations count from either side (`supersedes` or the other doc's `superseded_by`).

    ## Why is this bad?
    A supersede chain must end at the current design. In a cycle every doc is replaced by
    another, so readers (and the site's "current version" link) go round for ever.

    ## Example
    ```yaml
    # a.md
    supersedes: [b]
    # b.md
    supersedes: [a]
    ```
    Use instead: remove the entry that points backwards, so the chain ends at one current doc.

    ## Fix safety
    No fix: which relation is wrong is for the authors to say.
    """
    cycle = ctx.project.cycles.get(ctx.key)
    if cycle is None:
        return
    shown = " → ".join(ctx.project.facts(key).path for key in cycle)
    item = _cycle_entry(ctx, cycle)
    if item is None:
        yield ctx.report(f"Supersede cycle: {shown}", line=1)
    else:
        yield ctx.at(item, f"Supersede cycle: {shown}")


def _cycle_entry(ctx: ProjectContext, cycle: tuple[Path, ...]) -> RefItem | None:
    """Return the entry of this doc that states its step of the cycle, else any entry inside it."""
    following, preceding = cycle[1], cycle[-2]
    wanted = ((SUPERSEDES, following), (SUPERSEDED_BY, preceding))
    for key, other in wanted:
        for item in ctx.facts.refs(key).items:
            if ctx.project.target(ctx.facts, item) == other:
                return item
    members = set(cycle)
    for key in (SUPERSEDES, SUPERSEDED_BY):
        for item in ctx.facts.refs(key).items:
            if ctx.project.target(ctx.facts, item) in members:
                return item
    return None


@project_rule("last-updated-behind-commit", severity=Severity.WARNING)
def last_updated_behind_commit(ctx: ProjectContext) -> Iterator[Diagnostic]:
    """## What it does
    Compares `last_updated` (from the working tree) with the calendar date of the last commit
    that touched the doc, in the committer's time zone. It warns when the commit is more than
    `commit_grace_days` (config, default 1) days later. Uncommitted edits do not count. It is
    silent outside a git work tree, and off in a shallow clone, where one warning says to
    fetch the full history.

    ## Why is this bad?
    `last_updated` drives staleness reports and the catalog. A doc edited in March that still
    says January looks older than it is, and readers cannot tell which edits are recent.

    ## Example
    ```yaml
    last_updated: 2025-01-10   # last commit touching the doc: 2025-03-02
    ```
    Use instead: `last_updated: 2025-03-02` (and the same date in the footer).

    ## Fix safety
    No fix: the commit may have been a typo fix that rightly left the date alone; the author
    decides.
    """
    if ctx.facts.last_updated is None:
        return
    git = ctx.project.git()
    if git is None or not git.available or git.shallow:
        return
    committed = git.last_commit(ctx.facts.path)
    if committed is None:
        return
    behind = (committed - ctx.facts.last_updated).days
    if behind > ctx.config.commit_grace_days:
        line, column, end = ctx.facts.updated_at
        yield ctx.report(f"last_updated {ctx.facts.last_updated.isoformat()} is {behind} days before the last "
                         f"commit touching the doc ({committed.isoformat()})", line=line, column=column,
                         end_column=end, subject="last_updated")


@project_rule("status-transition-illegal", severity=Severity.ERROR)
def status_transition_illegal(ctx: ProjectContext) -> Iterator[Diagnostic]:
    """## What it does
    With `check --base REV`, follows each doc's status from the merge-base of REV and HEAD
    through every commit touching it (renames followed) to the working tree, and reports each
    move the lifecycle does not allow (`draft` straight to `approved`, anything out of a final
    status). A doc new since the merge-base must start as `draft` or `review`. Versions whose
    status cannot be read are skipped. Without `--base`, and in a shallow clone, it is off.

    ## Why is this bad?
    The lifecycle's gates (zero errors to enter review, resolved questions to be approved) are
    enforced by `designdoc status`; a hand edit of `status:` skips them. In CI, this rule
    catches the pull request that approves its own draft.

    ## Example
    ```yaml
    status: approved   # was "draft" at the merge-base
    ```
    Use instead: `designdoc status DOC review`, then, once reviewed, `designdoc status DOC approved`.

    ## Fix safety
    No fix: the missing steps are reviews, which only people can do.
    """
    history = ctx.project.history()
    found = history.of(ctx.facts.path) if history is not None and history.available else None
    if found is None:
        return
    committed, new = found
    vocabulary = ctx.config.statuses or STATUSES
    steps = [(where, status) for where, status in (*committed, ("the working tree", ctx.facts.status))
             if status in vocabulary]
    line, column, end = ctx.facts.status_at
    if new and steps and steps[0][1] not in INITIAL:
        where, status = steps[0]
        yield ctx.report(f"New doc starts as {status!r} (in {where}), not draft or review", line=line,
                         column=column, end_column=end, subject="status")
    for (_, before), (where, after) in itertools.pairwise(steps):
        if before != after and not allowed(before, after):
            yield ctx.report(f"Illegal status move {before!r} → {after!r} (in {where})", line=line, column=column,
                             end_column=end, subject="status")


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


PROJECT_SCOPE = frozenset(("supersede-asymmetric", "superseded-status-mismatch", "supersede-cycle",
                           "last-updated-behind-commit", "status-transition-illegal", "link-broken",
                           "reference-broken"))


def is_project_rule(slug: str) -> bool:
    """Return True for a rule that runs in the project phase, over the whole run."""
    return slug in PROJECT_SCOPE


@project_rule("reference-broken", severity=Severity.ERROR)
def reference_broken(ctx: ProjectContext) -> Iterator[Diagnostic]:
    """## What it does
    Checks that every `supersedes` and `superseded_by` entry names an existing doc: a path
    relative to the doc (with or without `.md`), or the file stem of a doc in this run or in the
    doc's folder.

    ## Why is this bad?
    A supersede chain with a dangling end sends readers nowhere.

    ## Example
    ```yaml
    superseded_by:
      - rate-limiter-v3   # no such doc
    ```
    Use instead: the stem or relative path of the successor.

    ## Fix safety
    No fix.
    """
    for key in (SUPERSEDES, SUPERSEDED_BY):
        for item in ctx.facts.refs(key).items:
            if ctx.project.target(ctx.facts, item) is None:
                yield ctx.at(item, f"{key} names {item.text!r}, which is no existing doc")
