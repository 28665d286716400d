"""What the search query (datasette.yaml) needs beyond SQLite: ``escape_search``,
``ranked_matches_at_most`` and ``read_matches_at_most``.

The query ranks clinics by relevance in whole BM25 points, then by rank, but only for an index
with at most ``ranked_matches_at_most()`` matches of the search (``search-relevance:
ranked_matches_at_most`` in the plugin configuration, 2,000 unless set). An index with more
matches holds words that most clinic sites use ("numbing", "acne scars"): BM25 then mostly
tells short pages from long ones, often putting the sites of clinics with little to say first,
so every such match is worth 0 points and the clinics come in the directory's order. That also
bounds what a search costs: BM25 costs about a microsecond a match.

Matches worth 0 points are read one by one up to ``read_matches_at_most(clinics)``; past it,
the query walks the directory in rank order until 50 clinics match instead.
"""

import math

from datasette import hookimpl
from datasette.utils import escape_fts

RANKED_MATCHES_AT_MOST = 2000
# Reading a match costs 2–3.5 µs; walking the directory costs about 12 µs a clinic (one lookup
# of the index for its pages), and some 50 × clinics / matches of them are walked before 50
# match. The two cost the same near matches² = 250 × clinics: 5,000 matches at 100,000 clinics
# (measured at 20 pages a clinic, as crawled sites have).
WALK_OVER_READ = 250


def read_matches_at_most(clinics, ranked_at_most=RANKED_MATCHES_AT_MOST):
    """How many matches of an index the search reads one by one, among ``clinics`` listed:
    all those it ranks, and more while reading them costs less than walking the directory."""
    return max(ranked_at_most, math.isqrt(WALK_OVER_READ * max(0, int(clinics or 0))))


def escape_search(words):
    """What a visitor typed as a full-text query, as Datasette's ``escape_fts`` makes it (each
    word a phrase, all required), without NUL characters: FTS5 reads a query as a C string, so
    a NUL inside a phrase would end it there ("unterminated string")."""
    return escape_fts(str(words or "").replace("\x00", " "))


@hookimpl
def prepare_connection(conn, database, datasette):
    config = datasette.plugin_config("search-relevance", database=database) or {}
    ranked_at_most = int(config.get("ranked_matches_at_most", RANKED_MATCHES_AT_MOST))
    conn.create_function("ranked_matches_at_most", 0, lambda: ranked_at_most, deterministic=True)
    conn.create_function("read_matches_at_most", 1,
                         lambda clinics: read_matches_at_most(clinics, ranked_at_most), deterministic=True)
    conn.create_function("escape_search", 1, escape_search, deterministic=True)
