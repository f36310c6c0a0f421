"""Front-matter and footer edits as exact-span text edits.

Each function returns `Edit`s against a parsed Document's text and changes
only the lines of the keys involved: a value is replaced in place (keeping
its quoting style where that style can hold it), a list gains an item at the
same indent (a flow list `[a]` becomes `[a, b]`), a missing key is written
before the closing `---` in block style.  Every value is written by
`scalars.yaml_scalar`, so it reads back as the string meant; dates come out
`YYYY-MM-DD`, unquoted.  A footer line is written by `footer_edits` only.
"""

from __future__ import annotations

from designdoc.edit.apply import apply_edits
from designdoc.edit.scalars import flow_item, yaml_scalar
from designdoc.model.diagnostics import Edit
from designdoc.model.fields import DATE_OR_PLACEHOLDER
from designdoc.parse import document as document_module
from designdoc.parse.document import Document
from designdoc.parse.frontmatter import Field, Node
from designdoc.parse.template import derive

_FENCE = "---\n"


def yaml_file(text: str, name: str) -> Document:
    """Return a YAML file (a sidecar) parsed as the front matter of a stand-in document, so that
    the front-matter edits serve it too; `yaml_file_edits` takes their offsets back to the file."""
    closed = text if not text or text.endswith("\n") else text + "\n"
    return document_module.parse(_FENCE + closed + _FENCE, name, derive("", name="yaml file"))


def yaml_file_edits(text: str, edits: list[Edit]) -> list[Edit]:
    """Return the edits of `yaml_file(text)`'s front matter as edits of `text` itself."""
    shift, end, found = len(_FENCE), len(text), []
    for edit in edits:
        start, stop = edit.start - shift, edit.end - shift
        if start > end:  # past the final line break the file lacked: write it first
            found.append(Edit(end, end, "\n" + edit.text))
        else:
            found.append(Edit(start, min(stop, end), edit.text))
    return found


def set_scalar(doc: Document, key: str, value: str) -> list[Edit]:
    """Return edits setting `key` to `value` (a date is written plain, `YYYY-MM-DD`)."""
    front = doc.frontmatter
    item = front.fields.get(key) if front else None
    nl = doc.newline
    if item is None:
        return [Edit.insert(front.content_end, f"{key}: {yaml_scalar(value)}{nl}")]
    node = item.node
    if node.kind == "scalar" and node.value is None and node.start == node.end:
        space = " " if doc.text[node.start - 1 : node.start] == ":" else ""
        return [Edit.insert(node.start, space + yaml_scalar(value))]
    start, end = _value_span(doc, item)
    return [Edit(start, end, ("" if start == node.start else " ") + yaml_scalar(value, node.style))]


def _value_span(doc: Document, item: Field) -> tuple[int, int]:
    """Return the span a new value of `item` replaces: its node's text, short of the line break
    a block node ends with; for a block list or mapping, from just after the key's `:` (its
    first item may stand at the key's own indent, where a scalar cannot)."""
    node = item.node
    end = node.start + len(doc.text[node.start : node.end].rstrip())
    if node.kind != "scalar" and node.style == "block":
        return doc.text.index(":", item.key_start + len(item.key)) + 1, end
    return node.start, end


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
    start, end = _value_span(doc, item)
    existing = flow_item(doc.text[node.start : node.end], node.style, str(node.value))
    return [Edit(start, end, f"[{existing}, {scalar}]")]


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
    start, end = _value_span(doc, item)
    lead = "" if start == node.start else " "
    return [Edit(start, end, lead + "[" + ", ".join(yaml_scalar(v) for v in values) + "]")]


def set_footer(doc: Document, date: str | None, *, keep_note: bool) -> list[Edit]:
    """Return edits setting the footer's date (None keeps it) and dropping the draft note unless `keep_note`."""
    footer = doc.footer
    if footer is None:
        return []
    note = doc.template.footer.note if doc.template.footer and footer.note and not keep_note else ""
    line = doc.lines[footer.line - 1]
    date_at = (footer.date_column - 1, footer.date_column - 1 + len(footer.date))
    return footer_edits(line, doc.index.offset(footer.line), date_at, date, note)


def footer_text(doc: Document, date: str, *, keep_note: bool) -> str | None:
    """Return the template's footer line for `date`, with or without the draft note (None: no footer)."""
    footer = doc.template.footer
    if footer is None:
        return None
    found = DATE_OR_PLACEHOLDER.search(footer.example)  # the template's footer is the line that holds one
    date_at = found.span() if found else None
    return apply_edits(footer.example, footer_edits(footer.example, 0, date_at, date, "" if keep_note else footer.note))


def footer_edits(line: str, base: int, date_at: tuple[int, int] | None, date: str | None, note: str) -> list[Edit]:
    """Return the edits of a footer line: the one place a footer is written.

    `line` starts at offset `base`; its date, at `date_at` in it, becomes `date` (None keeps
    it); the draft `note` goes with the blanks before it ("" keeps it), so a footer never
    ends up with a space before its closing `_`.
    """
    edits = []
    if date is not None and date_at is not None:
        edits.append(Edit(base + date_at[0], base + date_at[1], date))
    column = line.find(note) if note else -1
    if column >= 0:
        begin = column
        while begin > 0 and line[begin - 1] in " \t":
            begin -= 1
        edits.append(Edit(base + begin, base + column + len(note), ""))
    return edits
