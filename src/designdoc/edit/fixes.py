"""Fix builders shared by rules and by lifecycle edits: exact-span text edits.

Every edit here touches only the text it means to change, writes the file's
own line break, and leaves everything else byte-for-byte as it was.
"""

from __future__ import annotations

from designdoc.edit.scalars import yaml_scalar
from designdoc.model.diagnostics import Edit, Fix
from designdoc.parse.document import Document
from designdoc.parse.template import TemplateField, TemplateSection


def missing_field_fix(doc: Document, spec: TemplateField) -> Fix | None:
    """Return a fix inserting a missing field with the template's default, if it has one."""
    front = doc.frontmatter
    if spec.placeholder or spec.value is None or front is None or front.end_line is None:
        return None
    nl = doc.newline
    # a mapping's value is the template's own YAML text; any other is a string, written as one
    value = spec.value if spec.kind in ("map", "any") else yaml_scalar(spec.value)
    if spec.kind == "list":
        text = f"{spec.name}:{nl}  - {value}{nl}"
    else:
        text = f"{spec.name}: {value}{nl}"
    return Fix(f"Add '{spec.name}: {spec.value}'", (Edit.insert(front.content_end, text),))


def insert_section_fix(doc: Document, spec: TemplateSection, before_line: int | None) -> Fix:
    """Return a fix inserting a section's heading and guidance before `before_line` (or at the end)."""
    nl = doc.newline
    heading = f"{'#' * spec.level} {spec.name}{nl}{nl}"
    note = "".join(f"> {line}{nl}" for line in spec.guidance_text[0].split("\n")) + nl if spec.guidance_text else ""
    if before_line is not None:
        return Fix(f"Insert '{spec.name}'", (Edit.insert(doc.index.offset(before_line), heading + note),))
    lead = "" if doc.text.endswith(("\n", "\r")) or not doc.text else nl
    return Fix(f"Insert '{spec.name}'", (Edit.insert(len(doc.text), lead + nl + heading + note.rstrip("\r\n") + nl),))
