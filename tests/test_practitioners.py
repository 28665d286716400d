"""The practitioners a site names: pure extraction from page text, and what a crawl stores."""

from __future__ import annotations

import pytest
import sqlite_utils

from scoring import Page, assess, extract_practitioners


def named(text: str, url: str = "https://clinic.example/team") -> dict[str, tuple]:
    return {p.name: (p.credentials_text, p.role)
            for p in extract_practitioners([Page(url, "Our team", text)])}


@pytest.mark.parametrize("text, name, credentials, role", [
    ("Jane Doe, MSN, FNP-C", "Jane Doe", "MSN, FNP-C", "nurse practitioner"),
    ("Dr. John Smith, board-certified dermatologist, leads the clinic.", "John Smith", "Dr.", "dermatologist"),
    ("Our injector is Sofia Haugen, PA-C.", "Sofia Haugen", "PA-C", "physician assistant"),
    ("Kayla Moreno is a licensed esthetician and the owner.", "Kayla Moreno", "", "esthetician"),
    ("Dr. Alan Whitmore is certified by the American Board of Plastic Surgery.", "Alan Whitmore", "Dr.", "plastic surgeon"),
    ("Eleanor Pryce RGN, NMC registered.", "Eleanor Pryce", "RGN", "nurse"),
    ("Our medical director is Dr. Leon Marsh, MD.", "Leon Marsh", "MD", "physician"),
    ("Susan Copanos, RN BSN", "Susan Copanos", "RN, BSN", "nurse"),
    ("Providers Lumen Clinic\nLori Martin,M.D.", "Lori Martin", "M.D.", "physician"),
    # A team card: the credential ends its line, the next line is another block.
    ("Jane Doe, LE\nLicensed Esthetician since 2015", "Jane Doe", "LE", "esthetician"),
])
def test_a_name_with_credentials_or_a_title_is_a_practitioner(text, name, credentials, role):
    assert named(text) == {name: (credentials, role)}


@pytest.mark.parametrize("text", [
    "All microneedling treatments are performed by Dr. Raman, a nurse practitioner, or a physician assistant.",
    "Our Board Certified Team, MD approved protocols.",
    "Meet Our Team",
    "Book with Caroline, our nurse practitioner.",
    "The Obagi Clenziderm M.D. pore therapy clears congestion.",
])
def test_a_surname_a_first_name_or_a_heading_is_no_practitioner(text):
    assert named(text) == {}


def test_mentions_across_pages_merge_into_one_person_with_every_credential():
    pages = [
        Page("https://c.example/about", "About", "Dr. Priya Raman is a board-certified dermatologist."),
        Page("https://c.example/team", "Team", "Priya Raman, MD, FAAD — Medical Director"),
    ]
    [raman] = extract_practitioners(pages)
    assert (raman.name, raman.credentials, raman.role) == ("Priya Raman", ("MD", "FAAD"), "dermatologist")
    assert raman.page_url == "https://c.example/team"


def test_the_quote_is_the_exact_sentence_of_the_page_text():
    text = "Welcome.\nTreatments are performed by our nurses and by Jordan Ellis, RN. Book today."
    [ellis] = extract_practitioners([Page("https://c.example/", "Home", text)])
    assert ellis.quote == "Treatments are performed by our nurses and by Jordan Ellis, RN."
    assert ellis.quote in text


def test_accented_names_are_one_person_with_or_without_accents():
    pages = [Page("https://c.example/a", "", "Dra. Mariana Peña Ibáñez, MD"),
             Page("https://c.example/b", "", "Mariana Pena Ibanez, FAAD")]
    assert len(extract_practitioners(pages)) == 1


def test_an_assessment_carries_the_practitioners_beside_its_verdicts():
    assessment = assess([Page("https://c.example/team", "Team", "Jane Doe, MSN, FNP-C")])
    assert [p.name for p in assessment.practitioners] == ["Jane Doe"]


def test_a_crawl_stores_the_practitioners_each_sample_site_names(crawled_db, site_of):
    db = sqlite_utils.Database(crawled_db)
    stored: dict[str, dict[str, tuple]] = {}
    for row in db.query(
        "select c.website, p.name, p.credentials, p.role, p.page_url, p.quote from practitioners p "
        "join clinics c on c.id = p.clinic_id"
    ):
        stored.setdefault(site_of(row["website"]), {})[row["name"]] = (row["credentials"], row["role"])
        assert row["page_url"].startswith(row["website"].rstrip("/"))
        assert row["quote"] in db.execute("select text from pages where url = ?",
                                          [row["page_url"]]).fetchone()[0]
    assert stored["lumen-dermatology"] == {
        "Priya Raman": ("MD, FAAD", "dermatologist"),
        "Caroline Whitt": ("MSN, FNP-C", "nurse practitioner"),
        "Marcus Delgado": ("PA-C", "physician assistant"),
        "Tess Nakamura": ("Licensed Esthetician", "esthetician"),
    }
    assert stored["harbor-medspa"]["James Okafor"] == ("Dr.", "family physician")
    assert stored["no-numbing-skin-studio"] == {"Renata Oyelaran": ("MSN, FNP-C", "nurse practitioner")}
    assert stored["vieja-charset-clinic"]["Mariana Peña Ibáñez"][1] == "dermatologist"
    assert "glow-day-spa" not in stored and "miracle-skin-bar" not in stored
