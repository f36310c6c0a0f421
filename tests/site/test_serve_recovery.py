"""`designdoc serve` when the first build fails: it serves the error, keeps running, and recovers on a fix.

Each test starts a real server (a subprocess, loopback only, any free port), breaks the
config or the template before it starts, checks the error page, fixes the problem on disk
and waits (bounded) for the page to turn into the catalog.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from designdoc.config.load import builtin_path
from designdoc.site.serve import _OutsideOutput
from serve_helpers import Served, basic_project

RECOVERY_SECONDS = 20  # a fix on disk is a rebuild within this time (watch debounce + an incremental build)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A project with a good config (the tests break it) and the basic site fixture's docs."""
    return basic_project(tmp_path)


def fetch(url: str) -> tuple[int, str]:
    """Return the status and the text of a GET, an error status included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def serving_the_error(served: Served, *names: str) -> None:
    """Assert that `/` is the error page, naming each of `names`, and that the server is still up."""
    status, page = fetch(served.url + "/")
    assert status == 503 and "The site could not be built" in page, page
    for name in names:
        assert name in page, page
    assert served.process.poll() is None


def wait_for_catalog(served: Served) -> str:
    """Return `/` once it is the catalog; AssertionError after RECOVERY_SECONDS."""
    deadline = time.monotonic() + RECOVERY_SECONDS
    status, page = 0, ""
    while time.monotonic() < deadline:
        status, page = fetch(served.url + "/")
        if status == 200:
            assert "Rate limiter" in page and "The site could not be built" not in page
            return page
        time.sleep(0.2)
    raise AssertionError(f"still {status} after {RECOVERY_SECONDS} s: {page}\n{''.join(served.output)}")


def stopped_cleanly(served: Served) -> None:
    code = served.stop()
    assert code == 0, "".join(served.output)
    assert "Traceback" not in "".join(served.output)


def test_a_broken_config_is_served_as_the_error_until_it_is_fixed(project: Path) -> None:
    (project / "designdoc.toml").write_text("paths = [\n")
    served = Served([], cwd=project)
    try:
        assert re.search(r"build failed: .*designdoc\.toml", "".join(served.output))
        serving_the_error(served, "designdoc.toml", "invalid TOML")
        (project / "designdoc.toml").write_text('paths = ["docs"]\n')
        wait_for_catalog(served)
    finally:
        stopped_cleanly(served)


def test_a_broken_config_outside_the_served_folder_is_watched(project: Path) -> None:
    """`serve docs`: the config is not under the folder served, and a broken one cannot say where it is."""
    (project / "designdoc.toml").write_text('paths = ["docs"]\nunknown_key = 1\n')
    served = Served(["docs"], cwd=project)
    try:
        serving_the_error(served, "unknown_key")
        (project / "designdoc.toml").write_text('paths = ["docs"]\n')
        wait_for_catalog(served)
    finally:
        stopped_cleanly(served)


def test_a_broken_config_in_a_folder_above_is_watched(project: Path) -> None:
    (project / "designdoc.toml").write_text("paths = [\n")
    served = Served([], cwd=project / "docs")
    try:
        serving_the_error(served, "designdoc.toml")
        (project / "designdoc.toml").write_text('paths = ["."]\n')
        wait_for_catalog(served)
    finally:
        stopped_cleanly(served)


def test_a_missing_template_of_the_config_is_served_as_the_error_until_it_is_written(project: Path) -> None:
    (project / "designdoc.toml").write_text('paths = ["docs"]\ntemplate = "templates/ours.md"\n')
    served = Served(["docs"], cwd=project)
    try:
        serving_the_error(served, "templates/ours.md", "template file not found")
        (project / "templates").mkdir()
        (project / "templates" / "ours.md").write_text(builtin_path().read_text("utf-8"), "utf-8")
        wait_for_catalog(served)
    finally:
        stopped_cleanly(served)


def test_a_missing_template_option_is_served_as_the_error_until_it_is_written(project: Path) -> None:
    served = Served(["--template", "ours.md", "docs"], cwd=project)
    try:
        serving_the_error(served, "ours.md")
        (project / "ours.md").write_text(builtin_path().read_text("utf-8"), "utf-8")
        wait_for_catalog(served)
    finally:
        stopped_cleanly(served)


@pytest.mark.parametrize("host", ["192.0.2.1", "bad..host"], ids=["not-this-machine", "not-a-name"])
def test_a_host_it_cannot_serve_on_is_one_clear_line(project: Path, host: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "designdoc", "serve", "--port", "0", "--host", host],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert re.fullmatch(rf"designdoc: [^\n]*{re.escape(host)}[^\n]*\n", done.stderr), done.stderr
    assert "internal error" not in done.stderr


def test_the_check_cache_is_not_a_change_to_rebuild_on(tmp_path: Path) -> None:
    """Every build writes the cache; in a watched folder that would start one more build."""
    wanted = _OutsideOutput(lambda change, path: True, str(tmp_path / "out"), str(tmp_path / "own-cache"))
    assert wanted(None, str(tmp_path / "docs" / "a.md"))
    assert not wanted(None, str(tmp_path / ".designdoc-cache" / "check-1.pickle"))
    assert not wanted(None, str(tmp_path / "own-cache" / "check-1.pickle"))
    assert not wanted(None, str(tmp_path / "out" / "index.html"))
