"""Bad files and folders, end to end: missing, unreadable, special, symlinked, too big or never to be checked."""

from __future__ import annotations

import io
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

import pytest

from bad_inputs import CLEAN, PURPOSE_LINE, WITH_TODO, check, run_subprocess
from designdoc.cli.main import main
from helpers import assert_no_crash, run, write


def test_path_that_does_not_exist_is_exit_2_with_one_line(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "doc.md", WITH_TODO)
    code, out, err = run(capsys, "check", "doc.md", "nope.md")
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and "nope.md" in err


def test_folder_without_docs_is_a_warning_and_exit_0(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "notes" / "README.md", "# Notes\n\nNot a design doc.\n")
    write(work / "notes" / "todo.txt", "TODO\n")
    result = check(capsys, "notes")
    assert result.code == 0
    assert result.diagnostics == []
    assert "warning" in result.err and "notes" in result.err
    assert result.summary["files"] == 0


NOBODY = 65534


def run_as_nobody(argv: list[str], cwd: Path, timeout: float = 60) -> tuple[int, str, str]:
    """Run `main(argv)` in a forked child that dropped root, so mode bits apply to it."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
            sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
            os.chdir(cwd)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            code = main(argv)
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("designdoc hung on an unreadable file")
        time.sleep(0.02)
    out.seek(0)
    err.seek(0)
    return os.waitstatus_to_exitcode(status), out.read().decode(), err.read().decode()


@pytest.fixture
def unreadable(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Yield a runner of `designdoc ARGS` for which docs/secret.md (mode 000) is unreadable.

    Root ignores mode bits: as root, a forked child drops to `nobody` (after the parent has
    imported everything), in a folder `nobody` may enter; otherwise chmod 000 is enough.
    """
    folder = Path(tempfile.mkdtemp(prefix="designdoc-unreadable-"))
    try:
        folder.chmod(0o755)
        write(folder / "docs" / "good.md", WITH_TODO, 0o644)
        write(folder / "docs" / "secret.md", CLEAN, 0o000)
        (folder / "docs").chmod(0o755)
        monkeypatch.chdir(folder)
        run(capsys, "check", "docs/good.md")  # warm up: every lazy import done before dropping root
        if os.geteuid() != 0 and os.access(folder / "docs" / "secret.md", os.R_OK):
            pytest.skip("this user can read a mode-000 file")

        def designdoc(*args: str) -> tuple[int, str, str]:
            if os.geteuid() == 0:
                code, out, err = run_as_nobody(list(args), folder)
            else:
                code = main(list(args))
                out, err = capsys.readouterr()
            assert_no_crash(out, err)
            assert (folder / "docs" / "secret.md").read_bytes() == CLEAN.encode()
            return code, out, err

        yield designdoc
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_unreadable_file_is_skipped_and_the_run_continues(unreadable) -> None:
    code, out, _ = unreadable("check", "docs")
    assert code == 1
    assert "docs/secret.md:1:1: warning [file-skipped] cannot be read: Permission denied" in out
    assert f"docs/good.md:{PURPOSE_LINE}:5: error [todo-marker]" in out  # the run went on


def test_unreadable_file_named_on_the_command_line_is_file_skipped(unreadable) -> None:
    code, out, _ = unreadable("check", "docs/secret.md", "docs/good.md")
    assert "docs/secret.md:1:1: error [file-skipped] cannot be read: Permission denied" in out
    assert f"docs/good.md:{PURPOSE_LINE}:5: error [todo-marker]" in out
    assert code == 1


def test_fifo_and_socket_named_md_are_never_opened(work: Path) -> None:
    write(work / "docs" / "good.md", WITH_TODO)
    os.mkfifo(work / "docs" / "pipe.md")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind("docs/sock.md")  # relative: AF_UNIX paths are short
        for args, severity in ((["docs"], "warning"), (["docs/pipe.md", "docs/sock.md"], "error")):
            proc = run_subprocess(work, "check", *args, timeout=30)  # opening the FIFO would block forever
            assert (
                f"docs/pipe.md:1:1: {severity} [file-skipped] not a regular file (a FIFO), not checked" in proc.stdout
            )
            assert (
                f"docs/sock.md:1:1: {severity} [file-skipped] not a regular file (a socket), not checked" in proc.stdout
            )
            if args == ["docs"]:
                assert f"docs/good.md:{PURPOSE_LINE}:5: error [todo-marker]" in proc.stdout
            assert proc.returncode == 1
    finally:
        server.close()


def test_symlink_to_a_doc_inside_the_tree_is_checked_once(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "docs" / "doc.md", WITH_TODO)
    (work / "docs" / "link.md").symlink_to("doc.md")
    (work / "docs" / "sub").mkdir()
    (work / "docs" / "sub" / "again.md").symlink_to("../doc.md")
    result = check(capsys, "docs")
    assert result.found("todo-marker") == [(PURPOSE_LINE, 5)]
    assert result.summary["files"] == 1
    # named twice on the command line (once through the link): still once
    result = check(capsys, "docs/doc.md", "docs/link.md")
    assert result.found("todo-marker") == [(PURPOSE_LINE, 5)]


def test_dangling_and_escaping_symlinks_are_skipped_and_the_walk_ends(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "docs" / "doc.md", WITH_TODO)
    write(work / "outside" / "other.md", WITH_TODO)
    (work / "docs" / "dangling.md").symlink_to("missing.md")
    (work / "docs" / "escape.md").symlink_to("../outside/other.md")
    (work / "docs" / "sub").mkdir()
    (work / "docs" / "sub" / "up").symlink_to("..")  # a folder loop: symlinked folders are not walked
    (work / "docs" / "sub" / "self").symlink_to("self")  # a link to itself, not named *.md
    result = check(capsys, "docs")
    skipped = {d["path"]: (d["severity"], d["message"]) for d in result.diagnostics if d["rule"] == "file-skipped"}
    assert skipped == {
        "docs/dangling.md": ("warning", "dangling symlink, not checked"),
        "docs/escape.md": ("warning", "symlink leading outside docs, not checked"),
    }
    assert result.found("todo-marker") == [(PURPOSE_LINE, 5)]  # only docs/doc.md, once
    assert result.code == 1


def test_symlink_loop_is_skipped_not_a_crash(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "docs" / "doc.md", WITH_TODO)
    (work / "docs" / "a.md").symlink_to("b.md")
    (work / "docs" / "b.md").symlink_to("a.md")
    result = check(capsys, "docs")
    assert result.found("todo-marker") == [(PURPOSE_LINE, 5)]
    assert {d["path"] for d in result.diagnostics if d["rule"] == "file-skipped"} == {"docs/a.md", "docs/b.md"}
    result = check(capsys, "docs/a.md")
    assert result.one("file-skipped")["message"] == "symlink loop, not checked"


def test_file_skipped_in_a_walk_counts_as_a_finding(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "docs" / "doc.md", CLEAN)
    (work / "docs" / "dangling.md").symlink_to("missing.md")
    result = check(capsys, "docs")
    assert result.rules() == ["file-skipped"]
    assert result.code == 1


def test_file_over_max_file_size_is_skipped(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "designdoc.toml", "max_file_size = 4096\n")
    write(work / "docs" / "big.md", WITH_TODO)  # ~9 KiB
    write(work / "docs" / "small.md", "---\ndoc_type: design_doc\n---\n")
    message = f"over the size limit ({len(WITH_TODO.encode())} bytes > 4096 bytes), not checked"
    result = check(capsys, "docs/big.md", "docs/small.md")
    big = [d for d in result.diagnostics if d["path"] == "docs/big.md"]
    assert [(d["rule"], d["severity"], d["line"], d["message"]) for d in big] == [("file-skipped", "error", 1, message)]
    assert result.rules("docs/small.md")  # the run went on
    assert result.code == 1
    result = check(capsys, "docs")
    assert [(d["rule"], d["message"]) for d in result.diagnostics if d["path"] == "docs/big.md"] == [
        ("file-skipped", message)
    ]
    assert result.rules("docs/small.md")


def test_doc_over_max_file_size_in_a_walk_fails_the_run(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "designdoc.toml", "max_file_size = 4096\n")
    write(work / "docs" / "big.md", CLEAN)
    result = check(capsys, "docs")
    assert result.code == 1
    assert [(d["rule"], d["severity"]) for d in result.diagnostics] == [("file-skipped", "error")]


def test_git_and_node_modules_are_never_checked(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for folder in (".git", "node_modules", ".cache", "docs/.hidden"):
        write(work / folder / "doc.md", WITH_TODO)
    write(work / "docs" / ".doc.md.1a2b3c4d.tmp", WITH_TODO)  # a writer temp file
    write(work / "docs" / "doc.md", CLEAN)
    result = check(capsys, ".")
    assert result.diagnostics == [] and result.summary["files"] == 1 and result.code == 0
