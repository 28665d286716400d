"""How far BM25 can tell search matches apart: ``bm25_ceiling(fts_query, matches, rows)``.

The search query (datasette.yaml) ranks clinics by relevance in whole BM25 points, then by
score. Before it computes BM25 for every match, it asks this function for the most points any
match could get. Below one point every match is worth 0 whole points, so relevance cannot
separate them and the query lists them by score without computing BM25 at all: that is what a
word found on a large share of the pages (about two in five or more) gives.
"""

import math

from datasette import hookimpl

# FTS5's bm25() constants (fts5_aux.c): term-frequency saturation k1, and the floor it puts
# under the idf of a phrase that half the rows or more contain.
BM25_K1 = 1.2
BM25_IDF_FLOOR = 1e-6


def bm25_ceiling(fts_query, matches, rows):
    """An upper bound of ``-bm25()`` for any row that ``fts_query`` matches.

    ``fts_query`` is an escaped query (``escape_fts``): phrases in double quotes, all required.
    ``matches`` is how many of the index's ``rows`` match it all. A phrase adds
    idf × f(k1 + 1) / (f + k1(1 − b + b·len/avglen)), which stays below idf × (k1 + 1); a
    phrase matches at least the rows the whole query matches, so its idf is at most the idf of
    ``matches`` rows.
    """
    if matches is None or not rows:
        return None
    phrases = str(fts_query).count('"') // 2
    idf = math.log((rows - matches + 0.5) / (matches + 0.5))
    return phrases * max(idf, BM25_IDF_FLOOR) * (BM25_K1 + 1)


@hookimpl
def prepare_connection(conn):
    conn.create_function("bm25_ceiling", 3, bm25_ceiling, deterministic=True)
