"""What `--fix` and SARIF take from each checked doc: its text hash, and the texts read again.

The run keeps no Document (it runs in the pool, from the cache); a doc with something
to fix is read again later, and used only if its text is the one that was checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from designdoc.model.diagnostics import Diagnostic
from designdoc.model.text import decode, text_hash
from designdoc.parse.document import Document


class TextHashes:
    """The check's extract for `--fix` and SARIF: each doc's text hash, kept in the check cache.

    The run keeps no Document (it runs in the pool, from the cache); a doc with something
    to fix is read again, and used only if its text is the one that was checked.
    """

    cache_tag = "text-hash-1"

    def __call__(self, doc: Document) -> tuple[str, str]:
        return doc.path, text_hash(doc.text)

    def for_cache(self, value: tuple[str, str]) -> tuple[str, str]:
        return value

    def from_cache(self, stored: tuple[str, str]) -> tuple[str, str]:
        return stored


def texts_as_checked(diagnostics: Sequence[Diagnostic], hashes: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Return the texts the diagnostics' fixes edit, read again: only those still as checked (`TextHashes`)."""
    checked = dict(hashes)
    wanted = {getattr(d.fix, "path", "") or d.path for d in diagnostics if d.fix is not None}
    texts = {}
    for path in sorted(wanted & checked.keys()):
        try:
            text, _ = decode(Path(path).read_bytes())
        except (OSError, UnicodeDecodeError):
            continue
        if text_hash(text) == checked[path]:
            texts[path] = text
    return texts
