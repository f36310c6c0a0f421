"""The language server in a real editor: Debian's Neovim, headless and scripted.

The client is the README's Neovim snippet (tests/fixtures/lsp/neovim-init.lua, which works
from Neovim 0.7, Debian stable's); the script opens a doc, waits for the diagnostics, asks
for completion on its status line, applies the preferred quick fix of a finding and saves.
Skipped without /usr/bin/nvim; in CI (`CI=true`) a missing Neovim is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import EXAMPLES, FIXTURES

NVIM = Path("/usr/bin/nvim")
if not NVIM.exists():
    if os.environ.get("CI") == "true":
        pytest.fail(f"{NVIM} is missing: CI must install Debian's neovim (.ci/run)", pytrace=False)
    pytest.skip(f"{NVIM} is missing (apt-get install neovim)", allow_module_level=True)


def test_neovim_shows_completes_fixes_and_saves(tmp_path: Path) -> None:
    original = (EXAMPLES / "event-bus-migration.md").read_text("utf-8")
    doc = tmp_path / "doc.md"
    doc.write_text(original, "utf-8")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",  # `designdoc` of this venv
        "DESIGNDOC_TODAY": "2026-12-01",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),  # no user configuration
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    done = subprocess.run(
        [
            str(NVIM),
            "--headless",
            "-u",
            str(FIXTURES / "lsp" / "neovim-init.lua"),
            "doc.md",
            "-c",
            f"luafile {FIXTURES / 'lsp' / 'neovim-drive.lua'}",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    result = json.loads((tmp_path / "result.json").read_text("utf-8"))
    assert "footer-date-mismatch" in result["diagnostics"] and "section-missing" in result["diagnostics"], done.stderr
    assert set(result["completion"]) == {
        "draft", "review", "approved", "implemented", "deprecated", "superseded", "rejected", "withdrawn"
    }  # fmt: skip
    assert result["applied"] == "Set the footer date to 2026-11-27"
    saved = doc.read_text("utf-8")
    assert saved == original.replace("_Last updated: 2026-11-01_", "_Last updated: 2026-11-27_")  # nothing else moved
