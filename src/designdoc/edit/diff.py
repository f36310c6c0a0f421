"""A unified diff of one file's text before and after its fixes (`check --diff`)."""

from __future__ import annotations

import difflib

from designdoc.model.text import lines_with_breaks


def unified_diff(path: str, old: str, new: str) -> str:
    """Return a unified diff of one file, `--- a/PATH` / `+++ b/PATH`."""
    # Lines end at \r\n, \r or \n only: str.splitlines() also splits at U+2028, form feeds, …,
    # which put "No newline at end of file" markers in the middle of a file.
    lines = difflib.unified_diff(
        lines_with_breaks(old), lines_with_breaks(new), fromfile=f"a/{path.lstrip('/')}", tofile=f"b/{path.lstrip('/')}"
    )
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        elif line.endswith("\r"):  # a lone CR ends the line in the file; show each on its own line
            out.append(line + "\n")
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)
