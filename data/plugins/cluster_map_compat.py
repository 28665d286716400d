"""Lets datasette-cluster-map 0.18.2 load its markers from Datasette 1.0a41.

The map script asks for ``?_extra=next_url``; Datasette 1.0a41 always sends ``next_url`` and
answers 400 to that unknown extra, so the map stayed empty. Dropping it from the query string
of JSON requests is all it takes. Remove this when the plugin stops asking for it.
"""

from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl

UNKNOWN_EXTRA = ("_extra", "next_url")


@hookimpl
def asgi_wrapper():
    def wrap(app):
        async def without_next_url_extra(scope, receive, send):
            if scope["type"] == "http" and scope.get("path", "").endswith(".json"):
                query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                if UNKNOWN_EXTRA in query:
                    kept = [pair for pair in query if pair != UNKNOWN_EXTRA]
                    scope = {**scope, "query_string": urlencode(kept).encode("latin-1")}
            await app(scope, receive, send)

        return without_next_url_extra

    return wrap
