"""The search box's grammar, the same for every backend.

Free text: words (all required), "phrases in quotes", prefixes (`pyth*`), `-word` / `NOT word` to
exclude, `+word`, `OR`, `AND`, parentheses. Field names, wildcards inside words, ranges and boosts
are switched off. Nothing a candidate types is an error: if the grammar cannot digest the text, its
words are searched as plain words.

Whoosh's query parser is the grammar (the Whoosh backend parses with it directly, with its
analyzers). For other backends `parse(text)` gives the same tree with the words as typed
(lower-cased, not stemmed): `Word`, `Phrase`, `Prefix`, `All` (and), `Any` (or), `Not`, and `Maybe`
(matches `required`; `optional` only adds to the ranking, as `+python java` does).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from whoosh import fields, qparser
from whoosh import query as wq
from whoosh.analysis import LowercaseFilter, RegexTokenizer

from ..telemetry import metrics
from ..vocabulary import canonical_skill

OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE"}


def configure(parser):
    """Our grammar on a Whoosh parser: what is switched off and on (see the module docstring)."""
    for plugin in (
        qparser.FieldsPlugin,
        qparser.WildcardPlugin,
        qparser.RangePlugin,
        qparser.BoostPlugin,
        qparser.EveryPlugin,
        qparser.SingleQuotePlugin,
    ):
        parser.remove_plugin_class(plugin)
    parser.add_plugin(qparser.PrefixPlugin())  # "pyth*" (only at the end of a word)
    parser.add_plugin(qparser.PlusMinusPlugin())  # "-java" excludes, "+python" requires
    return parser


_BARE_WORD = re.compile(r"^[\w.#]+$")
_QUOTED_OR_SPACE = re.compile(r'("[^"]*"|\s+)')


def with_skill_aliases(text: str) -> str:
    """'golang jobs' -> '(golang OR go) jobs'. Jobs store each skill under the vocabulary's one name
    (services/skills.py), so a bare word that is another name for a skill also searches that name.
    Quoted phrases, operators, prefixes and exclusions are left as typed."""
    parts = _QUOTED_OR_SPACE.split(text)
    for index, part in enumerate(parts):
        if not _BARE_WORD.match(part) or part.upper() in OPERATORS:
            continue
        name = canonical_skill(part)
        if name.lower() != part.lower():
            other = f'"{name}"' if " " in name else name
            parts[index] = f"({part} OR {other})"
    return "".join(parts)


def plain_words(text: str) -> str:
    """What is searched when the grammar fails: the words, without operators or punctuation."""
    words = re.sub(r"[^\w\s.+#-]", " ", text)
    return " ".join(w for w in words.split() if w.upper() not in OPERATORS)


@dataclass(frozen=True)
class Word:
    text: str


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True)
class Prefix:
    text: str


@dataclass(frozen=True)
class All:
    parts: tuple


@dataclass(frozen=True)
class Any:
    parts: tuple


@dataclass(frozen=True)
class Not:
    part: object


@dataclass(frozen=True)
class Maybe:
    required: object
    optional: object


_FIELD = "text"
_SCHEMA = fields.Schema(text=fields.TEXT(analyzer=RegexTokenizer(r"\w+(\.?\w+)*") | LowercaseFilter()))


class _Parser:
    def __init__(self):
        self.parser = configure(qparser.QueryParser(_FIELD, _SCHEMA))
        self.plain = qparser.QueryParser(_FIELD, _SCHEMA)
        self.plain.remove_plugin_class(qparser.FieldsPlugin)
        self._cache: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def parse(self, text: str):
        with self._lock:
            if text in self._cache:
                self._cache.move_to_end(text)
                metrics.cache("search_query", "hit")
                return self._cache[text]
            metrics.cache("search_query", "miss")
            tree = self._parse(text)
            self._cache[text] = tree
            if len(self._cache) > 2000:
                self._cache.popitem(last=False)
            return tree

    def _parse(self, text: str):
        if not text.strip():
            return None
        try:
            query = self.parser.parse(text).normalize()
        except Exception:
            words = plain_words(text)
            try:
                query = self.plain.parse(words, normalize=True) if words else None
            except Exception:
                return None
        return _convert(query)


def _convert(node):
    if node is None or node is wq.NullQuery or isinstance(node, wq.Every):
        return None
    if isinstance(node, wq.Term):
        return Word(str(node.text))
    if isinstance(node, wq.Phrase):
        words = tuple(str(w) for w in node.words)
        return Word(words[0]) if len(words) == 1 else (Phrase(words) if words else None)
    if isinstance(node, wq.Prefix):
        return Prefix(str(node.text))
    if isinstance(node, wq.Not):
        inner = _convert(node.query)
        return Not(inner) if inner is not None else None
    if isinstance(node, wq.AndNot):
        a, b = _convert(node.a), _convert(node.b)
        return a if b is None else (All((a, Not(b))) if a is not None else Not(b))
    if isinstance(node, wq.AndMaybe):
        a, b = _convert(node.a), _convert(node.b)
        return a if b is None or a is None else Maybe(a, b)
    if isinstance(node, wq.Require):
        parts = tuple(p for p in (_convert(node.a), _convert(node.b)) if p is not None)
        return All(parts) if len(parts) > 1 else (parts[0] if parts else None)
    if isinstance(node, wq.CompoundQuery):
        parts = tuple(p for p in (_convert(child) for child in node.subqueries) if p is not None)
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return Any(parts) if isinstance(node, wq.Or) else All(parts)
    return None  # a query type this grammar does not produce


_parser: _Parser | None = None
_parser_lock = threading.Lock()


def parse(text: str):
    """The tree of `text` (see the module docstring), or None when it has no words."""
    global _parser
    with _parser_lock:
        if _parser is None:
            _parser = _Parser()
    return _parser.parse(text)


def spelling_candidates(text: str) -> list[str]:
    """The words of `text` a "Did you mean" may correct: plain alphabetic words of 3+ letters,
    not operators, not prefixes."""
    out = []
    for word in text.split():
        bare = word.strip('"()+-')
        if len(bare) >= 3 and word.upper() not in OPERATORS and "*" not in word and bare.isalpha():
            out.append(bare)
    return out


def replace_words(text: str, corrections: dict[str, str]) -> str | None:
    """`text` with each corrected word replaced, or None if nothing was corrected."""
    replaced, changed = [], False
    for word in text.split():
        bare = word.strip('"()+-')
        better = corrections.get(bare)
        if better and bare in spelling_candidates(word):
            replaced.append(word.replace(bare, better))
            changed = True
        else:
            replaced.append(word)
    return " ".join(replaced) if changed else None
