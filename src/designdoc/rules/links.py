"""link-broken and reference-broken: relative links, the anchors they point at, and references to other docs."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote

from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.rules.facts import SUPERSEDED_BY, SUPERSEDES, ProjectContext
from designdoc.rules.registry import rule


@rule("link-broken", severity=Severity.ERROR, phase="project")
def link_broken(ctx: ProjectContext) -> Iterator[Diagnostic]:
    """## What it does
    Checks relative links and images: the file must exist, and a `#anchor` must be made by a
    heading of the target (GitHub-style slugs, repeats as `-1`, `-2`) or an HTML `id`. Links
    with a scheme (`https:`, `mailto:`) or `//` are not checked; `/path` links resolve from the
    project root (the folder holding the config, else the git work-tree root).

    ## Why is this bad?
    Docs are renamed and sections retitled; a dead link in a design doc loses the context it
    pointed at.

    ## Example
    ```markdown
    See [the rollout plan](#rollout-plan).
    ```
    where no heading makes `#rollout-plan`.

    Use instead: `[the rollout plan](#rollout-and-operations)`.

    ## Fix safety
    No fix.
    """
    facts = ctx.facts
    for link in facts.links:
        path, _, anchor = link.target.partition("#")
        problem = ctx.project.files.check_link(
            facts.path, facts.anchors, unquote(path.split("?", 1)[0]), unquote(anchor)
        )
        if problem:
            yield ctx.report(
                problem, line=link.line, column=link.column, end_column=link.end_column, subject=link.target
            )


@rule("reference-broken", severity=Severity.ERROR, phase="project")
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
