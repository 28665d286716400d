"""The Datasette instance: the project's database under the configuration in ``data/``."""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import yaml
from datasette.app import Datasette
from datasette.database import Database

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DATABASE_NAME = "clinics"  # URLs say /clinics/..., whatever the file is called
# How Datasette counts the rows of a list (CountExtra) and of each table (table_counts): up to a
# limit, through a subquery that copies every column of every row it counts.
_COUNT_OF_EVERY_COLUMN = re.compile(r"select count\(\*\) from \(select \* (from .+) limit (\d+)\)", re.S)
_COMPOUND = re.compile(r"\b(union|intersect|except)\b", re.I)


def count_without_columns(sql: str) -> str:
    """``sql`` unchanged, unless it is Datasette's count of a list: then the same count, of
    rows that carry no column.

    Copying every column of the 10,001 rows it counts took 3.6 ms of a ranked list's page at
    100,000 clinics (5 ms filtered by a criterion, 12 ms for the wide clinics table), where
    counting rows without columns reads an index alone: 0.35 ms. A count of rows cannot depend
    on their columns. A compound select (``union``…) is left alone: there, the columns are
    part of which rows there are.
    """
    count = _COUNT_OF_EVERY_COLUMN.fullmatch(sql)
    if count is None or _COMPOUND.search(count[1]):
        return sql
    return f"select count(*) from (select 1 {count[1]} limit {count[2]})"


class DirectoryDatabase(Database):
    """The served database, whose row counts and table shapes are reused until a write, and
    whose lists are counted without copying their columns (``count_without_columns``).

    Datasette counts up to 10,001 rows of every table (``Database.table_counts``) for the list
    of tables that each stored-query page and the database page carry: some 40 ms per page at
    100,000 clinics. For the same list it asks each table's columns, primary keys and full-text
    index, one SQLite round trip each: some 40 round trips, 3–4 ms a page; and which tables are
    hidden and every foreign key, another 4 ms. Each table page asks again for its table's
    column details, foreign keys, kind and definition: another 2 ms of round trips, about 6% of
    the ranked list with a facet. All of it only changes when the file does, so
    it is kept with the size and modification time of the database and its WAL, and read again
    when those change.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (what was asked, of what) -> (file state, answer)
        self._kept: dict[tuple[Any, ...], tuple[tuple[int, ...], Any]] = {}

    async def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        return await super().execute(count_without_columns(sql), *args, **kwargs)

    def _file_state(self) -> tuple[int, ...]:
        state: list[int] = []
        for path in (self.path, f"{self.path}-wal"):
            try:
                found = os.stat(path)
                state += [found.st_mtime_ns, found.st_size]
            except FileNotFoundError:
                state += [0, 0]
        return tuple(state)

    async def _reused(self, ask: Callable[..., Awaitable[Any]], *args: Any,
                      keep: Callable[[Any], bool] = lambda answer: True) -> Any:
        """What ``ask(*args)`` answered while the file was as it is now, else its new answer
        (kept if ``keep``). A list or dict comes as a copy: Datasette's callers may change it."""
        question = (ask.__name__, *args)
        state = self._file_state()
        known = self._kept.get(question)
        if known and known[0] == state:
            answer = known[1]
        else:
            answer = await ask(*args)
            if keep(answer):
                self._kept[question] = (state, answer)
        return answer.copy() if isinstance(answer, list | dict) else answer

    async def table_counts(self, limit: int = 10) -> dict[str, int | None]:
        # A count that timed out (None) is tried again next time.
        return await self._reused(super().table_counts, limit, keep=lambda counts: None not in counts.values())

    async def table_columns(self, table: str) -> list[str]:
        return await self._reused(super().table_columns, table)

    async def primary_keys(self, table: str) -> list[str]:
        return await self._reused(super().primary_keys, table)

    async def fts_table(self, table: str) -> str | None:
        return await self._reused(super().fts_table, table)

    async def hidden_table_names(self) -> list[str]:
        return await self._reused(super().hidden_table_names)

    async def get_all_foreign_keys(self) -> dict[str, Any]:
        return await self._reused(super().get_all_foreign_keys)

    async def table_column_details(self, table: str) -> list[Any]:
        return await self._reused(super().table_column_details, table)

    async def foreign_keys_for_table(self, table: str) -> list[dict[str, Any]]:
        return await self._reused(super().foreign_keys_for_table, table)

    async def table_exists(self, table: str) -> bool:
        return await self._reused(super().table_exists, table)

    async def view_exists(self, table: str) -> bool:
        return await self._reused(super().view_exists, table)

    async def get_table_definition(self, table: str, type_: str = "table") -> str | None:
        return await self._reused(super().get_table_definition, table, type_)


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8")) or {}


def make_datasette(db_path: str | Path, *, public: bool = False) -> Datasette:
    """Datasette over ``db_path`` with ``data/``'s config, metadata, templates and plugins.

    ``public`` turns arbitrary SQL off: visitors get the stored queries and the tables only.
    """
    config = _load("datasette.yaml")
    if public:
        config["allow_sql"] = False
    datasette = Datasette(
        config=config,
        metadata=_load("metadata.yaml"),
        template_dir=str(DATA_DIR / "templates"),
        plugins_dir=str(DATA_DIR / "plugins"),
        static_mounts=[("static", str(DATA_DIR / "static"))],
    )
    datasette.add_database(DirectoryDatabase(datasette, path=str(db_path), is_mutable=True), name=DATABASE_NAME)
    return datasette


def keep_startup_objects_out_of_gc() -> None:
    """Move every object alive now out of the garbage collector's sight, for a server to call
    once started.

    A Datasette process holds some 55,000 objects from its imports, plugins and templates, and
    every full collection walks them all: 13–20 ms on a 2-core machine, about once every 50
    requests, added to whichever request triggers it. Frozen (``gc.freeze``, after collecting
    what is already garbage), they are never walked again; requests' own garbage still is.
    """
    gc.collect()
    gc.freeze()
