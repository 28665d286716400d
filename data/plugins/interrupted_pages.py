"""A page whose query Datasette stops at ``sql_time_limit_ms`` says so in plain words.

Datasette answers a stopped table query with "Error 500 QueryInterrupted: interrupted", and a
stopped stored query with its SQL in a text box and a pointer to the setting, even when the
query hides its SQL: neither is for a patient who searched "acne scars" on a busy server. The
directory's tables, rows and stored queries answer 503 instead, with what happened and what to
try (the HTML page from ``interrupted.html``, JSON in Datasette's error shape, plain text as
CSV). Arbitrary SQL keeps Datasette's own page: whoever wrote the SQL wants to see it.
"""

from datasette import Response, hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import error_body
from datasette.views.base import DatasetteError

STATUS = 503  # the request was fine; the server would not spend longer on it


def _stopped_query(exception):
    """Whether ``exception`` says a query was stopped: a table's QueryInterrupted, or the
    DatasetteError a stored query's becomes (which does not chain it)."""
    return isinstance(exception, QueryInterrupted) or (
        isinstance(exception, DatasetteError) and exception.title == "SQL Interrupted")


def _time_limit_ms(datasette, request):
    """The limit the query ran under: the setting, or a lower ``?_timelimit=``, as Datasette
    applies them."""
    limit = datasette.setting("sql_time_limit_ms")
    asked = request.args.get("_timelimit", "")
    return min(limit, int(asked)) if asked.isdigit() and int(asked) > 0 else limit


def _duration(ms):
    if ms < 1000:
        return f"{ms} millisecond{'' if ms == 1 else 's'}"
    return "1 second" if ms == 1000 else f"{ms / 1000:g} seconds"


async def _title(datasette, database, name):
    """A stored query's title, a table's title from the metadata, else its name."""
    stored = await datasette.get_query(database, name)
    if stored is not None:
        return stored.title or name
    return (await datasette.get_resource_metadata(database, name)).get("title") or name


@hookimpl
def handle_exception(datasette, request, exception):
    if not _stopped_query(exception) or "table" not in request.url_vars:
        return None

    async def answer():
        limit = _duration(_time_limit_ms(datasette, request))
        message = (f"This page took longer than {limit} to prepare, the most this server "
                   "spends on one page, so it was stopped.")
        format_ = request.url_vars.get("format") or "html"
        if format_ == "json":
            return Response.json(error_body(message, STATUS), status=STATUS)
        if format_ != "html":
            return Response.text(message, status=STATUS)
        title = await _title(datasette, request.url_vars["database"], request.url_vars["table"])
        retry = request.path + (f"?{request.query_string}" if request.query_string else "")
        html = await datasette.render_template(
            "interrupted.html", {"title": title, "message": message, "retry": retry}, request=request)
        return Response.html(html, status=STATUS)

    return answer
