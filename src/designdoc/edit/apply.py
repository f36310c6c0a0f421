"""Apply exact-span edits to a text, and choose the fixes of one round that do not overlap."""

from __future__ import annotations

from collections.abc import Sequence

from designdoc.model.diagnostics import Edit, Fix


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Return `text` with non-overlapping edits applied (from the end backwards).

    Insertions at one point appear in the order given, as LSP specifies for TextEdits (a
    plain reverse sort put them in reverse order).
    """
    ordered = sorted(enumerate(edits), key=lambda item: (item[1].start, item[1].end, item[0]), reverse=True)
    for _, edit in ordered:
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def choose(fixes: Sequence[Fix], groups: Sequence[str] | None = None) -> list[Fix]:
    """Return the fixes of one round: each fix whose edits overlap no earlier chosen fix.

    Two insertions at one point overlap (their order would be arbitrary) unless both fixes
    are of one group (one rule: several missing sections before one heading, several
    missing fields before the closing `---`): those go in together, in the given order.
    Without this, a doc missing more sections than `MAX_ROUNDS` needed a second `--fix`.
    """
    taken: list[tuple[tuple[int, int], str | None]] = []
    chosen = []
    for number, fix in enumerate(fixes):
        group = groups[number] if groups is not None else None
        spans = [(e.start, e.end) for e in fix.edits]
        if any(
            _overlap(a, b) and not (group is not None and group == other and _same_point(a, b))
            for a in spans
            for b, other in taken
        ):
            continue
        taken += [(span, group) for span in spans]
        chosen.append(fix)
    return chosen


def _same_point(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] == a[1] == b[0] == b[1]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] == b[0] == b[1]:
        return True  # two insertions at one point: their order would be arbitrary
    return a[0] < b[1] and b[0] < a[1] or (a[0] == a[1] and b[0] < a[0] < b[1]) or (b[0] == b[1] and a[0] < b[0] < a[1])
