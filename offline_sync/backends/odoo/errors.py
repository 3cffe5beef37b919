"""What can go wrong talking to Odoo, said so that a storekeeper (or whoever reads the outbox) can act.

Two families only: `OdooUnavailable` (nothing was decided: retry later, it is safe because every
write carries its key) and `OdooRefused` (Odoo answered and said no: a person has to look).
"""

import http.client
import json
import socket
from typing import Any
from urllib.error import HTTPError, URLError

# Odoo errors that say "not now" rather than "no": database busy, restarting, lock contention.
_TRANSIENT_SERVER_ERRORS = (
    "OperationalError",
    "SerializationFailure",
    "LockNotAvailable",
    "InterfaceError",
    "LockError",
)


class OdooUnavailable(Exception):
    """Odoo could not be reached, did not answer in time, is restarting, or refused our login."""


class OdooRefused(Exception):
    """Odoo answered with an error: `error` is its short class name (UserError, AccessError…)."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(sentence_for(error, message))
        self.error = error
        self.odoo_message = message


def sentence_for(error: str, message: str) -> str:
    message = message.strip()
    bare = message.rstrip(".")
    if error in ("UserError", "ValidationError", "RedirectWarning"):
        return f"Odoo refused it: {message}" + ("" if message.endswith((".", "!", "?")) else ".")
    if error == "AccessError":
        return (
            f"The Odoo user Wardstock signs in as is not allowed to do this ({bare}); "
            "an Odoo administrator must give it the Inventory Administrator role."
        )
    if error == "MissingError":
        return f"A record this needs was deleted in Odoo meanwhile ({bare}); refresh the catalog and scan again."
    return f"Odoo failed with an internal error ({error}: {bare}); tell the Odoo administrator."


def from_odoo_error(data: dict[str, Any], login: str = "") -> OdooRefused | OdooUnavailable:
    """The exception for the error object Odoo returns (`error.data` in JSON-RPC, the body in JSON-2)."""
    name = str(data.get("name") or "")
    short = name.rsplit(".", 1)[-1] or "Error"
    message = str(data.get("message") or (data.get("arguments") or [""])[0] or "no message")
    if short == "AccessDenied":
        return credentials_refused(login)
    if short in _TRANSIENT_SERVER_ERRORS:
        return OdooUnavailable(f"Odoo is busy or restarting ({short}: {message}); it will be tried again.")
    return OdooRefused(short, message)


# A JSON-2 error that is a bare JSON string (later Odoo code) says what it is by its HTTP status alone:
# Odoo's exception classes carry these statuses (UserError 422, AccessError 403, MissingError 404).
_REFUSALS_BY_STATUS = {400: "UserError", 403: "AccessError", 404: "MissingError", 422: "UserError"}
_BUSY_STATUSES = (409, 429, 502, 503, 504)


def from_json2_error(status: int, body: Any, login: str = "") -> OdooRefused | OdooUnavailable | None:
    """The exception for a JSON-2 error answer: Odoo 19.0's object `{name, message, arguments, context,
    debug}`, or a bare JSON string with the status code; None for a body that is neither (a proxy's page)."""
    if status == 401:
        return credentials_refused(login)
    if isinstance(body, dict) and body.get("name"):
        return from_odoo_error(body, login)
    if not isinstance(body, str):
        return None
    if status in _BUSY_STATUSES:
        return OdooUnavailable(f"Odoo is busy or restarting (HTTP {status}: {body}); it will be tried again.")
    return OdooRefused(_REFUSALS_BY_STATUS.get(status, f"HTTP {status}"), body)


def credentials_refused(login: str) -> OdooUnavailable:
    """A wrong password or API key stops every command alike: they stay queued until it is fixed."""
    return OdooUnavailable(
        f"Odoo refused the login of {login or 'the configured user'}; "
        "check the password or API key in Wardstock's settings. Commands stay queued until then."
    )


def from_transport_error(error: BaseException, url: str, timeout: float) -> OdooUnavailable | None:
    """The sentence for a failure below Odoo (network, HTTP, proxy page); None if it is none of those."""
    if isinstance(error, HTTPError):
        return OdooUnavailable(
            f"Odoo at {url} answered HTTP {error.code} ({error.reason}); it may be restarting or misconfigured. "
            "It will be tried again."
        )
    reason = error.reason if isinstance(error, URLError) else error
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return OdooUnavailable(
            f"Odoo at {url} did not answer within {timeout:g} s; it will be tried again "
            "(safely: a command that did arrive is recognised by its key)."
        )
    if isinstance(reason, ConnectionRefusedError):
        return OdooUnavailable(
            f"Odoo at {url} refuses connections; it may be down or restarting. It will be tried again."
        )
    if isinstance(error, URLError) or isinstance(
        reason, (OSError, http.client.HTTPException, json.JSONDecodeError, UnicodeDecodeError)
    ):
        return OdooUnavailable(f"Odoo at {url} could not be reached ({reason}); it will be tried again.")
    return None
