"""Tests for designdoc.writer: every assertion looks at the real files on disk."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from designdoc.files import writer
from designdoc.files.writer import (
    check_writable,
    snapshot,
    write_all,
    write_atomic,
    write_new,
)
from designdoc.model.errors import WriteError

ORIGINAL = b"# Title\n\nOriginal text.\n"
NEW = b"# Title\n\nNew text.\n"


def make(path: Path, data: bytes = ORIGINAL, mode: int = 0o644) -> Path:
    """Create `path` with `data` and `mode`; return it."""
    path.write_bytes(data)
    path.chmod(mode)
    return path


def temps(folder: Path) -> list[str]:
    """Return the names of temporary files left in `folder`."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def age(path: Path, seconds: int = 1000) -> int:
    """Move `path`'s mtime into the past and return the new mtime_ns."""
    st = path.stat()
    old = st.st_mtime_ns - seconds * 1_000_000_000
    os.utime(path, ns=(st.st_atime_ns, old))
    return old


# --------------------------------------------------------------------------- snapshot


def test_snapshot_records_bytes_and_status(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md")
    snap = snapshot(doc)
    st = doc.stat()
    assert snap.data == ORIGINAL
    assert (snap.size, snap.ino, snap.dev, snap.mtime_ns) == (st.st_size, st.st_ino, st.st_dev, st.st_mtime_ns)
    assert snap.nlink == 1 and stat.S_IMODE(snap.mode) == 0o644
    assert snap.path == doc and snap.target == doc.resolve()


def test_snapshot_of_missing_file_is_a_write_error(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="could not read"):
        snapshot(tmp_path / "missing.md")


# --------------------------------------------------------------------------- write_atomic


def test_write_replaces_contents(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md")
    assert write_atomic(snapshot(doc), NEW) is True
    assert doc.read_bytes() == NEW
    assert temps(tmp_path) == []


def test_noop_write_keeps_mtime_and_inode(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md")
    old = age(doc)
    ino = doc.stat().st_ino
    assert write_atomic(snapshot(doc), ORIGINAL) is False
    assert doc.stat().st_mtime_ns == old
    assert doc.stat().st_ino == ino
    assert doc.read_bytes() == ORIGINAL


def test_real_write_updates_mtime(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md")
    old = age(doc)
    write_atomic(snapshot(doc), NEW)
    assert doc.stat().st_mtime_ns != old


@pytest.mark.parametrize("mode", [0o644, 0o755, 0o600, 0o664])
def test_mode_is_kept(tmp_path: Path, mode: int) -> None:
    doc = make(tmp_path / "doc.md", mode=mode)
    write_atomic(snapshot(doc), NEW)
    assert stat.S_IMODE(doc.stat().st_mode) == mode
    assert doc.read_bytes() == NEW


def test_owner_is_kept(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give a file to another user")
    doc = make(tmp_path / "doc.md")
    os.chown(doc, 1234, 5678)
    write_atomic(snapshot(doc), NEW)
    st = doc.stat()
    assert (st.st_uid, st.st_gid) == (1234, 5678)


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf# Title\r\n\r\nText\r\n",
        b"# No final newline",
        b"mixed\r\nends\nhere\r",
        "caf\u00e9 \u2014 \U0001f600\n".encode(),
        b"",
        b"\x00\xff binary-ish\n",
    ],
)
def test_bytes_are_written_exactly(tmp_path: Path, data: bytes) -> None:
    doc = make(tmp_path / "doc.md")
    write_atomic(snapshot(doc), data)
    assert doc.read_bytes() == data


def test_large_file_written_exactly(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md")
    data = os.urandom(3 * (1 << 20) + 17)
    write_atomic(snapshot(doc), data)
    assert doc.read_bytes() == data
    assert snapshot(doc).data == data


# --------------------------------------------------------------------------- refusals


def test_read_only_file_refused_and_unchanged(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md", mode=0o444)
    old = age(doc)
    snap = snapshot(doc)
    with pytest.raises(WriteError, match=r"doc\.md: read-only \(mode 0444\).*not written"):
        write_atomic(snap, NEW)
    assert doc.read_bytes() == ORIGINAL
    assert doc.stat().st_mtime_ns == old
    assert stat.S_IMODE(doc.stat().st_mode) == 0o444
    assert temps(tmp_path) == []


def test_file_made_read_only_after_snapshot_refused(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md")
    snap = snapshot(doc)
    doc.chmod(0o444)
    with pytest.raises(WriteError, match="read-only"):
        write_atomic(snap, NEW)
    assert doc.read_bytes() == ORIGINAL


def test_hard_link_refused(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md")
    other = tmp_path / "other.md"
    os.link(doc, other)
    snap = snapshot(doc)
    with pytest.raises(WriteError, match="hard-linked.*split the links"):
        write_atomic(snap, NEW)
    assert doc.read_bytes() == ORIGINAL
    assert os.path.samefile(doc, other)
    assert doc.stat().st_nlink == 2
    assert temps(tmp_path) == []


def test_changed_on_disk_refused(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md")
    snap = snapshot(doc)
    doc.write_bytes(b"someone else's edit\n")
    with pytest.raises(WriteError, match=r"doc\.md: changed on disk since it was read, not written"):
        write_atomic(snap, NEW)
    assert doc.read_bytes() == b"someone else's edit\n"


def test_same_size_same_mtime_change_detected_by_bytes(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md")
    snap = snapshot(doc)
    st = doc.stat()
    edited = ORIGINAL.replace(b"Original", b"ORIGINAL")
    assert len(edited) == len(ORIGINAL)
    doc.write_bytes(edited)
    os.utime(doc, ns=(st.st_atime_ns, st.st_mtime_ns))  # a coarse-mtime file system
    with pytest.raises(WriteError, match="changed on disk"):
        write_atomic(snap, NEW)
    assert doc.read_bytes() == edited


def test_replaced_file_refused(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md")
    snap = snapshot(doc)
    replacement = make(tmp_path / "x.md")
    os.replace(replacement, doc)  # same bytes, new inode
    with pytest.raises(WriteError, match="changed on disk"):
        write_atomic(snap, NEW)
    assert doc.read_bytes() == ORIGINAL


def test_deleted_file_refused_and_not_recreated(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md")
    snap = snapshot(doc)
    doc.unlink()
    with pytest.raises(WriteError, match="changed on disk"):
        write_atomic(snap, NEW)
    assert not doc.exists()


def test_directory_refused(tmp_path: Path) -> None:
    folder = tmp_path / "dir.md"
    folder.mkdir()
    snap = snapshot(folder)
    with pytest.raises(WriteError, match="not a regular file"):
        check_writable(snap)
    with pytest.raises(WriteError, match="not a regular file"):
        write_atomic(snap, NEW)
    assert folder.is_dir()


def test_fifo_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    snap = snapshot(fifo)
    with pytest.raises(WriteError, match="not a regular file"):
        write_atomic(snap, NEW)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_check_writable_accepts_a_plain_file(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md")
    check_writable(snapshot(doc))
    assert doc.read_bytes() == ORIGINAL


# --------------------------------------------------------------------------- symlinks


def test_symlink_written_through_to_target(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = make(real_dir / "target.md", mode=0o640)
    link = tmp_path / "link.md"
    link.symlink_to(Path("real") / "target.md")
    snap = snapshot(link)
    assert snap.path == link and snap.target == target.resolve()
    assert write_atomic(snap, NEW) is True
    assert link.is_symlink()
    assert os.readlink(link) == str(Path("real") / "target.md")
    assert target.read_bytes() == NEW
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert temps(tmp_path) == [] and temps(real_dir) == []


def test_repointed_symlink_refused(tmp_path: Path) -> None:
    first = make(tmp_path / "first.md")
    second = make(tmp_path / "second.md")
    link = tmp_path / "link.md"
    link.symlink_to(first)
    snap = snapshot(link)
    link.unlink()
    link.symlink_to(second)
    with pytest.raises(WriteError, match="changed on disk"):
        write_atomic(snap, NEW)
    assert first.read_bytes() == ORIGINAL and second.read_bytes() == ORIGINAL


# --------------------------------------------------------------------------- failures while writing


def test_disk_full_leaves_original_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = make(tmp_path / "doc.md")
    old = age(doc)
    snap = snapshot(doc)
    real_write = os.write
    calls = []

    def full(fd: int, data: bytes) -> int:
        calls.append(fd)
        if len(calls) == 1:
            return real_write(fd, bytes(data[:5]))  # a short write first, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(WriteError) as info:
        write_atomic(snap, NEW)
    monkeypatch.undo()
    assert str(info.value) == f"{doc}: could not write: No space left on device"
    assert len(calls) == 2
    assert doc.read_bytes() == ORIGINAL
    assert doc.stat().st_mtime_ns == old
    assert temps(tmp_path) == []


def test_fsync_failure_leaves_original_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = make(tmp_path / "doc.md")
    snap = snapshot(doc)

    def broken(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(WriteError, match="could not write: Input/output error"):
        write_atomic(snap, NEW)
    monkeypatch.undo()
    assert doc.read_bytes() == ORIGINAL
    assert temps(tmp_path) == []


@pytest.mark.parametrize(
    ("code", "exc_type"),
    [(errno.EACCES, PermissionError), (errno.EROFS, OSError)],
)
def test_unwritable_folder_leaves_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, exc_type: type[OSError]
) -> None:
    doc = make(tmp_path / "doc.md")
    snap = snapshot(doc)
    real_open = os.open

    def refusing(path, flags, *args, **kwargs):
        if flags & os.O_CREAT:  # what a read-only folder does to file creation
            raise exc_type(code, os.strerror(code), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)
    with pytest.raises(WriteError) as info:
        write_atomic(snap, NEW)
    monkeypatch.undo()
    assert str(info.value) == f"{doc}: could not write: {os.strerror(code)}"
    assert doc.read_bytes() == ORIGINAL
    assert temps(tmp_path) == []


def test_temp_name_is_hidden_and_not_markdown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = make(tmp_path / "doc.md")
    snap = snapshot(doc)
    seen: list[str] = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(Path(src).name)
        assert Path(src).parent == Path(dst).parent
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    write_atomic(snap, NEW)
    assert len(seen) == 1
    assert seen[0].startswith(".doc.md.") and seen[0].endswith(".tmp")
    assert doc.read_bytes() == NEW


def test_long_name_gets_a_short_enough_temp(tmp_path: Path) -> None:
    doc = make(tmp_path / ("x" * 250 + ".md"))
    write_atomic(snapshot(doc), NEW)
    assert doc.read_bytes() == NEW


# --------------------------------------------------------------------------- write_all


def test_write_all_writes_every_changed_file(tmp_path: Path) -> None:
    a, b, c = (make(tmp_path / f"{n}.md") for n in "abc")
    old_c = age(c)
    written = write_all([(snapshot(a), b"A\n"), (snapshot(b), b"B\n"), (snapshot(c), ORIGINAL)])
    assert written == [a, b]
    assert a.read_bytes() == b"A\n" and b.read_bytes() == b"B\n"
    assert c.read_bytes() == ORIGINAL and c.stat().st_mtime_ns == old_c
    assert temps(tmp_path) == []


def test_write_all_with_one_refused_file_writes_none(tmp_path: Path) -> None:
    a = make(tmp_path / "a.md")
    b = make(tmp_path / "b.md", mode=0o444)
    c = make(tmp_path / "c.md")
    olds = {p: age(p) for p in (a, b, c)}
    changes = [(snapshot(a), b"A\n"), (snapshot(b), b"B\n"), (snapshot(c), b"C\n")]
    with pytest.raises(WriteError, match=r"b\.md: read-only"):
        write_all(changes)
    for p in (a, b, c):
        assert p.read_bytes() == ORIGINAL
        assert p.stat().st_mtime_ns == olds[p]
    assert temps(tmp_path) == []


def test_write_all_with_one_changed_file_writes_none(tmp_path: Path) -> None:
    a, b = make(tmp_path / "a.md"), make(tmp_path / "b.md")
    changes = [(snapshot(a), b"A\n"), (snapshot(b), b"B\n")]
    b.write_bytes(b"edited\n")
    with pytest.raises(WriteError, match=r"b\.md: changed on disk"):
        write_all(changes)
    assert a.read_bytes() == ORIGINAL and b.read_bytes() == b"edited\n"


def test_write_all_staging_failure_writes_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = make(tmp_path / "a.md"), make(tmp_path / "b.md")
    changes = [(snapshot(a), b"A\n"), (snapshot(b), b"B\n")]
    real_write = os.write
    count = 0

    def full_on_second(fd: int, data: bytes) -> int:
        nonlocal count
        count += 1
        if count == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_on_second)
    with pytest.raises(WriteError, match=r"b\.md: could not write: No space left on device"):
        write_all(changes)
    monkeypatch.undo()
    assert a.read_bytes() == ORIGINAL and b.read_bytes() == ORIGINAL
    assert temps(tmp_path) == []


def test_write_all_rename_failure_restores_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = make(tmp_path / "a.md", mode=0o755)
    b = make(tmp_path / "b.md")
    c = make(tmp_path / "c.md")
    old_a = age(a)
    changes = [(snapshot(a), b"A\n"), (snapshot(b), b"B\n"), (snapshot(c), b"C\n")]
    real_replace = os.replace
    renamed: list[Path] = []

    def fail_on_b(src, dst):
        if Path(dst).name == "b.md" and Path(src).read_bytes() == b"B\n":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)
        renamed.append(Path(dst))

    monkeypatch.setattr(os, "replace", fail_on_b)
    with pytest.raises(WriteError) as info:
        write_all(changes)
    monkeypatch.undo()
    assert str(info.value).startswith(f"{b}: could not write: Input/output error")
    assert "restored" in str(info.value)
    assert renamed == [a, a]  # replaced, then restored
    for p in (a, b, c):
        assert p.read_bytes() == ORIGINAL
    assert stat.S_IMODE(a.stat().st_mode) == 0o755
    assert a.stat().st_mtime_ns == old_a
    assert temps(tmp_path) == []


def test_write_all_reports_a_failed_restore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = make(tmp_path / "a.md"), make(tmp_path / "b.md")
    changes = [(snapshot(a), b"A\n"), (snapshot(b), b"B\n")]
    real_replace = os.replace
    calls = 0

    def only_first_works(src, dst):
        nonlocal calls
        calls += 1
        if calls > 1:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", only_first_works)
    with pytest.raises(WriteError) as info:
        write_all(changes)
    monkeypatch.undo()
    message = str(info.value)
    assert message.startswith(f"{b}: could not write")
    assert f"could not restore {a}" in message
    assert a.read_bytes() == b"A\n"  # honest message: a really was changed
    assert b.read_bytes() == ORIGINAL
    assert temps(tmp_path) == []


def test_write_all_refuses_the_same_file_twice(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md")
    link = tmp_path / "link.md"
    link.symlink_to(doc)
    with pytest.raises(WriteError, match="same file as"):
        write_all([(snapshot(doc), b"one\n"), (snapshot(link), b"two\n")])
    assert doc.read_bytes() == ORIGINAL


def test_write_all_of_nothing(tmp_path: Path) -> None:
    assert write_all([]) == []


# --------------------------------------------------------------------------- write_new


def test_write_new_creates_file(tmp_path: Path) -> None:
    path = tmp_path / "new.md"
    write_new(path, b"\xef\xbb\xbf# New\r\n")
    assert path.read_bytes() == b"\xef\xbb\xbf# New\r\n"
    assert path.stat().st_nlink == 1
    assert temps(tmp_path) == []


def test_write_new_honours_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_new(tmp_path / "new.md", NEW)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o640


def test_write_new_refuses_existing_file(tmp_path: Path) -> None:
    doc = make(tmp_path / "doc.md")
    old = age(doc)
    with pytest.raises(WriteError, match=r"doc\.md: already exists, not written"):
        write_new(doc, NEW)
    assert doc.read_bytes() == ORIGINAL
    assert doc.stat().st_mtime_ns == old
    assert temps(tmp_path) == []


def test_write_new_refuses_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "doc.md"
    link.symlink_to(tmp_path / "nowhere.md")
    with pytest.raises(WriteError, match="already exists"):
        write_new(link, NEW)
    assert not (tmp_path / "nowhere.md").exists()


def test_write_new_loses_a_race_without_clobbering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "doc.md"
    real_lexists = os.path.lexists

    def racing(p):
        result = real_lexists(p)
        make(path, b"the other writer\n")  # appears right after the check
        return result

    monkeypatch.setattr(os.path, "lexists", racing)
    with pytest.raises(WriteError, match="already exists"):
        write_new(path, NEW)
    monkeypatch.undo()
    assert path.read_bytes() == b"the other writer\n"
    assert temps(tmp_path) == []


def test_write_new_without_hard_links_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "doc.md"

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_links)
    write_new(path, NEW)
    monkeypatch.undo()
    assert path.read_bytes() == NEW
    assert temps(tmp_path) == []


def test_write_new_disk_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "doc.md"

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(WriteError, match="could not write: No space left on device"):
        write_new(path, NEW)
    monkeypatch.undo()
    assert not path.exists()
    assert temps(tmp_path) == []


def test_write_new_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="could not write: No such file or directory"):
        write_new(tmp_path / "nope" / "doc.md", NEW)


def test_module_prints_nothing(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    doc = make(tmp_path / "doc.md")
    write_atomic(snapshot(doc), NEW)
    write_new(tmp_path / "new.md", NEW)
    with pytest.raises(WriteError):
        write_new(tmp_path / "new.md", NEW)
    assert capfd.readouterr() == ("", "")
    assert writer.__doc__
