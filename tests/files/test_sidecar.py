"""Reading a sidecar with the doc's care: every refusal is a reason, never an exception."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from designdoc.files.sidecar import read_sidecar, sidecar_path


def doc_in(tmp_path: Path) -> Path:
    folder = tmp_path / "tree" / "keps" / "4012"
    folder.mkdir(parents=True)
    doc = folder / "README.md"
    doc.write_text("# KEP-4012\n", "utf-8")
    return doc


def test_the_pattern_names_a_file_beside_the_doc() -> None:
    assert sidecar_path(Path("keps/4012/README.md"), "kep.yaml") == Path("keps/4012/kep.yaml")
    assert sidecar_path(Path("adr/0003-queue.md"), "{stem}.meta.yaml") == Path("adr/0003-queue.meta.yaml")


def test_a_plain_sidecar_is_read_with_its_bom_removed(tmp_path: Path) -> None:
    doc = doc_in(tmp_path)
    (doc.parent / "kep.yaml").write_bytes(b"\xef\xbb\xbfstatus: provisional\n")
    sidecar, data = read_sidecar(doc, "kep.yaml", tmp_path / "tree")
    assert (sidecar.text, sidecar.problem) == ("status: provisional\n", None)
    assert data.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda side, outside: None, "is missing"),
        (lambda side, outside: os.symlink(outside, side), "symlink out of"),
        (lambda side, outside: os.mkfifo(side), "not a regular file"),
        (lambda side, outside: side.mkdir(), "not a regular file"),
        (lambda side, outside: side.write_bytes(b"a: " + b"x" * 70_000), "over 64 KiB"),
        (lambda side, outside: side.write_bytes(b"status: \xff\n"), "not valid UTF-8"),
        (lambda side, outside: side.write_bytes(b"status: a\x00b\n"), "NUL byte"),
        (lambda side, outside: os.symlink(side, side), "cannot be read"),
    ],
    ids=["missing", "symlink-out", "fifo", "folder", "huge", "not-utf8", "nul", "symlink-loop"],
)
def test_a_sidecar_that_cannot_be_read_says_why(tmp_path: Path, make, reason: str) -> None:
    doc = doc_in(tmp_path)
    outside = tmp_path / "secret.yaml"
    outside.write_text("status: implemented\n", "utf-8")
    make(doc.parent / "kep.yaml", outside)
    sidecar, _ = read_sidecar(doc, "kep.yaml", tmp_path / "tree")
    assert sidecar.text is None and reason in (sidecar.problem or "")


def test_a_symlink_inside_the_tree_is_followed(tmp_path: Path) -> None:
    doc = doc_in(tmp_path)
    shared = tmp_path / "tree" / "shared.yaml"
    shared.write_text("status: implementable\n", "utf-8")
    os.symlink(shared, doc.parent / "kep.yaml")
    sidecar, _ = read_sidecar(doc, "kep.yaml", tmp_path / "tree")
    assert sidecar.text == "status: implementable\n"
