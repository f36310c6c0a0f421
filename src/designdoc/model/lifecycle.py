"""The document lifecycle: statuses and the moves between them, as one table."""

from __future__ import annotations

STATUSES = ("draft", "review", "approved", "implemented", "deprecated", "superseded", "rejected", "withdrawn")

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"review", "withdrawn"}),
    "review": frozenset({"draft", "approved", "rejected", "withdrawn"}),
    "approved": frozenset({"implemented", "superseded", "deprecated", "withdrawn"}),
    "implemented": frozenset({"superseded", "deprecated"}),
    "deprecated": frozenset({"superseded"}),
    "rejected": frozenset(),
    "withdrawn": frozenset(),
    "superseded": frozenset(),
}

# a new doc starts here; a doc in these has passed approval
INITIAL = ("draft", "review")
APPROVED_ON = frozenset({"approved", "implemented", "deprecated", "superseded"})
DRAFT_NOTE_ALLOWED = frozenset({"draft"})


def allowed(current: str, new: str) -> bool:
    """Return True when a doc may move from `current` to `new`."""
    return new in TRANSITIONS.get(current, frozenset())


def legal_moves(current: str) -> str:
    """Return the statuses reachable from `current`, for messages."""
    moves = sorted(TRANSITIONS.get(current, frozenset()), key=STATUSES.index)
    return ", ".join(moves) if moves else f"none: {current!r} is final"


def gated(new: str) -> bool:
    """Return True when entering `new` requires the doc to be free of errors."""
    return new in ("review", "approved", "implemented")
