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

# The patterns of field values, each written once: the rules match them whole (`fullmatch`), and the
# JSON Schema export (output/jsonschema.py) anchors their `.pattern`, so both must stay within the
# syntax Python and ECMA 262 share (no named groups, no lookbehind, no inline flags).
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# a date where a template holds one: a real one, or the placeholder its footer and fields show
DATE_OR_PLACEHOLDER = re.compile(ISO_DATE.pattern + r"|YYYY-MM-DD")
EMAIL = re.compile(r"[^@\s<>,]+@[^@\s<>,]+\.[^@\s<>,.]+")
NAMED_EMAIL = re.compile(r"[^<>@]*<(" + EMAIL.pattern + r")>")
# semver.org's regular expression as semver.Version.parse applies it (ASCII digits), without named groups
SEMVER = re.compile(
    r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
# the template's placeholder owners, `TODO@…` and `…@example.com` in any case, `<>` and spaces around
PLACEHOLDER_EMAIL = re.compile(
    r"[<> ]*[Tt][Oo][Dd][Oo]@[\s\S]*|[\s\S]*[@.][Ee][Xx][Aa][Mm][Pp][Ll][Ee]\.[Cc][Oo][Mm][<> ]*"
)
# a title that still starts with the word TODO (matched at the start: `TODO — Replace with Design Title`)
PLACEHOLDER_TITLE = re.compile(r"TODO(?![^\W_])")
_NUMBER = re.compile(r"[-+]?(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][-+]?\d+)?")


def parse_date(text: str | None) -> dt.date | None:
    """Return the date an ISO `YYYY-MM-DD` string names, or None when it is not a real one."""
    if text is None or not ISO_DATE.fullmatch(text.strip()):
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


_DATE_TIME = re.compile(ISO_DATE.pattern + r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")


def read_date(text: str | None) -> dt.date | None:
    """Return the date a team's date field names: `YYYY-MM-DD`, or an ISO date and time
    (`2020-01-01T00:00:00.000Z`).  Anything else (`2020/05/18`, `13-Jun-2000`) is None: never a guess."""
    if text is None or not _DATE_TIME.fullmatch(text.strip()):
        return None
    return parse_date(text.strip()[:10])


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
    return bool(EMAIL.fullmatch(text) or NAMED_EMAIL.fullmatch(text))


def is_placeholder_email(text: str) -> bool:
    """Return True for the template's placeholder owners: `TODO@…` and `…@example.com`."""
    return PLACEHOLDER_EMAIL.fullmatch(text) is not None


def is_placeholder_title(text: str) -> bool:
    """Return True for a title that starts with the word `TODO` (`TODOs` is a word of its own)."""
    return PLACEHOLDER_TITLE.match(text) is not None
