"""template-outdated, template-version-unknown: the template version a doc was written against.

A doc is checked against the version of the template it follows (its
`template_version` field, else the version in force when it was created), so
sections the template gained later are not reported missing.  These two rules say
so: the doc follows an older version (and what the current one adds), or its marker
names no version at all.  Both stay silent when the template has one version.
"""

from __future__ import annotations

from collections.abc import Iterator

from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.rules.metadata import at
from designdoc.rules.registry import Context, rule


@rule("template-outdated", severity=Severity.INFO)
def template_outdated(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a doc that follows an older version of the template than the current one, and
    names what the current template adds, renames or drops. The doc's version is its
    `template_version` field, else the version in force on its `created` date, else on its
    first commit. Versions come from the template file's git history (and
    `[[template_versions]]` in the config); `designdoc template history` lists them.

    ## Why is this bad?
    It is not wrong: a doc written in 2019 answers the questions of 2019's template, and
    designdoc checks it against that one. But a reader of the catalog should know the doc
    does not answer the questions asked today (a production-readiness section added since),
    and its owner may want to bring it forward.

    ## Example
    A doc created on 2021-03-01, when the template had no `Risks` section:
    `Follows template version 1a2b3c4 (2020-11-02), by its creation date; the current version
    (5e6f7a8) adds 'Risks' (designdoc migrate brings the doc forward)`.
    Run `designdoc migrate docs/design/0007-cache.md` to add the new sections (with their
    guidance, to fill) and rename the renamed headings; or leave it, since it is info.

    ## Fix safety
    No fix here: `designdoc migrate` is the fix, with `--diff` to see it first.
    """
    choice = ctx.doc.choice
    policy = ctx.doc.policy
    if choice is None or policy is None:
        return
    versions = policy.versions
    current = versions.current
    if choice.version is current:
        return
    changes = versions.changes(choice.version, current)
    line = choice.marker.line if choice.marker is not None and choice.marker.file == ctx.doc.path else 1
    how = {"marker": "its marker", "created": "its creation date", "first commit": "its first commit"}.get(
        choice.source, choice.source
    )
    yield ctx.report(
        f"Follows template version {choice.version.describe()}, by {how}; the current version ({current.id}) "
        f"{changes.summary()} (designdoc migrate brings the doc forward)",
        line=line,
    )


@rule("template-version-unknown", severity=Severity.WARNING)
def template_version_unknown(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a `template_version` field (the doc's template version marker) that names no
    version of the template: not a version's name, not one of its commits, not a date.

    ## Why is this bad?
    The doc is then checked against the version in force when it was created, which may not
    be the one its author meant; a marker with a typo, or a commit that a rebase or a squash
    removed from history, says nothing.

    ## Example
    ```yaml
    template_version: 9f8e7d6   # not a commit of the template's history
    ```
    Use instead a version `designdoc template history` lists (`template_version: 1a2b3c4`),
    a date (`template_version: 2024-03-01`), or let `designdoc migrate` write it.

    ## Fix safety
    No fix: which version the doc follows is the author's to say.
    """
    choice = ctx.doc.choice
    if choice is None or choice.problem is None or choice.marker is None:
        return
    yield at(ctx, choice.marker, choice.problem[:1].upper() + choice.problem[1:])
