"""The Whoosh backend's query engine: matching, filters, facet counts and ranking on bitsets.

Whoosh parses the query, writes and stores the postings and owns the index files; this package
evaluates the parsed query itself, because Whoosh's generic matchers, collectors and grouping facets
do several Python calls per matching document (measured: p95 185 ms at 10k postings).

    bitsets.py    document sets as Python integers; bitsets of numeric ranges
    segments.py   what is derived once per immutable segment (postings, columns, value sets)
    matching.py   which documents match a parsed query (terms, boolean operators, prefixes, phrases)
    ranking.py    BM25 with field boosts, featured first, recency boost, exact top N
    facets.py     disjunctive facet counts
    spelling.py   "did you mean" candidates from the spelling fields
    snapshot.py   one search over one generation of the index

No Whoosh method is patched and no private attribute of Whoosh is read here: bulk decoding goes
through app/search/whoosh_codec.py.
"""

from .segments import SegmentData
from .snapshot import RangeFacet, Request, Result, Snapshot

__all__ = ["RangeFacet", "Request", "Result", "SegmentData", "Snapshot"]
