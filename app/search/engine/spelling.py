"""Spelling candidates from the index: the unstemmed words of titles and skills (Whoosh's spelling
fields) within two edits of a word, starting with the same letter; suggest.py chooses."""

from __future__ import annotations

from .. import suggest
from .matching import stem


def suggest_word(snapshot, word: str, fieldnames=("title", "skills")) -> str | None:
    """The indexed word closest to `word` (then most frequent) within 2 edits, or None."""
    lowered = word.lower()
    best: tuple | None = None
    for fieldname in fieldnames:
        for leaf in snapshot.leaves:
            try:
                candidates = list(leaf.reader.terms_within(fieldname, lowered, suggest.MAX_EDITS, prefix=1))
            except Exception:  # noqa: S112  (a segment without the spelling field has no candidates)
                continue
            for candidate in candidates:
                text = candidate.decode("utf-8") if isinstance(candidate, bytes) else candidate
                key = suggest.rank_key(lowered, text, snapshot.doc_frequency(fieldname, stem(text, fieldname)))
                if key is not None and (best is None or key > best):
                    best = key
    return best[2] if best else None
