"""Merging small segments in the background (the policy is explained in sync.py)."""

from __future__ import annotations

import logging
import time

from whoosh.reading import SegmentReader

from .catchup import open_writer
from .index import get_index

log = logging.getLogger(__name__)

MERGE_FANOUT = 8  # this many segments of one size tier are merged into one
MERGE_IDLE = 0.5  # seconds without a commit before merging
MERGE_NOW = 16  # ...unless this many segments have piled up
MERGE_POLL = 0.05  # how often the merge thread looks
COMPACT_DELETED_RATIO = 0.33  # rebuild when a third of the stored documents are old versions
COMPACT_MIN_DOCS = 2_000


def _tier(segment) -> int:
    live = segment.doc_count_all() - segment.deleted_count()
    return len(str(max(1, live))) - 1  # 1-9: 0, 10-99: 1, 100-999: 2 ...


def plan_merge(segments) -> list:
    """The segments to merge now: MERGE_FANOUT segments of the smallest size tier that has that
    many (its smallest ones). Never more: a merge holds the write lock, and a catch-up waiting
    behind it waits for the whole merge (32 small segments took ~190 ms, 8 take a quarter)."""
    tiers: dict[int, list] = {}
    for segment in segments:
        tiers.setdefault(_tier(segment), []).append(segment)
    for tier in sorted(tiers):
        if len(tiers[tier]) >= MERGE_FANOUT:
            return sorted(tiers[tier], key=lambda s: s.doc_count_all())[:MERGE_FANOUT]
    return []


def _tiered_merge(writer, segments):
    """A Whoosh merge policy (the documented `mergetype` hook): merge the segments plan_merge
    picks, keep the others."""
    chosen = plan_merge(segments)
    if len(chosen) < 2:
        return segments
    chosen_ids = {id(segment) for segment in chosen}
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)  # copies live documents only: deletions are reclaimed
        reader.close()
    return [segment for segment in segments if id(segment) not in chosen_ids]


def merge_segments(app, timeout: float = 10.0) -> int:
    """Merge one tier of small segments (see plan_merge). Returns how many were merged."""
    idx = get_index(app)
    if not plan_merge(idx.segments()):
        return 0
    writer = open_writer(idx.index(), timeout)
    try:
        # The writer's own view of the segments: another process may have merged meanwhile.
        merged = len(plan_merge(idx.segments()))
        writer.commit(mergetype=_tiered_merge)
    except BaseException:
        writer.cancel()
        raise
    log.info("search index: merged %d small segments", merged)
    return merged


def merge_when_quiet(app) -> None:
    """Merge once writes pause for MERGE_IDLE seconds (a merge holds the write lock for a few
    hundred milliseconds; a catch-up arriving meanwhile would wait for it), or at once when
    MERGE_NOW segments have piled up during a burst of writes."""
    idx = get_index(app)
    idle = float(app.config.get("SEARCH_MERGE_IDLE_SECONDS", MERGE_IDLE))
    # Look often, so a burst is merged when MERGE_NOW segments exist, not after a whole idle
    # period of back-to-back commits has piled up many more.
    step = min(idle, MERGE_POLL)
    generation, changed_at = None, time.monotonic()
    while True:
        time.sleep(step)
        ix = idx.index()
        if ix.latest_generation() != generation:
            generation, changed_at = ix.latest_generation(), time.monotonic()
        segments = idx.segments()
        if not plan_merge(segments):
            return
        if time.monotonic() - changed_at < idle and len(segments) < MERGE_NOW:
            continue  # still busy: wait for a quiet moment
        merge_segments(app)
