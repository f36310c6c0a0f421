"""Shared helpers for the site tests: copy a fixture tree out of git, build it, read pages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import FIXTURES

from designdoc.config import Config
from designdoc.runner import load_template
from designdoc.site.build import BuildResult, build

SITE_FIXTURES = FIXTURES / "site"


def copy_fixture(name: str, into: Path) -> Path:
    """Copy tests/fixtures/site/NAME to `into` (outside git, so no commit dates) and return its docs folder."""
    shutil.copytree(SITE_FIXTURES / name, into / name)
    return into / name / "docs"


def build_site(docs: Path, output: Path, **options: object) -> BuildResult:
    """Build the site of `docs` into `output` with the default config and template, from `docs`' parent."""
    config = Config(root=docs.parent)
    cwd = os.getcwd()
    os.chdir(docs.parent)
    try:
        return build([docs.name], output, config=config, template=load_template(config), **options)  # type: ignore[arg-type]
    finally:
        os.chdir(cwd)


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file under `folder` (relative path → bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
