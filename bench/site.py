"""Benchmark `designdoc build` against `mkdocs build` on the same synthetic corpus.

    uv run python bench/site.py [--sizes 1000,10000] [--peer-sizes 1000] [--repeat 1] [--tools-dir DIR]
    uv run python bench/site.py --corpus DIR --template FILE [--paths SUBDIR ...] [--repeat 3] [--tools-dir DIR]

For each size a corpus is written into a temporary folder, at run time, by
`bench/corpus.py` beside this file.  Then, side by side in one
run: a cold `designdoc build` (fresh output folder and check cache: check, render, search
index), a rebuild with no change and one after editing one doc (the incremental path:
the check cache and the site's manifest of the cold build), and, for the peer sizes, a cold
`mkdocs build` of the same docs folder (mkdocs is installed into a throw-away venv, never
into the project; its default theme and search plugin).  Wall time comes from
`time.perf_counter`; CPU (user + system, children included) and peak RSS from `os.wait4`.  The
machine may be busy with other work: the CPU column is the steadier number.  Stdlib only.

With `--corpus` (a local clone of a public corpus; bench/README.md lists some) the same builds
run on that folder's docs, which are only read: designdoc with a temporary config naming
`--template` and `--paths` and its output and check cache in a temporary folder; mkdocs with a
generated `mkdocs.yml` whose `docs_dir` is a temporary folder of symlinks to the same docs (and
the images beside them).  After one untimed warm-up of each, `--repeat` rounds in which the
tools take turns: a cold designdoc build followed by a rebuild with no change, and a cold mkdocs
build.  The "one doc edited" row needs a write, so it is left out.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import realcorpus  # bench/realcorpus.py, next to this file

ROOT = Path(__file__).resolve().parent.parent
LOCAL_GENERATOR = Path(__file__).resolve().parent / "corpus.py"
SEED = "20261127"
TODAY = "2026-11-27"


@dataclass
class Run:
    """One measured process."""

    wall: float
    cpu: float
    code: int
    rss_kib: int = 0  # peak resident set size of the process and its descendants


def measure(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run `argv` and return its wall time, CPU time (user + system), exit code and peak RSS."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a chatty build cannot fill it and block
        start = time.perf_counter()
        process = subprocess.Popen(
            argv, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = code = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if code != 0:
        print(f"  {' '.join(argv[:3])}… exited {code}: {stderr.strip()[-300:]}", file=sys.stderr)
    return Run(wall, usage.ru_utime + usage.ru_stime, code, usage.ru_maxrss)


def generate(size: int, folder: Path) -> Path:
    """Write a corpus of `size` docs into `folder`; return its docs folder."""
    argv = [sys.executable, str(LOCAL_GENERATOR), str(size), str(folder), "--seed", SEED, "--today", TODAY]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return folder / "docs"


def install_mkdocs(tools: Path) -> Path | None:
    """Install mkdocs into a throw-away venv under `tools`; return its executable (None: not installable)."""
    executable = tools / "mkdocs-venv" / "bin" / "mkdocs"
    if executable.is_file():
        return executable
    try:
        subprocess.run([sys.executable, "-m", "venv", str(tools / "mkdocs-venv")], check=True)
        subprocess.run(
            [str(tools / "mkdocs-venv" / "bin" / "pip"), "install", "--quiet", "mkdocs"],
            check=True,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"mkdocs could not be installed ({error}); skipped", file=sys.stderr)
        return None
    return executable


def mkdocs_version(executable: Path) -> str:
    """Return mkdocs' version line."""
    done = subprocess.run([str(executable), "--version"], capture_output=True, text=True, check=False)
    return done.stdout.split(" from ")[0].strip()


def designdoc(docs: Path, output: Path, cache: Path) -> Run:
    """Build the site of `docs` into `output` with this checkout's designdoc, with its check cache in `cache`."""
    return measure(
        [sys.executable, "-m", "designdoc", "build", str(docs), "-o", str(output)],
        cwd=docs.parent,
        env={"DESIGNDOC_TODAY": TODAY, "DESIGNDOC_CACHE_DIR": str(cache)},
    )


def mkdocs(executable: Path, docs: Path, work: Path) -> Run:
    """Build the same docs with mkdocs (default theme, search plugin)."""
    work.mkdir(parents=True, exist_ok=True)
    config = work / "mkdocs.yml"
    config.write_text(f"site_name: corpus\ndocs_dir: {docs}\nsite_dir: {work / 'site'}\n", "utf-8")
    shutil.rmtree(work / "site", ignore_errors=True)
    return measure([str(executable), "build", "--quiet", "-f", str(config)], cwd=work)


def edit_one(docs: Path) -> None:
    """Change one sentence of one doc (the incremental case)."""
    first = min(docs.rglob("*.md"))
    first.write_text(first.read_text("utf-8").replace("\n\n", "\n\nEdited for the benchmark.\n\n", 1), "utf-8")


def designdoc_on_corpus(config: Path, root: Path, output: Path, cache: Path, env: dict[str, str]) -> Run:
    """Build the site of a real corpus (config: its template and paths) into `output`, its check cache in `cache`."""
    return measure(
        [sys.executable, "-m", "designdoc", "build", "--config", str(config), "-o", str(output)],
        cwd=root,
        env={**env, "DESIGNDOC_CACHE_DIR": str(cache)},
    )


def corpus_rows(
    corpus: realcorpus.Corpus, work: Path, executable: Path | None, repeat: int, env: dict[str, str]
) -> list[tuple[str, int, Run]]:
    """Measure designdoc build (cold, then no change) and mkdocs build on a real corpus; return the runs."""
    config = work / "site-designdoc.toml"
    config.write_text(corpus.config(), "utf-8")
    docs = realcorpus.symlink_farm(corpus, work / "mkdocs-docs") if executable else None
    n = len(corpus.files)
    name = f"mkdocs build ({mkdocs_version(executable)})" if executable else ""

    def ours(round_: int) -> list[tuple[str, int, Run]]:
        output, cache = work / f"site-{round_}", work / f"site-cache-{round_}"
        cold = designdoc_on_corpus(config, corpus.root, output, cache, env)
        again = designdoc_on_corpus(config, corpus.root, output, cache, env)
        shutil.rmtree(output, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        return [("designdoc build (cold)", n, cold), ("designdoc build (no change)", n, again)]

    def theirs(round_: int) -> list[tuple[str, int, Run]]:
        return [(name, n, mkdocs(executable, docs, work / "mkdocs"))] if executable and docs else []

    for label, _, run in ours(-1) + theirs(-1):  # warm-up, untimed
        print(f"  warm-up {label}: {run.wall:.1f} s, exit {run.code}", file=sys.stderr)
    rows: list[tuple[str, int, Run]] = []
    for round_ in range(repeat):
        for build in (ours, theirs) if round_ % 2 == 0 else (theirs, ours):
            rows += build(round_)
        print(f"  site round {round_ + 1}/{repeat} done", file=sys.stderr)
    shutil.rmtree(work / "mkdocs", ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--peer-sizes", default="1000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--tools-dir", type=Path)
    parser.add_argument("--corpus", type=Path, help="a local clone of a corpus: build its docs instead")
    parser.add_argument("--template", help="with --corpus: its template (relative to DIR, or absolute)")
    parser.add_argument("--paths", nargs="+", metavar="SUBDIR", help="with --corpus: the docs' folders (default .)")
    parser.add_argument("--exclude", nargs="+", metavar="GLOB", help="with --corpus: designdoc `exclude` globs")
    parser.add_argument("--today", help="with --corpus: DESIGNDOC_TODAY (default: the real date)")
    args = parser.parse_args(argv)
    if args.corpus:
        return main_corpus(args)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    peer_sizes = {int(s) for s in args.peer_sizes.split(",") if s}
    rows: list[tuple[str, int, Run]] = []
    with tempfile.TemporaryDirectory(prefix="designdoc-site-bench-") as temp:
        work = Path(temp)
        tools = args.tools_dir or work / "tools"
        tools.mkdir(parents=True, exist_ok=True)
        executable = install_mkdocs(tools) if peer_sizes else None
        print(f"load average before: {os.getloadavg()[0]:.2f}; cores: {os.cpu_count()}", file=sys.stderr)
        for size in sizes:
            docs = generate(size, work / f"corpus-{size}")
            for n in range(args.repeat):
                output = work / f"site-{size}-{n}"
                rows.append(("designdoc build (cold)", size, designdoc(docs, output, work / f"cache-{size}-{n}")))
                if executable is not None and size in peer_sizes:
                    rows.append(
                        (
                            f"mkdocs build ({mkdocs_version(executable)})",
                            size,
                            mkdocs(executable, docs, work / f"mkdocs-{size}"),
                        )
                    )
            cache = work / f"cache-{size}-0"
            rows.append(("designdoc build (no change)", size, designdoc(docs, work / f"site-{size}-0", cache)))
            edit_one(docs)
            rows.append(("designdoc build (one doc edited)", size, designdoc(docs, work / f"site-{size}-0", cache)))
            shutil.rmtree(docs.parent)
        print(f"load average after: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print(table(rows))
    return 0


CORPUS_NOTE = (
    "Both read the same docs (mkdocs through a folder of symlinks) and write to a temporary folder: designdoc "
    "checks, renders one page per doc plus catalog and dashboard, and builds its pagefind search index; mkdocs "
    "renders one page per doc with its default theme (navigation of every page on each) and search plugin. "
    "CPU and peak RSS from os.wait4 (process and children); best wall time of the rounds."
)


def main_corpus(args: argparse.Namespace) -> int:
    """Run the benchmark on a real corpus (`--corpus`) and print its table."""
    if not args.template:
        raise SystemExit("--corpus needs --template")
    corpus = realcorpus.open_corpus(args.corpus, args.template, args.paths, args.exclude)
    before = realcorpus.snapshot(corpus.root)
    env = {"DESIGNDOC_TODAY": args.today} if args.today else {}
    with tempfile.TemporaryDirectory(prefix="designdoc-site-bench-") as temp:
        work = Path(temp)
        # bytecode compiled in the warm-up is reused, as on a user's second run (as bench/run.py does)
        env |= {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(work / "pycache")}
        tools = args.tools_dir or work / "tools"
        tools.mkdir(parents=True, exist_ok=True)
        print(f"load average before: {os.getloadavg()[0]:.2f}; cores: {os.cpu_count()}", file=sys.stderr)
        rows = corpus_rows(corpus, work, install_mkdocs(tools), args.repeat, env)
        print(f"load average after: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print(corpus.describe())
    print()
    print(table(rows))
    print(f"\n{CORPUS_NOTE}")
    changed = realcorpus.changes(before, realcorpus.snapshot(corpus.root))
    print(f"\ncorpus folder {'CHANGED: ' + ', '.join(changed[:10]) if changed else 'untouched (sizes and mtimes)'}")
    return 0


def table(rows: list[tuple[str, int, Run]]) -> str:
    """Return the results as a Markdown table, best of the repeats, with the ratios that matter."""
    best: dict[tuple[str, int], Run] = {}
    for name, size, run in rows:
        if run.code == 0 and ((name, size) not in best or run.wall < best[name, size].wall):
            best[name, size] = run
    lines = ["| tool | docs | wall (s) | CPU (s) | peak MiB |", "|---|---:|---:|---:|---:|"]
    lines += [
        f"| {name} | {size:,} | {run.wall:.1f} | {run.cpu:.1f} | {run.rss_kib / 1024:.0f} |"
        for (name, size), run in best.items()
    ]
    cold = {size: run for (name, size), run in best.items() if name == "designdoc build (cold)"}
    peers = {size: run for (name, size), run in best.items() if name.startswith("mkdocs")}
    for size, peer in sorted(peers.items()):
        if size in cold:
            lines.append(
                f"\nmkdocs / designdoc at {size:,} docs: {peer.wall / cold[size].wall:.1f}× wall, "
                f"{peer.cpu / cold[size].cpu:.1f}× CPU"
            )
    if len(cold) >= 2:
        small, large = min(cold), max(cold)
        lines.append(
            f"\ndesigndoc {large:,} / {small:,} docs: {cold[large].wall / cold[small].wall:.1f}× wall, "
            f"{cold[large].cpu / cold[small].cpu:.1f}× CPU (docs: {large / small:.0f}×)"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
