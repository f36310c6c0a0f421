"""A template file, read as the contract its documents must follow.

Nothing about the built-in template is hard-coded: its sections, guidance notes,
front-matter fields and footer are derived from `config/templates/design_doc.md`
exactly as a team's own template is derived from its file.  Per-section content
rules come from `config/templates/design_doc.toml` (the built-in) or the user's
config, in one shape (`SectionRules`).

Guidance is kept as block fingerprints, matched by `parse.guidance` the same way for
every template: a block is a paragraph, a list item, a blockquote, an HTML comment
or a table.  A section with `>` notes or HTML comments has only those (and its
`{…}` / `[…]` fragments) as guidance; any other section's whole body is guidance.
`{…}` fragments are also kept verbatim (`literals`): a doc block that still
contains one is guidance whatever else it says.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from designdoc.model.errors import TemplateError
from designdoc.model.fields import DATE_OR_PLACEHOLDER, ISO_DATE
from designdoc.model.text import LineIndex, decode, fingerprint, split_bom, split_lines, squeeze
from designdoc.parse import body as markdown
from designdoc.parse import frontmatter
from designdoc.parse.blocks import Block, is_comment
from designdoc.parse.guidance import MIN_GUIDANCE, block_text, guidance_units, is_toc
from designdoc.parse.inline import plain_text

SECTION_OPTIONS = ("max_sentences", "require", "allow_empty", "require_subsections")
_PLACEHOLDER = re.compile(r"^\{.*\}$|^<.*>$|\bTODO\b|\bTBD\b|YYYY|NNNN|fill me in|example\.com", re.IGNORECASE | re.S)
_LEADING_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*|[A-Za-z])[.)]\s+")
# "(Optional)", or a KEP's "[optional]"
_OPTIONAL_SUFFIX = re.compile(r"\s*(?:\(optional\)|\[optional\])$", re.IGNORECASE)
_BRACED = re.compile(r"\{[^{}]+\}|\[[^\[\]\n]+\](?![(\[:])")
_CURLY = re.compile(r"\{[^{}]{8,}\}")
_OPTIONAL_COMMENT = re.compile(r"^<!--.{0,60}\boptional\b.{0,60}-->$", re.IGNORECASE | re.S)
_TASK = re.compile(r"(?:[-*+]|\d+[.)])\s+\[[ xX]\]\s")  # a task-list item
_TITLE_WORDS = re.compile(r"\{.*\}|\bTODO\b|NNNN|\btitle\b|\byour\b|fill me in", re.IGNORECASE)


def section_key(heading: str) -> str:
    """Return the name a heading is matched by: plain, unnumbered, case-folded, without "(Optional)"."""
    text = _LEADING_NUMBER.sub("", plain_text(heading)).rstrip(":").strip()
    text = _OPTIONAL_SUFFIX.sub("", text)
    return " ".join(text.casefold().split())


@dataclass(frozen=True, slots=True)
class SectionRules:
    """Content requirements of one section (from the template's TOML or the config)."""

    max_sentences: int | None = None
    require: tuple[str, ...] = ()
    allow_empty: bool = False
    require_subsections: bool = False  # the template's non-optional sub-headings must be there


@dataclass(frozen=True, slots=True)
class TemplateField:
    """A front-matter key of the template."""

    name: str
    kind: str  # scalar, list, map, date, or any (a `key: {…}` placeholder says nothing of its shape)
    value: str | None  # the template's text for it (a list: its first item)
    placeholder: bool  # must be replaced (else it is a default that may stay)


@dataclass(frozen=True, slots=True)
class TemplateSubsection:
    """A heading one level below the sections, inside a template section."""

    name: str
    key: str
    level: int
    line: int
    optional: bool = False
    pattern: re.Pattern[str] | None = None

    def matches(self, key: str) -> bool:
        """Return True when a heading with section key `key` is this sub-section."""
        return key == self.key or (self.pattern is not None and self.pattern.fullmatch(key) is not None)


@dataclass(frozen=True, slots=True)
class TemplateSection:
    """A section of the template, in template order."""

    name: str
    key: str
    level: int
    line: int
    guidance: tuple[str, ...]  # fingerprints of the guidance blocks
    guidance_text: tuple[str, ...]  # the same, as written (for display)
    optional: bool = False
    pattern: re.Pattern[str] | None = None  # for headings with a {placeholder}
    rules: SectionRules = SectionRules()
    literals: tuple[str, ...] = ()  # `{…}` fragments, spaces collapsed: left in a doc, they are guidance
    subsections: tuple[TemplateSubsection, ...] = ()

    def matches(self, key: str) -> bool:
        """Return True when a heading with section key `key` is this section."""
        return key == self.key or (self.pattern is not None and self.pattern.fullmatch(key) is not None)


@dataclass(frozen=True, slots=True)
class Footer:
    """The footer line: a pattern with a `date` group and an optional `note`."""

    example: str
    pattern: re.Pattern[str]
    note: str  # e.g. "(update before publishing)", or "" when there is none


@dataclass(frozen=True)
class Template:
    """Everything designdoc derived from one template file."""

    name: str
    doc_type: str | None
    schema: str | None
    fields: tuple[TemplateField, ...]
    sections: tuple[TemplateSection, ...]
    section_levels: int
    title_heading: bool
    title_value: str | None
    preamble: tuple[str, ...]
    footer: Footer | None
    source: str = field(repr=False, default="")
    path: Path | None = None
    title_text: str | None = None  # the title heading as written (plain text)
    title_placeholder: str | None = None  # its fingerprint, when it looks like a placeholder
    title_level: int = 1  # the title heading's level
    # (other key, section key): headings the section had in other versions of the template
    aliases: tuple[tuple[str, str], ...] = ()
    known_fields: frozenset[str] = frozenset()  # front-matter keys of any version of the template

    def field(self, name: str) -> TemplateField | None:
        """Return the template's field called `name`, if any."""
        return next((f for f in self.fields if f.name == name), None)

    def find_section(self, key: str) -> int | None:
        """Return the index of the section a heading key names, if any."""
        index = self._keys.get(key)
        if index is not None:
            return index
        return next((i for i, s in enumerate(self.sections) if s.pattern and s.matches(key)), None)

    @property
    def _keys(self) -> dict[str, int]:
        keys = self.__dict__.get("_key_map")
        if keys is None:
            keys = {s.key: i for i, s in enumerate(self.sections)}
            for alias, key in self.aliases:
                if alias not in keys and key in keys:
                    keys[alias] = keys[key]
            object.__setattr__(self, "_key_map", keys)
        return keys


def load(
    path: Path,
    *,
    schema: str | None = None,
    section_rules: dict[str, SectionRules] | None = None,
    optional_sections: tuple[str, ...] = (),
    titled: bool = False,
) -> Template:
    """Read and derive a template file; TemplateError names the file on failure."""
    try:
        text, _ = decode(path.read_bytes())
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(f"{path}: cannot read the template ({error})") from None
    template = derive(
        text,
        name=str(path),
        schema=schema,
        section_rules=section_rules or {},
        optional_sections=optional_sections,
        path=path,
        titled=titled,
    )
    if not template.sections:
        raise TemplateError(f"{path}: the template has no sections (no level 1 or 2 headings)")
    return template


def section_rules_from(table: dict, where: str, requirements: Collection[str]) -> dict[str, SectionRules]:
    """Build SectionRules from a `[sections."Name"]` table, checking every key.

    `requirements` are the words `require` may hold: the section requirements the rules check.
    """
    out = {}
    for name, options in table.items():
        if not isinstance(options, dict):
            raise TemplateError(f"{where}: sections.{name!r} must be a table")
        unknown = set(options) - set(SECTION_OPTIONS)
        if unknown:
            raise TemplateError(
                f"{where}: sections.{name!r}: unknown option {sorted(unknown)[0]!r} "
                f"(expected one of: {', '.join(SECTION_OPTIONS)})"
            )
        _check_types(options, name, where)
        require = tuple(options.get("require", ()))
        bad = [r for r in require if r not in requirements]
        if bad:
            raise TemplateError(
                f"{where}: sections.{name!r}.require: unknown requirement {bad[0]!r} "
                f"(expected one of: {', '.join(requirements)})"
            )
        out[name] = SectionRules(
            options.get("max_sentences"),
            require,
            bool(options.get("allow_empty", False)),
            bool(options.get("require_subsections", False)),
        )
    return out


def _check_types(options: dict, name: str, where: str) -> None:
    for key, value in options.items():
        if key == "max_sentences":
            ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
            expected = "a positive integer"
        elif key == "require":
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            expected = "a list of strings"
        else:
            ok, expected = isinstance(value, bool), "true or false"
        if not ok:
            raise TemplateError(f"{where}: sections.{name!r}.{key}: expected {expected}, got {value!r}")


def derive(
    text: str,
    *,
    name: str,
    schema: str | None = None,
    section_rules: dict[str, SectionRules] | None = None,
    optional_sections: tuple[str, ...] = (),
    path: Path | None = None,
    titled: bool = False,
) -> Template:
    """Derive a Template from the text of a template file (`titled`: the docs' title is their heading)."""
    text, _ = split_bom(text)
    lines = split_lines(text)
    fm = frontmatter.parse(text, lines, LineIndex(text))
    body_line = frontmatter.body_line(fm)
    body = markdown.parse_body("\n".join(lines[body_line - 1 :]), body_line)
    fields = _fields(fm, text) if fm and not fm.fatal else ()
    doc_type = next((f.value for f in fields if f.name == "doc_type" and not f.placeholder), None)
    title_value = next((f.value for f in fields if f.name == "title"), None)
    blocks = list(body.blocks)
    title_block = _title_heading(blocks, titled)
    if title_block is not None:
        blocks.remove(title_block)
    footer_block, footer = _footer(blocks, lines)
    if footer_block is not None:
        blocks = [b for b in blocks if b.line < footer_block]
    sections, preamble = _sections(blocks, lines, section_rules or {}, optional_sections)
    levels = max((s.level for s in sections), default=2)
    title_text = plain_text(title_block.text) if title_block else None
    title_placeholder = fingerprint(title_text) if title_text and _TITLE_WORDS.search(title_text) else None
    return Template(
        name,
        doc_type,
        schema,
        fields,
        sections,
        max(levels, 1),
        title_block is not None,
        title_value,
        preamble,
        footer,
        text,
        path,
        title_text,
        title_placeholder or None,
        title_block.level if title_block is not None else 1,
    )


def _fields(fm: frontmatter.FrontMatter, text: str) -> tuple[TemplateField, ...]:
    out = []
    for key, item in fm.fields.items():
        value, kind = _field_shape(item.node, text)
        placeholder = key == "title" or bool(value and _PLACEHOLDER.search(str(value)))
        out.append(TemplateField(key, kind, None if value is None else str(value), placeholder))
    return tuple(out)


def _field_shape(node: frontmatter.Node, text: str) -> tuple[str | None, str]:
    """Return (the template's text for a value, its kind)."""
    if node.kind == "seq":
        first = next((n for n in node.value if n.kind == "scalar"), None)
        return (first.value if first else None), "list"
    if node.kind == "map":
        raw = text[node.start : node.end]
        if node.style == "flow" and "\n" not in raw:  # `key: {…}` is placeholder text, of no shape
            return raw, ("date" if "YYYY-MM-DD" in raw.upper() else "any")
        return raw, "map"
    value = node.value
    if value is None:  # `key:` left empty: the template says nothing of its shape, and empty is fine
        return None, "any"
    is_date = value is not None and (DATE_OR_PLACEHOLDER.fullmatch(str(value)) or "YYYY-MM-DD" in str(value).upper())
    return value, ("date" if is_date else "scalar")


def _title_heading(blocks: list[Block], titled: bool = False) -> Block | None:
    """Return the template's title heading: its first heading, an H1 that has no
    body, whose text looks like a placeholder, or (`titled`: the team's process reads the
    title from the heading) its first heading at any level (`# Feature name`, gRFC's `Title` over `----`)."""
    headings = [b for b in blocks if b.kind == "heading"]
    if not headings:
        return None
    first = headings[0]
    if titled:
        return first
    if first.level != 1:
        return None
    following = [b for b in blocks if b.line > first.line]
    empty = not following or following[0].kind == "heading"
    return first if empty or _TITLE_WORDS.search(first.text) else None


def _footer(blocks: list[Block], lines: list[str]) -> tuple[int | None, Footer | None]:
    """Find a footer: the last non-blank line, holding a date."""
    last = next((n for n in range(len(lines), 0, -1) if lines[n - 1].strip()), None)
    if last is None or not blocks or blocks[-1].kind not in ("paragraph",) or blocks[-1].line != last:
        return None, None
    line = lines[last - 1].strip()
    date = DATE_OR_PLACEHOLDER.search(line)
    if date is None:
        return None, None
    prefix, rest = line[: date.start()], line[date.end() :]
    note_match = re.search(r"\s*(\([^()]*\))", rest)
    note = note_match.group(1) if note_match else ""
    suffix = rest[note_match.end() :] if note_match else rest
    # the footer names an ISO date; any other text there is no footer (footer-missing), as the contract says
    pattern = (
        r"\s*"
        + re.escape(prefix.strip()).replace(r"\ ", r"\s+")
        + rf"\s*(?P<date>{ISO_DATE.pattern})"
        + (rf"(?P<note>\s*{re.escape(note)})?" if note else "")
        + re.escape(suffix.strip())
        + r"\s*"
    )
    start = last
    previous = [b for b in blocks if b.line < last]
    if previous and previous[-1].kind == "hr" and previous[-1].end_line == last - 1 - _blank_run(lines, last):
        start = previous[-1].line
    return start, Footer(line, re.compile(pattern), note)


def _blank_run(lines: list[str], line: int) -> int:
    count = 0
    while line - 2 - count >= 0 and not lines[line - 2 - count].strip():
        count += 1
    return count


def _sections(
    blocks: list[Block], lines: list[str], rules: dict[str, SectionRules], optional: tuple[str, ...]
) -> tuple[tuple[TemplateSection, ...], tuple[str, ...]]:
    markers, marked = optional_markers(blocks)
    heads = [i for i, b in enumerate(blocks) if b.kind == "heading" and b.level <= 2]
    levels = max((blocks[i].level for i in heads), default=2)
    before = [
        b
        for b in blocks[: heads[0] if heads else len(blocks)]
        if b.kind != "heading" and b not in markers and not is_toc(b)
    ]
    preamble = tuple(
        dict.fromkeys(
            p for b in before for _, text in guidance_units(b, lines) if len(p := fingerprint(text)) >= MIN_GUIDANCE
        )
    )
    by_key = {section_key(k): v for k, v in rules.items()}
    context = _Context(lines, by_key, {section_key(name) for name in optional}, markers, marked, levels)
    sections = []
    for n, i in enumerate(heads):
        body = blocks[i + 1 : heads[n + 1] if n + 1 < len(heads) else len(blocks)]
        sections.append(_section(blocks[i], body, context))
    return tuple(sections), preamble


@dataclass(frozen=True)
class _Context:
    """What deriving one section needs to know about the whole template."""

    lines: list[str]
    rules: dict[str, SectionRules]
    optional_keys: set[str]
    markers: frozenset[Block]  # "optional" comments next to a heading: not guidance
    marked: frozenset[Block]  # the headings they mark optional
    levels: int


def optional_markers(blocks: list[Block]) -> tuple[frozenset[Block], frozenset[Block]]:
    """Return (short "optional" HTML comments right above or below a heading, the headings they mark).

    A comment between two headings marks the one below it (MADR writes it above).
    """
    markers, marked = set(), set()
    for i, block in enumerate(blocks):
        if block.kind != "html" or not _OPTIONAL_COMMENT.match(block.text.strip()):
            continue
        after = blocks[i + 1] if i + 1 < len(blocks) else None
        before = blocks[i - 1] if i else None
        target = after if after is not None and after.kind == "heading" else before
        if target is not None and target.kind == "heading":
            markers.add(block)
            marked.add(target)
    return frozenset(markers), frozenset(marked)


def _section(head: Block, body: list[Block], context: _Context) -> TemplateSection:
    name = _OPTIONAL_SUFFIX.sub("", plain_text(head.text))
    key = section_key(name)
    kept = [b for b in body if b not in context.markers]
    texts = _guidance(kept, context.lines)
    optional = _is_optional(head, context) or key in context.optional_keys
    return TemplateSection(
        name=name,
        key=key,
        level=head.level,
        line=head.line,
        guidance=tuple(fingerprint(t) for t in texts),
        guidance_text=tuple(texts),
        optional=optional,
        pattern=_heading_pattern(key),
        rules=context.rules.get(key, SectionRules()),
        literals=_literals(kept, context.lines),
        subsections=tuple(
            _subsection(b, context) for b in body if b.kind == "heading" and b.level == context.levels + 1
        ),
    )


def _subsection(head: Block, context: _Context) -> TemplateSubsection:
    key = section_key(head.text)
    return TemplateSubsection(
        _OPTIONAL_SUFFIX.sub("", plain_text(head.text)),
        key,
        head.level,
        head.line,
        _is_optional(head, context),
        _heading_pattern(key),
    )


def _is_optional(head: Block, context: _Context) -> bool:
    return head in context.marked or bool(_OPTIONAL_SUFFIX.search(plain_text(head.text)))


def _heading_pattern(key: str) -> re.Pattern[str] | None:
    """Return a pattern for a heading with `{placeholder}` parts (each matches any text)."""
    if "{" not in key:
        return None
    parts = re.split(r"\{[^{}]*\}", key)
    return re.compile(".+".join(re.escape(p) for p in parts))


def _guidance(body: list[Block], lines: list[str]) -> list[str]:
    """Return a section's guidance: its `>` notes and HTML comments (and `{…}` /
    `[…]` fragments of its prose) when it has any, else its whole body (a table of contents never)."""
    body = [b for b in body if not is_toc(b)]
    notes = [b for b in body if b.kind == "blockquote" or is_comment(b)]
    if notes:
        texts = [block_text(b, lines) for b in notes]
        texts += [
            f
            for b in body
            if b.kind in _FRAGMENT_KINDS
            for _, t in guidance_units(b, lines)
            for f in _BRACED.findall(t)
        ]
    else:  # a checklist (`- [ ] Tests written`) is kept and ticked, not replaced: not guidance
        texts = [
            t
            for b in body
            if b.kind != "heading"
            for unit, t in guidance_units(b, lines)
            if not _TASK.match(lines[unit.line - 1].lstrip())
        ]
        texts += [f for b in body if b.kind == "heading" for f in _BRACED.findall(b.text)]
    return list(dict.fromkeys(t for t in texts if len(fingerprint(t)) >= MIN_GUIDANCE))


_FRAGMENT_KINDS = frozenset(("paragraph", "bullet_list", "ordered_list", "heading", "table"))


def _literals(body: list[Block], lines: list[str]) -> tuple[str, ...]:
    found = (
        squeeze(m)
        for b in body
        if b.kind in _FRAGMENT_KINDS
        for m in _CURLY.findall(b.text if b.kind == "heading" else block_text(b, lines))
    )
    return tuple(dict.fromkeys(found))


def contract(template: Template) -> dict:
    """Return what a template asks of its docs, as plain data (for `designdoc template show`)."""
    return {
        "name": template.name,
        "path": str(template.path) if template.path else None,
        "doc_type": template.doc_type,
        "schema": template.schema,
        "title_heading": {
            "required": template.title_heading,
            "text": template.title_text,
            "placeholder": template.title_placeholder is not None,
        },
        "fields": [
            {"name": f.name, "kind": f.kind, "value": f.value, "placeholder": f.placeholder} for f in template.fields
        ],
        "preamble_guidance": len(template.preamble),
        "sections": [_section_contract(s) for s in template.sections],
        "footer": None
        if template.footer is None
        else {"example": template.footer.example, "note": template.footer.note or None},
    }


def _section_contract(section: TemplateSection) -> dict:
    rules = section.rules
    return {
        "name": section.name,
        "level": section.level,
        "line": section.line,
        "optional": section.optional,
        "rules": {
            "max_sentences": rules.max_sentences,
            "require": list(rules.require),
            "allow_empty": rules.allow_empty,
            "require_subsections": rules.require_subsections,
        },
        "guidance": [squeeze(t) for t in section.guidance_text],
        "subsections": [
            {
                "name": s.name,
                "level": s.level,
                "line": s.line,
                "required": rules.require_subsections and not s.optional,
                "optional": s.optional,
            }
            for s in section.subsections
        ],
    }
