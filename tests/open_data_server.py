"""A real HTTP server on 127.0.0.1 that answers as the Overpass API and the NPI registry would.

Each route is a function of the request (method, path, query, form body) returning a Reply:
a status, headers, a body (JSON-able, or raw bytes for malformed answers) and an optional delay
(for timeouts). Every request is recorded, so tests can say what the client sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


Route = Callable[[Received], Reply]


class OpenDataServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.received: list[Received] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._answer("GET", b"")

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                self._answer("POST", self.rfile.read(length))

            def _answer(self, method: str, body: bytes) -> None:
                parts = urlsplit(self.path)
                request = Received(
                    method, parts.path,
                    {k: v[0] for k, v in parse_qs(parts.query).items()},
                    {k: v[0] for k, v in parse_qs(body.decode()).items()},
                    dict(self.headers.items()),
                )
                server.received.append(request)
                route = server.routes.get(parts.path)
                reply = route(request) if route else Reply({"error": "no such route"}, 404)
                if reply.delay:
                    time.sleep(reply.delay)
                raw = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> OpenDataServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def route(self, path: str, answer: Route | Reply | list[Reply]) -> None:
        """Answer ``path`` with a function, a fixed reply, or replies in turn (the last repeats)."""
        if isinstance(answer, Reply):
            self.routes[path] = lambda request: answer
        elif isinstance(answer, list):
            replies = list(answer)
            self.routes[path] = lambda request: replies.pop(0) if len(replies) > 1 else replies[0]
        else:
            self.routes[path] = answer

    def requests_to(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]
