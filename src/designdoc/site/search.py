"""The search index: pagefind (the `pagefind[bin]` wheel, offline), run beside the build, made deterministic.

pagefind reads pages from a folder.  On a first build that folder is not the site: each
doc's *search record* (the part of its page that pagefind indexes, as a page of its own)
is written to a temporary folder as the check returns the doc, so pagefind starts as
soon as the check ends and indexes while the pages, the catalog and the dashboard are
being written.  Records and pages index to the same bytes (a test holds it), so a later
build that changed some pages just runs pagefind on the site.

pagefind writes its filter files in hash-map order, which changes from run to run
(pagefind 1.5: `filter/en_<hash>.pf_filter` holds `[name, [[value, [pages]], …]]` as
CBOR, gzipped, and the values come out shuffled).  The site promises the same bytes for
the same input, so after pagefind has run the filter values are sorted, the files named
by a hash of what they hold, and the two files that name them (`pagefind.<lang>_<hash>.pf_meta`
and `pagefind-entry.json`) rewritten to match.  The browser code only follows the names.

A site of more than `SHARD_PAGES` pages gets its index in bundles (`pagefind/shard-N/`,
a page's bundle fixed by a hash of its path), which the search page merges: pagefind's
time and memory grow faster than the pages, and an edit then makes one bundle again.

The index is written beside the site and swapped in when complete, so a page being
served never sees half an index.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from designdoc.site.links import SEARCH_DIR

SIGNATURE = b"pagefind_dcd"
TIMEOUT = 900  # seconds


class IndexFormatError(Exception):
    """The index is not in the format this module knows (a newer pagefind)."""


def executable() -> str | None:
    """Return the pagefind binary of the `pagefind[bin]` wheel (else one on PATH), or None."""
    try:
        from pagefind_bin import get_executable

        return str(get_executable())
    except (ImportError, FileNotFoundError):
        return shutil.which("pagefind")


SHARD_PAGES = 2000  # pages per bundle: pagefind's time and memory grow faster than the pages (bench/site.py)
PARALLEL = 2  # pagefind processes at once: one keeps about 1.4 cores busy
# What pagefind leaves out of a page: a Mermaid diagram's source is no text to find, nor to show in an excerpt
EXCLUDE_SELECTORS = "pre.mermaid"


def shard_count(pages: int) -> int:
    """Return how many bundles the index of `pages` pages is split into."""
    return max(1, -(-pages // SHARD_PAGES))


def shard_of(page: str, count: int) -> int:
    """Return the bundle a page is indexed in: fixed by its path, so an edit re-indexes one bundle."""
    if count == 1:
        return 0
    return int.from_bytes(hashlib.sha256(page.encode("utf-8", "surrogatepass")).digest()[:4], "big") % count


def bundle_folder(shard: int, count: int) -> str:
    """Return a bundle's folder in the site: the search folder itself when there is one bundle."""
    return SEARCH_DIR if count == 1 else f"{SEARCH_DIR}/shard-{shard}"


class Pagefind:
    """One pagefind process: `start` it on a folder of pages (their URLs are their paths below it), then `wait`."""

    def __init__(self, bundle: Path) -> None:
        self.bundle = bundle
        self._process: subprocess.Popen | None = None
        self._log = tempfile.TemporaryFile()

    def start(self, pages: Path) -> str | None:
        """Start indexing `pages` into the bundle folder; return why it could not start, or None."""
        binary = executable()
        if binary is None:
            return "the pagefind binary is missing (install 'pagefind[bin]')"
        try:
            self._process = subprocess.Popen(
                [
                    binary,
                    "--site",
                    str(pages),
                    "--output-path",
                    str(self.bundle),
                    "--exclude-selectors",
                    EXCLUDE_SELECTORS,
                    "--silent",
                ],
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
        except OSError as error:
            return f"pagefind failed ({error})"
        return None

    def wait(self) -> str | None:
        """Wait for pagefind; return why it failed, or None."""
        process = self._process
        if process is None:
            return "pagefind did not start"
        try:
            code = process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            return f"pagefind took more than {TIMEOUT} s"
        with self._log:
            if not code:
                return None
            self._log.seek(0)
            last = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return f"pagefind exited {code}" + (f" ({last[-1]})" if last else "")

    def kill(self) -> None:
        """Stop pagefind if it runs."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


class SearchIndex:
    """The site's search index made in the background: `start` it, then `finish` it into the site (or `stop` it).

    The index is `count` bundles (one for most sites; see `shard_count`).  `jobs` says which
    are made again, and from which folder of pages; `keep` says which of the last index's
    stay as they are: they move into the new index, which replaces the old one in a single
    rename.  `stop` may come from another thread while `finish` waits (the preview server
    drops an index that a newer build makes obsolete): the run then ends without an index
    or a note.
    """

    def __init__(
        self,
        output: Path,
        count: int,
        jobs: list[tuple[int, Path]],
        *,
        keep: Sequence[int] = (),
        scratch: Sequence[Path] = (),
    ) -> None:
        self.output, self.count = output, count
        self.fresh = output / f".{SEARCH_DIR}.new"
        self.error: str | None = None
        self.indexed = False  # the index is in place
        self.shards = frozenset(shard for shard, _ in jobs)  # the bundles this run makes
        self._pending = list(jobs)
        self._running: list[Pagefind] = []
        self._keep = list(keep)
        self._scratch = list(scratch)  # folders of pages made for the jobs: removed at the end
        self._ended = False  # finished or stopped: nothing more to do
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the first pagefind runs."""
        shutil.rmtree(self.fresh, ignore_errors=True)
        with self._lock:
            self._launch()

    def _launch(self) -> None:
        while self._pending and len(self._running) < PARALLEL and self.error is None and not self._ended:
            shard, pages = self._pending.pop(0)
            run = Pagefind(self.fresh if self.count == 1 else self.fresh / f"shard-{shard}")
            self.error = run.start(pages)
            self._running.append(run)

    def finish(self, notes: list[str], progress: Callable[[int, int], None] | None = None) -> bool:
        """Wait for every run and put the index in place; False (and a note) when it failed.

        `progress` hears (bundles made, bundles to make) as each run ends.
        """
        made = 0
        while True:
            with self._lock:
                if self._ended:
                    return False  # stopped while pagefind ran
                if not self._running:
                    break
                run = self._running[0]
            error = run.wait()  # a `stop` now kills it
            with self._lock:
                if self._ended:
                    return False
                self._running.remove(run)
                self.error = self.error or error
                made += 1
                if progress is not None:
                    progress(made, len(self.shards))
                if self.error is None:
                    try:
                        canonicalise(run.bundle)
                    except (IndexFormatError, OSError, ValueError, KeyError, IndexError) as problem:
                        notes.append(f"search index built, but not reproducibly: {problem}")
                self._launch()
        with self._lock:  # a `stop` now waits until the index is in place or dropped
            if self._ended:
                return False
            self._ended = True
            self._remove_scratch()
            if self.error is not None:
                notes.append(f"search index not built: {self.error}")
                shutil.rmtree(self.fresh, ignore_errors=True)
                return False
            final = self.output / SEARCH_DIR
            if not all((final / f"shard-{shard}").is_dir() for shard in self._keep):
                notes.append("search index not built: a bundle of the last index is gone (the next build makes it)")
                shutil.rmtree(self.fresh, ignore_errors=True)
                return False
            for shard in self._keep:  # the bundles not made again move into the new index
                os.replace(final / f"shard-{shard}", self.fresh / f"shard-{shard}")
            _swap(self.fresh, final)
            self.indexed = True
            return True

    def stop(self) -> None:
        """Stop pagefind if it still runs, and drop what it wrote (a failed or superseded build)."""
        with self._lock:
            if self._ended:
                return
            self._ended = True
            running, self._running, self._pending = self._running, [], []
            for run in running:
                run.kill()
            shutil.rmtree(self.fresh, ignore_errors=True)
            self._remove_scratch()

    def _remove_scratch(self) -> None:
        for folder in self._scratch:
            shutil.rmtree(folder, ignore_errors=True)


def _swap(fresh: Path, final: Path) -> None:
    old = final.with_name(f".{final.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(fresh, final)
    shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- deterministic output


def canonicalise(bundle: Path) -> None:
    """Sort the filter values of a pagefind bundle and rename its files by their content."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text("utf-8"))
    for language, info in sorted(entry["languages"].items()):
        info["hash"] = _canonical_language(bundle, language, info["hash"])
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")


def _canonical_language(bundle: Path, language: str, meta_hash: str) -> str:
    meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
    meta = _read(meta_path)
    if not (isinstance(meta, list) and len(meta) >= 4 and isinstance(meta[3], list)):
        raise IndexFormatError(f"{meta_path.name}: unknown layout")
    renamed = []
    for name, filter_hash in meta[3]:
        renamed.append([name, _canonical_filter(bundle / "filter", language, filter_hash)])
    meta[3] = sorted(renamed)
    new_hash = _write(bundle, "pagefind.{}.pf_meta", language, 10, meta)
    if new_hash != meta_hash:
        meta_path.unlink()
    return new_hash


def _canonical_filter(folder: Path, language: str, filter_hash: str) -> str:
    path = folder / f"{filter_hash}.pf_filter"
    content = _read(path)
    if not (isinstance(content, list) and len(content) == 2 and isinstance(content[1], list)):
        raise IndexFormatError(f"{path.name}: unknown layout")
    content[1] = sorted(content[1], key=lambda item: (str(item[0]), item[1]))
    new_hash = _write(folder, "{}.pf_filter", language, 7, content)
    if new_hash != filter_hash:
        path.unlink()
    return new_hash


def _read(path: Path) -> object:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise IndexFormatError(f"{path.name}: no pagefind signature")
    value, end = cbor_decode(data, len(SIGNATURE))
    if end != len(data):
        raise IndexFormatError(f"{path.name}: trailing bytes")
    return value


def _write(folder: Path, pattern: str, language: str, digits: int, value: object) -> str:
    data = SIGNATURE + cbor_encode(value)
    name = f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / pattern.format(name)).write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return name


# --------------------------------------------------------------------------- a minimal CBOR codec


def cbor_decode(data: bytes, i: int = 0) -> tuple[object, int]:
    """Decode one CBOR item (integers, strings, bytes, arrays, maps, simple values) at offset `i`."""
    major, info = data[i] >> 5, data[i] & 31
    i += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info not in simple:
            raise IndexFormatError(f"unsupported CBOR simple value {info}")
        return simple[info], i
    if info < 24:
        argument = info
    elif 24 <= info <= 27:
        size = 1 << (info - 24)
        argument = int.from_bytes(data[i : i + size], "big")
        i += size
    else:
        raise IndexFormatError(f"unsupported CBOR length {info}")
    if major == 0:
        return argument, i
    if major == 1:
        return -1 - argument, i
    if major in (2, 3):
        raw = bytes(data[i : i + argument])
        return (raw if major == 2 else raw.decode("utf-8")), i + argument
    items = []
    for _ in range(argument * (2 if major == 5 else 1)):
        item, i = cbor_decode(data, i)
        items.append(item)
    if major == 4:
        return items, i
    if major == 5:
        return _Map(zip(items[::2], items[1::2], strict=True)), i
    raise IndexFormatError(f"unsupported CBOR type {major}")


class _Map(list):
    """A decoded CBOR map, kept as ordered pairs so it encodes back byte for byte."""


def cbor_encode(value: object) -> bytes:
    """Encode a value as CBOR with the shortest heads (what pagefind writes)."""
    if value is False or value is True or value is None:
        return bytes([0xF4 if value is False else 0xF5 if value is True else 0xF6])
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, _Map):
        return _head(5, len(value)) + b"".join(cbor_encode(k) + cbor_encode(v) for k, v in value)
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(cbor_encode(item) for item in value)
    raise IndexFormatError(f"cannot encode {type(value).__name__}")


def _head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size, fmt in ((24, 1, ">B"), (25, 2, ">H"), (26, 4, ">I"), (27, 8, ">Q")):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + struct.pack(fmt, argument)
    raise IndexFormatError("integer too large for CBOR")
