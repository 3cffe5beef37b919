"""How a call reaches Odoo. One interface, `Transport`, for JSON-RPC through odoorpc (17, 18, 19)
and JSON-2 (19+, see json2.py); both count their HTTP requests and raise only `OdooUnavailable`
or `OdooRefused`.

Calls have `execute_kw`'s shape: positional arguments (a record method's ids first) and keyword
arguments. Positional is the safe way over JSON-RPC: `create` takes its values only positionally
there, and overrides rename parameters (`res.company.write(values)`, `res.config.settings.default_get(fields)`).
JSON-2 has only names; json2.py names the positional arguments of the methods Wardstock calls.
"""

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import odoorpc
from odoorpc.error import RPCError

from .errors import OdooRefused, OdooUnavailable, credentials_refused, from_odoo_error, from_transport_error
from .settings import OdooSettings


@dataclass(frozen=True)
class SignedIn:
    version: str  # e.g. '17.0' or 'saas~18.2'
    uid: int
    tz: str | None  # the user's time zone: dates typed in Odoo are midnight there


class Transport(Protocol):
    @property
    def requests(self) -> int:
        """HTTP requests sent so far, signing in included."""

    def login(self) -> SignedIn: ...

    def call(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any: ...


class CountingOpener:
    """A urllib opener that counts the requests it sends (odoorpc accepts an opener)."""

    def __init__(self) -> None:
        self.requests = 0
        self._opener = urllib.request.build_opener()

    def open(self, request: urllib.request.Request, timeout: float | None = None) -> Any:
        self.requests += 1
        return self._opener.open(request, timeout=timeout)


class JsonRpcTransport:
    """odoorpc: `/jsonrpc` with the password or API key sent on every call, so no session can expire."""

    def __init__(self, settings: OdooSettings) -> None:
        self._settings = settings
        self._opener = CountingOpener()
        self._odoo: odoorpc.ODOO | None = None

    @property
    def requests(self) -> int:
        return self._opener.requests

    def login(self) -> SignedIn:
        settings = self._settings
        with mapped_errors(self._settings):
            odoo = odoorpc.ODOO(
                settings.host,
                protocol="jsonrpc+ssl" if settings.ssl else "jsonrpc",
                port=settings.port,
                timeout=settings.timeout,
                opener=self._opener,
            )
            try:
                odoo.login(settings.database, settings.login, settings.secret)
            except RPCError as error:
                if not error.info:  # odoorpc's own "Wrong login ID or password"
                    raise credentials_refused(settings.login) from error
                raise
        self._odoo = odoo
        return SignedIn(str(odoo.version), odoo.env.uid, odoo.env.context.get("tz") or None)

    def call(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if self._odoo is None:
            raise RuntimeError("JsonRpcTransport.call before login.")
        with mapped_errors(self._settings):
            return self._odoo.execute_kw(model, method, args, kwargs)


@contextmanager
def mapped_errors(settings: OdooSettings) -> Iterator[None]:
    """Turns odoorpc's and urllib's exceptions into ours; anything else (a bug) passes unchanged."""
    try:
        yield
    except (OdooUnavailable, OdooRefused):
        raise
    except RPCError as error:
        if not isinstance(error.info, dict):
            raise
        raise from_odoo_error(error.info.get("data") or {}, settings.login) from error
    except Exception as error:
        mapped = from_transport_error(error, settings.url, settings.timeout)
        if mapped is None:
            raise
        raise mapped from error
