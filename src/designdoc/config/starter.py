"""What `designdoc init` writes and prints: a commented config, pre-commit and CI snippets.

The config text is generated from the `Config` defaults, so a key added to
`Config` shows up here with its default; its comment comes from `COMMENTS`.
"""

from __future__ import annotations

import dataclasses
import json
from importlib import resources

from designdoc import __version__
from designdoc.model.settings import Config

CONFIG_NAME = "designdoc.toml"

COMMENTS: dict[str, str] = {
    "paths": "What `check`, `list` and `build` look at when given no paths (empty: the working directory).",
    "exclude": 'Glob patterns of files a folder walk skips, e.g. "docs/design/archive/*".',
    "template": "The template docs are written from (default: the built-in design-doc template).",
    "schema": '"design_doc" applies the design-doc value rules (status, semver, emails) to a team\'s template.',
    "optional_sections": "Template sections a doc may leave out.",
    "optional_fields": "Template front-matter keys a doc may leave out.",
    "allowed_fields": "Extra front-matter keys that are not reported as unknown.",
    "statuses": "The status vocabulary (empty: the built-in lifecycle, draft … withdrawn).",
    "stale_days": "A doc whose last_updated is older than this many days is stale.",
    "strict_statuses": "Statuses in which the completeness rules are errors.",
    "completeness_default": "The completeness rules' severity in the other statuses: warning, error or info.",
    "placeholder_patterns": "Regular expressions of placeholder text that todo-marker reports.",
    "max_file_size": "Files over this many bytes are not read (file-skipped).",
    "time_budget": "Seconds one file may take before it is skipped (file-skipped).",
    "new_dir": "Where `designdoc new` writes docs.",
    "new_numbering": "Prefix new docs with the next free four-digit number (0007-rate-limiter.md).",
    "commit_grace_days": "last-updated-behind-commit allows the last commit to be this many days newer.",
    "preset": "The team's process: where metadata lives, and the lifecycle (`designdoc init --preset NAME`).",
    "template_git_history": "Check each doc against the template as it was when the doc was written (git history).",
    "template_version_field": "The field naming the template version a doc follows (`new` and `migrate` write it).",
}
_EXAMPLES = {"template": '"docs/templates/design.md"', "schema": '"design_doc"', "preset": '"kep"'}
_TABLES = ("rules", "sections", "metadata", "lifecycle", "template_versions", "template_renames")
_HIDDEN = ("source", "root")

_TAIL = """
# Per-rule severity (off, info, warning, error) and options; `designdoc rules` lists them.
# [rules.stale]
# severity = "off"
# [rules.purpose-too-long]
# max_sentences = 4

# Per-section content rules of the template.
# [sections."Testing and Verification"]
# require = ["acceptance-criteria", "code"]

# Where the docs keep their metadata, and their lifecycle (default: the design-doc process);
# `designdoc init --preset NAME` writes a preset's tables here in full.
# [metadata]
# sources = ["frontmatter"]
# [lifecycle]
# statuses = [{ name = "draft", label = "Draft", colour = "#6e7781" }, …]

# Versions of the template: read from its git history when it is tracked (template_git_history);
# name versions here too (a file, or the template at a git revision, in force from `since`).
# [[template_versions]]
# name = "v1"
# since = 2021-03-01
# rev = "v1.0"
# Headings the template renamed, where designdoc cannot tell (old = new).
# [template_renames]
# "Drawbacks [optional]" = "Drawbacks"
"""


def toml_value(value: object) -> str:
    """Return a Python default as a TOML value (strings, numbers, booleans, arrays of those)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    # a JSON string is a valid TOML basic string (same escapes)
    return json.dumps(str(value), ensure_ascii=False)


def config_text(*, template: str | None = None, preset: str | None = None, paths: tuple[str, ...] = ()) -> str:
    """Return a designdoc.toml with every setting at its default, each with a comment.

    `paths` is set to the docs folder `new_dir` (the folder `init` creates), and
    `template` to the given team template, if any.  With a `preset`, the file names it and
    holds its `[metadata]` and `[lifecycle]` tables in full, to edit.
    """
    defaults = Config()
    lines = ["# designdoc configuration: every setting at its default (see the README).", ""]
    for spec in dataclasses.fields(Config):
        if spec.name in _HIDDEN or spec.name in _TABLES:
            continue
        value = getattr(defaults, spec.name)
        if spec.name == "paths":
            value = paths or (defaults.new_dir,)
        elif spec.name == "template" and template is not None:
            value = template
        elif spec.name == "preset" and preset is not None:
            value = preset
        lines.append(f"# {COMMENTS.get(spec.name, 'See the README.')}")
        if value is None:
            lines.append(f"# {spec.name} = {_EXAMPLES.get(spec.name, '...')}")
        else:
            lines.append(f"{spec.name} = {toml_value(value)}")
        lines.append("")
    text = "\n".join(lines).rstrip("\n") + "\n" + _TAIL
    if preset is not None:
        text += "\n" + process_tables(preset)
    return text


def process_tables(name: str) -> str:
    """Return a preset's `[metadata]` and `[lifecycle]` tables, as its file writes them."""
    shipped = (resources.files("designdoc.config") / "presets" / f"{name}.toml").read_text("utf-8")
    start = shipped.index("[metadata]")
    return f"# The {name} process; every key can be changed here.\n" + shipped[start:]


def precommit_snippet(docs: str) -> str:
    """Return a .pre-commit-config.yaml entry running designdoc on changed docs."""
    return f"""\
# .pre-commit-config.yaml (designdoc installed in the environment; or use the
# designdoc repository's hooks: designdoc-check, designdoc-fix, designdoc-index)
repos:
  - repo: local
    hooks:
      - id: designdoc-check
        name: designdoc check
        entry: designdoc check --only-docs
        language: system
        types: [markdown]
        files: ^{docs}/
"""


def ci_snippet(docs: str) -> str:
    """Return a GitHub Actions workflow checking the docs on pull requests."""
    return f"""\
# .github/workflows/design-docs.yml
name: design docs
on:
  pull_request:
permissions:
  contents: read
  security-events: write
jobs:
  designdoc:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0   # full history: last-updated-behind-commit reads commit dates
      - uses: astral-sh/setup-uv@v6
      # a pinned install of its own: this repository need not depend on designdoc
      - run: uv tool install designdoc=={__version__}
      - run: designdoc check {docs}/ --format github
      - if: always()
        run: designdoc check {docs}/ --format sarif -o designdoc.sarif || true
      - if: always()
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: designdoc.sarif
          category: designdoc
"""
