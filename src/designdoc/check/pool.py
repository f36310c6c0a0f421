"""Processes and memory for a run: how many workers, and the cycle collector around them.

A check (and a site build) forks its workers so that they inherit the run's state
instead of pickling it; before forking, the heap is frozen so that the workers do
not touch (and copy) the pages they share with the parent, and a worker collects
young objects less often, since parsing makes many and nearly none in cycles.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import threading
from collections.abc import Iterator

PARALLEL_FROM = 48  # files: below this a pool's start-up costs more than it saves (bench/)


WORKER_GC_THRESHOLD = 20_000  # allocations between young collections in a worker (Python's default: 700)


_FREEZE_LOCK = threading.Lock()


_freezes = 0  # nested `frozen_heap` scopes open in this process


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Freeze the objects alive now for the scope: the cycle collector no longer scans them.

    A run freezes what it loaded (the cache) so that the collections its allocations
    trigger stay short, and again before forking its workers, so that they do not touch
    (and copy) the pages they share with the parent.  Scopes nest: the heap thaws when the
    outermost one ends, so a long-lived process (`serve`, the LSP) keeps nothing frozen.
    """
    global _freezes
    with _FREEZE_LOCK:
        gc.freeze()
        _freezes += 1
    try:
        yield
    finally:
        with _FREEZE_LOCK:
            _freezes -= 1
            if not _freezes:
                gc.unfreeze()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the scope (it resumes only if it was running)."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def worker_gc() -> None:
    """Collect young objects less often in a worker: parsing makes many, nearly none in cycles (bench/)."""
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


def workers(count: int, jobs: int | None, *, parallel_from: int | None = None) -> int:
    """Return how many processes to work through `count` items with (1: in this process).

    `jobs` (the user's `--jobs`) wins; otherwise a run of fewer than `parallel_from` items
    stays in this process, and a larger one gets a worker per half of that, up to the cores.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if jobs is not None:
        return max(1, min(jobs, count))
    threshold = PARALLEL_FROM if parallel_from is None else parallel_from
    if count < threshold:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, count // max(1, threshold // 2)))
