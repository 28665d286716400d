"""The Datasette instance: the project's database under the configuration in ``data/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from datasette.app import Datasette
from datasette.database import Database

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DATABASE_NAME = "clinics"  # URLs say /clinics/..., whatever the file is called


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
    datasette.add_database(Database(datasette, path=str(db_path), is_mutable=True), name=DATABASE_NAME)
    return datasette
