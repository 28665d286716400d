"""How the search stored query orders clinics: relevance in whole BM25 points, then rank.

An index with more matches than ``ranked_matches_at_most`` (the plugin setting, 2,000) ranks
none of them: its matches are worth 0 points. The query reads the matches of an index one by
one, or, when they are many, walks the directory in rank order until 50 clinics match; these
tests hold every way to the order that ranking every match by hand gives.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import sqlite_utils
from datasette.app import Datasette
from datasette.utils import escape_fts

from clinicscout.storage import ClinicRecord, Storage
from clinicscout.web import DATA_DIR, make_datasette
from tests.conftest import synthetic_directory

# The search page lists the 50 best clinics, as the directory shows 50 a page.
RESULTS_PER_SEARCH = 50
# datasette.yaml's ranked_matches_at_most.
RANKED_MATCHES_AT_MOST = 2000

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


def directory_datasette(db_path: Path, *, ranked_at_most: int | None = None) -> Datasette:
    """The directory's Datasette, with ``ranked_matches_at_most`` set to ``ranked_at_most``."""
    ds = make_datasette(db_path)
    if ranked_at_most is not None:
        config = ds.config["databases"]["clinics"]["plugins"]["search-relevance"]
        config["ranked_matches_at_most"] = ranked_at_most
    return ds


async def search(db_path: Path, words: str, *, ranked_at_most: int | None = None) -> list[dict]:
    ds = directory_datasette(db_path, ranked_at_most=ranked_at_most)
    await ds.invoke_startup()
    response = await ds.client.get("/clinics/search.json", params={"q": words, "_shape": "objects"})
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def ranked_by_hand(db_path: Path, words: str, *, ranked_at_most: int = RANKED_MATCHES_AT_MOST,
                   limit: int = RESULTS_PER_SEARCH) -> list[tuple[int, int]]:
    """(clinic_id, relevance) as BM25 of every match orders them: each clinic's best page or
    name in whole points (0 for every match of an index with more than ``ranked_at_most``),
    then rank, then id."""
    db = sqlite_utils.Database(db_path)
    fts = escape_fts(words)
    points: dict[int, int] = {}
    for matches in (
        db.execute("select pages.clinic_id, -bm25(pages_fts) from pages_fts "
                   "join pages on pages.id = pages_fts.rowid where pages_fts match ?", [fts]).fetchall(),
        db.execute("select rowid, -bm25(clinics_fts) from clinics_fts where clinics_fts match ?", [fts]).fetchall(),
    ):
        ranked = len(matches) <= ranked_at_most
        for clinic_id, value in matches:
            points[clinic_id] = max(int(value) if ranked else 0, points.get(clinic_id, 0))
    rank = dict(db.execute("select clinic_id, rank from directory").fetchall())
    order = sorted((c for c in points if c in rank), key=lambda c: (-points[c], rank[c], c))
    return [(c, points[c]) for c in order[:limit]]


def search_sql_and_connection(db_path: Path, *, ranked_at_most: int = RANKED_MATCHES_AT_MOST,
                              ) -> tuple[str, sqlite_utils.Database]:
    """The search query's SQL, and the database with the functions Datasette gives it."""
    datasette = directory_datasette(db_path, ranked_at_most=ranked_at_most)
    db = sqlite_utils.Database(db_path)
    search_relevance.prepare_connection(db.conn, "clinics", datasette)
    return datasette.config["databases"]["clinics"]["queries"]["search"]["sql"], db


def search_plan(db_path: Path, words: str, *, ranked_at_most: int = RANKED_MATCHES_AT_MOST) -> dict:
    """How the search query reads each index for ``words``: whether its matches are ranked, and
    whether they are read one by one (else the directory is walked)."""
    sql, db = search_sql_and_connection(db_path, ranked_at_most=ranked_at_most)
    head = sql[:sql.index("-- The matches of each index read")].rstrip().rstrip(",")
    return next(db.query(f"{head}\nselect pages_ranked, pages_read, names_ranked, names_read from plan",
                         {"q": words}))


def search_reading_pages(db_path: Path, words: str, *, read: bool,
                         ranked_at_most: int = RANKED_MATCHES_AT_MOST) -> list[tuple[int, int]]:
    """(clinic_id, relevance) of the search query's rows, the matching pages read one by one
    (``read``) or found by walking the directory, whatever the plan would choose."""
    sql, db = search_sql_and_connection(db_path, ranked_at_most=ranked_at_most)
    chosen = "page_matches <= read_at_most as pages_read"
    assert chosen in sql
    sql = sql.replace(chosen, f"{int(read)} as pages_read")
    return [(row["clinic_id"], row["relevance"]) for row in db.query(sql, {"q": words})]


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory) -> Path:
    """400 synthetic clinics with their sites' pages (7,840): "numbing" on the sites of about
    half the clinics, "microneedling" on every site."""
    return synthetic_directory(tmp_path_factory, 400)


@pytest.mark.parametrize("words", [
    "microneedling",      # every site, 988 pages: ranked, 0 to 2 points
    "numbing",            # half the sites, once each
    "skin",               # more than half the pages (4,554): not ranked, walked; two in five names
    "numbing cream",      # two words, always together
    "acne scars",         # two words, a few pages say them twice
    "studio",             # a tenth of the names and home pages
    "microneedling numbing acne",  # 11 pages
])
async def test_search_orders_exactly_as_ranking_every_match_would(synthetic_db, words):
    rows = await search(synthetic_db, words)
    assert rows
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(synthetic_db, words)


@pytest.fixture(scope="module")
def directory_db(tmp_path_factory) -> Path:
    """3,000 synthetic clinics: enough pages for every way of reading an index."""
    return synthetic_directory(tmp_path_factory, 3000)


# (words, ranked_matches_at_most): with 3,000 clinics (58,317 pages), a search reads up to 823
# matches of an index one by one (the square root of 250 × 2,710 listed clinics), and walks the
# directory for more, unless they are few enough to rank.
READING_AND_WALKING = [
    ("acne scars", 2000),    # 1,236 pages: ranked
    ("texture", 2000),       # 581
    ("dermatology", 2000),   # a fifth of the names and their home pages
    ("glow", 2000),          # a rare name word
    ("numbing", 2000),       # 1,373 pages, half the sites
    ("acne", 2000),          # 2,594 pages: not ranked, walked
    ("microneedling", 2000), # 7,397 pages, every site
    ("texture", 100),        # not ranked, read one by one
    ("studio", 100),         # not ranked in either index, both read
    ("spa", 100),            # names read, pages (906) walked
    ("numbing", 100),        # not ranked, walked
    ("acne", 100),
    ("skin", 1500),          # names ranked, pages walked
]


@pytest.mark.parametrize(("words", "ranked_at_most"), READING_AND_WALKING)
async def test_every_way_of_reading_an_index_orders_exactly_as_ranking_every_match_would(
        directory_db, words, ranked_at_most):
    rows = await search(directory_db, words, ranked_at_most=ranked_at_most)
    assert rows
    expected = ranked_by_hand(directory_db, words, ranked_at_most=ranked_at_most)
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == expected


def test_a_search_reads_every_match_it_ranks_and_more_while_reading_costs_less_than_walking():
    read_at_most = search_relevance.read_matches_at_most
    assert read_at_most(100_000) == 5000  # the square root of 250 × 100,000 clinics
    assert read_at_most(1_000_000) == 15_811
    assert read_at_most(1_000) == read_at_most(0) == RANKED_MATCHES_AT_MOST
    assert read_at_most(100_000, ranked_at_most=8000) == 8000


def test_those_ways_include_ranked_and_unranked_indexes_read_and_walked(directory_db):
    plans = {(words, limit): search_plan(directory_db, words, ranked_at_most=limit)
             for words, limit in READING_AND_WALKING}
    ways = {(plan["pages_ranked"], plan["pages_read"]) for plan in plans.values()}
    assert ways == {(1, 1), (0, 1), (0, 0)}
    assert plans["skin", 1500] == {"pages_ranked": 0, "pages_read": 0, "names_ranked": 1, "names_read": 1}
    assert plans["studio", 100]["names_ranked"] == 0 and plans["studio", 100]["names_read"] == 1


@pytest.mark.parametrize(("words", "ranked_at_most"), [
    ("microneedling", 2000), ("numbing", 100), ("acne", 100), ("texture", 100), ("studio", 100), ("spa", 100),
])
def test_reading_the_matches_and_walking_the_directory_find_the_same_clinics(directory_db, words, ranked_at_most):
    by_hand = ranked_by_hand(directory_db, words, ranked_at_most=ranked_at_most)
    for read in (True, False):
        assert search_reading_pages(directory_db, words, read=read, ranked_at_most=ranked_at_most) == by_hand


async def test_walked_clinics_show_their_first_matching_page(directory_db):
    assert search_plan(directory_db, "numbing", ranked_at_most=100)["pages_read"] == 0
    rows = await search(directory_db, "numbing", ranked_at_most=100)
    db = sqlite_utils.Database(directory_db)
    first_pages = {row["clinic_id"]: db.execute(
        "select url from pages join pages_fts on pages_fts.rowid = pages.id "
        "where clinic_id = ? and pages_fts match 'numbing' order by pages.id limit 1", [row["clinic_id"]]
    ).fetchone()[0] for row in rows}
    assert [row["page_url"] for row in rows] == [first_pages[row["clinic_id"]] for row in rows]
    assert all("\ue000numbing\ue001" in row["snippet"].lower() for row in rows)


def test_the_pages_index_knows_each_pages_clinic_so_a_walk_looks_a_clinic_up_once(directory_db):
    """Walking, the query asks the index for one clinic's pages with the words, in one lookup
    of the clinic's tag. Reading the clinic's pages and looking each up took 8 times longer at
    18 pages a clinic; the other way round, SQLite's own choice, read every match of the words
    again for each clinic walked, and "microneedling" ran into the 1 s time limit."""
    db = sqlite_utils.Database(directory_db)
    clinic_id = db.execute("select clinic_id from pages group by clinic_id having count(*) > 10 limit 1").fetchone()[0]
    tagged = db.execute("select rowid from pages_fts where pages_fts match ? order by rowid",
                        [f"clinic_tag : clinic{clinic_id}"]).fetchall()
    pages = db.execute("select id from pages where clinic_id = ? order by id", [clinic_id]).fetchall()
    assert tagged == pages

    sql, db = search_sql_and_connection(directory_db)
    plan = db.execute("explain query plan " + sql, {"q": "microneedling"}).fetchall()
    children: dict[int, list[tuple[int, str]]] = {}
    for node, parent, _, detail in plan:
        children.setdefault(parent, []).append((node, detail))

    def under(node: int) -> list[str]:
        return [detail for child, detail in children.get(node, []) for detail in [detail, *under(child)]]

    walk = next(node for node, _, _, detail in plan if detail == "CO-ROUTINE walked")
    steps = under(walk)
    assert any(step.startswith("SCAN pages_fts") for step in steps)
    assert not any(" p " in f" {step} " or " pages " in f" {step} " for step in steps), steps


async def test_a_clinics_tag_is_not_a_word_a_visitor_can_search_for(directory_db):
    clinic_id = sqlite_utils.Database(directory_db).execute("select min(clinic_id) from pages").fetchone()[0]
    assert await search(directory_db, f"clinic{clinic_id}") == []
    assert await search(directory_db, f"clinic_tag : clinic{clinic_id}") == []


def few_sites_with_many_good_pages(db_path: Path, filler_name: str) -> None:
    """12 sites of 40 short pages that say "peptide" twice, 30 clinics whose one long page says
    it once, and 600 others named ``filler_name`` and a number (their pages say neither)."""
    storage = Storage(db_path)
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
    # Each snippet comes from the clinic's first page worth its relevance.
    assert rows[0]["page_url"] == "https://serum-site-11.example/"
    assert "<b>" not in rows[0]["snippet"] and "\ue000Peptide\ue001 serum" in rows[0]["snippet"]


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


async def test_past_ranked_matches_at_most_the_best_scored_clinics_come_first_not_the_shortest_pages(tmp_path):
    """BM25 favours short pages, often those of clinics with little to say: here 1,510 clinics
    with a brief page, scored 0–29, would come before 1,500 thorough ones scored 60–99. With
    more than 2,000 matching pages, each is worth 0 points, and the best-scored come first."""
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
    rows = await search(db_path, "peptide")
    assert {row["name"].split()[0] for row in rows} == {"Thorough"}
    assert {row["score"] for row in rows} == {99, 98} and {row["relevance"] for row in rows} == {0}
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(db_path, "peptide")
    # Ranked, as it would be with fewer matches, BM25 puts the briefest pages first.
    ranked = await search(db_path, "peptide", ranked_at_most=5000)
    assert {row["name"].split()[0] for row in ranked} == {"Brief"}
    assert {row["relevance"] for row in ranked} == {1}
    assert [(row["clinic_id"], row["relevance"]) for row in ranked] == ranked_by_hand(
        db_path, "peptide", ranked_at_most=5000)


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


def serum_sites(db_path: Path, *, said_on_one_short_page: int) -> None:
    """37 clinics in 100 say "serum" once, too common a word for BM25 to give that a point; one
    of them, on a short page, says it ``said_on_one_short_page`` times."""
    filler = "Our microneedling sessions last an hour and include a consultation. " * 2
    storage = Storage(db_path)
    storage.bulk_insert([
        clinic("Glow Bar", 5, " ".join(["Serum facial."] * said_on_one_short_page)),
        *(clinic(f"Hydra Clinic {n}", 40 + n, filler + "Each session ends with a peptide serum.")
          for n in range(36)),
        *(clinic(f"Plain Clinic {n}", 20 + n, filler) for n in range(63)),
    ])
    storage.close()


async def test_a_word_a_third_of_the_pages_say_once_is_worth_0_points_so_rank_decides(tmp_path):
    db_path = tmp_path / "clinics.db"
    serum_sites(db_path, said_on_one_short_page=1)
    rows = await search(db_path, "serum")
    assert {row["relevance"] for row in rows} == {0}
    assert [row["name"] for row in rows[:3]] == ["Hydra Clinic 35", "Hydra Clinic 34", "Hydra Clinic 33"]
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(db_path, "serum")


async def test_a_short_page_that_says_a_common_word_often_is_ranked_first(tmp_path):
    db_path = tmp_path / "clinics.db"
    serum_sites(db_path, said_on_one_short_page=6)
    rows = await search(db_path, "serum")
    assert rows[0]["name"] == "Glow Bar" and rows[0]["relevance"] == 1
    assert {row["relevance"] for row in rows[1:]} == {0}
    assert [(row["clinic_id"], row["relevance"]) for row in rows] == ranked_by_hand(db_path, "serum")


async def test_a_server_started_before_the_first_crawl_searches_once_the_crawl_has_run(tmp_path):
    """Its connections were made before the tables and indexes the search reads were."""
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
