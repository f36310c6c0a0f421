"""Reading one candidate file, and refusing what cannot be checked.

A file is read only when it is a regular file (a symlink is followed, but not out
of the folder it was met in), within the size limit; its text must be UTF-8 (a
BOM is allowed) without NUL bytes.  Each refusal is a `Skip`: the reason, the
position and the rule of the one diagnostic the file then gets.  `budget` bounds
the time one file may take.
"""

from __future__ import annotations

import codecs
import contextlib
import signal
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

from designdoc.files.discovery import (
    _UNSUPPORTED_BOMS,
    Candidate,
    display,
    head,
    looks_like_doc,
)
from designdoc.model.text import decode as decode_utf8
from designdoc.parse.template import Template


class Skip(Exception):
    """A file is not checked: why, and where its one diagnostic points."""

    def __init__(
        self, reason: str, line: int = 1, column: int = 1, rule: str = "file-skipped", doc: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason, self.line, self.column, self.rule, self.doc = reason, line, column, rule, doc


class OverBudget(Exception):
    """A file took longer than the time budget."""


def read(candidate: Candidate, *, max_size: int, template: Template) -> bytes:
    """Return a candidate's bytes, or raise Skip (a walked file over the limit says whether it is a doc)."""
    path = candidate.path
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            real = follow(candidate)
            info = real.stat()
        else:  # a plain file: lstat already said what stat would
            real = candidate.real or path.resolve()
    except Skip:
        raise
    except OSError as error:
        raise Skip(f"cannot be read: {error.strerror or error}") from None
    if not stat.S_ISREG(info.st_mode):
        raise Skip(f"not a regular file ({_kind(info.st_mode)}), not checked")
    if info.st_size > max_size:
        # read just enough to tell whether a walked file is a doc: an unchecked doc is an error
        is_doc = candidate.named or looks_like_doc(head(real), template.doc_type, template)
        raise Skip(f"over the size limit ({_mib(info.st_size)} > {_mib(max_size)}), not checked", doc=is_doc)
    try:
        with open(real, "rb") as handle:
            return handle.read(max_size + 1)
    except OSError as error:
        raise Skip(f"cannot be read: {error.strerror or error}") from None


def follow(candidate: Candidate) -> Path:
    """Return the real path of a symlinked candidate; a loop, a dangling link or a way out is a Skip."""
    try:
        real = candidate.path.resolve(strict=True)
    except RuntimeError:
        raise Skip("symlink loop, not checked") from None
    except OSError as error:
        if error.errno == 40:  # ELOOP
            raise Skip("symlink loop, not checked") from None
        raise Skip("dangling symlink, not checked") from None
    if candidate.root is not None and not real.is_relative_to(candidate.root.resolve()):
        raise Skip(f"symlink leading outside {display(candidate.root)}, not checked")
    return real


def decode(data: bytes) -> tuple[str, bool]:
    """Decode a file's bytes (and whether it had a BOM); an encoding problem is a Skip."""
    for bom, name in _UNSUPPORTED_BOMS:
        if data.startswith(bom):
            raise Skip(f"Unsupported encoding {name} (save the file as UTF-8)", rule="encoding-invalid")
    try:
        text, bom_found = decode_utf8(data)
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start)
        raise Skip(
            f"Not valid UTF-8: byte 0x{data[error.start]:02X} at line {line}, column {column} (save the file as UTF-8)",
            line,
            column,
            "encoding-invalid",
        ) from None
    nul = text.find("\x00")
    if nul != -1:
        line, column = _byte_position(data, data.find(b"\x00"))
        raise Skip(f"NUL byte at line {line}, column {column}: a binary file?", line, column, "encoding-invalid")
    return text, bom_found


@contextlib.contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Raise OverBudget when the block runs longer than `seconds` (main thread only)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise OverBudget()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _byte_position(data: bytes, index: int) -> tuple[int, int]:
    before = data[:index]
    line_start = max(before.rfind(b"\n"), before.rfind(b"\r")) + 1
    line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
    column = len(before[line_start:].decode("utf-8", "replace")) + 1
    if line == 1 and data.startswith(codecs.BOM_UTF8):
        column -= 1
    return line, column


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size} bytes"
