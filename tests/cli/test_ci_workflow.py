"""The CI workflow `init` prints runs as written: its own commands, in a scratch repository, with designdoc
installed as a tool from this checkout (where the workflow pins the released package).

The install fetches designdoc's dependencies from the package index (or uv's cache): it runs
in CI (CI=true) or with DESIGNDOC_SLOW_TESTS=1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from designdoc import __version__
from designdoc.config.starter import ci_snippet

ROOT = Path(__file__).resolve().parents[2]

slow = pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("DESIGNDOC_SLOW_TESTS")),
    reason="installs designdoc as a uv tool (several seconds): runs in CI or with DESIGNDOC_SLOW_TESTS=1",
)


def _run_steps(workflow: str) -> list[str]:
    """Return the shell commands of the workflow's steps, in order."""
    steps = yaml.safe_load(workflow)["jobs"]["designdoc"]["steps"]
    return [step["run"] for step in steps if "run" in step]


def test_the_workflow_installs_a_pinned_designdoc_before_it_runs_it() -> None:
    commands = _run_steps(ci_snippet("docs/design"))
    assert commands[0] == f"uv tool install designdoc=={__version__}"
    assert all(c.startswith("designdoc ") for c in commands[1:]) and len(commands) == 3
    assert not any("uv run" in c for c in commands)  # the docs' repository does not depend on designdoc


@slow
def test_the_workflow_s_own_commands_run_in_a_scratch_repository(tmp_path: Path) -> None:
    if shutil.which("uv") is None:
        pytest.skip("uv is not installed")
    repo = tmp_path / "team"
    (repo / "docs" / "design").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "rate-limiter.md", repo / "docs" / "design" / "rate-limiter.md")
    bin_dir = tmp_path / "bin"
    env = {
        **os.environ,
        "UV_TOOL_DIR": str(tmp_path / "tools"),
        "UV_TOOL_BIN_DIR": str(bin_dir),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "DESIGNDOC_TODAY": "2026-12-01",
    }
    env.pop("VIRTUAL_ENV", None)
    for command in _run_steps(ci_snippet("docs/design")):
        command = command.replace(f"designdoc=={__version__}", str(ROOT))  # this checkout, not the index
        done = subprocess.run(command, shell=True, cwd=repo, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
    assert (repo / "designdoc.sarif").is_file()
    assert (bin_dir / "designdoc").exists()
