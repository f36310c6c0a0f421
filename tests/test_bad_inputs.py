"""Bad inputs (hostile files, encodings, YAML, Markdown and writes), end to end through the CLI.

Every `check` here runs twice, once as text and once as JSON, and the helper
asserts what must hold for any input: no traceback, the same exit code, every
text diagnostic present in the JSON report (and nothing else), and not one
byte, mode or mtime changed anywhere under the working folder (directories
included, so even a temp file created and removed is caught).  Runs that
could hang (a FIFO, pathological Markdown) go through a subprocess with a
timeout.  "Today" is pinned by conftest.py to 2025-06-01.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from designdoc.cli.main import main
from designdoc.model.text import split_lines
from designdoc.parse import frontmatter

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rate-limiter.md"
# The example with its dates (last_updated, footer) set before the pinned today: it checks clean.
CLEAN = re.sub(r"\d{4}-\d{2}-\d{2}", "2025-05-20", EXAMPLE.read_text("utf-8"))
CLEAN_LINES = CLEAN.split("\n")
PURPOSE_LINE = CLEAN_LINES.index("# Purpose") + 2  # the Purpose paragraph
FOOTER_LINE = CLEAN_LINES.index("_Last updated: 2025-05-20_") + 1
APPENDIX_LINE = CLEAN_LINES.index("## Appendix") + 1
# A TODO at (PURPOSE_LINE, 5), a fixable footer date at (FOOTER_LINE, 16).
WITH_TODO = CLEAN.replace("One noisy tenant", "One TODO tenant")
STALE_FOOTER = CLEAN.replace("_Last updated: 2025-05-20_", "_Last updated: 2025-05-01_")

TEXT_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning|info) "
    r"\[(?P<rule>[a-z0-9-]+)\] (?P<message>.*)$"
)


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder of our own (no designdoc.toml of the repo's is found)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def tree_state(root: Path) -> dict[str, tuple]:
    """Return mode, mtime, inode and bytes of everything under `root` (FIFOs never opened).

    The check cache (`.designdoc-cache/`) is designdoc's own and may be written.
    """
    state = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".designdoc-cache"]
        for name in dirs + files:
            path = Path(folder, name)
            info = path.lstat()
            data = None
            if stat.S_ISREG(info.st_mode):
                try:
                    data = path.read_bytes()
                except OSError:
                    data = None
            state[str(path)] = (info.st_mode, info.st_mtime_ns, info.st_ino, info.st_nlink, data)
    return state


def assert_no_crash(out: str, err: str) -> None:
    assert "Traceback" not in out + err
    assert "internal error" not in err


@dataclass
class Result:
    code: int
    out: str
    err: str
    diagnostics: list[dict]
    summary: dict

    def found(self, rule: str | None = None, path: str | None = None) -> list[tuple[int, int]]:
        """Return (line, column) of the diagnostics with this rule (and path)."""
        return [
            (d["line"], d["column"])
            for d in self.diagnostics
            if (rule is None or d["rule"] == rule) and (path is None or d["path"] == path)
        ]

    def rules(self, path: str | None = None) -> list[str]:
        return [d["rule"] for d in self.diagnostics if path is None or d["path"] == path]

    def one(self, rule: str) -> dict:
        matching = [d for d in self.diagnostics if d["rule"] == rule]
        assert len(matching) == 1, self.out
        return matching[0]


def check(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """Run `check ARGS` as text and as JSON; assert the invariants every run must keep."""
    before = tree_state(Path.cwd())
    code = main(["check", *args])
    out, err = capsys.readouterr()
    assert_no_crash(out, err)
    json_code = main(["check", *args, "--format", "json"])
    json_out, json_err = capsys.readouterr()
    assert_no_crash(json_out, json_err)
    assert json_code == code
    assert json_err == err
    report = json.loads(json_out)
    lines = out.splitlines()
    assert lines, "the text report always ends with a summary line"
    parsed = [TEXT_LINE.match(line) for line in lines[:-1]]
    assert all(parsed), out
    as_text = sorted(
        (m["path"], int(m["line"]), int(m["column"]), m["severity"], m["rule"], m["message"]) for m in parsed
    )
    as_json = sorted(
        (d["path"], d["line"], d["column"], d["severity"], d["rule"], d["message"]) for d in report["diagnostics"]
    )
    assert as_text == as_json
    assert report["summary"]["errors"] == sum(1 for d in report["diagnostics"] if d["severity"] == "error")
    assert tree_state(Path.cwd()) == before, "check must never modify any file"
    return Result(code, out, err, report["diagnostics"], report["summary"])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI once (for --fix / --diff); assert no crash."""
    code = main(list(args))
    out, err = capsys.readouterr()
    assert_no_crash(out, err)
    return code, out, err


def run_subprocess(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `designdoc ARGS` in a child process that is killed (failing the test) after `timeout`."""
    env = {**os.environ, "DESIGNDOC_TODAY": "2025-06-01"}
    env.pop("DESIGNDOC_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "designdoc", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert_no_crash(proc.stdout, proc.stderr)
    return proc


def write(path: Path, data: str | bytes, mode: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if mode is not None:
        path.chmod(mode)
    return path


def age(path: Path) -> int:
    """Move `path`'s mtime an hour into the past (so any rewrite shows); return it."""
    info = path.stat()
    old = info.st_mtime_ns - 3600 * 10**9
    os.utime(path, ns=(info.st_atime_ns, old), follow_symlinks=False)
    return old


def front(yaml_text: str, body: str = "") -> str:
    """Return the clean doc with its front matter replaced by `yaml_text` (and extra body lines)."""
    rest = CLEAN.split("\n---\n", 1)[1]
    return f"---\n{yaml_text}---\n{body}{rest}"


def mixed_endings(text: str) -> str:
    """Return `text` with CRLF, LF and CR line breaks in turn (a CR is never followed by an LF)."""
    lines = text.split("\n")
    breaks = ["\r\n", "\n", "\r"]
    return "".join(line + breaks[i % 3] for i, line in enumerate(lines[:-1])) + lines[-1]


def test_the_clean_example_is_clean(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "doc.md", CLEAN)
    result = check(capsys, "doc.md")
    assert result.code == 0 and result.diagnostics == []
    assert write(work / "todo.md", WITH_TODO) and check(capsys, "todo.md").found() == [(PURPOSE_LINE, 5)]


# --------------------------------------------------------------------------- files and folders


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


# --------------------------------------------------------------------------- encoding and lines


NEWLINES = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}


@pytest.mark.parametrize("newline", NEWLINES)
@pytest.mark.parametrize("bom", [False, True], ids=["nobom", "bom"])
def test_invalid_utf8_is_the_only_diagnostic_at_the_right_line(
    work: Path, capsys: pytest.CaptureFixture[str], newline: str, bom: bool
) -> None:
    text = WITH_TODO.replace("One TODO", "Ωne TODO").replace("_Last updated: 2025-05-20_", "_Last updated: x_")
    data = text.replace("\n", NEWLINES[newline]).encode()
    data = data.replace("Ωne TODO tenant".encode(), "Ωne TODO ten".encode() + b"\xe9ant")  # cp1252 é
    write(work / "docs" / "doc.md", (b"\xef\xbb\xbf" if bom else b"") + data)
    # (a CR-only doc is not found in a walk: see test_cr_only_doc_is_found_in_a_walk)
    for target in ("docs/doc.md",) + (("docs",) if newline != "cr" else ()):
        result = check(capsys, target)
        assert [(d["rule"], d["line"], d["column"]) for d in result.diagnostics] == [
            ("encoding-invalid", PURPOSE_LINE, 13)
        ]
        assert f"line {PURPOSE_LINE}, column 13" in result.diagnostics[0]["message"]
        assert result.code == 1


@pytest.mark.parametrize("style", ["cr", "mixed"])
def test_cr_only_doc_is_found_in_a_walk(work: Path, capsys: pytest.CaptureFixture[str], style: str) -> None:
    write(work / "docs" / "doc.md", WITH_TODO.replace("\n", "\r") if style == "cr" else mixed_endings(WITH_TODO))
    result = check(capsys, "docs")
    assert result.summary["files"] == 1
    assert result.found("todo-marker") == [(PURPOSE_LINE, 5)]


def test_invalid_utf8_on_the_first_line_after_a_bom(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "doc.md", b"\xef\xbb\xbf# T\xfftle\n")
    assert check(capsys, "doc.md").found() == [(1, 4)]  # the BOM is not a column


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom_are_unsupported_encoding(
    work: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    bom = {"utf-16": b"", "utf-16-be": b"\xfe\xff", "utf-32": b""}[encoding]
    write(work / "doc.md", bom + WITH_TODO.encode(encoding))
    result = check(capsys, "doc.md")
    diagnostic = result.one("encoding-invalid")
    assert len(result.diagnostics) == 1
    assert diagnostic["message"].startswith(f"Unsupported encoding {encoding[:6].upper()}")
    assert result.code == 1


def test_utf16_doc_in_a_walk_is_reported(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "docs" / "doc.md", WITH_TODO.encode("utf-16"))
    assert check(capsys, "docs").rules() == ["encoding-invalid"]


@pytest.mark.parametrize("where", ["body", "frontmatter"])
def test_nul_byte_is_reported_with_its_position(work: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    if where == "body":
        data, line, column = WITH_TODO.replace("One TODO", "One\0TODO"), PURPOSE_LINE, 4
    else:
        data, line, column = CLEAN.replace("status: approved", "status: appr\0oved"), 4, 13
    write(work / "docs" / "doc.md", data)
    for target in ("docs", "docs/doc.md"):
        result = check(capsys, target)
        assert [(d["rule"], d["line"], d["column"]) for d in result.diagnostics] == [("encoding-invalid", line, column)]


def test_bom_before_front_matter_is_still_front_matter(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "docs" / "clean.md", "\ufeff" + CLEAN)
    write(work / "docs" / "todo.md", "\ufeff" + WITH_TODO)
    write(work / "docs" / "version.md", "\ufeff" + CLEAN.replace("version: 1.2.0", "version: 1.10"))
    result = check(capsys, "docs")  # discovered as docs through the BOM, too
    assert result.found(path="docs/clean.md") == []
    assert result.found(path="docs/todo.md") == [(PURPOSE_LINE, 5)]
    assert [(d["rule"], d["line"], d["column"]) for d in result.diagnostics if d["path"] == "docs/version.md"] == [
        ("field-type", 5, 10)
    ]


@pytest.mark.parametrize("style", ["crlf", "cr", "mixed"])
def test_line_numbers_are_right_with_any_line_endings(
    work: Path, capsys: pytest.CaptureFixture[str], style: str
) -> None:
    text = STALE_FOOTER.replace("One noisy tenant", "One TODO tenant").replace(
        "status: approved", "status: approved\nversion: 1.10"
    )
    expected = check_text(work, capsys, text)
    converted = mixed_endings(text) if style == "mixed" else text.replace("\n", NEWLINES[style])
    assert check_text(work, capsys, converted) == expected
    assert ("todo-marker", PURPOSE_LINE + 1, 5) in expected
    assert ("footer-date-mismatch", FOOTER_LINE + 1, 16) in expected
    assert ("frontmatter-invalid", 6, 1) in expected  # the duplicate `version`, at the second


def check_text(work: Path, capsys: pytest.CaptureFixture[str], text: str) -> list[tuple[str, int, int]]:
    write(work / "doc.md", text)
    return sorted((d["rule"], d["line"], d["column"]) for d in check(capsys, "doc.md").diagnostics)


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c", "\x1d", "\x1e"])
def test_unicode_line_separators_inside_a_line_do_not_shift_lines(
    work: Path, capsys: pytest.CaptureFixture[str], char: str
) -> None:
    text = STALE_FOOTER.replace("One noisy tenant", f"One{char}TODO tenant").replace(
        "Load test results", f"Load{char}test{char}results TODO"
    )
    found = check_text(work, capsys, text)
    appendix_todo = APPENDIX_LINE + 1, len("Load test results ") + 1
    assert ("todo-marker", PURPOSE_LINE, 5) in found
    assert ("todo-marker", *appendix_todo) in found
    assert ("footer-date-mismatch", FOOTER_LINE, 16) in found
    assert all(line <= len(text.split("\n")) for _, line, _ in found)


# --------------------------------------------------------------------------- YAML front matter


@pytest.fixture(params=["libyaml", "pure-python"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the front-matter tests with libyaml's parser and with PyYAML's pure-Python one."""
    if request.param == "pure-python":
        monkeypatch.setattr(frontmatter, "_Loader", yaml.SafeLoader)
    elif not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML built without libyaml")
    return request.param


def alias_bomb(depth: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("depth", [7, 20])
def test_alias_bomb_is_rejected_fast(work: Path, capsys: pytest.CaptureFixture[str], loader: str, depth: int) -> None:
    write(work / "warm.md", CLEAN)
    check(capsys, "warm.md")
    write(work / "doc.md", front(alias_bomb(depth) + CLEAN.split("---\n")[1], "TODO\n"))
    started = time.perf_counter()
    result = check(capsys, "doc.md")
    assert time.perf_counter() - started < 5  # expanding even depth 7 takes ~15 s and 1.5 GB
    invalid = result.one("frontmatter-invalid")
    assert (invalid["line"], invalid["column"]) == (2, 5)
    assert "Anchors and aliases" in invalid["message"]
    assert "todo-marker" in result.rules()  # body rules still run
    assert not {"field-missing", "field-value", "field-type"} & set(result.rules())  # fields silenced


def test_merge_key_is_rejected_as_an_alias(work: Path, capsys: pytest.CaptureFixture[str], loader: str) -> None:
    write(work / "doc.md", front("defaults: &d {status: draft}\nextra:\n  <<: *d\n" + CLEAN.split("---\n")[1]))
    invalid = check(capsys, "doc.md").one("frontmatter-invalid")
    assert invalid["line"] == 2 and "Anchors and aliases" in invalid["message"]


@pytest.mark.parametrize("where", ["frontmatter", "body"])
def test_deep_nesting_1000_levels(work: Path, capsys: pytest.CaptureFixture[str], loader: str, where: str) -> None:
    nested = "[" * 1000 + "]" * 1000
    if where == "frontmatter":
        write(work / "doc.md", CLEAN.replace("tags:\n", f"deep: {nested}\ntags:\n", 1))
        invalid = check(capsys, "doc.md").one("frontmatter-invalid")
        assert invalid["line"] == 14  # the `deep:` line
        assert "nest" in invalid["message"]
    else:
        write(work / "doc.md", CLEAN.replace("## Appendix\n", f"## Appendix\n{nested}\n" + ">" * 1000 + " x\n"))
        assert check(capsys, "doc.md").diagnostics == []


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['touch pwned']",
        "!!python/object/new:os.system [touch pwned]",
        "!custom thing",
        "!!binary aGVsbG8=",
    ],
)
def test_custom_tags_are_rejected_and_never_run(
    work: Path, capsys: pytest.CaptureFixture[str], loader: str, tagged: str
) -> None:
    write(work / "doc.md", CLEAN.replace("tags:\n", f"extra: {tagged}\ntags:\n", 1))
    invalid = check(capsys, "doc.md").one("frontmatter-invalid")
    assert (invalid["line"], invalid["column"]) == (14, 8)
    assert invalid["message"].startswith("Tag ") and "not allowed" in invalid["message"]
    assert not (work / "pwned").exists()


def test_version_1_10_is_a_type_error_and_never_written_back(
    work: Path, capsys: pytest.CaptureFixture[str], loader: str
) -> None:
    doc = write(work / "doc.md", CLEAN.replace("version: 1.2.0", "version: 1.10"))
    result = check(capsys, "doc.md")
    field_type = result.one("field-type")
    assert (field_type["line"], field_type["column"]) == (5, 10)
    assert "1.10" in field_type["message"] and "quote it" in field_type["message"]
    assert result.rules() == ["field-type"]
    code, _, _ = run(capsys, "check", "doc.md", "--fix")
    assert code == 1 and doc.read_text() == CLEAN.replace("version: 1.2.0", "version: 1.10")


def test_status_no_is_the_string_no(work: Path, capsys: pytest.CaptureFixture[str], loader: str) -> None:
    write(work / "doc.md", CLEAN.replace("status: approved", "status: no"))
    result = check(capsys, "doc.md")
    value = result.one("field-value")
    assert (value["line"], value["column"]) == (4, 9)
    assert "'no'" in value["message"] and "False" not in value["message"]


def test_impossible_date_is_a_field_value(work: Path, capsys: pytest.CaptureFixture[str], loader: str) -> None:
    write(work / "doc.md", CLEAN.replace("last_updated: 2025-05-20", "last_updated: 2024-02-30"))
    result = check(capsys, "doc.md")
    value = result.one("field-value")
    assert (value["line"], value["column"]) == (13, 15) and "2024-02-30" in value["message"]
    assert result.rules() == ["field-value"]  # no stale / date-in-future / footer date on an invalid date


def test_duplicate_key_is_one_diagnostic_and_no_fix_picks_a_value(
    work: Path, capsys: pytest.CaptureFixture[str], loader: str
) -> None:
    text = STALE_FOOTER.replace("last_updated: 2025-05-20\n", "last_updated: 2025-05-20\nlast_updated: 2025-05-01\n")
    doc = write(work / "doc.md", text)
    result = check(capsys, "doc.md")
    duplicate = result.one("frontmatter-invalid")
    assert (duplicate["line"], duplicate["column"]) == (14, 1)
    assert "'last_updated'" in duplicate["message"] and "line 13" in duplicate["message"]
    # The footer is fixable from `last_updated`, but which of the two values is for the author to say.
    code, _, err = run(capsys, "check", "doc.md", "--fix")
    assert code == 1
    assert doc.read_text() == text
    assert "duplicate key 'last_updated'" in err and "doc.md" in err
    code, out, _ = run(capsys, "check", "doc.md", "--diff")
    assert out == "" and doc.read_text() == text


@pytest.mark.parametrize(
    ("yaml_text", "line", "message"),
    [
        ("", 2, "Front matter is empty"),
        ("- a\n- b\n", 2, "Front matter is a list"),
        ("just text\n", 2, "Front matter is a single value"),
        ("--- a\n--- b\n", 2, "several YAML documents"),
        ("title: x\n~: null key\n", 3, "keys must be plain words"),
        ("title: x\n? [a, b]\n: list key\n", 3, "keys must be plain words"),
        ("title: x\n{a: 1}: map key\n", 3, "keys must be plain words"),
        ("title: x\nowners:\n\t- ana@acme.io\n", 4, "Invalid front matter"),
        (
            "title: caf\u00e9 \u2603\u2603\u2603\u2603\u2603\u2603\u2603\u2603\u2603\nx: a\x07b\n",
            3,
            "characters are not allowed",
        ),
        ("title: [unclosed\n", 3, "Invalid front matter"),
        ("title: " + "x" * 70_000 + "\n", 1, "over 64 KiB"),
    ],
)
def test_unusable_front_matter_is_one_diagnostic_and_the_body_is_still_checked(
    work: Path, capsys: pytest.CaptureFixture[str], loader: str, yaml_text: str, line: int, message: str
) -> None:
    write(work / "doc.md", front(yaml_text, "TODO here\n"))
    result = check(capsys, "doc.md")
    invalid = result.one("frontmatter-invalid")
    assert invalid["line"] == line and message in invalid["message"]
    end = len(yaml_text.split("\n")) + 1
    assert (end + 1, 1) in result.found("todo-marker")  # the body is still checked
    assert not {"field-missing", "field-value", "field-type", "field-unknown"} & set(result.rules())
    assert result.code == 1


def test_yaml_error_lines_are_file_lines_with_crlf_and_bom(
    work: Path, capsys: pytest.CaptureFixture[str], loader: str
) -> None:
    text = front("title: café ☃☃☃\nx: a\x07b\nowners:\n\t- ana@acme.io\n")
    expected = [(3, 5)]
    for variant in (text, "\ufeff" + text, text.replace("\n", "\r\n"), text.replace("\n", "\r")):
        write(work / "doc.md", variant)
        assert check(capsys, "doc.md").found("frontmatter-invalid") == expected


def test_int_key_is_an_unknown_field(work: Path, capsys: pytest.CaptureFixture[str], loader: str) -> None:
    write(work / "doc.md", CLEAN.replace("tags:\n", "1: one\ntags:\n", 1))
    result = check(capsys, "doc.md")
    assert [(d["rule"], d["line"]) for d in result.diagnostics] == [("field-unknown", 14)]


def test_unclosed_front_matter_is_reported_at_line_1_and_the_body_checked(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = WITH_TODO.split("\n---\n", 1)[1].rsplit("\n---\n", 1)[0]  # no later `---` line to close it
    text = "---\ntitle: x\n" + body + "\n"
    write(work / "doc.md", text)
    result = check(capsys, "doc.md")
    invalid = result.one("frontmatter-invalid")
    assert (invalid["line"], invalid["column"]) == (1, 1) and "not closed" in invalid["message"]
    todo_line = next(n for n, line in enumerate(text.split("\n"), 1) if line.startswith("One TODO"))
    assert (todo_line, 5) in result.found("todo-marker")


@pytest.mark.parametrize("opener, closer", [("---   ", "---"), ("---", "---\t "), ("---", "..."), ("---", "... ")])
def test_delimiters_with_trailing_spaces_and_dots(
    work: Path, capsys: pytest.CaptureFixture[str], opener: str, closer: str
) -> None:
    lines = CLEAN.split("\n")
    closing = lines.index("---", 1)
    lines[0], lines[closing] = opener, closer
    write(work / "docs" / "doc.md", "\n".join(lines))
    result = check(capsys, "docs")  # still discovered as a doc
    assert result.diagnostics == [] and result.summary["files"] == 1


def test_setext_heading_is_not_front_matter(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "doc.md", "Rate limiter\n---\n\n# Purpose\nTODO\n")
    result = check(capsys, "doc.md")
    assert result.found("frontmatter-missing") == [(1, 1)]
    assert "frontmatter-invalid" not in result.rules()
    assert (5, 1) in result.found("todo-marker")


@pytest.mark.parametrize(
    ("data", "rule", "line"),
    [
        ("", "frontmatter-missing", 1),
        ("\n\n  \n", "frontmatter-missing", 1),
        ("---\n---", "frontmatter-invalid", 2),
        ("---\n---\n", "frontmatter-invalid", 2),
        ("---\ntitle: x\n---", "field-missing", 1),
        ("---", "frontmatter-invalid", 1),
    ],
)
def test_tiny_files(work: Path, capsys: pytest.CaptureFixture[str], data: str, rule: str, line: int) -> None:
    write(work / "doc.md", data)
    result = check(capsys, "doc.md")
    assert (line, 1) in result.found(rule)
    assert all(1 <= d["line"] <= max(1, len(split_lines(data))) for d in result.diagnostics)
    if not data.strip():
        assert result.rules() == ["frontmatter-missing"]  # an empty file is one diagnostic


# --------------------------------------------------------------------------- Markdown body


@pytest.mark.parametrize(
    "line",
    [
        "[" * (256 * 1024),
        ">" * 50_000 + " deep",
        "*a" * (2 * 1024 * 1024),
        "[a](" * 50_000,
        "`" * 100_000,
        "<a " * 50_000,
        "\\[" * 50_000 + "](x)",
    ],
)
def test_pathological_lines_finish_or_are_skipped_for_the_time_budget(work: Path, line: str) -> None:
    write(work / "designdoc.toml", "time_budget = 5.0\n")
    write(work / "docs" / "doc.md", CLEAN.replace("## Appendix\n", f"## Appendix\n{line}\n"))
    write(work / "docs" / "other.md", WITH_TODO)
    proc = run_subprocess(work, "check", "docs", "--format", "json", timeout=90)
    report = json.loads(proc.stdout)
    rules = {d["rule"] for d in report["diagnostics"] if d["path"] == "docs/doc.md"}
    skipped = [d for d in report["diagnostics"] if d["rule"] == "file-skipped"]
    assert not skipped or skipped[0]["message"] == "over the time budget of 5 s, not checked"
    assert rules <= {"file-skipped", "link-broken"}
    assert any(d["path"] == "docs/other.md" for d in report["diagnostics"])  # the run went on


def test_link_with_a_very_long_target_is_a_diagnostic(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "doc.md", CLEAN.replace("## Appendix\n", "## Appendix\nSee [x](" + "a" * 300 + ".md).\n"))
    assert check(capsys, "doc.md").rules() == ["link-broken"]


def test_time_budget_is_enforced(work: Path) -> None:
    write(work / "designdoc.toml", "time_budget = 0.01\n")
    filler = "".join(f"Paragraph {n} of filler text with a [link](#purpose).\n\n" for n in range(60_000))
    write(work / "docs" / "slow.md", CLEAN.replace("## Appendix\n", "## Appendix\n" + filler))
    proc = run_subprocess(work, "check", "docs/slow.md", timeout=60)
    assert proc.stdout.startswith("docs/slow.md:1:1: error [file-skipped] over the time budget of 0.01 s")
    assert proc.returncode == 1


def test_unclosed_fence_and_headings_inside_fences(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inner = "````markdown\n```\n## Alternatives\nTODO in code\n```\n````\n"
    write(
        work / "doc.md",
        CLEAN.replace("## Appendix\n", "## Appendix\n" + inner).replace(
            "_Last updated: 2025-05-20_", "_Last updated: 2025-05-20_\n```\n## Alternatives\nTODO\n"
        ),
    )
    result = check(capsys, "doc.md")
    assert "section-duplicate" not in result.rules() and "todo-marker" not in result.rules()
    assert "footer-missing" in result.rules()  # the unclosed fence swallowed the footer's successor lines


# --------------------------------------------------------------------------- fixes and writes

MOJIBAKE = "tenantâ€™s"  # "tenant’s" read as cp1252
DAMAGED = STALE_FOOTER.replace("One noisy tenant can", f"One noisy {MOJIBAKE}\ttab café ✓ can")


def fixed_version(data: bytes) -> bytes:
    """Return what a fix must make of `data`: only the footer date and the mojibake change."""
    return data.replace(b"_Last updated: 2025-05-01_", b"_Last updated: 2025-05-20_").replace(
        MOJIBAKE.encode(), "tenant’s".encode()
    )


VARIANTS = {
    "lf": DAMAGED.encode(),
    "crlf-bom": b"\xef\xbb\xbf" + DAMAGED.replace("\n", "\r\n").encode(),
    "cr": DAMAGED.replace("\n", "\r").encode(),
    "mixed": mixed_endings(DAMAGED).encode(),
    "no-final-newline": DAMAGED.rstrip("\n").encode(),
    "many-final-newlines": (DAMAGED + "\n\n\n").encode(),
}


@pytest.mark.parametrize("mode", [0o640, 0o755])
@pytest.mark.parametrize("variant", VARIANTS)
def test_fix_keeps_bytes_and_mode_and_a_second_fix_changes_nothing(
    work: Path, capsys: pytest.CaptureFixture[str], variant: str, mode: int
) -> None:
    original = VARIANTS[variant]
    doc = write(work / "docs" / "doc.md", original, mode)
    age(doc)
    code, out, err = run(capsys, "check", "docs/doc.md", "--fix")  # named: CR docs are not found in walks
    assert doc.read_bytes() == fixed_version(original) != original
    assert stat.S_IMODE(doc.stat().st_mode) == mode
    assert "Fixed 1 file: docs/doc.md" in err
    assert code == 0 and out.startswith("All clear")
    assert sorted(p.name for p in (work / "docs").iterdir()) == ["doc.md"]  # no temp file left
    # a second --fix: nothing to do, the file is not even rewritten
    before = tree_state(work)
    code, out, err = run(capsys, "check", "docs/doc.md", "--fix")
    assert code == 0 and "Fixed" not in err
    assert tree_state(work) == before


def test_doc_with_nothing_to_fix_is_not_rewritten(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = write(work / "docs" / "clean.md", CLEAN)
    unfixable = write(work / "docs" / "todo.md", WITH_TODO)  # a finding, but no fix for it
    age(clean)
    age(unfixable)
    before = tree_state(work)
    code, out, err = run(capsys, "check", "docs", "--fix")
    assert code == 1 and f"docs/todo.md:{PURPOSE_LINE}:5: error [todo-marker]" in out
    assert "Fixed" not in err
    assert tree_state(work) == before


def test_doc_changed_between_check_and_fix_is_not_fixed(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from designdoc.operations import fix as fixer

    doc = write(work / "docs" / "doc.md", DAMAGED)
    edited = DAMAGED.replace("# Purpose", "# Purpose\n\nEdited while fixing.", 1)
    assert edited != DAMAGED
    original = fixer._read

    def read_after_an_edit(path: str, template: object) -> object:
        doc.write_text(edited)  # the author saves while --fix runs
        return original(path, template)

    monkeypatch.setattr(fixer, "_read", read_after_an_edit)
    code, out, err = run(capsys, "check", "docs", "--fix")
    assert "docs/doc.md: changed while it was being checked; not fixed (run again)" in err
    assert doc.read_text() == edited and "Fixed" not in err


def test_diff_writes_nothing_and_exits_1_only_when_something_would_change(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "docs" / "doc.md", DAMAGED)
    write(work / "docs" / "clean.md", CLEAN)
    before = tree_state(work)
    code, out, err = run(capsys, "check", "docs", "--diff")
    assert code == 1 and err == ""
    assert out.startswith("--- a/docs/doc.md\n+++ b/docs/doc.md\n")
    assert "-_Last updated: 2025-05-01_\n+_Last updated: 2025-05-20_\n" in out
    assert "clean.md" not in out
    assert tree_state(work) == before
    code, out, err = run(capsys, "check", "docs/clean.md", "--diff")
    assert (code, out) == (0, "")
    assert tree_state(work) == before


def test_fix_with_diff_is_a_usage_error(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "doc.md", DAMAGED)
    before = tree_state(work)
    code, out, err = run(capsys, "check", "doc.md", "--fix", "--diff")
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "--fix" in err and "--diff" in err
    assert tree_state(work) == before


def test_read_only_doc_is_refused_and_left_byte_for_byte(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = write(work / "docs" / "doc.md", DAMAGED, 0o444)
    before = tree_state(work)
    code, out, err = run(capsys, "check", "docs", "--fix")
    assert code == 1
    assert err.splitlines() == [
        ("designdoc: docs/doc.md: read-only (mode 0444), not written; make it writable (chmod u+w) to allow changes")
    ]
    assert tree_state(work) == before
    assert doc.read_bytes() == DAMAGED.encode()
    # the file still holds its problems, so the report says so (not what the fix would have left)
    assert f"docs/doc.md:{FOOTER_LINE}:16: error [footer-date-mismatch]" in out


def test_hard_linked_doc_is_refused(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = write(work / "docs" / "doc.md", DAMAGED)
    os.link(doc, work / "copy.md")
    before = tree_state(work)
    code, out, err = run(capsys, "check", "docs", "--fix")
    assert code == 1
    assert f"docs/doc.md:{FOOTER_LINE}:16: error [footer-date-mismatch]" in out  # still there: not fixed
    assert len(err.splitlines()) == 1
    assert err.startswith("designdoc: docs/doc.md: hard-linked (2 links)")
    assert tree_state(work) == before
    assert doc.stat().st_nlink == 2 and (work / "copy.md").read_bytes() == DAMAGED.encode()


def test_diff_of_a_file_with_unicode_separators_and_lone_cr(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # str.splitlines() would split at U+2028 / form feed and print "No newline at end of file"
    # in the middle of the diff; lone-CR lines would all run together on one terminal line.
    text = STALE_FOOTER.replace("One noisy tenant", "One\u2028noisy\x0ctenant")
    for name, data in (("sep.md", text), ("cr.md", text.replace("\n", "\r"))):
        write(work / name, data)
        code, out, err = run(capsys, "check", name, "--diff")
        assert code == 1 and err == ""
        lines = out.split("\n")
        assert "\\ No newline at end of file" not in out
        changed = [line.rstrip("\r") for line in lines[2:] if line.startswith(("+", "-"))]
        assert changed == ["-_Last updated: 2025-05-01_", "+_Last updated: 2025-05-20_"]
        assert lines[:2] == [f"--- a/{name}", f"+++ b/{name}"]


def test_many_missing_sections_are_fixed_in_one_run_in_template_order(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = CLEAN.split("\n# Purpose\n", 1)[0]
    doc = write(work / "doc.md", head + "\n# Purpose\nOne sentence.\n\n---\n\n_Last updated: 2025-05-20_\n")
    code, out, err = run(capsys, "check", "doc.md", "--fix")
    assert "Fixed 1 file" in err
    assert code == 1  # the inserted sections hold only their guidance: section-placeholder
    headings = re.findall(r"(?m)^#{1,2} (.*)$", doc.read_text())
    expected = [line.lstrip("# ") for line in CLEAN_LINES if re.match(r"#{1,2} ", line)]
    assert headings == expected  # all sixteen, in order: not ten now and six on a second run
    assert "section-missing" not in out
    before = tree_state(work)
    run(capsys, "check", "doc.md", "--fix")
    assert tree_state(work) == before


def test_fix_never_inserts_into_an_unclosed_code_fence(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The last fence is never closed: every section after it is code, so "missing"; a section
    # inserted before the footer lands in the fence too and is still missing. Applying that fix
    # again each round wrote ten copies of every section into the code block.
    text = CLEAN.replace('  "expires_at": null\n}\n```\n', '  "expires_at": null\n}\n')
    assert text != CLEAN
    doc = write(work / "doc.md", text)
    before = tree_state(work)
    code, out, err = run(capsys, "check", "doc.md", "--fix")
    assert code == 1
    assert tree_state(work) == before and doc.read_text() == text
    assert "Missing required section 'Appendix'" in out
    assert "fix for [section-missing] not applied: it does not resolve" in err


def test_a_footer_fix_and_a_section_appended_after_it_converge(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # One round fixed the unreadable footer and appended the missing Appendix after it, so
    # the footer was no longer last; a second --fix then changed the file again.
    head, _ = CLEAN.rsplit("\n## Appendix\n", 1)
    doc = write(work / "doc.md", head + "\n\n---\n\n_Last updated: 2025-owners: []05-20_\n")
    _, out, err = run(capsys, "check", "doc.md", "--fix")
    assert "Fixed 1 file" in err
    text = doc.read_text()
    assert text.endswith(
        "\n## Appendix\n\n> Include supplementary materials: detailed diagrams, capacity math, "
        "glossary additions, or reference links.\n\n---\n\n_Last updated: 2025-05-20_\n"
    )
    assert "footer" not in out
    before = tree_state(work)
    run(capsys, "check", "doc.md", "--fix")
    assert tree_state(work) == before
