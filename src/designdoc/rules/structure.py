"""title-*, section-*, footer-*: the document's shape against its template."""

from __future__ import annotations

from collections.abc import Iterator

from designdoc.edit.edits import footer_text, set_footer
from designdoc.edit.fixes import insert_section_fix
from designdoc.model.diagnostics import Diagnostic, Edit, Fix, Severity
from designdoc.model.fields import DATE_OR_PLACEHOLDER, parse_date
from designdoc.parse.document import Section
from designdoc.parse.inline import plain_text
from designdoc.parse.template import section_key
from designdoc.rules.registry import COMPLETENESS, Context, rule


@rule("title-missing", severity=Severity.ERROR)
def title_missing(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a doc without a title heading when its template has one (an H1 with no body, or a
    placeholder H1 such as `# RFC title`). The built-in template keeps its title in front
    matter, so this rule is silent for it.

    ## Why is this bad?
    Repository browsers and the published site show the first heading as the doc's name.

    ## Example
    ```markdown
    ## Summary
    ```
    Use instead:
    ```markdown
    # Pluggable storage engines
    ## Summary
    ```

    ## Fix safety
    No fix.
    """
    if ctx.template.title_heading and ctx.doc.title_heading is None:
        first = ctx.doc.sections[0].line if ctx.doc.sections else ctx.doc.body_line
        yield ctx.report("Missing title heading (the template starts with a '# Title' heading)", line=first)


@rule("title-mismatch", severity=Severity.ERROR, needs=("fields",))
def title_mismatch(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Checks that the doc's title heading (an H1 before the first section) says the same as the
    front-matter `title`, ignoring inline markup and repeated spaces.

    ## Why is this bad?
    The catalog and site show the front-matter title, the repository browser the heading: two
    names for one doc confuse readers and searches.

    ## Example
    ```markdown
    ---
    title: Tenant-aware rate limiter
    ---
    # Rate limiter v2
    ```
    Use instead: the same words in both places.

    ## Fix safety
    No fix: which of the two is right is the author's call.
    """
    heading = ctx.doc.title_heading
    title = ctx.doc.field_text("title")
    if (
        heading is None
        or title is None
        or not title.strip()
        or title.startswith("TODO")
        or title == ctx.template.title_value
    ):
        return
    written = plain_text(heading.text)
    if written != " ".join(title.split()):
        yield ctx.report(f"Title heading {written!r} differs from the front-matter title {title!r}", line=heading.line)


@rule("section-missing", severity=Severity.ERROR, fixable=True)
def section_missing(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Checks that every section of the template is present, matched by name at a section level
    (ignoring case, inline markup, a leading number like `2.` and a trailing colon).

    With `require_subsections = true` in a section's rules (`[sections."Motivation"]`), the
    template's sub-headings of that section (one level below it, not marked optional) are required
    too; a missing one is reported at the next present sub-heading of the section, else at the
    next section.

    ## Why is this bad?
    Reviewers rely on the template: a design doc without "Alternatives" hides the trade-off the
    review exists to examine.

    ## Example
    ```markdown
    ## Failure Modes and Risks
    ## Decision and Rationale
    ```
    Use instead:
    ```markdown
    ## Failure Modes and Risks
    ## Alternatives
    ## Decision and Rationale
    ```

    ## Fix safety
    Safe: inserts the heading and the template's guidance note at the template position (before
    the next present section), and removes nothing.
    """
    doc = ctx.doc
    present = {s.index for s in doc.sections if s.index is not None}
    deep: dict[int, tuple[int, int]] | None = None
    for i, spec in enumerate(ctx.template.sections):
        if i in present or spec.optional:
            continue
        following = [s.line for s in doc.sections if s.index is not None and s.index > i and s.first]
        before = min(following) if following else None
        if before is not None:
            at = before
        elif doc.footer is not None:
            at = doc.footer.line
        else:
            at = doc.last_line
        insert_at = before if before is not None else (doc.footer.rule_line or doc.footer.line) if doc.footer else None
        deep = _deep_headings(ctx) if deep is None else deep
        hint = deep.get(i)
        message = f"Missing required section {spec.name!r}"
        if hint:
            message += f" (a heading at line {hint[0]} names it at level {hint[1]}; use level {spec.level})"
        yield ctx.report(message, line=at, fix=insert_section_fix(doc, spec, insert_at), subject=spec.name)
    for section in _template_sections(ctx):
        if ctx.template.sections[section.index].rules.require_subsections:
            yield from _missing_subsections(ctx, section)


def _missing_subsections(ctx: Context, section: Section) -> Iterator[Diagnostic]:
    """Report the required sub-headings of a present section that it lacks."""
    spec = ctx.template.sections[section.index]
    present: dict[int, int] = {}  # sub-section index -> line of its heading
    for head in section.subheadings:
        key = section_key(head.text)
        found = next((n for n, sub in enumerate(spec.subsections) if n not in present and sub.matches(key)), None)
        if found is not None:
            present[found] = head.line
    following = next((s.line for s in ctx.doc.sections if s.line > section.line), None)
    for n, sub in enumerate(spec.subsections):
        if n in present or sub.optional:
            continue
        later = [line for m, line in present.items() if m > n]
        at = min(later) if later else following
        fix = None
        if at is not None:
            heading = f"{'#' * sub.level} {sub.name}{ctx.doc.newline}{ctx.doc.newline}"
            fix = Fix(f"Insert '{sub.name}'", (Edit.insert(ctx.doc.index.offset(at), heading),))
        yield ctx.report(
            f"Missing required sub-section {sub.name!r} of {spec.name!r}",
            line=at or (ctx.doc.footer.line if ctx.doc.footer else ctx.doc.last_line),
            fix=fix,
            subject=f"{spec.name} / {sub.name}",
        )


def _deep_headings(ctx: Context) -> dict[int, tuple[int, int]]:
    """Return, per template section, the first heading below the section levels that names it: (line, level)."""
    found: dict[int, tuple[int, int]] = {}
    for line, level, text in ctx.doc.headings:
        if level > ctx.template.section_levels:
            index = ctx.template.find_section(section_key(text))
            if index is not None:
                found.setdefault(index, (line, level))
    return found


@rule("section-order", severity=Severity.ERROR)
def section_order(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports sections out of template order: the sections outside the longest run of sections
    that is in template order, at their headings.

    ## Why is this bad?
    Readers and reviewers navigate docs by the template's order; a moved section is easy to
    miss and breaks comparisons between docs.

    ## Example
    ```markdown
    ## Decision and Rationale
    ## Alternatives
    ```
    Use instead: the template's order (Alternatives before Decision and Rationale).

    ## Fix safety
    No fix: moving text between sections could change what the doc says.
    """
    firsts = [s for s in ctx.doc.sections if s.index is not None and s.first]
    keep = _longest_increasing([s.index for s in firsts])
    for position, section in enumerate(firsts):
        if position not in keep:
            yield ctx.report(
                f"Section {section.name!r} is out of template order", line=section.line, subject=section.name
            )


def _longest_increasing(values: list[int]) -> set[int]:
    """Return the positions of one longest strictly increasing subsequence."""
    import bisect

    tails: list[int] = []
    tail_pos: list[int] = []
    parent = [-1] * len(values)
    for position, value in enumerate(values):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_pos.append(position)
        else:
            tails[k] = value
            tail_pos[k] = position
        parent[position] = tail_pos[k - 1] if k else -1
    keep, position = set(), tail_pos[-1] if tail_pos else -1
    while position != -1:
        keep.add(position)
        position = parent[position]
    return keep


@rule("section-duplicate", severity=Severity.ERROR)
def section_duplicate(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a template section that appears a second time (at the second heading). Rules read
    the first occurrence.

    ## Why is this bad?
    Two "Decision" sections leave readers guessing which one is current.

    ## Example
    ```markdown
    ## Alternatives
    ...
    ## Alternatives
    ```
    Use instead: merge the two.

    ## Fix safety
    No fix.
    """
    for section in ctx.doc.sections:
        if section.index is not None and not section.first:
            first = ctx.doc.section(section.index)
            yield ctx.report(
                f"Duplicate section {section.name!r} (first at line {first.line})",
                line=section.line,
                subject=section.name,
            )


@rule("section-empty", severity=COMPLETENESS)
def section_empty(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a template section with no content. HTML comments do not count; a sub-heading does.
    Sections the template marks `allow_empty` (the built-in Appendix) are exempt. A section that
    still holds only its guidance is `section-placeholder` instead.

    ## Why is this bad?
    An empty heading reads as "nothing to say", which for a design is rarely true; reviewers
    cannot tell "considered and empty" from "forgotten".

    ## Example
    ```markdown
    ## Security and Privacy

    ## Reliability and Observability
    ```
    Use instead: say what applies, or "None: the service stores no personal data."

    ## Fix safety
    No fix.
    """
    for section in _template_sections(ctx):
        spec = ctx.template.sections[section.index]
        if spec.rules.allow_empty or section.content or section.guidance:
            continue
        yield ctx.report(f"Section {section.name!r} is empty", line=section.line, subject=section.name)


@rule("section-placeholder", severity=COMPLETENESS)
def section_placeholder(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports guidance left from the template: a section's guidance note (with or without its
    `>`, matched ignoring case, whitespace and punctuation, or as a lightly edited copy), a
    template preamble kept verbatim, a title heading still saying the template's placeholder
    title (`# {short title}`, `# KEP-NNNN: Your short, descriptive title`), and any block still
    holding one of the template's `{…}` placeholders word for word.

    ## Why is this bad?
    Guidance is for the author, not the reader; left in, it makes a finished doc look like a
    draft and hides whether the section was written at all.

    ## Example
    ```markdown
    ## Data Model
    > Describe new or updated data models, including storage considerations and entity relationships.
    ```
    Use instead: the data model itself.

    ## Fix safety
    No fix: deleting the note could leave the section empty.
    """
    for block in ctx.doc.preamble_guidance:
        if block is ctx.doc.title_heading:
            yield ctx.report("The title heading is still the template's placeholder", line=block.line, subject="title")
        else:
            yield ctx.report("The template's preamble guidance is still here", line=block.line, subject="preamble")
    for section in ctx.doc.sections:
        for block in section.guidance:
            yield ctx.report(
                f"Section {section.name!r} still holds the template's guidance", line=block.line, subject=section.name
            )


def _template_sections(ctx: Context) -> Iterator[Section]:
    return (s for s in ctx.doc.sections if s.index is not None and s.first)


@rule("footer-missing", severity=Severity.ERROR, fixable=True)
def footer_missing(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Checks that the last non-blank line is the template's footer, e.g.
    `_Last updated: 2025-05-20_`.

    ## Why is this bad?
    The footer is what readers of a printed or rendered doc see of its freshness.

    ## Example
    ```markdown
    ## Appendix
    Glossary.
    ```
    Use instead:
    ```markdown
    ## Appendix
    Glossary.

    _Last updated: 2025-05-20_
    ```

    ## Fix safety
    Safe when `last_updated` is a valid date: appends the footer with that date at the end of
    the file, or rewrites a last line that starts like the footer but holds a date in another
    format (`_Last updated: May 20, 2025_`), touching nothing else.
    """
    if ctx.template.footer is None or ctx.doc.footer is not None:
        return
    fix = None
    date = parse_date(ctx.doc.field_text("last_updated"))
    if date is not None:
        text = footer_text(ctx.doc, date.isoformat(), keep_note=ctx.status in ctx.config.lifecycle.draft_note)
        fix = _footer_fix(ctx, text)
    yield ctx.report(
        f"Missing footer (expected {ctx.template.footer.example!r} as the last line)", line=ctx.doc.last_line, fix=fix
    )


def _footer_fix(ctx: Context, text: str) -> Fix:
    """Rewrite a last line that starts like the footer (a date in another format), else append one."""
    doc = ctx.doc
    prefix = DATE_OR_PLACEHOLDER.split(ctx.template.footer.example, maxsplit=1)[0].strip()
    last = doc.lines[doc.last_line - 1] if doc.lines else ""
    if prefix and last.strip().startswith(prefix):
        start = doc.index.offset(doc.last_line)
        return Fix("Rewrite the footer", (Edit(start, start + len(last), text),))
    nl = doc.newline
    lead = "" if doc.text.endswith(("\n", "\r")) or not doc.text else nl
    return Fix("Append the footer", (Edit.insert(len(doc.text), f"{lead}{nl}{text}{nl}"),))


@rule("footer-date-mismatch", severity=Severity.ERROR, fixable=True, needs=("fields",))
def footer_date_mismatch(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Checks that the footer's date equals `last_updated`.

    ## Why is this bad?
    Two dates for one doc: one of them is wrong, and readers cannot tell which.

    ## Example
    ```markdown
    last_updated: 2025-05-20
    ...
    _Last updated: 2025-03-01_
    ```
    Use instead: `_Last updated: 2025-05-20_`.

    ## Fix safety
    Safe: the front matter is the source of truth; the fix rewrites the footer's date only.
    """
    footer = ctx.doc.footer
    date = parse_date(ctx.doc.field_text("last_updated"))
    if footer is None or date is None or footer.date == date.isoformat():
        return
    edits = set_footer(ctx.doc, date.isoformat(), keep_note=True)
    fix = Fix(f"Set the footer date to {date.isoformat()}", tuple(edits))
    yield ctx.report(
        f"Footer date {footer.date!r} differs from last_updated {date.isoformat()!r}",
        line=footer.line,
        column=footer.date_column,
        end_column=footer.date_column + len(footer.date),
        fix=fix,
    )


@rule("footer-draft-note", severity=COMPLETENESS, fixable=True, needs=("fields",))
def footer_draft_note(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports the template's footer note ("(update before publishing)") left in a doc past `draft`.

    ## Why is this bad?
    The note tells readers the doc is unfinished; once in review it is either false or a
    sign the doc was published too early.

    ## Example
    ```markdown
    _Last updated: 2025-05-20 (update before publishing)_
    ```
    Use instead: `_Last updated: 2025-05-20_`.

    ## Fix safety
    Safe: removes the note only.
    """
    footer = ctx.doc.footer
    status = ctx.doc.field_text("status")
    # past draft only when the status is one the lifecycle knows: a misspelt one is field-value's finding
    if (
        footer is None
        or not footer.note
        or status not in ctx.config.lifecycle.names
        or status in ctx.config.lifecycle.draft_note
    ):
        return
    note = ctx.template.footer.note
    column = ctx.doc.lines[footer.line - 1].find(note)
    fix = Fix("Remove the draft note", tuple(set_footer(ctx.doc, None, keep_note=False)))
    yield ctx.report(
        f"Footer still says {note!r} but the status is {status!r}",
        line=footer.line,
        column=column + 1,
        end_column=column + 1 + len(note),
        fix=fix,
    )
