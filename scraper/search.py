"""Search queries: what a user types, turned into a safe SQLite FTS5 expression.

The archive's full-text index (``articles_fts``) holds, for every word of an article's title
and of its subtitle and body, the word folded (:func:`scraper.text.fold`) and reduced to its
light stem (:func:`scraper.text.light_stem`: والاقتصاد, الاقتصاد and اقتصاد are all indexed
as اقتصاد), then every two adjacent stems as one pair term (:func:`with_pairs`: a phrase
is looked up as its pairs). A query goes through the same steps, so every clitic form of a
word finds every other, in single words, prefixes and phrases alike. Snippets are cut from
the original text, with its diacritics, by matching its words the same way.

The query language is small and forgiving; words are always quoted before they reach FTS5, so
plain text (including FTS5 keywords or punctuation) is searched as text:

- ``word word``: both words (AND); ``a OR b``: either; ``-word`` or ``NOT word``: exclude;
- ``"exact phrase"``: the words next to each other, in this order;
- ``word*``: prefix; ``( ... )``: grouping.

Only broken structure (an unbalanced quote or parenthesis, an operator with nothing on one side,
a query of only exclusions) is a :class:`QueryError`, whose message is one line.

Ranking is FTS5's bm25 with the title weighted five times the body. It costs about 0.9 µs per
matching article (a word in half of a million articles: half a second), so ``Store.search``
ranks at most ``RANK_WINDOW`` (10,000) matches: for a broader query, the most recently
published ones (the index is in publication order, see ``articles.search_key``);
``window=None`` / ``scraper search --exact`` ranks them all.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from ._exceptions import QueryError
from .text import fold, indexed, light_stem, raw_words, stem_forms, tokens

#: bm25 weights for the (title, body) columns: a word in the title counts five times as much.
BM25_WEIGHTS = (5.0, 1.0)
#: A phrase whose words have several index forms becomes an OR of phrases; at most this many.
MAX_PHRASE_VARIANTS = 32
#: Starts and joins a pair term: two adjacent index terms as one (a private-use character:
#: FTS5's unicode61 keeps it inside a token, and ``text.tokens`` never leaves one in a word).
#: It leads too, so that pairs sort apart from words and a word prefix (``econ*``) never
#: scans the pairs of every word it begins.
PAIR_JOINER = "\ue000"

_LEXEME = re.compile(r'\s*(?:(?P<quote>-?")|(?P<open>-?\()|(?P<close>\))|(?P<word>[^\s"()]+))')
_OPERATORS = ("AND", "OR", "NOT")


@dataclass(frozen=True)
class Term:
    forms: tuple[str, ...]  # folded spellings, any of which matches
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    words: tuple[tuple[str, ...], ...]  # the index forms of each word, in order
    prefix: bool = False


@dataclass(frozen=True)
class All:
    include: tuple[Node, ...]
    exclude: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Any_:
    options: tuple[Node, ...]


Node = Term | Phrase | All | Any_


@dataclass(frozen=True)
class Query:
    """A parsed query: ``match`` is the FTS5 expression; the rest drives highlighting."""

    text: str
    tree: Node
    match: str
    words: frozenset[str]
    prefixes: tuple[str, ...]
    # raw word of an article -> whether it is a hit (shared by the snippets of one search)
    seen: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def needles(self) -> tuple[str, ...]:
        """What the folded text around any hit contains: every form and prefix, longest
        first (a hit's index term is a suffix, for a prefix a part, of its folded word)."""
        return tuple(sorted({*self.words, *self.prefixes}, key=len, reverse=True))

    def hits(self, folded_word: str) -> bool:
        """Whether a (folded) word of an article is one the query looks for."""
        return self.hits_terms((light_stem(folded_word),))

    def hits_terms(self, terms: tuple[str, ...]) -> bool:
        """Whether any of these index terms is one the query looks for."""
        for term in terms:
            if term in self.words or (self.prefixes and term.startswith(self.prefixes)):
                return True
        return False


MAX_QUERY_CHARS = 1000  # a query's length: each word is a term the index looks up


def parse(text: str) -> Query:
    """Parse a user's query; raises :class:`QueryError` on broken structure, or when it is
    longer than :data:`MAX_QUERY_CHARS` (120 KB of words took 19 s to plan)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"a query is at most {MAX_QUERY_CHARS:,} characters long (this one: {len(text):,})"
        )
    parser = _Parser(_lex(text))
    tree = parser.parse()
    words: set[str] = set()
    prefixes: list[str] = []
    _collect(tree, words, prefixes)
    return Query(text, tree, _render(tree), frozenset(words), tuple(prefixes))


def lenient(text: str) -> Query | None:
    """``parse``, or when the structure is broken, all of its words searched as plain words.

    For places with no room for an error message (the Datasette search box). ``None`` when
    there is nothing to search for. A query over :data:`MAX_QUERY_CHARS` is cut there (at
    the last space before, so no word is cut short).
    """
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(maxsplit=1)[0]
    try:
        return parse(text)
    except QueryError:
        plain = re.sub(r'["()*]|(?<!\S)-|\b(?:AND|OR|NOT)\b', " ", text)
        try:
            return parse(plain)
        except QueryError:
            return None


# ---------------------------------------------------------------------- lexing and parsing
@dataclass(frozen=True)
class _Lexeme:
    kind: str  # word | phrase | open | close | op
    value: str = ""
    negated: bool = False


MAX_NESTING = 32  # parentheses deeper than this are no query a person writes


def _lex(text: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    pos = 0
    depth = 0
    text = text.strip()
    while pos < len(text):
        m = _LEXEME.match(text, pos)
        if m is None:  # only trailing whitespace is left
            break
        pos = m.end()
        if m.group("quote"):
            end = text.find('"', pos)
            if end < 0:
                raise QueryError("unbalanced double quote")
            star = text.startswith("*", end + 1)
            value = text[pos:end] + ("*" if star else "")
            out.append(_Lexeme("phrase", value, m.group("quote").startswith("-")))
            pos = end + 1 + star
        elif m.group("open"):
            depth += 1
            if depth > MAX_NESTING:
                raise QueryError(f"parentheses nested more than {MAX_NESTING} deep")
            out.append(_Lexeme("open", negated=m.group("open").startswith("-")))
        elif m.group("close"):
            depth -= 1
            out.append(_Lexeme("close"))
        else:
            word = m.group("word")
            if word in _OPERATORS:
                out.append(_Lexeme("op", word))
            elif word.startswith("-") and len(word) > 1:
                out.append(_Lexeme("word", word[1:], negated=True))
            else:
                out.append(_Lexeme("word", word))
    return out


class _Parser:
    """query := any; any := all (OR all)*; all := unary ((AND)? unary)*; unary := [-|NOT] atom."""

    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self.lexemes = lexemes
        self.pos = 0

    def parse(self) -> Node:
        if not self.lexemes:
            raise QueryError("empty query")
        node = self._any()
        if self._peek() is not None:
            raise QueryError("unbalanced parenthesis: unexpected )")
        if node is None:
            raise QueryError("nothing to search for (no letters or digits)")
        return node

    def _peek(self) -> _Lexeme | None:
        return self.lexemes[self.pos] if self.pos < len(self.lexemes) else None

    def _is_op(self, value: str) -> bool:
        lex = self._peek()
        return lex is not None and lex.kind == "op" and lex.value == value

    def _any(self) -> Node | None:
        options = [self._all()]
        while self._is_op("OR"):
            self.pos += 1
            options.append(self._all())
        if len(options) > 1 and any(o is None for o in options):
            raise QueryError("OR needs a term on each side")
        kept = [o for o in options if o is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Any_(tuple(kept))

    def _all(self) -> Node | None:
        include: list[Node] = []
        exclude: list[Node] = []
        seen = False
        while True:
            lex = self._peek()
            if lex is None or lex.kind == "close" or (lex.kind == "op" and lex.value == "OR"):
                break
            negate = False
            if lex.kind == "op":  # AND or NOT, between two terms
                if not seen:
                    raise QueryError(f"{lex.value} needs a term before it")
                self.pos += 1
                after = self._peek()
                if after is None or after.kind in ("close", "op"):
                    raise QueryError(f"{lex.value} needs a term after it")
                negate = lex.value == "NOT"
            node, negated = self._unary()
            seen = True
            if node is not None:
                (exclude if negated or negate else include).append(node)
        if not include:
            if exclude:
                raise QueryError("a query needs at least one word that is not excluded")
            return None
        if len(include) == 1 and not exclude:
            return include[0]
        return All(tuple(include), tuple(exclude))

    def _unary(self) -> tuple[Node | None, bool]:
        lex = self._peek()
        if lex is None or lex.kind in ("close", "op"):
            what = "end of query" if lex is None else (lex.value or ")")
            raise QueryError(f"expected a word before {what}")
        self.pos += 1
        if lex.kind == "open":
            node = self._any()
            closing = self._peek()
            if closing is None or closing.kind != "close":
                raise QueryError("unbalanced parenthesis: missing )")
            self.pos += 1
            return node, lex.negated
        return _atom(lex.value, phrase=lex.kind == "phrase"), lex.negated


def _atom(raw: str, *, phrase: bool) -> Node | None:
    prefix = raw.endswith("*")
    words = tokens(fold(raw.rstrip("*")))
    if not words:
        return None
    if phrase or len(words) > 1:
        return Phrase(tuple(stem_forms(w) for w in words), prefix)
    return Term(stem_forms(words[0]), prefix)


# ---------------------------------------------------------------------- FTS5 expression
def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _render(node: Node) -> str:
    if isinstance(node, Term):
        star = " *" if node.prefix else ""
        parts = [_quote(f) + star for f in node.forms]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    if isinstance(node, Phrase):
        star = " *" if node.prefix else ""
        variants = list(itertools.islice(itertools.product(*node.words), MAX_PHRASE_VARIANTS))
        parts = [_quote(" ".join(pair_terms(v) or v)) + star for v in variants]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    if isinstance(node, Any_):
        return "(" + " OR ".join(_render(o) for o in node.options) + ")"
    positive = " AND ".join(f"({_render(n)})" for n in node.include)
    if not node.exclude:
        return positive
    negative = " OR ".join(f"({_render(n)})" for n in node.exclude)
    return f"({positive}) NOT ({negative})"


def _collect(node: Node, words: set[str], prefixes: list[str]) -> None:
    if isinstance(node, Term):
        if node.prefix:
            prefixes.extend(node.forms)
        else:
            words.update(node.forms)
    elif isinstance(node, Phrase):
        for forms in node.words[:-1] if node.prefix else node.words:
            words.update(forms)
        if node.prefix:
            prefixes.extend(node.words[-1])
    elif isinstance(node, Any_):
        for option in node.options:
            _collect(option, words, prefixes)
    else:
        for child in node.include:
            _collect(child, words, prefixes)


# ---------------------------------------------------------------------- snippets
@lru_cache(maxsize=200_000)
def _index_terms(raw: str) -> tuple[str, ...]:
    """The index terms of one word of original text (usually one)."""
    return tuple(light_stem(t) for t in tokens(fold(raw)))


SNIPPET_SCAN_CHARS = 50_000


def snippet(
    text: str | None,
    query: Query,
    *,
    words: int = 24,
    marks: tuple[str, str] = ("[", "]"),
    ellipsis: str = "…",
) -> str:
    """About ``words`` words of the original ``text`` (diacritics and all) where the query's
    words are densest, each hit wrapped in ``marks``; the opening words when nothing in
    ``text`` matches (the match was in the title)."""
    return _snippet(text, query, words, marks, ellipsis)[0]


def highlight(text: str | None, query: Query, *, marks: tuple[str, str] = ("[", "]")) -> str:
    """All of ``text`` (a title, say) with every word the query looks for wrapped in
    ``marks``, matched exactly as in snippets."""
    if not text:
        return ""
    pieces: list[str] = []
    cursor = 0
    for m in raw_words(text):
        word = m.group()
        hit = query.seen.get(word)
        if hit is None:
            hit = query.seen[word] = query.hits_terms(_index_terms(word))
        if hit:
            pieces.append(text[cursor : m.start()] + marks[0] + word + marks[1])
            cursor = m.end()
    return "".join(pieces) + text[cursor:]


def best_snippet(
    texts: list[str | None],
    query: Query,
    *,
    marks: tuple[str, str] = ("[", "]"),
    scan: bool = True,
) -> str:
    """The snippet of the first of ``texts`` (say body, then subtitle) that has a hit, or
    else the opening of the first non-empty one. ``scan=False``: the caller knows none of
    them has a hit (the index said so), so the opening is cut without looking for one."""
    fallback = ""
    for text in texts:
        cut, hit = _snippet(text, query, 24, marks, "…", scan=scan)
        if hit:
            return cut
        fallback = fallback or cut
    return fallback


def _snippet(
    text: str | None,
    query: Query,
    words: int,
    marks: tuple[str, str],
    ellipsis: str,
    *,
    scan: bool = True,
) -> tuple[str, bool]:
    if not text:
        return "", False
    scanned = text[:SNIPPET_SCAN_CHARS]
    # Only words from the first place the folded text contains a query form can be hits (a
    # hit's index term is a suffix, for a prefix a part, of its folded word): start there,
    # and look at a bounded stretch, instead of stemming every word of a long body.
    first = _first_candidate(scanned, query) if scan else None
    skip = max(0, first - 2) if first is not None else 0
    stretch = words if first is None else 2 * words + SNIPPET_PHRASE_WORDS
    found = list(itertools.islice(raw_words(scanned), skip + stretch))
    if not found:
        return "", False
    words_found = [m.group() for m in found[skip:]]
    if first is None:
        hits = [False] * len(found)
    else:
        phrased = _phrase_hits(words_found, query)
        tail = phrased if phrased is not None else _hits(words_found, query, stop_after=2 * words)
        hits = [False] * skip + tail
    start = _best_window(hits, words)
    end = min(len(hits), start + words)
    pieces: list[str] = []
    cursor = -1
    last_end = 0
    for i in range(start, end):
        m = found[i]
        if cursor >= 0:
            pieces.append(text[cursor : m.start()])
        pieces.append(f"{marks[0]}{m.group()}{marks[1]}" if hits[i] else m.group())
        cursor = last_end = m.end()
    body = " ".join("".join(pieces).split())
    lead = f"{ellipsis} " if start > 0 else ""
    tail_mark = f" {ellipsis}" if last_end < len(text.rstrip()) else ""
    return lead + body + tail_mark, any(hits[start:end])


#: Words looked at past the first possible hit when a phrase is searched for (the phrase may
#: stand after a few lone occurrences of its words).
SNIPPET_PHRASE_WORDS = 400


#: Characters folded at a time while looking for the first possible hit.
_FOLD_CHUNK = 4000


def _first_candidate(text: str, query: Query) -> int | None:
    """The index (in ``raw_words`` order) of the first word of ``text`` whose folded form
    contains one of the query's forms or prefixes; None when no word can be a hit. The text
    is folded a chunk at a time (cut between words), up to the first chunk with a candidate."""
    needles = query.needles
    before = 0  # words in the chunks already folded
    start = 0
    while start < len(text):
        end = len(text)
        if end - start > _FOLD_CHUNK:
            end = text.rfind(" ", start + 1, start + _FOLD_CHUNK)
            if end <= start:
                end = start + _FOLD_CHUNK
        folded = fold(text[start:end])
        pos = min((i for i in (folded.find(n) for n in needles) if i >= 0), default=-1)
        if pos >= 0:
            return before + len(tokens(folded[:pos]))
        before += len(tokens(folded))
        start = end
    return None


def _hits(found: list[str], query: Query, stop_after: int | None = None) -> list[bool]:
    """Whether each word is a hit; with ``stop_after``, only up to that many words past the
    first hit (enough to place a snippet window, and cheap on long bodies)."""
    seen = query.seen
    out: list[bool] = []
    first = -1
    for word in found:
        hit = seen.get(word)
        if hit is None:
            hit = seen[word] = query.hits_terms(_index_terms(word))
        if hit and first < 0:
            first = len(out)
        out.append(hit)
        if stop_after is not None and first >= 0 and len(out) > first + stop_after:
            break
    return out


def _phrase_hits(found: list[str], query: Query) -> list[bool] | None:
    """For a query with phrases: the hits where a phrase's words count only where the whole
    phrase stands (so the snippet shows the phrase, not a lone word of it elsewhere), and
    plain words anywhere. None for a query without phrases, or when no phrase is in ``found``
    (the match was in another field)."""
    phrases: list[Phrase] = []
    words: set[str] = set()
    prefixes: list[str] = []
    _split(query.tree, phrases, words, prefixes)
    if not phrases:
        return None
    plain = Query(query.text, query.tree, "", frozenset(words), tuple(prefixes))
    terms = [_index_terms(w) for w in found]
    hits = [plain.hits_terms(t) if (words or prefixes) else False for t in terms]
    matched = False
    for phrase in phrases:
        size = len(phrase.words)
        for i in range(len(found) - size + 1):
            if all(
                _word_matches(terms[i + j], forms, phrase.prefix and j == size - 1)
                for j, forms in enumerate(phrase.words)
            ):
                hits[i : i + size] = [True] * size
                matched = True
    return hits if matched else None


def _word_matches(terms: tuple[str, ...], forms: tuple[str, ...], prefix: bool) -> bool:
    if prefix:
        return any(t.startswith(forms) for t in terms)
    return any(t in forms for t in terms)


def _split(node: Node, phrases: list[Phrase], words: set[str], prefixes: list[str]) -> None:
    """The phrases of a query's positive part, and its other words and prefixes."""
    if isinstance(node, Phrase):
        phrases.append(node)
    elif isinstance(node, Term):
        (prefixes.extend if node.prefix else words.update)(node.forms)
    elif isinstance(node, Any_):
        for option in node.options:
            _split(option, phrases, words, prefixes)
    else:
        for child in node.include:
            _split(child, phrases, words, prefixes)


def _best_window(hits: list[bool], size: int) -> int:
    """Start of the ``size``-word window with the most hits, nudged to open a little before
    its first hit."""
    if not any(hits):
        return 0
    best, best_count, count = 0, -1, 0
    for i, hit in enumerate(hits):
        count += hit
        if i >= size:
            count -= hits[i - size]
        start = max(0, i - size + 1)
        if count > best_count:
            best, best_count = start, count
    first_hit = next(i for i in range(best, len(hits)) if hits[i])
    return max(best, first_hit - 3)


# ---------------------------------------------------------------------- index side
def index_columns(
    title: str | None, subtitle: str | None, body: str | None, *, body_form: str | None = None
) -> tuple[str, str]:
    """The (title, body) an article is indexed with in ``articles_fts``: folded, stemmed
    (:func:`scraper.text.indexed`); the body column is the subtitle's words, then the body's.
    Each column's words are followed by their adjacent pairs (:func:`with_pairs`).
    ``body_form`` is ``indexed(body)`` when the caller has it already (the story fingerprint
    is cut from the same words)."""
    lead = indexed(subtitle)
    rest = indexed(body) if body_form is None else body_form
    return with_pairs(indexed(title)), with_pairs(
        f"{lead} {rest}" if lead and rest else lead or rest
    )


def pair_terms(words: tuple[str, ...] | list[str]) -> list[str]:
    """Each two adjacent index terms as one term (PAIR_JOINER + ``a`` + PAIR_JOINER + ``b``)."""
    return [f"{PAIR_JOINER}{a}{PAIR_JOINER}{b}" for a, b in itertools.pairwise(words)]


def with_pairs(column: str) -> str:
    """An index column's words, then each two adjacent words as one pair term.

    A phrase is searched as its pairs (``"a b c"`` as the phrase of the terms a·b, b·c, which
    stand next to each other as the words do): one short list of articles to read, where the
    words' lists would be long (two common words, in most of the archive) and each of their
    articles' positions compared. FTS5's bm25 also counts a phrase's articles over the whole
    index for its weight, so this makes a phrase as cheap to rank as a word (``"a b*"`` is the
    pair prefix a·b*). The words come first and keep their positions; no word contains the
    joiner, so a word never matches a pair, nor a phrase of words the seam between them."""
    words = column.split()
    if len(words) < 2:
        return column
    return f"{column} {' '.join(pair_terms(words))}"


# ---------------------------------------------------------------------- SQL functions
def sql_match(text: str | None) -> str:
    """FTS5 expression for a user's query; a query with nothing to search matches nothing."""
    query = lenient(text or "")
    return query.match if query else '""'


def sql_snippet(text: str | None, query_text: str | None) -> str | None:
    query = lenient(query_text or "")
    if text is None:
        return None
    return snippet(text, query) if query else text[:200]


def register_functions(conn: sqlite3.Connection, *, datasette: bool = False) -> None:
    """Add the search SQL functions to a connection:

    ``scraper_fold(text)`` (the index's normalization), ``scraper_match(query)`` (a user's
    query as an FTS5 expression over ``articles_fts``), ``scraper_snippet(text, query)``.
    With ``datasette``, also replace Datasette's ``escape_fts`` so its search box folds and
    handles clitics the same way.
    """
    conn.create_function(
        "scraper_fold", 1, lambda t: None if t is None else fold(t), deterministic=True
    )
    conn.create_function("scraper_match", 1, sql_match, deterministic=True)
    conn.create_function("scraper_snippet", 2, sql_snippet, deterministic=True)
    if datasette:
        conn.create_function("escape_fts", 1, sql_match, deterministic=True)
