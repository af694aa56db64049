"""'Did you mean ...?': which indexed word replaces a word found in no job. Both backends collect
candidates their own way (Whoosh: its spelling lexicon within two edits; PostgreSQL: trigram
neighbours in the vocabulary view) and choose among them by the same rule."""

from __future__ import annotations

MAX_EDITS = 2


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment): swapping two letters counts as one edit."""
    before, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if before is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        before, previous = previous, current
    return previous[-1]


def rank_key(word: str, candidate: str, frequency: int) -> tuple | None:
    """Sort key of a candidate (larger is better: fewer edits, then more jobs, then the word), or
    None when it is not a correction: the word itself, another first letter, more than two edits,
    or in no job."""
    if candidate == word or not frequency or candidate[:1] != word[:1]:
        return None
    distance = edit_distance(word, candidate)
    if distance > MAX_EDITS:
        return None
    return (-distance, frequency, candidate)


def best(word: str, candidates) -> str | None:
    """The best of (candidate, frequency) pairs for `word` (lower-cased), or None."""
    lowered = word.lower()
    keys = [key for key in (rank_key(lowered, c, f) for c, f in candidates) if key is not None]
    return max(keys)[2] if keys else None
