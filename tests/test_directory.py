"""The directory's pages and stored queries, through Datasette's own test client, over a real crawl.

Every page is checked for what a patient reads on it, not just for its status code.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import urllib.request
from html import escape as html_escape
from pathlib import Path

import pytest
import sqlite_utils
from datasette import hookimpl
from datasette.plugins import pm

from bench.directory import synthetic_clinics
from clinicscout.storage import Storage
from clinicscout.web import count_without_columns, make_datasette
from scoring import CRITERIA, POSITIVE_CRITERIA
from tests.conftest import clinicscout_serving, copy_database, query, synthetic_directory


@pytest.fixture
def db_path(crawled_db, tmp_path) -> Path:
    return copy_database(crawled_db, tmp_path / "clinics.db")


@pytest.fixture
async def datasette(db_path):
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    return ds


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory) -> Path:
    """1,000 synthetic clinics (the benchmark's), for what the sample sites are too few for."""
    return synthetic_directory(tmp_path_factory, 1000)


@pytest.fixture
async def synthetic_datasette(synthetic_db):
    ds = make_datasette(synthetic_db)
    await ds.invoke_startup()
    return ds


def clinic_of(db_path, site_of, slug):
    return next(c for c in query(db_path, "select * from clinics") if site_of(c["website"]) == slug)


async def get_json(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


# -- home ------------------------------------------------------------------------------------------

async def test_home_says_what_this_is_and_offers_search_near_and_top_clinics(datasette, db_path):
    html = (await datasette.client.get("/")).text
    assert "A directory of microneedling clinics" in html
    assert re.search(r'<label for="home-q">Search clinics</label>\s*<input type="search" id="home-q" name="q"', html)
    assert '<label for="home-zip">Near ZIP code</label>' in html
    assert '<label for="home-km">Within (km)</label>' in html
    assert 'action="/clinics/search"' in html and 'action="/clinics/near"' in html
    assert 'href="/clinics/how-scoring-works"' in html
    top = query(db_path, "select id, name from clinics where offers_microneedling = 1 order by rank limit 10")
    positions = [html.index(f'href="/clinics/clinics/{c["id"]}">{html_escape(c["name"])}</a>') for c in top]
    assert positions == sorted(positions), "top clinics are listed best first"


# -- the ranked list ---------------------------------------------------------------------------------

async def test_ranked_list_shows_rank_score_criteria_met_and_red_flags(datasette, db_path, site_of):
    html = (await datasette.client.get("/clinics/directory")).text
    clinics = query(db_path, "select * from clinics where score is not null order by rank, id")
    positions = [html.index(f'href="/clinics/clinics/{c["id"]}"') for c in clinics]
    assert positions == sorted(positions)
    best = clinics[0]
    assert f'<span class="score-bar">{best["score"]}</span>/100' in html
    assert f'{best["criteria_met"]}/{POSITIVE_CRITERIA}' in html
    flagged = clinic_of(db_path, site_of, "miracle-skin-bar")
    assert flagged["red_flags"] == 1
    row = html[html.index(f'href="/clinics/clinics/{flagged["id"]}"'):]
    assert row[:400].count("red flag") >= 1
    assert html.count("⚠ red flag") == sum(1 for c in clinics if c["red_flags"])


async def test_ranked_list_has_facets_by_place_and_a_filter_for_every_criterion(datasette, db_path):
    data = await get_json(datasette, "/clinics/directory.json?_extra=facet_results")
    facets = data["facet_results"]["results"]
    assert set(facets) == {"region"}, "by state on every page, by city on demand"
    texas = next(v for v in facets["region"]["results"] if v["value"] == "TX")
    assert texas["count"] == len(query(db_path, "select id from clinics where region = 'TX' and score is not null"))
    html = (await datasette.client.get("/clinics/directory?region=TX&_facet=anesthesia")).text
    by_city = re.search(r'<a href="([^"]+)">Count the clinics of TX by city</a>', html).group(1)
    assert by_city == "/clinics/directory?region=TX&amp;_facet=anesthesia&amp;_facet=city"
    cities = await get_json(datasette, by_city.replace("&amp;", "&").replace("directory?", "directory.json?")
                            + "&_extra=facet_results")
    austin = next(v for v in cities["facet_results"]["results"]["city"]["results"] if v["value"] == "Austin")
    assert austin["count"] == len(query(
        db_path, "select id from clinics where region = 'TX' and city = 'Austin' and score is not null"))
    assert "by city</a>" not in (await datasette.client.get(by_city.replace("&amp;", "&"))).text
    html = (await datasette.client.get("/clinics/directory")).text
    assert "Count by city</a>" in html
    for criterion in CRITERIA:
        if criterion.weight > 0:
            assert f"?{criterion.id}=1" in html, criterion.id


async def test_filtering_by_a_criterion_keeps_only_clinics_that_meet_it(datasette, db_path):
    data = await get_json(datasette, "/clinics/directory.json?anesthesia=1&_shape=objects")
    listed = {row["clinic_id"] for row in data["rows"]}
    numbing = {v["clinic_id"] for v in query(
        db_path, "select clinic_id from verdicts where criterion = 'anesthesia' and met = 1")}
    assert listed == numbing and listed
    facet = await get_json(datasette, "/clinics/directory.json?_facet=sterile_equipment&_extra=facet_results")
    counts = {v["value"]: v["count"] for v in facet["facet_results"]["results"]["sterile_equipment"]["results"]}
    met = len(query(db_path, "select 1 from verdicts where criterion = 'sterile_equipment' and met = 1"))
    assert counts.get(1, 0) == met


async def test_the_list_exports_as_csv_and_json(datasette, db_path):
    csv = (await datasette.client.get("/clinics/directory.csv")).text
    header = csv.splitlines()[0].split(",")
    assert header[:3] == ["rank", "score", "name"]
    assert {c.id for c in CRITERIA} <= set(header)
    rows = (await get_json(datasette, "/clinics/directory.json?_shape=array&_size=max"))
    assert len(rows) == len(query(db_path, "select id from clinics where score is not null"))


# -- search ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "message"), [
    ("/clinics/directory?_facet=nosuch", "This list has no column “nosuch” to count by."),
    ("/clinics/clinics?_facet=region&_facet_array=nosuch", "This list has no column “nosuch” to count by."),
    ("/clinics/directory?_next=zzz", "“zzz” is not a page of this list: start again from its first page."),
])
async def test_a_list_asked_for_a_missing_column_or_page_says_what_was_wrong(datasette, path, message):
    """Datasette itself answers these 500, with SQLite's words or Python's."""
    response = await datasette.client.get(path)
    assert response.status_code == 400
    assert html_escape(message) in response.text
    assert "no such column" not in response.text and "invalid literal" not in response.text
    table, _, query_string = path.partition("?")
    as_json = await datasette.client.get(f"{table}.json?{query_string}")
    assert as_json.status_code == 400
    assert as_json.json()["ok"] is False and as_json.json()["error"] == message


async def test_a_list_whose_options_are_right_still_pages_and_counts(datasette):
    first = await get_json(datasette, "/clinics/directory.json?_size=2&_facet=anesthesia")
    assert first["next"] and first["facet_results"]["results"]["anesthesia"]["results"]
    following = await get_json(datasette, f"/clinics/directory.json?_size=2&_next={first['next']}")
    assert following["rows"] and following["rows"] != first["rows"]


@pytest.mark.parametrize("path", ["/-/metadata", "/nosuch/directory?_facet=nosuch", "/clinics/nosuch?_facet=x"])
async def test_an_address_of_no_list_is_not_found_whatever_it_asks(datasette, path):
    response = await datasette.client.get(path)
    assert response.status_code == 404, response.text


async def test_search_finds_clinics_by_stemmed_words_in_their_pages(datasette, db_path):
    data = await get_json(datasette, "/clinics/search.json?q=numbing&_shape=objects")
    found = {row["clinic_id"] for row in data["rows"]}
    numb_words = re.compile(r"\bnumb(?:s|ed|ing)?\b", re.IGNORECASE)
    mentioning = {p["clinic_id"] for p in query(db_path, "select clinic_id, text from pages")
                  if numb_words.search(p["text"] or "")}
    assert found == mentioning
    stemmed = await get_json(datasette, "/clinics/search.json?q=numb&_shape=objects")
    assert {row["clinic_id"] for row in stemmed["rows"]} == found


async def test_search_ranks_by_relevance_then_rank(datasette):
    """Rank is the directory's order: by score, clinics that do not offer microneedling last."""
    rows = (await get_json(datasette, "/clinics/search.json?q=numbing+cream&_shape=objects"))["rows"]
    assert len(rows) > 2
    order = [(-row["relevance"], row["rank"]) for row in rows]
    assert order == sorted(order)
    html = (await datasette.client.get("/clinics/search?q=numbing+cream")).text
    assert "Best matches first, then the higher score; for words most clinic sites use, the score alone." in html


async def test_search_finds_a_clinic_by_its_name(datasette, db_path, site_of):
    clinic = clinic_of(db_path, site_of, "harbor-medspa")
    rows = (await get_json(datasette, "/clinics/search.json?q=Harbor&_shape=objects"))["rows"]
    assert clinic["id"] in {row["clinic_id"] for row in rows}


async def test_search_snippets_highlight_matches_and_keep_crawled_markup_inert(datasette, db_path, site_of):
    html = (await datasette.client.get("/clinics/search?q=numbing")).text
    assert "<mark>numbing</mark>" in html or "<mark>Numbing</mark>" in html
    xss = clinic_of(db_path, site_of, "xss-test-clinic")
    assert f'href="/clinics/clinics/{xss["id"]}"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "\ue000" not in html and "\ue001" not in html


async def test_search_with_no_words_stray_quotes_or_a_nul_is_not_an_error(datasette):
    empty = await datasette.client.get("/clinics/search?q=")
    assert empty.status_code == 200 and "message-error" not in empty.text
    assert "Words to look for" in empty.text
    odd = await get_json(datasette, '/clinics/search.json?q=%22numbing&_shape=objects')
    assert odd["rows"]
    # FTS5 would read a NUL as the end of the query, inside its quotes: "unterminated string".
    nul = await datasette.client.get("/clinics/search?q=numbing%00cream")
    assert nul.status_code == 200 and "message-error" not in nul.text
    assert [row["clinic_id"] for row in (await get_json(
        datasette, "/clinics/search.json?q=numbing%00cream&_shape=objects"))["rows"]] == [
        row["clinic_id"] for row in (await get_json(
            datasette, "/clinics/search.json?q=numbing+cream&_shape=objects"))["rows"]]


async def test_search_index_follows_page_changes(db_path, site_of):
    """Triggers keep the index in sync: a recrawl that rewrites a page changes what is found."""
    storage = Storage(db_path)
    clinic = clinic_of(db_path, site_of, "glow-day-spa")
    with storage.db.conn:
        storage.db.execute(
            "update pages set text = text || ' Zygomorphic facials.' where clinic_id = ?", [clinic["id"]])
    storage.close()
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    rows = (await get_json(ds, "/clinics/search.json?q=zygomorphic&_shape=objects"))["rows"]
    assert [row["clinic_id"] for row in rows] == [clinic["id"]]


def full_text_segments(db_path: Path, index: str) -> int:
    """How many segments a full-text index has, from FTS5's structure record (fts5_index.c:
    a 4-byte cookie, an optional version marker, then varints: levels, segments)."""
    block = query(db_path, f"select block from {index}_data where id = 10")[0]["block"]
    at = 8 if block[4:8] == b"\xff\x00\x00\x01" else 4
    numbers = []
    while len(numbers) < 2:
        value = 0
        while block[at] & 0x80:
            value, at = (value << 7) | (block[at] & 0x7F), at + 1
        numbers.append((value << 7) | block[at])
        at += 1
    return numbers[1]


async def test_ranking_after_a_crawl_merges_each_full_text_index_into_one_segment(db_path, site_of):
    """Each write adds a segment that every lookup of a page searches too: a later crawl's
    pages, written site by site, are merged in when the clinics are ranked, and still found."""
    clinic = clinic_of(db_path, site_of, "glow-day-spa")
    for number in range(6):
        with sqlite3.connect(db_path) as conn:
            conn.execute("insert into pages (clinic_id, url, title, text) values (?, ?, ?, ?)",
                         [clinic["id"], f"{clinic['website']}offer-{number}", "Winter offer",
                          f"Zygomorphic facial number {number}, with a numbing cream."])
    assert full_text_segments(db_path, "pages_fts") > 1
    storage = Storage(db_path)
    storage.update_ranks()
    storage.close()
    assert full_text_segments(db_path, "pages_fts") == full_text_segments(db_path, "clinics_fts") == 1
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    rows = (await get_json(ds, "/clinics/search.json?q=zygomorphic&_shape=objects"))["rows"]
    assert [row["clinic_id"] for row in rows] == [clinic["id"]]


async def test_the_directory_reads_the_database_through_memory_mapped_io(datasette):
    """A search reads thousands of scattered rows: mapped, they come from the system's cache."""
    mapped = (await datasette.get_database("clinics").execute("pragma mmap_size")).first()[0]
    assert mapped == 2**30


def test_a_started_server_keeps_its_startup_objects_out_of_the_garbage_collectors_way(db_path):
    """What `clinicscout serve` does once Datasette has started (in a process of its own here:
    freezing is for the whole process). A full collection then walks only what came after."""
    started = """
import asyncio, gc, json, sys
from clinicscout.web import keep_startup_objects_out_of_gc, make_datasette
datasette = make_datasette(sys.argv[1])
asyncio.run(datasette.invoke_startup())
before = len(gc.get_objects())
keep_startup_objects_out_of_gc()
print(json.dumps({"before": before, "frozen": gc.get_freeze_count(), "walked": len(gc.get_objects())}))
"""
    counts = json.loads(subprocess.run([sys.executable, "-c", started, str(db_path)], capture_output=True,
                                       text=True, check=True).stdout)
    assert counts["frozen"] > 0.9 * counts["before"] > 10_000
    assert counts["walked"] < 1_000


async def test_table_counts_are_counted_again_after_a_write(datasette, db_path):
    """Stored-query pages list every table with its count; the counts are kept between
    requests only while the database file is unchanged."""
    async def crawl_count():
        tables = (await get_json(datasette, "/clinics.json"))["tables"]
        return next(t["count"] for t in tables if t["name"] == "crawls")

    before = await crawl_count()
    assert before == len(query(db_path, "select id from crawls"))
    assert await crawl_count() == before
    with sqlite3.connect(db_path) as conn:
        conn.execute("insert into crawls (started, status) values ('2025-01-01', 'finished')")
    assert await crawl_count() == before + 1


async def test_table_shapes_are_read_again_after_a_write(datasette, db_path):
    """The same list carries each table's columns, primary keys, full-text index, foreign keys
    and whether it is hidden, and a table's page its column details, kept between requests only
    while the database file is unchanged: a column a newer clinicscout adds shows at once."""
    async def tables():
        return {t["name"]: t for t in (await get_json(datasette, "/clinics.json"))["tables"]}

    before = await tables()
    assert before["clinics"]["primary_keys"] == ["id"] and before["pages"]["fts_table"] == "pages_fts"
    assert before["pages_fts"]["hidden"] and not before["clinics"]["hidden"]
    assert [fk["other_table"] for fk in before["pages"]["foreign_keys"]["outgoing"]] == ["clinics"]
    assert (await tables())["crawls"]["columns"] == before["crawls"]["columns"]
    table_page = await get_json(datasette, "/clinics/crawls.json?_extra=columns")
    assert (await get_json(datasette, "/clinics/crawls.json?_extra=columns"))["columns"] == table_page["columns"]
    with sqlite3.connect(db_path) as conn:
        conn.execute("alter table crawls add column operator text")
    assert (await tables())["crawls"]["columns"] == [*before["crawls"]["columns"], "operator"]
    assert (await get_json(datasette, "/clinics/crawls.json?_extra=columns"))["columns"] == [*table_page["columns"], "operator"]


class StatementsRun:
    """Every statement SQLite runs on the connections Datasette opens from now on."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @hookimpl
    def prepare_connection(self, conn):
        conn.set_trace_callback(self.statements.append)


async def test_a_list_is_counted_without_copying_the_columns_of_its_rows(db_path):
    statements = StatementsRun()
    pm.register(statements, name="statements-run")
    try:
        ds = make_datasette(db_path)
        await ds.invoke_startup()
        page = await get_json(ds, "/clinics/directory.json?anesthesia=1&_extra=count")
    finally:
        pm.unregister(name="statements-run")
    assert page["count"] == len(query(db_path, "select clinic_id from directory where anesthesia = 1")) > 0
    counts = [sql for sql in statements.statements if sql.startswith("select count(*) from (select")]
    # (SQLite's trace shows each parameter in its place)
    assert counts == ["select count(*) from (select 1 from directory where \"anesthesia\" = '1'  limit 10001)"]


@pytest.mark.parametrize("sql, counted", [
    ("select count(*) from (select * from directory where \"anesthesia\" = :p0  limit 10001)",
     "select count(*) from (select 1 from directory where \"anesthesia\" = :p0  limit 10001)"),
    ("select count(*) from (select * from [clinics] limit 101)",
     "select count(*) from (select 1 from [clinics] limit 101)"),
    # a filter with a subquery of its own (Datasette's ?_search=) keeps it
    ("select count(*) from (select * from pages where rowid in (select rowid from pages_fts where "
     "pages_fts match :search) limit 10001)",
     "select count(*) from (select 1 from pages where rowid in (select rowid from pages_fts where "
     "pages_fts match :search) limit 10001)"),
])
def test_datasettes_counts_of_a_list_count_rows_without_columns(sql, counted):
    assert count_without_columns(sql) == counted


@pytest.mark.parametrize("sql", [
    "select count(*) from clinics",
    "select count(*) from (select * from clinics where score > 50)",  # no limit: not Datasette's
    # in a compound select the columns decide which rows are distinct
    "select count(*) from (select * from clinics where 1 union select * from clinics limit 10001)",
    "select * from directory order by rank limit 51",
])
def test_other_statements_are_run_as_written(sql):
    assert count_without_columns(sql) == sql


# -- near a ZIP ----------------------------------------------------------------------------------

async def test_near_a_zip_lists_clinics_by_distance_with_score(datasette, db_path, site_of):
    austin = clinic_of(db_path, site_of, "lumen-dermatology")
    rows = (await get_json(datasette, "/clinics/near.json?zip=78705&km=150&_shape=objects"))["rows"]
    assert rows[0]["clinic_id"] == austin["id"]
    assert rows[0]["distance_km"] < 1
    distances = [row["distance_km"] for row in rows]
    assert distances == sorted(distances) and distances[-1] <= 150
    san_antonio = clinic_of(db_path, site_of, "vieja-charset-clinic")
    assert san_antonio["id"] in {row["clinic_id"] for row in rows}, "San Antonio is ~120 km away"
    html = (await datasette.client.get("/clinics/near?zip=78705&km=150")).text
    assert "within 150 km of" in html and "78705 (Austin, TX)" in html
    assert f'{rows[0]["distance_km"]} km' in html
    assert '<label for="near-zip">ZIP code</label>' in html


async def test_near_a_latitude_and_longitude(datasette, db_path, site_of):
    harbor = clinic_of(db_path, site_of, "harbor-medspa")
    rows = (await get_json(
        datasette, f"/clinics/near.json?lat={harbor['latitude']}&lon={harbor['longitude']}&km=5&_shape=objects"
    ))["rows"]
    assert [row["clinic_id"] for row in rows] == [harbor["id"]]
    assert rows[0]["distance_km"] == 0


async def test_near_says_the_distance_it_searched_within(datasette):
    """At most 500 km; 25 km when the distance is missing or not a positive number."""
    for km, searched in (("-5", "25"), ("nan", "25"), ("", "25"), ("2.5", "2.5"), ("100000", "500")):
        html = (await datasette.client.get("/clinics/near", params={"zip": "78705", "km": km})).text
        assert f"within {searched} km of 78705 (Austin, TX)" in html, km
    rows = (await get_json(datasette, "/clinics/near.json?zip=78705&km=100000&_shape=objects"))["rows"]
    assert rows and max(row["distance_km"] for row in rows) <= 500, "Atlanta is 1,300 km away"


async def test_near_lists_at_most_the_200_nearest_and_says_so(synthetic_datasette):
    # Pine Village, Indiana: some 250 of the synthetic clinics are within 500 km.
    rows = (await get_json(synthetic_datasette, "/clinics/near.json?zip=47975&km=500&_shape=objects"))["rows"]
    assert len(rows) == 200
    html = (await synthetic_datasette.client.get("/clinics/near?zip=47975&km=500")).text
    assert "The 200 nearest clinics within 500 km of 47975" in html


async def test_a_latitude_and_longitude_that_are_not_degrees_say_so_and_find_nothing(datasette):
    for lat, lon in (("abc", "1"), ("91", "-97.74"), ("30.29", ""), ("30.29abc", "-97.74")):
        html = (await datasette.client.get("/clinics/near", params={"zip": "", "lat": lat, "lon": lon})).text
        assert "is not a latitude and longitude" in html, (lat, lon)
        assert "within 25 km of" not in html
    # SQLite would read "30.29abc" as 30.29: Austin's clinics, from a position nobody gave.
    rows = (await get_json(datasette, "/clinics/near.json?zip=&lat=30.29abc&lon=-97.74&_shape=objects"))["rows"]
    assert rows == []


async def test_an_unknown_zip_says_so(datasette):
    html = (await datasette.client.get("/clinics/near?zip=00000&km=25")).text
    assert "00000 is not a US ZIP code we know" in html


async def test_haversine_km_is_the_great_circle_distance(datasette):
    # Austin (30.2672, -97.7431) to Dallas (32.7767, -96.7970): about 292 km.
    data = await get_json(datasette, "/clinics/-/query.json?sql=select+haversine_km(30.2672,-97.7431,32.7767,-96.7970)+as+d,"
                                     "haversine_km(null,1,2,3)+as+missing&_shape=objects")
    assert data["rows"][0]["d"] == pytest.approx(292, abs=2)
    assert data["rows"][0]["missing"] is None


# -- map --------------------------------------------------------------------------------------------

async def test_map_has_every_located_clinic_with_a_link_to_its_page(datasette, db_path):
    import json

    rows = (await get_json(datasette, "/clinics/clinic_map.json?_shape=objects&_size=max"))["rows"]
    located = query(db_path, "select id from clinics where score is not null and latitude is not null")
    assert {row["clinic_id"] for row in rows} == {c["id"] for c in located}
    for row in rows:
        assert json.loads(row["popup"])["link"] == f"/clinics/clinics/{row['clinic_id']}"
    # What datasette-cluster-map asks for when it loads the markers
    marker_request = "/clinics/clinic_map.json?_size=max&_labels=on&_extra=count&_extra=next_url&_shape=objects"
    assert len((await get_json(datasette, marker_request))["rows"]) == len(rows)
    html = (await datasette.client.get("/clinics/clinic_map")).text
    assert "datasette-cluster-map.js" in html
    for list_page in ("/clinics/directory", "/clinics/clinics"):
        # a map there would load every clinic each time someone opens the list
        assert "datasette-cluster-map.js" not in (await datasette.client.get(list_page)).text
    assert 'data-column="latitude"' in html and 'data-column="longitude"' in html


# -- how scoring works and top clinics ---------------------------------------------------------------

async def test_how_scoring_works_lists_every_criterion_with_its_weight(datasette):
    html = (await datasette.client.get("/clinics/how-scoring-works")).text
    assert "Where the criteria come from" in html
    for criterion in CRITERIA:
        row = html[html.index(f'<tr id="{criterion.id}">'):]
        row = row[:row.index("</tr>")]
        assert html_escape(criterion.name) in row
        if criterion.weight > 0:
            assert f"+{criterion.weight}" in row
        elif criterion.weight < 0:
            assert f"−{-criterion.weight}" in row


async def test_top_clinics_are_those_that_offer_microneedling_best_first(datasette, db_path):
    rows = (await get_json(datasette, "/clinics/top_clinics.json?_shape=objects"))["rows"]
    expected = query(db_path, "select id from clinics where offers_microneedling = 1 order by rank limit 10")
    assert [row["clinic_id"] for row in rows] == [c["id"] for c in expected]


# -- the clinic page ----------------------------------------------------------------------------------

async def test_clinic_page_groups_the_checklist_like_the_criteria_contract(datasette, db_path):
    clinic = query(db_path, "select * from clinics order by rank limit 1")[0]
    html = (await datasette.client.get(f"/clinics/clinics/{clinic['id']}")).text
    headings = re.findall(r"<h3>([^<]+)</h3>", html)
    assert headings == ["Relevance", "Practitioner", "Safety", "Comfort", "Care", "Published info", "Red flag"]
    assert f"{clinic['criteria_met']}/{POSITIVE_CRITERIA} criteria met" in html
    for verdict in query(db_path, "select * from verdicts where clinic_id = ? and met = 1", [clinic["id"]]):
        item = html[html.index(f'data-criterion="{verdict["criterion"]}"'):]
        item = item[:item.index("</li>")]
        assert html_escape(verdict["quote"], quote=False) in item
        assert f'href="{verdict["page_url"]}"' in item


async def test_clinic_page_names_the_practitioners_escaped(db_path):
    clinic_id = query(db_path, "select clinic_id from practitioners limit 1")[0]["clinic_id"]
    db = sqlite_utils.Database(db_path)
    db["practitioners"].insert({"clinic_id": clinic_id, "name": "Dr. <b>Ada</b> Lee",
                                "credentials": "MD", "page_url": "javascript:alert(5)",
                                "quote": "Dr. <b>Ada</b> Lee leads us."})
    db.conn.commit()
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    html = (await ds.client.get(f"/clinics/clinics/{clinic_id}")).text
    assert "<h2>Practitioners named on the site</h2>" in html
    for person in query(db_path, "select name from practitioners where clinic_id = ?", [clinic_id]):
        assert html_escape(person["name"]) in html
    assert "<b>Ada</b>" not in html and 'href="javascript:' not in html


async def test_clinic_page_shows_the_score_history_of_its_crawls(datasette, db_path):
    clinic = query(db_path, "select * from clinics order by rank limit 1")[0]
    history = query(db_path, "select * from score_history where clinic_id = ?", [clinic["id"]])
    assert history, "the crawl recorded a score for the clinic"
    html = (await datasette.client.get(f"/clinics/clinics/{clinic['id']}")).text
    section = html[html.index("<h2>Score history</h2>"):]
    for row in history:
        line = section[section.index(f'data-crawl="{row["crawl_id"]}"'):]
        assert f"<td>{row['score']}/100</td>" in line[:400]

    db = sqlite_utils.Database(db_path)
    db.execute("delete from score_history where clinic_id = ?", [clinic["id"]])
    db.conn.commit()
    html = (await datasette.client.get(f"/clinics/clinics/{clinic['id']}")).text
    assert "Score history" not in html, "no crawl, no history section"


# -- a page that takes too long ----------------------------------------------------------------------
# Datasette's own ?_timelimit=1 stops these queries: over 1,000 synthetic clinics each reads
# thousands of rows, far more than a millisecond's work. (The search for "acne" ranks all 914
# pages that say it, some 4 ms.)

async def test_a_search_stopped_at_the_time_limit_says_so_without_its_sql(synthetic_datasette):
    response = await synthetic_datasette.client.get("/clinics/search?q=acne&_timelimit=1")
    assert response.status_code == 503
    html = response.text
    assert "<h1>Search clinics</h1>" in html
    assert "This page took longer than 1 millisecond to prepare" in html
    assert '<a href="/clinics/search?q=acne&amp;_timelimit=1">try again</a>' in html
    assert "bm25" not in html and "sql_time_limit_ms" not in html, "the SQL stays hidden"
    assert '<input type="search" id="search-q" name="q" value="acne"' in html, "to narrow it there"

    as_json = await synthetic_datasette.client.get("/clinics/search.json?q=acne&_timelimit=1")
    assert as_json.status_code == 503
    error = as_json.json()
    assert error["ok"] is False and error["status"] == 503
    assert error["error"].startswith("This page took longer than 1 millisecond")


async def test_a_stopped_search_with_list_options_in_its_address_still_says_it_was_stopped(synthetic_datasette):
    """A stored query is no list: options a list reads do not make its failure a bad request."""
    response = await synthetic_datasette.client.get("/clinics/search?q=acne&_timelimit=1&_facet=region")
    assert response.status_code == 503
    assert "This page took longer than 1 millisecond to prepare" in response.text


async def test_a_new_connection_has_its_full_text_indexes_open_before_any_time_limit(synthetic_db):
    """FTS5 opens an index with SQL of its own, the first time a connection's statement names
    it: a search whose time limit ran out there failed with "vtable constructor failed" (a
    400) instead of saying it took too long (503). Connections now open them when made."""
    ds = make_datasette(synthetic_db)
    await ds.invoke_startup()
    # A connection as each of Datasette's SQL threads makes its own.
    conn = ds.get_database("clinics").connect()
    ds._prepare_connection(conn, "clinics")
    conn.execute("select count(*) from clinics").fetchall()  # as an earlier request, without FTS
    conn.set_progress_handler(lambda: 1, 1)  # as a time limit that has already run out
    with pytest.raises(sqlite3.OperationalError) as stopped:
        conn.execute("select count(*) from pages_fts where pages_fts match 'acne'")
    conn.close()
    assert str(stopped.value) == "interrupted"


async def test_a_list_stopped_at_the_time_limit_says_so_as_html_and_csv(synthetic_datasette):
    # No quote says "tattoo": every verdict is read.
    response = await synthetic_datasette.client.get("/clinics/verdicts?quote__contains=tattoo&_timelimit=1")
    assert response.status_code == 503
    assert "<h1>verdicts</h1>" in response.text
    assert "This page took longer than 1 millisecond" in response.text
    assert "QueryInterrupted" not in response.text
    as_csv = await synthetic_datasette.client.get("/clinics/verdicts.csv?quote__contains=tattoo&_timelimit=1")
    assert as_csv.status_code == 503 and as_csv.text.startswith("This page took longer")


async def test_arbitrary_sql_stopped_at_the_time_limit_still_shows_its_author_the_sql(synthetic_datasette):
    sql = "select count(*) from verdicts where quote like '%tattoo%'"
    response = await synthetic_datasette.client.get("/clinics/-/query", params={"sql": sql, "_timelimit": "1"})
    assert response.status_code == 400
    assert "SQL query took too long" in response.text
    assert "select count(*) from verdicts where quote like" in response.text


# -- the schema behind the pages ---------------------------------------------------------------------

def test_clinics_without_published_coordinates_are_placed_at_their_zip(db_path, site_of, expected):
    austin = clinic_of(db_path, site_of, "lumen-dermatology")
    assert austin["location_precision"] == "postcode"
    assert austin["latitude"] == pytest.approx(30.29, abs=0.05)
    harbor = clinic_of(db_path, site_of, "harbor-medspa")
    assert harbor["location_precision"] == "exact"
    assert harbor["latitude"] == pytest.approx(expected["harbor-medspa"]["identity"]["latitude"])
    thornbury = clinic_of(db_path, site_of, "thornbury-skin-clinic")
    assert thornbury["latitude"] is None, "no US ZIP, no invented position"


def test_the_queries_the_directory_needs_use_indexes(db_path):
    db = sqlite_utils.Database(db_path)
    assert db["sqlite_stat1"].exists(), "ANALYZE ran after the crawl"

    def plan(sql):
        return " ".join(row[3] for row in db.execute(f"explain query plan {sql}").fetchall())

    assert "idx_clinics_rank" in plan("select * from directory order by rank limit 50")
    assert "COVERING INDEX idx_clinics_city_facets" in plan("select city, count(*) from directory group by city")
    # a place facet of a list filtered by criteria reads the index alone, not the clinics
    assert "COVERING INDEX idx_clinics_region_facets" in plan(
        "select region, count(*) from directory where sterile_equipment = 1 and red_flags = 0 group by region")
    # a criterion facet of the whole list counts from that criterion's index
    assert "idx_clinics_anesthesia_listed" in plan(
        "select anesthesia, count(*) from directory where anesthesia is not null group by anesthesia")
    assert "idx_clinics_latitude_longitude" in plan(
        "select * from directory where latitude between 30 and 31 and longitude between -98 and -97")
    # the map's facet by state counts located clinics from an index of them
    assert "idx_clinics_region_located" in plan(
        "select region, count(*) from clinic_map where region is not null group by region")
    # the clinics table's own facets, over every clinic, listed or not
    for column in ("offers_microneedling", "red_flags"):
        assert f"COVERING INDEX idx_clinics_{column}" in plan(
            f"select {column}, count(*) from clinics where {column} is not null group by {column}")


def test_a_states_list_is_read_in_rank_order_without_sorting_its_clinics(tmp_path_factory):
    # Over enough clinics that the statistics look like a directory's (a state holds many).
    path = synthetic_directory(tmp_path_factory, 1000)
    db = sqlite_utils.Database(path)
    region = db.execute("select region from directory group by region order by count(*) desc").fetchone()[0]
    plan = db.execute("explain query plan select * from directory where region = ? order by rank limit 51",
                      [region]).fetchall()
    assert [row[3] for row in plan] == ["SEARCH clinics USING INDEX idx_clinics_region_rank_listed (region=?)"]

    # A database made before it loses the state index without rank, which it replaces.
    db.execute('CREATE INDEX idx_clinics_region_listed ON clinics (region) WHERE score IS NOT NULL')
    db.close()
    Storage(path).close()
    names = {index.name for index in sqlite_utils.Database(path)["clinics"].indexes}
    assert "idx_clinics_region_rank_listed" in names and "idx_clinics_region_listed" not in names


async def test_public_mode_still_serves_the_stored_queries(db_path):
    ds = make_datasette(db_path, public=True)
    await ds.invoke_startup()
    assert (await ds.client.get("/clinics/-/query?sql=select+1")).status_code == 403
    rows = (await get_json(ds, "/clinics/search.json?q=numbing&_shape=objects"))["rows"]
    assert rows


def test_serving_a_database_an_older_clinicscout_made_brings_it_up_to_date_first(tmp_path):
    """Made when searches stored common words' points: ``clinicscout serve`` drops them, with the
    triggers that kept them, and adds the index of page and clinic ids the search reads."""
    db = tmp_path / "clinics.db"
    storage = Storage(db)
    storage.bulk_insert(synthetic_clinics(40, seed=5))
    storage.close()
    older = sqlite_utils.Database(db)
    older.execute("DROP INDEX idx_pages_id_clinic_id")
    older.execute("CREATE TABLE search_indexes (fts_index TEXT PRIMARY KEY, changes INTEGER)")
    older.execute("CREATE TABLE search_term_points (term_id INTEGER, clinic_id INTEGER, points INTEGER)")
    older.execute("CREATE TRIGGER pages_search_changes_ai AFTER INSERT ON pages BEGIN "
                  "UPDATE search_indexes SET changes = changes + 1; END")
    older.execute("PRAGMA user_version = 2")
    older.close()
    with clinicscout_serving(db) as base, urllib.request.urlopen(
            f"{base}/clinics/search.json?q=numbing&_shape=objects", timeout=10) as response:
        rows = json.load(response)["rows"]
    assert rows and all("numbing" in row["snippet"].lower() for row in rows)
    upgraded = sqlite_utils.Database(db)
    assert not {"search_indexes", "search_term_points"} & set(upgraded.table_names())
    assert not [trigger for trigger in upgraded.triggers if "_search_changes_" in trigger.name]
    assert ["id", "clinic_id"] in [index.columns for index in upgraded["pages"].indexes]
