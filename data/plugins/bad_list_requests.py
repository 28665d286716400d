"""A list asked for a count by a column it lacks, or for a page that is not one, answers 400.

Datasette answers ``?_facet=nosuch`` with "Error 500: no such column: nosuch", and a view's
``?_next=zzz`` (a view pages by row offset) with "Error 500: invalid literal for int()": both
are the request's fault, not the server's, and say nothing a visitor can act on. These answer
400 with what was wrong, through Datasette's own error page (and JSON error shape). Only a
request that failed is checked, so lists that work pay nothing.
"""

from datasette import hookimpl
from datasette.handle_exception import handle_exception as datasette_error_page
from datasette.utils.asgi import BadRequest

_FACET_OPTIONS = ("_facet", "_facet_array", "_facet_date")


async def _problem(datasette, request):
    """What is wrong with the list this request asked for, or None (also when it is no list:
    a stored query's address names it as a table's would, and so does a page of no database)."""
    try:
        database = datasette.get_database(route=request.url_vars["database"])
    except KeyError:
        return None
    table = request.url_vars["table"]
    is_view = await database.view_exists(table)
    if not (is_view or await database.table_exists(table)):
        return None
    columns = await database.table_columns(table)
    for option in _FACET_OPTIONS:
        for column in request.args.getlist(option):
            if column not in columns:
                return f"This list has no column “{column}” to count by."
    next_page = request.args.get("_next")
    if next_page is not None and is_view and not next_page.isdigit():
        return f"“{next_page}” is not a page of this list: start again from its first page."
    return None


@hookimpl(tryfirst=True)
def handle_exception(datasette, request, exception):
    if "table" not in request.url_vars or "database" not in request.url_vars:
        return None

    async def answer():
        problem = await _problem(datasette, request)
        if problem is None:
            return None
        return await datasette_error_page(datasette, request, BadRequest(problem))()

    return answer
