"""Content rules from the template's guidance: sentences, lists, non-goals, diagrams,
alternatives, open questions, acceptance criteria, tables and code.

Each runs on the sections whose `SectionRules` ask for it (the built-in
template's are in `templates/design_doc.toml`; a team's come from its config),
and only when the section exists, is not empty and is not just guidance.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.parse.blocks import Block
from designdoc.parse.document import Section
from designdoc.parse.inline import mask
from designdoc.rules.registry import Context, rule

_ABBREVIATIONS = frozenset(
    "eg ie etc vs cf al approx fig no nos dr mr mrs ms st inc ltd jr sr resp incl esp viz ca min max".split()
)
_TERMINATOR = re.compile(r"[.!?]+(?=[\"')\]*_]*(?:\s|$))")
_NON_GOALS = re.compile(r"\bnon[- ]?goals?\b|\bout[- ]of[- ]scope\b|\bnot in scope\b", re.IGNORECASE)
_ACCEPTANCE = re.compile(
    r"\bacceptance[- ]criteri(?:a|on)\b|\bdefinition of done\b|\bexit criteria\b"
    r"|\bsuccess criteria\b",
    re.IGNORECASE,
)
_DIAGRAM_FENCES = frozenset(("mermaid", "plantuml", "puml", "dot", "graphviz", "d2", "ditaa"))
_IMAGE = re.compile(r"!\[[^\]]*\]\(|<img\b|^\s*!\[[^\]]*\]\[", re.IGNORECASE | re.M)
# "Resolved:" as a label, not the word anywhere ("fail closed?" is still a question)
_RESOLVED = re.compile(
    r"\[[xX]\]|~~|✅|\b(?:resolved|answered|decided|done|closed|won't do|wontfix)\b\s*[:)*—–-]"
    r"|\((?:resolved|answered|decided|done|closed)\b|\*\*(?:resolved|answered|decided)\b",
    re.IGNORECASE,
)
_UNCHECKED = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[ \]")
MERMAID_TYPES = (
    "graph",
    "flowchart",
    "sequenceDiagram",
    "classDiagram",
    "classDiagram-v2",
    "stateDiagram",
    "stateDiagram-v2",
    "erDiagram",
    "journey",
    "gantt",
    "pie",
    "quadrantChart",
    "requirementDiagram",
    "gitGraph",
    "C4Context",
    "C4Container",
    "C4Component",
    "C4Dynamic",
    "C4Deployment",
    "mindmap",
    "timeline",
    "zenuml",
    "sankey-beta",
    "sankey",
    "xychart-beta",
    "xychart",
    "block-beta",
    "block",
    "packet-beta",
    "packet",
    "kanban",
    "architecture-beta",
    "architecture",
    "radar-beta",
    "treemap-beta",
    "treemap",
    "info",
)


@dataclass(frozen=True)
class SentenceOptions:
    """Options of purpose-too-long; 0 keeps each section's own limit."""

    max_sentences: int = 0


def _sections_requiring(ctx: Context, need: str) -> Iterator[tuple[Section, object]]:
    """Yield (section, spec) for present, non-empty sections whose rules require `need`."""
    for i, spec in enumerate(ctx.template.sections):
        if need not in spec.rules.require:
            continue
        section = ctx.doc.section(i)
        if section is not None and section.content:
            yield section, spec


def _texts(ctx: Context, section: Section) -> Iterator[str]:
    for block in section.content:
        if block.kind == "fence" or block.kind == "code":
            continue
        yield ctx.doc.text_of(block) if block.kind != "heading" else block.text
        for _, _, text in block.nested_headings:
            yield text


@rule("purpose-too-long", severity=Severity.WARNING, options=SentenceOptions)
def purpose_too_long(ctx: Context[SentenceOptions]) -> Iterator[Diagnostic]:
    """## What it does
    Reports a section over its sentence limit: `max_sentences` in the section's rules (the
    built-in Purpose: 3). Decimals (`1.5`), abbreviations (`e.g.`, `etc.`) and code do not end
    sentences; a sentence ends at `.`, `!` or `?` followed by a space and a word that does not
    start in lower case. Reported where the first sentence over the limit starts.

    ## Why is this bad?
    The purpose is what a busy reader reads; past three sentences it becomes the design.

    ## Example
    Five sentences of background under `# Purpose`.

    Use instead: the problem in at most three sentences; the rest goes under Context.

    ## Fix safety
    No fix. Options: `max_sentences` overrides every section's limit.
    """
    for i, spec in enumerate(ctx.template.sections):
        limit = ctx.options.max_sentences or spec.rules.max_sentences
        section = ctx.doc.section(i)
        if not limit or section is None or not section.content:
            continue
        starts = [
            start for block in section.content if block.kind == "paragraph" for start in _sentence_starts(ctx, block)
        ]
        if len(starts) > limit:
            line, column = starts[limit]
            yield ctx.report(
                f"Section {section.name!r} has {len(starts)} sentences, over the limit of {limit}",
                line=line,
                column=column,
                subject=section.name,
            )


def _sentence_starts(ctx: Context, block: Block) -> list[tuple[int, int]]:
    """Return the (line, column) where each sentence of a paragraph starts."""
    starts: list[tuple[int, int]] = []
    expecting = True
    for number in range(block.line, block.end_line + 1):
        line = mask(ctx.doc.lines[number - 1]).replace("`", " ")
        position = 0
        while position < len(line):
            if expecting:
                match = re.compile(r"\S").search(line, position)
                if match is None:
                    break
                starts.append((number, match.start() + 1))
                expecting = False
                position = match.start()
            end = _next_end(line, position)
            if end is None:
                break
            expecting, position = True, end
    return starts


def _next_end(line: str, position: int) -> int | None:
    """Return the offset just past the next sentence end in `line`, or None."""
    for match in _TERMINATOR.finditer(line, position):
        word = re.search(r"([A-Za-z.]+)$", line[: match.start()])
        token = word.group(1).replace(".", "").lower() if word else ""
        if token in _ABBREVIATIONS or (len(token) == 1 and match.group(0) == "."):
            continue
        following = line[match.end() :].lstrip(" \"')]*_")
        if following and following[0].islower():
            continue
        return match.end()
    return None


@rule("scope-list-missing", severity=Severity.WARNING, requirement="list")
def scope_list_missing(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a section whose rules `require = ["list"]` (built-in: Scope and Non-Goals) and that
    holds no bulleted or numbered list.

    ## Why is this bad?
    Scope written as prose hides what is in and what is out; a list makes each item reviewable.

    ## Example
    ```markdown
    ## Scope and Non-Goals
    We will build the limiter and maybe a dashboard.
    ```
    Use instead: a bullet per capability in scope.

    ## Fix safety
    No fix.
    """
    return _without(ctx, "list", ("bullet_list", "ordered_list"), "list")


@rule("non-goals-missing", severity=Severity.WARNING, requirement="non-goals")
def non_goals_missing(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a section whose rules require `non-goals` (built-in: Scope and Non-Goals) that
    states none: no "Non-goals", "Out of scope" or "Not in scope" label, sub-heading or item.

    ## Why is this bad?
    Non-goals are what stop scope creep; without them every reviewer assumes a different scope.

    ## Example
    ```markdown
    ## Scope and Non-Goals
    - Per-tenant limits
    ```
    Use instead:
    ```markdown
    - Per-tenant limits

    **Non-goals**
    - Billing for overage
    ```

    ## Fix safety
    No fix.
    """
    return _not_stating(ctx, "non-goals", _NON_GOALS, "non-goals")


@rule("diagram-missing", severity=Severity.WARNING, requirement="diagram")
def diagram_missing(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a section whose rules require a `diagram` (built-in: Architecture Overview) with
    neither a diagram fence (`mermaid`, `plantuml`, `dot`, …) nor an image.

    ## Why is this bad?
    An architecture described only in prose is read differently by every reviewer.

    ## Example
    Three paragraphs on how services talk to each other, and no picture.

    Use instead: a ```` ```mermaid ```` fence (the site renders it) or an image.

    ## Fix safety
    No fix.
    """
    for section, _ in _sections_requiring(ctx, "diagram"):
        has_fence = any(b.kind == "fence" and b.text.split(" ")[0].lower() in _DIAGRAM_FENCES for b in section.content)
        if not has_fence and not any(_IMAGE.search(text) for text in _texts(ctx, section)):
            yield ctx.report(
                f"Section {section.name!r} has no diagram (a mermaid fence or an image)",
                line=section.line,
                subject=section.name,
            )


@rule("mermaid-unknown-type", severity=Severity.ERROR)
def mermaid_unknown_type(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Checks that every `mermaid` fence starts (after comments, an init directive or a config
    block) with a Mermaid diagram type: `flowchart`, `sequenceDiagram`, `stateDiagram-v2`, …

    ## Why is this bad?
    A typo such as `flowchat` renders as an error box in the published doc.

    ## Example
    ```` ```mermaid ````, then `flowchat LR`.

    Use instead: `flowchart LR`.

    ## Fix safety
    No fix: the closest type is suggested in the message.
    """
    for block in ctx.doc.blocks:
        if block.kind != "fence" or block.text.split(" ")[0].lower() != "mermaid":
            continue
        found = _mermaid_statement(block.content)
        if found is None:
            continue
        offset, word = found
        if word not in MERMAID_TYPES:
            close = difflib.get_close_matches(word, MERMAID_TYPES, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            line = block.line + 1 + offset
            column = ctx.doc.lines[line - 1].find(word) + 1 if line <= len(ctx.doc.lines) else 1
            yield ctx.report(
                f"Unknown Mermaid diagram type {word!r}{hint}",
                line=line,
                column=max(column, 1),
                end_column=max(column, 1) + len(word),
                subject=word,
            )


def _mermaid_statement(content: str) -> tuple[int, str] | None:
    """Return (line offset in the fence, first word) of a Mermaid fence's first statement."""
    lines = content.split("\n")
    i = 0
    if lines and lines[0].strip() == "---":  # a YAML config block
        i = next((k + 1 for k in range(1, len(lines)) if lines[k].strip() == "---"), len(lines))
    while i < len(lines):
        text = lines[i].strip()
        if text and not text.startswith("%%"):
            return i, re.split(r"[\s;:{]", text, maxsplit=1)[0]
        i += 1
    return None


@rule("alternatives-missing", severity=Severity.WARNING, requirement="alternatives")
def alternatives_missing(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a section whose rules require `alternatives` (built-in: Alternatives) that names
    none: no list item, sub-heading or table row.

    ## Why is this bad?
    A design with no alternatives on record invites the review to re-litigate all of them.

    ## Example
    ```markdown
    ## Alternatives
    We looked at a few options.
    ```
    Use instead: a sub-heading or list item per option, with why it was rejected.

    ## Fix safety
    No fix.
    """
    for section, _ in _sections_requiring(ctx, "alternatives"):
        if not any(
            b.kind in ("bullet_list", "ordered_list", "heading", "table") or b.nested_headings for b in section.content
        ):
            yield ctx.report(
                f"Section {section.name!r} names no alternative (as list items or sub-headings)",
                line=section.line,
                subject=section.name,
            )


@rule("open-questions-unresolved", severity=Severity.ERROR, needs=("fields",), requirement="resolved-questions")
def open_questions_unresolved(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    From `approved` on (approved, implemented, deprecated, superseded), reports each open item
    in a section whose rules require `resolved-questions` (built-in: Open Questions): an
    unchecked `- [ ]` item, or a line with a question mark that is not marked resolved (`[x]`,
    `~~struck through~~`, or a label such as `Resolved:`, `**Answered**`, `(decided)`).

    ## Why is this bad?
    Approving a design with open questions approves answers nobody has given.

    ## Example
    ```markdown
    - [ ] Should quotas be per region?
    ```
    Use instead:
    ```markdown
    - [x] Should quotas be per region? Resolved: no, global quotas (see Decision).
    ```

    ## Fix safety
    No fix.
    """
    if ctx.status not in ctx.config.lifecycle.approved:
        return
    for section, _ in _sections_requiring(ctx, "resolved-questions"):
        for number in _question_lines(ctx, section):
            text = ctx.doc.lines[number - 1].strip()
            yield ctx.report(f"Unresolved open question {_shorten(text)!r}", line=number, subject=_shorten(text))


def _question_lines(ctx: Context, section: Section) -> Iterator[int]:
    for block in section.content:
        if block.kind not in ("paragraph", "bullet_list", "ordered_list", "blockquote", "table"):
            continue
        for number in range(block.line, block.end_line + 1):
            if number in ctx.doc.code_lines:
                continue
            line = mask(ctx.doc.lines[number - 1])
            if _UNCHECKED.match(line) or ("?" in line and not _RESOLVED.search(line)):
                yield number


def _shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@rule("acceptance-criteria-missing", severity=Severity.WARNING, requirement="acceptance-criteria")
def acceptance_criteria_missing(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a section whose rules require `acceptance-criteria` (built-in: Testing and
    Verification) that does not state them: no "Acceptance criteria", "Definition of done",
    "Exit criteria" or "Success criteria" label, sub-heading or sentence.

    ## Why is this bad?
    Without acceptance criteria nobody can say when the launch is ready.

    ## Example
    ```markdown
    ## Testing and Verification
    Unit and integration tests.
    ```
    Use instead: add "Acceptance criteria:" and the measurable conditions.

    ## Fix safety
    No fix.
    """
    return _not_stating(ctx, "acceptance-criteria", _ACCEPTANCE, "acceptance criteria")


@rule("table-missing", severity=Severity.WARNING, requirement="table")
def table_missing(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a section whose rules `require = ["table"]` and that holds no table.

    ## Why is this bad?
    Some sections (a decision matrix, a capacity plan) are only comparable as tables.

    ## Example
    `[sections."Decision Matrix"] require = ["table"]` and the section is prose only.

    ## Fix safety
    No fix.
    """
    return _without(ctx, "table", ("table",), "table")


@rule("code-missing", severity=Severity.WARNING, requirement="code")
def code_missing(ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Reports a section whose rules `require = ["code"]` and that holds no code block.

    ## Why is this bad?
    An interface section without the interface (a schema, a signature) cannot be reviewed.

    ## Example
    `[sections."API"] require = ["code"]` and the section describes the API in prose only.

    ## Fix safety
    No fix.
    """
    return _without(ctx, "code", ("fence", "code"), "code block")


def _not_stating(ctx: Context, need: str, pattern: re.Pattern[str], what: str) -> Iterator[Diagnostic]:
    """Yield a diagnostic for each section requiring `need` whose text nowhere matches `pattern`."""
    for section, _ in _sections_requiring(ctx, need):
        if not any(pattern.search(text) for text in _texts(ctx, section)):
            yield ctx.report(f"Section {section.name!r} states no {what}", line=section.line, subject=section.name)


def _without(ctx: Context, need: str, kinds: tuple[str, ...], what: str) -> Iterator[Diagnostic]:
    """Yield a diagnostic for each section requiring `need` that holds no block of `kinds`."""
    for section, _ in _sections_requiring(ctx, need):
        if not any(b.kind in kinds for b in section.content):
            yield ctx.report(f"Section {section.name!r} has no {what}", line=section.line, subject=section.name)
