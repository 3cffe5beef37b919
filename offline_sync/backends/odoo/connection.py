"""One signed-in connection to Odoo: its version, read once, and a counted `call`."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .json2 import Json2Transport
from .settings import OdooSettings
from .transport import JsonRpcTransport, Transport


@dataclass(frozen=True)
class OdooVersion:
    """What differs between the Odoo versions Wardstock talks to (odoo-rpc-notes §0)."""

    major: int

    @classmethod
    def parse(cls, text: str) -> "OdooVersion":
        """'17.0', '18.0+e', 'saas~18.2' → the major version."""
        found = re.search(r"\d+", text)
        if found is None:
            raise ValueError(f"Cannot read an Odoo version from {text!r}.")
        return cls(int(found.group()))

    @property
    def storable(self) -> dict[str, Any]:
        """Product values (and, as a domain, the filter) for a storable product."""
        return {"detailed_type": "product"} if self.major <= 17 else {"type": "consu", "is_storable": True}

    @property
    def moves_have_name(self) -> bool:
        """`stock.move.name` is required up to 18 and gone in 19."""
        return self.major <= 18

    @property
    def has_group_on_records(self) -> bool:
        """`res.users.has_group` is a model method on 17, a record method from 18."""
        return self.major >= 18


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
