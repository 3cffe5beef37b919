"""The JSON-RPC transport (odoorpc) over real loopback sockets: Odoo down, hung, restarting behind a
proxy, refusing the login, and answering with its own errors, each turned into an outcome a person
or the worker can act on. No Odoo needed."""

import time
from collections.abc import Callable

import pytest
from odoo_fakes import CANNULA, STORE, WARD
from odoo_http import Reply, Request, http_server, json_rpc, odoo_error, silent_server, unused_port_url

from offline_sync.backends.contract import (
    BackendUnavailable,
    ConflictKind,
    ItemLine,
    OutcomeStatus,
    Transfer,
)
from offline_sync.backends.odoo.backend import OdooBackend
from offline_sync.backends.odoo.connection import connect
from offline_sync.backends.odoo.settings import OdooSettings
from offline_sync.backends.odoo.transport import mapped_errors

TRANSFER = Transfer("op-1", WARD, STORE, (ItemLine(CANNULA, 1, "L1"),))


def settings(url: str, timeout: float = 5.0) -> OdooSettings:
    return OdooSettings(url, "ward", "wardstock", "secret", timeout=timeout)


def test_connection_refused_is_transient() -> None:
    url = unused_port_url()

    outcome = OdooBackend(settings(url)).transfer(TRANSFER)

    assert outcome.status == OutcomeStatus.TRANSIENT
    assert (
        outcome.message == f"Odoo at {url} refuses connections; it may be down or restarting. It will be tried again."
    )


def test_a_hung_odoo_times_out_as_transient() -> None:
    with silent_server() as url:
        started = time.monotonic()
        outcome = OdooBackend(settings(url, timeout=0.3)).transfer(TRANSFER)
        waited = time.monotonic() - started

    assert outcome.status == OutcomeStatus.TRANSIENT
    assert "did not answer within 0.3 s" in outcome.message and "recognised by its key" in outcome.message
    assert waited < 3


def test_a_catalog_pull_from_an_odoo_that_is_down_raises_backend_unavailable() -> None:
    with pytest.raises(BackendUnavailable, match="refuses connections"):
        OdooBackend(settings(unused_port_url())).catalog()


def _odoo(execute: dict[str, Reply], uid: int | bool = 2) -> Callable[[Request], Reply]:
    """Odoo's JSON-RPC as odoorpc uses it: version, login, the user's context, then `execute_kw` by method."""

    def answer(request: Request) -> Reply:
        if request.path == "/web/webclient/version_info":
            return json_rpc({"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""]})
        params = request.body["params"]
        if params["service"] == "common":
            return json_rpc(uid)
        if params["method"] == "execute":
            return json_rpc({"lang": "en_US", "tz": "Europe/London", "uid": 2})
        return execute[params["args"][4]]

    return answer


def test_odoo_restarting_behind_a_proxy_is_transient() -> None:
    gateway = Reply(502, b"<html><body>502 Bad Gateway</body></html>", {"Content-Type": "text/html"})
    with http_server(_odoo({"search_read": gateway})) as (url, _):
        outcome = OdooBackend(settings(url)).transfer(TRANSFER)

    assert outcome.status == OutcomeStatus.TRANSIENT and "HTTP 502" in outcome.message


def test_a_wrong_password_or_api_key_keeps_commands_queued() -> None:
    with http_server(_odoo({}, uid=False)) as (url, _):
        outcome = OdooBackend(settings(url)).transfer(TRANSFER)

    assert outcome.status == OutcomeStatus.TRANSIENT
    assert "refused the login of wardstock" in outcome.message and "password or API key" in outcome.message


@pytest.mark.parametrize(
    ("name", "message", "expected"),
    [
        (
            "odoo.exceptions.UserError",
            "You need to supply a Lot/Serial Number for product: IVC-20G.",
            "Odoo refused it: You need to supply a Lot/Serial Number for product: IVC-20G.",
        ),
        (
            "odoo.exceptions.ValidationError",
            "Reference must be unique per company!",
            "Odoo refused it: Reference must be unique per company!",
        ),
        (
            "odoo.exceptions.AccessError",
            "You are not allowed to modify 'Transfer' (stock.picking) records.",
            (
                "The Odoo user Wardstock signs in as is not allowed to do this (You are not allowed to modify "
                "'Transfer' (stock.picking) records); an Odoo administrator must give it the Inventory Administrator role."
            ),
        ),
    ],
)
def test_odoo_s_refusals_become_conflicts_a_storekeeper_can_read(name: str, message: str, expected: str) -> None:
    with http_server(_odoo({"search_read": json_rpc(error=odoo_error(name, message))})) as (url, _):
        outcome = OdooBackend(settings(url)).transfer(TRANSFER)

    assert (outcome.status, outcome.conflict, outcome.message) == (
        OutcomeStatus.CONFLICT,
        ConflictKind.NOT_PERMITTED,
        expected,
    )


def test_a_database_that_is_busy_is_transient() -> None:
    error = odoo_error("psycopg2.errors.SerializationFailure", "could not serialize access due to concurrent update")
    with http_server(_odoo({"search_read": json_rpc(error=error)})) as (url, _):
        outcome = OdooBackend(settings(url)).transfer(TRANSFER)

    assert outcome.status == OutcomeStatus.TRANSIENT and "busy or restarting" in outcome.message


def test_the_connection_reads_the_version_and_time_zone_once_and_counts_requests() -> None:
    with http_server(_odoo({"search_read": json_rpc([{"id": 1}])})) as (url, received):
        odoo = connect(settings(url))
        assert odoo.call("stock.picking", "search_read", [("id", "=", 1)], fields=["name"]) == [{"id": 1}]

    assert (odoo.version.major, odoo.uid, odoo.tz, odoo.requests) == (17, 2, "Europe/London", 4)
    execute_kw = received[-1].body["params"]["args"]
    assert execute_kw[3:] == ["stock.picking", "search_read", [[["id", "=", 1]]], {"fields": ["name"]}]
    assert execute_kw[2] == "secret"  # the password or API key travels with every call: no session to expire


def test_errors_that_are_bugs_are_not_hidden() -> None:
    """An exception that is neither a network failure nor an answer from Odoo is ours: it passes unchanged."""
    with pytest.raises(ValueError, match="a bug"), mapped_errors(settings("http://127.0.0.1:9")):
        raise ValueError("a bug")


def test_a_page_that_is_not_json_is_transient() -> None:
    """A captive portal or a proxy's maintenance page answered 200."""
    maintenance = Reply(200, b"<html>Maintenance</html>", {"Content-Type": "text/html"})
    with http_server(lambda _request: maintenance) as (url, _):
        outcome = OdooBackend(settings(url)).transfer(TRANSFER)

    assert outcome.status == OutcomeStatus.TRANSIENT and "could not be reached" in outcome.message
