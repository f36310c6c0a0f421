"""Progress on a terminal: one line on stderr, rewritten in place; nothing when piped or in CI."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator

import click

PROGRESS_FROM = 200  # files: a smaller run is over before a progress line would help


def on_terminal() -> bool:
    """Return True when progress may be shown: stderr is a terminal and this is not CI."""
    return not os.environ.get("CI") and sys.stderr.isatty()


class ProgressLine:
    """One status line on stderr, rewritten in place, and cleared before anything else is printed."""

    def __init__(self) -> None:
        self.width = 0

    def show(self, text: str) -> None:
        """Replace the line with `text`."""
        click.echo("\r" + text.ljust(self.width), err=True, nl=False)
        self.width = max(self.width, len(text))

    def clear(self) -> None:
        """Remove the line."""
        if self.width:
            click.echo("\r" + " " * self.width + "\r", err=True, nl=False)
            self.width = 0


def build_stages(line: ProgressLine) -> Callable[[str, int, int], None]:
    """Return a site build's progress callback on `line`: files checked and rendered, then the search index."""

    def show(stage: str, done: int, total: int) -> None:
        if stage == "check" and total >= PROGRESS_FROM and (done % 50 == 0 or done == total):
            line.show(f"designdoc: checked and rendered {done}/{total} files")
        elif stage == "index":
            line.show("designdoc: indexing the pages for search" + (f" ({done}/{total} bundles)" if total > 1 else ""))

    return show


def file_ticker(total: int) -> Callable[[], None] | None:
    """Return a callback showing files done / total on a terminal's stderr; None when piped or in CI."""
    if total < PROGRESS_FROM or not on_terminal():
        return None
    line = ProgressLine()
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if done % 50 == 0 or done == total:
            line.show(f"designdoc: checked {done}/{total} files")
        if done == total:  # leave the line clean for the report
            line.clear()

    return tick


@contextlib.contextmanager
def build_progress() -> Iterator[Callable[[str, int, int], None] | None]:
    """Yield a site build's progress callback on a terminal (None elsewhere); the line is cleared on exit."""
    line = ProgressLine() if on_terminal() else None
    try:
        yield build_stages(line) if line is not None else None
    finally:
        if line is not None:
            line.clear()
