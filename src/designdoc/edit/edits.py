"""Front-matter and footer edits as exact-span text edits.

Each function returns `Edit`s against a parsed Document's text and changes
only the lines of the keys involved: a value is replaced in place (keeping
its quoting style), a list gains an item at the same indent (a flow list
`[a]` becomes `[a, b]`), a missing key is written before the closing `---`
in block style.  Dates are written `YYYY-MM-DD`, unquoted.
"""

from __future__ import annotations

import json
import re

from designdoc.model.diagnostics import Edit
from designdoc.model.fields import looks_numeric
from designdoc.parse.document import Document
from designdoc.parse.frontmatter import Node

_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_./@(][^:#\n]*[^:\s]|[A-Za-z0-9]")
_YAML_WORDS = re.compile(r"(?i)y|n|yes|no|true|false|on|off|null|~")


def yaml_scalar(value: str) -> str:
    """Return `value` as a YAML scalar: plain when that reads back as the same string, else quoted."""
    if (
        _PLAIN_SAFE.fullmatch(value)
        and not _YAML_WORDS.fullmatch(value)
        and not looks_numeric(value)
        and ": " not in value
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


def _quoted(node: Node, value: str) -> str:
    if node.style == "'":
        return "'" + value.replace("'", "''") + "'"
    if node.style == '"':
        return json.dumps(value, ensure_ascii=False)
    return yaml_scalar(value)


def set_scalar(doc: Document, key: str, value: str, *, raw: bool = False) -> list[Edit]:
    """Return edits setting `key` to `value` (`raw`: write the text as it is, e.g. a date)."""
    front = doc.frontmatter
    item = front.fields.get(key) if front else None
    nl = doc.newline
    if item is None:
        text = value if raw else yaml_scalar(value)
        return [Edit.insert(front.content_end, f"{key}: {text}{nl}")]
    node = item.node
    if node.kind == "scalar" and node.value is None and node.start == node.end:
        return [
            Edit.insert(
                node.start,
                (" " if doc.text[node.start - 1 : node.start] == ":" else "") + (value if raw else yaml_scalar(value)),
            )
        ]
    text = value if raw and node.style in ("", None) else _quoted(node, value)
    return [Edit(node.start, node.end, text)]


def add_list_item(doc: Document, key: str, value: str) -> list[Edit]:
    """Return edits adding `value` to the list `key` (created in block style when absent)."""
    front = doc.frontmatter
    item = front.fields.get(key)
    nl = doc.newline
    scalar = yaml_scalar(value)
    if item is None:
        return [Edit.insert(front.content_end, f"{key}:{nl}  - {scalar}{nl}")]
    node = item.node
    if node.kind == "seq" and node.style == "flow":
        close = doc.text.rindex("]", node.start, node.end)
        return [Edit.insert(close, (", " if node.value else "") + scalar)]
    if node.kind == "seq":  # block list: a new item line after the last one, same indent
        last = node.value[-1]
        end_line = doc.index.position(last.end)[0]
        return [Edit.insert(_line_end(doc, end_line), f"{nl}{_item_prefix(doc, last)}{scalar}")]
    if node.kind == "scalar" and node.value is None:
        return [Edit(doc.index.offset(item.line), _line_end(doc, item.line), f"{key}:{nl}  - {scalar}")]
    # a single string: becomes a flow list holding it and the new value
    return [Edit(node.start, node.end, f"[{doc.text[node.start : node.end]}, {scalar}]")]


def _item_prefix(doc: Document, item: Node) -> str:
    """Return the `  - ` that stands before a block list item on its line."""
    return doc.lines[item.line - 1][: item.column - 1]


def _line_end(doc: Document, line: int) -> int:
    return doc.index.offset(line) + len(doc.lines[line - 1])


def replace_list(doc: Document, key: str, values: list[str]) -> list[Edit]:
    """Return edits replacing the whole list `key` with `values`, in the list's own style."""
    item = doc.frontmatter.fields.get(key)
    if item is None:
        return (
            add_list_item(doc, key, values[0])
            if len(values) == 1
            else [
                Edit.insert(
                    doc.frontmatter.content_end,
                    f"{key}:{doc.newline}" + "".join(f"  - {yaml_scalar(v)}{doc.newline}" for v in values),
                )
            ]
        )
    node = item.node
    if node.kind == "seq" and node.style == "block" and node.value:
        first = node.value[0]
        prefix = _item_prefix(doc, first)
        last_line = doc.index.position(max(node.end - 1, node.value[-1].end))[0]
        start = doc.index.offset(first.line)
        body = doc.newline.join(f"{prefix}{yaml_scalar(v)}" for v in values)
        return [Edit(start, _line_end(doc, last_line), body)]
    return [Edit(node.start, node.end, "[" + ", ".join(yaml_scalar(v) for v in values) + "]")]


def set_footer(doc: Document, date: str, *, keep_note: bool) -> list[Edit]:
    """Return edits setting the footer's date (and dropping the draft note unless `keep_note`)."""
    footer = doc.footer
    if footer is None:
        return []
    start = doc.index.offset(footer.line, footer.date_column)
    edits = [Edit(start, start + len(footer.date), date)]
    note = doc.template.footer.note if doc.template.footer else ""
    if footer.note and not keep_note and note:
        line = doc.lines[footer.line - 1]
        column = line.find(note)
        begin = column
        while begin > 0 and line[begin - 1] in " \t":
            begin -= 1
        base = doc.index.offset(footer.line)
        edits.append(Edit(base + begin, base + column + len(note), ""))
    return edits
