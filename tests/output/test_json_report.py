"""`check --format json`: the report parses to exactly the documented object, whatever the text it carries."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from designdoc.model.diagnostics import Diagnostic, Severity
from designdoc.output.json import format_json, to_json_object
from designdoc.output.text import summary_counts

diagnostics = st.builds(
    Diagnostic,
    st.text(min_size=1, max_size=30),
    st.integers(1, 10**6),
    st.integers(1, 500),
    st.integers(1, 10**6),
    st.integers(1, 500),
    st.sampled_from(["section-missing", "todo-marker", "link-broken"]),
    st.sampled_from([Severity.ERROR, Severity.WARNING, Severity.INFO]),
    st.text(max_size=80),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(diagnostics, max_size=20), st.integers(0, 10_000))
def test_the_report_is_the_documented_object(found: list[Diagnostic], files: int) -> None:
    report = format_json(found, files)
    assert json.loads(report) == {
        "diagnostics": [to_json_object(d) for d in found],
        "summary": {"files": files, **summary_counts(found)},
    }
    assert report.count("\n") == (len(found) + 5 if found else 4)  # one diagnostic a line
