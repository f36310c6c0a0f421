"""The only place designdoc writes user files.

Guarantees, for every file this module touches:

* **Read before write.**  A file is only rewritten from a `Snapshot` taken when
  it was read.  Just before writing (and again just before the final rename)
  the file is compared with that snapshot: identity (device, inode), size,
  mtime and finally the bytes themselves.  A file that changed in between is
  refused with "changed on disk since it was read, not written".
* **No surprising rewrites.**  Refused outright: anything that is not a regular
  file, a hard-linked file (a rename would split the links), a file whose
  owner-write bit is clear (read-only; checked on the mode bits, not with
  `os.access`, which says yes to root), and a file whose owner could not be
  given back to it after the rewrite.
* **Atomic.**  New bytes go to a temporary file in the same folder, named
  `.{name}.{random}.tmp` (never `*.md`, so discovery ignores it), which is
  written, given the original owner and mode, fsynced and then renamed onto the
  real file; the folder is fsynced afterwards.  A symlinked document is written
  through to its target, and the link stays a link.  On any failure the
  temporary file is removed and the original is left exactly as it was; one left
  behind by a run that was killed is removed by the next write of that file.
* **No-op writes are no writes.**  Unchanged bytes leave the file (and its
  mtime) untouched.
* **All or nothing.**  `write_all` checks every file first, then writes every
  temporary file, then renames them all; if one rename fails, the files already
  replaced are restored (atomically) from their snapshot bytes.
* **New files never clobber.**  `write_new` publishes with `link(2)`, which
  fails when the name exists, so an existing file is never replaced.

Every refusal or failure is a `WriteError` whose message is one line starting
with the file's path.  This module prints nothing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from designdoc.model.errors import WriteError

_CHUNK = 1 << 20
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_MAX_TEMP_STEM = 200  # bytes of the original name kept in a temp name (NAME_MAX is 255)
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What was read from a file, to detect changes before writing it back."""

    path: Path
    target: Path
    data: bytes = field(repr=False)
    mtime_ns: int
    size: int
    ino: int
    dev: int
    mode: int
    nlink: int


@dataclass(frozen=True, slots=True)
class _Staged:
    """A snapshot whose new bytes sit in a temporary file, ready to rename."""

    snap: Snapshot
    temp: Path
    current: os.stat_result


# --------------------------------------------------------------------------- reading


def snapshot(path: Path) -> Snapshot:
    """Read `path` and record its bytes and the status of the same open file."""
    path = Path(path)
    target = Path(os.path.realpath(path))
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        raise WriteError(f"{path}: could not read: {_reason(exc)}") from exc
    try:
        st = os.fstat(fd)
        data = _read_fd(fd) if stat.S_ISREG(st.st_mode) else b""
    except OSError as exc:
        raise WriteError(f"{path}: could not read: {_reason(exc)}") from exc
    finally:
        os.close(fd)
    return Snapshot(
        path=path,
        target=target,
        data=data,
        mtime_ns=st.st_mtime_ns,
        size=st.st_size,
        ino=st.st_ino,
        dev=st.st_dev,
        mode=st.st_mode,
        nlink=st.st_nlink,
    )


def _read_fd(fd: int) -> bytes:
    """Return everything left to read from `fd`."""
    chunks = []
    while chunk := os.read(fd, _CHUNK):
        chunks.append(chunk)
    return b"".join(chunks)


def _read_bytes(path: Path) -> bytes:
    """Return the bytes of `path` (which must be a regular file)."""
    fd = os.open(path, _READ_FLAGS)
    try:
        return _read_fd(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- checking


def check_writable(snap: Snapshot) -> None:
    """Raise WriteError unless the snapshotted file can be rewritten safely now.

    The file must be a regular file with one link, owner-writable, owned by us
    (or we are root), and unchanged since `snap` was taken.
    """
    _verify(snap)


def _verify(snap: Snapshot) -> os.stat_result:
    """Run every check of `check_writable` and return the file's current status."""
    if not stat.S_ISREG(snap.mode):
        raise _refuse(snap, "not a regular file, not written; only regular files are rewritten")
    current = _current_stat(snap)
    _check_unchanged(snap, current)
    _check_links(snap, current)
    _check_mode(snap, current)
    _check_owner(snap, current)
    return current


def _current_stat(snap: Snapshot) -> os.stat_result:
    """Return the target's status now, refusing if it is gone or re-pointed."""
    if Path(os.path.realpath(snap.path)) != snap.target:
        raise _changed(snap)
    try:
        return os.lstat(snap.target)
    except FileNotFoundError as exc:
        raise _changed(snap) from exc
    except OSError as exc:
        raise WriteError(f"{snap.path}: could not read: {_reason(exc)}") from exc


def _check_unchanged(snap: Snapshot, current: os.stat_result) -> None:
    """Refuse if the file differs from the snapshot in identity, status or bytes."""
    seen = (current.st_dev, current.st_ino, current.st_size, current.st_mtime_ns)
    if seen != (snap.dev, snap.ino, snap.size, snap.mtime_ns) or not stat.S_ISREG(current.st_mode):
        raise _changed(snap)
    # Equal status is not proof: mtime has coarse ticks on some file systems.
    try:
        now = _read_bytes(snap.target)
    except OSError as exc:
        raise WriteError(f"{snap.path}: could not read: {_reason(exc)}") from exc
    if now != snap.data:
        raise _changed(snap)


def _check_links(snap: Snapshot, current: os.stat_result) -> None:
    """Refuse a hard-linked file: replacing it would split the links."""
    if current.st_nlink > 1:
        raise _refuse(
            snap,
            f"hard-linked ({current.st_nlink} links): a rename would split the links, not written; "
            "edit it by hand or replace it with a standalone copy",
        )


def _check_mode(snap: Snapshot, current: os.stat_result) -> None:
    """Refuse a file whose owner-write bit is clear."""
    if not current.st_mode & stat.S_IWUSR:
        mode = stat.S_IMODE(current.st_mode)
        raise _refuse(
            snap,
            f"read-only (mode {mode:04o}), not written; make it writable (chmod u+w) to allow changes",
        )


def _check_owner(snap: Snapshot, current: os.stat_result) -> None:
    """Refuse a file owned by someone else when we cannot give it back to them."""
    euid = os.geteuid() if hasattr(os, "geteuid") else None
    if euid not in (None, 0) and current.st_uid != euid:
        raise _refuse(snap, _owner_message(current))


def _owner_message(current: os.stat_result) -> str:
    """Describe the ownership refusal."""
    return (
        f"owned by {current.st_uid}:{current.st_gid}, which a rewrite could not keep, "
        "not written; run as the file's owner"
    )


def _changed(snap: Snapshot) -> WriteError:
    """Return the error for a file that changed since it was read."""
    return _refuse(snap, "changed on disk since it was read, not written; run the command again")


def _refuse(snap: Snapshot, why: str) -> WriteError:
    """Return a WriteError naming the snapshot's path."""
    return WriteError(f"{snap.path}: {why}")


def _reason(exc: OSError) -> str:
    """Return the one-line reason of an OSError ("No space left on device")."""
    return exc.strerror or str(exc) or type(exc).__name__


# --------------------------------------------------------------------------- writing


def write_atomic(snap: Snapshot, data: bytes) -> bool:
    """Replace the snapshotted file with `data`; return False (writing nothing) if unchanged."""
    return bool(write_all([(snap, data)]))


def write_all(changes: Sequence[tuple[Snapshot, bytes]]) -> list[Path]:
    """Write every changed file or none of them; return the paths written.

    Pairs whose bytes equal their snapshot are skipped and not returned.
    """
    pending = [(snap, data) for snap, data in changes if data != snap.data]
    _refuse_duplicates(snap for snap, _ in pending)
    currents = [_verify(snap) for snap, _ in pending]
    staged = _stage_all(pending, currents)
    try:
        for item in staged:
            _check_unchanged(item.snap, _current_stat(item.snap))
    except BaseException:
        _discard(item.temp for item in staged)
        raise
    _rename_all(staged)
    _fsync_dirs({item.snap.target.parent for item in staged})
    for item in staged:
        sweep_stale_temps(item.snap.target)
    return [item.snap.path for item in staged]


STALE_TEMP_SECONDS = 600  # a write takes milliseconds: a temporary file this old was left by a killed run


def sweep_stale_temps(target: Path) -> list[Path]:
    """Remove the temporary files an interrupted write of `target` left beside it; return them.

    Only designdoc's own are touched: regular files named exactly `.{name}.{8 hex digits}.tmp`
    for this file's name, older than `STALE_TEMP_SECONDS` (a newer one may be another run's, at work).
    """
    stem = target.name
    while len(os.fsencode(stem)) > _MAX_TEMP_STEM:
        stem = stem[:-1]
    ours = re.compile(rf"\.{re.escape(stem)}\.[0-9a-f]{{8}}\.tmp")
    removed = []
    cutoff = time.time() - STALE_TEMP_SECONDS
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if not ours.fullmatch(entry.name):
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _refuse_duplicates(snaps: Iterable[Snapshot]) -> None:
    """Refuse two changes to one file (say a symlink and its target): one would be lost."""
    seen: dict[Path, Snapshot] = {}
    for snap in snaps:
        if snap.target in seen:
            raise _refuse(
                snap,
                f"same file as {seen[snap.target].path}, not written; change it only once",
            )
        seen[snap.target] = snap


def _stage_all(pending: Sequence[tuple[Snapshot, bytes]], currents: Sequence[os.stat_result]) -> list[_Staged]:
    """Write every temporary file; on any failure remove those written and raise."""
    staged: list[_Staged] = []
    try:
        for (snap, data), current in zip(pending, currents, strict=True):
            temp = _write_temp(snap.path, snap.target, data, current)
            staged.append(_Staged(snap, temp, current))
    except BaseException:
        _discard(item.temp for item in staged)
        raise
    return staged


def _rename_all(staged: Sequence[_Staged]) -> None:
    """Rename every temporary file onto its target; on failure undo the ones done."""
    done: list[_Staged] = []
    for index, item in enumerate(staged):
        try:
            os.replace(item.temp, item.snap.target)
        except BaseException as exc:
            _discard(rest.temp for rest in staged[index:])
            problems = _restore(done)
            if isinstance(exc, OSError):
                raise WriteError(_rename_message(item.snap, exc, done, problems)) from exc
            raise
        done.append(item)


def _rename_message(snap: Snapshot, exc: OSError, done: Sequence[_Staged], problems: list[str]) -> str:
    """Describe a failed rename and what became of the files already replaced."""
    message = f"{snap.path}: could not write: {_reason(exc)}"
    if problems:
        return message + "; and could not restore " + "; ".join(problems)
    if done:
        return message + "; the other files were restored, nothing was changed"
    return message


def _restore(done: Sequence[_Staged]) -> list[str]:
    """Put back the snapshot bytes of files already replaced; return what failed."""
    problems = []
    for item in reversed(done):
        snap = item.snap
        try:
            temp = _write_temp(snap.path, snap.target, snap.data, item.current, mtime_ns=snap.mtime_ns)
            try:
                os.replace(temp, snap.target)
            except OSError:
                _discard([temp])
                raise
        except (OSError, WriteError) as exc:
            why = _reason(exc) if isinstance(exc, OSError) else str(exc)
            problems.append(f"{snap.path} ({why})")
    _fsync_dirs({item.snap.target.parent for item in done})
    return problems


def _write_temp(
    label: Path,
    target: Path,
    data: bytes,
    current: os.stat_result | None,
    *,
    mtime_ns: int | None = None,
) -> Path:
    """Write `data` to a new temporary file beside `target` and return its path.

    With `current`, the temp file gets that owner and mode (otherwise the
    umask decides); with `mtime_ns`, that modification time.
    """
    try:
        fd, temp = _create_temp(target, 0o600 if current is not None else 0o666)
    except OSError as exc:
        raise WriteError(f"{label}: could not write: {_reason(exc)}") from exc
    try:
        _fill(fd, data, current, mtime_ns, label)
    except BaseException as exc:
        _discard([temp])
        if isinstance(exc, OSError):
            raise WriteError(f"{label}: could not write: {_reason(exc)}") from exc
        raise
    return temp


def _fill(fd: int, data: bytes, current: os.stat_result | None, mtime_ns: int | None, label: Path) -> None:
    """Write, give owner and mode, fsync and close the temporary file `fd`."""
    try:
        _write_fd(fd, data)
        if current is not None:
            _give_owner(fd, current, label)
            os.fchmod(fd, stat.S_IMODE(current.st_mode))
        if mtime_ns is not None:
            os.utime(fd, ns=(time.time_ns(), mtime_ns))
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)  # NFS may only report ENOSPC here


def _create_temp(target: Path, mode: int) -> tuple[int, Path]:
    """Create and open `.{name}.{random}.tmp` beside `target` (O_EXCL)."""
    stem = target.name
    while len(os.fsencode(stem)) > _MAX_TEMP_STEM:
        stem = stem[:-1]
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        temp = target.with_name(f".{stem}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temp, flags, mode), temp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "could not pick a temporary file name", str(target.parent))


def _write_fd(fd: int, data: bytes) -> None:
    """Write all of `data` to `fd`, looping over short writes."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _give_owner(fd: int, current: os.stat_result, label: Path) -> None:
    """Give the temp file the original owner and group, or refuse."""
    mine = os.fstat(fd)
    uid = current.st_uid if current.st_uid != mine.st_uid else -1
    gid = current.st_gid if current.st_gid != mine.st_gid else -1
    if uid == -1 and gid == -1:
        return
    try:
        os.fchown(fd, uid, gid)
    except PermissionError as exc:
        raise WriteError(f"{label}: {_owner_message(current)}") from exc


def _discard(temps: Iterable[Path]) -> None:
    """Remove temporary files, ignoring any that are already gone."""
    for temp in temps:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _fsync_dirs(folders: Iterable[Path]) -> None:
    """Flush folder entries to disk (best effort: the rename has already happened)."""
    for folder in folders:
        try:
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


# --------------------------------------------------------------------------- new files


def write_new(path: Path, data: bytes) -> None:
    """Create `path` with `data`, refusing (WriteError) if anything already has that name."""
    path = Path(path)
    if os.path.lexists(path):
        raise _exists(path)
    temp = _write_temp(path, path, data, None)
    try:
        _publish(temp, path, data)
    finally:
        _discard([temp])
    _fsync_dirs([path.parent])


def _publish(temp: Path, path: Path, data: bytes) -> None:
    """Give the written temp file its real name without replacing anything."""
    try:
        os.link(temp, path, follow_symlinks=False)
    except FileExistsError as exc:
        raise _exists(path) from exc
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise WriteError(f"{path}: could not write: {_reason(exc)}") from exc
        _write_exclusive(path, data)


def _write_exclusive(path: Path, data: bytes) -> None:
    """Create `path` with O_EXCL and write it in place (for folders without hard links)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError as exc:
        raise _exists(path) from exc
    except OSError as exc:
        raise WriteError(f"{path}: could not write: {_reason(exc)}") from exc
    try:
        _fill(fd, data, None, None, path)
    except BaseException as exc:
        _discard([path])  # we created it a moment ago: nobody else's file
        if isinstance(exc, OSError):
            raise WriteError(f"{path}: could not write: {_reason(exc)}") from exc
        raise


def _exists(path: Path) -> WriteError:
    """Return the error for a new file whose name is taken."""
    return WriteError(f"{path}: already exists, not written; choose another name or remove it first")
