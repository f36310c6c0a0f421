"""The check cache: per-file results keyed by the file's bytes, for warm runs.

An entry maps (path, BLAKE2 digest of the bytes) to what the per-file phase
produced: its diagnostics and the small facts the project rules read.  The
cross-document rules always run again from those facts, so an edit elsewhere
is seen without re-parsing this file.

One file per settings fingerprint (tool version and code, Python, config,
template, rule selection, today) under `.designdoc-cache/` at the project
root (else in the working directory, as ruff's `.ruff_cache`), or
`DESIGNDOC_CACHE_DIR`.  It is written whole and atomically (temp file +
rename), so concurrent runs at worst redo work; a corrupt, foreign or stale
file is ignored and rebuilt, never fatal.  Loading goes through an unpickler
that accepts designdoc's own record classes only.

The folder carries its own `.gitignore` of `*` (made again when it is
missing), so `git add -A` never commits the cache, whatever the project's
own `.gitignore` says.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from designdoc import __version__

FORMAT = 3
# the plain values a cached result may hold besides the caller's own records
_PLAIN = frozenset(
    {
        *(("builtins", name) for name in ("frozenset", "set", "tuple", "list", "dict", "str", "int", "bytes")),
        ("datetime", "date"),
    }
)
_MAX_BYTES = 512 * 1024 * 1024
KEEP = 4  # cache files kept in the folder: one per settings fingerprint, the most recently written
NAME = ".designdoc-cache"
IGNORE = "*\n"  # the folder's own .gitignore: nothing in it is ever committed, even by `git add -A`
# what designdoc itself puts in a cache folder: a DESIGNDOC_CACHE_DIR holding anything else is not given a .gitignore
_OWN = re.compile(r"(check|versions)-.*\.pickle|\.(check|versions)-.*\.tmp|\.gitignore(-.*\.tmp)?")


def digest(data: bytes) -> bytes:
    """Return the content key of a file's bytes."""
    return hashlib.blake2b(data, digest_size=16).digest()


def fingerprint(*parts: object) -> str:
    """Return a short hash of everything a per-file result depends on besides the file."""
    text = repr((FORMAT, __version__, sys.version_info[:2], _package_stamps(), parts))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


@functools.cache
def _package_stamps() -> tuple[tuple[str, int, int], ...]:
    """Return the name, size and mtime of designdoc's own files, once a process: editing designdoc
    invalidates the cache, and a long-lived process (serve, the editor) does not stat them per run."""
    code = Path(__file__).parent.parent  # the whole package
    return tuple(
        sorted(
            (str(p.relative_to(code)), p.stat().st_size, p.stat().st_mtime_ns)
            for p in code.rglob("*")
            if p.suffix in (".py", ".md", ".toml")
        )
    )


def folder(root: Path | None) -> Path | None:
    """Return the cache folder: DESIGNDOC_CACHE_DIR, else `.designdoc-cache` at the project root.

    Without a project root (no config, no git work tree) the folder is in the working
    directory, so a warm run is fast there too; None only when that directory is gone.
    """
    explicit = os.environ.get("DESIGNDOC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    if root is None:
        try:
            root = Path.cwd()
        except OSError:  # the working directory was removed under us: no cache, not an error
            return None
    return root / NAME


def allowed(records: Iterable[type]) -> frozenset[tuple[str, str]]:
    """Return what the unpickler may load: the given record classes, by where they live now, and plain values."""
    return _PLAIN | {(cls.__module__, cls.__qualname__) for cls in records}


class _Unpickler(pickle.Unpickler):
    """Load the allowed records and plain values only: a foreign pickle cannot run code."""

    def __init__(self, data: bytes, allow: frozenset[tuple[str, str]]) -> None:
        super().__init__(io.BytesIO(data))
        self.allow = allow

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.allow:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing {module}.{name}")


class Cache:
    """Per-file results of one settings fingerprint; `get` and `put`, then `save`."""

    def __init__(self, path: Path | None, records: Iterable[type] = ()) -> None:
        self.path = path
        self.entries: dict[tuple[str, bytes], Any] = {}
        self.fresh: dict[tuple[str, bytes], Any] = {}
        # path -> (stat signature, digest): an unchanged file need not be read to find its entry
        self.stats: dict[str, tuple[tuple[int, ...], bytes]] = {}
        self.fresh_stats: dict[str, tuple[tuple[int, ...], bytes]] = {}
        if path is not None:
            self.entries, self.stats = _load(path, allowed(records))

    @classmethod
    def open(cls, root: Path | None, key: str, records: Iterable[type]) -> Cache:
        """Return the cache for a settings fingerprint (empty when there is no cache folder).

        `records` are the classes a stored result is made of; nothing else but plain values loads.
        """
        where = folder(root)
        return cls(where / f"check-{key}.pickle" if where is not None else None, records)

    def known_digest(self, path: str, signature: tuple[int, ...] | None) -> bytes | None:
        """Return the digest recorded for a file whose stat signature has not changed, else None."""
        if signature is None:
            return None
        known = self.stats.get(path)
        return known[1] if known is not None and known[0] == signature else None

    def get(self, path: str, key: bytes, signature: tuple[int, ...] | None = None) -> Any:
        """Return the stored result for this path and content, or None."""
        found = self.entries.get((path, key))
        if found is not None:
            self.fresh[(path, key)] = found
            if signature is not None:
                self.fresh_stats[path] = (signature, key)
        return found

    def put(self, path: str, key: bytes, value: Any, signature: tuple[int, ...] | None = None) -> None:
        """Store a result of this run (with the file's stat signature, when it has one)."""
        self.fresh[(path, key)] = value
        if signature is not None:
            self.fresh_stats[path] = (signature, key)

    def save(self) -> None:
        """Write this run's entries atomically; any failure only means no cache next time."""
        if self.path is None:
            return
        if self.fresh == self.entries and self.fresh_stats == self.stats:
            if self.path.parent.is_dir():  # nothing new to write, but a removed .gitignore comes back
                _keep_out_of_git(self.path.parent)
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _keep_out_of_git(self.path.parent)  # before the cache file: it is never visible to git unignored
            handle, temp = tempfile.mkstemp(prefix=".check-", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(handle, "wb") as out:
                pickle.dump({"entries": self.fresh, "stats": self.fresh_stats}, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, self.path)
            _prune(self.path.parent)
        except OSError:
            try:
                os.unlink(temp)
            except (OSError, NameError):
                pass


def recall(root: Path | None, name: str, records: Iterable[type] = ()) -> Any:
    """Return what `keep` kept under `name` in the cache folder (None when there is none, or it is
    unusable), loaded with the restricted unpickler: `records` and plain values."""
    where = folder(root)
    if where is None:
        return None
    try:
        return _Unpickler((where / _side_file(name)).read_bytes(), allowed(records) | _TEMPLATE_PARTS).load()
    except Exception:  # missing, corrupt or foreign: computed again
        return None


def keep(root: Path | None, name: str, value: Any) -> None:
    """Keep a value of a run (derived template versions, first-commit dates) in a small file of its
    own in the cache folder, written atomically; any failure only means computing it again."""
    where = folder(root)
    if where is None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True)
        _keep_out_of_git(where)
        handle, temp = tempfile.mkstemp(prefix=".versions-", suffix=".tmp", dir=where)
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, where / _side_file(name))
        _prune(where, "versions-*.pickle")
    except OSError:
        with contextlib.suppress(OSError, NameError):
            os.unlink(temp)


def remembered(root: Path | None, key: str, compute: Callable[[], Any], records: Iterable[type]) -> Any:
    """Return what `compute()` returned for `key` in an earlier run, else compute it and keep it
    when it is a list (a string says why it could not be computed: never kept)."""
    found = recall(root, key, records)
    if isinstance(found, list):
        return found
    value = compute()
    if isinstance(value, list):
        keep(root, key, value)
    return value


def _side_file(name: str) -> str:
    return f"versions-{fingerprint(name)}.pickle"


# what a derived template holds besides records: its compiled patterns and its path
_TEMPLATE_PARTS = frozenset({("re", "_compile"), ("pathlib", "PosixPath"), ("pathlib", "WindowsPath")})


def _keep_out_of_git(where: Path) -> None:
    """Give the cache folder a `.gitignore` of `*` when it has none, written atomically (never half a file).

    An existing one is left as it is; so is a DESIGNDOC_CACHE_DIR that holds other files than
    designdoc's (it may be a folder of the project: ignoring all of it is not ours to decide).
    Any failure only means the folder stays visible to git.
    """
    marker = where / ".gitignore"
    try:
        if marker.exists() or (where.name != NAME and not all(_OWN.fullmatch(n) for n in os.listdir(where))):
            return
        handle, temp = tempfile.mkstemp(prefix=".gitignore-", suffix=".tmp", dir=where)
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(IGNORE)
        os.replace(temp, marker)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _prune(where: Path, pattern: str = "check-*.pickle") -> None:
    """Keep the KEEP most recently written cache files (other settings, older versions); remove the rest."""
    files = sorted(where.glob(pattern), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in files[KEEP:]:
        old.unlink(missing_ok=True)


def _load(path: Path, allow: frozenset[tuple[str, str]]) -> tuple[dict, dict]:
    """Return (entries, stat index) of a cache file; empty ones for anything unusable."""
    try:
        if path.stat().st_size > _MAX_BYTES:
            return {}, {}
        loaded = _Unpickler(path.read_bytes(), allow).load()
    except Exception:  # a missing, corrupt, truncated or foreign cache is rebuilt, never fatal
        return {}, {}
    if not isinstance(loaded, dict):
        return {}, {}
    entries, stats = loaded.get("entries"), loaded.get("stats")
    if not isinstance(entries, dict) or not isinstance(stats, dict):
        return {}, {}
    return entries, stats
