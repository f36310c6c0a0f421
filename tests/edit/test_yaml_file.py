"""A YAML file (a sidecar) edited with the front-matter edits, through a stand-in document."""

from __future__ import annotations

import pytest

from designdoc.edit.apply import apply_edits
from designdoc.edit.edits import add_list_item, set_scalar, yaml_file, yaml_file_edits


@pytest.mark.parametrize("ending", ["\n", ""], ids=["final-line-break", "none"])
def test_edits_land_in_the_file_itself_with_or_without_a_final_line_break(ending: str) -> None:
    text = 'title: Pulls  # kept\nstatus: provisional\nauthors:\n  - "@ruiz"' + ending
    stand_in = yaml_file(text, "kep.yaml")
    edits = set_scalar(stand_in, "status", "implementable") + add_list_item(stand_in, "replaces", "keps/12")
    written = apply_edits(text, yaml_file_edits(text, edits))
    assert written == ('title: Pulls  # kept\nstatus: implementable\nauthors:\n  - "@ruiz"\nreplaces:\n  - keps/12\n')
