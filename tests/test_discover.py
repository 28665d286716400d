"""``clinicscout discover``: the clinics of an area from a seed CSV, OpenStreetMap and the NPI
registry, against a real HTTP server on 127.0.0.1 that answers in the services' formats."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
import sqlite_utils

from clinicscout.discover.geo import NearError, parse_near
from clinicscout.discover.http import JsonClient, SourceError
from clinicscout.discover.merge import address_key, website_key
from clinicscout.discover.osm import overpass_query
from clinicscout.discover.run import Endpoints
from clinicscout.discover.run import discover as run_discovery
from clinicscout.seeds import read_seeds
from clinicscout.storage import Storage, StorageError
from tests.conftest import run_cli
from tests.open_data_answers import (
    AUSTIN_ELEMENTS,
    NPI_PATH,
    OVERPASS_PATH,
    npi_answers,
    overpass,
)
from tests.open_data_server import OpenDataServer, Reply


@pytest.fixture
def server():
    with OpenDataServer() as replay:
        replay.route(OVERPASS_PATH, Reply(overpass(AUSTIN_ELEMENTS)))
        replay.route(NPI_PATH, npi_answers)
        yield replay


@pytest.fixture
def seeds(tmp_path):
    path = tmp_path / "seeds.csv"
    path.write_text("name,website,phone\nLumen Dermatology,lumen-derm.example,512-555-0142\n")
    return path


def discover(server, db, *args, check=True):
    return run_cli("discover", "--db", str(db), "--overpass-url", server.url(OVERPASS_PATH),
                   "--npi-url", server.url(NPI_PATH), *args, check=check)


def snapshot(db) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


# -- where to look -----------------------------------------------------------------------------

def test_a_us_zip_code_resolves_offline_to_its_centre():
    point = parse_near("78701")
    assert (round(point.latitude, 2), round(point.longitude, 2)) == (30.27, -97.74)
    assert (point.state, point.city) == ("TX", "Austin")


def test_coordinates_are_taken_as_latitude_then_longitude():
    point = parse_near(" 51.5072, -0.1276 ")
    assert (point.latitude, point.longitude, point.state) == (51.5072, -0.1276, None)


@pytest.mark.parametrize("value, message", [
    ("SW1A 1AA", "give its coordinates as LAT,LON"),
    ("00000", "unknown US ZIP code"),
    ("95.0,10.0", "latitude must be within ±90"),
])
def test_a_place_that_cannot_be_resolved_offline_asks_for_coordinates(value, message):
    with pytest.raises(NearError, match=message):
        parse_near(value)


def test_a_non_us_postcode_on_the_command_line_says_lat_lon_is_needed(tmp_path):
    result = run_cli("discover", "--near", "SW1A 1AA", "--db", str(tmp_path / "x.db"), check=False)
    assert result.returncode == 2
    assert "LAT,LON" in result.stderr


# -- merging keys ----------------------------------------------------------------------------

def test_one_registered_domain_is_one_clinic_whatever_the_host_or_path():
    assert website_key("https://www.lumen-derm.example/") == website_key("http://lumen-derm.example/contact")
    assert website_key("https://book.clinic.co.uk/") == website_key("https://clinic.co.uk/")
    assert website_key("https://a.example/") != website_key("https://b.example/")


def test_sites_on_one_address_but_different_ports_stay_apart():
    assert website_key("http://127.0.0.1:8001/") != website_key("http://127.0.0.1:8002/")


def test_pages_of_a_shared_platform_are_different_clinics():
    assert website_key("https://www.facebook.com/glowspa") != website_key("https://facebook.com/lumen")


def test_a_registry_address_and_a_map_address_of_one_place_give_one_key():
    assert address_key("1200 BARTON SPRINGS RD STE 300", "787041234") == \
        address_key("1200 Barton Springs Road", "78704")
    assert address_key("1200 Barton Springs Road", None) is None


# -- the Overpass query ------------------------------------------------------------------------

def test_the_overpass_query_asks_for_clinics_dermatology_and_skin_care_with_centres():
    query = overpass_query(parse_near("78701"), 5)
    assert query.startswith("[out:json][timeout:")
    for selector in ('["amenity"="clinic"]', '["healthcare"="clinic"]',
                     '["healthcare:speciality"~"dermatolog', '["shop"="beauty"]["beauty"~"skin_care|spa'):
        assert selector in query
    assert "(around:5000,30.271300,-97.742600)" in query
    assert query.rstrip().endswith("out center tags;")


# -- a whole discovery -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def austin(tmp_path_factory):
    """One discovery around Austin (seed list, OpenStreetMap, NPI registry): its database, the
    requests the services received, and what the command printed."""
    folder = tmp_path_factory.mktemp("austin")
    seeds = folder / "seeds.csv"
    seeds.write_text("name,website,phone\nLumen Dermatology,lumen-derm.example,512-555-0142\n")
    with OpenDataServer() as replay:
        replay.route(OVERPASS_PATH, Reply(overpass(AUSTIN_ELEMENTS)))
        replay.route(NPI_PATH, npi_answers)
        result = discover(replay, folder / "austin.db", "--near", "78701", "--radius-km", "8",
                          "--seeds", str(seeds))
        return folder / "austin.db", list(replay.received), result.stdout, seeds


def test_discovery_merges_seeds_map_and_registry_into_clinics(austin):
    db, _, stdout, _ = austin
    assert "4 clinics added" in stdout
    assert "1 NPI organisations matched no clinic" in stdout

    clinics = {row["name"]: row for row in sqlite_utils.Database(db)["clinics"].rows}
    assert set(clinics) == {"Lumen Dermatology", "Glow Day Spa", "Eastside Family Clinic",
                            "Barton Springs Aesthetics"}
    # The seed's name and website win; the map adds the address and the coordinates.
    lumen = clinics["Lumen Dermatology"]
    assert (lumen["website"], lumen["phone"]) == ("https://lumen-derm.example/", "+15125550142")
    assert (lumen["street_address"], lumen["postcode"], lumen["latitude"]) == \
        ("3418 North Lamar Boulevard", "78705", 30.3011)
    assert (lumen["source"], lumen["source_id"]) == ("seeds", "https://lumen-derm.example/")
    assert clinics["Glow Day Spa"]["phone"] == "+15125550177"
    assert clinics["Glow Day Spa"]["source_id"] == "way/810000003"
    assert clinics["Eastside Family Clinic"]["website"] is None

    records = {(r["source"], r["source_id"]): r["clinic_id"]
               for r in sqlite_utils.Database(db)["clinic_sources"].rows}
    # Two map records of Lumen (www / no www) and the registry organisation with its phone.
    assert records[("osm", "node/9100000001")] == records[("osm", "node/9100000002")] == lumen["id"]
    assert records[("npi", "1902000060")] == lumen["id"]
    # The registry organisation joins Barton Springs by street address (its phone differs).
    assert records[("npi", "1902000052")] == clinics["Barton Springs Aesthetics"]["id"]
    assert ("npi", "1902000078") not in records  # Hill Country matched no clinic: not a clinic


def test_the_registry_providers_of_the_area_are_kept_and_those_outside_the_radius_are_not(austin):
    providers = {row["npi"]: row for row in sqlite_utils.Database(austin[0])["npi_providers"].rows}
    assert providers["1902000011"]["taxonomy_code"] == "207N00000X"
    assert providers["1902000029"]["taxonomy_description"] == "Nurse Practitioner, Family"
    assert "1902000086" not in providers  # Round Rock lies beyond 8 km


def test_requests_identify_clinicscout_and_follow_the_documented_formats(austin):
    received = austin[1]
    [overpass_request] = [r for r in received if r.path == OVERPASS_PATH]
    assert overpass_request.method == "POST"
    assert "out center tags;" in overpass_request.form["data"]
    assert overpass_request.headers["User-Agent"].startswith("clinicscout/")
    npi_requests = [r for r in received if r.path == NPI_PATH]
    assert {r.query["taxonomy_description"] for r in npi_requests} == {
        "Dermatology", "Plastic Surgery", "Nurse Practitioner", "Physician Assistant"}
    assert all(r.query["version"] == "2.1" and r.query["limit"] == "200" for r in npi_requests)
    assert all((r.query["city"], r.query["state"]) == ("Austin", "TX") for r in npi_requests)


def test_discovering_twice_changes_nothing(austin, server, tmp_path):
    db = tmp_path / "again.db"
    shutil.copy(austin[0], db)
    clinics = list(sqlite_utils.Database(db)["clinics"].rows)
    links = sorted((r["source"], r["source_id"], r["clinic_id"])
                   for r in sqlite_utils.Database(db)["clinic_sources"].rows)
    again = discover(server, db, "--near", "78701", "--radius-km", "8", "--seeds", str(austin[3]))
    assert "0 clinics added, 0 completed, 4 unchanged" in again.stdout
    assert list(sqlite_utils.Database(db)["clinics"].rows) == clinics
    assert sorted((r["source"], r["source_id"], r["clinic_id"])
                  for r in sqlite_utils.Database(db)["clinic_sources"].rows) == links


def test_discovery_fills_gaps_of_a_known_clinic_and_never_overwrites_it(server, tmp_path):
    db = tmp_path / "austin.db"
    storage = Storage(db)
    storage.add_clinic("https://www.lumen-derm.example/", {"name": "Lumen (crawled name)"})
    storage.close()
    result = discover(server, db, "--near", "78701", "--radius-km", "8", "--source", "osm")
    assert "1 completed" in result.stdout
    lumen = sqlite_utils.Database(db)["clinics"].get(1)
    assert lumen["name"] == "Lumen (crawled name)"
    assert lumen["phone"] == "+15125550142"


# -- failures leave the database as it was ---------------------------------------------------

def test_a_rate_limit_is_waited_out_when_it_passes(server, tmp_path):
    server.route(OVERPASS_PATH, [Reply({"error": "slow down"}, 429, {"Retry-After": "0"}),
                                 Reply(overpass(AUSTIN_ELEMENTS))])
    result = discover(server, tmp_path / "a.db", "--near", "78701", "--source", "osm")
    assert "4 clinics added" in result.stdout
    assert len(server.requests_to(OVERPASS_PATH)) == 2


def test_backoff_follows_retry_after_and_doubles_without_it(server):
    waits: list[float] = []
    server.route("/busy", [Reply({}, 429, {"Retry-After": "7"}), Reply({}, 503), Reply({}, 504),
                           Reply({"elements": []})])
    client = JsonClient("test", timeout=5, retries=3, backoff=2, sleep=waits.append)
    assert client.get(server.url("/busy"), {}) == {"elements": []}
    assert waits == [7, 4, 8]


def test_a_retry_after_beyond_the_cap_is_capped(server):
    waits: list[float] = []
    server.route("/busy", [Reply({}, 429, {"Retry-After": "86400"}), Reply({"ok": 1})])
    JsonClient("test", max_wait=30, sleep=waits.append).get(server.url("/busy"), {})
    assert waits == [30]


FAILURES = {
    "rate limit that lasts": (OVERPASS_PATH, Reply({"error": "busy"}, 429, {"Retry-After": "0"}),
                              "rate limited by"),
    "server error": (OVERPASS_PATH, Reply(b"<html>Internal Server Error</html>", 500),
                     "answered HTTP 500"),
    "timeout": (OVERPASS_PATH, Reply(overpass([]), delay=3), "(timeout)"),
    "malformed JSON": (OVERPASS_PATH, Reply(b'{"elements": [{"type": "node"'), "malformed JSON"),
    "Overpass runtime error": (
        OVERPASS_PATH,
        Reply(overpass([], remark='runtime error: Query timed out in "query" at line 3 after 61 seconds.')),
        "could not finish the query"),
    "NPI Errors in HTTP 200": (
        NPI_PATH,
        Reply({"Errors": [{"description": "Field taxonomy_description requires additional search criteria",
                           "field": "taxonomy_description", "number": "04"}]}),
        "refused the search"),
    "NPI server error after OpenStreetMap answered": (NPI_PATH, Reply({}, 502), "answered HTTP 502"),
}


@pytest.fixture
def seeded_db(seeds, tmp_path):
    """A database holding one earlier discovery (the seed list)."""
    db = tmp_path / "austin.db"
    storage = Storage(db)
    run_discovery(storage, point=None, radius_km=8, sources=(), seeds=read_seeds(seeds)[0],
                  endpoints=Endpoints("unused", "unused", timeout=1))
    storage.close()
    return db


@pytest.mark.parametrize("failure", FAILURES, ids=list(FAILURES))
def test_a_failing_source_gives_a_clear_message_and_writes_nothing(failure, server, seeded_db, seeds):
    before = snapshot(seeded_db)
    assert "Lumen Dermatology" in "".join(before)
    path, reply, message = FAILURES[failure]
    server.route(path, reply)
    storage = Storage(seeded_db)
    with pytest.raises(SourceError) as raised:
        run_discovery(storage, point=parse_near("78701"), radius_km=8, sources=("osm", "npi"),
                      seeds=read_seeds(seeds)[0],
                      endpoints=Endpoints(server.url(OVERPASS_PATH), server.url(NPI_PATH),
                                          timeout=0.5, backoff=0))
    storage.close()
    assert message in str(raised.value)
    assert snapshot(seeded_db) == before


def test_the_command_line_reports_a_failure_and_that_nothing_was_written(server, seeded_db, seeds):
    before = snapshot(seeded_db)
    server.route(NPI_PATH, Reply({"Errors": [{"description": "No valid search criteria provided",
                                              "field": "generic", "number": "04"}]}))
    result = discover(server, seeded_db, "--near", "78701", "--seeds", str(seeds), check=False)
    assert result.returncode == 1
    assert "Error: NPI registry:" in result.stderr
    assert "No valid search criteria provided (field generic)" in result.stderr
    assert "Nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(seeded_db) == before


def test_an_empty_answer_says_so_and_writes_nothing(server, tmp_path):
    db = tmp_path / "empty.db"
    Storage(db).close()
    before = snapshot(db)
    server.route(OVERPASS_PATH, Reply(overpass([])))
    result = discover(server, db, "--near", "30.27,-97.74", "--source", "osm")
    assert "no clinic within 10 km of 30.27000,-97.74000" in result.stderr
    assert "Discovered 0 from osm" in result.stdout
    assert snapshot(db) == before


def test_the_registry_outside_the_us_is_refused_with_a_reason(server, tmp_path):
    result = discover(server, tmp_path / "x.db", "--near", "51.5072,-0.1276", "--source", "npi",
                      check=False)
    assert result.returncode == 1
    assert "only covers the United States" in result.stderr


def test_the_default_endpoints_are_the_public_services():
    result = run_cli("discover", "--help")
    assert "https://overpass-api.de/api/interpreter" in result.stdout
    assert "https://npiregistry.cms.hhs.gov/api/" in result.stdout


def test_an_unreachable_source_is_a_clear_error(tmp_path):
    result = run_cli("discover", "--near", "78701", "--source", "osm", "--db", str(tmp_path / "x.db"),
                     "--overpass-url", "http://127.0.0.1:9/api/interpreter", check=False)
    assert result.returncode == 1
    assert "cannot reach http://127.0.0.1:9/api/interpreter" in result.stderr


def test_source_errors_name_the_source(server):
    server.route("/teapot", Reply({"error": "no"}, 418))
    with pytest.raises(SourceError, match=r"^NPI registry: .*HTTP 418"):
        JsonClient("NPI registry", retries=0).get(server.url("/teapot"), {})


# -- then crawl --------------------------------------------------------------------------------

def test_crawl_without_urls_crawls_known_websites_and_says_which_clinics_have_none(
        server, sample_sites, tmp_path):
    db = tmp_path / "area.db"
    seeds = tmp_path / "local.csv"
    seeds.write_text(f"website\n{sample_sites.urls['glow-day-spa']}\n")
    server.route(OVERPASS_PATH, Reply(overpass([AUSTIN_ELEMENTS[3]])))  # no website
    discover(server, db, "--near", "78701", "--source", "osm", "--seeds", str(seeds))
    result = run_cli("crawl", "--db", str(db), "--allow-private", "--delay", "0")
    assert "1 known clinics have no website and are not crawled" in result.stderr
    assert "Crawled 1 sites (1 rescored, 0 unchanged, 0 failed)" in result.stdout
    rows = {r["name"]: r for r in sqlite_utils.Database(db)["clinics"].rows}
    assert rows["Eastside Family Clinic"]["last_crawled"] is None


def test_a_write_that_fails_halfway_leaves_nothing_behind(server, seeded_db, seeds):
    # A trigger refuses the map's records after the clinics rows were written: the whole
    # discovery is one transaction, so those rows go too.
    database = sqlite_utils.Database(seeded_db)
    database.execute("CREATE TRIGGER refuse_osm BEFORE INSERT ON clinic_sources WHEN NEW.source = 'osm' "
                     "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    database.conn.commit()
    database.close()
    before = snapshot(seeded_db)
    storage = Storage(seeded_db)
    with pytest.raises(StorageError, match="refused by the test"):
        run_discovery(storage, point=parse_near("78701"), radius_km=8, sources=("osm",),
                      seeds=read_seeds(seeds)[0],
                      endpoints=Endpoints(server.url(OVERPASS_PATH), server.url(NPI_PATH), timeout=5))
    storage.close()
    assert snapshot(seeded_db) == before
