"""One search over one generation of the index (a Whoosh searcher): filters, exact total, facet
counts and the requested page, per segment, over bitsets."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from whoosh import query as wq

from ..schema import FACET_FIELDS
from . import facets as facet_counts
from . import matching, ranking, spelling
from .bitsets import mask_to_ids
from .segments import SegmentData

# Per process, over all segments: what cached terms may hold (postings, bitsets, BM25 parts,
# positions), unless the index says otherwise (SEARCH_TERM_CACHE_MB). A web worker must fit its share
# of a 512 MB instance with the 100k index (README, "Pages").
MAX_CACHED_TERM_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class RangeFacet:
    """A facet over a numeric column; bucket (key, bound) holds the documents with value >= bound."""

    name: str
    column: str
    buckets: tuple[tuple[str, int], ...]


@dataclass
class Request:
    query: object  # a whoosh.query.Query; None: every document
    now: int  # epoch seconds: expiry, featured and recency use it
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet field -> accepted values (OR)
    ranges: dict[str, int] = field(default_factory=dict)  # range facet name -> lower bound
    range_facets: tuple[RangeFacet, ...] = ()
    facet_fields: tuple[str, ...] = FACET_FIELDS
    sort: str = "relevance"  # or "newest"
    offset: int = 0
    limit: int = 20


@dataclass
class Result:
    total: int
    job_ids: list[int]
    facets: dict[str, dict[str, int]]
    labels: dict[str, dict[str, str]]


@dataclass
class Leaf:
    reader: object
    searcher: object
    offset: int
    data: SegmentData
    segment: object  # this generation's Segment (its deleted set is current)

    @property
    def live(self) -> int:
        return self.data.live(self.segment)


class Snapshot:
    """The engine's view of one searcher (one generation of the index). Not thread-safe: the
    caller serialises searches on one process (Whoosh's readers seek shared file objects)."""

    def __init__(
        self,
        searcher,
        segments: dict[str, SegmentData],
        current: dict | None = None,
        term_cache_bytes: int | None = None,
    ):
        """`segments`: the per-segment caches to use and fill (segment id -> SegmentData).
        `current`: segment id -> this generation's Segment, when the searcher reuses readers of
        unchanged segments (whoosh_codec.open_searcher); by default each reader's own segment.
        `term_cache_bytes`: the cached terms' budget over all segments (MAX_CACHED_TERM_BYTES)."""
        self.searcher = searcher
        self.term_cache_bytes = MAX_CACHED_TERM_BYTES if term_cache_bytes is None else term_cache_bytes
        self.leaves: list[Leaf] = []
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            if reader.segment() is None or not reader.doc_count_all():
                continue  # an empty index has no segment
            segid = reader.segment().segment_id()
            data = segments.get(segid)
            if data is None:
                data = segments[segid] = SegmentData(reader)
            segment = (current or {}).get(segid) or reader.segment()
            self.leaves.append(Leaf(reader, sub, offset, data, segment))
        self.doc_count = sum(leaf.live.bit_count() for leaf in self.leaves)
        self._avg: dict[str, float] = {}

    def meta_fields(self) -> dict | None:
        """Stored fields of the live meta document (the index's record of what it absorbed)."""
        for leaf in self.leaves:
            docs = mask_to_ids(leaf.data.meta_mask & leaf.data.undeleted(leaf.segment))
            if docs:
                return leaf.reader.stored_fields(docs[-1])
        return None

    @property
    def segment_ids(self) -> set[str]:
        return {leaf.data.segid for leaf in self.leaves}

    def job_ids(self) -> set[int]:
        """Every job id in the index (for consistency checks)."""
        ids: set[int] = set()
        for leaf in self.leaves:
            column = leaf.data.column(leaf.reader, "job_id")
            ids.update(column[d] for d in mask_to_ids(leaf.live))
        return ids

    def open_count(self, now: int) -> int:
        """Documents not deleted and not expired at `now`."""
        return sum((leaf.live & leaf.data.range(leaf.reader, "expires").above(now)).bit_count() for leaf in self.leaves)

    def avg_length(self, fieldname: str) -> float:
        avg = self._avg.get(fieldname)
        if avg is None:
            total = sum(leaf.reader.field_length(fieldname) for leaf in self.leaves)
            avg = self._avg[fieldname] = (total / max(1, self.doc_count)) or 1.0
        return avg

    def doc_frequency(self, fieldname: str, text: str) -> int:
        return sum(leaf.data.term(leaf.reader, fieldname, text).df for leaf in self.leaves)

    def word_found(self, fieldname: str, text: str) -> bool:
        return any(leaf.data.term(leaf.reader, fieldname, text).mask & leaf.live for leaf in self.leaves)

    def suggest(self, word: str) -> str | None:
        return spelling.suggest_word(self, word)

    def search(self, req: Request) -> Result:
        query = req.query
        everything = query is None or query is wq.NullQuery or isinstance(query, wq.Every)
        range_facets = {rf.name: rf for rf in req.range_facets}
        groups = list(req.facet_fields) + list(range_facets)
        active = [g for g in groups if req.terms.get(g) or g in req.ranges]
        facets: dict[str, Counter] = {g: Counter() for g in groups}
        labels: dict[str, dict[str, str]] = {g: {} for g in facet_counts.LARGE_GROUPS if g in groups}
        total = 0
        selected: list[tuple[Leaf, int, int]] = []  # (leaf, final set, featured part)

        for leaf in self.leaves:
            data, reader = leaf.data, leaf.reader
            live = leaf.live
            if not live:
                continue
            matched = live if everything else matching.match(query, leaf, live) & live
            if matched:
                matched &= data.range(reader, "expires").above(req.now)  # expired: gone at once
            filters: dict[str, int] = {}
            for g in active:
                if g in range_facets:
                    filters[g] = data.range(reader, range_facets[g].column).at_least(req.ranges[g])
                else:
                    mask = 0
                    for value in req.terms[g]:
                        mask |= data.value_mask(reader, g, value)
                    filters[g] = mask
            final = matched
            for mask in filters.values():
                final &= mask
            if final:
                total += final.bit_count()
                featured = final & data.range(reader, "featured_until").above(req.now)
                selected.append((leaf, final, featured))
            if matched:
                facet_counts.count_facets(leaf, matched, filters, groups, range_facets, facets, labels)

        job_ids = ranking.top(self, req, selected, everything) if total else []
        self.trim()
        return Result(total=total, job_ids=job_ids, facets={g: dict(c) for g, c in facets.items()}, labels=labels)

    def trim(self) -> None:
        """Keep the cached terms of all segments within the budget (least recent out)."""
        budget = self.term_cache_bytes
        total = sum(leaf.data.cached_bytes for leaf in self.leaves)
        if total > budget:
            documents = max(1, sum(x.data.count for x in self.leaves))
            for leaf in self.leaves:
                leaf.data.trim(budget * leaf.data.count // documents)
