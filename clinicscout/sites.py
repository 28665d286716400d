"""Serve folders of static clinic sites on 127.0.0.1, one port per site.

Behaves like common static hosts: ``/about`` is ``about``, else ``about.html``, else the folder
``about/`` (redirected to the trailing slash and its ``index.html``). Used by the demo, the tests
and the evaluation; the sites themselves are never fetched from anywhere else.
"""

from __future__ import annotations

import os
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any


class StaticSiteHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "clinicscout-static"
    sys_version = ""

    def translate_path(self, path: str) -> str:
        resolved = super().translate_path(path)
        if not os.path.exists(resolved) and os.path.isfile(resolved + ".html"):
            return resolved + ".html"
        return resolved

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


class ServedSites:
    """``with ServedSites(folder) as sites: sites.urls["slug"]`` → ``http://127.0.0.1:PORT/``."""

    def __init__(self, folder: str | Path, slugs: list[str] | None = None) -> None:
        self.folder = Path(folder)
        names = slugs or sorted(p.name for p in self.folder.iterdir() if p.is_dir())
        self.slugs = names
        self.urls: dict[str, str] = {}
        self._servers: list[_Server] = []

    def start(self) -> ServedSites:
        for slug in self.slugs:
            handler = partial(StaticSiteHandler, directory=str(self.folder / slug))
            server = _Server(("127.0.0.1", 0), handler)
            threading.Thread(target=server.serve_forever, name=f"site-{slug}", daemon=True).start()
            self._servers.append(server)
            self.urls[slug] = f"http://127.0.0.1:{server.server_address[1]}/"
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> ServedSites:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
