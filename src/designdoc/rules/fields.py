"""frontmatter-*, field-*, date-in-future, stale and superseded-by-missing: the front matter against its schema."""

from __future__ import annotations

import re
from collections.abc import Iterator

from designdoc.edit.scalars import yaml_scalar
from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.model.fields import (
    DESIGN_DOC,
    EMAIL_FIELDS,
    LIST_FIELDS,
    OPTIONAL_FIELDS,
    REFERENCE_FIELDS,
    is_email,
    is_placeholder_email,
    is_placeholder_title,
    looks_numeric,
    parse_date,
    parse_version,
)
from designdoc.model.text import did_you_mean
from designdoc.parse.frontmatter import Field, Node, Problem
from designdoc.parse.template import _PLACEHOLDER
from designdoc.rules.registry import Context, rule


def _schema(ctx: Context) -> bool:
    return ctx.template.schema == DESIGN_DOC


def _statuses(ctx: Context) -> tuple[str, ...]:
    return ctx.config.lifecycle.names


def _empty(node: Node) -> bool:
    if node.kind == "scalar":
        return node.value is None or not str(node.value).strip()
    return not node.value


def _usable(ctx: Context, key: str) -> Field | None:
    """Return a field that holds a non-empty value of the right shape (else another rule reports it)."""
    item = ctx.doc.frontmatter.get(key) if ctx.doc.frontmatter else None
    if item is None or _empty(item.node):
        return None
    return item


@rule("frontmatter-missing", severity=Severity.ERROR)
def frontmatter_missing(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Checks that the document starts with a YAML front matter block (`---` on the first line).

    ## Why is this bad?
    The front matter holds the title, status, owners and dates that every other tool
    (catalog, lifecycle, site) reads. A document without it cannot be catalogued or reviewed.
    An empty file is reported here too.

    ## Example
    ```markdown
    # Purpose
    Rate-limit tenants fairly.
    ```
    Use instead:
    ```markdown
    ---
    title: Tenant-aware rate limiter
    doc_type: design_doc
    ...
    ---
    # Purpose
    ```

    ## Fix safety
    No fix: the values must come from the author (`designdoc new` writes a complete block).
    """
    if ctx.doc.frontmatter is not None or ctx.template.fields == ():
        return
    if not ctx.doc.text.strip():
        yield ctx.report("Empty file (expected front matter and the template's sections)", line=1)
    else:
        yield ctx.report("Missing front matter (expected a '---' block on the first line)", line=1)


@rule("frontmatter-invalid", severity=Severity.ERROR)
def frontmatter_invalid(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports front matter that cannot be used: YAML that does not parse, a block that is not
    closed, is not a mapping, uses anchors, aliases or non-core tags, is nested over 10 levels
    or is over 64 KiB, and duplicate keys (at the second occurrence). A plain value YAML cannot
    read for the `: ` inside it (`title: Audit log export: v1`) gets the line to write instead.

    ## Why is this bad?
    Tools read front matter differently when it is malformed; anchors and aliases can expand
    into gigabytes (a "billion laughs"), and custom tags can run code in careless loaders. A
    duplicate key silently hides one of its values.

    ## Example
    ```yaml
    owners:
        - ana@acme.io      # a tab
    status: draft
    status: review      # duplicate
    ```
    Use instead:
    ```yaml
    owners:
      - ana@acme.io
    status: review
    ```

    ## Fix safety
    No fix: which value was meant is for the author to say.
    """
    front = ctx.doc.frontmatter
    if front is None:
        return
    for problem in front.problems:
        yield ctx.report(problem.message + _quote_hint(ctx, problem), line=problem.line, column=problem.column)


# a top-level `key: value` line whose value is unquoted (no quote, flow or block indicator in front)
_KEY_VALUE = re.compile(r"""([A-Za-z_][\w-]*):[ \t]+(?!['"\[{|>&*!%@`])(.*?)(?:[ \t]+#.*)?[ \t]*""")


def _quote_hint(ctx: Context, problem: Problem) -> str:
    """Return `; quote it: title: "a: b"` when YAML refused a plain value for the `: ` inside it."""
    if "mapping values are not allowed" not in problem.message:
        return ""
    match = _KEY_VALUE.fullmatch(ctx.doc.lines[problem.line - 1])
    if match is None or ": " not in match.group(2):
        return ""
    return f"; quote it: {match.group(1)}: {yaml_scalar(match.group(2))}"


@rule("field-missing", severity=Severity.ERROR, fixable=True, needs=("fields",))
def field_missing(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Checks that every front-matter field of the template is present.

    ## Why is this bad?
    A doc without `owners` has nobody to ask; one without `status` cannot move through review;
    the catalog and the site leave it out of every view that needs the field.

    ## Example
    ```yaml
    title: Tenant-aware rate limiter
    doc_type: design_doc
    ```
    Use instead: add the template's other fields (`status`, `version`, `owners`, …).

    ## Fix safety
    Safe for fields whose template value is a default (`doc_type`, `status`, `version`,
    `tags`): the fix writes that default before the closing `---`. Fields whose template value is
    a placeholder (`title`, `owners`) get no fix.
    """
    front = ctx.doc.frontmatter
    optional = set(ctx.config.optional_fields)
    for spec in ctx.template.fields:
        if spec.name in front.fields or spec.name in optional:
            continue
        from designdoc.edit.fixes import missing_field_fix

        yield ctx.report(
            f"Missing required field {spec.name!r}",
            line=front.start_line,
            fix=missing_field_fix(ctx.doc, spec),
            subject=spec.name,
        )


@rule("field-type", severity=Severity.ERROR, needs=("fields",))
def field_type(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Checks each field's shape: lists where the template has a list, single values where it has
    one, and a `version` written so that YAML would not read it as a number.

    ## Why is this bad?
    `version: 0.1` is the float 0.1 to every YAML reader (and `1.10` becomes 1.1); `owners:
    ana@acme.io` is one string, not a list, so tools that iterate owners see characters.

    ## Example
    ```yaml
    version: 0.1
    owners: ana@acme.io
    ```
    Use instead:
    ```yaml
    version: "0.1.0"
    owners:
      - ana@acme.io
    ```

    ## Fix safety
    No fix: quoting `0.1` keeps a wrong version, so the author must write the real one.
    """
    for key, item in ctx.doc.frontmatter.fields.items():
        message = _type_problem(ctx, key, item.node)
        if message:
            yield ctx.report(message, line=item.node.line, column=item.node.column, subject=key)


def _expected_kind(ctx: Context, key: str) -> str | None:
    spec = ctx.template.field(key)
    if _schema(ctx):
        if key in LIST_FIELDS:
            return "seq"
        return "scalar" if spec or key in OPTIONAL_FIELDS else None
    if spec is None or spec.kind == "any":
        return None
    return {"date": "scalar", "list": "seq"}.get(spec.kind, spec.kind)


def _flow_text(ctx: Context, node: Node) -> str | None:
    """Return the raw text of a one-line `key: {…}` (YAML reads a mapping; it is placeholder text)."""
    if node.kind != "map" or node.style != "flow":
        return None
    raw = ctx.doc.text[node.start : node.end]
    return None if "\n" in raw or "\r" in raw else raw


def _type_problem(ctx: Context, key: str, node: Node) -> str | None:
    if _empty(node):
        return None
    if (
        _schema(ctx)
        and key == "version"
        and node.kind == "scalar"
        and node.style == ""
        and looks_numeric(str(node.value))
    ):
        parts = str(node.value).split(".")
        suggestion = ".".join((parts + ["0", "0"])[:3])
        return f"Field 'version' is the number {node.value}, not a string; quote it: version: \"{suggestion}\""
    expected = _expected_kind(ctx, key)
    if expected is None or node.kind == expected:
        return None
    flow = _flow_text(ctx, node)
    if flow is not None and _is_placeholder(ctx, key, flow, ctx.template.field(key)):
        return None  # field-placeholder reports it
    if expected == "seq" and node.kind == "scalar" and key in REFERENCE_FIELDS:
        return None  # a single reference is a one-item list
    names = {"seq": "a list", "scalar": "a single value", "map": "a mapping"}
    return f"Field {key!r} is {names[node.kind]}, expected {names[expected]}"


@rule("field-value", severity=Severity.ERROR, needs=("fields",))
def field_value(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Checks field values: no empty values; `status` in the lifecycle vocabulary; `version` a
    semantic version (at least 1.0.0 once approved); `last_updated` a real ISO date; owners,
    reviewers and approvers email addresses; `doc_type` the template's. Empty `tags` is a warning.

    ## Why is this bad?
    The lifecycle, the catalog and the staleness report all key on these values. `status: done`
    or `last_updated: 2024-02-30` quietly drop a doc out of every view.

    ## Example
    ```yaml
    status: aproved
    last_updated: 2024-02-30
    owners: [ana]
    ```
    Use instead:
    ```yaml
    status: approved
    last_updated: 2024-02-28
    owners: [ana@acme.io]
    ```

    ## Fix safety
    No fix: the right value is the author's to choose.
    """
    for key, item in ctx.doc.frontmatter.fields.items():
        node = item.node
        if _empty(node):
            spec = ctx.template.field(key)
            if (spec is not None and spec.value is not None) or (_schema(ctx) and key in LIST_FIELDS):
                severity = Severity.WARNING if key == "tags" else None
                yield ctx.report(
                    f"Field {key!r} is empty", line=item.line, column=item.column, severity=severity, subject=key
                )
            continue
        if _type_problem(ctx, key, node):
            continue
        yield from _value_problems(ctx, key, node)


def _value_problems(ctx: Context, key: str, node: Node) -> Iterator[Diagnostic]:
    schema = _schema(ctx)
    spec = ctx.template.field(key)
    value = None if node.kind != "scalar" else str(node.value)
    where = {"line": node.line, "column": node.column, "subject": key}
    if schema and key == "status" and value not in _statuses(ctx):
        known = _statuses(ctx)
        hint = did_you_mean(value, known) if value else ""
        yield ctx.report(f"Invalid status {value!r} (expected one of: {', '.join(known)}){hint}", **where)
    elif schema and key == "version":
        yield from _version_problems(ctx, value, where)
    elif schema and key == "doc_type" and ctx.template.doc_type and value != ctx.template.doc_type:
        yield ctx.report(f"Invalid doc_type {value!r} (expected {ctx.template.doc_type!r})", **where)
    elif (
        ((schema and key == "last_updated") or (spec and spec.kind == "date"))
        and value is not None
        and parse_date(value) is None
        and not _is_placeholder(ctx, key, value, spec)  # a placeholder date is field-placeholder's, once
    ):
        yield ctx.report(f"Invalid date {value!r} for {key!r} (expected a real date as YYYY-MM-DD)", **where)
    elif schema and key in EMAIL_FIELDS:
        for entry in node.items():
            text = str(entry.value)
            if entry.kind == "scalar" and not is_email(text) and not is_placeholder_email(text):
                yield ctx.report(
                    f"Invalid email {text!r} in {key!r}", line=entry.line, column=entry.column, subject=key
                )


def _version_problems(ctx: Context, value: str | None, where: dict) -> Iterator[Diagnostic]:
    version = parse_version(value)
    if version is None:
        yield ctx.report(f"Invalid version {value!r} (expected a semantic version MAJOR.MINOR.PATCH)", **where)
        return
    status = ctx.doc.field_text("status")
    if status in ctx.config.lifecycle.approved and version.compare("1.0.0") < 0:
        yield ctx.report(f"Version {value!r} is below 1.0.0 but the status is {status!r}", **where)


@rule("field-placeholder", severity=Severity.ERROR, needs=("fields",))
def field_placeholder(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports front-matter values still holding the template's placeholder: a title starting with
    the word `TODO` or equal to the template's title, owners like `TODO@…` or `…@example.com`,
    and (for a team's template) any value still equal to the template's placeholder.

    ## Why is this bad?
    A doc owned by `TODO@example.com` has no owner; review requests and staleness reports go
    nowhere.

    ## Example
    ```yaml
    title: TODO — Replace with Design Title
    owners:
      - TODO@example.com
    ```
    Use instead:
    ```yaml
    title: Tenant-aware rate limiter
    owners:
      - ana@acme.io
    ```

    ## Fix safety
    No fix: only the author knows the real value.
    """
    for key, item in ctx.doc.frontmatter.fields.items():
        spec = ctx.template.field(key)
        for entry in item.node.items():
            text = _entry_text(ctx, entry)
            if text is None:
                continue
            if _is_placeholder(ctx, key, text, spec):
                yield ctx.report(
                    f"Field {key!r} still holds the template's placeholder {text!r}",
                    line=entry.line,
                    column=entry.column,
                    subject=key,
                )


def _entry_text(ctx: Context, node: Node) -> str | None:
    if node.kind == "map":
        return _flow_text(ctx, node)
    return str(node.value) if node.kind == "scalar" and node.value is not None else None


def _is_placeholder(ctx: Context, key: str, text: str, spec) -> bool:
    if key == "title":
        return is_placeholder_title(text) or text == ctx.template.title_value
    if _schema(ctx) and key in EMAIL_FIELDS:
        return is_placeholder_email(text)
    if spec is not None and spec.placeholder and spec.value is not None:
        return text == spec.value or bool(_PLACEHOLDER.search(text) and _PLACEHOLDER.search(spec.value))
    return False


@rule("field-unknown", severity=Severity.WARNING, needs=("fields",))
def field_unknown(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports front-matter keys that are neither in the template nor allowed by the config
    (`allowed_fields`).

    ## Why is this bad?
    An unknown key is usually a typo (`reviewer:` for `reviewers:`) whose value no tool reads.

    ## Example
    ```yaml
    reviewer: ana@acme.io
    ```
    Use instead:
    ```yaml
    reviewers:
      - ana@acme.io
    ```
    or allow the key in `designdoc.toml`: `allowed_fields = ["jira"]`.

    ## Fix safety
    No fix.
    """
    known = {f.name for f in ctx.template.fields} | ctx.template.known_fields | set(ctx.config.allowed_fields)
    known.add(ctx.config.template_version_field)  # designdoc's own: the template version the doc follows
    if _schema(ctx):
        known |= set(OPTIONAL_FIELDS)
    for key, item in ctx.doc.frontmatter.fields.items():
        if key not in known:
            yield ctx.report(
                f"Unknown field {key!r}",
                line=item.line,
                column=item.column,
                end_column=item.column + len(key),
                subject=key,
            )


def _last_updated(ctx: Context):
    item = _usable(ctx, "last_updated")
    if item is None or item.node.kind != "scalar":
        return None, None
    return item, parse_date(str(item.node.value))


@rule("date-in-future", severity=Severity.ERROR, needs=("fields",))
def date_in_future(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a `last_updated` date after today.

    ## Why is this bad?
    A future date hides a doc from staleness reports for as long as the date is ahead, and is
    almost always a typo in the year or month.

    ## Example
    ```yaml
    last_updated: 2052-01-10
    ```
    Use instead: the date of the last real change.

    ## Fix safety
    No fix. "Today" is the local date; tests and CI can pin it with `DESIGNDOC_TODAY`.
    """
    item, date = _last_updated(ctx)
    if date is not None and date > ctx.today:
        yield ctx.report(
            f"last_updated {date.isoformat()} is in the future (today is {ctx.today.isoformat()})",
            line=item.node.line,
            column=item.node.column,
            subject="last_updated",
        )


@rule("stale", severity=Severity.WARNING, needs=("fields",))
def stale(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a `draft` or `review` doc whose `last_updated` is more than `stale_days` (default 90)
    days before today.

    ## Why is this bad?
    A draft nobody touched for a quarter is either abandoned (withdraw it) or out of date
    (update it); either way readers should not trust it.

    ## Example
    ```yaml
    status: draft
    last_updated: 2023-01-04
    ```
    Use instead: update the doc, or move it to `withdrawn`.

    ## Fix safety
    No fix.
    """
    if ctx.status not in ctx.config.lifecycle.open:
        return
    item, date = _last_updated(ctx)
    if date is None:
        return
    age = (ctx.today - date).days
    if age > ctx.config.stale_days:
        yield ctx.report(
            f"Doc is stale: last updated {age} days ago, over {ctx.config.stale_days} days",
            line=item.node.line,
            column=item.node.column,
            subject="last_updated",
        )


@rule("superseded-by-missing", severity=Severity.ERROR, needs=("fields",))
def superseded_by_missing(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a doc whose status is `superseded` but which does not name its successor in
    `superseded_by`.

    ## Why is this bad?
    Readers who land on a superseded doc need the way to the current design.

    ## Example
    ```yaml
    status: superseded
    ```
    Use instead:
    ```yaml
    status: superseded
    superseded_by:
      - rate-limiter-v2
    ```

    ## Fix safety
    No fix; `designdoc status DOC superseded --by NEW` writes both sides.
    """
    if ctx.doc.field_text("status") != "superseded":
        return
    if _usable(ctx, "superseded_by") is None:
        status = ctx.doc.frontmatter.get("status")
        yield ctx.report(
            "Status is 'superseded' but 'superseded_by' names no successor",
            line=status.node.line,
            column=status.node.column,
            subject="superseded_by",
        )
