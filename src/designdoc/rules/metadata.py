"""metadata-missing, status-unknown, date-invalid, sidecar-shared: a team's metadata, wherever it lives.

These rules read a doc's metadata through its process's roles (a `kep.yaml`, a
`* Status:` list item, a `## Status` section …).  The built-in design-doc process is
checked by the front-matter rules (`fields.py`), so these stay silent for it.
A finding about a value in a sidecar points at the sidecar's own line.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator

from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.model.fields import read_date
from designdoc.model.metadata import DATE_ROLES, Value
from designdoc.model.text import did_you_mean
from designdoc.rules.facts import ProjectContext
from designdoc.rules.registry import Context, rule

# what a list of people still holds when nobody filled it in (`- TBD` in a KEP's approvers)
_UNFILLED = frozenset(("tbd", "todo", "tba", "n/a", "none", "-", "?"))


def _team(ctx: Context) -> bool:
    return not ctx.doc.spec.builtin


def at(ctx: Context, value: Value, message: str, severity: Severity | None = None) -> Diagnostic:
    """Return a finding on a value's span, in the file that holds it (the doc, or its sidecar)."""
    if value.file == ctx.doc.path:
        return ctx.report(message, line=value.line, column=value.column, end_column=value.end_column, severity=severity)
    made = ctx.report(message, line=1, severity=severity)
    end = max(value.end_column, value.column + 1)
    return dataclasses.replace(
        made, path=value.file, line=value.line, column=value.column, end_line=value.line, end_column=end
    )


def filled(value: Value | None) -> bool:
    """Return True when a value holds something other than a placeholder such as `TBD`."""
    return value is not None and any(item.strip().casefold() not in _UNFILLED for item in value.items)


@rule("metadata-missing", severity=Severity.ERROR)
def metadata_missing(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Checks that the roles the team's process requires (`metadata.required`: a title, a
    status, owners, a created date …) hold a value, wherever the process keeps them, and that
    the people a status's gate asks for (`lifecycle.gates.STATUS.fields`, e.g. approvers once a
    KEP is `implementable`) are named: `TBD` names nobody. Also reports a sidecar the doc's
    metadata should be in that is missing, unreadable or not YAML (at the sidecar's line).

    ## Why is this bad?
    The catalog, the site and the lifecycle read these values. A KEP without `authors` has no
    owner to ask; an `implementable` KEP whose `approvers` are `TBD` skipped its approval.

    ## Example
    ```yaml
    # kep.yaml
    title: Sidecar containers
    status: implementable
    approvers:
      - TBD
    ```
    Use instead:
    ```yaml
    approvers:
      - "@thockin"
    ```

    ## Fix safety
    No fix: the values are the author's to give. The built-in design-doc process is checked
    by `field-missing` instead.
    """
    if not _team(ctx):
        return
    metadata = ctx.doc.metadata
    for problem in metadata.problems:
        if problem.file == ctx.doc.path or metadata.sidecar is None:  # missing or unreadable: on the doc
            yield ctx.report(f"{problem.message}", line=1)
        else:
            made = ctx.report(problem.message, line=1)
            yield dataclasses.replace(
                made, path=problem.file, line=problem.line, column=problem.column, end_line=problem.line
            )
    if metadata.problems and not any(v.source == "sidecar" for v in metadata.fields.values()):
        return  # one finding for a sidecar that gave nothing, not one per role it would have held
    spec = ctx.doc.spec
    for role in spec.required:
        value = ctx.doc.role(role)
        if role == "status" and spec.implied_status(ctx.doc.path) is not None:
            continue
        if not any(v.items for v in spec.every(ctx.doc.metadata, role)):
            where = _where(ctx, role)
            line = value.line if value is not None and value.file == ctx.doc.path else 1
            yield ctx.report(f"No {role} ({where})", line=line)
    status = ctx.status
    if status is None:
        return
    for role in ctx.config.lifecycle.gate(status).fields:
        value = ctx.doc.role(role)
        if not any(filled(v) for v in spec.every(ctx.doc.metadata, role)):
            message = f"Status {status!r} needs {role} named ({_where(ctx, role)})"
            yield at(ctx, value, message) if value is not None else ctx.report(message, line=1)


def _where(ctx: Context, role: str) -> str:
    names = ctx.doc.spec.fields_of(role)
    fields = " or ".join(repr(n) for n in names) if names else "no field is mapped to it"
    spec = ctx.doc.spec
    if spec.sidecar is None or "sidecar" not in spec.sources:
        return fields
    read = ctx.doc.metadata.sidecar
    return f"{fields} in {read.rsplit('/', 1)[-1] if read else spec.sidecar}"


@rule("status-unknown", severity=Severity.ERROR)
def status_unknown(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a status that is none of the team's lifecycle's statuses, with the nearest one
    suggested. Statuses are read loosely: any case, markup and a detail after them are fine
    (`**Implemented (Swift 5.5)**`), as are the lifecycle's aliases (`Superceded by …`).
    A value still listing the template's alternatives (`provisional|implementable|…`) is
    reported too.

    ## Why is this bad?
    A doc whose status is not in the lifecycle drops out of every view by status, and no
    move can start from it.

    ## Example
    ```yaml
    status: imlpemented
    ```
    Use instead:
    ```yaml
    status: implemented
    ```

    ## Fix safety
    No fix: the nearest status is a guess; the author knows which was meant. The built-in
    design-doc process is checked by `field-value` instead.
    """
    if not _team(ctx):
        return
    value = ctx.doc.role("status")
    if value is None or not value.text.strip() or ctx.status is not None:
        return
    lifecycle = ctx.config.lifecycle
    written = value.text.strip()
    if "|" in written:
        message = f"Status {written!r} still lists the template's alternatives: keep the one that holds"
    else:
        names = lifecycle.names
        hint = did_you_mean(written.casefold(), names + tuple(s.label.casefold() for s in lifecycle.statuses))
        message = f"Unknown status {written!r} (expected one of: {', '.join(names)}){hint}"
    yield at(ctx, value, message)


@rule("date-invalid", severity=Severity.ERROR)
def date_invalid(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a date of the team's metadata (the `created` and `updated` roles: `creation-date`,
    `Start Date`, `Date:` …) that is not a real date written as `YYYY-MM-DD` (an ISO date and
    time is fine). `2020/05/18`, `13-Jun-2000`, `2023-14-05` and the template's `yyyy-mm-dd`
    are reported, never guessed at.

    ## Why is this bad?
    Staleness and age in the catalog come from these dates; a date read by guesswork (is
    `2023-05-04` in May or April?) sorts a doc into the wrong place without a word.

    ## Example
    ```yaml
    creation-date: 2020/05/18
    ```
    Use instead:
    ```yaml
    creation-date: 2020-05-18
    ```

    ## Fix safety
    No fix: which day was meant is the author's to say.
    """
    if not _team(ctx):
        return
    for role in sorted(DATE_ROLES):
        value = ctx.doc.role(role)
        if value is None or not value.text.strip() or read_date(value.text) is not None:
            continue
        spec = ctx.template.field(value.key) if value.source == "frontmatter" else None
        if spec is not None and spec.kind == "date":
            continue  # the template's own date field: field-value reports it, once
        yield at(ctx, value, f"Unreadable date {value.text.strip()!r} for {role} (expected a real date as YYYY-MM-DD)")


@rule("sidecar-shared", severity=Severity.ERROR, phase="project")
def sidecar_shared(ctx: ProjectContext) -> Iterator[Diagnostic]:
    """## What it does
    Reports docs of one run that read their metadata from the same sidecar: with the pattern
    `kep.yaml`, a `notes.md` beside a KEP's `README.md` would claim the KEP's status, authors
    and dates as its own. The first doc (by path) keeps it; every other one is reported.

    ## Why is this bad?
    The catalog would list one proposal several times, each copy with the same status, and a
    status move of one would silently move the others.

    ## Example
    ```text
    keps/sig-node/4012-image-pull-limits/README.md
    keps/sig-node/4012-image-pull-limits/kep.yaml
    keps/sig-node/4012-image-pull-limits/benchmarks.md   # claims kep.yaml too
    ```
    Use instead: exclude the supporting docs (`exclude = ["keps/**/benchmarks.md"]`), or name
    the sidecar after its doc (`sidecar = "{stem}.yaml"`).

    ## Fix safety
    No fix: which doc the metadata belongs to is the team's to say.
    """
    sidecar = ctx.facts.sidecar
    if sidecar is None:
        return
    claims = ctx.project.sidecar_claims.get(os.path.normpath(sidecar), ())
    if len(claims) > 1 and claims[0] != ctx.facts.path:
        yield ctx.report(
            f"{sidecar} holds the metadata of {claims[0]}: one sidecar is one doc's (exclude this one, "
            "or name sidecars after their docs, `{stem}.yaml`)",
            line=1,
        )
