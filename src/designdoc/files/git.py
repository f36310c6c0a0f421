"""Running git: the plumbing every history reader shares (the git rules, template versions).

`run` never raises: it returns git's stdout, or one line saying why git could not
answer ("not a git repository", "git is not installed", …).  `read_blobs` reads any
number of `commit:path` or blob versions with one `git cat-file --batch`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

TIMEOUT = 120  # seconds for one git call; a larger history is reported as unavailable


def work_tree(paths: Iterable[str | os.PathLike[str]]) -> tuple[str, bool, list[str]] | str:
    """Return (work-tree root, shallow?, pathspecs of `paths`), or why there is none."""
    folders = folders_of(paths)
    if not folders:
        return "no files"
    probe = run(["rev-parse", "--show-toplevel", "--is-shallow-repository"], cwd=folders[0])
    if isinstance(probe, str):
        return probe
    lines = probe.decode("utf-8", "surrogateescape").splitlines()
    specs = pathspecs(folders, lines[0]) if len(lines) >= 2 else []
    if not specs:
        return "not a git work tree"
    return lines[0], lines[1].strip() == "true", specs


def folders_of(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Return the smallest set of absolute folders covering `paths`, in a stable order."""
    found: set[str] = set()
    for path in paths:
        absolute = os.path.abspath(path)
        found.add(absolute if os.path.isdir(absolute) else os.path.dirname(absolute))
    ordered = sorted(found)
    kept: list[str] = []
    for folder in ordered:
        if not kept or not (folder == kept[-1] or folder.startswith(kept[-1].rstrip(os.sep) + os.sep)):
            kept.append(folder)
    return kept


def pathspecs(folders: list[str], top: str) -> list[str]:
    """Return `folders` relative to the work tree `top` (those outside it are left out)."""
    real_top = os.path.realpath(top)
    specs = []
    for folder in folders:
        relative = os.path.relpath(os.path.realpath(folder), real_top)
        if relative != ".." and not relative.startswith(".." + os.sep):
            specs.append(Path(relative).as_posix())
    return specs


def run(arguments: list[str], *, cwd: str, stdin: bytes | None = None) -> bytes | str:
    """Run git; return its stdout, or a one-line reason it could not run."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", *arguments], cwd=cwd, capture_output=True, env=env, timeout=TIMEOUT, check=False, input=stdin
        )
    except FileNotFoundError:
        return "git is not installed"
    except subprocess.TimeoutExpired:
        return f"git took over {TIMEOUT} s"
    except OSError as error:
        return f"git cannot run ({error.strerror or error})"
    if done.returncode != 0:
        return (
            "not a git repository"
            if b"not a git repository" in done.stderr
            else (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["git failed"])[-1]
        )
    return done.stdout


def name_status(tokens: list[bytes]) -> Iterable[tuple[str, str, str]]:
    """Yield (kind letter, old path, new path) from `--name-status -z` tokens."""
    at = 0
    while at < len(tokens):
        kind = tokens[at].decode("ascii", "replace")
        if not kind:
            at += 1
            continue
        if kind[0] in "RC" and at + 2 < len(tokens):
            yield kind[0], os.fsdecode(tokens[at + 1]), os.fsdecode(tokens[at + 2])
            at += 3
        elif at + 1 < len(tokens):
            yield kind[0], os.fsdecode(tokens[at + 1]), os.fsdecode(tokens[at + 1])
            at += 2
        else:
            return


def read_blobs(top: str, versions: Iterable[str]) -> dict[str, bytes] | str:
    """Return {version: bytes} for each `commit:path` or blob id that exists, read with one
    `git cat-file --batch`; a missing one is left out.  A string says why git could not answer."""
    wanted = list(dict.fromkeys(v for v in versions if "\n" not in v))
    if not wanted:
        return {}
    out = run(
        ["cat-file", "--batch"], cwd=top, stdin="".join(f"{v}\n" for v in wanted).encode("utf-8", "surrogateescape")
    )
    if isinstance(out, str):
        return out
    found: dict[str, bytes] = {}
    at = 0
    for version in wanted:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            found[version] = out[at : at + size]
            at += size + 1
    return found
