"""Guidance matching: the indexed test equals the plain definition, on the fixtures and on generated text.

The plain definition, written here as the oracle: a text is guidance when its fingerprint
equals a note (8 characters or more), contains it (30 or more), or both are 60 or longer
and at least 0.85 alike by Indel similarity (2·LCS / total length).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Indel

from designdoc.config.load import builtin, load_template
from designdoc.config.load import load as load_config
from designdoc.model.text import fingerprint
from designdoc.parse import document
from designdoc.parse.guidance import guidance_units, is_guidance, note_index
from helpers import FIXTURES


def plainly(text: str, notes: tuple[str, ...], exact: bool = False) -> bool:
    """The definition, note by note, with no index and no shortcut."""
    printed = fingerprint(text)
    for note in notes:
        if len(note) >= 8 and printed == note:
            return True
        if exact:
            continue
        if len(note) >= 30 and note in printed:
            return True
        if len(note) >= 60 and len(printed) >= 60 and Indel.normalized_similarity(printed, note) >= 0.85:
            return True
    return False


WORDS = ["the", "service", "describe", "api", "latency", "owner", "risk", "a", "data", "migration", "rollback", "é"]
notes_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=30).map(" ".join)


@st.composite
def edited(draw: st.DrawFn, note: str) -> str:
    """Return a note edited lightly or heavily: words dropped, added, re-cased, punctuated."""
    words = note.split(" ")
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(words)))
        if draw(st.booleans()) and words:
            del words[min(at, len(words) - 1)]
        else:
            words.insert(at, draw(st.sampled_from([*WORDS, "X", "—", "`code`", "**bold**"])))
    joiner = draw(st.sampled_from([" ", ", ", "  ", "\n", " - "]))
    text = joiner.join(words)
    return text.upper() if draw(st.booleans()) else text


@st.composite
def padded(draw: st.DrawFn, note: str) -> str:
    """Return a note inside other words, sometimes glued to them (`xthe service …`)."""
    before = draw(st.lists(st.sampled_from(WORDS), max_size=8))
    after = draw(st.lists(st.sampled_from(WORDS), max_size=8))
    glue = draw(st.sampled_from(["", " ", ": "]))
    return " ".join(before) + glue + note + draw(st.sampled_from(["", " ", "."])) + " ".join(after)


@settings(max_examples=600, deadline=None)
@given(st.data(), st.lists(notes_text, min_size=1, max_size=12), st.booleans())
def test_the_index_answers_as_the_definition_on_generated_text(
    data: st.DataObject, raw: list[str], exact: bool
) -> None:
    notes = tuple(dict.fromkeys(fingerprint(n) for n in raw if fingerprint(n)))
    source = data.draw(st.sampled_from(notes)) if notes else ""
    text = data.draw(st.one_of(edited(source), padded(source), notes_text, st.text(max_size=200)))
    assert is_guidance(text, notes, exact=exact) == plainly(text, notes, exact)


def _fixture_cases() -> list[tuple[str, tuple[str, ...]]]:
    """Return (unit text, the section's notes) for every unit of every fixture doc's known sections."""
    cases = []
    for path in sorted(FIXTURES.rglob("*.md")):
        folder = path.parent
        try:
            template = load_template(load_config(start=folder)) if (folder / "designdoc.toml").exists() else builtin()
            doc = document.parse(path.read_text("utf-8"), str(path), template)
        except Exception:  # a fixture that is meant not to read: nothing to compare
            continue
        for section in doc.sections:
            if section.index is None:
                continue
            notes = template.sections[section.index].guidance
            cases += [(text, notes) for block in section.blocks for _, text in guidance_units(block, doc.lines)]
    return cases


def test_the_index_answers_as_the_definition_on_every_fixture() -> None:
    cases = _fixture_cases()
    assert len(cases) > 1000
    differ = [(text[:60], notes[:1]) for text, notes in cases if is_guidance(text, notes) != plainly(text, notes)]
    assert differ == []
    assert sum(is_guidance(text, notes) for text, notes in cases) > 50  # the fixtures do hold guidance


def test_a_note_without_interior_words_is_found_inside_a_longer_text() -> None:
    note = fingerprint("Describe-the-rollback-plan-in-full")
    assert " " not in note.strip() or len(note.split(" ")) >= 2
    assert is_guidance(f"Before anything: {note}. After.", (note,))
    assert note_index((note,)).loose or note_index((note,)).by_word


def test_a_similar_copy_whose_length_differs_by_a_fifth_still_matches() -> None:
    note = fingerprint("For each webhook, which service level indicators tell an administrator that it is healthy")
    text = (
        "For each webhook: which service level indicators tell an administrator or the staff on call that it is healthy"
    )
    assert 0.8 < len(note) / len(fingerprint(text)) < 0.85  # past the length ratio the old filter wanted
    assert is_guidance(text, (note,)) and plainly(text, (note,))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_a_fingerprint_is_the_pattern_s_whatever_the_path(text: str) -> None:
    import re

    assert fingerprint(text) == re.sub(r"[\W_]+", " ", text.casefold()).strip()


def test_before_rapidfuzz_is_loaded_the_character_bound_answers_as_the_definition() -> None:
    from designdoc.parse import guidance

    notes = tuple(
        fingerprint(n)
        for n in (
            "For each webhook, which service level indicators tell an administrator that it is healthy",
            "Describe the rollback plan and who decides on it, with the signals that trigger it",
        )
    )
    texts = [
        "For each webhook: which service level indicators tell an administrator or the staff on call "
        "that it is healthy",
        "Describe the rollback plan, and who decides on it, with the signals that trigger it.",
        "A paragraph of about the same length that shares few words with either of the two notes at all.",
    ]
    for text in texts:
        guidance._scorer.cache_clear()  # as in a fresh process: the bound runs first
        assert is_guidance(text, notes) == plainly(text, notes)
    guidance._scorer.cache_clear()
    assert not is_guidance(texts[2], notes) and guidance._scorer.cache_info().currsize == 0  # never loaded
