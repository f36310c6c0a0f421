"""`designdoc new`: a doc scaffolded from the template, written to a new file (never over one)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import unicodedata
from pathlib import Path

from designdoc.check.runner import Checker
from designdoc.edit.apply import apply_edits
from designdoc.edit.edits import footer_edits, replace_list, set_footer, set_scalar
from designdoc.files import writer
from designdoc.files.discovery import display
from designdoc.model.diagnostics import Diagnostic, Edit, Severity
from designdoc.model.errors import LifecycleError, UsageError, WriteError
from designdoc.model.fields import DATE_OR_PLACEHOLDER
from designdoc.model.settings import Config
from designdoc.model.text import decode
from designdoc.parse import document as document_module
from designdoc.parse.document import Document
from designdoc.parse.template import Template


def file_name(title: str) -> str:
    """Return the file name for a title: lower case, accents stripped, other characters as `-`."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return (slug or "design-doc") + ".md"


def next_number(folder: Path) -> int:
    """Return the next free `NNNN-` number in a folder."""
    numbers = (
        [int(m.group(1)) for p in folder.glob("*.md") if (m := re.match(r"(\d{4})-", p.name))]
        if folder.is_dir()
        else []
    )
    return max(numbers, default=0) + 1


def git_email() -> str | None:
    """Return `git config user.email`, or None."""
    try:
        done = subprocess.run(["git", "config", "user.email"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


# the fields that name who wrote a doc: a new doc's owners go there (reviewers and approvers come later)
AUTHOR_FIELDS = frozenset(("owners", "owner", "authors", "author"))


def scaffold(title: str, template: Template, *, owners: list[str], tags: list[str], today: dt.date) -> str:
    """Return the text of a new doc from the template, in the template's own shape.

    Every field the template dates gets today, every author field the owners, and the status
    the template's first one (`draft`, or the first of `a|b|c` alternatives).
    """
    doc = document_module.parse(template.source, "new.md", template)
    edits = []
    if doc.frontmatter is not None and not doc.frontmatter.fatal:
        edits += _fields(doc, template, title=title, owners=owners, tags=tags, today=today)
    heading = doc.title_heading
    if heading is not None:
        start = doc.index.offset(heading.line)
        edits.append(Edit(start, start + len(doc.lines[heading.line - 1]), "#" * heading.level + " " + title))
    edits += _footer(doc, today.isoformat())
    return apply_edits(doc.text, edits)


def _fields(
    doc: Document, template: Template, *, title: str, owners: list[str], tags: list[str], today: dt.date
) -> list[Edit]:
    """Return the edits filling the front matter of a new doc."""
    edits: list[Edit] = []
    for spec in template.fields:
        if spec.name not in doc.frontmatter.fields:
            continue
        if spec.name == "title":
            edits += set_scalar(doc, "title", title)
        elif spec.name in AUTHOR_FIELDS:
            edits += (
                replace_list(doc, spec.name, owners) if spec.kind == "list" else set_scalar(doc, spec.name, owners[0])
            )
        elif spec.name == "status":
            first = (spec.value or "draft").split("|", 1)[0].strip()
            edits += set_scalar(doc, "status", first if "|" in (spec.value or "") else "draft")
        elif spec.name == "version":
            edits += set_scalar(doc, "version", "0.1.0")
        elif spec.kind == "date" or spec.name == "last_updated":
            edits += set_scalar(doc, spec.name, today.isoformat())
        elif spec.name == "tags" and tags:
            edits += replace_list(doc, "tags", tags)
    return edits


def _footer(doc: Document, date: str) -> list[Edit]:
    """Return the edits dating the template's footer, the draft note kept.

    A footer dated `YYYY-MM-DD` in the template is no footer to the doc parser (a doc's footer
    holds a real date), so its line, the template's last, is dated through `footer_edits` directly.
    """
    if doc.footer is not None or doc.template.footer is None:
        return set_footer(doc, date, keep_note=True)
    line = doc.last_line
    text = doc.lines[line - 1]
    found = DATE_OR_PLACEHOLDER.search(text)
    if text.strip() != doc.template.footer.example or found is None:
        return []
    return footer_edits(text, doc.index.offset(line), found.span(), date, "")


def new_doc(
    title: str,
    config: Config,
    template: Template,
    *,
    directory: Path | None,
    owners: list[str],
    tags: list[str],
    today: dt.date,
) -> Path:
    """Write a new doc from the template and return its path; refuse an existing file."""
    if not title.strip():
        raise UsageError("the title is empty")
    owners = [o for o in owners if o.strip()] or [email for email in (git_email(),) if email]
    if not owners:
        raise UsageError("no owner: pass --owner EMAIL (or set git config user.email)")
    folder = directory or Path(config.root or Path.cwd()) / config.new_dir
    name = file_name(title)
    if config.new_numbering:
        name = f"{next_number(folder):04d}-{name}"
    path = folder / name
    if path.exists() or path.is_symlink():
        raise LifecycleError(f"{display(path)}: already exists, not overwritten")
    text = scaffold(title, template, owners=owners, tags=tags, today=today)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteError(f"{display(folder)}: cannot create the folder ({error.strerror})") from None
    writer.write_new(path, text.encode("utf-8"))
    return path


def errors_of(path: Path, checker: Checker) -> list[Diagnostic]:
    """Return the errors a freshly written doc already has (an owner that is no email, say), for a warning.

    Fields the template leaves for the author to fill (`field-placeholder`) are a new doc's
    expected state, not news.
    """
    text, bom = decode(path.read_bytes())
    doc = document_module.parse(text, display(path), checker.template, bom=bom)
    return [d for d in checker.lint(doc) if d.severity >= Severity.ERROR and d.rule != "field-placeholder"]
