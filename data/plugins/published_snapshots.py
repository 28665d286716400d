"""Serve each new copy of a database file from the request after it appears, without a restart.

``clinicscout publish`` renames a new snapshot over the served file. Datasette's connections stay
on the file they opened: the replaced one, whose data the kernel keeps while it is open. So
before each request, the path of every file database is looked up again (one ``stat``, a few
microseconds), and when it names another file than the one opened, the database is swapped for
a new one on that path. Queries already running finish on the old file; its connections are
closed once no request can be using them (``close_replaced_after_seconds``), which frees the
replaced file's disk space.
"""

import asyncio
import os
import threading

from datasette import hookimpl

PLUGIN = "published-snapshots"
# Each query stops at sql_time_limit_ms (1 s): no request lasts half a minute.
CLOSE_REPLACED_AFTER_SECONDS = 30.0


def _file_identity(path):
    found = os.stat(path)
    return found.st_dev, found.st_ino


def _file_databases(datasette):
    return [(name, db) for name, db in datasette.databases.items()
            if db.path and not db.is_memory and not db.is_temp_disk]


def _note_opened_files(datasette):
    for _, db in _file_databases(datasette):
        try:
            db.published_snapshot_file = _file_identity(db.path)
        except OSError:
            db.published_snapshot_file = None


def follow_replaced_files(datasette, loop):
    """Swap each file database whose path now names another file for a new one on that path;
    close the old one's connections later, on a thread (closing waits for its queries)."""
    for name, db in _file_databases(datasette):
        try:
            current = _file_identity(db.path)
        except OSError:
            continue  # gone, or mid-way through a move: keep serving what is open
        opened = getattr(db, "published_snapshot_file", None)
        if opened is None:  # added since startup, or missing then
            db.published_snapshot_file = current
            continue
        if current == opened:
            continue
        fresh = type(db)(datasette, path=db.path, is_mutable=db.is_mutable, mode=db.mode)
        fresh.name, fresh.route = db.name, db.route
        fresh.published_snapshot_file = current
        # As Datasette's add_database does: a new dict, never a changed one, for readers.
        datasette.databases = {**datasette.databases, name: fresh}
        grace = (datasette.plugin_config(PLUGIN) or {}).get(
            "close_replaced_after_seconds", CLOSE_REPLACED_AFTER_SECONDS)
        loop.call_later(grace, lambda old=db: threading.Thread(target=old.close, daemon=True).start())


@hookimpl
def startup(datasette):
    _note_opened_files(datasette)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def follow_then_serve(scope, receive, send):
            if scope["type"] == "http":
                follow_replaced_files(datasette, asyncio.get_running_loop())
            await app(scope, receive, send)

        return follow_then_serve

    return wrap
