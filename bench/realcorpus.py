"""A local clone of a public corpus of design docs, as `bench/run.py --corpus` and `bench/site.py --corpus` use it.

The corpus folder is only ever read.  `Corpus.files` are the Markdown files the
benchmark runs every tool on: those a `designdoc check` of the same `paths` walks
(hidden folders, `node_modules`, `__pycache__`, symlinked folders, editor temp
files and `exclude` globs skipped), less the template itself.  Everything a tool
needs to write (designdoc's config and check cache, mkdocs' `mkdocs.yml`,
`docs_dir` and site) goes in a temporary folder outside the corpus, and
`snapshot` tells whether the corpus changed all the same.  Stdlib only.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

TEMP_FILE = re.compile(r"^\.|~$|^#.*#$|\.tmp$|\.swp$")  # as designdoc.files.discovery
SKIP_DIRS = frozenset(("node_modules", "__pycache__"))


@dataclass(frozen=True)
class Corpus:
    """A corpus folder, its template, the checked sub-folders and the docs found in them."""

    root: Path
    template: Path
    paths: tuple[str, ...]
    exclude: tuple[str, ...]
    files: tuple[str, ...]  # POSIX paths relative to `root`, sorted
    sizes: tuple[int, ...]  # bytes, in the order of `files`

    @property
    def total(self) -> int:
        """Return the docs' total size in bytes."""
        return sum(self.sizes)

    def describe(self) -> str:
        """Return one line: where, how many docs, how big."""
        median, largest = statistics.median(self.sizes) / 1024, max(self.sizes) / 1024
        template = self.template.relative_to(self.root) if self.template.is_relative_to(self.root) else self.template
        return (
            f"{self.root}: {len(self.files)} docs under {', '.join(self.paths)}, {self.total / 1024:,.0f} KiB "
            f"= {self.total / 2**20:.1f} MiB "
            f"(median {median:.1f} KiB, largest {largest:.0f} KiB); template {template} "
            f"({self.template.stat().st_size:,} bytes)"
        )

    def config(self, *, builtin: bool = False) -> str:
        """Return a designdoc.toml for this corpus: its template (or none: the built-in one), paths, exclude."""
        lines = [] if builtin else [f"template = {json.dumps(str(self.template))}"]
        # absolute: designdoc reads configured paths relative to the config file, which is not in the corpus
        lines.append(f"paths = {json.dumps([os.path.normpath(self.root / p) for p in self.paths])}")
        if self.exclude:
            lines.append(f"exclude = {json.dumps(list(self.exclude))}")
        return "\n".join(lines) + "\n"  # JSON strings and lists of strings are valid TOML


def open_corpus(root: Path, template: str, paths: list[str] | None, exclude: list[str] | None = None) -> Corpus:
    """Find the docs of a corpus folder; SystemExit with a reason when the folder, template or a path is missing."""
    root = root.resolve()
    if not root.is_dir():
        raise SystemExit(f"--corpus {root}: no such folder")
    template_path = (root / template).resolve()
    if not template_path.is_file():
        raise SystemExit(f"--template {template}: no such file (relative to {root}, or absolute)")
    paths = paths or ["."]
    for name in paths:
        if not (root / name).is_dir():
            raise SystemExit(f"--paths {name}: no such folder in {root}")
    exclude = tuple(exclude or ())
    found = sorted({f for name in paths for f in walk(root, name, exclude)})
    files = tuple(f for f in found if (root / f).resolve() != template_path)
    if not files:
        raise SystemExit(f"no Markdown files under {', '.join(paths)} in {root}")
    return Corpus(root, template_path, tuple(paths), exclude, files, tuple((root / f).stat().st_size for f in files))


def walk(root: Path, start: str, exclude: tuple[str, ...]) -> list[str]:
    """Return the `.md` files designdoc's folder walk finds under `root/start`, relative to `root`."""
    found = []
    for folder, dirs, names in os.walk(root / start):  # os.walk does not enter symlinked folders
        relative = Path(folder).relative_to(root)
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith(".") and d not in SKIP_DIRS and not excluded((relative / d).as_posix(), d, exclude)
        ]
        for name in names:
            path = (relative / name).as_posix()
            if name.endswith(".md") and not TEMP_FILE.search(name) and not excluded(path, name, exclude):
                found.append(path)
    return found


def excluded(path: str, name: str, exclude: tuple[str, ...]) -> bool:
    """Return True when an `exclude` glob matches the path (relative to the corpus) or the name."""
    return any(fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(name, pattern) for pattern in exclude)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Return (size, mtime) of every file and folder under `root` but `.git`: compare two to see a write."""
    state = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in [*dirs, *names]:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            state[os.path.relpath(path, root)] = (info.st_size, info.st_mtime_ns)
    return state


def changes(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    """Return the paths added, removed or changed between two snapshots (an empty list: untouched)."""
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def symlink_farm(corpus: Corpus, folder: Path) -> Path:
    """Fill `folder` with symlinks to the corpus' docs and the other files beside them (images); return it.

    A generator such as mkdocs then reads exactly `corpus.files` (and their assets) from one `docs_dir`,
    without anything being written into the corpus.
    """
    docs = set(corpus.files)
    for name in corpus.paths:
        for current, dirs, names in os.walk(corpus.root / name):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS]
            for file in names:
                if file.startswith("."):
                    continue
                relative = (Path(current) / file).relative_to(corpus.root)
                if file.endswith(".md") and relative.as_posix() not in docs:
                    continue  # an excluded doc, the template, or a temp file
                link = folder / relative
                if not link.is_symlink():
                    link.parent.mkdir(parents=True, exist_ok=True)
                    link.symlink_to(corpus.root / relative)
    return folder
