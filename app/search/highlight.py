"""Highlighting the words of a search in a short snippet of each shown job's description.

Works on plain text (the description's sanitised HTML with the tags removed), escapes every piece
of it, and adds only our own `<mark>` elements: nothing from a description can reach the page as
markup. Words are compared as the index compares them (lower-cased Porter stems), so "engineers"
is marked for a search for "engineering". Only the 20 shown jobs are highlighted.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape
from whoosh import query as wq
from whoosh.lang.porter import stem as porter_stem

SNIPPET_CHARS = 220  # about 32 words
SCAN_CHARS = 4000  # matches are looked for in the first few thousand characters
_NONWORD = re.compile(r"\W+")


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    return porter_stem(word.lower())


def query_words(query) -> tuple[frozenset[str], tuple[str, ...]]:
    """(stems, prefixes) to mark, from a parsed query (words under NOT are not marked)."""
    stems: set[str] = set()
    prefixes: set[str] = set()

    def walk(node):
        if node is None or isinstance(node, wq.Not):
            return
        if isinstance(node, wq.Term):
            stems.add(str(node.text))
        elif isinstance(node, wq.Phrase):
            stems.update(str(w) for w in node.words)
        elif isinstance(node, wq.Prefix):
            prefixes.add(str(node.text).lower())
        elif isinstance(node, (wq.AndNot, wq.AndMaybe, wq.Require)):
            walk(node.a)
            if not isinstance(node, wq.AndNot):
                walk(node.b)
        elif isinstance(node, wq.CompoundQuery):
            for child in node.subqueries:
                walk(child)

    walk(query)
    return frozenset(stems), tuple(sorted(prefixes))


def _is_match(token: str, stems: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    stemmed = _stem(token)
    if stemmed in stems:
        return True
    if prefixes:
        lowered = token.lower()
        return any(lowered.startswith(p) or stemmed.startswith(p) for p in prefixes)
    return False


# One compiled pattern per searched set of words; 256 cover the searches that repeat (a page kept by
# caching.py needs none), without holding thousands of compiled patterns per worker.
@lru_cache(maxsize=256)
def _finder(stems: frozenset[str], prefixes: tuple[str, ...]) -> re.Pattern | None:
    """A regex for the words that *may* match: a Porter stem changes only the end of a word
    ("city" -> "citi"), so every match starts with its stem minus the last two letters. Candidates
    are then checked by stemming them, so the regex only has to avoid missing matches."""
    heads = {stem[: max(2, len(stem) - 2)] for stem in stems if stem}
    heads.update(p for p in prefixes if p)
    if not heads:
        return None
    alternatives = "|".join(sorted((re.escape(h) for h in heads), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})\w*(?:\.\w+)*", re.IGNORECASE)


def _render(text: str, spans: list[tuple[int, int]]) -> Markup:
    out, pos = [], 0
    for start, end in spans:
        out.append(escape(text[pos:start]))
        out.append("<mark>")
        out.append(escape(text[start:end]))
        out.append("</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return Markup("".join(out))  # noqa: S704  (every piece of the text went through escape())


def _word_start(text: str, pos: int) -> int:
    """The start of the word at or after pos (pos itself when it is 0)."""
    if pos <= 0:
        return 0
    match = _NONWORD.search(text, pos)
    return match.end() if match and match.end() < len(text) else pos


def _word_end(text: str, pos: int) -> int:
    """The end of the last whole word before pos."""
    if pos >= len(text):
        return len(text)
    cut = text.rfind(" ", 0, pos)
    return cut if cut > 0 else pos


def snippet(text: str, stems: frozenset[str], prefixes: tuple[str, ...], width: int = SNIPPET_CHARS) -> Markup:
    """About `width` characters of the text around its densest cluster of matches (or its start),
    escaped, cut at word boundaries, with the matching words in <mark>."""
    if not text:
        return Markup("")
    finder = _finder(stems, prefixes)
    hits: list[tuple[int, int]] = []
    if finder is not None:
        for m in finder.finditer(text, 0, SCAN_CHARS):
            if _is_match(m.group(), stems, prefixes):
                hits.append(m.span())
    start = 0
    if hits:
        # The window of `width` characters holding the most matches (two pointers).
        best, j = 0, 0
        for i, (first, _) in enumerate(hits):
            while j < len(hits) and hits[j][1] <= first + width:
                j += 1
            if j - i > best:
                best, start = j - i, first
        start = _word_start(text, max(0, start - width // 5))
    end = _word_end(text, start + width)
    piece = text[start:end]
    spans = [(a - start, b - start) for a, b in hits if a >= start and b <= end]
    result = _render(piece, spans)
    if start > 0:
        result = Markup("…") + result
    if end < len(text):
        result = result + Markup("…")
    return result
