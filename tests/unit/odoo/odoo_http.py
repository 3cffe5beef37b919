"""Tiny loopback servers standing in for Odoo at the HTTP level: one that answers from a function,
one that accepts connections and never answers, and a port nobody listens on."""

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-encoded unless bytes
    headers: dict[str, str] = field(default_factory=dict)


Answer = Callable[[Request], Reply]


@contextmanager
def http_server(answer: Answer) -> Iterator[tuple[str, list[Request]]]:
    """An HTTP server on 127.0.0.1; yields its URL and the requests it received."""
    received: list[Request] = []

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = Request(self.command, self.path, dict(self.headers), json.loads(raw) if raw else None)
            received.append(request)
            reply = answer(request)
            payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            for name, value in {"Content-Type": "application/json", **reply.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def silent_server() -> Iterator[str]:
    """Accepts connections (the kernel does, from the backlog) and never answers: a hung Odoo."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def unused_port_url() -> str:
    """A loopback port that was free a moment ago: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def json_rpc(result: Any = None, error: dict[str, Any] | None = None) -> Reply:
    """A JSON-RPC answer, the way Odoo's /jsonrpc wraps results and errors."""
    if error is not None:
        return Reply(
            body={"jsonrpc": "2.0", "id": 1, "error": {"code": 200, "message": "Odoo Server Error", "data": error}}
        )
    return Reply(body={"jsonrpc": "2.0", "id": 1, "result": result})


def odoo_error(name: str, message: str) -> dict[str, Any]:
    return {"name": name, "message": message, "arguments": [message], "debug": "Traceback…"}
