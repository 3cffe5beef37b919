"""One signed-in connection to Odoo: its version, read once, and a counted `call`."""

from collections.abc import Callable
from typing import Any

from .json2 import Json2Transport
from .settings import OdooSettings
from .transport import JsonRpcTransport, Transport
from .versions import OdooVersion


class Connection:
    """`call(model, method, *args, **kwargs)` as `execute_kw`; `requests` counts every HTTP request, signing in included."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        signed_in = transport.login()
        self.version = OdooVersion.parse(signed_in.version)
        self.uid = signed_in.uid
        self.tz = signed_in.tz

    @property
    def requests(self) -> int:
        return self._transport.requests

    def call(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return self._transport.call(model, method, list(args), kwargs)


def make_transport(settings: OdooSettings) -> Transport:
    if settings.transport == "json2":
        return Json2Transport(settings)
    if settings.transport != "jsonrpc":
        raise ValueError(f"Unknown Odoo transport {settings.transport!r}: use jsonrpc or json2.")
    return JsonRpcTransport(settings)


def connect(settings: OdooSettings, transport: Callable[[OdooSettings], Transport] = make_transport) -> Connection:
    """Sign in; raises `OdooUnavailable` when Odoo cannot be reached or refuses the login."""
    return Connection(transport(settings))
