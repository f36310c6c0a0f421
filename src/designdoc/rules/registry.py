"""The rule record, its decorator, and the contexts a rule runs in.

A rule is a generator function decorated with `@rule(slug, severity=...)`,
which also declares, once, everything the engine needs to know about it:

- its phase: `document` (the default; it reads one `Document` through a
  `Context`), `project` (it reads the run's facts through a
  `facts.ProjectContext`, after every doc was checked) or `reading` (it turns a
  file that could not be read into its one diagnostic, through a
  `ReadingContext`);
- what it needs: `fields` (usable front matter; silenced otherwise) and `git`
  (commit history; left out where there is none, as in an editor);
- the section requirement it checks, if any (`require = ["diagram"]` in a
  template's section rules names it).

It yields diagnostics made with `ctx.report(...)`; the linter stamps
severities, applies suppressions and sorts.  The docstring is the rule's
documentation, with the headings "What it does", "Why is this bad?",
"Example" and "Fix safety".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from designdoc.model.diagnostics import Diagnostic, Fix, Severity
from designdoc.model.errors import ConfigError
from designdoc.model.settings import Config
from designdoc.parse.document import Document

COMPLETENESS = "completeness"  # warning while a doc is a draft, error from review on
PHASES = ("document", "project", "reading")
NEEDS = frozenset(("fields", "git"))
Options = TypeVar("Options")


@dataclass(frozen=True)
class Rule:
    """A registered rule."""

    slug: str
    severity: Severity | str  # a Severity, or COMPLETENESS
    check: Callable[[Context[Any]], Iterator[Diagnostic]]
    doc: str
    fixable: bool
    options: type | None
    phase: str = "document"  # one of PHASES
    needs: frozenset[str] = frozenset()  # of NEEDS
    requirement: str | None = None  # the section requirement it checks (`require = [...]`)

    @property
    def needs_fields(self) -> bool:
        """Return True when the rule is silenced by front matter that cannot be read."""
        return "fields" in self.needs

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
                raise ConfigError(
                    f"{where}: unknown option {key!r}"
                    + (f" (expected one of: {', '.join(known)})" if known else " (this rule has none)")
                )
            expected = type(getattr(defaults, key))
            if expected is tuple:
                ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            else:
                ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
            if not ok:
                raise ConfigError(f"{where}.{key}: expected {expected.__name__}, got {value!r}")
        return {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}


@dataclass(frozen=True)
class Context(Generic[Options]):
    """What a document rule may read: the document, config, today, its options."""

    doc: Document
    config: Config
    today: dt.date
    options: Options
    slug: str

    @property
    def template(self):
        """Return the document's template."""
        return self.doc.template

    @property
    def status(self) -> str | None:
        """Return the lifecycle status the doc states, read through its process (None: none known)."""
        return self.doc.status(self.config.lifecycle)

    def report(
        self,
        message: str,
        *,
        line: int,
        column: int = 1,
        end_line: int | None = None,
        end_column: int | None = None,
        fix: Fix | None = None,
        subject: str = "",
        severity: Severity | None = None,
    ) -> Diagnostic:
        """Return a diagnostic of this rule; the span defaults to the rest of the line."""
        lines = self.doc.lines
        line = max(1, min(line, max(len(lines), 1)))
        if end_line is None:
            end_line = line
            if end_column is None:
                text = lines[line - 1] if line <= len(lines) else ""
                end_column = max(len(text.rstrip()) + 1, column + 1)
        return Diagnostic(
            self.doc.path,
            line,
            column,
            end_line,
            end_column or column + 1,
            self.slug,
            severity or Severity.OFF,
            message,
            fix,
            subject,
        )


_REGISTRY: dict[str, Rule] = {}


@dataclass(frozen=True)
class ReadingContext:
    """What a reading rule may read: the file as shown, why it was not read, where, and its default severity."""

    path: str
    reason: str
    line: int
    column: int
    severity: Severity
    slug: str

    def report(self) -> Diagnostic:
        """Return this file's one diagnostic."""
        return Diagnostic(
            self.path, self.line, self.column, self.line, self.column + 1, self.slug, self.severity, self.reason
        )


def rule(
    slug: str,
    *,
    severity: Severity | str,
    fixable: bool = False,
    options: type | None = None,
    phase: str = "document",
    needs: Iterable[str] = (),
    requirement: str | None = None,
) -> Callable[[Callable[..., Iterator[Diagnostic]]], Rule]:
    """Register a rule function under `slug`, with its phase, needs and section requirement."""
    needed = frozenset(needs)
    if phase not in PHASES or not needed <= NEEDS:
        raise ValueError(f"rule {slug!r}: unknown phase {phase!r} or needs {sorted(needed - NEEDS)}")

    def register(function: Callable[..., Iterator[Diagnostic]]) -> Rule:
        doc = inspect.cleandoc(function.__doc__ or "")
        made = Rule(slug, severity, function, doc, fixable, options, phase, needed, requirement)
        if slug in _REGISTRY:
            raise ValueError(f"duplicate rule slug {slug!r}")
        _REGISTRY[slug] = made
        return made

    return register
