"""How the search stored query orders clinics: relevance in whole BM25 points, then rank.

The query skips computing BM25 for an index whose matches cannot reach one point (a word on
about two in five pages or more, or on a third of them when no page says it twice), reads the
points stored for a common word, and finds the clinics of the most common relevance by walking
the directory in rank order rather than looking each match up (unless their matches are few
enough to read); these tests hold it to ranking every match for real.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import sqlite_utils
from datasette.utils import escape_fts

from clinicscout.storage import COMMON_TERM_ROWS, ClinicRecord, Storage
from clinicscout.web import DATA_DIR, make_datasette
from tests.conftest import synthetic_directory

# The search page lists the 50 best clinics, as the directory shows 50 a page.
RESULTS_PER_SEARCH = 50

_spec = importlib.util.spec_from_file_location("search_relevance", DATA_DIR / "plugins" / "search_relevance.py")
search_relevance = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(search_relevance)


def clinic(name: str, score: int, text: str, *, city: str = "Springfield") -> ClinicRecord:
    return site(name, score, [text], city=city)


def site(name: str, score: int, texts: list[str], *, city: str = "Springfield",
         title: str | None = None) -> ClinicRecord:
    """A clinic whose website has one page per text (the first is its home page), each titled
    ``title`` (by default its name)."""
    website = f"https://{name.lower().replace(' ', '-')}.example"
    return ClinicRecord(
        clinic={"name": name, "website": website, "score": score, "offers_microneedling": 1,
                "red_flags": 0, "criteria_met": score // 10, "city": city, "region": "IL",
                "country": "US", "pages_crawled": len(texts), "crawl_status": "ok"},
        pages=[{"url": f"{website}/{n or ''}", "title": title or name, "text": text, "status": 200}
               for n, text in enumerate(texts)],
        verdicts=[],
    )


async def search(db_path: Path, words: str) -> list[dict]:
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    response = await ds.client.get("/clinics/search.json", params={"q": words, "_shape": "objects"})
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def ranked_by_hand(db_path: Path, words: str, limit: int = RESULTS_PER_SEARCH) -> list[tuple[int, int]]:
    """(clinic_id, relevance) as BM25 of every match orders them: each clinic's best page or
    name in whole points, then rank, then id."""
    db = sqlite_utils.Database(db_path)
    fts = escape_fts(words)
    points: dict[int, float] = {}
    for clinic_id, value in db.execute(
        "select pages.clinic_id, -bm25(pages_fts) from pages_fts "
        "join pages on pages.id = pages_fts.rowid where pages_fts match ?", [fts]
    ).fetchall() + db.execute(
        "select rowid, -bm25(clinics_fts) from clinics_fts where clinics_fts match ?", [fts]
    ).fetchall():
        points[clinic_id] = max(value, points.get(clinic_id, value))
    rank = dict(db.execute("select clinic_id, rank from directory").fetchall())
    order = sorted((c for c in points if c in rank), key=lambda c: (-int(points[c]), rank[c], c))
    return [(c, int(points[c])) for c in order[:limit]]


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory) -> Path:
    """400 synthetic clinics: "numbing" on about half the pages, "microneedling" on all."""
    return synthetic_directory(tmp_path_factory, 400)


@pytest.mark.parametrize("words", [
    "microneedling",      # every page: BM25 is not computed
    "numbing",            # about half the pages: not computed either
    "skin",               # most pages and two in five names: neither index is ranked
    "numbing cream",      # two common words
    "acne scars",         # a fifth of the pages: ranked
    "studio",             # a tenth of the names and pages
    "microneedling numbing acne",
])
async def test_search_orders_exactly_as_ranking_every_match_would(synthetic_db, words):
    rows = await search(synthetic_db, words)
    assert rows
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(synthetic_db, words)


@pytest.fixture(scope="module")
def directory_db(tmp_path_factory) -> Path:
    """3,000 synthetic clinics: enough that walking the directory beats ranking every match."""
    return synthetic_directory(tmp_path_factory, 3000)


@pytest.mark.parametrize("words", [
    "acne",               # a quarter of the pages: a few worth 2 points, most 1, some 0
    "acne scars",
    "texture",            # a tenth: ranked one by one
    "dermatology",        # a fifth of the names and pages, most worth 2 points
    "spa",                # names and pages, worth 1 point or 0
    "studio",
    "glow",               # a rare name word
    "skin",               # names ranked, pages not
    "numbing",            # neither index ranked
    "serum",              # a third of the pages, once each: not ranked, by its term counts
])
async def test_mid_frequency_words_order_exactly_as_ranking_every_match_would(directory_db, words):
    rows = await search(directory_db, words)
    assert rows
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(directory_db, words)


@pytest.fixture(scope="module")
def stored_directory_db(tmp_path_factory) -> Path:
    """The same 3,000 clinics, with the points of every term in 100 rows or more stored."""
    return synthetic_directory(tmp_path_factory, 3000, common_term_rows=100)


@pytest.mark.parametrize("words", [
    "acne",               # stored: most matches worth a point, some 0
    "Acne",
    "texture",
    "dermatology",        # stored in both indexes
    "spa",
    "studio",
    "clinic",
    "skin",               # stored, and none worth a point
    "serum",
])
async def test_common_words_read_their_stored_points_and_order_exactly_as_ranking_every_match_would(
        stored_directory_db, words):
    plan = query_step(stored_directory_db, words, "select page_term, pages_ranked from plan")
    assert plan["page_term"] is not None and plan["pages_ranked"] == 0
    rows = await search(stored_directory_db, words)
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(stored_directory_db, words)


@pytest.mark.parametrize("words", ["acne scars", "glow", "spa clinic"])
async def test_searches_of_more_or_rarer_words_compute_their_points(stored_directory_db, words):
    assert query_step(stored_directory_db, words, "select page_term from plan") == {"page_term": None}
    rows = await search(stored_directory_db, words)
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(stored_directory_db, words)


def stored_points(db_path: Path, term: str) -> dict[int, tuple[int, int]]:
    """The stored whole points of a term of the pages index: {clinic_id: (points, page_id)}."""
    db = sqlite_utils.Database(db_path)
    return {clinic_id: (points, page_id) for clinic_id, points, page_id in db.execute(
        "select clinic_id, points, page_id from search_term_points join search_common_terms as t on t.id = term_id "
        "where t.fts_index = 'pages_fts' and t.term = ?", [term]).fetchall()}


def test_a_common_terms_stored_points_are_each_clinics_best_page_worth_a_whole_point_or_more(tmp_path):
    db_path = tmp_path / "clinics.db"
    serum_sites(db_path, said_on_one_short_page=6, common_term_rows=30)
    db = sqlite_utils.Database(db_path)
    by_hand = {clinic_id: (int(points), page_id) for clinic_id, page_id, points in db.execute(
        "select pages.clinic_id, pages.id, -bm25(pages_fts) from pages_fts join pages on pages.id = pages_fts.rowid "
        "where pages_fts match 'serum'") if points >= 1}
    assert stored_points(db_path, "serum") == by_hand
    assert len(by_hand) == 1  # Glow Bar's page
    counted = db.execute("select matches, clinics_by_points from search_common_terms "
                         "where fts_index = 'pages_fts' and term = 'serum'").fetchone()
    assert (counted[0], json.loads(counted[1])) == (37, {"0": 36, "1": 1})
    # Common: every term in 30 pages or more, and only those.
    db.execute("create virtual table temp.terms using fts5vocab(main, pages_fts, row)")
    assert {term for (term,) in db.execute("select term from search_common_terms where fts_index = 'pages_fts'")} == {
        term for (term,) in db.execute("select term from temp.terms where doc >= 30")}


async def test_a_clinic_of_many_pages_stores_its_first_page_worth_the_most_whole_points(tmp_path):
    """Its second page and its shorter third page are worth 4 whole points, the third a little
    more: the second is the one stored, and the one its search result quotes."""
    db_path = tmp_path / "clinics.db"
    long_page = "Our facials, peels and laser treatments suit every skin type and season. " * 6
    storage = Storage(db_path, common_term_rows=5)
    storage.bulk_insert([
        site("Layered Clinic", 50, [long_page + "Ask about our peptide mask.",
                                    "Our peptide facial and peptide mask suit dry and tired skin.",
                                    "Peptide facial. Peptide mask."]),
        *(clinic(f"Peel Clinic {n}", 40 + n, long_page + ("A peptide serum follows." if n % 20 == 0 else ""))
          for n in range(200)),
    ])
    storage.close()
    db = sqlite_utils.Database(db_path)
    (clinic_id,) = db.execute("select id from clinics where name = 'Layered Clinic'").fetchone()
    pages = db.execute(
        "select pages.id, -bm25(pages_fts) from pages_fts join pages on pages.id = pages_fts.rowid "
        "where pages_fts match 'peptide' and pages.clinic_id = ? order by pages.id", [clinic_id]).fetchall()
    (_, home), (second, middle), (_, shortest) = pages
    assert int(home) < int(middle) == int(shortest) and middle < shortest
    assert stored_points(db_path, "peptid")[clinic_id] == (int(middle), second)
    rows = await search(db_path, "peptide")
    assert (rows[0]["name"], rows[0]["page_url"]) == ("Layered Clinic", "https://layered-clinic.example/1")


async def test_a_stem_that_searches_as_another_term_is_not_stored_and_is_ranked_for_real(tmp_path):
    """The index holds "licensed" as "licens", which a search reads as "licen": its stored
    points would be another term's."""
    db_path = tmp_path / "clinics.db"
    storage = Storage(db_path, common_term_rows=5)
    storage.bulk_insert([
        clinic(f"Clinic {n}", 40 + n, "Our licensed nurses. " * (1 + n % 4) * (n % 3 == 0) + "Facials and peels. " * n)
        for n in range(20)
    ])
    storage.close()
    db = sqlite_utils.Database(db_path)
    db.execute("create virtual table temp.terms using fts5vocab(main, pages_fts, row)")
    assert db.execute("select doc from temp.terms where term = 'licens'").fetchone() == (7,)
    assert db.execute("select count(*) from search_common_terms where term like 'licen%'").fetchone() == (0,)
    assert query_step(db_path, "licensed", "select page_term, pages_ranked from plan") == {
        "page_term": None, "pages_ranked": 1}
    rows = await search(db_path, "licensed")
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(db_path, "licensed")


async def test_stored_points_are_set_aside_from_a_pages_change_until_the_clinics_are_ranked_again(tmp_path):
    """A crawl writes pages before it ranks: meanwhile searches compute their points."""
    db_path = tmp_path / "clinics.db"
    serum_sites(db_path, said_on_one_short_page=1, common_term_rows=30)
    assert query_step(db_path, "serum", "select page_term is not null as stored from plan") == {"stored": 1}
    db = sqlite_utils.Database(db_path)
    glow_bar_page = db.execute("select pages.id from pages join clinics on clinics.id = clinic_id "
                               "where clinics.name = 'Glow Bar'").fetchone()[0]
    db["pages"].update(glow_bar_page, {"text": "Serum facial. " * 6})
    assert query_step(db_path, "serum", "select page_term is not null as stored from plan") == {"stored": 0}
    rows = await search(db_path, "serum")
    assert rows[0]["name"] == "Glow Bar" and rows[0]["relevance"] == 1
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(db_path, "serum")

    storage = Storage(db_path, common_term_rows=30)
    storage.update_ranks()
    storage.close()
    assert query_step(db_path, "serum", "select page_term is not null as stored from plan") == {"stored": 1}
    assert await search(db_path, "serum") == rows


def test_an_index_made_again_sets_its_stored_points_aside(tmp_path):
    """Made again (here dropped, as a change of its configuration would), the index changed
    without a page changing."""
    db_path = tmp_path / "clinics.db"
    serum_sites(db_path, said_on_one_short_page=6, common_term_rows=30)
    sqlite_utils.Database(db_path)["pages"].disable_fts()
    Storage(db_path).close()
    assert query_step(db_path, "serum", "select page_term is not null as stored from plan") == {"stored": 0}


async def test_points_stored_one_row_a_match_by_an_older_version_are_stored_again_one_row_a_clinic(tmp_path):
    db_path = tmp_path / "clinics.db"
    serum_sites(db_path, said_on_one_short_page=6, common_term_rows=30)
    rows = await search(db_path, "serum")
    db = sqlite_utils.Database(db_path)
    db.execute("drop table search_term_points")
    db.execute("create table search_term_points (term_id integer not null, row_id integer not null, "
               "points real not null, primary key (term_id, row_id)) without rowid")
    Storage(db_path, common_term_rows=30).close()
    assert "clinic_id" in db["search_term_points"].columns_dict
    assert query_step(db_path, "serum", "select page_term is not null as stored from plan") == {"stored": 0}
    assert await search(db_path, "serum") == rows
    storage = Storage(db_path, common_term_rows=30)
    storage.update_ranks()
    storage.close()
    assert query_step(db_path, "serum", "select page_term is not null as stored from plan") == {"stored": 1}
    assert await search(db_path, "serum") == rows


@pytest.mark.parametrize(("words", "term"), [
    ('"Spas"', "spa"), ('"acne"', "acn"), ('"spa" "clinic"', None), ('"anti-aging"', None),
    ('"spa-spa"', None), ('""', None),
])
def test_a_search_of_one_word_is_for_the_one_term_the_index_holds(synthetic_db, words, term):
    index_sql = sqlite_utils.Database(synthetic_db)["pages_fts"].schema
    assert search_relevance.fts_lone_term(search_relevance.fts_terms(words, index_sql)) == term


def few_sites_with_many_good_pages(db_path: Path, filler_name: str, *,
                                   common_term_rows: int = COMMON_TERM_ROWS) -> None:
    """12 sites of 40 short pages that say "peptide" twice, 30 clinics whose one long page says
    it once, and 600 others named ``filler_name`` and a number (their pages say neither)."""
    storage = Storage(db_path, common_term_rows=common_term_rows)
    filler = ["We offer facials and peels.", "Book a visit with our team today."]
    long_page = "Our facials, peels and laser treatments suit every skin type and season. " * 12
    storage.bulk_insert([
        *(site(f"Serum Site {n}", 30 + n, [f"Peptide serum. Our peptide facial, page {p}." for p in range(40)])
          for n in range(12)),
        *(clinic(f"Long Page Clinic {n}", 70 + n, long_page + "We also apply a peptide mask.") for n in range(30)),
        *(site(filler_name.format(n=n), n % 100, filler, title="Welcome") for n in range(600)),
    ])
    storage.close()


async def test_clinics_worth_less_follow_when_few_clinics_hold_the_many_good_matches(tmp_path):
    """Many pages worth points, all on a few sites: after those few clinics, the clinics whose
    only match is worth 0 points come next, by rank, as ranking every match orders them."""
    db_path = tmp_path / "clinics.db"
    few_sites_with_many_good_pages(db_path, "Filler Clinic {n}")
    rows = await search(db_path, "peptide")
    assert [row["name"] for row in rows[:12]] == [f"Serum Site {n}" for n in reversed(range(12))]
    assert min(row["relevance"] for row in rows[:12]) > 0 == max(row["relevance"] for row in rows[12:])
    assert [row["name"] for row in rows[12:]] == [f"Long Page Clinic {n}" for n in reversed(range(30))]
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(db_path, "peptide")


async def test_after_few_clinics_with_many_good_pages_a_name_most_clinics_share_counts_as_0_points(tmp_path):
    """Half the names say "peptide", too many for BM25 to rank names: those clinics are worth 0
    points and come, by rank, among the clinics whose pages are worth 0."""
    db_path = tmp_path / "clinics.db"
    few_sites_with_many_good_pages(db_path, "Peptide Filler {n}")
    rows = await search(db_path, "peptide")
    assert len(rows) == RESULTS_PER_SEARCH
    assert [row["name"] for row in rows[:12]] == [f"Serum Site {n}" for n in reversed(range(12))]
    assert {row["name"].split()[0] for row in rows[12:]} == {"Long", "Peptide"}
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(db_path, "peptide")


@pytest.mark.parametrize("filler_name", ["Filler Clinic {n}", "Peptide Filler {n}"])
async def test_stored_points_list_the_same_clinics_pages_and_snippets_as_computed_ones(tmp_path, filler_name):
    computed, stored = tmp_path / "computed.db", tmp_path / "stored.db"
    few_sites_with_many_good_pages(computed, filler_name)
    few_sites_with_many_good_pages(stored, filler_name, common_term_rows=30)
    assert query_step(computed, "peptide", "select page_term is not null as stored from plan") == {"stored": 0}
    assert query_step(stored, "peptide", "select page_term is not null as stored from plan") == {"stored": 1}
    rows = await search(stored, "peptide")
    assert rows == await search(computed, "peptide")
    # Each snippet comes from the clinic's first page worth its relevance.
    assert rows[0]["page_url"] == "https://serum-site-11.example/"
    assert "<b>" not in rows[0]["snippet"] and "\ue000Peptide\ue001 serum" in rows[0]["snippet"]


def search_sql_and_connection(db_path: Path) -> tuple[str, sqlite_utils.Database]:
    """The search query's SQL, and the database with the functions Datasette gives it."""
    datasette = make_datasette(db_path)
    db = sqlite_utils.Database(db_path)
    db.conn.create_function("escape_fts", 1, escape_fts)  # Datasette's own
    search_relevance.prepare_connection(db.conn, "clinics", datasette)  # our functions and term counts
    return datasette.config["databases"]["clinics"]["queries"]["search"]["sql"], db


def query_step(db_path: Path, words: str, select: str) -> dict:
    """``select`` run after the search query's first steps (its CTEs up to the cut)."""
    sql, db = search_sql_and_connection(db_path)
    head = sql[:sql.index("-- Listed clinics worth more than the cut")].rstrip().rstrip(",")
    return next(db.query(f"{head}\n{select}", {"q": words}))


def search_with_cut_found_as(db_path: Path, words: str, *, direct: int, gathered: int) -> list[tuple[int, int]]:
    """(clinic_id, relevance) of the search query's rows, the clinics worth its cut found from
    their matches (``direct``) or by a walk that gathers the stored points worth the cut first
    (``gathered``) or looks each walked clinic up among them, whatever the cut would choose."""
    sql, db = search_sql_and_connection(db_path)
    chosen = "select level, direct, gathered, pages_ranked, names_ranked from ("
    assert chosen in sql
    sql = sql.replace(chosen, f"select level, {direct} as direct, {gathered} as gathered, pages_ranked, names_ranked from (")
    return [(row["clinic_id"], row["relevance"]) for row in db.query(sql, {"q": words})]


@pytest.mark.parametrize("words", ["acne", "texture", "dermatology", "spa", "studio", "clinic"])
def test_each_way_of_finding_the_clinics_worth_the_cut_orders_them_alike(stored_directory_db, words):
    assert query_step(stored_directory_db, words, "select level > 0 as above_0 from cut") == {"above_0": 1}
    by_hand = ranked_by_hand(stored_directory_db, words)
    for direct, gathered in ((1, 0), (0, 1), (0, 0)):
        assert search_with_cut_found_as(stored_directory_db, words, direct=direct, gathered=gathered) == by_hand


def search_plan(db_path: Path, words: str) -> dict:
    """The cut the search query picks for ``words``: its level, and whether the clinics worth
    it are found from its matches (``direct``) or by walking the directory in rank order."""
    return query_step(db_path, words, "select level, direct from cut")


async def test_when_the_best_pages_are_low_ranked_clinics_they_are_found_from_their_matches(tmp_path):
    """BM25 favours short pages, often those of clinics with little to say: here the 1,510
    clinics worth a point are ranked below 10,500 others. Walking the directory in rank order
    would read nearly all of it; the query finds them from their matches, in the same order."""
    db_path = tmp_path / "clinics.db"
    long_page = "Our facials, peels and laser treatments suit every skin type. " * 30
    storage = Storage(db_path)
    storage.bulk_insert([
        *(clinic(f"Thorough Clinic {n}", 60 + n % 40, long_page + "Ask about our peptide mask.")
          for n in range(1500)),
        *(clinic(f"Brief Studio {n}", 10 + n % 20, "Our peptide facial.") for n in range(1500)),
        *(clinic(f"Tiny Studio {n}", n, "Peptide facial. Peptide serum.") for n in range(10)),
        *(clinic(f"Other Clinic {n}", 50, "Facials and peels in town.") for n in range(9000)),
    ])
    storage.close()
    assert search_plan(db_path, "peptide") == {"level": 1, "direct": 1}
    rows = await search(db_path, "peptide")
    assert {row["name"].split()[0] for row in rows} == {"Brief"}
    assert {row["relevance"] for row in rows} == {1}
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(db_path, "peptide")


async def test_a_rare_words_relevance_wins_over_score(tmp_path):
    db_path = tmp_path / "clinics.db"
    storage = Storage(db_path)
    filler = "We offer facials, peels and microneedling with care. " * 3
    storage.bulk_insert([
        clinic("High Score Spa", 95, filler + "Dermaplaning is also available."),
        clinic("Low Score Studio", 20, "Dermaplaning. Our dermaplaning gently removes fine hair."),
        *(clinic(f"Other Clinic {n}", 50 + n, filler) for n in range(30)),
    ])
    storage.close()
    rows = await search(db_path, "dermaplaning")
    assert [row["name"] for row in rows] == ["Low Score Studio", "High Score Spa"]
    assert rows[0]["relevance"] > rows[1]["relevance"] > 0


async def test_a_word_on_most_pages_ties_every_clinic_so_rank_decides_and_snippets_show_the_page(tmp_path):
    db_path = tmp_path / "clinics.db"
    storage = Storage(db_path)
    storage.bulk_insert([
        clinic(f"Clinic {n}", score, f"Clinic {n} offers microneedling. " + "Facials and peels. " * n)
        for n, score in enumerate([40, 90, 10, 70, 55, 85])
    ] + [clinic("No Needles Spa", 99, "Only facials here.")])
    storage.close()
    rows = await search(db_path, "microneedling")
    assert [row["score"] for row in rows] == [90, 85, 70, 55, 40, 10]
    assert {row["relevance"] for row in rows} == {0}
    assert all("\ue000microneedling\ue001" in row["snippet"] for row in rows)
    assert all(row["page_url"].endswith(".example/") for row in rows)


async def test_a_clinic_named_for_a_word_most_pages_use_comes_first(tmp_path):
    """The names index ranks a rare name word although the pages index ties every match."""
    db_path = tmp_path / "clinics.db"
    storage = Storage(db_path)
    storage.bulk_insert([clinic("Glow Lab", 10, "We make skin glow with microneedling.")] + [
        clinic(f"Clinic {n}", 50 + n, "Microneedling gives skin a healthy glow.") for n in range(20)
    ])
    storage.close()
    rows = await search(db_path, "glow")
    assert rows[0]["name"] == "Glow Lab" and rows[0]["relevance"] >= 1
    assert [row["score"] for row in rows[1:]] == list(range(69, 49, -1))
    assert "\ue000Glow\ue001" in rows[0]["snippet"]


@pytest.mark.parametrize("words", [
    "microneedling", "numbing", "acne scars", "studio", "numbing cream", "serum", "texture",
    "hyaluronic acid serum", "skin",
])
def test_both_ceilings_are_above_every_matchs_points(synthetic_db, words):
    """From the number of matches alone, and with how often each phrase can occur on a page."""
    db = sqlite_utils.Database(synthetic_db)
    pages = db["pages"].count
    fts = escape_fts(words)
    points = [row[0] for row in db.execute(
        "select -bm25(pages_fts) from pages_fts where pages_fts match ?", [fts])]
    most_often = query_step(synthetic_db, words, "select most from page_phrases")["most"]
    assert len(json.loads(most_often)) == len(words.split())
    assert max(points) < search_relevance.bm25_ceiling(fts, len(points), pages, most_often)
    assert (search_relevance.bm25_ceiling(fts, len(points), pages, most_often)
            <= search_relevance.bm25_ceiling(fts, len(points), pages))


def test_no_match_has_nothing_to_bound():
    """The query then ranks (and finds) nothing."""
    assert search_relevance.bm25_ceiling('"zzz"', None, 400) is None


def serum_sites(db_path: Path, *, said_on_one_short_page: int, common_term_rows: int = COMMON_TERM_ROWS) -> None:
    """37 clinics in 100 say "serum" once, a share that BM25 could still give a point to on
    paper; one of them, on a short page, says it ``said_on_one_short_page`` times."""
    filler = "Our microneedling sessions last an hour and include a consultation. " * 2
    storage = Storage(db_path, common_term_rows=common_term_rows)
    storage.bulk_insert([
        clinic("Glow Bar", 5, " ".join(["Serum facial."] * said_on_one_short_page)),
        *(clinic(f"Hydra Clinic {n}", 40 + n, filler + "Each session ends with a peptide serum.")
          for n in range(36)),
        *(clinic(f"Plain Clinic {n}", 20 + n, filler) for n in range(63)),
    ])
    storage.close()


async def test_a_word_every_page_says_once_cannot_reach_a_point_so_bm25_is_skipped(tmp_path):
    db_path = tmp_path / "clinics.db"
    serum_sites(db_path, said_on_one_short_page=1)
    step = query_step(db_path, "serum", "select pages_ranked, page_matches, pages from plan")
    assert step == {"pages_ranked": 0, "page_matches": 37, "pages": 100}
    # Only its term counts tell: the number of matches alone allows a point.
    assert search_relevance.bm25_ceiling('"serum"', 37, 100) >= 1
    rows = await search(db_path, "serum")
    assert {row["relevance"] for row in rows} == {0}
    assert [row["name"] for row in rows[:3]] == ["Hydra Clinic 35", "Hydra Clinic 34", "Hydra Clinic 33"]
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(db_path, "serum")


async def test_a_short_page_that_says_a_common_word_often_is_ranked_first(tmp_path):
    db_path = tmp_path / "clinics.db"
    serum_sites(db_path, said_on_one_short_page=6)
    assert query_step(db_path, "serum", "select pages_ranked from plan") == {"pages_ranked": 1}
    rows = await search(db_path, "serum")
    assert rows[0]["name"] == "Glow Bar" and rows[0]["relevance"] == 1
    assert {row["relevance"] for row in rows[1:]} == {0}
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(db_path, "serum")


def test_search_words_become_the_terms_the_index_holds(tmp_path):
    """The index's own tokenizer reads the search: porter stems, accents folded, hyphens split."""
    db_path = tmp_path / "clinics.db"
    storage = Storage(db_path)
    storage.bulk_insert([clinic("Éclat Skin", 80, "Éclat offers RF-microneedling with numbing creams.")])
    storage.close()
    db = sqlite_utils.Database(db_path)
    search_relevance.prepare_connection(db.conn, "clinics", make_datasette(db_path))
    index_sql = db["pages_fts"].schema
    terms = json.loads(search_relevance.fts_terms('"RF microneedling" "Numbing" "éclat" "…"', index_sql))
    assert terms == [["microneedl", "rf"], ["numb"], ["eclat"], []]
    held = {term for (term,) in db.execute("select term from pages_fts_vocab")}
    assert {"microneedl", "rf", "numb", "eclat", "cream"} <= held


async def test_a_server_started_before_the_first_crawl_searches_once_the_crawl_has_run(tmp_path):
    """Its connections were made before the indexes were: their term counts find them anyway."""
    db_path = tmp_path / "clinics.db"
    db_path.touch()
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    for _ in range(ds.setting("num_sql_threads")):  # every connection opens on the empty file
        await ds.client.get("/clinics.json")
    serum_sites(db_path, said_on_one_short_page=6)
    for _ in range(ds.setting("num_sql_threads")):
        response = await ds.client.get("/clinics/search.json", params={"q": "serum", "_shape": "objects"})
        assert response.status_code == 200, response.text
        assert response.json()["rows"][0]["name"] == "Glow Bar"


@pytest.mark.parametrize("statement", [
    "attach database 'elsewhere.db' as elsewhere",
    "vacuum into 'copy.db'",
    "create table notes (text)",
    "create virtual table notes using fts5(text); attach database 'elsewhere.db' as elsewhere",
])
def test_reading_a_search_runs_only_the_statement_of_a_full_text_index(tmp_path, monkeypatch, statement):
    """Where arbitrary SQL is allowed, anyone can call fts_terms: it makes no file."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="USING fts5"):
        search_relevance.fts_terms('"serum"', statement)
    assert list(tmp_path.iterdir()) == []


async def test_a_word_more_than_50_clinics_mention_lists_the_50_best_and_asks_to_narrow(tmp_path):
    db_path = tmp_path / "clinics.db"
    few_sites_with_many_good_pages(db_path, "Peptide Filler {n}")
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    html = (await ds.client.get("/clinics/search", params={"q": "peptide"})).text
    assert "The 50 best clinics that mention “peptide”" in html
    assert "add a city or another word to narrow the search" in html
    assert html.count('class="snippet"') == RESULTS_PER_SEARCH


def test_the_name_index_follows_a_renamed_clinic_and_is_not_rewritten_for_a_new_score(tmp_path):
    db_path = tmp_path / "clinics.db"
    storage = Storage(db_path)
    storage.bulk_insert([clinic("Glow Skin Studio", 80, "Microneedling with numbing cream.")])
    conn = storage.db.conn
    [[clinic_id]] = conn.execute("select id from clinics").fetchall()

    def rows_written_by(sql: str) -> int:
        """Rows the statement wrote, its triggers' included."""
        before = conn.total_changes
        conn.execute(sql, [clinic_id])
        conn.commit()
        return conn.total_changes - before

    def indexed(words: str) -> list[int]:
        return [rowid for (rowid,) in conn.execute(
            "select rowid from clinics_fts where clinics_fts match ?", [words])]

    # Rescoring sets the name and city again with the new score: only the clinic row is written.
    assert rows_written_by("UPDATE clinics SET score = 70, name = name, city = city WHERE id = ?") == 1
    assert indexed("glow") == [clinic_id]
    # A new name is indexed: the old entry goes, the new one comes.
    assert rows_written_by("UPDATE clinics SET name = 'Radiance Aesthetics' WHERE id = ?") > 1
    assert indexed("glow") == []
    assert indexed("radiance") == [clinic_id]
