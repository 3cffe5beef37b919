"""Odoo 19's JSON-2 API: `POST /json/2/<model>/<method>`, an API key as bearer token, the database
in `X-Odoo-Database`, the method's keyword arguments (plus `ids`, `context`) as the JSON body.
Success is HTTP 200 with the bare result; an error is 4xx/5xx with `{name, message, arguments, context,
debug}` (19.0) or a bare JSON string (later code): errors.from_json2_error reads both.
"""

import json
import urllib.request
from typing import Any
from urllib.error import HTTPError

from .errors import OdooRefused, OdooUnavailable, from_json2_error
from .settings import OdooSettings
from .transport import CountingOpener, SignedIn, mapped_errors

# The names of the positional arguments Wardstock passes, per method (record methods take `ids` first).
MODEL_METHODS: dict[str, tuple[str, ...]] = {
    "create": ("vals_list",),
    "default_get": ("fields",),
    "search": ("domain",),
    "search_count": ("domain",),
    "search_read": ("domain",),
    "web_search_read": ("domain", "specification"),
    "load": ("fields", "data"),
    "context_get": (),
}
RECORD_METHODS: dict[str, tuple[str, ...]] = {
    "write": ("vals",),
    "web_save": ("vals", "specification"),
    "read": ("fields",),
    "web_read": ("specification",),
    "has_group": ("group_ext_id",),
}


def body_for(method: str, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The JSON-2 body for an `execute_kw`-shaped call; methods not listed take at most the ids positionally."""
    if method in MODEL_METHODS:
        names: tuple[str, ...] = MODEL_METHODS[method]
    else:
        names = ("ids", *RECORD_METHODS.get(method, ()))
    if len(args) > len(names):
        raise ValueError(
            f"JSON-2 needs names for the arguments of {method}: add them to json2.MODEL_METHODS or RECORD_METHODS."
        )
    return {**dict(zip(names, args)), **kwargs}


class Json2Transport:
    def __init__(self, settings: OdooSettings) -> None:
        self._settings = settings
        self._opener = CountingOpener()

    @property
    def requests(self) -> int:
        return self._opener.requests

    def login(self) -> SignedIn:
        """The version from `/web/version`, then the user's context, which also proves the key (a wrong one is a 401)."""
        version = self._request("GET", "/web/version", None)
        context = self.call("res.users", "context_get", [], {})
        return SignedIn(str(version.get("version") or ""), int(context["uid"]), context.get("tz") or None)

    def call(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        return self._request("POST", f"/json/2/{model}/{method}", body_for(method, args, kwargs))

    def _request(self, verb: str, path: str, body: dict[str, Any] | None) -> Any:
        settings = self._settings
        request = urllib.request.Request(
            settings.url + path,
            data=None if body is None else json.dumps(body).encode(),
            method=verb,
            headers={
                "Authorization": f"bearer {settings.secret}",
                "X-Odoo-Database": settings.database,
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Wardstock",
            },
        )
        with mapped_errors(settings):
            try:
                with self._opener.open(request, timeout=settings.timeout) as response:
                    return json.loads(response.read())
            except HTTPError as error:
                raise self._error(error) from error

    def _error(self, error: HTTPError) -> OdooRefused | OdooUnavailable | HTTPError:
        """Odoo's JSON error (an object or a bare string); otherwise the HTTP error itself (a transport failure)."""
        try:
            body = json.loads(error.read())
        except ValueError:
            body = None
        return from_json2_error(error.code, body, self._settings.login) or error
