"""The validated configuration as a frozen value: `Config` and each rule's `RuleConfig`.

Reading and validating a config file is `designdoc.config.load`'s work; everything
downstream receives a `Config` and never re-checks it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designdoc.model import lifecycle as lifecycle_module
from designdoc.model import metadata as metadata_module
from designdoc.model.diagnostics import Severity
from designdoc.model.lifecycle import Lifecycle
from designdoc.model.metadata import MetadataSpec

STRICT_STATUSES = lifecycle_module.DESIGN_DOC.strict


@dataclass(frozen=True, slots=True)
class RuleConfig:
    """A rule's configured severity (None: its default) and options."""

    severity: Severity | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NamedVersion:
    """A template version the config names: the template as in `file` or at git revision `rev`."""

    name: str
    since: dt.date
    file: str | None = None
    rev: str | None = None


@dataclass(frozen=True)
class Config:
    """The validated configuration.  `source` is the file it came from, if any."""

    source: Path | None = None
    root: Path | None = None  # the folder holding the config, else the git work-tree root
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    template: str | None = None
    schema: str | None = None
    rules: dict[str, RuleConfig] = field(default_factory=dict)
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    optional_sections: tuple[str, ...] = ()
    optional_fields: tuple[str, ...] = ()
    allowed_fields: tuple[str, ...] = ()
    stale_days: int = 90
    strict_statuses: tuple[str, ...] = STRICT_STATUSES
    completeness_default: str = "warning"
    placeholder_patterns: tuple[str, ...] = ()
    max_file_size: int = 10 * 1024 * 1024
    time_budget: float = 10.0
    new_dir: str = "docs/design"
    new_numbering: bool = False
    commit_grace_days: int = 1
    preset: str | None = None  # the process the team follows: a shipped preset's name
    metadata: MetadataSpec = metadata_module.DESIGN_DOC  # where the docs keep their metadata
    lifecycle: Lifecycle = lifecycle_module.DESIGN_DOC  # the statuses and the moves between them
    template_git_history: bool = True  # versions of the template from its git history, when tracked
    template_versions: tuple[NamedVersion, ...] = ()  # versions named in the config
    template_renames: dict[str, str] = field(default_factory=dict)  # old heading → new heading
    template_version_field: str = "template_version"  # the field naming the version a doc follows

    def targets(self, given: Sequence[str] = ()) -> list[str]:
        """Return what a run checks: the paths given, else the configured `paths`, else the working directory.

        Configured paths are relative to the config file's folder wherever the command runs
        (`cd docs && designdoc check` checks the same docs); they are returned relative to the
        working directory, so that findings show the paths a user would type.
        """
        if given:
            return list(given)
        if not self.paths:
            return ["."]
        base = self.source.parent if self.source is not None else Path.cwd()
        return [os.path.relpath(base / path) for path in self.paths]

    def rule(self, slug: str) -> RuleConfig:
        """Return the configuration of one rule (defaults when not configured)."""
        return self.rules.get(slug, _DEFAULT_RULE)


_DEFAULT_RULE = RuleConfig()
