"""link-broken: relative links and images, and the anchors they point at."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote

from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.rules.facts import ProjectContext
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
        problem = ctx.project.files.check_link(facts.path, facts.anchors, unquote(path.split("?", 1)[0]),
                                               unquote(anchor))
        if problem:
            yield ctx.report(problem, line=link.line, column=link.column, end_column=link.end_column,
                             subject=link.target)
