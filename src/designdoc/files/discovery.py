"""Which files a run checks: discovery, display paths, and telling a doc from other Markdown.

A folder is walked without following symlinked folders; hidden folders,
`node_modules` and `exclude` globs are skipped.  A walked file is a doc when
its front matter names the template's `doc_type` (read from its first 8 KiB,
in whatever encoding its BOM says); a file named on the command line always is.
"""

from __future__ import annotations

import codecs
import fnmatch
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from designdoc.model.errors import UsageError
from designdoc.model.settings import Config
from designdoc.model.text import decode, encode
from designdoc.parse.template import Template

TEMP_FILE = re.compile(r"^\.|~$|^#.*#$|\.tmp$|\.swp$")
SKIP_DIRS = frozenset(("node_modules", "__pycache__"))
_UNSUPPORTED_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file to check: named on the command line, or met during a walk."""

    path: Path
    named: bool
    root: Path | None  # the walked folder (symlinks must stay inside it)
    real: Path | None = None  # known without asking the file system (a plain file met in a walk)


def display(path: Path) -> str:
    """Return the path as shown to the user: relative to the working directory when inside it."""
    text = os.fspath(path)
    if not os.path.isabs(text) and ".." not in text.split(os.sep):
        text = os.path.normpath(text)  # what relpath gives, without its two abspath calls
        return text if os.sep == "/" else text.replace(os.sep, "/")
    try:
        text = os.path.relpath(path)
    except ValueError:
        text = str(path)
    if text.startswith(".."):
        text = str(path)
    return Path(text).as_posix()


def discover(paths: Sequence[str], config: Config) -> tuple[list[Candidate], list[str]]:
    """Return the files to check and warnings (a folder without docs is only a warning).

    A path that does not exist is a UsageError (exit 2).
    """
    candidates: list[Candidate] = []
    for name in paths:
        path = Path(name)
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{name}: no such file or directory")
        if path.is_dir() and not path.is_symlink():
            candidates += walk(path, config)
        else:
            candidates.append(Candidate(path, True, None))
    return candidates, []


def walk(root: Path, config: Config) -> Iterator[Candidate]:
    # symlinked folders are never entered, so a plain file's real path is its folder's plus its name
    stack = [(root, os.path.realpath(root))]
    while stack:
        folder, folder_real = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            if excluded(path, root, config):
                continue
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith(".") and entry.name not in SKIP_DIRS:
                    stack.append((path, os.path.join(folder_real, entry.name)))
            elif entry.name.endswith(".md") and not TEMP_FILE.search(entry.name):
                real = None if entry.is_symlink() else Path(folder_real, entry.name)
                yield Candidate(path, False, root, real)
        stack.sort(reverse=True)


def excluded(path: Path, root: Path, config: Config) -> bool:
    if not config.exclude:
        return False
    relative = display(path)
    return any(fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(path.name, pattern) for pattern in config.exclude)


def real_path(path: Path) -> Path:
    """Return the real path of a file (its own absolute path when a symlink loop hides it)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def unique_files(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Return the candidates with each file once (a doc reached twice, e.g. through a symlink)."""
    seen: set[Path] = set()
    unique = []
    for candidate in candidates:
        real = candidate.real or real_path(candidate.path)
        if real not in seen:
            seen.add(real)
            unique.append(candidate)
    return unique


def looks_like_doc(data: bytes, doc_type: str | None, template: Template) -> bool:
    """Return True when a walked file is a doc: its front matter names the template's doc_type.

    With no doc_type in the template every Markdown file is a doc, except the template itself
    (told by its content: the walk does not know which path the template came from, and an
    untouched copy of the template is no one's doc either).
    """
    if doc_type is None:
        return not _is_template_copy(data, template)
    head = _sniff_text(data[:8192])
    if not head.startswith("---"):
        return False
    pattern = r"(?m)^doc_type:[ \t]*[\"']?" + re.escape(doc_type) + r"[\"']?[ \t]*(?:#.*)?$"
    return re.search(pattern, head) is not None


def _sniff_text(head: bytes) -> str:
    """Return the start of a file as text for sniffing: in its BOM's encoding, one kind of line break."""
    text = None
    for bom, name in _UNSUPPORTED_BOMS:
        if head.startswith(bom):  # the utf-16 / utf-32 codecs read the BOM themselves
            text = head.decode(name.lower(), "ignore")
            break
    if text is None:
        text, _ = decode(head, "ignore")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(8192)
    except OSError:
        return b""


def _is_template_copy(data: bytes, template: Template) -> bool:
    return bool(template.source) and data in (encode(template.source, False), encode(template.source, True))
