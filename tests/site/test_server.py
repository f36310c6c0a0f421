"""designdoc serve: request paths, traversal, live rebuilds, a failed rebuild, port in use, Ctrl-C."""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from designdoc.site.serve import content_type, is_loopback, resolve_request
from serve_helpers import Served, basic_project


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "sub").mkdir(parents=True)
    (root / "index.html").write_text("home")
    (root / "sub" / "index.html").write_text("sub home")
    (root / "sub" / "page.html").write_text("page")
    (root / ".designdoc-site.json").write_text("{}")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "escape.html").symlink_to(tmp_path / "secret.txt")
    (root / "outside").symlink_to(tmp_path)
    (root / "inside.html").symlink_to(root / "sub" / "page.html")
    return root


def test_request_paths_map_to_site_files(site: Path) -> None:
    assert resolve_request(site, "/") == site / "index.html"
    assert resolve_request(site, "/sub/") == site / "sub" / "index.html"
    assert resolve_request(site, "/sub/page.html?x=1#y") == site / "sub" / "page.html"
    assert resolve_request(site, "/%73ub/page.html") == site / "sub" / "page.html"
    assert resolve_request(site, "/inside.html") == site / "sub" / "page.html"


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/sub/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "/..%2Fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/%252e%252e/secret.txt",
        "/%252e%252e%252fsecret.txt",
        "/..\\secret.txt",
        "/..%5csecret.txt",
        "/escape.html",
        "/outside/secret.txt",
        "/.designdoc-site.json",
        "/sub/./page.html",
        "/%00",
        "/index.html%00.png",
        "/%zz",
        "/%ff",
        "/nothing.html",
        "//etc/passwd",
        "/outside/site/../secret.txt",
    ],
)
def test_traversal_and_escaping_symlinks_are_refused(site: Path, path: str) -> None:
    assert resolve_request(site, path) is None


def test_content_types() -> None:
    assert content_type(Path("a.html")) == "text/html; charset=utf-8"
    assert content_type(Path("wasm.en.pagefind")) == "application/octet-stream"
    assert content_type(Path("x.wasm")) == "application/wasm"


def test_loopback_names() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1")


# --------------------------------------------------------------------------- a live server


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return basic_project(tmp_path)


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def _events(url: str, count: int, timeout: float = 30) -> list[dict]:
    """Read `count` state events from the event stream."""
    found = []
    with urllib.request.urlopen(url + "/_designdoc-live/events", timeout=timeout) as stream:
        for line in stream:
            if line.startswith(b"data: "):
                found.append(json.loads(line[6:]))
                if len(found) == count:
                    return found
    return found


def test_serve_rebuilds_reports_a_failed_build_and_stops_cleanly(project: Path) -> None:
    served = Served([], cwd=project)
    try:
        status, page = _get(served.url + "/rate-limiter.html")
        assert status == 200 and "/_designdoc-live/live.js" in page and 'data-generation="1"' in page
        for target in (
            "/../../../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/..%2f..%2fetc/passwd",
            "/%252e%252e/%252e%252e/etc/passwd",
            "/.designdoc-site.json",
        ):
            assert served.raw_get(target) == 404, target
        # a good edit: a rebuild, then pages are told to reload
        doc = project / "docs" / "area" / "draft-idea.md"
        doc.write_text(doc.read_text().replace("An idea being written.", "An idea, rewritten live."))
        served.wait_for(r"Rebuilt \(build 2\)")
        assert "rewritten live" in _get(served.url + "/area/draft-idea.html")[1]
        assert _events(served.url, 1)[0] == {"generation": 2, "error": None}
        # a broken config: the build fails, the last good site stays, the error is sent
        (project / "designdoc.toml").write_text("paths = [\n")
        served.wait_for(r"rebuild failed")
        state = _events(served.url, 1)[0]
        assert state["generation"] == 2 and "designdoc.toml" in state["error"]
        assert "rewritten live" in _get(served.url + "/area/draft-idea.html")[1]
        (project / "designdoc.toml").write_text('paths = ["docs"]\n')
        served.wait_for(r"Rebuilt \(build 3\)")
    finally:
        code = served.stop()
    assert code == 0
    assert "Traceback" not in "".join(served.output)
    served.wait_for("stopped", timeout=5)


def test_a_first_build_that_fails_serves_its_error_until_a_build_succeeds(project: Path) -> None:
    (project / "designdoc.toml").write_text("paths = [\n")
    served = Served([], cwd=project)
    try:
        assert re.search(r"build failed: .*designdoc\.toml", served.output[0])  # said before the URL
        with pytest.raises(urllib.error.HTTPError) as failed:
            _get(served.url + "/index.html")
        page = failed.value.read().decode()
        assert failed.value.code == 503 and "designdoc.toml" in page and 'data-generation="0"' in page
        assert _events(served.url, 1)[0]["generation"] == 0
        (project / "designdoc.toml").write_text('paths = ["docs"]\n')
        served.wait_for(r"Rebuilt \(build 1\)")
        status, page = _get(served.url + "/rate-limiter.html")
        assert status == 200 and "Rate limiter" in page
    finally:
        code = served.stop()
    assert code == 0
    assert "Traceback" not in "".join(served.output)


def _indexed_text(site: Path) -> str:
    """Return the text of every page in the site's search index (pagefind's gzipped fragments)."""
    import gzip

    return "".join(
        gzip.decompress(f.read_bytes()).decode("utf-8", "replace")
        for f in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment"))
    )


def _wait_until(condition: object, timeout: float = 60) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_rebuild_reloads_before_its_search_index_is_done(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from designdoc.site.serve import LiveSite

    monkeypatch.chdir(project)
    live = LiveSite(None, project / "out" / "site")
    assert live.rebuild() is None and live._indexing is None  # the first build waits for its index
    assert "zanzibarquartz" in _indexed_text(live.output)
    doc = project / "docs" / "area" / "draft-idea.md"
    doc.write_text(doc.read_text().replace("An idea being written.", "An idea about quokkas."))
    assert live.rebuild() is None
    pending = live._indexing
    assert pending is not None  # the pages are written; the index is made in a thread
    _wait_until(lambda: pending.indexed)
    assert "quokkas" in _indexed_text(live.output)
    live.drop_index()


def test_an_index_dropped_before_it_was_done_is_made_by_the_next_build(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from designdoc.site import serve as server

    monkeypatch.chdir(project)
    live = server.LiveSite(None, project / "out" / "site")
    assert live.rebuild() is None
    monkeypatch.setattr(server, "_finish_index", lambda pending: None)  # the index never gets finished
    doc = project / "docs" / "area" / "draft-idea.md"
    doc.write_text(doc.read_text().replace("An idea being written.", "An idea about quokkas."))
    assert live.rebuild() is None and live._indexing is not None
    monkeypatch.undo()
    monkeypatch.chdir(project)
    assert live.rebuild() is None  # nothing changed, but the last index was dropped unfinished
    pending = live._indexing
    assert pending is not None
    _wait_until(lambda: pending.indexed)
    assert "quokkas" in _indexed_text(live.output)
    live.drop_index()


def test_port_in_use_is_one_clear_error(project: Path) -> None:
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "designdoc", "serve", "--port", str(port)],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert re.fullmatch(
        rf"designdoc: port {port} on 127.0.0.1 is already in use \(choose another with --port\)\n", done.stderr
    )


def test_non_loopback_host_warns(project: Path) -> None:
    served = Served(["--host", "0.0.0.0"], cwd=project)
    try:
        assert any("anyone who can reach this machine" in line for line in served.output)
    finally:
        assert served.stop() == 0


def test_the_first_build_shows_its_progress_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from designdoc.cli import progress
    from designdoc.site import serve as server
    from site_helpers import SITE_FIXTURES

    for copy in range(40):  # 240 files: past the threshold
        shutil.copytree(SITE_FIXTURES / "basic" / "docs", tmp_path / "docs" / f"team{copy:02d}")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(progress, "on_terminal", lambda: True)
    live = server.LiveSite(["docs"], tmp_path / "out" / "site")
    assert server._first_build(live, progress.build_progress) is None
    err = capsys.readouterr().err
    assert "checked and rendered 240/240 files" in err and err.endswith("\r")  # the line is cleared
    monkeypatch.setattr(progress, "on_terminal", lambda: False)
    assert server._first_build(live, progress.build_progress) is None and capsys.readouterr().err == ""
    live.drop_index()
