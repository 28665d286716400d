"""Who the clinic is: name, phone (E.164), street address, locality and coordinates.

schema.org data (JSON-LD, microdata) comes first, then ``tel:`` links, then visible text.
Every field found in text keeps its evidence (page and sentence), which is what lets the
``contact_info`` verdict quote the page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from scoring.pages import Page
from scoring.text import SentenceIndex

_BUSINESS_TYPES = re.compile(
    r"(?:Business|Clinic|Physician|Dermatology|Spa|Salon|Store|Organization|Place|Dentist"
    r"|Hospital|MedicalOrganization|HealthAndBeautyBusiness|LocalBusiness|Practice)$",
    re.IGNORECASE,
)
_STREET_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Boulevard|Blvd|Road|Rd|Drive|Dr|Lane|Ln|Way|Parkway|Pkwy|Highway|Hwy"
    r"|Court|Ct|Place|Pl|Circle|Cir|Trail|Trl|Square|Sq|Terrace|Ter|Pike|Plaza|Crescent|Cres|Close"
    r"|Row|Parade|Pde|Loop|Expressway|Expy|Freeway|Fwy|Broadway|Walk|Mews|Green|Hill|Gardens)"
)
_STREET = re.compile(
    r"\b\d{1,6}[A-Za-z]?(?:[\-–]\d{1,6})?\s+(?:[NSEW]\.?\s+)?(?:[A-Z0-9][\w'’.\-]*\s+){0,5}"
    + _STREET_SUFFIX
    + r"\b\.?(?:\s+(?:North|South|East|West|[NSEW]{1,2})\b\.?)?"
    r"(?:,?\s+(?:Suite|Ste\.?|Unit|Building|Bldg\.?|Floor|Fl\.?|#)\s*[\w\-]+)?"
)
_US_LOCALITY = re.compile(
    r"^[,\s]*(?:[\n,]\s*)?(?P<city>[A-Z][A-Za-z.'’\-]*(?:\s+[A-Z][A-Za-z.'’\-]*){0,3}),?\s+"
    r"(?P<region>[A-Z]{2})\.?,?\s+(?P<postcode>\d{5}(?:-\d{4})?)\b"
)
_AU_LOCALITY = re.compile(
    r"^[,\s]*(?P<city>[A-Z][A-Za-z'’\-]*(?:\s+[A-Z][A-Za-z'’\-]*){0,3}),?\s+"
    r"(?P<region>VIC|NSW|QLD|SA|WA|TAS|NT|ACT),?\s+(?P<postcode>\d{4})\b"
)
_UK_LOCALITY = re.compile(
    r"^[,\s]*(?P<city>[A-Z][A-Za-z'’\-]*(?:\s+[A-Z][A-Za-z'’\-]*){0,3}),?\s+"
    r"(?:(?P<region>[A-Z][A-Za-z]+(?:shire)?),?\s+)?"
    r"(?P<postcode>[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b"
)
_COUNTRY_NAMES = {
    "us": "US", "usa": "US", "united states": "US", "united states of america": "US",
    "uk": "GB", "gb": "GB", "united kingdom": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "great britain": "GB", "au": "AU", "australia": "AU", "ca": "CA",
    "canada": "CA", "ie": "IE", "ireland": "IE", "nz": "NZ", "new zealand": "NZ",
}
_TLD_COUNTRY = {"uk": "GB", "au": "AU", "ca": "CA", "ie": "IE", "nz": "NZ"}
_DIGIT = re.compile(r"\d")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•]\s+")
_BUSINESS_WORDS = re.compile(
    r"clinic|spa|aesthetic|dermatolog|skin|med|beauty|wellness|institute|studio|cent(?:er|re)"
    r"|laser|surgery|salon|bar|lounge",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Evidence:
    page_url: str
    quote: str


@dataclass(frozen=True)
class Identity:
    name: str | None = None
    phone: str | None = None
    street_address: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phone_evidence: Evidence | None = None
    address_evidence: Evidence | None = None
    source: str = "text"

    def as_columns(self) -> dict[str, Any]:
        """The identity fields that the clinics table stores."""
        return {
            "phone": self.phone,
            "street_address": self.street_address,
            "city": self.city,
            "region": self.region,
            "postcode": self.postcode,
            "country": self.country,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }


def extract_identity(pages: Iterable[Page]) -> Identity:
    pages = list(pages)
    found: dict[str, Any] = {}
    source = "text"
    business = _structured_business(pages)
    if business:
        found.update({k: v for k, v in business.items() if v not in (None, "")})
        source = "schema.org"
    country = found.get("country") or _country_from_urls(pages)

    if not found.get("street_address"):
        address = _address_from_text(pages)
        if address:
            found.update({k: v for k, v in address.items() if v and not found.get(k)})
    country = found.get("country") or country or _country_from_address(found)

    raw_phone = found.pop("telephone", None)
    phone, phone_evidence = _phone(pages, raw_phone, country)
    if phone and not country:
        country = phonenumbers.region_code_for_number(phonenumbers.parse(phone))
    found["country"] = country

    name = found.pop("name", None) or _name_from_titles(pages)
    address_evidence = found.pop("address_evidence", None) or _evidence_for(
        pages, found.get("street_address")
    )
    return Identity(
        name=_clean(name),
        phone=phone,
        phone_evidence=phone_evidence,
        address_evidence=address_evidence,
        source=source,
        **{k: found.get(k) for k in (
            "street_address", "city", "region", "postcode", "country", "latitude", "longitude"
        )},
    )


# -- schema.org --------------------------------------------------------------------------------

def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "properties" in node and "type" in node and "@type" not in node:
            # extruct microdata shape: {"type": ".../LocalBusiness", "properties": {...}}
            types = node["type"] if isinstance(node["type"], list) else [node["type"]]
            flat = {"@type": [str(t).rsplit("/", 1)[-1] for t in types], **node["properties"]}
            yield from _walk(flat)
            return
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _types(item: dict[str, Any]) -> list[str]:
    kind = item.get("@type", [])
    return [str(k) for k in (kind if isinstance(kind, list) else [kind])]


def _structured_business(pages: list[Page]) -> dict[str, Any] | None:
    candidates = []
    for page in pages:
        for item in _walk(list(page.structured)):
            types = _types(item)
            if any(_BUSINESS_TYPES.search(t) for t in types) and (
                item.get("address") or item.get("telephone")
            ):
                candidates.append(item)
    if not candidates:
        return None
    item = max(candidates, key=lambda i: bool(i.get("address")) + bool(i.get("telephone")))
    found: dict[str, Any] = {"name": _text(item.get("name")), "telephone": _text(item.get("telephone"))}
    address = item.get("address")
    if isinstance(address, list):
        address = address[0] if address else None
    if isinstance(address, dict):
        found.update(
            street_address=_text(address.get("streetAddress")),
            city=_text(address.get("addressLocality")),
            region=_text(address.get("addressRegion")),
            postcode=_text(address.get("postalCode")),
            country=_country_code(_text(address.get("addressCountry"))),
        )
    elif isinstance(address, str):
        parsed = _parse_address(address)
        if parsed:
            found.update(parsed)
    geo = item.get("geo")
    if isinstance(geo, list):
        geo = geo[0] if geo else None
    if isinstance(geo, dict):
        found["latitude"] = _number(geo.get("latitude"))
        found["longitude"] = _number(geo.get("longitude"))
    return found


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if value is None:
        return None
    return " ".join(str(value).split()) or None


def _number(value: Any) -> float | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if -180.0 <= number <= 180.0 else None


def _country_code(value: str | None) -> str | None:
    if not value:
        return None
    key = value.strip().lower().rstrip(".")
    if key in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[key]
    return value.upper() if len(value) == 2 else None


# -- phone ---------------------------------------------------------------------------------

def _phone(
    pages: list[Page], structured: str | None, country: str | None
) -> tuple[str | None, Evidence | None]:
    region = country or "US"
    number = e164(structured, region)
    if not number:
        tel_numbers = Counter(
            n for page in pages for raw in page.tel_links if (n := e164(raw, region))
        )
        number = tel_numbers.most_common(1)[0][0] if tel_numbers else None
    text_numbers: Counter[str] = Counter()
    evidence: dict[str, Evidence] = {}
    for page in pages:
        line_start = 0
        for line in page.text.split("\n"):
            for formatted, start in _numbers_in_line(line, region):
                text_numbers[formatted] += 1
                if formatted not in evidence:
                    evidence[formatted] = Evidence(page.url, _sentence_at(page.text, line_start + start))
            line_start += len(line) + 1
    if not number and text_numbers:
        number = text_numbers.most_common(1)[0][0]
    return number, evidence.get(number) if number else None


@lru_cache(maxsize=8192)
def _numbers_in_line(line: str, region: str) -> tuple[tuple[str, int], ...]:
    """Phone numbers (E.164) in one line of page text, with their offsets in the line.

    Matching is the costliest step of scoring, and sites repeat the same header and footer
    lines on every page, so each distinct line is matched once; a line without a digit has no
    number. Text is stored one block per line, so a number never spans lines.
    """
    if not _DIGIT.search(line):
        return ()
    return tuple(
        (phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164), match.start)
        for match in phonenumbers.PhoneNumberMatcher(line, region, leniency=phonenumbers.Leniency.VALID)
    )


def e164(raw: str | None, region: str | None = "US") -> str | None:
    """A phone number in E.164 form (``region`` reads national numbers), or None."""
    if not raw:
        return None
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# -- address -------------------------------------------------------------------------------

def _parse_address(text: str) -> dict[str, str] | None:
    street = _STREET.search(text)
    if not street:
        return None
    found = {"street_address": street.group(0).strip().rstrip(",")}
    rest = text[street.end():]
    for pattern, country in ((_US_LOCALITY, "US"), (_AU_LOCALITY, "AU"), (_UK_LOCALITY, "GB")):
        locality = pattern.match(rest)
        if locality:
            found.update({k: v for k, v in locality.groupdict().items() if v})
            found["country_hint"] = country
            break
    return found


def _address_from_text(pages: list[Page]) -> dict[str, Any] | None:
    seen: Counter[tuple[str, ...]] = Counter()
    first: dict[tuple[str, ...], dict[str, Any]] = {}
    for page in pages:
        for street in _STREET.finditer(page.text):
            parsed = _parse_address(page.text[street.start(): street.end() + 80])
            if not parsed:
                continue
            key = (parsed["street_address"], parsed.get("city", ""))
            # An address with its locality is worth more than a bare street line.
            seen[key] += 3 if parsed.get("city") else 1
            if key not in first:
                parsed["address_evidence"] = Evidence(page.url, _sentence_at(page.text, street.start()))
                first[key] = parsed
    if not seen:
        return None
    return first[seen.most_common(1)[0][0]]


def _country_from_address(found: dict[str, Any]) -> str | None:
    return found.pop("country_hint", None)


def _country_from_urls(pages: list[Page]) -> str | None:
    for page in pages:
        host = urlsplit(page.url).hostname or ""
        tld = host.rsplit(".", 1)[-1]
        if tld in _TLD_COUNTRY:
            return _TLD_COUNTRY[tld]
    return None


# -- name and evidence -----------------------------------------------------------------------

def _name_from_titles(pages: list[Page]) -> str | None:
    if not pages:
        return None
    home = min(pages, key=lambda p: (len(urlsplit(p.url).path.strip("/")), p.url))
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(home.title or "") if p.strip()]
    if not parts:
        return None
    named = [p for p in parts if _BUSINESS_WORDS.search(p) and p.lower() not in ("home", "welcome")]
    return (named[-1] if len(named) > 1 and len(named[0].split()) > 6 else (named or parts)[0])


def _evidence_for(pages: list[Page], fragment: str | None) -> Evidence | None:
    if not fragment:
        return None
    for page in pages:
        position = page.text.find(fragment)
        if position >= 0:
            return Evidence(page.url, _sentence_at(page.text, position))
    return None


def _sentence_at(text: str, offset: int) -> str:
    index = SentenceIndex(text)
    position = index.at(offset)
    if position is None:
        line_start = text.rfind("\n", 0, offset) + 1
        line_end = text.find("\n", offset)
        return text[line_start: line_end if line_end >= 0 else len(text)].strip()
    return index.sentence_text(position)


def _clean(value: str | None) -> str | None:
    return " ".join(value.split()) if value else None
