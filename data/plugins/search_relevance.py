"""How far BM25 can tell search matches apart: ``bm25_ceiling`` and what it reads.

The search query (datasette.yaml) ranks clinics by relevance in whole BM25 points, then by
score. Before it computes BM25 for every match, it asks ``bm25_ceiling`` for the most points any
match could get. Below one point every match is worth 0 whole points, so relevance cannot
separate them and the query lists them by score without computing BM25 at all.

The ceiling starts from how many rows match: a word on about two in five pages or more cannot
reach a point. When that allows a point, the query tightens it with how often each phrase can
occur in one row, from the index's term counts: each full-text index that the database's
plugin configuration lists (``search-relevance: term_counts``) gets an ``fts5vocab`` table in
each connection's temp schema, ``temp.<index>_vocab``. (In the file, Datasette would list and
count it: 230 ms at 100,000 pages. Made from the configuration rather than from the indexes
found, it is there even for a connection opened before a first crawl made the index.)
``fts_terms`` turns the search into the index's own terms.

A search for one common word does not compute BM25 at all: ``fts_lone_term`` names the term it
is for, and the query reads the points that storage keeps for the clinics that term makes worth
a point or more (``search_term_points``) while the index is unchanged since.

``escape_search`` turns what the visitor typed into the full-text query.
"""

import functools
import json
import math
import re
import sqlite3
import threading

from datasette import hookimpl
from datasette.utils import escape_fts, escape_sqlite

# FTS5's bm25() constants (fts5_aux.c): term-frequency saturation k1, length normalisation b,
# and the floor it puts under the idf of a phrase that half the rows or more contain.
BM25_K1 = 1.2
BM25_B = 0.75
BM25_IDF_FLOOR = 1e-6

# An escaped search (Datasette's escape_fts) is a list of phrases in double quotes, all required.
_PHRASE = re.compile(r'"([^"]*)"')


def bm25_ceiling(fts_query, matches, rows, most_often=None):
    """An upper bound of ``-bm25()`` for any row that ``fts_query`` matches.

    ``fts_query`` is an escaped query (``escape_fts``). ``matches`` is how many of the index's
    ``rows`` match it all. A phrase occurring f times in a row of length D adds
    idf × f(k1 + 1) / (f + k1(1 − b + b·D/avgdl)), which stays below idf × f(k1 + 1) / (f + k1(1 − b))
    and below idf × (k1 + 1); a phrase matches at least the rows the whole query matches, so its
    idf is at most the idf of ``matches`` rows. ``most_often``, when given, is a JSON array with
    the most times each phrase can occur in one row (in any order; null where unknown).
    """
    if matches is None or not rows:
        return None
    idf = max(math.log((rows - matches + 0.5) / (matches + 0.5)), BM25_IDF_FLOOR)
    phrases = len(_PHRASE.findall(str(fts_query)))
    known = [f for f in json.loads(most_often) if f is not None] if most_often else []
    saturated = (phrases - len(known)) * (BM25_K1 + 1)
    return idf * (saturated + sum(f * (BM25_K1 + 1) / (f + BM25_K1 * (1 - BM25_B)) for f in known))


# The statement that made a full-text index, as sqlite_master keeps it. fts_terms runs nothing
# else: where arbitrary SQL is allowed, a visitor may call it with any text.
_FTS5_INDEX_SQL = re.compile(r"\s*create\s+virtual\s+table\s+[^;]*?\busing\s+fts5\s*\([^;]*\)\s*", re.IGNORECASE)

_tokenizers = threading.local()


def _tokenizer(index_sql):
    """This thread's empty copy of the full-text index made by ``index_sql`` (CREATE VIRTUAL
    TABLE … USING fts5), with an ``fts5vocab`` table listing the terms of each row: the index's
    own tokenizer, with its options, in memory."""
    copies = _tokenizers.__dict__.setdefault("copies", {})
    if index_sql not in copies:
        if not _FTS5_INDEX_SQL.fullmatch(str(index_sql)):
            raise ValueError("fts_terms needs the CREATE VIRTUAL TABLE … USING fts5 statement of an index")
        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.execute(index_sql)
        (name,) = conn.execute("select name from sqlite_master where sql like 'create virtual table%'").fetchone()
        conn.execute(f"create virtual table temp.terms using fts5vocab(main, {escape_sqlite(name)}, instance)")
        columns = [row[1] for row in conn.execute(f"pragma table_info({escape_sqlite(name)})")]
        copies[index_sql] = (conn, f"insert into {escape_sqlite(name)}(rowid, {escape_sqlite(columns[0])}) values (?, ?)")
    return copies[index_sql]


@functools.lru_cache(maxsize=1024)
def fts_terms(fts_query, index_sql):
    """The index's terms in each phrase of ``fts_query``, as JSON: ``[["microneedl", "rf"]]``
    for ``"RF microneedling"`` under the porter tokenizer (the terms of each phrase sorted, as
    often as the phrase holds them; the phrases in the query's order)."""
    phrases = _PHRASE.findall(str(fts_query))
    conn, insert = _tokenizer(index_sql)
    conn.execute("begin")
    try:
        conn.executemany(insert, enumerate(phrases))
        terms = [[] for _ in phrases]
        for phrase, term in conn.execute("select doc, term from temp.terms"):
            terms[phrase].append(term)
    finally:
        conn.execute("rollback")
    return json.dumps([sorted(found) for found in terms])


def escape_search(words):
    """What a visitor typed as a full-text query, as Datasette's ``escape_fts`` makes it (each
    word a phrase, all required), without NUL characters: FTS5 reads a query as a C string, so
    a NUL inside a phrase would end it there ("unterminated string")."""
    return escape_fts(str(words or "").replace("\x00", " "))


def fts_lone_term(terms):
    """The one term a search is for, from its ``fts_terms``, when it is one word that the
    index holds as one term ("Spas" → "spa"); else null ("spa clinic", "anti-aging")."""
    phrases = json.loads(terms)
    return phrases[0][0] if len(phrases) == 1 and len(phrases[0]) == 1 else None


@hookimpl
def prepare_connection(conn, database, datasette):
    conn.create_function("bm25_ceiling", 3, bm25_ceiling, deterministic=True)
    conn.create_function("bm25_ceiling", 4, bm25_ceiling, deterministic=True)
    conn.create_function("fts_terms", 2, fts_terms, deterministic=True)
    conn.create_function("fts_lone_term", 1, fts_lone_term, deterministic=True)
    conn.create_function("escape_search", 1, escape_search, deterministic=True)
    config = datasette.plugin_config("search-relevance", database=database) or {}
    for index in config.get("term_counts", []):
        conn.execute(f"create virtual table if not exists temp.{escape_sqlite(index + '_vocab')} "
                     f"using fts5vocab(main, {escape_sqlite(index)}, row)")
