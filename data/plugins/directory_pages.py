"""What the directory's pages need beyond Datasette's own: our stylesheet, the criteria and the
home page's top clinics, the facts the near page shows, and search snippets highlighted safely."""

import html
import json
import re

from datasette import hookimpl
from markupsafe import Markup  # Datasette's (and Jinja's) own HTML-safety type

DATABASE = "clinics"
# The search query marks matched words with these private-use characters (see datasette.yaml).
# The snippet is escaped first, then the markers become <mark>: no crawled text becomes HTML.
MATCH_START, MATCH_END = "\ue000", "\ue001"
_MATCHED = re.compile(f"{MATCH_START}(.*?){MATCH_END}", re.DOTALL)


def highlight(text):
    """Escaped text with matched words in <mark>; stray markers are dropped.

    The search template applies it to the snippet as Datasette displays it: crawled text as a
    plain string, or markup Datasette already made and escaped (``&nbsp;`` for an empty
    snippet, a link for one that is a lone http(s) URL), from which only the markers go.
    (A ``render_cell`` hook would do it too, but Datasette calls that hook for every cell of
    every page, some 1,500 calls for one page of the ranked list.)
    """
    if isinstance(text, Markup):
        return Markup(str(text).replace(MATCH_START, "").replace(MATCH_END, ""))
    escaped = _MATCHED.sub(r"<mark>\1</mark>", html.escape(str(text)))
    return Markup(escaped.replace(MATCH_START, "").replace(MATCH_END, ""))


def http_url(url):
    """The URL if it is http(s), else "#": a crawled link never becomes javascript: or data:."""
    text = str(url or "").strip()
    return text if re.match(r"(?i)https?://", text) else "#"


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["http_url"] = http_url
    env.filters["highlight"] = highlight


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("/static/clinicscout.css")]


@hookimpl
def extra_template_vars(template, view_name, request, datasette):
    async def template_vars():
        db = datasette.get_database(DATABASE)
        criteria = [dict(row) for row in (await db.execute(
            'select id, name, "group", weight from criteria order by rowid'
        )).rows]
        found = {
            "criteria": criteria,
            "positive_total": sum(1 for c in criteria if c["weight"] >= 0),
        }
        if view_name == "index":
            found.update(await _home(datasette, db))
        if template == f"query-{DATABASE}-near.html":
            found.update(await _near(db, request))
        return found

    if DATABASE not in datasette.databases:
        return {}
    return template_vars


async def _home(datasette, db):
    top_sql = datasette.config["databases"][DATABASE]["queries"]["top_clinics"]["sql"]
    top = await db.execute(top_sql)
    counts = (await db.execute("select count(*) from clinics where score is not null")).first()
    return {"top_clinics": [dict(row) for row in top.rows], "clinic_count": counts[0]}


async def _near(db, request):
    """What the near page says of the search, read as the near query reads it (the functions
    of geo.py): the radius it used, which place its ZIP code is (None when not a US ZIP code we
    know) and the latitude and longitude (None unless both are degrees)."""
    args = request.args
    asked = {"zip": args.get("zip") or "", "km": args.get("km"), "lat": args.get("lat"), "lon": args.get("lon")}
    found = (await db.execute(
        "select substr(trim(:zip), 1, 5) as zip, near_radius_km(:km) as km,"
        " degrees_within(:lat, 90) as lat, degrees_within(:lon, 180) as lon,"
        " (select json_object('zip', zip, 'city', city, 'state', state)"
        "  from zip_codes where zip = substr(trim(:zip), 1, 5)) as place", asked)).first()
    position = (found["lat"], found["lon"]) if None not in (found["lat"], found["lon"]) else None
    return {"near_zip": found["zip"] or None, "near_place": json.loads(found["place"] or "null"),
            "near_km": found["km"], "near_position": position}
