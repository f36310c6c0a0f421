"""Compare the block scanner with markdown-it-py on a generated corpus.

Usage: uv run python bench/blockscan.py [--docs N] [--seed S] [--rounds R]
                                        [--generator PATH] [--corpus DIR]

Generates N documents with bench/corpus.py (or reads the `.md`
files under --corpus), cuts each one's body as `document.parse` does, and
prints the CPU time per document of markdown-it-py (the reference), of the
scanner alone and of `parse_body` (scanner, falling back to markdown-it-py),
best of R rounds, with the scanner's fallback rate.  CPU time, not wall time:
it is steadier on a busy machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from designdoc.parse import blockscan, markdownit
from designdoc.parse import body as markdown
from designdoc.parse.document import (
    body_source as body_of,  # the body exactly as `document.parse` cuts it
)

GENERATOR = Path(__file__).resolve().parent / "corpus.py"  # our own synthetic corpus


def per_doc(parse: Callable[[str, int], object], bodies: list[tuple[str, int]], rounds: int) -> float:
    """Return the best CPU time per document, in ms, of `rounds` passes over `bodies`."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for source, first_line in bodies:
            parse(source, first_line)
        best = min(best, time.process_time() - start)
    return best / len(bodies) * 1000


def load(args: argparse.Namespace, workdir: Path) -> list[Path]:
    """Return the corpus's documents, generating it first unless --corpus names one."""
    if args.corpus:
        return sorted(Path(args.corpus).rglob("*.md"))
    if not args.generator.exists():
        sys.exit(f"{args.generator} not found: pass --generator or --corpus")
    subprocess.run(
        [sys.executable, str(args.generator), str(args.docs), str(workdir), "--seed", str(args.seed)],
        check=True,
        capture_output=True,
    )
    return sorted((workdir / "docs").rglob("*.md"))


def main() -> None:
    """Print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--generator", type=Path, default=GENERATOR)
    parser.add_argument("--corpus", help="read these documents instead of generating a corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        paths = load(args, Path(workdir))
        bodies = [body_of(path.read_text(encoding="utf-8")) for path in paths]
    fallbacks = sum(blockscan.scan(source, first_line) is None for source, first_line in bodies)
    reference = per_doc(markdownit.parse_with_markdown_it, bodies, args.rounds)
    scanner = per_doc(blockscan.scan, bodies, args.rounds)
    parse_body = per_doc(markdown.parse_body, bodies, args.rounds)
    size = sum(len(source) for source, _ in bodies) / len(bodies) / 1024
    print(f"{len(bodies)} documents, bodies of {size:.1f} KiB on average; CPU ms/doc, best of {args.rounds}")
    print(f"{'parser':<28}{'ms/doc':>8}{'speed-up':>10}")
    rows = (("markdown-it-py", reference), ("blockscan.scan", scanner), ("parse_body (with fallback)", parse_body))
    for name, ms in rows:
        print(f"{name:<28}{ms:>8.3f}{reference / ms:>9.1f}x")
    print(f"fallback rate: {fallbacks}/{len(bodies)} = {fallbacks / len(bodies):.1%}")


if __name__ == "__main__":
    main()
