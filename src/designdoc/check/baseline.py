"""Baselines: accept the findings a tree has today, report only new ones.

A baseline is a JSON file of counts keyed by path, rule and the text involved
(`Diagnostic.subject`: a section name, field name, marker…; the message when a
rule gives none, with line numbers taken out), never by line, so editing a doc
above a finding (or moving a section) does not bring the finding back:

    {
      "version": 1,
      "findings": {
        "docs/design/rate-limiter.md": {
          "section-placeholder": {"Data Model": 1},
          "todo-marker": {"TODO": 2}
        }
      }
    }

Paths are relative to the folder holding the baseline file, so a run from any
folder reads it the same.  Keys are sorted and the file ends with a newline, so
it diffs cleanly.  A finding in the baseline stays silent up to its count; one
more of the same key is reported.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from designdoc.model.diagnostics import Diagnostic
from designdoc.model.errors import UsageError

VERSION = 1
_LINE_NUMBER = re.compile(r"\b(lines?) \d+(?:, column \d+)?")

Key = tuple[str, str, str]  # path, rule, text


@dataclass(frozen=True)
class Baseline:
    """Accepted findings: how many of each (path, rule, text) stay silent."""

    counts: Mapping[Key, int] = field(default_factory=lambda: MappingProxyType({}))
    root: Path | None = None  # the folder paths are relative to (the baseline file's); None: as reported

    def __len__(self) -> int:
        return sum(self.counts.values())


def key(diagnostic: Diagnostic, root: Path | None = None) -> Key:
    """Return the baseline key of a diagnostic: path (relative to `root`), rule and the text
    involved (never the line)."""
    text = diagnostic.subject or _LINE_NUMBER.sub(r"\1 N", diagnostic.message)
    return _relative(diagnostic.path, root), diagnostic.rule, text


def _relative(path: str, root: Path | None) -> str:
    if root is None:
        return path
    return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(root))).as_posix()


def from_diagnostics(diagnostics: Iterable[Diagnostic], root: Path | None = None) -> Baseline:
    """Return the baseline that accepts exactly these diagnostics."""
    return Baseline(MappingProxyType(dict(Counter(key(d, root) for d in diagnostics))), root)


def dumps(diagnostics: Iterable[Diagnostic], root: Path | None = None) -> str:
    """Return the baseline file text for these diagnostics (sorted JSON), paths relative to `root`."""
    tree: dict[str, dict[str, dict[str, int]]] = {}
    for (path, rule, text), count in from_diagnostics(diagnostics, root).counts.items():
        tree.setdefault(path, {}).setdefault(rule, {})[text] = count
    document = {"version": VERSION, "findings": tree}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(path: Path, diagnostics: Iterable[Diagnostic]) -> None:
    """Write the baseline of these diagnostics to `path` (atomically; WriteError on failure)."""
    from designdoc.files import writer

    data = dumps(diagnostics, Path(path).parent).encode("utf-8")
    if Path(path).exists():
        writer.write_atomic(writer.snapshot(Path(path)), data)
    else:
        writer.write_new(Path(path), data)


def loads(text: str, where: str = "baseline", root: Path | None = None) -> Baseline:
    """Parse baseline text (paths relative to `root`); UsageError (exit 2) says what is wrong, in one line."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise UsageError(f"{where}: not a designdoc baseline (invalid JSON: {error})") from None
    if (
        not isinstance(document, dict)
        or document.get("version") != VERSION
        or not isinstance(document.get("findings"), dict)
    ):
        raise UsageError(
            f'{where}: not a designdoc baseline (expected {{"version": {VERSION}, '
            '"findings": {path: {rule: {text: count}}}})'
        )
    counts: dict[Key, int] = {}
    for path, rules in document["findings"].items():
        for rule, texts in _table(rules, where, path).items():
            for text, count in _table(texts, where, f"{path}: {rule}").items():
                if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                    raise UsageError(f"{where}: {path}: {rule}: {text!r}: expected a count of 1 or more, got {count!r}")
                counts[(path, rule, text)] = count
    return Baseline(MappingProxyType(counts), root)


def _table(value: object, where: str, what: str) -> dict:
    if not isinstance(value, dict):
        raise UsageError(f"{where}: {what}: expected an object, got {json.dumps(value)[:40]}")
    return value


def load(path: Path) -> Baseline:
    """Read a baseline file; UsageError (exit 2) when it is missing, unreadable or malformed."""
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: baseline not found (write one with --update-baseline {path})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read the baseline ({getattr(error, 'strerror', None) or error})") from None
    return loads(text, str(path), Path(path).parent)


def filter(diagnostics: Iterable[Diagnostic], baseline: Baseline) -> list[Diagnostic]:
    """Return the diagnostics the baseline does not accept, in their order.

    Each key stays silent up to its count, in diagnostic order (so, within a file, the
    first ones are the accepted ones).
    """
    left = Counter(baseline.counts)
    kept = []
    for diagnostic in diagnostics:
        k = key(diagnostic, baseline.root)
        if left[k] > 0:
            left[k] -= 1
        else:
            kept.append(diagnostic)
    return kept
