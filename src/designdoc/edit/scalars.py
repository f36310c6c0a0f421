"""The one writer of YAML values: any string as a scalar designdoc's own reader reads back unchanged.

Every value designdoc writes into front matter goes through `yaml_scalar`: the
front-matter edits, the `supersede-asymmetric` fix, a missing field's default and
the scaffold of `designdoc new`.  Guarantee: for any string without a lone
surrogate (no UTF-8 file holds one), the text returned, written as the value of a
top-level key, as a block list item or as an item of a flow list `[…]`, is read by
`parse.frontmatter` (through libyaml or PyYAML's pure-Python parser) as exactly
that string: never null, never a YAML error, never another string.

A value is written plain when that is safe in all three places and no YAML 1.1
reader takes it for something else: it starts with an ASCII letter or digit, `_`,
`.`, `/` or `(`; holds no `:`, `#`, `?`, flow indicator (`,[]{}`), tab, line break
(YAML's include NEL, U+2028 and U+2029) or character YAML refuses raw; does not
end in a blank; and is no null, boolean, number or `.inf`/`.nan`.  An ISO date
stays plain (`2025-06-01`), as the templates write dates.  Everything else is
double-quoted, with YAML escapes for `"`, `\\` and each character YAML would not
keep as written, so a quoted value is always one line.
"""

from __future__ import annotations

import re
import string

from designdoc.model.fields import looks_numeric

# YAML 1.1 reads these plain words as null or booleans (designdoc's reader: `null`, `~` as null)
_WORDS = re.compile(r"(?i)~|null|y|n|yes|no|true|false|on|off|[-+]?\.inf|\.nan")
# YAML 1.1 numbers `looks_numeric` leaves out: hex, binary and octal integers, a float ending in `.`
_NUMBERS = re.compile(r"[-+]?0(?:x[0-9a-fA-F_]+|b[01_]+|o[0-7_]+)|[-+]?\d[\d_]*\.")
_FIRST = frozenset(string.ascii_letters + string.digits + "_./(")
# what ends a plain scalar inside `[…]`: flow indicators, and `?`, which PyYAML's pure-Python scanner
# (the reader's fallback without libyaml) takes for a key marker there
_FLOW_ENDS = frozenset(",[]{}?")
_NOT_PLAIN = _FLOW_ENDS | {":", "#"}  # and key and comment markers
# printable to YAML but not kept raw: line breaks to YAML (they would fold the value), and a BOM
_REFUSED_RAW = frozenset("\u2028\u2029\ufeff")
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def yaml_scalar(value: str, style: str = "") -> str:
    """Return `value` as a YAML scalar that reads back as exactly `value`.

    `style` is the style of the value being replaced, kept where it can hold the
    value: `'` single-quoted, `"` double-quoted; anything else (plain, a block
    scalar, a collection, a new key) gets plain when safe, else double quotes.
    """
    if style == "'" and all(_raw_ok(c) for c in value):
        return "'" + value.replace("'", "''") + "'"
    if style != '"' and plain_is_safe(value):
        return value
    return '"' + "".join(_ESCAPES.get(c) or (c if _raw_ok(c) else _hex(c)) for c in value) + '"'


def flow_item(raw: str, style: str, value: str) -> str:
    """Return a scalar already in a file (its `raw` text, `style` and `value`) as an item of a flow
    list `[…]`: as written when it reads the same there (one line, quoted, or plain without a flow
    indicator), else written anew by `yaml_scalar`."""
    one_line = "\n" not in raw and "\r" not in raw
    if one_line and (style in ("'", '"') or (style == "" and not _FLOW_ENDS & set(raw))):
        return raw
    return yaml_scalar(value)


def plain_is_safe(value: str) -> bool:
    """Return True when `value` reads back as itself written plain, in block and in flow context."""
    if not value or value[0] not in _FIRST or value[-1] == " ":
        return False
    if _WORDS.fullmatch(value) or _NUMBERS.fullmatch(value) or looks_numeric(value):
        return False
    return all(c == " " or (c not in _NOT_PLAIN and _raw_ok(c)) for c in value)


def _raw_ok(c: str) -> bool:
    """Return True for a character a scalar may hold as written: printable to YAML, and no line break or BOM."""
    if " " <= c <= "~":
        return True
    return ("\xa0" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c >= "\U00010000") and c not in _REFUSED_RAW


def _hex(c: str) -> str:
    """Return YAML's escape of a character by its code point."""
    code = ord(c)
    if code < 0x100:
        return f"\\x{code:02X}"
    return f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"
