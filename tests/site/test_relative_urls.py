"""Property test (hypothesis): the site's relative URLs agree with posixpath.relpath."""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from designdoc.site.links import relative

_SEGMENT = st.sampled_from(["a", "b", "docs", "x y", "é"])


@given(
    st.lists(_SEGMENT, min_size=0, max_size=4),
    st.lists(_SEGMENT, min_size=0, max_size=4),
    st.sampled_from(["p.html", "q.html", "index.html"]),
    st.sampled_from(["p.html", "r.html"]),
)
def test_relative_site_urls_are_relpath(from_dirs: list[str], to_dirs: list[str], from_name: str, to_name: str) -> None:
    page_from, page_to = "/".join([*from_dirs, from_name]), "/".join([*to_dirs, to_name])
    expected = quote(posixpath.relpath(page_to, posixpath.dirname(page_from) or "."), safe="/")
    assert relative(page_from, page_to) == expected
