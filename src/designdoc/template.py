"""A template file, read as the contract its documents must follow.

Nothing about the built-in template is hard-coded: its sections, guidance
notes, front-matter fields and footer are derived from `templates/design_doc.md`
exactly as a team's own template is derived from its file.  Per-section content
rules come from `templates/design_doc.toml` (the built-in) or the user's config,
in one shape (`SectionRules`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from . import frontmatter, markdown
from .errors import TemplateError
from .inline import plain_text
from .markdown import Block
from .text import LineIndex, fingerprint, split_lines

REQUIREMENTS = ("list", "diagram", "non-goals", "alternatives", "acceptance-criteria",
                "resolved-questions", "table", "code")
_PLACEHOLDER = re.compile(
    r"^\{.*\}$|^<.*>$|\bTODO\b|\bTBD\b|YYYY|NNNN|fill me in|example\.com", re.IGNORECASE | re.S)
_LEADING_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*|[A-Za-z])[.)]\s+")
_BRACED = re.compile(r"\{[^{}\n]+\}|\[[^\[\]\n]+\](?!\()")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|YYYY-MM-DD")
_OPTIONAL_COMMENT = re.compile(r"^<!--.{0,60}\boptional\b.{0,60}-->$", re.IGNORECASE | re.S)
_TITLE_WORDS = re.compile(r"\{.*\}|\bTODO\b|NNNN|\btitle\b|\byour\b", re.IGNORECASE)


def section_key(heading: str) -> str:
    """Return the name a heading is matched by: plain, unnumbered, case-folded."""
    text = _LEADING_NUMBER.sub("", plain_text(heading)).rstrip(":").strip()
    return " ".join(text.casefold().split())


@dataclass(frozen=True, slots=True)
class SectionRules:
    """Content requirements of one section (from the template's TOML or the config)."""

    max_sentences: int | None = None
    require: tuple[str, ...] = ()
    allow_empty: bool = False


@dataclass(frozen=True, slots=True)
class TemplateField:
    """A front-matter key of the template."""

    name: str
    kind: str  # scalar, list, map, date
    value: str | None  # the template's text for it (a list: its first item)
    placeholder: bool  # must be replaced (else it is a default that may stay)


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
            object.__setattr__(self, "_key_map", keys)
        return keys


def builtin_path() -> Path:
    """Return the path of the built-in design-doc template."""
    return Path(str(resources.files("designdoc") / "templates" / "design_doc.md"))


@cache
def builtin() -> Template:
    """Return the built-in template (parsed once per process)."""
    path = builtin_path()
    rules = tomllib.loads(path.with_suffix(".toml").read_text("utf-8"))
    return derive(path.read_text("utf-8"), name="design_doc (built-in)", schema=rules.get("schema"),
                  section_rules=section_rules_from(rules.get("sections", {}), "built-in template"))


def load(path: Path, *, schema: str | None = None,
         section_rules: dict[str, SectionRules] | None = None,
         optional_sections: tuple[str, ...] = ()) -> Template:
    """Read and derive a template file; TemplateError names the file on failure."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(f"{path}: cannot read the template ({error})") from None
    template = derive(text, name=str(path), schema=schema, section_rules=section_rules or {},
                      optional_sections=optional_sections, path=path)
    if not template.sections:
        raise TemplateError(f"{path}: the template has no sections (no level 1 or 2 headings)")
    return template


def section_rules_from(table: dict, where: str) -> dict[str, SectionRules]:
    """Build SectionRules from a `[sections."Name"]` table, checking every key."""
    out = {}
    for name, options in table.items():
        if not isinstance(options, dict):
            raise TemplateError(f"{where}: sections.{name!r} must be a table")
        unknown = set(options) - {"max_sentences", "require", "allow_empty"}
        if unknown:
            raise TemplateError(f"{where}: sections.{name!r}: unknown option {sorted(unknown)[0]!r}")
        require = tuple(options.get("require", ()))
        bad = [r for r in require if r not in REQUIREMENTS]
        if bad:
            raise TemplateError(f"{where}: sections.{name!r}.require: unknown requirement {bad[0]!r} "
                                f"(expected one of: {', '.join(REQUIREMENTS)})")
        out[name] = SectionRules(options.get("max_sentences"), require, bool(options.get("allow_empty", False)))
    return out


def derive(text: str, *, name: str, schema: str | None = None,
           section_rules: dict[str, SectionRules] | None = None,
           optional_sections: tuple[str, ...] = (), path: Path | None = None) -> Template:
    """Derive a Template from the text of a template file."""
    text = text.removeprefix("\ufeff")
    lines = split_lines(text)
    index = LineIndex(text)
    fm = frontmatter.parse(text, lines, index)
    body_line = (fm.end_line or 1) + 1 if fm else 1
    body = markdown.parse_body("\n".join(lines[body_line - 1:]), body_line)
    fields = _fields(fm, text) if fm and not fm.fatal else ()
    doc_type = next((f.value for f in fields if f.name == "doc_type" and not f.placeholder), None)
    title_value = next((f.value for f in fields if f.name == "title"), None)
    blocks = list(body.blocks)
    title_block = _title_heading(blocks)
    if title_block is not None:
        blocks.remove(title_block)
    footer_block, footer = _footer(blocks, lines)
    if footer_block is not None:
        blocks = [b for b in blocks if b.line < footer_block]
    sections, preamble = _sections(blocks, lines, section_rules or {}, optional_sections)
    levels = max((s.level for s in sections), default=2)
    return Template(name, doc_type, schema, fields, sections, max(levels, 1), title_block is not None,
                    title_value, preamble, footer, text, path)


def _fields(fm: frontmatter.FrontMatter, text: str) -> tuple[TemplateField, ...]:
    out = []
    for key, item in fm.fields.items():
        node = item.node
        raw = text[node.start:node.end]
        if node.kind == "seq":
            first = next((n for n in node.value if n.kind == "scalar"), None)  # type: ignore[union-attr]
            value = first.value if first else None
            kind = "list"
        elif node.kind == "map":
            value, kind = raw, ("scalar" if node.style == "flow" else "map")  # `key: {…}` is placeholder text
        else:
            value = node.value  # type: ignore[assignment]
            kind = "date" if value and _DATE.fullmatch(str(value)) else "scalar"
        placeholder = key == "title" or bool(value and _PLACEHOLDER.search(str(value)))
        out.append(TemplateField(key, kind, None if value is None else str(value), placeholder))
    return tuple(out)


def _title_heading(blocks: list[Block]) -> Block | None:
    """Return the template's title heading: its first heading, an H1 that has no
    body or whose text looks like a placeholder."""
    headings = [b for b in blocks if b.kind == "heading"]
    if not headings or headings[0].level != 1:
        return None
    first = headings[0]
    following = [b for b in blocks if b.line > first.line]
    empty = not following or following[0].kind == "heading"
    return first if empty or _TITLE_WORDS.search(first.text) else None


def _footer(blocks: list[Block], lines: list[str]) -> tuple[int | None, Footer | None]:
    """Find a footer: the last non-blank line, holding a date."""
    last = next((n for n in range(len(lines), 0, -1) if lines[n - 1].strip()), None)
    if last is None or not blocks or blocks[-1].kind not in ("paragraph",) or blocks[-1].line != last:
        return None, None
    line = lines[last - 1].strip()
    date = _DATE.search(line)
    if date is None:
        return None, None
    prefix, rest = line[:date.start()], line[date.end():]
    note_match = re.search(r"\s*(\([^()]*\))", rest)
    note = note_match.group(1) if note_match else ""
    suffix = rest[note_match.end():] if note_match else rest
    pattern = (r"\s*" + re.escape(prefix.strip()).replace(r"\ ", r"\s+") + r"\s*(?P<date>[^\s()]+?(?:\s[^()]*?)?)"
               + (rf"(?P<note>\s*{re.escape(note)})?" if note else "") + re.escape(suffix.strip()) + r"\s*")
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


def _sections(blocks: list[Block], lines: list[str], rules: dict[str, SectionRules],
              optional: tuple[str, ...]) -> tuple[tuple[TemplateSection, ...], tuple[str, ...]]:
    heads = [i for i, b in enumerate(blocks) if b.kind == "heading" and b.level <= 2]
    preamble = tuple(fingerprint(_block_text(b, lines)) for b in blocks[:heads[0] if heads else len(blocks)]
                     if b.kind != "heading" and not _is_toc(b, lines))
    by_key = {section_key(k): v for k, v in rules.items()}
    optional_keys = {section_key(name) for name in optional}
    sections = []
    for n, i in enumerate(heads):
        head = blocks[i]
        body = blocks[i + 1:heads[n + 1] if n + 1 < len(heads) else len(blocks)]
        sections.append(_section(head, body, blocks[i - 1] if i else None, lines, by_key, optional_keys))
    return tuple(sections), tuple(p for p in preamble if p)


def _section(head: Block, body: list[Block], before: Block | None, lines: list[str],
             rules: dict[str, SectionRules], optional_keys: set[str]) -> TemplateSection:
    raw_name = plain_text(head.text)
    marked_optional = raw_name.lower().endswith("(optional)")
    name = re.sub(r"\s*\(optional\)$", "", raw_name, flags=re.IGNORECASE)
    key = section_key(name)
    texts = _guidance(body, lines)
    near = [b for b in (before, body[0] if body else None) if b is not None and b.kind == "html"]
    marked_optional = marked_optional or any(_OPTIONAL_COMMENT.match(b.text.strip()) for b in near)
    pattern = None
    if "{" in name:
        parts = re.split(r"\{[^{}]*\}", key)
        pattern = re.compile(".+".join(re.escape(p) for p in parts))
    return TemplateSection(
        name=name, key=key, level=head.level, line=head.line,
        guidance=tuple(fingerprint(t) for t in texts), guidance_text=tuple(texts),
        optional=marked_optional or key in optional_keys, pattern=pattern,
        rules=rules.get(key, SectionRules()),
    )


def _guidance(body: list[Block], lines: list[str]) -> list[str]:
    """Return a section's guidance: its `>` notes and HTML comments (and `{…}` /
    `[…]` fragments of its prose) when it has any, else its whole body."""
    notes = [b for b in body if b.kind == "blockquote" or (b.kind == "html" and b.text.lstrip().startswith("<!--"))]
    if notes:
        texts = [_block_text(b, lines) for b in notes]
        for b in body:
            if b.kind in ("paragraph", "bullet_list", "ordered_list"):
                texts += _BRACED.findall(_block_text(b, lines))
        return [t for t in texts if fingerprint(t)]
    return [t for t in (_block_text(b, lines) for b in body if b.kind != "heading") if fingerprint(t)]


def block_text(block: Block, lines: list[str]) -> str:
    """Return the source text of a block, without `>` markers or comment delimiters."""
    source = "\n".join(lines[block.line - 1:block.end_line])
    if block.kind == "blockquote":
        source = re.sub(r"(?m)^\s*>\s?", "", source)
    elif block.kind == "html":
        source = source.strip().removeprefix("<!--").removesuffix("-->")
    return source.strip()


_block_text = block_text


def _is_toc(block: Block, lines: list[str]) -> bool:
    """Return True for a table of contents: a list whose items are all in-page links."""
    if block.kind not in ("bullet_list", "ordered_list") or not block.items:
        return False
    return all(re.match(r"\s*(?:[-*+]|\d+[.)])\s+\[[^\]]*\]\(#", item.text) for item in block.items)
