"""Datasette at directory scale: synthetic clinics through storage, then timed requests.

The clinics are spread over real US ZIP codes (from the ``zipcodes`` package) with plausible
scores, verdicts with quotes and the pages of their sites (14–25 each, about 20 on average, with
each quote on the page its verdict names), inserted by ``Storage.bulk_insert``. Requests go to
Datasette's ASGI app under the project's configuration (``clinicscout.web.make_datasette``)
through one HTTP client that lasts the whole run, as a server's app lasts (see
``_time_paths``), for the pages patients load: the ranked list with its facets and filters, the search and near-ZIP stored queries, a clinic page. The map
page and the raw clinics table (every column, for data users) are timed too, without a target.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx2
import zipcodes

from bench.stats import percentile
from bench.synthetic import (
    BLOG_SENTENCES,
    BLOG_TOPICS,
    CONCERNS,
    DEVICES,
    FIRST_NAMES,
    LAST_NAMES,
    LEGAL,
    NAME_KINDS,
    NAME_STARTS,
    SERUMS,
    SERVICES,
    TESTIMONIALS,
)
from clinicscout.storage import ClinicRecord, Storage
from clinicscout.web import DATABASE_NAME, keep_startup_objects_out_of_gc, make_datasette
from scoring import CRITERIA

# The words searched, with the share of the 100,000 clinics whose site says them.
SEARCH_TERM = "numbing"  # 45%: the anesthesia quote
EVERYWHERE_TERM = "microneedling"  # all
# 67%: the concerns on the home page ("acne scars"), the acne treatment page, the red flag's claim.
MID_TERM = "acne"
# Words patients type, each on many pages: "texture" (20%, a concern), "serum" (49%, the serum
# criterion's quote), "spa" (30%, names and service pages), "dermatology" (20%, names) and "skin"
# (every clinic, on more than half the pages: a million matches). Far too many matches to rank:
# the search walks the directory in rank order until 50 clinics match.
COMMON_TERMS = ("texture", "serum", "spa", "dermatology", "skin")
# Two common words, as a patient types a concern: 39%.
COMMON_PHRASE = "acne scars"
# In 3% of the clinics' names (and so on their home pages): too many matches to rank, few enough
# to read one by one rather than walk, the costliest kind of search.
READ_TERM = "glow"
# Quotes a met verdict may carry, by criterion; anything else gets a generic sentence.
_QUOTES = {
    "anesthesia": "Before microneedling we apply a topical numbing cream for twenty minutes.",
    "serum_or_mask": "Each microneedling session ends with {serum}.",
    "sterile_equipment": "Every microneedling cartridge is sterile and single-use.",
    "fda_cleared_device": "We use the {device}, an FDA-cleared microneedling device.",
    "board_certified": "Dr. {person} is a board-certified dermatologist.",
    "pricing": "Microneedling is ${price} per session.",
    "unrealistic_claims": "One microneedling session removes all acne scars forever, guaranteed.",
}


def _places() -> list[dict[str, Any]]:
    return [z for z in zipcodes.list_all() if z["zip_code_type"] == "STANDARD" and z["active"] and z["lat"]]


# Where a clinic's site says what a met criterion quotes, by criterion or else by its group (the
# microneedling page for the rest): the page a crawl finds it on.
_QUOTED_ON = {
    "practitioner": "/team", "pricing": "/pricing", "aftercare": "/aftercare",
    "side_effects": "/aftercare", "treatment_plan": "/aftercare", "contact_info": "/contact",
}


def _site_pages(rnd: random.Random, website: str, name: str, kind: str, place: dict[str, Any],
                quotes: dict[str, list[str]]) -> list[dict[str, Any]]:
    """A clinic's website as a crawl stores it: home, the microneedling page, the pages the
    quotes are on, several other treatments, blog posts and the legal pages; 14–25 pages, about
    20 on average, near the 24 a crawl of a real clinic's site keeps."""
    city, state = place["city"].title(), place["state"]
    texts = {
        "/": (name, f"{name} is a {kind} in {city}, {state}. We treat {rnd.choice(CONCERNS)} and "
                    f"{rnd.choice(CONCERNS)} with microneedling. {rnd.choice(TESTIMONIALS)}"),
        "/microneedling": ("Microneedling", "Microneedling, or collagen induction therapy, uses fine "
                           "needles to prompt the skin to renew itself."),
        "/team": ("Our Team", "Meet the people who will look after your skin."),
        "/pricing": ("Pricing", "Prices for every treatment we offer, before you book."),
        "/aftercare": ("Aftercare", "What to do in the days after your treatment."),
        "/contact": ("Contact", f"Visit us in {city}, {state}, or call to book a consultation."),
    }
    for page, sentences in quotes.items():
        title, text = texts[page]
        texts[page] = (title, " ".join([text, *sentences]))
    for slug, title, sentences in rnd.sample(SERVICES, rnd.randint(4, 9)):
        texts[f"/{slug}"] = (title, " ".join(sentences).format(clinic=name, city=city))
    for topic in rnd.sample(BLOG_TOPICS, rnd.randint(2, 8)):
        slug = re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-")
        texts[f"/blog/{slug}"] = (topic, " ".join(rnd.sample(BLOG_SENTENCES, 4)))
    texts["/privacy"] = ("Privacy Policy", " ".join(LEGAL[:5]))
    texts["/terms"] = ("Terms of Use", " ".join(LEGAL[5:]))
    return [{"url": website + path, "title": title, "text": text, "status": 200,
             "fetched_at": "2025-01-01T00:00:00+00:00", "structured": "[]", "tel_links": "[]"}
            for path, (title, text) in texts.items()]


def synthetic_clinics(count: int, seed: int = 0) -> Iterator[ClinicRecord]:
    """``count`` assessed clinics in real US places, each with its site's pages, deterministic
    for a seed."""
    rnd = random.Random(f"directory-{seed}")
    places = _places()
    # Clinics cluster in cities: a few thousand places hold most of them.
    popular = rnd.sample(places, min(len(places), max(50, count // 25)))
    for number in range(count):
        place = rnd.choice(popular) if rnd.random() < 0.9 else rnd.choice(places)
        kind_word, kind = rnd.choice(NAME_KINDS)
        name = f"{rnd.choice(NAME_STARTS)} {kind_word} {place['city'].title()}"
        values = {"serum": rnd.choice(SERUMS), "device": rnd.choice(DEVICES),
                  "person": f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}",
                  "price": rnd.choice((250, 300, 350, 450))}
        website = f"https://{re.sub(r'[^a-z0-9]+', '-', name.lower())}-{number}.example"
        offers = rnd.random() < 0.9
        strength = rnd.random()
        verdicts = []
        quotes: dict[str, list[str]] = {}
        for criterion in CRITERIA:
            if criterion.id == "offers_microneedling":
                met = offers
            elif criterion.weight < 0:
                met = rnd.random() < 0.06
            else:
                met = offers and rnd.random() < strength
            quote = _QUOTES.get(criterion.id, f"Our team explains {criterion.name.lower()} at every visit.")
            quote = quote.format(**values) if met else None
            page = _QUOTED_ON.get(criterion.id) or _QUOTED_ON.get(criterion.group, "/microneedling")
            if met:
                quotes.setdefault(page, []).append(quote)
            verdicts.append({
                "criterion": criterion.id, "met": int(met),
                "page_url": f"{website}{page}" if met else None,
                "quote": quote,
                "rule": "synthetic" if met else None,
            })
        weights = {c.id: c.weight for c in CRITERIA}
        positive = sum(w for w in weights.values() if w > 0)
        earned = sum(weights[v["criterion"]] for v in verdicts if v["met"] and weights[v["criterion"]] > 0)
        red_flags = sum(1 for v in verdicts if v["met"] and weights[v["criterion"]] < 0)
        pages = _site_pages(rnd, website, name, kind, place, quotes)
        yield ClinicRecord(
            clinic={
                "name": name, "website": website,
                "score": max(0, round(100 * earned / positive) - 15 * red_flags),
                "offers_microneedling": int(offers), "red_flags": red_flags,
                "criteria_met": sum(1 for v in verdicts if v["met"] and weights[v["criterion"]] >= 0),
                "phone": f"+1{place['area_codes'][0] if place['area_codes'] else '512'}{rnd.randint(2000000, 9999999)}",
                "street_address": f"{rnd.randint(100, 9999)} Main Street", "city": place["city"].title(),
                "region": place["state"], "postcode": place["zip_code"], "country": "US",
                "latitude": float(place["lat"]) + rnd.uniform(-0.02, 0.02),
                "longitude": float(place["long"]) + rnd.uniform(-0.02, 0.02),
                "source": "benchmark", "pages_crawled": len(pages),
                "last_crawled": "2025-01-01T00:00:00+00:00", "crawl_status": "ok",
            },
            pages=pages,
            verdicts=verdicts,
        )


def build_directory(db_path: Path, clinics: int, seed: int = 0) -> dict[str, Any]:
    """A fresh database of ``clinics`` synthetic clinics; returns how long the insert took."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    storage = Storage(db_path)
    started = time.perf_counter()
    inserted = storage.bulk_insert(synthetic_clinics(clinics, seed))
    seconds = time.perf_counter() - started
    storage.db.execute("ANALYZE")  # what a finished crawl leaves for the query planner
    storage.close()
    return {"clinics": inserted, "insert_seconds": seconds, "clinics_per_s": inserted / seconds}


async def _probe(datasette: Any) -> dict[str, tuple[str, bool]]:
    """The pages to time, as a patient loads them (HTML): label -> (path, held to the target)."""
    db = datasette.get_database(DATABASE_NAME)
    row = (await db.execute("select id, postcode from clinics where rank is not null "
                            "order by rank limit 1 offset 100")).first()
    # A place few clinics are in: a search with a handful of matches.
    rare = (await db.execute("select city from clinics where city not like '% %' group by city "
                             "having count(*) = 2 order by city limit 1")).first()[0]
    criterion = "anesthesia"  # one of the list's "only clinics whose website says…" links
    base = f"/{DATABASE_NAME}"
    return {
        "ranked list": (f"{base}/directory", True),
        f"ranked list ?_facet={criterion}": (f"{base}/directory?_facet={criterion}", True),
        f"ranked list ?{criterion}=1": (f"{base}/directory?{criterion}=1", True),
        "ranked list ?region=TX": (f"{base}/directory?region=TX", True),
        f"search {SEARCH_TERM} (half the clinics)": (f"{base}/search?" + urlencode({"q": SEARCH_TERM}), True),
        f"search {EVERYWHERE_TERM} (all clinics)": (f"{base}/search?" + urlencode({"q": EVERYWHERE_TERM}), True),
        f"search {MID_TERM} (two thirds of the clinics)": (f"{base}/search?" + urlencode({"q": MID_TERM}), True),
        **{f"search {term} (common word)": (f"{base}/search?" + urlencode({"q": term}), True)
           for term in COMMON_TERMS},
        f"search {COMMON_PHRASE} (two common words)": (f"{base}/search?" + urlencode({"q": COMMON_PHRASE}), True),
        f"search {READ_TERM} (3% of the clinics, read)": (f"{base}/search?" + urlencode({"q": READ_TERM}), True),
        f"search {rare} (2 clinics)": (f"{base}/search?" + urlencode({"q": rare}), True),
        "near a ZIP, 25 km": (f"{base}/near?" + urlencode({"zip": row["postcode"], "km": 25}), True),
        "clinic page": (f"{base}/clinics/{row['id']}", True),
        "map page": (f"{base}/clinic_map", False),
        "clinics table (data users)": (f"{base}/clinics", False),
    }


async def _time_paths(db_path: Path, repeats: int) -> dict[str, Any]:
    datasette = make_datasette(db_path)
    await datasette.invoke_startup()
    paths = await _probe(datasette)
    keep_startup_objects_out_of_gc()  # as `clinicscout serve` does
    # A server (uvicorn) builds Datasette's ASGI app once and serves every request with it.
    # The test client (``datasette.client``) builds a new HTTP client and a new app, with all
    # its routes and plugin hooks, for each request: 2–3 ms a page that no visitor waits for.
    # So the timed requests go through one client over one app, as a server's would.
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=datasette.app()),
                                  base_url="http://localhost") as client:
        return await _time_with(client, paths, datasette.setting("num_sql_threads"), repeats)


async def _time_with(client: httpx2.AsyncClient, paths: dict[str, tuple[str, bool]],
                     connections: int, repeats: int) -> dict[str, Any]:
    # Datasette runs SQL on a pool of threads, one SQLite connection each, and a connection
    # prepares a statement the first time it runs it: the search query takes 0.15-0.25 s to
    # prepare, then stays in the connection's statement cache. The percentiles are the steady
    # state, after one request per connection; the first request is reported as "cold_ms".
    results: dict[str, Any] = {}
    for label, (path, targeted) in paths.items():
        started = time.perf_counter()
        response = await client.get(path)
        cold_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            results[label] = {"available": False, "path": path, "error": f"HTTP {response.status_code}"}
            continue
        for _ in range(connections - 1):
            await client.get(path)
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = await client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        results[label] = {
            "available": True, "path": path, "requests": repeats, "target": targeted,
            "p50_ms": percentile(timings, 50), "p95_ms": percentile(timings, 95), "cold_ms": cold_ms,
        }
    return results


def time_requests(db_path: Path, repeats: int) -> dict[str, Any]:
    """p50/p95 in ms of each page over ``repeats`` requests once every connection is warm, and
    the first request's time."""
    return asyncio.run(_time_paths(db_path, repeats))
