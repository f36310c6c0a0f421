"""How long the editor waits for diagnostics after a keystroke, over stdio, as an editor sees it.

    uv run python bench/lsp_latency.py [--docs 200] [--size 150] [--keystrokes 20] [--todo] [--warm]

Builds a project in a temporary git repository (`--docs` docs with supersede entries and
links between them, one of them `--size` KB, with a TODO in each of its notes given
`--todo`), starts `designdoc lsp`, opens the big doc
and types one character at a time (waiting for each publish): it reports, per keystroke,
the time from the `didChange` to its `publishDiagnostics` (the 150 ms debounce included),
and the time to the first diagnostics on open (which reads the project; in a project of
`LARGE` files or more, the doc's own findings come first and the project's after it is read).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from designdoc.lsp.analyzer import LARGE

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "rate-limiter.md"


def project(root: Path, docs: int, size_kb: int, todo: bool = False) -> Path:
    base = EXAMPLE.read_text("utf-8")
    (root / "designdoc.toml").write_text('paths = ["docs"]\n', "utf-8")
    (root / "docs").mkdir()
    for i in range(docs):
        text = base.replace("\ntags:", f"\nsupersedes:\n  - doc-{(i + 1) % docs:04d}\ntags:", 1)
        text = text.replace("## Appendix\n", f"## Appendix\nSee [the next](doc-{(i + 1) % docs:04d}.md#purpose).\n", 1)
        (root / "docs" / f"doc-{i:04d}.md").write_text(text, "utf-8")
    big = root / "docs" / "doc-0000.md"
    text = big.read_text("utf-8")
    word = "TODO" if todo else "done"
    filler = "".join(
        f"\n## Note {n}\n\nA paragraph with [a link](doc-0001.md#purpose) and some words, {word} for {n}.\n\n"
        f"- an item {n}\n- another item with `code`\n\n```text\nblock {n}\n```\n"
        for n in range(100_000)
        if n * 150 < size_kb * 1024 - len(text)
    )
    big.write_text(text + filler, "utf-8")
    git = ["git", "-c", "user.name=b", "-c", "user.email=b@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "."], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "docs"], cwd=root, check=True)
    return big


async def measure(root: Path, big: Path, keystrokes: int, docs: int) -> None:
    client = LanguageClient("bench", "1")
    published: asyncio.Queue = asyncio.Queue()
    client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(lambda p: published.put_nowait((time.perf_counter(), p)))
    os.chdir(root)
    await client.start_io(sys.executable, "-m", "designdoc", "lsp")
    await client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=root.as_uri())
    )
    client.initialized(types.InitializedParams())
    uri, text = big.as_uri(), big.read_text("utf-8")
    start = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=text)
        )
    )
    when, first = await published.get()
    print(
        f"open: {len(text) / 1024:.0f} KB doc, {len(first.diagnostics)} diagnostics in {(when - start) * 1000:.0f} ms"
    )
    if docs + 1 >= LARGE:  # a large project: the doc's own findings came first, the project's follow
        when, whole = await published.get()
        print(f"open: the project read, {len(whole.diagnostics)} diagnostics in {(when - start) * 1000:.0f} ms")
    at = text.index("## Appendix\n") + len("## Appendix\n")
    waits = []
    for version in range(2, keystrokes + 2):
        text = text[:at] + "x" + text[at:]
        at += 1
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        while True:
            when, params = await published.get()
            if params.version == version:
                break
        waits.append((when - sent) * 1000)
    waits.sort()
    print(
        f"keystroke to diagnostics ({len(waits)} keystrokes, 150 ms debounce included): "
        f"median {statistics.median(waits):.0f} ms, p90 {waits[int(len(waits) * 0.9) - 1]:.0f} ms, "
        f"max {waits[-1]:.0f} ms"
    )
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--size", type=int, default=150, help="the big doc's size in KB")
    parser.add_argument("--keystrokes", type=int, default=20)
    parser.add_argument("--todo", action="store_true", help="a TODO in every note of the big doc: ~1,000 findings")
    parser.add_argument("--warm", action="store_true", help="run `designdoc check` on the project first (its cache)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        big = project(root, args.docs, args.size, args.todo)
        if args.warm:
            check = [sys.executable, "-m", "designdoc", "check", "--format", "json", "-o", os.devnull]
            subprocess.run(check, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        warm = ", checked once before (warm cache)" if args.warm else ""
        print(f"project: {args.docs} docs in a git repository{warm}")
        asyncio.run(measure(root, big, args.keystrokes, args.docs))


if __name__ == "__main__":
    main()
