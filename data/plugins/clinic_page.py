"""The clinic page: a clinic's checklist with evidence, for the row template of ``clinics``.

Practitioners (with their NPI registry match) and the score history over crawls are shown
when the database has those tables and rows for the clinic.
"""

from datasette import hookimpl

# The groups of ../shared/criteria.md, in its order.
GROUP_ORDER = ["relevance", "practitioner", "safety", "comfort", "care", "published info", "red flag"]

CHECKLIST_SQL = """
select c.id, c.name, c."group", c.weight, c.description,
       coalesce(v.met, 0) as met, v.page_url, v.quote, v.rule
from criteria c
left join verdicts v on v.criterion = c.id and v.clinic_id = :clinic_id
order by c.rowid
"""

PRACTITIONERS_SQL = """
select p.name, p.credentials, p.role, p.page_url, p.quote,
       m.npi, m.taxonomy_code, m.taxonomy_description, m.license_state, m.status,
       m.confidence, m.found, m.reason
from practitioners p
left join npi_matches m on m.clinic_id = p.clinic_id and m.practitioner = p.name
where p.clinic_id = :clinic_id
order by p.name
"""

SCORE_HISTORY_SQL = """
select h.crawl_id, coalesce(c.finished, c.started) as crawled, h.score, h.rank, h.criteria_met
from score_history h
left join crawls c on c.id = h.crawl_id
where h.clinic_id = :clinic_id
order by h.crawl_id desc
limit 50
"""


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if view_name != "row" or table != "clinics":
        return {}

    async def clinic_vars():
        db = datasette.get_database(database)
        clinic_id = request.url_vars.get("pks", "")
        clinic = (await db.execute("select * from clinics where id = :id", {"id": clinic_id})).first()
        rows = (await db.execute(CHECKLIST_SQL, {"clinic_id": clinic_id})).rows
        groups = {name: [] for name in GROUP_ORDER}
        for row in rows:
            groups.setdefault(row["group"], []).append(dict(row))
        tables = set(await db.table_names())  # one look-up, not one per optional table

        async def rows_of(sql, needed):
            if not needed <= tables:
                return []
            return [dict(row) for row in (await db.execute(sql, {"clinic_id": clinic_id})).rows]

        return {
            "clinic": dict(clinic) if clinic else None,
            "checklist_groups": [(name, items) for name, items in groups.items() if items],
            "practitioners": await rows_of(PRACTITIONERS_SQL, {"practitioners", "npi_matches"}),
            "score_history": await rows_of(SCORE_HISTORY_SQL, {"score_history", "crawls"}),
        }

    return clinic_vars

