"""``verify-npi``: look up the practitioners a US clinic's site names in the NPI registry.

It runs after a crawl (the practitioners come from the crawled pages), so it is its own step:
discover → crawl → verify-npi. For each clinical practitioner (estheticians have no NPI) of a
clinic in the US, the registry records of that first and last name in the clinic's state are
read — first from the records an area discovery stored, else from the API — and scored:

  0.50  first name, last name and state agree
  +0.25 a taxonomy that fits what the site says (MD/DO → physician 20…, NP → 363L, PA → 363A,
        RN → 163W)
  +0.25 the registry's practice location is the clinic's (same phone, street address or ZIP)

The best record wins; when several records tie, the confidence is shared between them. A
practitioner is *found* at 0.75 or more. The result is a signal beside the criteria: it never
changes a verdict or the score. Nothing is written unless every look-up succeeded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clinicscout.discover.geo import us_state_of_zip
from clinicscout.discover.http import JsonClient
from clinicscout.discover.merge import address_key
from clinicscout.discover.npi import lookup_individuals
from clinicscout.storage import NPI_FOUND_CONFIDENCE, Storage
from scoring import name_key

NO_NPI_ROLES = {"esthetician", "medical esthetician"}
_EXPECTED_TAXONOMY = (  # most specific first: "physician assistant" before "physician"
    (re.compile(r"nurse practitioner"), ("363L",)),
    (re.compile(r"physician assistant"), ("363A",)),
    (re.compile(r"nurse"), ("163W", "364S", "363L")),
    (re.compile(r"dermatolog|surgeon|physician|medical director"), ("20",)),
)
_CREDENTIAL_TAXONOMY = (
    (re.compile(r"^(?:M\.?D\.?|D\.?O\.?|Dr\.)$"), ("20",)),
    (re.compile(r"^(?:FNP.*|NP.*|AGNP-C|ANP-BC|APRN|ARNP|DNP)$"), ("363L",)),
    (re.compile(r"^PA(?:-C)?$"), ("363A",)),
    (re.compile(r"^(?:RN|BSN|MSN)$"), ("163W", "364S", "363L")),
)


@dataclass
class VerifyReport:
    checked: int = 0
    found: int = 0
    skipped_not_us: int = 0
    skipped_no_npi_role: int = 0
    lookups: int = 0


def verify_practitioners(
    storage: Storage, client: JsonClient, npi_url: str,
    progress: Callable[[str], None] = lambda message: None,
) -> VerifyReport:
    report = VerifyReport()
    matches: list[dict[str, Any]] = []
    looked_up: dict[str, dict[str, Any]] = {}
    for practitioner in storage.practitioners_to_verify():
        if (practitioner["role"] or "") in NO_NPI_ROLES:
            report.skipped_no_npi_role += 1
            continue
        state = _us_state(practitioner)
        parts = [name_key(w) for w in practitioner["name"].split()]
        if state is None or len(parts) < 2:
            report.skipped_not_us += state is None
            continue
        first, last = parts[0].upper(), parts[-1].upper()
        records = storage.npi_providers_named(last, state)
        if not any(_same_name(r, first, last) for r in records):
            progress(f"NPI registry: {practitioner['name']} in {state}…")
            records = lookup_individuals(client, npi_url, first, last, state)
            report.lookups += 1
            looked_up.update({r["npi"]: r for r in records})
        match = best_match(practitioner, state, [r for r in records if _same_name(r, first, last)])
        matches.append(match)
        report.checked += 1
        report.found += match["found"]
    storage.save_npi_matches(matches, list(looked_up.values()))
    return report


def best_match(practitioner: dict[str, Any], state: str,
               records: list[dict[str, Any]]) -> dict[str, Any]:
    """The practitioner's ``npi_matches`` row from the registry records of their name."""
    row: dict[str, Any] = {"clinic_id": practitioner["clinic_id"], "practitioner": practitioner["name"],
                           "npi": None, "taxonomy_code": None, "taxonomy_description": None,
                           "license_state": None, "status": None, "confidence": 0.0, "found": 0}
    in_state = [r for r in records if state in (r.get("state"), r.get("license_state"))]
    if not in_state:
        row["reason"] = f"no individual NPI record named {practitioner['name']} in {state}"
        return row
    scored = sorted(((_score(practitioner, r), r) for r in in_state), key=lambda s: -s[0][0])
    (best, reasons), record = scored[0]
    ties = sum(1 for (score, _), _ in scored if score == best)
    confidence = round(best / ties, 2)
    if ties > 1:
        reasons.append(f"{ties} registry records fit equally")
    row.update({
        "npi": record["npi"], "taxonomy_code": record.get("taxonomy_code"),
        "taxonomy_description": record.get("taxonomy_description"),
        "license_state": record.get("license_state"), "status": record.get("status"),
        "confidence": confidence, "found": int(confidence >= NPI_FOUND_CONFIDENCE),
        "reason": "; ".join(reasons),
    })
    return row


def _score(practitioner: dict[str, Any], record: dict[str, Any]) -> tuple[float, list[str]]:
    score, reasons = 0.5, ["name and state agree"]
    expected = _expected_taxonomy(practitioner)
    codes = [c for c in (record.get("taxonomy_codes") or record.get("taxonomy_code") or "").split(",") if c]
    if expected and any(code.startswith(expected) for code in codes):
        score += 0.25
        reasons.append(f"taxonomy {record.get('taxonomy_description') or codes[0]} fits "
                       f"{practitioner['role'] or practitioner['credentials']}")
    if _practises_at_clinic(practitioner, record):
        score += 0.25
        reasons.append("practice location is the clinic's")
    if record.get("status") not in (None, "A"):
        reasons.append(f"registry status {record['status']} (not active)")
    return score, reasons


def _expected_taxonomy(practitioner: dict[str, Any]) -> tuple[str, ...]:
    role = (practitioner.get("role") or "").lower()
    for pattern, prefixes in _EXPECTED_TAXONOMY:
        if pattern.search(role):
            return prefixes
    credentials = [c.strip() for c in (practitioner.get("credentials") or "").split(",")]
    for pattern, prefixes in _CREDENTIAL_TAXONOMY:
        if any(pattern.match(c) for c in credentials):
            return prefixes
    return ()


def _practises_at_clinic(practitioner: dict[str, Any], record: dict[str, Any]) -> bool:
    if practitioner.get("phone") and practitioner["phone"] == record.get("phone"):
        return True
    clinic_zip = (practitioner.get("postcode") or "")[:5]
    if len(clinic_zip) == 5 and clinic_zip == record.get("postcode"):
        return True
    clinic_address = address_key(practitioner.get("street_address"), practitioner.get("postcode"))
    return clinic_address is not None and clinic_address == address_key(
        record.get("street_address"), record.get("postcode")
    )


def _same_name(record: dict[str, Any], first: str, last: str) -> bool:
    # The registry's name search is fuzzy (other names, aliases): re-check both names here.
    registry_last = name_key(record.get("last_name") or "").upper().split()
    return name_key(record.get("first_name") or "").upper() == first and last in registry_last


def _us_state(practitioner: dict[str, Any]) -> str | None:
    country = (practitioner.get("country") or "").upper()
    if country and country != "US":
        return None
    from_zip = us_state_of_zip(practitioner.get("postcode"))
    if from_zip:
        return from_zip
    region = (practitioner.get("region") or "").strip().upper()
    return region if country == "US" and re.fullmatch(r"[A-Z]{2}", region) else None
