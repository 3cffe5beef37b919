"""A small HTTP/1.1 client on asyncio streams for the load generator: one keep-alive connection per
simulated handheld, the standard library only, and little enough work per request that the
generator leaves the two cores to the server it measures. Loopback use only."""
import asyncio
from dataclasses import dataclass, field


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)  # name=value of each Set-Cookie

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Connection:
    """One connection to the server, opened again when the server closed it or it sat idle longer
    than `idle_limit` (keep it below the server's keep-alive timeout)."""

    def __init__(self, host: str, port: int, idle_limit: float = 4.0) -> None:
        self.host, self.port, self.idle_limit = host, port, idle_limit
        self.reconnects = 0  # a reused connection the server had closed: sent again once, as browsers do
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._last_used = 0.0

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"",
                      timeout: float = 30.0) -> Response:
        async with asyncio.timeout(timeout):
            loop = asyncio.get_running_loop()
            reused = self._writer is not None and loop.time() - self._last_used < self.idle_limit
            if not reused:
                await self._open()
            try:
                response = await self._exchange(method, path, headers, body)
            except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as error:
                self.close()
                if not reused or (isinstance(error, asyncio.IncompleteReadError) and error.partial):
                    raise
                self.reconnects += 1
                await self._open()
                response = await self._exchange(method, path, headers, body)
            except BaseException:
                self.close()
                raise
            self._last_used = loop.time()
            return response

    async def _open(self) -> None:
        self.close()
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def _exchange(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Response:
        assert self._reader is not None and self._writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", *(f"{k}: {v}" for k, v in headers.items())]
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        version, status = status_line.split(" ", 2)[:2]
        response_headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            response_headers[name] = value
            if name == "set-cookie":
                cookie_name, _, cookie_value = value.split(";", 1)[0].partition("=")
                cookies[cookie_name.strip()] = cookie_value.strip()
        code = int(status)
        keep_alive = version == "HTTP/1.1" and response_headers.get("connection", "").lower() != "close"
        if response_headers.get("transfer-encoding", "").lower() == "chunked":
            payload = await self._chunked()
        elif "content-length" in response_headers:
            payload = await self._reader.readexactly(int(response_headers["content-length"]))
        elif code in (204, 304) or method == "HEAD":
            payload = b""
        else:
            payload, keep_alive = await self._reader.read(), False
        if not keep_alive:
            self.close()
        return Response(code, response_headers, payload, cookies)

    async def _chunked(self) -> bytes:
        assert self._reader is not None
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")  # no trailers from our server
                return b"".join(parts)
            parts.append((await self._reader.readexactly(size + 2))[:-2])
