"""Trigram similarity as PostgreSQL's pg_trgm computes it, for databases without it (SQLite).

Pure functions over already normalised text (``core.text.search_key``: lower case, no accents).
``similarity`` is pg_trgm's ``similarity()`` (shared trigrams over all trigrams);
``word_similarity`` is the share of the query's trigrams found in the text, an upper bound of
pg_trgm's ``word_similarity()`` (which looks for them in one stretch of the text). The thresholds
are pg_trgm's defaults, so both databases keep about the same actions.
"""

import re

SIMILARITY_THRESHOLD = 0.3  # pg_trgm.similarity_threshold
WORD_SIMILARITY_THRESHOLD = 0.6  # pg_trgm.word_similarity_threshold

_WORD = re.compile(r"[^\W_]+")  # pg_trgm keeps letters and digits, and splits on anything else


def trigrams(text: str) -> frozenset[str]:
    """Each word padded with two spaces before and one after, cut in runs of three characters."""
    grams = set()
    for word in _WORD.findall(text):
        padded = f"  {word} "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def word_similarity(query: frozenset[str], text: frozenset[str]) -> float:
    if not query:
        return 0.0
    return len(query & text) / len(query)


def score(query: frozenset[str], text: frozenset[str]) -> float:
    """How close ``text`` is to ``query``, 0 when under both thresholds."""
    whole, word = similarity(query, text), word_similarity(query, text)
    if whole < SIMILARITY_THRESHOLD and word < WORD_SIMILARITY_THRESHOLD:
        return 0.0
    return max(whole, word)
