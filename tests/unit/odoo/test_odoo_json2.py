"""The JSON-2 transport (Odoo 19's `/json/2/<model>/<method>`) against a fake HTTP server shaped after
Odoo 19's documented answers: no Odoo 19 is available here."""

from typing import Any

import pytest
from odoo_fakes import CANNULA, STORE, WARD
from odoo_http import Reply, Request, http_server

from offline_sync.backends.contract import ConflictKind, ItemLine, OutcomeStatus, Transfer
from offline_sync.backends.odoo.backend import OdooBackend
from offline_sync.backends.odoo.connection import connect
from offline_sync.backends.odoo.errors import OdooRefused, OdooUnavailable
from offline_sync.backends.odoo.json2 import body_for
from offline_sync.backends.odoo.settings import OdooSettings

KEY = "6578616d706c65206a736f6e20617069206b6579"


def settings(url: str) -> OdooSettings:
    return OdooSettings(url, "ward19", "wardstock", KEY, transport="json2")


def odoo19(calls: dict[str, Reply]) -> Any:
    def answer(request: Request) -> Reply:
        if request.path == "/web/version":
            return Reply(body={"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"})
        if request.headers.get("Authorization") != f"bearer {KEY}":
            return Reply(401, {"name": "werkzeug.exceptions.Unauthorized", "message": "Invalid apikey"})
        if request.path == "/json/2/res.users/context_get":
            return Reply(body={"lang": "en_US", "tz": "Europe/Brussels", "uid": 6})
        return calls[request.path]

    return answer


def test_calls_carry_the_key_the_database_and_named_arguments() -> None:
    with http_server(odoo19({"/json/2/stock.picking/write": Reply(body=True)})) as (url, received):
        odoo = connect(settings(url))
        assert odoo.call("stock.picking", "write", [14], {"origin": "WS-1"}, context={"lang": "en_US"}) is True

    assert (odoo.version.major, odoo.uid, odoo.tz, odoo.requests) == (19, 6, "Europe/Brussels", 3)
    assert not odoo.version.moves_have_name and odoo.version.storable == {"type": "consu", "is_storable": True}
    request = received[-1]
    assert (request.method, request.path) == ("POST", "/json/2/stock.picking/write")
    assert (request.headers["Authorization"], request.headers["X-Odoo-Database"]) == (f"bearer {KEY}", "ward19")
    assert request.body == {"ids": [14], "vals": {"origin": "WS-1"}, "context": {"lang": "en_US"}}


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "body"),
    [
        ("create", [[{"name": "L1"}]], {}, {"vals_list": [{"name": "L1"}]}),
        ("search_read", [[("id", "=", 1)]], {"fields": ["name"]}, {"domain": [("id", "=", 1)], "fields": ["name"]}),
        ("web_search_read", [[], {"name": {}}], {}, {"domain": [], "specification": {"name": {}}}),
        (
            "button_validate",
            [[14]],
            {"context": {"skip_backorder": True}},
            {"ids": [14], "context": {"skip_backorder": True}},
        ),
        (
            "web_save",
            [[], {"name": "x"}, {"name": {}}],
            {},
            {"ids": [], "vals": {"name": "x"}, "specification": {"name": {}}},
        ),
        ("search_count", [[("origin", "=", "WS-1")]], {}, {"domain": [("origin", "=", "WS-1")]}),
        ("load", [["name"], [["L1"]]], {}, {"fields": ["name"], "data": [["L1"]]}),
        ("default_get", [["group_stock_multi_locations"]], {}, {"fields": ["group_stock_multi_locations"]}),
    ],
)
def test_positional_arguments_get_their_json_2_names(method: str, args: list, kwargs: dict, body: dict) -> None:
    assert body_for(method, args, kwargs) == body


def test_a_method_whose_argument_names_are_unknown_is_a_bug_not_a_guess() -> None:
    with pytest.raises(ValueError, match="names for the arguments of action_frobnicate"):
        body_for("action_frobnicate", [[1], "x"], {})


def test_odoo_s_error_objects_become_refusals_with_its_message() -> None:
    error = Reply(422, {"name": "odoo.exceptions.UserError", "message": "Transfer trouble alert!", "arguments": []})
    with http_server(odoo19({"/json/2/stock.picking/button_validate": error})) as (url, _):
        odoo = connect(settings(url))
        with pytest.raises(OdooRefused) as refused:
            odoo.call("stock.picking", "button_validate", [14])

    assert (refused.value.error, str(refused.value)) == ("UserError", "Odoo refused it: Transfer trouble alert!")


def test_a_wrong_key_is_a_login_problem() -> None:
    with http_server(odoo19({})) as (url, _), pytest.raises(OdooUnavailable, match="refused the login of wardstock"):
        connect(OdooSettings(url, "ward19", "wardstock", "wrong", transport="json2"))


def test_a_proxy_page_instead_of_odoo_is_transient() -> None:
    page = Reply(503, b"<html>Service Unavailable</html>", {"Content-Type": "text/html"})
    with http_server(odoo19({"/json/2/stock.picking/search_read": page})) as (url, _):
        outcome = OdooBackend(settings(url)).transfer(Transfer("op-1", WARD, STORE, (ItemLine(CANNULA, 1, "L1"),)))

    assert outcome.status == OutcomeStatus.TRANSIENT and "HTTP 503" in outcome.message


@pytest.mark.parametrize(
    ("reply", "status", "kind", "words"),
    [
        # Odoo 19.0: the serialized exception, whatever the status
        (
            Reply(422, {"name": "odoo.exceptions.UserError", "message": "Transfer trouble alert!", "arguments": [],
                        "context": {}, "debug": "Traceback…"}),
            OutcomeStatus.CONFLICT, ConflictKind.NOT_PERMITTED, "Odoo refused it: Transfer trouble alert!",
        ),
        (
            Reply(500, {"name": "psycopg2.errors.SerializationFailure", "message": "could not serialize access",
                        "arguments": [], "context": {}, "debug": ""}),
            OutcomeStatus.TRANSIENT, None, "busy or restarting",
        ),
        # later code: a bare JSON string, the status says what it is
        (Reply(422, "Transfer trouble alert!"), OutcomeStatus.CONFLICT, ConflictKind.NOT_PERMITTED,
         "Odoo refused it: Transfer trouble alert!"),
        (Reply(403, "You are not allowed to modify 'Transfer'"), OutcomeStatus.CONFLICT, ConflictKind.NOT_PERMITTED,
         "Inventory Administrator role"),
        (Reply(404, "Record does not exist or has been deleted."), OutcomeStatus.CONFLICT,
         ConflictKind.NOT_PERMITTED, "deleted in Odoo meanwhile"),
        (Reply(503, "Service Unavailable"), OutcomeStatus.TRANSIENT, None, "busy or restarting (HTTP 503"),
        (Reply(401, "Invalid apikey"), OutcomeStatus.TRANSIENT, None, "refused the login of wardstock"),
    ],
)
def test_json_2_errors_as_objects_or_bare_strings_become_the_worker_s_outcomes(
    reply: Reply, status: OutcomeStatus, kind: ConflictKind | None, words: str
) -> None:
    with http_server(odoo19({"/json/2/stock.picking/search_read": reply})) as (url, _):
        outcome = OdooBackend(settings(url)).transfer(Transfer("op-1", WARD, STORE, (ItemLine(CANNULA, 1, "L1"),)))

    assert (outcome.status, outcome.conflict) == (status, kind), outcome.message
    assert words in outcome.message
