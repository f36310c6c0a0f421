"""Reading a doc's sidecar (`kep.yaml` beside `README.md`) with the doc's own care.

The sidecar is named by a pattern relative to the doc's folder (`{stem}` is the doc's
file name without `.md`).  It is read only when it is a regular file inside the tree
(a symlink is followed, but not out of the folder of the doc's tree), under the front
matter's size limit, and UTF-8 (a BOM is allowed).  Every refusal is a `Sidecar` without
text that says why, which the doc's check reports as one finding.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from designdoc.files.discovery import display
from designdoc.model.metadata import Sidecar
from designdoc.model.text import decode
from designdoc.parse.frontmatter import MAX_BYTES


def sidecar_path(doc: Path, pattern: str) -> Path:
    """Return where a doc's sidecar is: the pattern, `{stem}` filled in, beside the doc."""
    return doc.parent / pattern.replace("{stem}", doc.name.rsplit(".", 1)[0])


def read_sidecar(doc: Path, pattern: str, root: Path | None = None) -> tuple[Sidecar, bytes]:
    """Return a doc's sidecar and its bytes (empty when it could not be read).

    `root` bounds where a symlinked sidecar may lead (default: the doc's folder).
    """
    path = sidecar_path(doc, pattern)
    shown = display(path)
    name = path.name
    try:
        info = path.lstat()
    except FileNotFoundError:
        return Sidecar(shown, None, f"{name} is missing: this process keeps the doc's metadata there"), b""
    except OSError as error:
        return Sidecar(shown, None, f"{name} cannot be read: {error.strerror or error}"), b""
    try:
        if stat.S_ISLNK(info.st_mode):
            real = path.resolve(strict=True)
            bound = (root or doc.parent).resolve()
            if not real.is_relative_to(bound):
                return Sidecar(shown, None, f"{name} is a symlink out of {display(bound)}, not read"), b""
            info = real.stat()
        if not stat.S_ISREG(info.st_mode):
            return Sidecar(shown, None, f"{name} is not a regular file, not read"), b""
        if info.st_size > MAX_BYTES:
            return Sidecar(shown, None, f"{name} is over {MAX_BYTES // 1024} KiB, not read"), b""
        with open(path, "rb", opener=_no_follow_fifo) as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        return Sidecar(shown, None, f"{name} cannot be read: {error.strerror or error}"), b""
    except RuntimeError:  # Path.resolve on a symlink loop (Python 3.11)
        return Sidecar(shown, None, f"{name} cannot be read: a symlink loop"), b""
    try:
        text, _ = decode(data)
    except UnicodeDecodeError as error:
        return Sidecar(shown, None, f"{name} is not valid UTF-8 (byte {error.start}), not read"), data
    if "\x00" in text:
        return Sidecar(shown, None, f"{name} holds a NUL byte, not read"), data
    return Sidecar(shown, text), data


def _no_follow_fifo(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NONBLOCK)
