"""The design-doc schema: what a value of each built-in field must look like.

It applies to the built-in template, and to a team's template when its config
says `schema = "design_doc"`; other templates get only the shape checks their
own front matter implies (list, mapping, single value, date).
"""

from __future__ import annotations

import datetime as dt
import re

import semver

DESIGN_DOC = "design_doc"
EMAIL_FIELDS = ("owners", "reviewers", "approvers")
REFERENCE_FIELDS = ("supersedes", "superseded_by")
OPTIONAL_FIELDS = ("reviewers", "approvers", "supersedes", "superseded_by")
LIST_FIELDS = ("owners", "tags", *OPTIONAL_FIELDS)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"[-+]?(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][-+]?\d+)?")
_EMAIL = re.compile(r"[^@\s<>,]+@[^@\s<>,]+\.[^@\s<>,.]+")
_NAMED_EMAIL = re.compile(r"[^<>@]*<([^@\s<>,]+@[^@\s<>,]+\.[^@\s<>,.]+)>")


def parse_date(text: str | None) -> dt.date | None:
    """Return the date an ISO `YYYY-MM-DD` string names, or None when it is not a real one."""
    if text is None or not _ISO_DATE.fullmatch(text.strip()):
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def parse_version(text: str | None) -> semver.Version | None:
    """Return the semantic version `text` names, or None."""
    if text is None:
        return None
    try:
        return semver.Version.parse(text.strip())
    except (ValueError, TypeError):
        return None


def looks_numeric(text: str) -> bool:
    """Return True when plain YAML would read `text` as a number (`0.1`, `1.10`, `2`)."""
    return bool(_NUMBER.fullmatch(text))


def is_email(text: str) -> bool:
    """Return True for `name@domain.tld` or `Name <name@domain.tld>`."""
    return bool(_EMAIL.fullmatch(text) or _NAMED_EMAIL.fullmatch(text))


def is_placeholder_email(text: str) -> bool:
    """Return True for the template's placeholder owners: `TODO@…` and `…@example.com`."""
    lower = text.lower().strip("<> ")
    return lower.startswith("todo@") or lower.endswith("@example.com") or lower.endswith(".example.com")
