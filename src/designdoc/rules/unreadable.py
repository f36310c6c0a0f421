"""encoding-invalid and file-skipped: the rules of the reading phase.

A file that cannot be read (or decoded) is never parsed, so no other rule sees it;
the runner hands the reason to one of these rules, which makes the file's only
diagnostic from it.
"""

from __future__ import annotations

from collections.abc import Iterator

from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.rules.registry import ReadingContext, rule


@rule("encoding-invalid", severity=Severity.ERROR, phase="reading")
def encoding_invalid(ctx: ReadingContext) -> Iterator[Diagnostic]:
    """## What it does
    Reports a file that is not valid UTF-8 (at the line of the first bad byte), holds NUL bytes,
    or is UTF-16/32. It is the only diagnostic of its file: nothing else can be trusted.

    ## Why is this bad?
    Every other tool (git diffs, the site, editors) will show such a file differently, and a
    "repair" by decoding with replacement characters would lose bytes.

    ## Example
    A doc saved as Windows-1252 with `café` written as the byte `0xE9`.

    ## Fix safety
    No fix: only the author knows the encoding the bytes were meant in. Re-save as UTF-8.
    """
    yield ctx.report()


@rule("file-skipped", severity=Severity.ERROR, phase="reading")
def file_skipped(ctx: ReadingContext) -> Iterator[Diagnostic]:
    """## What it does
    Reports a file that could not be checked: unreadable, not a regular file (a FIFO, socket or
    device), a dangling, looping or escaping symlink, over `max_file_size` (default 10 MiB) or
    over the per-file `time_budget` (default 10 s). An error for files named on the command line
    and for docs; a warning for other files met during a walk.

    ## Why is this bad?
    A doc that silently goes unchecked is worse than a failing check.

    ## Example
    `docs/big.md: file-skipped: over the size limit (12.0 MiB > 10.0 MiB)`.

    ## Fix safety
    No fix.
    """
    yield ctx.report()
