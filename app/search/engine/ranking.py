"""Order of the hits: featured first, then relevance with a gentle recency boost, or newest first.

Scores are BM25 (k1=1.2, b=0.75, as Whoosh) per field, weighted by FIELD_BOOSTS and summed. A term's
per-document BM25 parts are cached with the statistics they used (rounded to 0.5%, so a commit of
one document does not invalidate them). A prefix scores a constant per field.
For "relevance": featured first, then score x (1 + RECENCY_WEIGHT x 0.5 ** (age / half-life)); the
top N is exact: candidates are visited in descending raw score until none left can beat the Nth
even with the full boost. For "newest" (and "relevance" without words, after the featured ones):
published time, then job id.
"""

from __future__ import annotations

import heapq
import math
from array import array

from whoosh import query as wq
from whoosh.util.numeric import byte_to_length

from ..backend import RECENCY_HALF_LIFE, RECENCY_WEIGHT
from ..schema import FIELD_BOOSTS
from .bitsets import mask_to_ids
from .matching import prefix_terms

K1 = 1.2
B = 0.75
PREFIX_SCORE = 1.0  # per matching field, times the field boost

_LENGTHS = [byte_to_length(b) or 0 for b in range(256)]  # Whoosh's quantised field lengths


def scoring_leaves(node, out: list, boost: float = 1.0) -> None:
    """(kind, field, term or Prefix node, boost) of every positive leaf of the query."""
    if isinstance(node, wq.Not):
        return
    if isinstance(node, (wq.AndNot, wq.AndMaybe, wq.Require)):
        scoring_leaves(node.a, out, boost)
        if not isinstance(node, wq.AndNot):
            scoring_leaves(node.b, out, boost)
    elif isinstance(node, wq.Term):
        out.append(("term", node.fieldname, node.text, boost * node.boost))
    elif isinstance(node, wq.Phrase):
        for word in node.words:
            out.append(("term", node.fieldname, word, boost * node.boost))
    elif isinstance(node, wq.Prefix):
        out.append(("prefix", node.fieldname, node, boost * node.boost))
    elif isinstance(node, wq.CompoundQuery):
        for child in node.subqueries:
            scoring_leaves(child, out, boost * node.boost)


def leaf_scores(snapshot, leaf, scoring: list) -> array:
    """Raw score of every document of one segment (0 for non-matching ones)."""
    data, reader = leaf.data, leaf.reader
    scores = array("d", bytes(8 * data.count))
    n = max(1, snapshot.doc_count)
    for kind, fieldname, what, boost in scoring:
        weight = boost * FIELD_BOOSTS.get(fieldname, 1.0)
        if kind == "prefix":
            bonus = PREFIX_SCORE * weight
            mask = 0
            for text in prefix_terms(what, leaf):
                mask |= data.term(reader, fieldname, text).mask
            for d in mask_to_ids(mask):
                scores[d] += bonus
            continue
        entry = data.term(reader, fieldname, what)
        if not entry.ids:
            continue
        df = snapshot.doc_frequency(fieldname, what)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        avg = snapshot.avg_length(fieldname)
        key = (_round(idf), _round(avg))
        if entry.parts_key != key:
            # BM25 of this term per posting, idf included; reused until statistics move 0.5%.
            norm = [K1 * (1 - B + B * length / avg) for length in _LENGTHS]
            lens = data.field_lengths(reader, fieldname)
            factor = idf * (K1 + 1)
            entry.parts = array(
                "d", [factor * tf / (tf + norm[lens[d]]) for d, tf in zip(entry.ids, entry.tfs, strict=False)]
            )
            entry.parts_key = key
            data.charge(entry)
        if weight == 1.0:
            for d, part in zip(entry.ids, entry.parts, strict=False):
                scores[d] += part
        else:
            for d, part in zip(entry.ids, entry.parts, strict=False):
                scores[d] += weight * part
    return scores


def top(snapshot, req, selected, everything: bool) -> list[int]:
    """Job ids of the requested page. `selected`: (leaf, final set, featured part) per segment."""
    want = req.offset + req.limit
    if want <= 0:
        return []
    ranked: list[tuple] = []
    if req.sort == "newest" or everything:
        # Newest first; "relevance" without words is featured first, then newest.
        passes = [1] if req.sort == "newest" else [0, 1]
        for p in passes:
            found = []
            need = want - len(ranked)
            for leaf, final, featured in selected:
                mask = final if req.sort == "newest" else (featured if p == 0 else final & ~featured)
                if mask:
                    keys = leaf.data.newest_keys(leaf.reader)
                    found.extend(keys[d] for d in heapq.nlargest(need, mask_to_ids(mask), key=keys.__getitem__))
            found.sort(reverse=True)
            ranked.extend(found[:need])
            if len(ranked) >= want:
                break
        return [key & 0x7FFFFFFF for key in ranked[req.offset : want]]

    scoring: list = []
    scoring_leaves(req.query, scoring)
    featured_total = sum(featured.bit_count() for _, _, featured in selected)
    featured_hits, other_hits = [], []
    for leaf, final, featured in selected:
        scores = leaf_scores(snapshot, leaf, scoring)
        if featured:
            featured_hits.extend(best(leaf, mask_to_ids(featured), scores, req.now, want))
        other = final & ~featured
        if other and featured_total < want:
            other_hits.extend(best(leaf, mask_to_ids(other), scores, req.now, want))
    featured_hits.sort(reverse=True)
    other_hits.sort(reverse=True)
    return [item[2] for item in (featured_hits + other_hits)[req.offset : want]]


def best(leaf, ids: list[int], scores: array, now: int, k: int) -> list[tuple]:
    """Exact top k of a segment's documents by score x recency boost, as (final, published, job id)."""
    if len(ids) > 8 * k:
        # Usually the top k by final score are among the top 4k by raw score: take those (C
        # heap), and sort everything only if the visit below could need more (see the break).
        head = heapq.nlargest(4 * k, ids, key=scores.__getitem__)
        chosen = best(leaf, head, scores, now, k)
        if len(chosen) == k and scores[head[-1]] * (1 + RECENCY_WEIGHT) < chosen[0][0]:
            return chosen
    ids.sort(key=scores.__getitem__, reverse=True)
    published = leaf.data.column(leaf.reader, "published")
    job_ids = leaf.data.column(leaf.reader, "job_id")
    ceiling = 1 + RECENCY_WEIGHT
    heap: list[tuple] = []
    for d in ids:
        raw = scores[d]
        if len(heap) >= k and raw * ceiling < heap[0][0]:
            break  # no remaining document can overtake the kth, even if posted today
        age = max(0, now - published[d])
        item = (raw * (1 + RECENCY_WEIGHT * 0.5 ** (age / RECENCY_HALF_LIFE)), published[d], job_ids[d])
        if len(heap) < k:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)
    return heap


def _round(value: float) -> float:
    """Round to about 0.5% so cached BM25 parts survive small changes in corpus statistics."""
    if value <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(value)) - 2) * 5
    return round(value / step) * step
