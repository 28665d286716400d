"""Answers in the documented formats of the Overpass API (``[out:json]`` with ``out center tags``)
and the NPPES NPI Registry API v2.1, about fictional clinics and people of Austin, Texas.

Written for these tests (no real registry data): names, numbers and places are invented, and
phone numbers use the fictional 555-01xx range.
"""

from __future__ import annotations

from typing import Any

from tests.open_data_server import Received, Reply

OVERPASS_PATH = "/api/interpreter"
NPI_PATH = "/api/"


def overpass(elements: list[dict[str, Any]], remark: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "version": 0.6,
        "generator": "Overpass API 0.7.62 (test replay)",
        "osm3s": {
            "timestamp_osm_base": "2026-06-01T12:00:00Z",
            "copyright": "The data included in this document is from www.openstreetmap.org. "
                         "The data is made available under ODbL.",
        },
        "elements": elements,
    }
    if remark:
        answer["remark"] = remark
    return answer


AUSTIN_ELEMENTS = [
    {   # a dermatologist mapped as a doctor with a speciality
        "type": "node", "id": 9100000001, "lat": 30.3011, "lon": -97.7420,
        "tags": {
            "healthcare": "doctor", "healthcare:speciality": "dermatology", "amenity": "doctors",
            "name": "Lumen Dermatology & Skin Health", "website": "https://www.lumen-derm.example/",
            "phone": "+1 512-555-0142", "addr:housenumber": "3418",
            "addr:street": "North Lamar Boulevard", "addr:city": "Austin", "addr:state": "TX",
            "addr:postcode": "78705",
        },
    },
    {   # the same clinic mapped twice (an entrance node), website written differently
        "type": "node", "id": 9100000002, "lat": 30.3012, "lon": -97.7421,
        "tags": {"amenity": "clinic", "name": "Lumen Dermatology",
                 "contact:website": "http://lumen-derm.example/contact"},
    },
    {   # a building outline: Overpass gives its centre
        "type": "way", "id": 810000003, "center": {"lat": 30.2641, "lon": -97.7602},
        "tags": {"shop": "beauty", "beauty": "spa;skin_care", "name": "Glow Day Spa",
                 "contact:website": "glow-spa.example/home", "contact:phone": "(512) 555-0177"},
    },
    {   # no website: known, not crawlable
        "type": "node", "id": 9100000004, "lat": 30.2620, "lon": -97.7270,
        "tags": {"amenity": "clinic", "healthcare": "clinic", "name": "Eastside Family Clinic",
                 "phone": "512-555-0190;512-555-0191"},
    },
    {   # a relation (a clinic complex) with its centre
        "type": "relation", "id": 71000005, "center": {"lat": 30.2635, "lon": -97.7689},
        "tags": {
            "healthcare": "clinic", "healthcare:speciality": "dermatology;plastic_surgery",
            "name": "Barton Springs Aesthetics", "website": "http://barton-aesthetics.example",
            "phone": "512 555 0133", "addr:housenumber": "1200",
            "addr:street": "Barton Springs Road", "addr:postcode": "78704",
        },
    },
]


def npi_result(number: str, kind: str, *, first: str = "", last: str = "", organisation: str = "",
               credential: str = "", taxonomy: tuple[str, str] = ("207N00000X", "Dermatology"),
               address: str = "", postal_code: str = "", city: str = "AUSTIN", state: str = "TX",
               phone: str = "", status: str = "A") -> dict[str, Any]:
    basic: dict[str, Any] = {"status": status, "enumeration_date": "2012-03-14",
                             "last_updated": "2025-11-02"}
    if kind == "NPI-1":
        basic.update({"first_name": first, "last_name": last, "credential": credential,
                      "sole_proprietor": "NO", "gender": "F", "name_prefix": "--"})
    else:
        basic.update({"organization_name": organisation, "organizational_subpart": "NO",
                      "authorized_official_first_name": "ALEX",
                      "authorized_official_last_name": "RIVERA"})
    location = {
        "country_code": "US", "country_name": "United States", "address_purpose": "LOCATION",
        "address_type": "DOM", "address_1": address, "address_2": "", "city": city,
        "state": state, "postal_code": postal_code, "telephone_number": phone,
    }
    mailing = {**location, "address_purpose": "MAILING", "address_1": "PO BOX 4100",
               "postal_code": "787650000", "telephone_number": ""}
    return {
        "created_epoch": "1331683200000", "enumeration_type": kind,
        "last_updated_epoch": "1762041600000", "number": number,
        "addresses": [mailing, location], "practiceLocations": [], "basic": basic,
        "taxonomies": [{"code": taxonomy[0], "taxonomy_group": "", "desc": taxonomy[1],
                        "state": state, "license": f"{state}-{number[-5:]}", "primary": True}],
        "identifiers": [], "endpoints": [], "other_names": [],
    }


RAMAN = npi_result("1902000011", "NPI-1", first="PRIYA", last="RAMAN", credential="M.D.",
                   address="3418 N LAMAR BLVD", postal_code="787051234", phone="512-555-0142")
WHITT = npi_result("1902000029", "NPI-1", first="CAROLINE", last="WHITT", credential="MSN, FNP-C",
                   taxonomy=("363LF0000X", "Nurse Practitioner, Family"),
                   address="3418 N LAMAR BLVD", postal_code="78705", phone="512-555-0142")
# Two registry records named Marcus Delgado in Texas: the PA fits the site, the other does not.
DELGADO_PA = npi_result("1902000037", "NPI-1", first="MARCUS", last="DELGADO", credential="PA-C",
                        taxonomy=("363A00000X", "Physician Assistant"),
                        address="900 CONGRESS AVE", postal_code="78701", phone="512-555-0160")
DELGADO_OTHER = npi_result("1902000045", "NPI-1", first="MARCUS", last="DELGADO", credential="DDS",
                           taxonomy=("1223G0001X", "Dentist, General Practice"),
                           address="12 MAIN ST", postal_code="79901", city="EL PASO",
                           phone="915-555-0101")
BARTON_ORG = npi_result("1902000052", "NPI-2", organisation="BARTON SPRINGS AESTHETICS PLLC",
                        address="1200 BARTON SPRINGS RD STE 300", postal_code="787041234",
                        phone="512-555-0199")
LUMEN_ORG = npi_result("1902000060", "NPI-2", organisation="LUMEN DERMATOLOGY PLLC",
                       address="3418 N LAMAR BLVD STE 210", postal_code="78705",
                       phone="512-555-0142")
HILL_COUNTRY_ORG = npi_result("1902000078", "NPI-2", organisation="HILL COUNTRY DERMATOLOGY PA",
                              address="5000 BURNET RD", postal_code="78756", phone="512-555-0155")
FAR_AWAY_SURGEON = npi_result("1902000086", "NPI-1", first="DANA", last="FAR",
                              taxonomy=("2082S0099X", "Plastic Surgery, Surgery of the Hand"),
                              address="1 ROUND ROCK AVE", postal_code="78664", city="ROUND ROCK")

AREA = {  # taxonomy_description → what a city search in Austin, TX answers
    "Dermatology": [RAMAN, BARTON_ORG, LUMEN_ORG, HILL_COUNTRY_ORG],
    "Nurse Practitioner": [WHITT],
    "Physician Assistant": [DELGADO_PA],
    "Plastic Surgery": [FAR_AWAY_SURGEON],
}
PEOPLE = [RAMAN, WHITT, DELGADO_PA, DELGADO_OTHER]


def npi_answers(request: Received) -> Reply:
    """The registry: area searches by city, state and taxonomy; look-ups by name and state."""
    query = request.query
    if query.get("version") != "2.1":
        return Reply({"Errors": [{"description": "Version 2.1 is required", "field": "version",
                                  "number": "99"}]})
    if "first_name" in query:
        found = [p for p in PEOPLE
                 if p["basic"]["first_name"] == query["first_name"].upper()
                 and p["basic"]["last_name"] == query["last_name"].upper()
                 and (p["addresses"][1]["state"] == query.get("state")
                      or p["taxonomies"][0]["state"] == query.get("state"))]
        return Reply({"result_count": len(found), "results": found})
    if query.get("city", "").upper() == "AUSTIN" and query.get("state") == "TX":
        found = AREA.get(query.get("taxonomy_description", ""), [])
        return Reply({"result_count": len(found), "results": found})
    return Reply({"result_count": 0, "results": []})
