"""Read a doc's metadata from the sources its process names, each value as written and placed.

Sources (`MetadataSpec.sources`, read in order; the first to hold a field wins):

- `frontmatter`: the YAML front matter's top-level keys;
- `sidecar`: a YAML file beside the doc (`kep.yaml`), read with the front matter's limits;
- `list`: a list of `- Key: value` (or `* Key: value`) items before the first section,
  keys and values possibly bold, values possibly links (`* Status: **Accepted**`);
- `lines`: `Key: value` lines before the first section (`Date: 2018-02-25` under the title);
- `section`: the first line of the status section (`## Status` then `Accepted`);
- `title`: the title heading, as the field `title`.

Values are the text written: a YAML scalar keeps its source text (`0000` stays `0000`),
markup around a prose value is left out of its span, so an edit keeps `**…**` around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from designdoc.model.metadata import Metadata, MetadataSpec, MetaProblem, Sidecar, Value, field_key
from designdoc.model.text import LineIndex
from designdoc.parse.blocks import Block, is_comment
from designdoc.parse.frontmatter import FrontMatter, Node, parse_file
from designdoc.parse.inline import plain_text

# `- Key: value`, `* **Key**: value`, `- **Key:** value`; the key is short and starts with a letter
_LIST_ITEM = re.compile(
    r"[ ]{0,3}[-*+][ \t]+(?P<open>\*\*|__)?(?P<key>[^\W\d_][^:*_\n]{0,40}?)"
    r"(?:(?P<close>\*\*|__)[ \t]*:|:(?(open)(?P<late>\*\*|__)|))[ \t]*(?P<value>.*?)[ \t]*"
)
_KEY_LINE = re.compile(
    r"(?P<open>\*\*|__)?(?P<key>[^\W\d_][^:*_\n]{0,40}?)(?:(?P<close>\*\*|__)[ \t]*:|:(?(open)(?P<late>\*\*|__)|))"
    r"[ \t]+(?P<value>\S.*?)[ \t]*"
)
_MARKUP_EDGE = re.compile(r"^(?:\*\*|__|\*|_|`)(?=\S)(?P<inner>.*?\S)(?:\*\*|__|\*|_|`)$")
_TRAILING_BREAK = re.compile(r"(?:[ \t]*\\|[ \t]{2,})$")  # a hard line break (`\` or two spaces)
_SPLIT = re.compile(r",\s*|\s+and\s+|;\s*")
_SPLIT_OR_BRACKET = re.compile(r"[\[\(]|[\]\)]|" + _SPLIT.pattern)


def read(
    spec: MetadataSpec,
    *,
    path: str,
    lines: list[str],
    index: LineIndex,
    front: FrontMatter | None,
    preamble: Iterable[Block],
    title: Block | None,
    status_section: tuple[Block, ...] | None,
    sidecar: Sidecar | None,
) -> Metadata:
    """Return the metadata of one doc from the sources `spec` names (`status_section`: the
    blocks under the status section's heading, None when the doc has none)."""
    found: dict[str, Value] = {}
    problems: list[MetaProblem] = []
    sidecar_path = None
    for source in spec.sources:
        if source == "frontmatter":
            values: Iterable[Value] = _yaml_values(front, path, index, source) if front is not None else ()
        elif source == "sidecar":
            values, sidecar_path = _sidecar_values(sidecar, problems)
        elif source == "list":
            values = _list_values(preamble, path, lines, index)
        elif source == "lines":
            values = _line_values(preamble, path, lines, index)
        elif source == "section":
            values = _section_value(status_section, path, lines, index)
        else:  # title
            values = _title_value(title, path, lines, index)
        for value in values:
            found.setdefault(field_key(value.key), value)
    return Metadata(found, sidecar_path, tuple(problems))


def _sidecar_values(sidecar: Sidecar | None, problems: list[MetaProblem]) -> tuple[list[Value], str | None]:
    if sidecar is None:
        return [], None
    if sidecar.text is None:
        problems.append(MetaProblem(sidecar.path, sidecar.line, 1, sidecar.problem or "cannot be read"))
        return [], None
    index = LineIndex(sidecar.text)
    parsed = parse_file(sidecar.text, index, sidecar.path.rsplit("/", 1)[-1])
    problems += [MetaProblem(sidecar.path, p.line, p.column, p.message) for p in parsed.problems]
    return list(_yaml_values(parsed, sidecar.path, index, "sidecar")), sidecar.path


def _yaml_values(front: FrontMatter, file: str, index: LineIndex, source: str) -> Iterator[Value]:
    if front.fatal:
        return
    for item in front.fields.values():
        yield _yaml_value(item.key, item.node, file, index, source)


def _yaml_value(key: str, node: Node, file: str, index: LineIndex, source: str) -> Value:
    line, column = node.line, node.column
    end_line, end_column = index.position(node.end)
    if node.kind == "scalar":
        text = "" if node.value is None else str(node.value)
        items = (text.strip(),) if text.strip() else ()
        editable = node.style in ("", "'", '"') and end_line == line
    elif node.kind == "seq":
        text = ""
        items = tuple(str(n.value).strip() for n in node.value if n.kind == "scalar" and n.value is not None)
        items = tuple(item for item in items if item)
        editable = False
    else:
        text, items, editable = "", (), False
    return Value(
        key, text, items, source, file, line, column, end_column if end_line == line else column,
        node.start, node.end, editable, text, node.style if node.kind == "scalar" else "",
    )  # fmt: skip


def _list_values(preamble: Iterable[Block], file: str, lines: list[str], index: LineIndex) -> Iterator[Value]:
    for block in preamble:
        if block.kind != "bullet_list":
            continue
        for item in block.items:
            match = _LIST_ITEM.fullmatch(lines[item.line - 1])
            if match is not None and _balanced(match):
                yield _prose_value(match, item.line, "list", file, lines, index)


def _line_values(preamble: Iterable[Block], file: str, lines: list[str], index: LineIndex) -> Iterator[Value]:
    for block in preamble:
        if block.kind != "paragraph":
            continue
        for number in range(block.line, block.end_line + 1):
            text = _TRAILING_BREAK.sub("", lines[number - 1])
            match = _KEY_LINE.fullmatch(text)
            if match is not None and _balanced(match):
                yield _prose_value(match, number, "lines", file, lines, index)


def _balanced(match: re.Match[str]) -> bool:
    """Return True when a bold key is closed (`**Key**:` or `**Key:**`), or the key is plain."""
    if match.group("open"):
        return bool(match.group("close") or match.group("late"))
    return not match.group("close") and not match.group("late")


def _prose_value(
    match: re.Match[str], number: int, source: str, file: str, lines: list[str], index: LineIndex
) -> Value:
    start, end = match.span("value")
    return _span_value(match.group("key").strip(), number, start, end, source, file, lines, index)


def _span_value(
    key: str, number: int, start: int, end: int, source: str, file: str, lines: list[str], index: LineIndex
) -> Value:
    """Return the value written at columns [start, end) of a line, markup around it left out of its span."""
    line = lines[number - 1]
    raw = line[start:end]
    inner = _MARKUP_EDGE.fullmatch(raw)
    while inner is not None:  # `**Accepted**`, `_Draft_`: the span is what is inside
        start += raw.index(inner.group("inner"))
        raw = inner.group("inner")
        end = start + len(raw)
        inner = _MARKUP_EDGE.fullmatch(raw)
    text = plain_text(raw) if raw else ""
    items = tuple(part for part in (plain_text(p).strip() for p in _split(raw)) if part)
    offset = index.offset(number, 1)
    return Value(key, text, items, source, file, number, start + 1, end + 1, offset + start, offset + end, True, raw)


def _split(value: str) -> list[str]:
    """Split a prose list of names on commas, `;` and `and`, never inside a link's brackets."""
    parts, depth, current = [], 0, 0
    for match in _SPLIT_OR_BRACKET.finditer(value):
        token = match.group(0)
        if token in "[(":
            depth += 1
        elif token in "])":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(value[current : match.start()])
            current = match.end()
    parts.append(value[current:])
    return parts


def _section_value(body: tuple[Block, ...] | None, file: str, lines: list[str], index: LineIndex) -> Iterator[Value]:
    """Yield the status section's first line of content as the field `status`."""
    if body is None:
        return
    for block in body:
        if is_comment(block) or block.kind not in ("paragraph", "bullet_list", "ordered_list"):
            continue
        number = block.line
        line = lines[number - 1]
        stripped = line.lstrip(" \t-*+")
        start = len(line) - len(stripped)
        end = len(_TRAILING_BREAK.sub("", line.rstrip()))
        if end > start:
            yield _span_value("status", number, start, end, "section", file, lines, index)
        return


def _title_value(title: Block | None, file: str, lines: list[str], index: LineIndex) -> Iterator[Value]:
    if title is None:
        return
    line = lines[title.line - 1]
    stripped = line.lstrip(" ").lstrip("#").strip()
    if not stripped:
        return
    start = line.index(stripped)
    closing = re.search(r"[ \t]+#+[ \t]*$", stripped)  # an ATX heading's closing hashes
    end = start + (closing.start() if closing else len(stripped))
    yield _span_value("title", title.line, start, end, "title", file, lines, index)
