"""The check cache and the process pool change nothing but speed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from designdoc.check import cache
from designdoc.cli.main import main
from designdoc.config import load as config_module
from helpers import EXAMPLES, report


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project (its own config) holding the example docs, many times over."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DESIGNDOC_TODAY", "2026-11-28")
    monkeypatch.delenv("DESIGNDOC_CACHE_DIR", raising=False)
    (tmp_path / "designdoc.toml").write_text('paths = ["docs"]\n')
    for copy in range(15):
        shutil.copytree(EXAMPLES, tmp_path / "docs" / f"team{copy:02d}")
    return tmp_path


def cache_files(root: Path) -> list[Path]:
    return sorted((root / ".designdoc-cache").glob("check-*.pickle"))


def test_a_warm_run_reports_exactly_what_a_cold_run_does(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cold = report(capsys, "--no-cache")
    assert not cache_files(tree)
    first = report(capsys)
    assert cache_files(tree)
    assert report(capsys) == first == cold


def test_an_edit_is_seen_here_and_in_the_docs_that_link_to_it(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    linker = tree / "docs" / "team00" / "rate-limiter.md"
    linker.write_text(
        linker.read_text("utf-8").replace(
            "## Appendix\n", "## Appendix\nSee [the index plan](search-indexing.md#purpose).\n", 1
        ),
        "utf-8",
    )
    before = report(capsys)
    assert '"link-broken"' not in before
    target = tree / "docs" / "team00" / "search-indexing.md"
    target.write_text(target.read_text("utf-8").replace("## Purpose", "## Why"), "utf-8")
    warm = report(capsys)
    assert warm == report(capsys, "--no-cache")
    assert '"link-broken"' in warm  # the linking doc's result came from the cache


@pytest.mark.parametrize("change", ["config", "template", "version", "today"])
def test_settings_invalidate_the_cache(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    report(capsys)
    if change == "config":
        (tree / "designdoc.toml").write_text('paths = ["docs"]\n[rules.purpose-too-long]\nmax_sentences = 1\n')
    elif change == "template":
        template = config_module.builtin_path().read_text("utf-8")
        (tree / "tpl.md").write_text(template.replace("## Appendix", "## Glossary"), "utf-8")
        (tree / "designdoc.toml").write_text('paths = ["docs"]\ntemplate = "tpl.md"\n')
    elif change == "version":
        monkeypatch.setattr(cache, "__version__", "999.0.0")
    else:
        monkeypatch.setenv("DESIGNDOC_TODAY", "2027-06-01")
    warm = report(capsys)
    assert warm == report(capsys, "--no-cache")
    assert len(cache_files(tree)) == 2  # one file per settings fingerprint


def test_a_corrupt_or_foreign_cache_is_ignored_and_rebuilt(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = report(capsys)
    for path in cache_files(tree):
        path.write_bytes(b"not a pickle at all")
    assert report(capsys) == expected
    import os
    import pickle

    class Boom:
        def __reduce__(self):
            return (os.system, ("touch pwned",))

    for path in cache_files(tree):
        path.write_bytes(pickle.dumps({("x", b"y"): Boom()}))
    assert report(capsys) == expected
    assert not (tree / "pwned").exists()


def test_parallel_and_serial_runs_are_byte_identical(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    serial = report(capsys, "--no-cache", "--jobs", "1")
    assert report(capsys, "--no-cache", "--jobs", "2") == serial
    assert report(capsys, "--jobs", "2") == serial  # writes the cache from the workers' results
    assert report(capsys, "--jobs", "2") == serial  # and reads it back


def test_progress_shows_on_a_terminal_only(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from designdoc.cli import progress

    for copy in range(15, 60):  # 240 docs: past the threshold
        shutil.copytree(EXAMPLES, tree / "docs" / f"team{copy:02d}")
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    main(["check", "--no-cache"])
    assert "checked 240/240 files" in capsys.readouterr().err
    monkeypatch.setenv("CI", "true")
    main(["check", "--no-cache"])
    assert "checked" not in capsys.readouterr().err
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)  # piped
    assert progress.file_ticker(10_000) is None


def test_only_the_most_recent_cache_files_are_kept(tmp_path: Path) -> None:
    import os

    for n in range(6):  # caches of other settings or older versions
        old = tmp_path / f"check-old{n}.pickle"
        old.write_bytes(b"x")
        os.utime(old, ns=(n * 10**9, n * 10**9))
    (tmp_path / "unrelated.txt").write_text("mine")
    store = cache.Cache(tmp_path / "check-now.pickle")
    store.put("a.md", b"k", "value")
    store.save()
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == ["check-now.pickle", "check-old3.pickle", "check-old4.pickle", "check-old5.pickle", "unrelated.txt"]


def test_a_run_leaves_the_collector_as_it_found_it(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A warm run freezes what it loaded, and a long-lived process (serve, the LSP) gets it all back."""
    import gc

    from designdoc.check import pool

    report(capsys)  # fills the cache
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    assert report(capsys, "--jobs", "2")  # the pool freezes again, inside the run's own freeze
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    gc.disable()
    try:
        report(capsys)
        assert not gc.isenabled()  # a caller that paused the collector keeps it paused
    finally:
        gc.enable()
    with pool.frozen_heap():
        with pool.frozen_heap():
            pass
        assert gc.get_freeze_count() > 0  # the inner scope ended; the outer one still holds
    assert gc.get_freeze_count() == 0


def test_the_code_fingerprint_reads_the_package_once_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that later cannot reach the checkout (a test dropping to `nobody`) still fingerprints."""
    from pathlib import Path

    first = cache.fingerprint("settings")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("the checkout is out of reach")

    monkeypatch.setattr(Path, "stat", refuse)
    monkeypatch.setattr(Path, "rglob", refuse)
    assert cache.fingerprint("settings") == first


def test_the_cache_key_of_every_process_is_the_same_in_every_process() -> None:
    """The key holds the config's repr: a set printed in hash order would make every run cold."""
    import os
    import subprocess
    import sys

    script = (
        "from designdoc.config.load import from_table\n"
        "from designdoc.config.process import preset_names\n"
        "print([repr(from_table({'preset': name})) for name in preset_names()])\n"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", script], env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(seen) == 1 and "kep" in next(iter(seen))
