"""Reading metadata never fails, and every value's span holds its text: the in-place writes rely on it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from designdoc.config.load import builtin, from_table
from designdoc.config.process import preset_names
from designdoc.edit.apply import apply_edits
from designdoc.model.diagnostics import Edit
from designdoc.model.metadata import PROSE_SOURCES, Sidecar
from designdoc.parse import document
from strategies import MARKDOWN_BITS, SETTINGS

TEMPLATE = builtin()
CONFIGS = [from_table({"preset": name}) for name in preset_names()]
META_BITS = st.one_of(
    MARKDOWN_BITS,
    st.sampled_from(
        [
            "* Status: ",
            "- Feature Name: ",
            "* **Status**: ",
            "- **Author(s):** ",
            "Date: ",
            "## Status\n\n",
            "**Implemented (Swift 5.5)**",
            "[SE-0001](0001-a.md), [B](b)",
            "Superceded by [3. X](0003-x.md)",
            "2025-10-9",
            "status: ",
            "stage: ",
            "&a ",
            "*a",
            "\n- ",
        ]
    ),
)
TEXTS = st.lists(META_BITS, max_size=60).map("".join)


@SETTINGS
@given(TEXTS, st.one_of(st.none(), TEXTS))
def test_metadata_is_read_from_any_text_and_each_span_holds_its_value(text: str, sidecar: str | None) -> None:
    for config in CONFIGS:
        spec = config.metadata
        side = Sidecar("kep.yaml", sidecar) if spec.sidecar and sidecar is not None else None
        doc = document.parse(text, "doc.md", TEMPLATE, spec=spec, sidecar=side)
        for value in doc.metadata.fields.values():
            source = doc.text if value.file == "doc.md" else sidecar
            assert source is not None and 0 <= value.start <= value.end <= len(source)
            if value.source in PROSE_SOURCES:
                assert source[value.start : value.end] == value.raw
        config.lifecycle.read(doc.role("status").text if doc.role("status") else None)
        doc.status(config.lifecycle)


@SETTINGS
@given(st.text(st.characters(exclude_characters="\x00\r\n*_`[]|"), min_size=1, max_size=30).filter(str.strip))
def test_a_status_written_in_a_list_is_replaced_exactly_in_its_span(written: str) -> None:
    text = f"# Title\n\n* Proposal: [SE-0001](x.md)\n* Status: **{written.strip()}**\n\n## Introduction\n\nText.\n"
    config = CONFIGS[preset_names().index("swift-evolution")]
    doc = document.parse(text, "doc.md", TEMPLATE, spec=config.metadata)
    value = doc.role("status")
    assert value is not None and value.raw == written.strip()
    moved = apply_edits(text, [Edit(value.start, value.end, "Accepted")])
    assert moved == text.replace(f"**{written.strip()}**", "**Accepted**")
    assert doc.reparsed(moved).status(config.lifecycle) == "accepted"
