"""What the engine derives once from one immutable Whoosh segment, and caches by segment id.

A Whoosh segment never changes once written (only its deleted set grows), so a term's postings and
bitset, facet value sets, numeric columns and field lengths survive later commits: a commit usually
adds one small segment, and the next search derives data for that segment only. Deletions are
applied with a per-segment "live" bitset, recomputed when the segment's deleted count changes.
All reading goes through whoosh_codec.
"""

from __future__ import annotations

from array import array
from collections import Counter, OrderedDict
from operator import itemgetter

from .. import whoosh_codec as codec
from ..schema import LABEL_COLUMNS, META_ID, NO_EXPIRY
from .bitsets import RangeColumn, ids_to_mask, mask_to_ids

MAX_PREFIX_TERMS = 300  # "ab*" must not expand to the whole vocabulary


POSTING_BYTES = 8  # an id and a term frequency (arrays "i" and "f")
PART_BYTES = 8  # a cached BM25 part ("d")
VALUE_BYTES = 64  # a posting value (a bytes object of word positions and its list slot)
ENTRY_BYTES = 400  # the entry, its key and the dictionary slot


class TermEntry:
    __slots__ = ("ids", "tfs", "mask", "df", "values", "parts", "parts_key", "cost")

    def __init__(self, postings: codec.Postings, size: int):
        self.ids, self.tfs, self.df = postings.ids, postings.tfs, postings.doc_frequency
        self.mask = ids_to_mask(postings.ids, size)
        self.values: list | None = postings.values  # posting values (positions), read for phrases only
        self.parts: array | None = None  # BM25 part per posting for parts_key's statistics
        self.parts_key: tuple | None = None
        self.cost = 0  # bytes charged to the segment's cache for it (SegmentData.charge)

    def size(self) -> int:
        """Bytes this entry holds: its bitset is a pass over the whole segment's bits, whatever the
        term's frequency, so a rare term costs the segment's size / 8 (12.5 KB at 100k documents)."""
        n = len(self.ids)
        return (
            ENTRY_BYTES
            + self.mask.bit_length() // 8
            + n * POSTING_BYTES
            + (n * PART_BYTES if self.parts is not None else 0)
            + (n * VALUE_BYTES if self.values is not None else 0)
        )


class LargeFacet:
    """A facet field with many values (thousands of companies): per-value bitsets for the values
    that hold many documents, and one value number per document for the long tail.

    One AND + popcount costs about the same whatever the value's size (a pass over the segment's
    bits), so it pays for a value of at least HEAD_SHARE of the segment; counting a tail document
    is one dictionary step. The tail is walked from whichever side is smaller: the matched tail
    documents, or (for a browse, which matches nearly everything) the live tail documents that did
    *not* match, subtracted from the live tail's totals.
    """

    HEAD_SHARE = 1 / 256

    def __init__(self, reader, fieldname: str, size: int):
        self.values: list[str] = []
        self.head: list[tuple[str, int]] = []  # (value, bitset)
        self.per_doc = array("i", [-1]) * size  # tail value number per document, -1 for none
        self.tail_mask = 0
        self.labels: dict[str, str] = {}
        self._totals: tuple[int, Counter] | None = None  # (live set, tail counts within it)
        label_column = LABEL_COLUMNS.get(fieldname)
        creader = reader.column_reader(label_column) if label_column else None
        tail_ids: list[int] = []
        for btext in reader.lexicon(fieldname):
            value = btext.decode("utf-8")
            docs = codec.read_postings(reader, fieldname, btext).ids
            if not len(docs):
                continue
            if len(docs) >= size * self.HEAD_SHARE:
                self.head.append((value, ids_to_mask(docs, size)))
            else:
                number = len(self.values)
                self.values.append(value)
                for d in docs:
                    self.per_doc[d] = number
                tail_ids.extend(docs)
            if creader is not None:
                raw = creader[docs[0]]
                self.labels[value] = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        self.tail_mask = ids_to_mask(tail_ids, size)

    def count(self, base: int, live: int, counter: Counter) -> None:
        """Add the counts of the documents in `base` (a subset of `live`) to `counter`."""
        for value, mask in self.head:
            n = (base & mask).bit_count()
            if n:
                counter[value] += n
        tail = base & self.tail_mask
        if not tail:
            return
        live_tail = live & self.tail_mask
        missing = live_tail & ~tail
        if missing.bit_count() < tail.bit_count():
            numbers = Counter(self._live_totals(live, live_tail))  # a copy: the totals are cached
            numbers.subtract(self._numbers(missing))
        else:
            numbers = self._numbers(tail)
        values = self.values
        for number, n in numbers.items():
            if n > 0:
                counter[values[number]] += n

    def _numbers(self, mask: int) -> Counter:
        ids = mask_to_ids(mask)
        if not ids:
            return Counter()
        return Counter(itemgetter(*ids)(self.per_doc) if len(ids) > 1 else (self.per_doc[ids[0]],))

    def _live_totals(self, live: int, live_tail: int) -> Counter:
        # The live set changes only when the segment's deleted count does, so this is computed
        # once per deletion rather than per search.
        cached = self._totals
        if cached is None or cached[0] != live:
            cached = self._totals = (live, self._numbers(live_tail))
        return cached[1]


class SegmentData:
    """Caches of one segment. Holds no reader: readers get closed."""

    def __init__(self, reader):
        self.segid = reader.segment().segment_id()
        self.count = reader.doc_count_all()
        self.all_mask = (1 << self.count) - 1
        self.columns: dict[str, array] = {}
        self.ranges: dict[str, RangeColumn] = {}
        self.lengths: dict[str, bytes] = {}
        self.terms: OrderedDict[tuple[str, str], TermEntry] = OrderedDict()
        self.cached_bytes = 0  # what the entries in `terms` hold (TermEntry.size)
        self.expansions: OrderedDict[tuple[str, str], tuple[str, ...]] = OrderedDict()
        self.value_masks: dict[str, dict[str, int]] = {}
        self.large: dict[str, LargeFacet] = {}
        self.labels: dict[str, dict[str, str]] = {}
        self.newest: array | None = None
        self.phrases: OrderedDict[tuple, int] = OrderedDict()
        self._live: tuple[int, int, int] | None = None
        self.meta_mask = ids_to_mask(codec.read_postings(reader, "id", META_ID.encode()).ids, self.count)

    def column(self, reader, name: str) -> array:
        values = self.columns.get(name)
        if values is None:
            values = self.columns[name] = codec.read_numeric_column(reader, name, NO_EXPIRY if name == "expires" else 0)
        return values

    def range(self, reader, name: str) -> RangeColumn:
        rc = self.ranges.get(name)
        if rc is None:
            rc = self.ranges[name] = RangeColumn(self.column(reader, name))
        return rc

    def newest_keys(self, reader) -> array:
        """Per document: published time and job id in one sortable integer."""
        if self.newest is None:
            published, job_ids = self.column(reader, "published"), self.column(reader, "job_id")
            self.newest = array("q", ((p << 31) | (j & 0x7FFFFFFF) for p, j in zip(published, job_ids, strict=False)))
        return self.newest

    def field_lengths(self, reader, fieldname: str) -> bytes:
        lens = self.lengths.get(fieldname)
        if lens is None:
            lens = self.lengths[fieldname] = codec.read_field_lengths(reader, fieldname)
        return lens

    def live(self, segment) -> int:
        """Live job documents of the segment as committed in *this* generation (`segment` comes
        from the current TOC: a reused reader may still carry an older deleted set)."""
        return self._masks(segment)[2]

    def undeleted(self, segment) -> int:
        """Every document not deleted, the meta document included."""
        return self._masks(segment)[1]

    def _masks(self, segment) -> tuple[int, int, int]:
        deleted = segment.deleted_count()
        if self._live is None or self._live[0] != deleted:
            dead = ids_to_mask(list(segment.deleted_docs()), self.count) if deleted else 0
            undeleted = self.all_mask & ~dead
            self._live = (deleted, undeleted, undeleted & ~self.meta_mask)
        return self._live

    def term(self, reader, fieldname: str, text: str) -> TermEntry:
        key = (fieldname, text)
        entry = self.terms.get(key)
        if entry is not None:
            self.terms.move_to_end(key)
            return entry
        entry = self.terms[key] = TermEntry(codec.read_postings(reader, fieldname, text.encode("utf-8")), self.count)
        self.charge(entry)
        return entry

    def positions(self, reader, fieldname: str, text: str) -> TermEntry:
        """A term with its posting values (word positions), read in the same pass if not cached."""
        entry = self.terms.get((fieldname, text))
        if entry is None:
            postings = codec.read_postings(reader, fieldname, text.encode("utf-8"), values=True)
            entry = self.terms[(fieldname, text)] = TermEntry(postings, self.count)
        elif entry.values is None:
            entry.values = codec.read_postings(reader, fieldname, text.encode("utf-8"), values=True).values
        self.charge(entry)
        return entry

    def charge(self, entry: TermEntry) -> None:
        """Count what a cached entry holds now (after its positions or BM25 parts were added)."""
        size = entry.size()
        self.cached_bytes += size - entry.cost
        entry.cost = size

    def trim(self, budget: int) -> None:
        """Drop the least recently used terms until the cache holds at most `budget` bytes."""
        while self.cached_bytes > budget and len(self.terms) > 1:
            _, old = self.terms.popitem(last=False)
            self.cached_bytes -= old.cost

    def expand(self, reader, fieldname: str, prefix: str) -> tuple[str, ...]:
        key = (fieldname, prefix)
        terms = self.expansions.get(key)
        if terms is None:
            found = []
            for btext in reader.expand_prefix(fieldname, prefix):
                found.append(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
                if len(found) >= MAX_PREFIX_TERMS:
                    break
            terms = self.expansions[key] = tuple(found)
            if len(self.expansions) > 1024:
                self.expansions.popitem(last=False)
        return terms

    def values_of(self, reader, fieldname: str) -> dict[str, int]:
        """value -> bitset for a small facet field, from the field's posting lists."""
        masks = self.value_masks.get(fieldname)
        if masks is None:
            masks = {}
            for btext in reader.lexicon(fieldname):
                masks[btext.decode("utf-8")] = ids_to_mask(
                    codec.read_postings(reader, fieldname, btext).ids, self.count
                )
            self.value_masks[fieldname] = masks
        return masks

    def large_facet(self, reader, fieldname: str) -> LargeFacet:
        """The per-value sets of a large facet field (company, location), plus its labels."""
        got = self.large.get(fieldname)
        if got is None:
            got = self.large[fieldname] = LargeFacet(reader, fieldname, self.count)
            self.labels[fieldname] = got.labels
        return got

    def value_mask(self, reader, fieldname: str, value: str) -> int:
        if fieldname in self.value_masks:
            return self.value_masks[fieldname].get(value, 0)
        return self.term(reader, fieldname, value).mask
