"""Cross-document rules: supersede-*, superseded-status-mismatch and the
git-based ones (last-updated-behind-commit, status-transition-illegal).

They run in the project phase (see `facts.py`), over the facts of the whole run.
A diagnostic points at the list item stating the relation.  The fix of
`supersede-asymmetric` edits the *other* doc, so it is a `CrossFileFix`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.rules.facts import (
    SUPERSEDED_BY,
    SUPERSEDES,
    CrossFileFix,
    ProjectContext,
    RefItem,
    reference_to,
)
from designdoc.rules.registry import rule


@rule("supersede-asymmetric", severity=Severity.ERROR, fixable=True, phase="project")
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
            yield ctx.at(item, f"{key} names {item.text!r}, but {facts.path} does not name this doc in {answer}", fix)


@dataclass(frozen=True)
class StatusMismatchOptions:
    """Options of superseded-status-mismatch."""

    # a successor may be drafted after its predecessor is marked superseded (common when a
    # redesign is announced); `designdoc status … superseded --by` refuses a draft regardless
    allow_draft_successor: bool = True


@rule("superseded-status-mismatch", severity=Severity.ERROR, options=StatusMismatchOptions, phase="project")
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
    lifecycle = ctx.config.lifecycle
    superseded = lifecycle.superseded
    if superseded is None:
        return
    for item, _, facts in ctx.related(SUPERSEDES):
        if facts.status in lifecycle.names and facts.status != superseded:
            yield ctx.at(item, f"supersedes {item.text!r}, whose status is {facts.status!r}, not {superseded!r}")
    if ctx.facts.status == superseded and not ctx.options.allow_draft_successor:
        for item, _, facts in ctx.related(SUPERSEDED_BY):
            if facts.status == lifecycle.initial:
                yield ctx.at(item, f"Superseded by {item.text!r}, which is still a draft")


@rule("supersede-cycle", severity=Severity.ERROR, phase="project")
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


@rule("last-updated-behind-commit", severity=Severity.WARNING, phase="project", needs=("git",))
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
        yield ctx.report(
            f"last_updated {ctx.facts.last_updated.isoformat()} is {behind} days before the last "
            f"commit touching the doc ({committed.isoformat()})",
            line=line,
            column=column,
            end_column=end,
            subject="last_updated",
        )


@rule("status-transition-illegal", severity=Severity.ERROR, phase="project", needs=("git",))
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
    lifecycle = ctx.config.lifecycle
    vocabulary = lifecycle.names
    steps = [
        (where, status)
        for where, status in (*committed, ("the working tree", ctx.facts.status))
        if status in vocabulary
    ]
    line, column, end = ctx.facts.status_at
    if new and steps and steps[0][1] not in lifecycle.starts:
        where, status = steps[0]
        yield ctx.report(
            f"New doc starts as {status!r} (in {where}), not {' or '.join(lifecycle.starts)}",
            line=line,
            column=column,
            end_column=end,
            subject="status",
        )
    for (_, before), (where, after) in itertools.pairwise(steps):
        if before != after and not lifecycle.allowed(before, after):
            yield ctx.report(
                f"Illegal status move {before!r} → {after!r} (in {where})",
                line=line,
                column=column,
                end_column=end,
                subject="status",
            )
