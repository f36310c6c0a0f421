"""Parse a design document once into an immutable `Document`.

Everything a rule may look at is here: the front matter (with positions), the
optional title heading, the sections matched against the template (with their
guidance blocks already told apart from their content), the footer, the lines
that hold code.  Parsing never raises on bad input: problems are recorded and
turned into diagnostics by the rules.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from functools import cached_property

from designdoc.model import metadata as metadata_module
from designdoc.model.fields import read_date
from designdoc.model.lifecycle import Lifecycle
from designdoc.model.metadata import Metadata, MetadataSpec, Sidecar, Value, field_key
from designdoc.model.text import LineIndex, fingerprint, newline_of, split_bom, split_lines, squeeze
from designdoc.parse import body as markdown
from designdoc.parse import frontmatter as fm_module
from designdoc.parse.anchors import html_ids
from designdoc.parse.blocks import Block, Body, is_comment
from designdoc.parse.frontmatter import FrontMatter
from designdoc.parse.guidance import block_text, guidance_units, is_guidance
from designdoc.parse.inline import Link, links_in, plain_text, reference_definition, unique_slugs
from designdoc.parse.metadata import read as read_metadata
from designdoc.parse.template import Template, TemplateSection, section_key
from designdoc.parse.versions import Choice, Policy, choose


@dataclass(frozen=True, slots=True)
class Section:
    """A heading at a section level and the blocks under it."""

    name: str
    key: str
    level: int
    line: int
    end_line: int  # last line that belongs to the section (inclusive)
    blocks: tuple[Block, ...]
    guidance: tuple[Block, ...]  # what is still the template's guidance: blocks, or list items ("list_item")
    index: int | None  # position in the template, None for an extra section
    first: bool  # the first occurrence of its template section
    spent: tuple[Block, ...] = ()  # blocks that are guidance through and through (a list: every item)
    content: tuple[Block, ...] = ()  # the blocks that count as content: not comments, not guidance

    @property
    def subheadings(self) -> tuple[Block, ...]:
        """Return the headings inside the section (its sub-sections), in order."""
        return tuple(b for b in self.blocks if b.kind == "heading")


@dataclass(frozen=True, slots=True)
class DocFooter:
    """The footer line and the `---` rule above it, if any."""

    line: int
    rule_line: int | None
    text: str
    date: str | None  # the date text the footer holds
    date_column: int
    note: bool  # the template's draft note is still there


@dataclass(frozen=True)
class Document:
    """A parsed document.  Immutable; derived facts are computed once, lazily."""

    path: str
    text: str  # decoded, without the BOM
    bom: bool
    lines: list[str] = field(repr=False)
    index: LineIndex = field(repr=False)
    frontmatter: FrontMatter | None
    body_line: int
    blocks: tuple[Block, ...] = field(repr=False)
    code_lines: frozenset[int] = field(repr=False)
    title_heading: Block | None
    sections: tuple[Section, ...]
    preamble: tuple[Block, ...]
    preamble_guidance: tuple[Block, ...]
    footer: DocFooter | None
    template: Template = field(repr=False)
    spec: MetadataSpec = field(default=metadata_module.DESIGN_DOC, repr=False)  # where its metadata lives
    sidecar: Sidecar | None = field(default=None, repr=False)  # its sidecar, read by the caller
    policy: Policy | None = field(default=None, repr=False)  # how its template version is told
    choice: Choice | None = None  # the template version it follows (None: the template has one)

    @cached_property
    def metadata(self) -> Metadata:
        """Return the doc's metadata, read from the sources of its process (once)."""
        status = next((s for s in self.sections if s.key == self.spec.status_section), None)
        return read_metadata(
            self.spec,
            path=self.path,
            lines=self.lines,
            index=self.index,
            front=self.frontmatter,
            preamble=self.preamble,
            title=self.title_heading,
            status_section=status.blocks if status is not None else None,
            sidecar=self.sidecar,
        )

    def reparsed(self, text: str) -> Document:
        """Return another text of this doc parsed as this one was (path, template, BOM, process)."""
        current = self.policy.versions.current.template if self.policy is not None else self.template
        return parse(text, self.path, current, bom=self.bom, spec=self.spec, sidecar=self.sidecar, policy=self.policy)

    def role(self, role: str) -> Value | None:
        """Return the value that fills `role` (`status`, `owners`, …) in this doc's metadata."""
        return self.spec.role(self.metadata, role)

    def status(self, lifecycle: Lifecycle) -> str | None:
        """Return the lifecycle status the doc states (None when it states none the lifecycle knows).

        A doc that states no status has the status its process implies, if any: its folder's
        (`archive/*` is withdrawn), or the default (a merged RFC is accepted).
        """
        if self.spec.builtin:  # the front matter's `status`, without building the metadata (every doc asks)
            text = self.field_text("status")
        else:
            value = self.role("status")
            text = value.text if value is not None else None
        if text is None or not text.strip():
            return self.spec.implied_status(self.path)
        return lifecycle.read(text).status

    @cached_property
    def newline(self) -> str:
        """Return the document's line break (counted once: rules ask for it per finding)."""
        return newline_of(self.text)

    @property
    def last_line(self) -> int:
        """Return the number of the last non-blank line (1 for an empty file)."""
        for number in range(len(self.lines), 0, -1):
            if self.lines[number - 1].strip():
                return number
        return 1

    def section(self, index: int) -> Section | None:
        """Return the first occurrence of the template's section `index`."""
        return next((s for s in self.sections if s.index == index and s.first), None)

    def text_of(self, block: Block) -> str:
        """Return a block's source text (quote markers and comment delimiters removed)."""
        return block_text(block, self.lines)

    def field_text(self, key: str) -> str | None:
        """Return a scalar field's raw text, or None when absent, unusable or not a scalar."""
        if self.frontmatter is None:
            return None
        item = self.frontmatter.get(key)
        if item is None or item.node.kind != "scalar" or item.node.value is None:
            return None
        return str(item.node.value)

    @cached_property
    def headings(self) -> tuple[tuple[int, int, str], ...]:
        """Return every heading (line, level, plain text), nested ones included, in order."""
        found = []
        for block in self.blocks:
            if block.kind == "heading":
                found.append((block.line, block.level, plain_text(block.text)))
            found += [(line, level, plain_text(text)) for line, level, text in block.nested_headings]
        return tuple(sorted(found))

    @cached_property
    def anchors(self) -> frozenset[str]:
        """Return the anchors a link may target: heading slugs and HTML ids."""
        slugs = set(unique_slugs([text for _, _, text in self.headings]))
        for line in self.lines:
            if "=" in line and ("id" in line or "name" in line):
                slugs.update(html_ids(line))
        return frozenset(slugs)

    @cached_property
    def prose_lines(self) -> tuple[int, ...]:
        """Return the body lines that hold prose: headings, paragraphs, lists, quotes, tables.

        Code (fenced or indented, at any depth) and raw HTML blocks are left out.
        """
        numbers: list[int] = []
        for block in self.blocks:
            if block.kind in _PROSE_KINDS:
                numbers += [n for n in range(block.line, block.end_line + 1) if n not in self.code_lines]
        if self.footer is not None:
            numbers.append(self.footer.line)
        return tuple(numbers)

    @cached_property
    def links(self) -> tuple[Link, ...]:
        """Return the body's links, images and reference definitions, outside code."""
        found: list[Link] = []
        for number in range(self.body_line, len(self.lines) + 1):
            if number in self.code_lines:
                continue
            line = self.lines[number - 1]
            if "](" in line:
                found.extend(links_in(line, number))
            elif "]:" in line:
                definition = reference_definition(line, number)
                if definition is not None:
                    found.append(definition)
        return tuple(found)


_PROSE_KINDS = frozenset(("heading", "paragraph", "bullet_list", "ordered_list", "blockquote", "table"))


def body_source(text: str) -> tuple[str, int]:
    """Return a text's body (after its front matter, lines joined by `\\n`) and the body's first line."""
    text, _ = split_bom(text)
    lines = split_lines(text)
    first = fm_module.body_line(fm_module.parse(text, lines, LineIndex(text)))
    return "\n".join(lines[first - 1 :]), first


def parse(
    text: str,
    path: str,
    template: Template,
    *,
    bom: bool = False,
    spec: MetadataSpec = metadata_module.DESIGN_DOC,
    sidecar: Sidecar | None = None,
    policy: Policy | None = None,
) -> Document:
    """Parse decoded text (without its BOM) into a Document; its metadata is read from the
    sources `spec` names (`sidecar`: the doc's sidecar, read by the caller).

    With a `policy` whose template has several versions, the doc is matched against the
    version it follows.  Metadata kept in front matter or a sidecar is read before any
    matching, so the doc is matched once; metadata in the body (a key list, a status
    section) is read from a first match against `template`, the current version.  The
    Markdown is parsed once either way.
    """
    lines = split_lines(text)
    index = LineIndex(text)
    front = fm_module.parse(text, lines, index)
    body_line = fm_module.body_line(front)
    body = markdown.parse_body("\n".join(lines[body_line - 1 :]), body_line)
    if policy is None or not policy.versions.several:
        return _document(path, text, bom, lines, index, front, body_line, body, template, spec, sidecar, policy)
    # the marker and the creation date, read before any matching when the YAML sources that come
    # first in the process's order hold them (or the process has no other source)
    leading = tuple(itertools.takewhile(_METADATA_OUTSIDE_BODY.__contains__, spec.sources))
    early = len(leading) == len(spec.sources)
    metadata = None
    if leading:
        metadata = read_metadata(
            spec if early else dataclasses.replace(spec, sources=leading),
            path=path,
            lines=lines,
            index=index,
            front=front,
            preamble=(),
            title=None,
            status_section=None,
            sidecar=sidecar,
        )
    # a marker found is final; a creation date too, unless a key list or key lines (read later)
    # could still hold a marker
    settled = metadata is not None and (
        early
        or field_key(policy.marker_field) in metadata.fields
        or (spec.role(metadata, "created") is not None and not _KEYED_BODY.intersection(spec.sources))
    )
    if not settled:  # the metadata of a first match, guidance left out: it reads no guidance
        sketch = _document(
            path, text, bom, lines, index, front, body_line, body, template, spec, sidecar, policy, guidance=False
        )
        metadata = sketch.metadata
    marker = metadata.fields.get(field_key(policy.marker_field))
    created = spec.role(metadata, "created")
    choice = choose(policy, marker, read_date(created.text) if created is not None else None, path)
    doc = _document(
        path, text, bom, lines, index, front, body_line, body, choice.version.template, spec, sidecar, policy
    )
    if early:
        doc.__dict__["metadata"] = metadata  # the same reading: no template is involved in it
    object.__setattr__(doc, "choice", choice)
    return doc


_METADATA_OUTSIDE_BODY = frozenset(("frontmatter", "sidecar"))
_KEYED_BODY = frozenset(("list", "lines"))  # body sources that may hold any key (title and section hold one)


def _document(
    path: str,
    text: str,
    bom: bool,
    lines: list[str],
    index: LineIndex,
    front: FrontMatter | None,
    body_line: int,
    body: Body,
    template: Template,
    spec: MetadataSpec,
    sidecar: Sidecar | None,
    policy: Policy | None,
    *,
    guidance: bool = True,
) -> Document:
    """Return the Document of parsed Markdown matched against one template (without `guidance`,
    a sketch whose sections hold no guidance: enough to read its metadata)."""
    blocks = list(body.blocks)
    footer = _footer(blocks, lines, template)
    if footer is not None:
        cut = footer.rule_line or footer.line
        blocks = [b for b in blocks if b.line < cut]
    title = _title_heading(blocks, template)
    sections, preamble = _sections(blocks, lines, template, title, guidance=guidance)
    preamble_guidance = _preamble_guidance(preamble, title, lines, template) if guidance else ()
    return Document(
        path,
        text,
        bom,
        lines,
        index,
        front,
        body_line,
        tuple(blocks),
        body.code_lines,
        title,
        tuple(sections),
        tuple(preamble),
        preamble_guidance,
        footer,
        template,
        spec,
        sidecar,
        policy,
    )


def _footer(blocks: list[Block], lines: list[str], template: Template) -> DocFooter | None:
    """Find the footer: the last non-blank line, if it matches the template's footer."""
    if template.footer is None:
        return None
    number = next((n for n in range(len(lines), 0, -1) if lines[n - 1].strip()), None)
    if number is None:
        return None
    match = template.footer.pattern.fullmatch(lines[number - 1])
    if match is None:
        return None
    rule_line = None
    before = [b for b in blocks if b.end_line < number]
    if (
        before
        and before[-1].kind == "hr"
        and all(not lines[n - 1].strip() for n in range(before[-1].end_line + 1, number))
    ):
        rule_line = before[-1].line
    return DocFooter(
        number,
        rule_line,
        lines[number - 1],
        match.group("date").strip(),
        match.start("date") + 1,
        bool(match.groupdict().get("note")),
    )


def _title_heading(blocks: list[Block], template: Template) -> Block | None:
    """Return the first H1 before the first template section that is not itself a section.

    When the template's own title is a heading of a lower level (gRFC's `Title` over `----`),
    the doc's first heading is its title, at that level too, unless it is a section.
    """
    if template.title_heading and template.title_level > 1:
        first = next((b for b in blocks if b.kind == "heading"), None)
        if first is not None and first.level <= template.title_level:
            return None if template.find_section(section_key(first.text)) is not None else first
    for block in blocks:
        if block.kind != "heading" or block.level > template.section_levels:
            continue
        if template.find_section(section_key(block.text)) is not None:
            return None
        if block.level == 1:
            return block
    return None


def _sections(
    blocks: list[Block], lines: list[str], template: Template, title: Block | None, *, guidance: bool = True
) -> tuple[list[Section], list[Block]]:
    heads = [
        i for i, b in enumerate(blocks) if b.kind == "heading" and b.level <= template.section_levels and b is not title
    ]
    start = heads[0] if heads else len(blocks)
    preamble = [b for b in blocks[:start] if b is not title]
    seen: set[int] = set()
    sections = []
    for n, i in enumerate(heads):
        head = blocks[i]
        stop = heads[n + 1] if n + 1 < len(heads) else len(blocks)
        body = tuple(blocks[i + 1 : stop])
        end_line = body[-1].end_line if body else head.end_line
        key = section_key(head.text)
        index = template.find_section(key)
        spec = template.sections[index] if index is not None else None
        left, spent = _section_guidance(body, lines, spec) if spec and guidance else ((), ())
        gone = {id(b) for b in spent}  # identity: equal-looking blocks may stand in two places
        content = tuple(b for b in body if id(b) not in gone and not is_comment(b))
        sections.append(
            Section(
                plain_text(head.text),
                key,
                head.level,
                head.line,
                end_line,
                body,
                left,
                index,
                index is not None and index not in seen,
                spent,
                content,
            )
        )
        if index is not None:
            seen.add(index)
    return sections, preamble


def _section_guidance(
    body: tuple[Block, ...], lines: list[str], spec: TemplateSection
) -> tuple[tuple[Block, ...], tuple[Block, ...]]:
    """Return (the guidance units left in a section, the blocks that are wholly guidance)."""
    if not spec.guidance and not spec.literals:
        return (), ()
    found: list[Block] = []
    spent: list[Block] = []
    for block in body:
        units = guidance_units(block, lines)
        hits = [
            unit
            for unit, text in units
            if is_guidance(text, spec.guidance, exact=block.kind == "heading")
            or _has_literal(block, text, spec.literals)
        ]
        found += hits
        if hits and len(hits) == len(units):
            spent.append(block)
    return tuple(found), tuple(spent)


def _has_literal(block: Block, text: str, literals: tuple[str, ...]) -> bool:
    """Return True when prose still holds one of the template's `{…}` placeholders verbatim."""
    if not literals or "{" not in text or block.kind in ("fence", "code"):
        return False
    squeezed = squeeze(text)
    return any(literal in squeezed for literal in literals)


def _preamble_guidance(
    preamble: list[Block], title: Block | None, lines: list[str], template: Template
) -> tuple[Block, ...]:
    """Return the preamble's guidance left in the doc (equal fingerprints only), and a
    title heading still saying the template's placeholder title."""
    kept = []
    if title is not None and template.title_placeholder == fingerprint(plain_text(title.text)):
        kept.append(title)
    if template.preamble:
        kept += [
            unit
            for block in preamble
            for unit, text in guidance_units(block, lines)
            if is_guidance(text, template.preamble, exact=True)
        ]
    return tuple(kept)
