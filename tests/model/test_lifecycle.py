"""Reading written status values: names, labels, aliases, markup and details."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from designdoc.config.load import from_table
from designdoc.model.lifecycle import DESIGN_DOC, Reading

SWIFT = from_table({"preset": "swift-evolution"}).lifecycle
NYGARD = from_table({"preset": "nygard-adr"}).lifecycle
KEP = from_table({"preset": "kep"}).lifecycle


@pytest.mark.parametrize(
    ("lifecycle", "written", "expected"),
    [
        (SWIFT, "Implemented (Swift 5.5)", Reading("implemented", "Swift 5.5")),
        (SWIFT, "**Implemented (Swift 5.5)**", Reading("implemented", "Swift 5.5")),
        (SWIFT, "Active Review (March 1...15, 2021)", Reading("active-review", "March 1...15, 2021")),
        (SWIFT, "Accepted with revisions", Reading("accepted")),
        (SWIFT, "accepted", Reading("accepted")),
        (SWIFT, "Returned for revision", Reading("returned-for-revision")),
        (SWIFT, "Acceptable", Reading(None)),  # a prefix must end at a word's end
        (NYGARD, "Superceded by [3. Use Postgres](0003-use-postgres.md)", Reading("superseded", "3. Use Postgres")),
        (NYGARD, "Superseded by [3. Use Postgres](0003-use-postgres.md)", Reading("superseded", "3. Use Postgres")),
        (KEP, "implemented (alpha)", Reading("implemented", "alpha")),
        (KEP, "imlpemented", Reading(None)),
        (KEP, "provisional|implementable|implemented", Reading(None)),
        (DESIGN_DOC, "draft", Reading("draft")),
        (DESIGN_DOC, "Draft", Reading(None)),  # the built-in schema reads names exactly
        (DESIGN_DOC, "draft (soon)", Reading(None)),
    ],
)
def test_written_values_read_as_statuses(lifecycle, written, expected):
    assert lifecycle.read(written) == expected


@given(st.text(max_size=60))
def test_reading_never_raises_and_names_a_lifecycle_status(text):
    for lifecycle in (SWIFT, NYGARD, KEP, DESIGN_DOC):
        reading = lifecycle.read(text)
        assert reading.status is None or reading.status in lifecycle.names


def test_the_built_in_moves_and_gates():
    assert DESIGN_DOC.allowed("draft", "review") and not DESIGN_DOC.allowed("draft", "approved")
    assert DESIGN_DOC.final == ("superseded", "rejected", "withdrawn")
    assert DESIGN_DOC.gate("approved").no_errors and DESIGN_DOC.gate("approved").min_version == "1.0.0"
    assert not DESIGN_DOC.gate("draft").no_errors
    assert DESIGN_DOC.legal_moves("rejected") == "none: 'rejected' is final"
