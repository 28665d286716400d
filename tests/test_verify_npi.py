"""``clinicscout verify-npi``: the practitioners of crawled US clinics, looked up in the NPI
registry (a real HTTP server on 127.0.0.1 answering in the API v2.1 format)."""

from __future__ import annotations

import pytest
import sqlite_utils

from clinicscout.web import make_datasette
from tests.conftest import copy_database, run_cli
from tests.open_data_answers import NPI_PATH, OVERPASS_PATH, npi_answers
from tests.open_data_server import OpenDataServer, Reply


@pytest.fixture
def server():
    with OpenDataServer() as replay:
        replay.route(NPI_PATH, npi_answers)
        yield replay


@pytest.fixture
def db(crawled_db, tmp_path):
    copy = tmp_path / "clinics.db"
    return copy_database(crawled_db, copy)


def verify(server, db, check=True):
    return run_cli("verify-npi", "--db", str(db), "--npi-url", server.url(NPI_PATH), check=check)


def matches_of(db, slug_site, site_of) -> dict[str, dict]:
    rows = sqlite_utils.Database(db).query(
        "select m.*, c.website from npi_matches m join clinics c on c.id = m.clinic_id")
    return {r["practitioner"]: r for r in rows if site_of(r["website"]) == slug_site}


def judgement(db) -> list[tuple]:
    database = sqlite_utils.Database(db)
    return (list(database.query("select * from verdicts order by clinic_id, criterion"))
            + list(database.query("select id, score, rank, criteria_met from clinics order by id")))


def test_named_practitioners_are_matched_with_a_confidence(server, db, site_of):
    result = verify(server, db)
    assert "found in the NPI registry" in result.stdout
    lumen = matches_of(db, "lumen-dermatology", site_of)
    assert set(lumen) == {"Priya Raman", "Caroline Whitt", "Marcus Delgado"}  # not the esthetician
    raman = lumen["Priya Raman"]
    assert (raman["npi"], raman["taxonomy_code"], raman["taxonomy_description"]) == \
        ("1902000011", "207N00000X", "Dermatology")
    assert (raman["license_state"], raman["status"], raman["confidence"], raman["found"]) == \
        ("TX", "A", 1.0, 1)
    # Two Marcus Delgados in Texas: the physician assistant fits the site, the dentist does not.
    delgado = lumen["Marcus Delgado"]
    assert (delgado["npi"], delgado["confidence"], delgado["found"]) == ("1902000037", 0.75, 1)
    assert "taxonomy Physician Assistant fits physician assistant" in delgado["reason"]


def test_npi_verified_counts_the_practitioners_found_and_no_one_else(server, db, site_of):
    verify(server, db)
    clinics = {site_of(r["website"]): r for r in sqlite_utils.Database(db)["clinics"].rows}
    assert clinics["lumen-dermatology"]["npi_verified"] == 3
    assert clinics["harbor-medspa"]["npi_verified"] == 0  # named, looked up, not in the registry
    assert clinics["thornbury-skin-clinic"]["npi_verified"] is None  # not a US clinic
    assert clinics["glow-day-spa"]["npi_verified"] is None  # names no one
    unmatched = matches_of(db, "harbor-medspa", site_of)["James Okafor"]
    assert (unmatched["npi"], unmatched["found"]) == (None, 0)
    assert unmatched["reason"].startswith("no individual NPI record named James Okafor in")


def test_the_cross_check_never_changes_a_verdict_or_a_score(server, db):
    before = judgement(db)
    verify(server, db)
    assert judgement(db) == before


def test_providers_found_by_an_area_discovery_need_no_look_up(server, db, site_of):
    run_cli("discover", "--near", "78705", "--radius-km", "5", "--source", "npi", "--db", str(db),
            "--npi-url", server.url(NPI_PATH), "--overpass-url", server.url(OVERPASS_PATH))
    # The registry organisation with Lumen's phone joined the crawled clinic.
    lumen_id = next(r["id"] for r in sqlite_utils.Database(db)["clinics"].rows
                    if site_of(r["website"]) == "lumen-dermatology")
    assert sqlite_utils.Database(db)["clinic_sources"].get(("npi", "1902000060"))["clinic_id"] == lumen_id
    server.received.clear()
    verify(server, db)
    looked_up = {r.query.get("last_name") for r in server.requests_to(NPI_PATH)}
    assert not looked_up & {"RAMAN", "WHITT", "DELGADO"}
    assert matches_of(db, "lumen-dermatology", site_of)["Priya Raman"]["confidence"] == 1.0


def test_look_ups_send_the_name_and_state_in_the_documented_form(server, db):
    verify(server, db)
    raman = next(r for r in server.requests_to(NPI_PATH) if r.query.get("last_name") == "RAMAN")
    assert raman.query == {"version": "2.1", "enumeration_type": "NPI-1", "first_name": "PRIYA",
                           "last_name": "RAMAN", "state": "TX", "limit": "200"}


def test_a_registry_error_writes_nothing(server, db):
    server.route(NPI_PATH, Reply({"Errors": [{"description": "Wildcards require at least two "
                                              "leading characters", "field": "first_name"}]}))
    result = verify(server, db, check=False)
    assert result.returncode == 1
    assert "Wildcards require at least two leading characters (field first_name)" in result.stderr
    assert "Nothing was written" in result.stderr
    database = sqlite_utils.Database(db)
    assert database["npi_matches"].count == 0
    assert database.execute("select count(*) from clinics where npi_verified is not null").fetchone()[0] == 0


async def test_the_clinic_page_lists_named_practitioners_and_their_npi_match(server, db, site_of):
    verify(server, db)
    lumen = next(r for r in sqlite_utils.Database(db)["clinics"].rows
                 if site_of(r["website"]) == "lumen-dermatology")
    datasette = make_datasette(db)
    await datasette.invoke_startup()
    html = (await datasette.client.get(f"/clinics/clinics/{lumen['id']}")).text
    assert "Practitioners named on the site" in html
    assert "NPI registry: 3 of 3" in html
    assert "✓ NPI 1902000011 · Dermatology · TX" in html
    assert 'data-practitioner="Tess Nakamura"' in html  # named, not looked up (no NPI)
    assert html.count('data-criterion="') == 18  # the checklist is untouched


async def test_openstreetmap_data_is_attributed_under_the_odbl(db):
    datasette = make_datasette(db)
    await datasette.invoke_startup()
    for table in ("clinics", "clinic_sources"):
        html = (await datasette.client.get(f"/clinics/{table}")).text
        assert "© OpenStreetMap contributors, ODbL 1.0" in html
        assert "https://www.openstreetmap.org/copyright" in html
