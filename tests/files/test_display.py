"""Property test (hypothesis): a shown path is what relpath gives, fast path or not."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from designdoc.files.discovery import display


@given(st.lists(st.sampled_from(["a", "b", ".", "..", "..a", "x y", ""]), min_size=1, max_size=5))
def test_display_is_relpath_when_inside_the_working_directory(parts: list[str]) -> None:
    path = Path("/".join(parts)) if any(parts) else Path(".")
    relative = os.path.relpath(path)
    expected = str(path) if relative.startswith("..") else relative
    assert display(path) == Path(expected).as_posix()
