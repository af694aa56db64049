"""Which documents of a segment match a parsed Whoosh query, as a bitset.

Whoosh parses the query; this module evaluates its tree itself (terms, AND, OR, NOT, AND NOT,
prefixes, phrases), because Whoosh's generic matchers do several Python calls per matching document.
Phrases are checked against word positions only for documents that contain all their words.
A query type the parser might produce in future falls back to Whoosh's own matcher.
"""

from __future__ import annotations

from itertools import compress

from whoosh import query as wq

from .. import whoosh_codec as codec
from ..schema import SKILL_ANALYZER, TEXT_ANALYZER
from .bitsets import ids_to_mask, mask_to_ids


def stem(word: str, fieldname: str = "title") -> str:
    analyzer = SKILL_ANALYZER if fieldname == "skills" else TEXT_ANALYZER
    tokens = [t.text for t in analyzer(word)]
    return tokens[0] if tokens else ""


def match(node, leaf, live: int) -> int:
    """Bitset of the leaf's documents matching `node` (deleted documents may be included: the
    caller intersects with `live`)."""
    data, reader = leaf.data, leaf.reader
    if isinstance(node, wq.Term):
        return data.term(reader, node.fieldname, node.text).mask
    if isinstance(node, wq.And):
        mask, negatives = live, 0
        for child in node.subqueries:
            if isinstance(child, wq.Not):
                negatives |= match(child.query, leaf, live)
            elif child is not wq.NullQuery:
                mask &= match(child, leaf, live)
            if not mask:
                return 0
        return mask & ~negatives
    if isinstance(node, wq.Or):
        mask = 0
        for child in node.subqueries:
            if isinstance(child, wq.Not):
                mask |= live & ~match(child.query, leaf, live)
            else:
                mask |= match(child, leaf, live)
        return mask
    if isinstance(node, wq.Prefix):
        mask = 0
        for text in prefix_terms(node, leaf):
            mask |= data.term(reader, node.fieldname, text).mask
        return mask
    if isinstance(node, wq.Phrase):
        return phrase(node, leaf)
    if isinstance(node, wq.Not):
        return live & ~match(node.query, leaf, live)
    if isinstance(node, wq.AndNot):
        return match(node.a, leaf, live) & ~match(node.b, leaf, live)
    if isinstance(node, wq.AndMaybe):
        return match(node.a, leaf, live)
    if isinstance(node, wq.Require):
        return match(node.a, leaf, live) & match(node.b, leaf, live)
    if node is wq.NullQuery or isinstance(node, wq.Every):
        return live
    # A query type the parser may produce in future: let Whoosh match it.
    matcher = node.matcher(leaf.searcher)
    return ids_to_mask(list(matcher.all_ids()), data.count) if matcher.is_active() else 0


def prefix_terms(node, leaf) -> set[str]:
    """Indexed words starting with the prefix. Indexed words are stems ("engineering" -> "engin"):
    expand both the prefix as typed and its stem, so "engineer*" finds engineer, engineers and
    engineering."""
    prefix = node.text.lower()
    terms = set(leaf.data.expand(leaf.reader, node.fieldname, prefix))
    stemmed = stem(prefix, node.fieldname)
    if stemmed and stemmed != prefix:
        terms.update(leaf.data.expand(leaf.reader, node.fieldname, stemmed))
    return terms


def phrase(node, leaf) -> int:
    data = leaf.data
    words = tuple(node.words)
    slop = max(1, int(node.slop or 1))
    key = (node.fieldname, words, slop)
    mask = data.phrases.get(key)
    if mask is None:
        mask = data.phrases[key] = _phrase_mask(leaf, node.fieldname, words, slop)
        # A phrase mask is a bitset of the segment (12.5 KB at 100k) outside the term cache's budget:
        # 128 per segment bound them to ~1.6 MB.
        if len(data.phrases) > 128:
            data.phrases.popitem(last=False)
    return mask


def _phrase_mask(leaf, fieldname: str, words: tuple, slop: int) -> int:
    data, reader = leaf.data, leaf.reader
    if not words:
        return 0
    if len(words) == 1:
        return data.term(reader, fieldname, words[0]).mask
    both = data.all_mask
    entries = []
    for word in words:
        entry = data.positions(reader, fieldname, word)  # ids and positions in one pass
        entries.append(entry)
        both &= entry.mask
        if not both:
            return 0
    fieldformat = reader.schema[fieldname].format

    def positions(value):
        return codec.positions(fieldformat, value)

    candidates = mask_to_ids(both)
    # Each word's posting values for exactly the candidate documents, in document order:
    # compress() with a per-document flag does the selection in C.
    marks = bytearray(data.count)
    for d in candidates:
        marks[d] = 1
    columns = [compress(entry.values, map(marks.__getitem__, entry.ids)) for entry in entries]
    found = []
    if slop == 1 and len(entries) == 2:
        for d, first, second in zip(candidates, *columns, strict=False):
            if not set(positions(first)).isdisjoint(map((-1).__add__, positions(second))):
                found.append(d)
    elif slop == 1:
        for d, values in zip(candidates, zip(*columns, strict=False), strict=False):
            # Positions of word i, shifted back by i, must share a start with word 0's.
            starts = set(positions(values[0]))
            for i in range(1, len(values)):
                starts.intersection_update(map((-i).__add__, positions(values[i])))
                if not starts:
                    break
            else:
                found.append(d)
    else:
        for d, values in zip(candidates, zip(*columns, strict=False), strict=False):
            reach = set(positions(values[0]))
            for value in values[1:]:
                reach = {p for p in positions(value) if any(0 < p - r <= slop for r in reach)}
                if not reach:
                    break
            else:
                found.append(d)
    return ids_to_mask(found, data.count)
