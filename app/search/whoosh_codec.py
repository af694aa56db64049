"""Every read of Whoosh's private internals, in one place, each with a public-API twin.

The Whoosh backend's engine decodes posting lists, numeric columns and field lengths in bulk, and
opens searchers that reuse the readers of unchanged segments. The fast way to do that reads
attributes that are not Whoosh's public API and could change in any release:

    postings         reader._terms.matcher(...) (no deleted-documents wrapper), and the leaf
                     matcher's _read_data / _data / _read_values / _values / _next_block / _byteids:
                     one pickled block of up to 128 postings at a time
    numeric columns  column reader's _dbfile / _basepos / _count: the 8-byte values in one read
    field lengths    reader._perdoc._cached_reader(_lenfield(...), LENGTHS_COLUMN): one byte per doc
    positions        pickle.loads of a Positions posting value after its 4-byte frequency
    searchers        ix._read_toc() and SegmentReader/MultiReader assembled by hand
    segments         ix._segments(), writer.segments

They are used only when `whoosh.versionstring()` is the version they were written against
(PINNED_VERSION). With any other version this module says so in the log once, at import, and
answers every call through the public API instead: the same results, slower (per-posting calls,
a new reader of every segment for each new searcher). `public_api_only()` forces that path (the
differential test compares both with Whoosh's own searcher).

What the public path gives up, and why it is still correct: `reader.postings()` leaves out the
documents deleted when the reader was opened (the engine masks deletions itself, with a newer set),
so it reads doc frequencies from `reader.doc_frequency()`, which, like the raw postings, counts
them; a searcher from `ix.searcher()` is always over the latest generation.
"""

from __future__ import annotations

import logging
import threading
from array import array
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate, repeat
from pickle import loads

import whoosh
from whoosh.reading import EmptyReader, MultiReader, SegmentReader, TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import length_to_byte

log = logging.getLogger(__name__)

PINNED_VERSION = "2.7.5"
_UINT = 4  # whoosh.system._INT_SIZE: the frequency that precedes the pickled position deltas


def check_version(version: str) -> bool:
    """True if the private reads may be used with this Whoosh version; logs when they may not."""
    if version == PINNED_VERSION:
        return True
    log.warning(
        "search: whoosh %s is not %s, the version app/search/whoosh_codec.py was written for: "
        "using Whoosh's public API only (correct, but searches and index updates are slower)",
        version,
        PINNED_VERSION,
    )
    return False


VERSION_OK = check_version(whoosh.versionstring())
_local = threading.local()


def fast_path() -> bool:
    """Whether this thread may use the private reads now."""
    return VERSION_OK and not getattr(_local, "public_only", False)


@contextmanager
def public_api_only():
    """Within the block (this thread), read through Whoosh's public API only."""
    previous = getattr(_local, "public_only", False)
    _local.public_only = True
    try:
        yield
    finally:
        _local.public_only = previous


def mode() -> str:
    """For `flask search status`."""
    if VERSION_OK:
        return f"bulk reads (whoosh {PINNED_VERSION})"
    return f"public API only (whoosh {whoosh.versionstring()} is not {PINNED_VERSION})"


# ---------------------------------------------------------------------------------------------
# Postings


@dataclass
class Postings:
    ids: array  # document numbers, ascending ("i")
    tfs: array  # term frequencies ("f")
    values: list | None  # raw posting values (word positions), when asked for
    doc_frequency: int  # documents with the term in the segment, deleted ones included


def read_postings(reader, fieldname: str, btext: bytes, values: bool = False) -> Postings:
    """The postings of one term in one segment (empty if the term is not there)."""
    ids, tfs, vals = array("i"), array("f"), [] if values else None
    if fast_path():
        matcher = _raw_matcher(reader, fieldname, btext)
        if matcher is None:
            return Postings(ids, tfs, vals, 0)
        if (
            hasattr(matcher, "_read_data")
            and hasattr(matcher, "_next_block")
            and not getattr(matcher, "_byteids", True)
        ):
            # W3LeafMatcher: each block (up to 128 postings) is one pickled tuple of delta-coded
            # ids, weights and values. Decode whole blocks, the ids with accumulate() in C.
            while matcher.is_active():
                matcher._read_data()
                raw_ids, raw_weights = matcher._data[0], matcher._data[1]
                ids.extend(accumulate(raw_ids))
                if raw_weights is None:
                    tfs.extend(repeat(1.0, len(raw_ids)))
                elif isinstance(raw_weights, float):
                    tfs.extend(repeat(raw_weights, len(raw_ids)))
                else:
                    tfs.extend(raw_weights)
                if values:
                    matcher._read_values()
                    vals.extend(matcher._values)
                matcher._next_block()
            return Postings(ids, tfs, vals, len(ids))
        _drain(matcher, ids, tfs, vals)
        return Postings(ids, tfs, vals, len(ids))
    try:
        matcher = reader.postings(fieldname, btext)
    except (TermNotFound, LookupError):
        return Postings(ids, tfs, vals, 0)
    _drain(matcher, ids, tfs, vals)
    return Postings(ids, tfs, vals, reader.doc_frequency(fieldname, btext))


def _raw_matcher(reader, fieldname: str, btext: bytes):
    """The term's postings without Whoosh's deleted-documents wrapper (the engine masks deletions
    with the current generation's set), or None if the term is not in the segment."""
    terms = getattr(reader, "_terms", None)
    try:
        if terms is not None:
            return terms.matcher(fieldname, btext, reader.schema[fieldname].format)
        return reader.postings(fieldname, btext)
    except (TermNotFound, LookupError):
        return None


def _drain(matcher, ids: array, tfs: array, vals: list | None) -> None:
    while matcher.is_active():
        ids.append(matcher.id())
        tfs.append(matcher.weight())
        if vals is not None:
            vals.append(matcher.value())
        matcher.next()


def positions(fieldformat, value: bytes):
    """Word positions of a posting value of a field with the Positions format."""
    if fast_path():
        if not value.endswith(b"."):
            value += b"."
        return accumulate(loads(value[_UINT:]))  # noqa: S301  (our own index files, written by Whoosh)
    return fieldformat.decode_positions(value)


# ---------------------------------------------------------------------------------------------
# Columns and field lengths


def read_numeric_column(reader, name: str, default: int) -> array:
    """A NumericColumn("q") of one segment as an array, one value per document."""
    count = reader.doc_count_all()
    try:
        creader = reader.column_reader(name, translate=False)
    except Exception:  # a segment written before the column existed
        return array("q", [default]) * count
    dbfile = getattr(creader, "_dbfile", None)
    if fast_path() and dbfile is not None and hasattr(creader, "_basepos") and hasattr(creader, "_count"):
        # 8-byte big-endian values; trailing documents take the default.
        values = array("q")
        values.frombytes(bytes(dbfile.get(creader._basepos, min(creader._count, count) * 8)))
        values.byteswap()
        if len(values) < count:
            values.extend(array("q", [default]) * (count - len(values)))
        return values
    return array("q", (creader[d] for d in range(count)))


def read_field_lengths(reader, fieldname: str) -> bytes:
    """One byte per document: Whoosh's quantised length of the field (length_to_byte)."""
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    if fast_path() and perdoc is not None and hasattr(perdoc, "_cached_reader"):
        # Private names, imported on this path only: a Whoosh without them must still import this module.
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        creader = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if creader is None:
            return bytes(count)
        data = bytes(creader._dbfile.get(creader._basepos, min(creader._count, count)))
        return data + bytes(count - len(data))
    return bytes(length_to_byte(reader.doc_field_length(d, fieldname) or 0) for d in range(count))


# ---------------------------------------------------------------------------------------------
# Searchers and segments


def open_searcher(ix, previous=None):
    """(searcher, {segment id: Segment}) over the latest committed generation of `ix`.

    Fast path: the segment list is the latest TOC's, and open readers of `previous` are reused
    for segments the new generation still has (opening a segment reader loads its term index:
    ~90 ms for the big segment at 100k postings; a commit usually adds one small segment). The
    Segment objects returned are this generation's: their deleted sets are current, while a
    reused reader keeps the one it was opened with (the engine masks with the Segment's).

    Public path: `ix.searcher()`, every reader new. Never `searcher.refresh()`: its reuse put
    merged-away segments back next to their merge result (every posting twice) and kept deleted
    sets of old readers (tests/test_search_sync.py shows what we do instead)."""
    if not fast_path():
        searcher = ix.searcher()
        segments = {
            reader.segment().segment_id(): reader.segment()
            for reader, _ in searcher.reader().leaf_readers()
            if reader.segment() is not None
        }
        return searcher, segments
    toc = ix._read_toc()
    if not toc.segments:
        return Searcher(EmptyReader(toc.schema), fromindex=ix), {}
    reusable = {}
    if previous is not None:
        for reader, _ in previous.reader().leaf_readers():
            if reader.segment() is not None and not reader.is_closed:
                reusable[reader.segment().segment_id()] = reader
    readers = [
        reusable.get(segment.segment_id()) or SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
        for segment in toc.segments
    ]
    # Always a MultiReader: its generation is the new one, which up_to_date() compares.
    searcher = Searcher(MultiReader(readers, generation=toc.generation), fromindex=ix, closereader=False)
    return searcher, {segment.segment_id(): segment for segment in toc.segments}


def list_segments(ix) -> list:
    """The Segment objects of the latest generation (doc_count_all, deleted_count, segment_id)."""
    if fast_path():
        return list(ix._segments())
    with ix.reader() as reader:
        return [sub.segment() for sub, _ in reader.leaf_readers() if sub.segment() is not None]


def writer_segment_ids(writer) -> set[str] | None:
    """Ids of the non-empty segments a writer starts from, or None when unknown."""
    segments = getattr(writer, "segments", None) if fast_path() else None
    if segments is None:
        return None
    return {segment.segment_id() for segment in segments if segment.doc_count_all()}
