"""The directory as patients see it, through Datasette's own test client."""

from __future__ import annotations

from html import escape as html_escape
from pathlib import Path

import pytest
import sqlite_utils

from clinicscout.web import make_datasette
from tests.conftest import copy_database, query


@pytest.fixture
def db_path(crawled_db, tmp_path) -> Path:
    """A private copy: tests here change rows, and the crawl is shared by the whole session."""
    return copy_database(crawled_db, tmp_path / "clinics.db")


@pytest.fixture
async def datasette(db_path):
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    return ds


def best_clinic(db_path):
    return next(sqlite_utils.Database(db_path).query("select * from clinics order by rank limit 1"))


async def test_clinics_are_listed_best_first(datasette, db_path):
    """The ranked list by rank (the clinics that offer microneedling first, by score); the table
    of every clinic by score, the clinics not scored last."""
    response = await datasette.client.get("/clinics/directory.json?_shape=objects")
    assert response.status_code == 200
    ranks = [row["rank"] for row in response.json()["rows"]]
    assert ranks == sorted(ranks)
    response = await datasette.client.get("/clinics/clinics.json?_shape=objects")
    assert response.status_code == 200
    scores = [row["score"] for row in response.json()["rows"]]
    assert scores == sorted(scores, key=lambda score: (score is not None, score), reverse=True)
    html = (await datasette.client.get("/clinics/clinics")).text
    assert html_escape(best_clinic(db_path)["name"]) in html


async def test_clinic_page_shows_every_criterion_with_evidence(datasette, db_path):
    clinic = best_clinic(db_path)
    response = await datasette.client.get(f"/clinics/clinics/{clinic['id']}")
    assert response.status_code == 200
    html = response.text
    assert html.count('data-criterion="') == 18
    assert f"{clinic['score']}</strong>/100" in html
    evidenced = [verdict for verdict in query(
        db_path, "select quote, page_url from verdicts where clinic_id = ? and met = 1", [clinic["id"]])
        if verdict["quote"]]
    assert evidenced, "the best clinic quotes evidence for what it meets"
    for verdict in evidenced:
        assert f'href="{verdict["page_url"]}"' in html


async def test_crawled_text_is_escaped_on_the_clinic_page(datasette, db_path):
    db = sqlite_utils.Database(db_path)
    # A met verdict shows its quote; the first clinic that offers microneedling has one.
    clinic_id = next(db.query("select min(clinic_id) as id from verdicts "
                              "where criterion = 'offers_microneedling' and met = 1"))["id"]
    db.execute("update verdicts set quote = '<script>alert(1)</script>' "
               "where criterion = 'offers_microneedling' and clinic_id = ?", [clinic_id])
    db.conn.commit()
    html = (await datasette.client.get(f"/clinics/clinics/{clinic_id}")).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


async def test_criteria_table_lists_the_weights(datasette):
    response = await datasette.client.get("/clinics/criteria.json?_shape=objects")
    weights = {row["id"]: row["weight"] for row in response.json()["rows"]}
    assert weights["sterile_equipment"] > weights["pricing"]
    assert weights["unrealistic_claims"] < 0


async def test_public_mode_forbids_arbitrary_sql(crawled_db):
    ds = make_datasette(crawled_db, public=True)
    await ds.invoke_startup()
    response = await ds.client.get("/clinics/-/query?sql=select+1")
    assert response.status_code == 403
