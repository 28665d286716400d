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
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from scoring.pages import Page
from scoring.patterns import Pattern
from scoring.site import SiteText

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
# The words before a unit within a building: "Suite 300", "Ste. 4", "#12".
_UNIT = r"(?:Suite|Ste\.?|Unit|Building|Bldg\.?|Floor|Fl\.?|#)"
# A house number at a word's start: "\b\d{1,6}", written so that it begins with the digit, which
# the regular expression engine skips ahead to (the lookbehind then checks what \b would).
_STREET = Pattern(
    r"\d(?<!\w\d)\d{0,5}[A-Za-z]?(?:[\-–]\d{1,6})?[ \t]+(?:[NSEW]\.?[ \t]+)?(?:[A-Z0-9][\w'’.\-]*[ \t]+){0,5}"
    + _STREET_SUFFIX
    + r"\b\.?(?:[ \t]+(?:North|South|East|West|[NSEW]{1,2})\b\.?)?"
    rf"(?:,?[ \t]+{_UNIT}[ \t]*[\w\-]+)?",
    case_sensitive=True,
)
# Seven digits or more, perhaps grouped: the lines worth handing to phonenumbers.
_PHONE_LIKE = Pattern(r"\d(?:[ \t().\-/]{0,3}\d){6}", case_sensitive=True)
_US_LOCALITY = re.compile(
    r"^[,\s]*(?:[\n,]\s*)?(?P<city>[A-Z][A-Za-z.'’\-]*(?:\s+[A-Z][A-Za-z.'’\-]*){0,3}),?\s+"
    r"(?P<region>[A-Z]{2})\.?,?\s+(?P<postcode>\d{5}(?:-\d{4})?)\b"
)
_AU_LOCALITY = re.compile(
    r"^[,\s]*(?P<city>[A-Z][A-Za-z'’\-]*(?:\s+[A-Z][A-Za-z'’\-]*){0,3}),?\s+"
    r"(?P<region>VIC|NSW|QLD|SA|WA|TAS|NT|ACT),?\s+(?P<postcode>\d{4})\b"
)
_CA_LOCALITY = re.compile(
    r"^[,\s]*(?:[\n,]\s*)?(?P<city>[A-Z][A-Za-z.'’\-]*(?:\s+[A-Z][A-Za-z.'’\-]*){0,3}),?\s+"
    r"(?P<region>AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)\.?,?\s+(?P<postcode>[A-Z]\d[A-Z]\s?\d[A-Z]\d)\b"
)
_UK_LOCALITY = re.compile(
    r"^[,\s]*(?P<city>[A-Z][A-Za-z'’\-]*(?:\s+[A-Z][A-Za-z'’\-]*){0,3}),?\s+"
    r"(?:(?P<region>[A-Z][A-Za-z]+(?:shire)?),?\s+)?"
    r"(?P<postcode>[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b"
)
_US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ",
    "new mexico": "NM", "new york": "NY", "north carolina": "NC", "north dakota": "ND",
    "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI",
    "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT",
    "vermont": "VT", "virginia": "VA", "washington": "WA", "west virginia": "WV",
    "wisconsin": "WI", "wyoming": "WY", "district of columbia": "DC",
}
_CITY_STATE = Pattern(
    r"\b(?P<city>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}),\s+(?P<state>"
    + "|".join(name.title() for name in _US_STATES)
    # MD and PA are credentials more often than states after a comma ("Jane Doe, MD").
    + "|" + "|".join(sorted(set(_US_STATES.values()) - {"MD", "PA"}))
    + r")\b(?![\-\w]|\s+\d{5})",
    case_sensitive=True,
)
_COUNTRY_NAMES = {
    "us": "US", "usa": "US", "united states": "US", "united states of america": "US",
    "uk": "GB", "gb": "GB", "united kingdom": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "great britain": "GB", "au": "AU", "australia": "AU", "ca": "CA",
    "canada": "CA", "ie": "IE", "ireland": "IE", "nz": "NZ", "new zealand": "NZ",
}
_TLD_COUNTRY = {"uk": "GB", "au": "AU", "ca": "CA", "ie": "IE", "nz": "NZ"}
# A run of symbols between spaces ("Home | Clinic", "Home ✨ Clinic", "Home – Clinic"); a hyphen
# inside a word ("K-Glow") is no separator.
_TITLE_SEPARATORS = re.compile(r"\s+[^\w\s&'’.,()!?\"]+\s+|\s*[|·•]\s*")
_PLACE_WORDS = 3
_PLACE = re.compile(r"[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,2},?\s+[A-Z]{2}")
_BUSINESS_WORDS = re.compile(
    r"clinic|spa|aesthetic|dermatolog|skin|med|beauty|wellness|institute|studio|cent(?:er|re)"
    r"|laser|surgery|salon|bar|lounge|est[eé]tic|cl[ií]nic",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Evidence:
    page_url: str
    # None when the fact is only in the page's schema.org data: there is no sentence to quote.
    quote: str | None


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


def extract_identity(site: SiteText | Iterable[Page]) -> Identity:
    """The clinic's identity from its pages (in evidence order when given a SiteText)."""
    if not isinstance(site, SiteText):
        site = SiteText(site)
    pages = [p.page for p in site.pages]
    found: dict[str, Any] = {}
    source = "text"
    business = _structured_business(pages)
    if business:
        found.update({k: v for k, v in business.items() if v not in (None, "")})
        source = "schema.org"
    country = found.get("country") or _country_from_urls(pages)

    if not found.get("street_address"):
        address = _address_from_text(site)
        if address:
            found.update({k: v for k, v in address.items() if v and not found.get(k)})
    if not found.get("city"):
        found.update(_locality_from_text(site) or {})
    country = found.get("country") or country or _country_from_address(found)

    raw_phone = found.pop("telephone", None)
    phone, phone_evidence = _phone(site, raw_phone, country)
    if phone and not country:
        country = phonenumbers.region_code_for_number(phonenumbers.parse(phone))
    found["country"] = country

    name = found.pop("name", None) or _site_name(pages) or _name_from_titles(pages)
    if name:
        name = _without_place(name, found.get("city"))
    structured_page = found.pop("structured_page", None)
    street = found.get("street_address")
    # schema.org may give the full address while the page only says "on East Bay Street":
    # that visible sentence is the evidence, as quotes come from the text patients read.
    address_evidence = (
        found.pop("address_evidence", None)
        or _evidence_for(site, street)
        or _evidence_for(site, _street_name(street))
    )
    if address_evidence is None and structured_page and street:
        address_evidence = Evidence(structured_page, None)
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


def _distinct_items(pages: list[Page]) -> Iterator[tuple[dict[str, Any], str]]:
    """Each distinct schema.org item of the pages, with the first page that has it. Sites repeat
    their business's JSON-LD on every page, and an item seen again gives no candidate that could
    win: the first of equals does. The data is JSON's (dicts, lists, strings, numbers), whose
    repr tells equal items apart from the others, in C and far faster than walking them."""
    seen: set[str] = set()
    for page in pages:
        for item in page.structured:
            if (key := repr(item)) not in seen:
                seen.add(key)
                yield item, page.url


def _types(item: dict[str, Any]) -> list[str]:
    kind = item.get("@type", [])
    return [str(k) for k in (kind if isinstance(kind, list) else [kind])]


def _structured_business(pages: list[Page]) -> dict[str, Any] | None:
    candidates = []
    for top, page_url in _distinct_items(pages):
        for item in _walk(top):
            types = _types(item)
            if any(_BUSINESS_TYPES.search(t) for t in types) and (
                item.get("address") or item.get("telephone")
            ):
                candidates.append((item, page_url))
    if not candidates:
        return None
    item, page_url = max(candidates, key=lambda c: bool(c[0].get("address")) + bool(c[0].get("telephone")))
    found: dict[str, Any] = {"name": _text(item.get("name")), "telephone": _text(item.get("telephone")),
                             "structured_page": page_url}
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
    site: SiteText, structured: str | None, country: str | None
) -> tuple[str | None, Evidence | None]:
    """schema.org's number, else the number most linked (``tel:``) and shown across the pages.
    The evidence is the first sentence showing the chosen number."""
    region = country or "US"
    # A site links the same number from every page: each distinct link is parsed once (the
    # votes keep the order in which numbers first appear, which settles ties).
    links = Counter(raw for page in site.pages for raw in page.page.tel_links)
    votes: Counter[str] = Counter()
    for raw, count in links.items():
        if linked := e164(raw, region):
            votes[linked] += count
    evidence: dict[str, Evidence] = {}
    for line in site.lines_with(_PHONE_LIKE):
        for formatted, start in _numbers_in(site.lines[line], region):
            votes[formatted] += len(site.line_pages[line])
            if formatted not in evidence:
                evidence[formatted] = _evidence_at(site, line, start)
    number = e164(structured, region) or (votes.most_common(1)[0][0] if votes else None)
    return number, evidence.get(number) if number else None


def _numbers_in(line: str, region: str) -> tuple[tuple[str, int], ...]:
    """The valid phone numbers of a line (E.164, with where each starts)."""
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
    street = _STREET.regex.search(text)
    if not street:
        return None
    found = {"street_address": street.group(0).strip().rstrip(",")}
    rest = text[street.end():]
    for pattern, country in ((_US_LOCALITY, "US"), (_CA_LOCALITY, "CA"), (_AU_LOCALITY, "AU"),
                             (_UK_LOCALITY, "GB")):
        locality = pattern.match(rest)
        if locality:
            found.update({k: v for k, v in locality.groupdict().items() if v})
            found["country_hint"] = country
            break
    return found


def _address_from_text(site: SiteText) -> dict[str, Any] | None:
    """The street line shown most (with its locality, from the same or the next line)."""
    seen: Counter[tuple[str, ...]] = Counter()
    first: dict[tuple[str, ...], dict[str, Any]] = {}
    for line, street in site.find(_STREET):
        text = site.lines[line]
        parsed = _parse_address(text[street.start():] + "\n" + site.next_line(line))
        if not parsed:
            continue
        key = (parsed["street_address"], parsed.get("city", ""))
        # An address with its locality is worth more than a bare street line.
        seen[key] += (3 if parsed.get("city") else 1) * len(site.line_pages[line])
        if key not in first:
            parsed["address_evidence"] = _evidence_at(site, line, street.start())
            first[key] = parsed
    if not seen:
        return None
    return first[seen.most_common(1)[0][0]]


def _locality_from_text(site: SiteText) -> dict[str, str] | None:
    """City and state shown without a street ("Fresno, California"), the most shown one."""
    seen: Counter[tuple[str, str]] = Counter()
    for line, match in site.find(_CITY_STATE):
        region = _US_STATES.get(match["state"].lower(), match["state"].upper())
        seen[match["city"], region] += len(site.line_pages[line])
    if not seen:
        return None
    city, region = seen.most_common(1)[0][0]
    return {"city": city, "region": region, "country_hint": "US"}


def _country_from_address(found: dict[str, Any]) -> str | None:
    return found.pop("country_hint", None)


def _country_from_urls(pages: list[Page]) -> str | None:
    # A site's pages share their host: only the first page of each distinct start of URL (up to
    # its path, which holds the scheme and the host) is parsed.
    starts: set[str] = set()
    for page in pages:
        if (key := "/".join(page.url.split("/", 3)[:3])) in starts:
            continue
        starts.add(key)
        host = urlsplit(page.url).hostname or ""
        tld = host.rsplit(".", 1)[-1]
        if tld in _TLD_COUNTRY:
            return _TLD_COUNTRY[tld]
    return None


# -- name and evidence -----------------------------------------------------------------------

def _site_name(pages: list[Page]) -> str | None:
    """og:site_name or a schema.org WebSite's name, as the site names itself."""
    for page in pages:
        for item in page.structured:
            if "WebSite" in _types(item) and (name := _text(item.get("name"))):
                return name
    return None


def _name_from_titles(pages: list[Page]) -> str | None:
    """The title part that most page titles contain ("Microneedling | Lumen Dermatology", "FAQ |
    Lumen Dermatology"): the clinic's name, rather than a page's ("Home", "Inicio")."""
    titles = [f" {_fold(page.title)} " for page in pages if page.title]
    parts = list(dict.fromkeys(
        part.strip() for page in pages for part in _TITLE_SEPARATORS.split(page.title or "")
        if part.strip()))
    if not parts:
        return None
    # The parts in most titles. A part stops being counted once the titles left could not bring
    # it up to them: most parts are a page's own ("Home") and stop after two titles.
    most, tied = 0, []
    for part in parts:
        folded = f" {_fold(part)} "
        shown, unread = 0, len(titles)
        for title in titles:
            if shown + unread < most:
                break
            shown += folded in title
            unread -= 1
        else:
            if shown > most:
                most, tied = shown, [part]
            elif shown == most:
                tied.append(part)
    return max(tied, key=lambda part: (
        bool(_BUSINESS_WORDS.search(part)), not _PLACE.fullmatch(part), len(part.split())))  # the first of equals


_NOT_LETTERS = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    return " ".join(_NOT_LETTERS.sub(" ", text.casefold()).split())


def _without_place(name: str, city: str | None) -> str:
    """The name without the place titles add: "Lumen Dermatology, Austin TX" → "Lumen
    Dermatology"; "Glow Day Spa Fresno" → "Glow Day Spa" (but "Aesthetics of Chattanooga")."""
    head, _, tail = name.rpartition(",")
    if head and len(tail.split()) <= _PLACE_WORDS:
        name = head.strip()
    if city and name.lower().endswith(" " + city.lower()):
        rest = name[: -len(city)].rstrip()
        if len(rest.split()) >= 2 and rest.split()[-1].lower() not in ("of", "in", "at", "de"):
            name = rest
    return name


_HOUSE_NUMBER_AND_UNIT = re.compile(
    rf"^\s*\d{{1,6}}[A-Za-z]?(?:[\-–]\d{{1,6}})?\s+|,?\s+{_UNIT}.*$"
)


def _street_name(street_address: str | None) -> str | None:
    """ "145 East Bay Street, Suite 300" → "East Bay Street" (None unless a name is left)."""
    if not street_address:
        return None
    name = _HOUSE_NUMBER_AND_UNIT.sub("", street_address).strip(" ,")
    return name if name != street_address.strip() and len(name.split()) >= 2 else None


def _evidence_for(site: SiteText, fragment: str | None) -> Evidence | None:
    """The sentence showing ``fragment`` on the first page, first line that shows it (the line
    seen first in page order: the first of the site's lines that holds it)."""
    if not fragment or "\n" in fragment:  # a fragment lies within one line
        return None
    # A plain substring test of each line: a regular expression of the fragment would be
    # compiled anew for every site.
    for line, text in enumerate(site.lines):
        if fragment in text:
            return _evidence_at(site, line, text.find(fragment))
    return None


def _evidence_at(site: SiteText, line: int, offset: int) -> Evidence:
    """The sentence at ``offset`` of a line, quoted from the first page that shows it."""
    page = site.pages[site.line_pages[line][0]].page
    return Evidence(page.url, site.sentence_text(line, site.sentence_at(line, offset)))


def _clean(value: str | None) -> str | None:
    return " ".join(value.split()) if value else None
