"""Benchmark `designdoc check` on a synthetic corpus, against generic Markdown linters.

    uv run python bench/run.py [--sizes 1000,10000] [--repeat 3] [--peers] [--jobs N]

For each size it writes a corpus with `bench/corpus.py` (fixed seed) into a
temporary folder, runs every tool once untimed (warm-up; designdoc's run is
also scored against the corpus manifest), then `--repeat` measured rounds in
which the tools take turns (the order rotates each round). Each measured
process runs under `/usr/bin/time -f "%e %M"` for its peak RSS (children
included), else /proc is polled; wall time comes from `time.perf_counter`.

Peers (`--peers`) are installed into throw-away folders, never into the
project: markdownlint-cli2 with `npm install --prefix`, pymarkdownlnt and
mdformat into a fresh `python3 -m venv`. A peer that cannot be installed is
reported in one line and skipped. Stdlib only.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402  (bench/corpus.py, next to this file)

SEED = 20261127
GNU_TIME = "/usr/bin/time"
TIME_FORMAT = "%e %M %U %S"  # wall, peak RSS (KiB), user, system


@dataclass
class Tool:
    """One command to measure: how to run it, and how to count what it reported."""

    name: str
    argv: list[str]
    count: Callable[[str, str], int | None]
    before: Callable[[Path, dict[str, str]], None] | None = None  # run before each measured run (cache)
    version: str = ""


@dataclass
class Run:
    """One measured process."""

    wall: float
    cpu: float  # user + system seconds
    rss_kib: int | None
    exit: int
    stdout: str
    stderr: str


@dataclass
class Result:
    """All measured runs of one tool on one corpus."""

    tool: Tool
    docs: int
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        """Return the median wall time in seconds."""
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        """Return the median CPU time (user + system) in seconds."""
        return statistics.median(r.cpu for r in self.runs)

    @property
    def rss_mib(self) -> float | None:
        """Return the largest peak RSS of the runs, in MiB."""
        values = [r.rss_kib for r in self.runs if r.rss_kib is not None]
        return max(values) / 1024 if values else None


# --------------------------------------------------------------------------- measuring


def gnu_time_works() -> bool:
    """Return True when /usr/bin/time is GNU time and writes `%e %M %U %S` to a file."""
    if not os.access(GNU_TIME, os.X_OK):
        return False
    with tempfile.NamedTemporaryFile("r") as out:
        done = subprocess.run([GNU_TIME, "-f", TIME_FORMAT, "-o", out.name, "true"], capture_output=True)
        return done.returncode == 0 and bool(re.fullmatch(r"[\d.]+ \d+ [\d.]+ [\d.]+\s*", Path(out.name).read_text()))


def measure(argv: list[str], cwd: Path, env: dict[str, str], scratch: Path, use_time: bool) -> Run:
    """Run `argv` once; return its wall time, CPU time, peak RSS, exit status and output.

    Peak RSS and CPU come from GNU time (`%M`, `%U`, `%S`), else from `os.wait4` on the child: both
    are the rusage of that one child and its descendants, never a running max over earlier children
    (which is what `getrusage(RUSAGE_CHILDREN)` would give).
    """
    out, err, stats = scratch / "stdout", scratch / "stderr", scratch / "time"
    prefix = [GNU_TIME, "-f", TIME_FORMAT, "-o", str(stats)] if use_time else []
    with open(out, "wb") as fo, open(err, "wb") as fe:
        start = time.perf_counter()
        process = subprocess.Popen(prefix + argv, cwd=cwd, env=env, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = code = os.waitstatus_to_exitcode(status)
    rss, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    if use_time:  # GNU time's own numbers are those of the measured command alone
        fields = stats.read_text().split()
        if len(fields) >= 4 and fields[-3].isdigit():
            rss, cpu = int(fields[-3]), float(fields[-2]) + float(fields[-1])
    return Run(wall, cpu, rss, code, out.read_text(errors="replace"), err.read_text(errors="replace"))


# --------------------------------------------------------------------------- the tools


def designdoc_tool(jobs: int | None, notes: list[str]) -> tuple[Tool, Tool | None]:
    """Return designdoc cold, and warm when it has a cache (a `--no-cache` flag)."""
    if importlib.util.find_spec("designdoc") is None:
        sys.exit("designdoc is not importable: run this with `uv run python bench/run.py`")
    base = [sys.executable, "-m", "designdoc"]
    help_text = subprocess.run([*base, "check", "--help"], capture_output=True, text=True).stdout
    version = (subprocess.run([*base, "--version"], capture_output=True, text=True).stdout.split() or [""])[-1]
    flags = ["check", "--format", "json"]
    if jobs is not None:
        if "--jobs" in help_text:
            flags += ["--jobs", str(jobs)]
        else:
            notes.append(f"designdoc check has no --jobs option: --jobs {jobs} ignored (it runs on one core).")
    has_cache = "--no-cache" in help_text
    cold = Tool(
        "designdoc" + (" (cold)" if has_cache else ""),
        [*base, *flags, *(["--no-cache"] if has_cache else []), "docs"],
        count_designdoc,
        before=drop_cache,
        version=version,
    )
    if not has_cache:
        notes.append("designdoc check has no --no-cache flag (no cache): one designdoc row, no warm run.")
        return cold, None
    warm = [*base, *flags, "docs"]
    return cold, Tool("designdoc (warm)", warm, count_designdoc, before=fill_cache(warm), version=version)


def drop_cache(corpus_dir: Path, env: dict[str, str]) -> None:
    """Remove a designdoc cache left in the corpus folder, so a cold run is cold."""
    shutil.rmtree(corpus_dir / ".designdoc-cache", ignore_errors=True)


def fill_cache(argv: list[str]) -> Callable[[Path, dict[str, str]], None]:
    """Return a hook that runs designdoc once, untimed, so the measured run is warm whatever ran before."""

    def fill(corpus_dir: Path, env: dict[str, str]) -> None:
        subprocess.run(argv, cwd=corpus_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return fill


def count_designdoc(stdout: str, stderr: str) -> int | None:
    """Return the number of diagnostics in designdoc's JSON report."""
    try:
        return len(json.loads(stdout)["diagnostics"])
    except (ValueError, KeyError):
        return None


def count_markdownlint(stdout: str, stderr: str) -> int | None:
    """Return markdownlint-cli2's `Summary: N error(s)`."""
    match = re.search(r"Summary: (\d+) error", stdout + stderr)
    return int(match.group(1)) if match else None


def count_pymarkdown(stdout: str, stderr: str) -> int | None:
    """Return the number of `path:line:col: MDnnn:` lines pymarkdown printed."""
    return len(re.findall(r"^.+?:\d+:\d+: [A-Z]+\d+: ", stdout, re.M))


def count_mdformat(stdout: str, stderr: str) -> int | None:
    """Return the number of files mdformat --check says are not formatted."""
    return (stdout + stderr).count("is not formatted") or len(re.findall(r"^Error: ", stderr, re.M))


def install_markdownlint(tools_dir: Path, notes: list[str]) -> Tool | None:
    """npm-install markdownlint-cli2 into a throw-away prefix."""
    prefix = tools_dir / "npm"
    binary = prefix / "node_modules" / ".bin" / "markdownlint-cli2"
    if not binary.exists():
        if shutil.which("npm") is None:
            notes.append("markdownlint-cli2: not installed (no npm on PATH); skipped.")
            return None
        done = subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(prefix),
                "markdownlint-cli2",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0 or not binary.exists():
            notes.append(f"markdownlint-cli2: could not be installed ({last_line(done.stderr)}); skipped.")
            return None
    package = json.loads((prefix / "node_modules" / "markdownlint-cli2" / "package.json").read_text())
    return Tool(
        "markdownlint-cli2", [str(binary), "docs/**/*.md"], count_markdownlint, version=package.get("version", "")
    )


def install_python_peers(tools_dir: Path, notes: list[str]) -> list[Tool]:
    """pip-install pymarkdownlnt and mdformat into a throw-away venv; return the ones that installed."""
    venv = tools_dir / "venv"
    python = venv / "bin" / "python"
    base = shutil.which("python3") or sys.executable
    if not python.exists():
        done = subprocess.run([base, "-m", "venv", str(venv)], capture_output=True, text=True)
        if done.returncode != 0:
            notes.append(f"pymarkdownlnt, mdformat: no throw-away venv ({last_line(done.stderr)}); skipped.")
            return []
    tools = []
    specs = (
        (
            "pymarkdownlnt",
            "pymarkdown",
            ["--enable-extensions", "front-matter", "scan", "-r", "docs"],
            count_pymarkdown,
        ),
        ("mdformat", "mdformat", ["--check", "docs"], count_mdformat),
    )
    for package, script, args, counter in specs:
        binary = venv / "bin" / script
        if not binary.exists():
            done = subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", package],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0 or not binary.exists():
                notes.append(f"{package}: could not be installed ({last_line(done.stderr)}); skipped.")
                continue
        version = subprocess.run(
            [str(python), "-c", f"import importlib.metadata as m; print(m.version({package!r}))"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        name = "mdformat --check" if package == "mdformat" else package
        tools.append(Tool(name, [str(binary), *args], counter, version=version))
    return tools


def last_line(text: str) -> str:
    """Return the last non-blank line of `text`, shortened."""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:120] if lines else "no output"


# --------------------------------------------------------------------------- scoring


@dataclass
class Score:
    """designdoc's findings on a corpus, against the corpus manifest."""

    expected: int
    found: int
    false_alarms: int
    clean_docs: int
    clean_flagged: int
    missed: collections.Counter
    false_by_rule: collections.Counter


def score(manifest: dict, report: dict) -> Score:
    """Match diagnostics to expected (path, rule, line) as multisets."""
    expected = collections.Counter((d["path"], e["rule"], e["line"]) for d in manifest["docs"] for e in d["defects"])
    got = collections.Counter((d["path"], d["rule"], d["line"]) for d in report["diagnostics"])
    matched = expected & got
    extra = got - matched
    clean = {d["path"] for d in manifest["docs"] if not d["defects"]}
    return Score(
        sum(expected.values()),
        sum(matched.values()),
        sum(extra.values()),
        len(clean),
        len({path for path, _, _ in extra if path in clean}),
        collections.Counter(rule for (_, rule, _), n in (expected - matched).items() for _ in range(n)),
        collections.Counter(rule for (_, rule, _), n in extra.items() for _ in range(n)),
    )


# --------------------------------------------------------------------------- the benchmark


def tool_env(work: Path, today: str, bytecode_cache: bool) -> dict[str, str]:
    """Return the environment of the measured tools.

    With `bytecode_cache`, Python tools keep their compiled bytecode in a throw-away
    PYTHONPYCACHEPREFIX (filled by the warm-up run) even where PYTHONDONTWRITEBYTECODE is set and
    the venv holds no .pyc (uv installs none by default): otherwise every run of a Python tool
    recompiles all its modules, which is not what a user's second run does.
    """
    env = {**os.environ, "DESIGNDOC_TODAY": today, "NO_COLOR": "1"}
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def bench_size(
    n: int,
    tools: list[Tool],
    repeat: int,
    work: Path,
    env: dict[str, str],
    today: str,
    use_time: bool,
    notes: list[str],
) -> tuple[list[Result], Score | None]:
    """Generate an n-doc corpus, warm up, measure every tool `repeat` times; score designdoc."""
    root = work / f"corpus-{n}"
    started = time.perf_counter()
    manifest = corpus.generate(n, root, SEED, corpus.dt.date.fromisoformat(today))
    # a project root for designdoc: its check cache lives beside the config, as in a repository
    (root / "designdoc.toml").write_text("# the benchmark corpus\n", encoding="utf-8")
    sizes = [d["bytes"] for d in manifest["docs"]]
    print(
        f"corpus: {n} docs, {sum(sizes) / 2**20:.1f} MiB, median {statistics.median(sizes) / 1024:.1f} KiB, "
        f"generated in {time.perf_counter() - started:.1f} s (seed {SEED}, today {today})",
        file=sys.stderr,
    )
    scratch = work / "scratch"
    scratch.mkdir(exist_ok=True)
    results = [Result(tool, n) for tool in tools]
    verdict = None
    for result in results:  # warm-up, untimed
        if result.tool.before:
            result.tool.before(root, env)
        run = measure(result.tool.argv, root, env, scratch, use_time)
        print(f"  warm-up {result.tool.name}: {run.wall:.1f} s, exit {run.exit}", file=sys.stderr)
        if result.tool.count is count_designdoc and verdict is None:
            verdict = score_run(manifest, run, notes)
    for round_ in range(repeat):
        order = results[round_ % len(results) :] + results[: round_ % len(results)]
        for result in order:
            if result.tool.before:
                result.tool.before(root, env)
            result.runs.append(measure(result.tool.argv, root, env, scratch, use_time))
        print(f"  round {round_ + 1}/{repeat} done", file=sys.stderr)
    shutil.rmtree(root, ignore_errors=True)
    return results, verdict


def score_run(manifest: dict, run: Run, notes: list[str]) -> Score | None:
    """Score one designdoc run, or note why it cannot be scored."""
    try:
        return score(manifest, json.loads(run.stdout))
    except (ValueError, KeyError) as error:
        notes.append(f"designdoc's output could not be scored ({error}); exit {run.exit}: {last_line(run.stderr)}")
        return None


def table(results: list[Result]) -> list[str]:
    """Return the results table, one row per tool and size."""
    head = ("tool", "docs", "wall s (median)", "docs/s", "× designdoc", "cpu s", "peak MiB", "findings", "exit")
    rows = []
    for result in results:
        reference = next(r for r in results if r.docs == result.docs and r.tool.name.startswith("designdoc"))
        last = result.runs[-1]
        findings = result.tool.count(last.stdout, last.stderr)
        exits = sorted({r.exit for r in result.runs})
        rows.append(
            (
                f"{result.tool.name} {result.tool.version}".strip(),
                str(result.docs),
                f"{result.wall:.2f}",
                f"{result.docs / result.wall:,.0f}",
                f"{result.wall / reference.wall:.2f}",
                f"{result.cpu:.2f}",
                f"{result.rss_mib:.0f}" if result.rss_mib is not None else "n/a",
                "?" if findings is None else f"{findings:,}",
                ",".join(map(str, exits)),
            )
        )
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]

    def align(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return [align(head), "  ".join("-" * w for w in widths), *(align(r) for r in rows)]


def describe(n: int, verdict: Score | None) -> str:
    """Return designdoc's recall and false alarms on the n-doc corpus."""
    if verdict is None:
        return f"designdoc on {n} docs: not scored"
    recall = verdict.found / verdict.expected if verdict.expected else 1.0
    text = (
        f"designdoc on {n} docs: recall {verdict.found}/{verdict.expected} ({recall:.1%}) of the injected "
        f"defects, {verdict.false_alarms} false alarms ({verdict.clean_flagged} of {verdict.clean_docs} "
        f"clean docs flagged)"
    )
    if verdict.missed:
        text += f"; missed: {dict(verdict.missed.most_common())}"
    if verdict.false_by_rule:
        text += f"; false alarms by rule: {dict(verdict.false_by_rule.most_common())}"
    return text


def profile(work: Path, n: int, today: str) -> None:
    """Run designdoc once under cProfile on an n-doc corpus; print the top entries by cumulative time."""
    root = work / f"profile-{n}"
    corpus.generate(n, root, SEED, corpus.dt.date.fromisoformat(today))
    stats = work / "designdoc.prof"
    env = tool_env(work, today, True)
    subprocess.run(
        [sys.executable, "-m", "designdoc", "check", "docs"],
        cwd=root,
        env=env,  # fill the cache
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "designdoc", "check", "--format", "json", "docs"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.returncode not in (0, 1):
        print(f"designdoc exited {done.returncode}: {last_line(done.stderr)}", file=sys.stderr)
    code = (
        "import pstats, sys; p = pstats.Stats(sys.argv[1]); p.sort_stats('cumulative').print_stats(30); "
        "p.sort_stats('tottime').print_stats(20)"
    )
    subprocess.run([sys.executable, "-c", code, str(stats)])


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the benchmark, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated corpus sizes (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="measured rounds per size (default 3)")
    parser.add_argument("--peers", action="store_true", help="also run markdownlint-cli2, pymarkdownlnt, mdformat")
    parser.add_argument("--peer-sizes", help="sizes at which the peers run (default: every size)")
    parser.add_argument("--jobs", type=int, help="passed to designdoc check as --jobs, when it has that option")
    parser.add_argument("--today", default=corpus.DEFAULT_TODAY, help="the corpus' today (DESIGNDOC_TODAY)")
    parser.add_argument("--tools-dir", type=Path, help="where to install the peers (default: a temporary folder)")
    parser.add_argument("--profile", type=int, metavar="N", help="only profile designdoc on an N-doc corpus")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="pass the environment as is (no throw-away PYTHONPYCACHEPREFIX)",
    )
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    sizes = [int(s) for s in args.sizes.split(",") if s]
    peer_sizes = {int(s) for s in args.peer_sizes.split(",")} if args.peer_sizes else set(sizes)
    with tempfile.TemporaryDirectory(prefix="designdoc-bench-") as tmp:
        work = Path(tmp)
        if args.profile:
            profile(work, args.profile, args.today)
            return 0
        notes: list[str] = []
        use_time = gnu_time_works()
        if not use_time:
            notes.append("/usr/bin/time (GNU) unavailable: peak RSS and CPU from os.wait4 on each child.")
        env = tool_env(work, args.today, not args.no_bytecode_cache)
        if args.no_bytecode_cache:
            notes.append(
                "--no-bytecode-cache: the environment is passed as is (PYTHONDONTWRITEBYTECODE="
                f"{os.environ.get('PYTHONDONTWRITEBYTECODE', 'unset')})."
            )
        elif os.environ.get("PYTHONDONTWRITEBYTECODE"):
            notes.append(
                "PYTHONDONTWRITEBYTECODE is set here: the Python tools ran with it unset and a throw-away "
                "PYTHONPYCACHEPREFIX, so bytecode compiled in the warm-up is reused (see "
                "--no-bytecode-cache)."
            )
        cold, warm = designdoc_tool(args.jobs, notes)
        ours = [cold] + ([warm] if warm else [])
        peers: list[Tool] = []
        if args.peers:
            tools_dir = args.tools_dir or work / "tools"
            tools_dir.mkdir(parents=True, exist_ok=True)
            peers = [t for t in [install_markdownlint(tools_dir, notes)] if t] + install_python_peers(tools_dir, notes)
        results: list[Result] = []
        verdicts: list[str] = []
        for n in sizes:
            tools = ours + (peers if n in peer_sizes else [])
            got, verdict = bench_size(n, tools, args.repeat, work, env, args.today, use_time, notes)
            results += got
            verdicts.append(describe(n, verdict))
    notes.append(
        f"Load average (1 min) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after: other work on "
        "the machine inflates wall times."
    )
    print_report(results, verdicts, notes, args.repeat, use_time)
    return 0


def source_state() -> str:
    """Return the commit of the designdoc work tree being measured, and whether it has local changes."""
    root = BENCH.parent
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        return str(root)
    dirty = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--", "src"], capture_output=True, text=True
    ).stdout.strip()
    return head.stdout.strip() + (" + uncommitted changes in src/" if dirty else "")


def print_report(results: list[Result], verdicts: list[str], notes: list[str], repeat: int, use_time: bool) -> None:
    """Print the table, designdoc's score, the footnotes."""
    cores = os.cpu_count()
    print()
    print(
        f"designdoc benchmark: {repeat} measured runs per tool and size, after one warm-up; {cores} cores, "
        f"Python {sys.version.split()[0]}; designdoc from {source_state()}"
    )
    print()
    print("\n".join(table(results)))
    print()
    for line in verdicts:
        print(line)
    print()
    print("Footnotes:")
    print("- × designdoc = median wall time ÷ designdoc's (cold) median at the same size; < 1 is faster.")
    print("- cpu s = median user + system CPU time; it moves less than wall time when other work shares the machine.")
    print(
        f"- peak MiB = the largest peak RSS of the runs ({'GNU time %M' if use_time else 'os.wait4 ru_maxrss'}), "
        "process and children."
    )
    print(
        "- findings = what the tool reported in its last run (diagnostics; for mdformat, files it would "
        "reformat). exit 1 = findings, the normal outcome on this corpus."
    )
    print(
        "- The peers are generic Markdown linters/formatters: they report style (line length, blank lines "
        "around headings, a second H1) and find none of the template defects injected here (missing or "
        "reordered sections, leftover guidance, footer dates, statuses, placeholder owners, open questions, "
        "stale drafts, …). That is expected: they do different work; the comparison is of cost, not of "
        "findings."
    )
    print(
        "- Every tool reads the same files; the peers run with their default rules (pymarkdown with its "
        "front-matter extension on), with output to a file."
    )
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    sys.exit(main())
