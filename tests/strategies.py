"""Shared by the property tests: hypothesis settings that scale, and the Markdown bits documents are built of."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# DESIGNDOC_PROPERTY_SCALE=20 runs twenty times as many examples (for a long local run).
SCALE = float(os.environ.get("DESIGNDOC_PROPERTY_SCALE", "1"))


def examples(n: int) -> settings:
    """Return hypothesis settings for `n` examples (times the scale), with no deadline."""
    return settings(deadline=None, max_examples=max(1, int(n * SCALE)), suppress_health_check=[HealthCheck.too_slow])


SETTINGS = examples(150)

MARKDOWN_BITS = st.sampled_from(
    [
        "---",
        "...",
        "# ",
        "## ",
        "### ",
        "#",
        "> ",
        ">",
        "- ",
        "* ",
        "1. ",
        "- [ ] ",
        "```",
        "~~~",
        "    ",
        "[",
        "]",
        "(",
        ")",
        "![",
        "](",
        "<",
        ">",
        "<!--",
        "-->",
        "`",
        "*",
        "_",
        "|",
        "|---|",
        ":",
        "\t",
        "TODO",
        "TBD",
        "Purpose",
        "Alternatives",
        "Open Questions",
        "Appendix",
        "_Last updated: 2025-05-20_",
        "title: x",
        "doc_type: design_doc",
        "status: draft",
        "\u2028",
        "\x0c",
        "\x85",
        "\u200b",
        "\u202e",
        "\ufeff",
        "â€™",
        "Ã©",
        "é",
        "😀",
        "\n",
        "\r\n",
        "\r",
        "\n\n",
        " ",
        "x",
        "word",
        'id="a"',
        "http://x",
        "../a.md#b",
    ]
)
