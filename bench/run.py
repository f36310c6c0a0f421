"""Benchmark `designdoc check` on a synthetic or a real corpus, against generic Markdown linters.

    uv run python bench/run.py [--sizes 1000,10000] [--repeat 3] [--peers] [--jobs N]
    uv run python bench/run.py --corpus DIR --template FILE [--paths SUBDIR ...] [--site] [--repeat 3]

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

With `--corpus` (a local clone of a public corpus, see bench/README.md) the
same tools run on the docs of that folder instead, never writing to it:
designdoc cold and warm with a temporary config naming `--template` and
`--paths`, markdownlint-cli2 on the same files (`--peers` adds pymarkdownlnt
and mdformat), the best of `--repeat` rounds; then designdoc's findings per
rule, and its cost per KiB of doc with the corpus' template against the
built-in one. `--site` adds `designdoc build` against `mkdocs build`
(bench/site.py).
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
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
import realcorpus  # noqa: E402  (bench/realcorpus.py)

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
    best: bool = False  # report the best (smallest) of the runs, not their median

    @property
    def wall(self) -> float:
        """Return the median (or best) wall time in seconds."""
        return (min if self.best else statistics.median)(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        """Return the median (or best) CPU time (user + system) in seconds."""
        return (min if self.best else statistics.median)(r.cpu for r in self.runs)

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


def designdoc_tool(
    jobs: int | None,
    notes: list[str],
    options: list[str] | None = None,
    targets: list[str] | None = None,
    drop: Callable[[Path, dict[str, str]], None] | None = None,
) -> tuple[Tool, Tool | None]:
    """Return designdoc cold, and warm when it has a cache (a `--no-cache` flag).

    `options` go after `check` (e.g. `--config FILE`), `targets` last (default `docs`); `drop` empties the
    check cache before a cold run (default: the `.designdoc-cache` folder in the corpus).
    """
    if importlib.util.find_spec("designdoc") is None:
        sys.exit("designdoc is not importable: run this with `uv run python bench/run.py`")
    base = [sys.executable, "-m", "designdoc"]
    help_text = subprocess.run([*base, "check", "--help"], capture_output=True, text=True).stdout
    version = (subprocess.run([*base, "--version"], capture_output=True, text=True).stdout.split() or [""])[-1]
    flags = ["check", *(options or []), "--format", "json"]
    targets = ["docs"] if targets is None else targets
    if jobs is not None:
        if "--jobs" in help_text:
            flags += ["--jobs", str(jobs)]
        else:
            notes.append(f"designdoc check has no --jobs option: --jobs {jobs} ignored (it runs on one core).")
    has_cache = "--no-cache" in help_text
    cold = Tool(
        "designdoc" + (" (cold)" if has_cache else ""),
        [*base, *flags, *(["--no-cache"] if has_cache else []), *targets],
        count_designdoc,
        before=drop or drop_cache,
        version=version,
    )
    if not has_cache:
        notes.append("designdoc check has no --no-cache flag (no cache): one designdoc row, no warm run.")
        return cold, None
    warm = [*base, *flags, *targets]
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


def on_files(tool: Tool, files: list[str]) -> Tool:
    """Return a peer pointed at these files (relative to the corpus) instead of the synthetic `docs` folder."""
    argv = [a for a in tool.argv if a not in ("docs", "docs/**/*.md", "-r")]  # -r: pymarkdown's recursion
    literal = ":" if tool.name == "markdownlint-cli2" else ""  # `:path` is a literal path, never a glob
    return dataclasses.replace(tool, argv=argv + [literal + f for f in files])


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


def tool_env(work: Path, today: str | None, bytecode_cache: bool) -> dict[str, str]:
    """Return the environment of the measured tools.

    With `bytecode_cache`, Python tools keep their compiled bytecode in a throw-away
    PYTHONPYCACHEPREFIX (filled by the warm-up run) even where PYTHONDONTWRITEBYTECODE is set and
    the venv holds no .pyc (uv installs none by default): otherwise every run of a Python tool
    recompiles all its modules, which is not what a user's second run does.
    """
    env = {**os.environ, "NO_COLOR": "1", **({"DESIGNDOC_TODAY": today} if today else {})}
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
    results = [Result(tool, n) for tool in tools]
    warmups = take_turns(results, repeat, root, env, work / "scratch", use_time)
    first = next((run for r, run in zip(results, warmups, strict=True) if r.tool.count is count_designdoc), None)
    verdict = score_run(manifest, first, notes) if first else None
    shutil.rmtree(root, ignore_errors=True)
    return results, verdict


def take_turns(
    results: list[Result], repeat: int, cwd: Path, env: dict[str, str], scratch: Path, use_time: bool
) -> list[Run]:
    """Run every tool once untimed (warm-up), then `repeat` measured rounds in rotating order; return the warm-ups.

    The measured runs go into `results`; a tool's `before` hook runs before each of its runs.
    """
    scratch.mkdir(exist_ok=True)
    warmups = []
    for result in results:
        if result.tool.before:
            result.tool.before(cwd, env)
        warmups.append(measure(result.tool.argv, cwd, env, scratch, use_time))
        print(f"  warm-up {result.tool.name}: {warmups[-1].wall:.1f} s, exit {warmups[-1].exit}", file=sys.stderr)
    for round_ in range(repeat):
        order = results[round_ % len(results) :] + results[: round_ % len(results)]
        for result in order:
            if result.tool.before:
                result.tool.before(cwd, env)
            result.runs.append(measure(result.tool.argv, cwd, env, scratch, use_time))
        print(f"  round {round_ + 1}/{repeat} done", file=sys.stderr)
    return warmups


def score_run(manifest: dict, run: Run, notes: list[str]) -> Score | None:
    """Score one designdoc run, or note why it cannot be scored."""
    try:
        return score(manifest, json.loads(run.stdout))
    except (ValueError, KeyError) as error:
        notes.append(f"designdoc's output could not be scored ({error}); exit {run.exit}: {last_line(run.stderr)}")
        return None


def table(results: list[Result]) -> list[str]:
    """Return the results table, one row per tool and size."""
    stat = "best" if results and results[0].best else "median"
    head = ("tool", "docs", f"wall s ({stat})", "docs/s", "× designdoc", "cpu s", "peak MiB", "findings", "exit")
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
    return aligned(head, rows)


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


# --------------------------------------------------------------------------- a real corpus

MARKDOWNLINT_CONFIGS = tuple(
    f".markdownlint{kind}.{ext}"
    for kind, exts in (("-cli2", ("jsonc", "yaml", "cjs", "mjs")), ("", ("jsonc", "json", "yaml", "yml", "cjs", "mjs")))
    for ext in exts
)


def bench_corpus(
    real: realcorpus.Corpus,
    peers: list[Tool],
    args: argparse.Namespace,
    work: Path,
    env: dict[str, str],
    use_time: bool,
    notes: list[str],
) -> list[str]:
    """Measure designdoc (cold, warm) and the peers on a real corpus; return the report's lines.

    designdoc runs in the corpus folder with `--config` naming a config in `work` (the corpus' template and
    paths) and its check cache in `work`; the peers get the same files, named one by one.
    """
    config = work / "designdoc.toml"
    config.write_text(real.config(), "utf-8")
    cache = work / "check-cache"
    env = {**env, "DESIGNDOC_CACHE_DIR": str(cache)}  # never a .designdoc-cache in the corpus

    def drop(cwd: Path, env: dict[str, str]) -> None:
        shutil.rmtree(cache, ignore_errors=True)

    cold, warm = designdoc_tool(args.jobs, notes, ["--config", str(config)], [], drop)
    tools = [cold, *([warm] if warm else []), *(on_files(t, list(real.files)) for t in peers)]
    results = [Result(tool, len(real.files), best=True) for tool in tools]
    warmups = take_turns(results, args.repeat, real.root, env, work / "scratch", use_time)
    check_file_counts(real, results, warmups, notes)
    lines = [real.describe(), "", *table(results), "", *findings_by_rule(warmups[0])]
    return lines + ["", *template_cost(real, args, work, env, use_time)]


def check_file_counts(real: realcorpus.Corpus, results: list[Result], warmups: list[Run], notes: list[str]) -> None:
    """Note when designdoc or markdownlint-cli2 read another number of files than the corpus' docs."""
    for result, run in zip(results, warmups, strict=True):
        if result.tool.count is count_designdoc:
            try:
                files = json.loads(run.stdout)["summary"]["files"]
            except (ValueError, KeyError):
                files = None
        elif result.tool.count is count_markdownlint:
            match = re.search(r"Linting: (\d+) file", run.stdout + run.stderr)
            files = int(match.group(1)) if match else None
        else:
            continue
        if files != len(real.files):
            read = "an unknown number of" if files is None else files
            notes.append(f"{result.tool.name} read {read} files, not the {len(real.files)} docs: compare with care.")
    found = sorted(
        str((real.root / folder / name).relative_to(real.root))
        for folder in {str(parent) for f in real.files for parent in Path(f).parents}  # markdownlint looks up to cwd
        for name in MARKDOWNLINT_CONFIGS
        if (real.root / folder / name).is_file()
    )
    if any(r.tool.count is count_markdownlint for r in results):
        notes.append(
            f"markdownlint-cli2 ran in the corpus folder with its own configuration ({', '.join(found)}), as that "
            "project's CI would."
            if found
            else "markdownlint-cli2 ran with its default rules (the corpus has no markdownlint configuration)."
        )


def findings_by_rule(run: Run) -> list[str]:
    """Return a table of designdoc's findings per rule in one JSON report: findings, docs, severity."""
    try:
        diagnostics = json.loads(run.stdout)["diagnostics"]
    except (ValueError, KeyError):
        return [f"designdoc's findings per rule: no JSON report (exit {run.exit}: {last_line(run.stderr)})"]
    count = collections.Counter(d["rule"] for d in diagnostics)
    docs = {rule: len({d["path"] for d in diagnostics if d["rule"] == rule}) for rule in count}
    severity = {d["rule"]: d["severity"] for d in diagnostics}
    rows = [(rule, f"{n:,}", f"{docs[rule]:,}", severity[rule]) for rule, n in count.most_common()]
    rows.append(("total", f"{len(diagnostics):,}", f"{len({d['path'] for d in diagnostics}):,}", ""))
    return [
        "designdoc's findings per rule (the cold run's report):",
        "",
        *aligned(("rule", "findings", "docs", "severity"), rows),
    ]


def template_cost(
    real: realcorpus.Corpus, args: argparse.Namespace, work: Path, env: dict[str, str], use_time: bool
) -> list[str]:
    """Return designdoc's check cost per KiB of doc with the corpus' (large) template and the built-in (small) one.

    Both check the same docs, named on the command line (a folder walk would skip every doc under the built-in
    template: they lack its `doc_type`), with `--no-cache`; most findings differ, only the cost matters.  The
    same check of an empty folder gives the fixed cost (start-up, imports, reading the template), so the cost
    per KiB is also given net of it.
    """
    empty = work / "empty"
    empty.mkdir(exist_ok=True)
    kib = real.total / 1024
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    tools, shapes = [], {}
    for label, text in (("corpus template", real.config()), ("built-in template", real.config(builtin=True))):
        config = work / f"{label.split()[0]}.toml"
        config.write_text(text, "utf-8")
        base = [sys.executable, "-m", "designdoc", "check", "--config", str(config), "--format", "json", "--no-cache"]
        tools.append(Tool(label, [*base, *jobs, *real.files], count_designdoc))
        tools.append(Tool(f"{label}, no docs", [*base, *jobs, str(empty)], count_designdoc))
        shapes[label] = template_shape(config, real.root, env)
    results = [Result(tool, len(real.files), best=True) for tool in tools]
    take_turns(results, args.repeat, real.root, env, work / "scratch", use_time)
    rows, per_kib = [], {}
    for full, none in zip(results[::2], results[1::2], strict=True):
        net = (full.cpu - none.cpu) * 1000 / kib
        per_kib[full.tool.name] = (full.cpu * 1000 / kib, net)
        findings = full.tool.count(full.runs[-1].stdout, full.runs[-1].stderr)
        rows.append(
            (
                full.tool.name,
                shapes[full.tool.name],
                f"{none.cpu:.2f}",
                f"{full.cpu:.2f}",
                f"{full.cpu * 1000 / kib:.3f}",
                f"{net:.3f}",
                f"{full.wall:.2f}",
                f"{full.wall * 1000 / kib:.3f}",
                "?" if findings is None else f"{findings:,}",
            )
        )
    (own, own_net), (small, small_net) = per_kib.values()
    head = (
        "template",
        "size",
        "no docs: cpu s",
        "cpu s",
        "cpu ms/KiB",
        "net ms/KiB",
        "wall s",
        "wall ms/KiB",
        "findings",
    )
    return [
        f"Template size: designdoc check --no-cache of the same {len(real.files)} docs ({kib:,.0f} KiB, named on the "
        f"command line), best of {args.repeat}; net = less the check of an empty folder with the same template:",
        "",
        *aligned(head, rows),
        "",
        f"corpus template / built-in template: {own / small:.2f}× CPU per KiB, {own_net / small_net:.2f}× net of "
        "start-up.",
    ]


def template_shape(config: Path, cwd: Path, env: dict[str, str]) -> str:
    """Return the size of a config's template and what `designdoc template show` finds in it."""
    argv = [sys.executable, "-m", "designdoc", "template", "show", "--config", str(config), "--format", "json"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd)
    try:
        shown = json.loads(done.stdout)
    except ValueError:
        return "?"
    path = Path(shown["path"]) if shown.get("path") else builtin_template()
    sections, notes, stack = 0, shown.get("preamble_guidance") or 0, list(shown.get("sections", []))
    while stack:
        section = stack.pop()
        sections, notes = sections + 1, notes + len(section.get("guidance", []))
        stack += section.get("subsections", [])
    size = f"{path.stat().st_size:,} B, " if path and path.is_file() else ""
    return f"{size}{sections} sections, {notes} guidance notes"


def builtin_template() -> Path | None:
    """Return the path of designdoc's built-in template, if it can be found."""
    try:
        from designdoc.config.load import builtin_path
    except ImportError:
        return None
    return builtin_path()


def site_report(real: realcorpus.Corpus, args: argparse.Namespace, work: Path, env: dict[str, str]) -> list[str]:
    """Return the table of bench/site.py for this corpus: designdoc build against mkdocs build."""
    spec = importlib.util.spec_from_file_location("bench_site", BENCH / "site.py")  # not the stdlib's `site`
    assert spec and spec.loader
    site = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # registered first, for its dataclass
    spec.loader.exec_module(site)
    tools_dir = args.tools_dir or work / "tools"
    tools_dir.mkdir(parents=True, exist_ok=True)
    (work / "site").mkdir()
    rows = site.corpus_rows(real, work / "site", site.install_mkdocs(tools_dir), args.repeat, env)
    head = f"Site: designdoc build against mkdocs build, best of {args.repeat} (bench/site.py):"
    return [head, "", site.table(rows), "", site.CORPUS_NOTE]


def aligned(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Return a plain-text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]

    def align(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return [align(head), "  ".join("-" * w for w in widths), *(align(r) for r in rows)]


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
    parser.add_argument(
        "--today",
        help=f"DESIGNDOC_TODAY (default: the synthetic corpus' {corpus.DEFAULT_TODAY}; with --corpus the real date)",
    )
    parser.add_argument("--tools-dir", type=Path, help="where to install the peers (default: a temporary folder)")
    parser.add_argument("--profile", type=int, metavar="N", help="only profile designdoc on an N-doc corpus")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="pass the environment as is (no throw-away PYTHONPYCACHEPREFIX)",
    )
    real = parser.add_argument_group("a real corpus (a local clone; see bench/README.md)")
    real.add_argument("--corpus", type=Path, metavar="DIR", help="check the docs of this folder (only read)")
    real.add_argument("--template", metavar="FILE", help="the corpus' template (relative to DIR, or absolute)")
    real.add_argument("--paths", nargs="+", metavar="SUBDIR", help="the docs' folders in DIR (default: DIR)")
    real.add_argument("--exclude", nargs="+", metavar="GLOB", help="designdoc `exclude` globs, e.g. README.md")
    real.add_argument("--site", action="store_true", help="also designdoc build against mkdocs build (site.py)")
    args = parser.parse_args(argv)
    if args.corpus and not args.template:
        parser.error("--corpus needs --template")
    if not args.corpus:
        args.today = args.today or corpus.DEFAULT_TODAY
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
        if args.corpus:
            body = corpus_main(args, work, env, use_time, notes)
        else:
            body = synthetic_main(args, sizes, peer_sizes, work, env, use_time, notes)
    notes.append(
        f"Load average (1 min) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after: other work on "
        "the machine inflates wall times."
    )
    print_report(body, notes, args.repeat, use_time, real=bool(args.corpus))
    return 0


def install_peers(args: argparse.Namespace, work: Path, notes: list[str], python_peers: bool) -> list[Tool]:
    """Install markdownlint-cli2 and, with `python_peers`, pymarkdownlnt and mdformat; return those that installed."""
    tools_dir = args.tools_dir or work / "tools"
    tools_dir.mkdir(parents=True, exist_ok=True)
    peers = [t for t in [install_markdownlint(tools_dir, notes)] if t]
    return peers + (install_python_peers(tools_dir, notes) if python_peers else [])


def synthetic_main(
    args: argparse.Namespace,
    sizes: list[int],
    peer_sizes: set[int],
    work: Path,
    env: dict[str, str],
    use_time: bool,
    notes: list[str],
) -> list[str]:
    """Benchmark every size of synthetic corpus; return the table and designdoc's scores."""
    cold, warm = designdoc_tool(args.jobs, notes)
    ours = [cold] + ([warm] if warm else [])
    peers = install_peers(args, work, notes, python_peers=True) if args.peers else []
    results: list[Result] = []
    verdicts: list[str] = []
    for n in sizes:
        tools = ours + (peers if n in peer_sizes else [])
        got, verdict = bench_size(n, tools, args.repeat, work, env, args.today, use_time, notes)
        results += got
        verdicts.append(describe(n, verdict))
    return [*table(results), "", *verdicts]


def corpus_main(
    args: argparse.Namespace, work: Path, env: dict[str, str], use_time: bool, notes: list[str]
) -> list[str]:
    """Benchmark check (and with --site, build) on a real corpus; return the report's lines; check it is untouched."""
    real = realcorpus.open_corpus(args.corpus, args.template, args.paths, args.exclude)
    print(real.describe(), file=sys.stderr)
    before = realcorpus.snapshot(real.root)
    peers = install_peers(args, work, notes, python_peers=args.peers)
    lines = bench_corpus(real, peers, args, work, env, use_time, notes)
    if args.site:
        lines += ["", *site_report(real, args, work, env)]
    changed = realcorpus.changes(before, realcorpus.snapshot(real.root))
    notes.append(
        f"The corpus folder CHANGED during the run: {', '.join(changed[:10])}"
        if changed
        else "The corpus folder was left untouched (same files, sizes and mtimes before and after)."
    )
    notes.append(f"DESIGNDOC_TODAY={args.today}." if args.today else "designdoc's today: the real date.")
    return lines


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


def print_report(body: list[str], notes: list[str], repeat: int, use_time: bool, real: bool) -> None:
    """Print the tables (and designdoc's score), then the footnotes."""
    cores = os.cpu_count()
    stat = "best" if real else "median"
    print()
    print(
        f"designdoc benchmark{' on a real corpus' if real else ''}: {repeat} measured runs per tool"
        f"{'' if real else ' and size'}, after one warm-up, tools taking turns; {cores} cores, "
        f"Python {sys.version.split()[0]}; designdoc from {source_state()}"
    )
    print()
    print("\n".join(body))
    print()
    print("Footnotes:")
    print(f"- × designdoc = {stat} wall time ÷ designdoc's (cold) {stat} on the same docs; < 1 is faster.")
    print(f"- cpu s = {stat} user + system CPU time; it moves less than wall time when other work shares the machine.")
    print(
        f"- peak MiB = the largest peak RSS of the runs ({'GNU time %M' if use_time else 'os.wait4 ru_maxrss'}), "
        "process and children."
    )
    print(
        "- findings = what the tool reported in its last run (diagnostics; for mdformat, files it would "
        "reformat). exit 1 = findings, the normal outcome on this corpus."
    )
    if real:
        print(
            "- The peers are generic Markdown linters: they report style, not what a template asks; the "
            "comparison is of cost. They get the same files as designdoc, named one by one."
        )
    else:
        print_synthetic_footnotes()
    for note in notes:
        print(f"- {note}")


def print_synthetic_footnotes() -> None:
    """Print what the peers find on the synthetic corpus, and how they run."""
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


if __name__ == "__main__":
    sys.exit(main())
