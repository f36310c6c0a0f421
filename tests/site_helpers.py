"""Shared helpers for the site tests: copy a fixture tree out of git, build it, read pages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from designdoc.config.load import load_template
from designdoc.model.settings import Config
from designdoc.site.build import BuildResult, build
from helpers import FIXTURES, TODAY

SITE_FIXTURES = FIXTURES / "site"


# Debian's chromium, as the browser tests drive it (no browser download exists here)
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def copy_fixture(name: str, into: Path) -> Path:
    """Copy tests/fixtures/site/NAME to `into` (outside git, so no commit dates) and return its docs folder."""
    shutil.copytree(SITE_FIXTURES / name, into / name)
    return into / name / "docs"


def build_site(docs: Path, output: Path, **options: object) -> BuildResult:
    """Build the site of `docs` into `output` with the default config and template, from `docs`' parent.

    "Today" is the tests' fixed date, passed in: module-scoped fixtures run outside the
    per-test environment.
    """
    config = Config(root=docs.parent)
    cwd = os.getcwd()
    os.chdir(docs.parent)
    try:
        return build(
            [docs.name],
            output,
            config=config,
            template=load_template(config),
            **{"today": TODAY, **options},
        )
    finally:
        os.chdir(cwd)


def built_fixture(name: str, base: Path, **options: object) -> tuple[Path, Path]:
    """Copy the site fixture NAME under `base` and build it; return (docs folder, site folder)."""
    docs = copy_fixture(name, base)
    build_site(docs, base / f"{name}-site", **options)
    return docs, base / f"{name}-site"


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file under `folder` (relative path → bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def playwright_or_skip():
    """Return Playwright's sync API for a browser test module; skip it without chromium (fail in CI)."""
    import pytest

    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium (.ci/run)", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")
