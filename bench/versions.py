"""What template versions cost and change, on clones of public corpora with their git history.

For each corpus (a git clone holding a designdoc.toml), `designdoc check` runs with the
template's versions (the config as it is) and without them (the same config with
`template_git_history = false` and no `[[template_versions]]`), taking turns, cold
(`--no-cache`) and warm (the second of two cached runs), and the table shows the best
wall time of each, the overhead, the number of versions, and the findings that differ.

    uv run python bench/versions.py /tmp/hist/openshift+enhancements /tmp/hist/swiftlang+swift-evolution --repeat 3

Stdlib only.  The corpora are never copied into the project.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def without_versions(config: str) -> str:
    """Return a config's text with template versions off: no git history, no named versions."""
    text = re.sub(r"(?ms)^\[\[template_versions\]\].*?(?=^\[|\Z)", "", config)
    text = re.sub(r"(?m)^template_git_history\s*=.*\n", "", text)
    return "template_git_history = false\n" + text


def run(corpus: Path, config: Path, *, cache: bool, report: Path | None = None) -> float:
    """Run one check and return its wall time (the report written to `report`, when given)."""
    command = [sys.executable, "-m", "designdoc", "check", "--config", str(config), "--format", "json"]
    command += ["-o", str(report) if report else os.devnull]
    if not cache:
        command.append("--no-cache")
    start = time.perf_counter()
    subprocess.run(command, cwd=corpus, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def versions_of(corpus: Path, config: Path) -> int:
    out = subprocess.run(
        [sys.executable, "-m", "designdoc", "template", "history", "--config", str(config), "--format", "json"],
        cwd=corpus,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return len(json.loads(out.stdout)["versions"])
    except (ValueError, KeyError):
        return 0


def counts(report: Path) -> collections.Counter[str]:
    return collections.Counter(d["rule"] for d in json.loads(report.read_text("utf-8"))["diagnostics"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="+", type=Path, help="git clones holding a designdoc.toml")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for corpus in args.corpora:
            config = corpus / "designdoc.toml"
            if not config.is_file():
                raise SystemExit(f"{corpus}: no designdoc.toml (write one naming the template and paths)")
            plain = corpus / ".designdoc-bench-plain.toml"  # beside the config: its paths are relative to it
            plain.write_text(without_versions(config.read_text("utf-8")), "utf-8")
            with_report, plain_report = Path(scratch) / "with.json", Path(scratch) / "plain.json"
            run(corpus, config, cache=False, report=with_report)
            run(corpus, plain, cache=False, report=plain_report)
            best: dict[str, float] = {}
            for _ in range(args.repeat):
                for name, which in (("with", config), ("plain", plain)):
                    best[f"{name} cold"] = min(best.get(f"{name} cold", 1e9), run(corpus, which, cache=False))
                    run(corpus, which, cache=True)
                    best[f"{name} warm"] = min(best.get(f"{name} warm", 1e9), run(corpus, which, cache=True))
            found, before = counts(with_report), counts(plain_report)
            changed = {
                rule: (before[rule], found[rule])
                for rule in sorted(set(found) | set(before))
                if found[rule] != before[rule]
            }
            rows.append((corpus.name, versions_of(corpus, config), best, changed))
            plain.unlink()
    head = f"{'cold with':>10} {'cold w/o':>9} {'×':>6} {'warm with':>10} {'warm w/o':>9} {'×':>6}"
    print(f"{'corpus':32} {'versions':>8} {head}")
    for name, count, best, _ in rows:
        cold = best["with cold"] / best["plain cold"]
        warm = best["with warm"] / best["plain warm"]
        print(
            f"{name:32} {count:>8} {best['with cold']:>9.2f}s {best['plain cold']:>8.2f}s {cold:>6.2f}"
            f" {best['with warm']:>9.2f}s {best['plain warm']:>8.2f}s {warm:>6.2f}"
        )
    print("\nfindings that differ (without versions → with):")
    for name, _, _, changed in rows:
        print(f"  {name}: " + ", ".join(f"{rule} {a} → {b}" for rule, (a, b) in changed.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
