"""The rule record, its decorator, and the context a rule runs in.

A rule is a generator function decorated with `@rule(slug, severity=...)`.
It reads the `Document` through `ctx` and yields diagnostics made with
`ctx.report(...)`; the linter stamps severities, applies suppressions and
sorts.  The docstring is the rule's documentation, with the headings
"What it does", "Why is this bad?", "Example" and "Fix safety".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from designdoc.model.diagnostics import Diagnostic, Fix, Severity
from designdoc.model.errors import ConfigError
from designdoc.model.settings import Config
from designdoc.parse.document import Document

COMPLETENESS = "completeness"  # warning while a doc is a draft, error from review on
O = TypeVar("O")


@dataclass(frozen=True)
class Rule:
    """A registered rule."""

    slug: str
    severity: Severity | str  # a Severity, or COMPLETENESS
    check: Callable[[Context[Any]], Iterator[Diagnostic]]
    doc: str
    fixable: bool
    options: type | None
    needs_fields: bool  # silenced when the front matter cannot be read

    @property
    def summary(self) -> str:
        """Return the first sentence of 'What it does'."""
        body = self.doc.split("## What it does", 1)[-1].strip()
        paragraph = body.split("\n\n", 1)[0].replace("\n", " ").strip()
        sentence = re.split(r"(?<!e\.g)(?<!i\.e)\.\s", paragraph, maxsplit=1)[0].rstrip(".:")
        return sentence if len(sentence) <= 100 else sentence[:99].rsplit(" ", 1)[0] + " …"

    @property
    def default_label(self) -> str:
        """Return the default severity as shown in the rule table."""
        return self.severity if isinstance(self.severity, str) else self.severity.label

    def default_options(self) -> Any:
        """Return the rule's options with their default values."""
        return self.options() if self.options else None

    def validate_options(self, values: dict[str, Any], where: str) -> dict[str, Any]:
        """Check configured options against the Options dataclass; ConfigError names the key."""
        known = {f.name: f for f in dataclasses.fields(self.options)} if self.options else {}
        defaults = self.default_options()
        for key, value in values.items():
            if key not in known:
                raise ConfigError(f"{where}: unknown option {key!r}"
                                  + (f" (expected one of: {', '.join(known)})" if known else " (this rule has none)"))
            expected = type(getattr(defaults, key))
            if expected is tuple:
                ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            else:
                ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
            if not ok:
                raise ConfigError(f"{where}.{key}: expected {expected.__name__}, got {value!r}")
        return {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}


@dataclass(frozen=True)
class Context(Generic[O]):
    """What a rule may read: the document, config, today, the run's other docs, options."""

    doc: Document
    config: Config
    today: dt.date
    project: Any  # project.Project: cross-document facts
    options: O
    slug: str

    @property
    def template(self):  # noqa: ANN201 - Template, re-exported for brevity in rules
        """Return the document's template."""
        return self.doc.template

    def report(self, message: str, *, line: int, column: int = 1, end_line: int | None = None,
               end_column: int | None = None, fix: Fix | None = None, subject: str = "",
               severity: Severity | None = None) -> Diagnostic:
        """Return a diagnostic of this rule; the span defaults to the rest of the line."""
        lines = self.doc.lines
        line = max(1, min(line, max(len(lines), 1)))
        if end_line is None:
            end_line = line
            if end_column is None:
                text = lines[line - 1] if line <= len(lines) else ""
                end_column = max(len(text.rstrip()) + 1, column + 1)
        return Diagnostic(self.doc.path, line, column, end_line, end_column or column + 1, self.slug,
                          severity or Severity.OFF, message, fix, subject)



_REGISTRY: dict[str, Rule] = {}


def rule(slug: str, *, severity: Severity | str, fixable: bool = False, options: type | None = None,
         needs_fields: bool = False) -> Callable[[Callable[..., Iterator[Diagnostic]]], Rule]:
    """Register a rule function under `slug`."""

    def register(function: Callable[..., Iterator[Diagnostic]]) -> Rule:
        doc = inspect.cleandoc(function.__doc__ or "")
        made = Rule(slug, severity, function, doc, fixable, options, needs_fields)
        if slug in _REGISTRY:
            raise ValueError(f"duplicate rule slug {slug!r}")
        _REGISTRY[slug] = made
        return made

    return register
