"""What the engine derives once from one immutable Whoosh segment, and caches by segment id.

A Whoosh segment never changes once written (only its deleted set grows), so a term's postings and
bitset, facet value sets, numeric columns and field lengths survive later commits: a commit usually
adds one small segment, and the next search derives data for that segment only. Deletions are
applied with a per-segment "live" bitset, recomputed when the segment's deleted count changes.
All reading goes through whoosh_codec.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict

from .. import whoosh_codec as codec
from ..schema import LABEL_COLUMNS, META_ID, NO_EXPIRY
from .bitsets import RangeColumn, ids_to_mask

MAX_PREFIX_TERMS = 300  # "ab*" must not expand to the whole vocabulary


class TermEntry:
    __slots__ = ("ids", "tfs", "mask", "df", "values", "parts", "parts_key")

    def __init__(self, postings: codec.Postings, size: int):
        self.ids, self.tfs, self.df = postings.ids, postings.tfs, postings.doc_frequency
        self.mask = ids_to_mask(postings.ids, size)
        self.values: list | None = postings.values  # posting values (positions), read for phrases only
        self.parts: array | None = None  # BM25 part per posting for parts_key's statistics
        self.parts_key: tuple | None = None


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
        self.cached_postings = 0
        self.expansions: OrderedDict[tuple[str, str], tuple[str, ...]] = OrderedDict()
        self.value_masks: dict[str, dict[str, int]] = {}
        self.value_index: dict[str, tuple[list[str], array]] = {}
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
        self.cached_postings += len(entry.ids) + 16
        return entry

    def positions(self, reader, fieldname: str, text: str) -> TermEntry:
        """A term with its posting values (word positions), read in the same pass if not cached."""
        entry = self.terms.get((fieldname, text))
        if entry is None:
            postings = codec.read_postings(reader, fieldname, text.encode("utf-8"), values=True)
            entry = self.terms[(fieldname, text)] = TermEntry(postings, self.count)
            self.cached_postings += 2 * len(entry.ids) + 16
        elif entry.values is None:
            entry.values = codec.read_postings(reader, fieldname, text.encode("utf-8"), values=True).values
            self.cached_postings += len(entry.ids)
        return entry

    def trim(self, budget: int) -> None:
        while self.cached_postings > budget and len(self.terms) > 1:
            _, old = self.terms.popitem(last=False)
            self.cached_postings -= len(old.ids) + 16

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

    def index_of(self, reader, fieldname: str) -> tuple[list[str], array]:
        """(values, value number per document or -1) for a large facet field, plus its labels."""
        got = self.value_index.get(fieldname)
        if got is None:
            values: list[str] = []
            per_doc = array("i", [-1]) * self.count
            labels: dict[str, str] = {}
            label_column = LABEL_COLUMNS.get(fieldname)
            creader = reader.column_reader(label_column) if label_column else None
            for btext in reader.lexicon(fieldname):
                number = len(values)
                value = btext.decode("utf-8")
                values.append(value)
                docs = codec.read_postings(reader, fieldname, btext).ids
                for d in docs:
                    per_doc[d] = number
                if creader is not None and len(docs):
                    raw = creader[docs[0]]
                    labels[value] = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            got = self.value_index[fieldname] = (values, per_doc)
            self.labels[fieldname] = labels
        return got

    def value_mask(self, reader, fieldname: str, value: str) -> int:
        if fieldname in self.value_masks:
            return self.value_masks[fieldname].get(value, 0)
        return self.term(reader, fieldname, value).mask
