"""`designdoc new`: a doc scaffolded from the template, written to a new file (never over one)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import unicodedata
from pathlib import Path

from designdoc.check.runner import Checker
from designdoc.config import versions as versions_module
from designdoc.edit.apply import apply_edits
from designdoc.edit.edits import footer_edits, replace_list, set_footer, set_scalar, yaml_file, yaml_file_edits
from designdoc.files import writer
from designdoc.files.discovery import display
from designdoc.files.sidecar import sidecar_path
from designdoc.model import metadata as metadata_module
from designdoc.model.diagnostics import Diagnostic, Edit, Severity
from designdoc.model.errors import LifecycleError, UsageError, WriteError
from designdoc.model.fields import DATE_OR_PLACEHOLDER
from designdoc.model.metadata import PROSE_SOURCES, field_key
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


def scaffold(
    title: str,
    template: Template,
    *,
    owners: list[str],
    tags: list[str],
    today: dt.date,
    config: Config | None = None,
    marker: tuple[str, str] | None = None,
) -> str:
    """Return the text of a new doc from the template, in the template's own shape.

    Every field the template dates gets today, every author field the owners, and the status
    the template's first one (`draft`, or the first of `a|b|c` alternatives).  A team's
    process (`config`) fills its roles where it keeps them instead: the front matter's fields,
    a `* Status:` list item, a `Date:` line, the status section (its lifecycle's first status).
    `marker` (field, version) names the template version in the front matter, when it has one.
    """
    spec = config.metadata if config is not None else metadata_module.DESIGN_DOC
    doc = document_module.parse(template.source, "new.md", template, spec=spec)
    edits = []
    if not spec.builtin and config is not None:
        edits += _roles(doc, config, title=title, owners=owners, tags=tags, today=today)
    elif doc.frontmatter is not None and not doc.frontmatter.fatal:
        edits += _fields(doc, template, title=title, owners=owners, tags=tags, today=today)
    if marker is not None and "frontmatter" in spec.sources and doc.frontmatter is not None:
        if not doc.frontmatter.fatal:
            edits += set_scalar(doc, *marker)
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


def _role_values(config: Config, *, title: str, owners: list[str], tags: list[str], today: dt.date) -> dict:
    """Return what a new doc's roles hold: its title, owners, tags, the first status, today."""
    lifecycle = config.lifecycle
    first = lifecycle.status(lifecycle.initial)
    return {
        "title": title,
        "owners": owners,
        "tags": tags,
        "status": (lifecycle.initial, first.label if first is not None else lifecycle.initial),
        "created": today.isoformat(),
        "updated": today.isoformat(),
    }


def _roles(doc: Document, config: Config, *, title: str, owners: list[str], tags: list[str], today: dt.date) -> list:
    """Return the edits filling a team's roles in a new doc, wherever its process keeps them."""
    values = _role_values(config, title=title, owners=owners, tags=tags, today=today)
    edits: list[Edit] = []
    for role, value in values.items():
        if role in ("tags",) and not value:
            continue
        for found in doc.spec.every(doc.metadata, role):
            if found.source == "frontmatter":
                edits += _yaml_role(doc, found.key, role, value)
            elif found.source in PROSE_SOURCES and found.source != "title" and found.editable:
                text = value[1] if role == "status" else ", ".join(value) if isinstance(value, list) else value
                edits.append(Edit(found.start, found.end, text))
            break  # the first field of a role is the one a new doc fills
    return edits


def _yaml_role(doc: Document, key: str, role: str, value: object) -> list[Edit]:
    if role == "status":
        return set_scalar(doc, key, value[0])
    if isinstance(value, list):
        item = doc.frontmatter.fields[key]
        return replace_list(doc, key, value) if item.node.kind == "seq" else set_scalar(doc, key, ", ".join(value))
    return set_scalar(doc, key, str(value))


def sidecar_text(
    template_text: str,
    config: Config,
    *,
    title: str,
    owners: list[str],
    today: dt.date,
    marker: tuple[str, str] | None = None,
) -> str:
    """Return a new doc's sidecar: the team's sidecar template (or nothing) with its roles filled.

    The sidecar is edited as front matter is, exact spans in its own style: read as the front
    matter of a stand-in document, edited, and taken out again.
    """
    values = _role_values(config, title=title, owners=owners, tags=[], today=today)
    body = template_text if template_text.endswith("\n") or not template_text else template_text + "\n"
    stand_in = yaml_file(body, "sidecar.yaml")
    edits: list[Edit] = []
    for role, value in values.items():
        if role == "tags":
            continue
        names = config.metadata.fields_of(role)
        present = [n for n in names if n in {field_key(k) for k in stand_in.frontmatter.fields}]
        if not names:
            continue
        key = next((k for k in stand_in.frontmatter.fields if field_key(k) == (present or names)[0]), names[0])
        edits += (
            _yaml_role(stand_in, key, role, value)
            if key in stand_in.frontmatter.fields
            else _new_key(stand_in, key, role, value)
        )
    if marker is not None:
        edits += set_scalar(stand_in, *marker)
    return apply_edits(body, yaml_file_edits(body, edits))


def _new_key(doc: Document, key: str, role: str, value: object) -> list[Edit]:
    if isinstance(value, list):
        return replace_list(doc, key, value)
    return set_scalar(doc, key, value[0] if role == "status" else str(value))


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


def write_planned(files: list[tuple[Path, str]]) -> Path:
    """Write the files `plan_new` planned (the doc, then its sidecar), refusing any that exists
    by then; return the doc's path."""
    path = files[0][0]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteError(f"{display(path.parent)}: cannot create the folder ({error.strerror})") from None
    for target, text in files:
        writer.write_new(target, text.encode("utf-8"))
    return path


def plan_new(
    title: str,
    config: Config,
    template: Template,
    *,
    directory: Path | None,
    owners: list[str],
    tags: list[str],
    today: dt.date,
) -> list[tuple[Path, str]]:
    """Return the files a new doc is made of, the doc first (then its sidecar), writing nothing
    (`write_planned` writes them); refuse a name that exists."""
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
    spec = config.metadata
    if spec.doc_file is not None:  # a doc is a folder of its own: `keps/…/4012-image-pulls/README.md`
        path = folder / name.removesuffix(".md") / spec.doc_file
    sidecar = sidecar_path(path, spec.sidecar) if spec.sidecar is not None and "sidecar" in spec.sources else None
    for target in (path, sidecar):
        if target is not None and (target.exists() or target.is_symlink()):
            raise LifecycleError(f"{display(target)}: already exists, not overwritten")
    marker = _marker(config, template)
    in_sidecar = marker if sidecar is not None and spec.sources.index("sidecar") < _first_yaml(spec.sources) else None
    files = [
        (
            path,
            scaffold(
                title,
                template,
                owners=owners,
                tags=tags,
                today=today,
                config=config,
                marker=None if in_sidecar else marker,
            ),
        )
    ]
    if sidecar is not None:
        side = sidecar_text(
            _sidecar_template(config), config, title=title, owners=owners, today=today, marker=in_sidecar
        )
        files.append((sidecar, side))
    return files


def _first_yaml(sources: tuple[str, ...]) -> int:
    return sources.index("frontmatter") if "frontmatter" in sources else len(sources)


def _marker(config: Config, template: Template) -> tuple[str, str] | None:
    """Return (field, version) naming the template version a new doc follows, when the template
    has several and the current one is committed (an uncommitted edit has no name to keep)."""
    found = versions_module.load(config, template)
    if not found.several or found.current.origin == "file":
        return None
    return config.template_version_field, found.current.id


def _sidecar_template(config: Config) -> str:
    """Return the team's sidecar template (`metadata.sidecar_template`), or "" when it has none."""
    name = config.metadata.sidecar_template
    if name is None:
        return ""
    path = Path(name) if Path(name).is_absolute() or config.root is None else config.root / name
    try:
        return decode(path.read_bytes())[0]
    except (OSError, UnicodeDecodeError):
        return ""


def errors_of(path: Path, checker: Checker) -> list[Diagnostic]:
    """Return the errors a freshly written doc already has (an owner that is no email, say), for a warning.

    Fields and sections the template leaves for the author to fill (`field-placeholder`,
    `section-placeholder`) are a new doc's expected state, not news.
    """
    text, bom = decode(path.read_bytes())
    doc = checker.parse(text, display(path), bom=bom, at=path)
    expected = ("field-placeholder", "section-placeholder")
    return [d for d in checker.lint(doc) if d.severity >= Severity.ERROR and d.rule not in expected]
