"""Walk every registered URL with every role (and with nobody logged in) and check who gets in.

The expected table is written out here, not derived from the routes' own declarations, so a
route that declares the wrong access is caught; a route missing from the table fails the test.
"""
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.security.roles import Role
from tests.support import csrf_token_from

EVERYONE = frozenset(Role)
REPORTS = frozenset({Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN})
STOCK_ROLES = frozenset({Role.STOREKEEPER, Role.NURSE, Role.AUDITOR, Role.SUPERVISOR})
ADMIN = frozenset({Role.ADMIN})
PUBLIC = "public"
DEVICE = "device"  # a device token, or any logged-in user; nobody gets 401 JSON

# endpoint → who may open it (PUBLIC: no login needed)
EXPECTED_ACCESS: dict[str, frozenset[Role] | str] = {
    "static": PUBLIC,
    "auth.login": PUBLIC,
    "auth.login_password": PUBLIC,
    "auth.login_badge": PUBLIC,
    "auth.logout": EVERYONE,
    "health.healthz": PUBLIC,
    "home.index": EVERYONE,
    "language.choose": EVERYONE,
    "language.save": EVERYONE,
    "training.barcodes": PUBLIC,
    "api.register_device": EVERYONE,
    "api.submit_commands": DEVICE,
    "api.command_status": DEVICE,
    "api.command_status_in_body": DEVICE,
    "api.catalog": DEVICE,
    "api_sync.sync": DEVICE,
    "api.sync_health": REPORTS,
    "api.openapi": PUBLIC,
    "sync_status.index": REPORTS,
    "devices.index": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "devices.revoke": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "workflows.consume": frozenset({Role.NURSE, Role.SUPERVISOR}),
    "workflows.transfer": frozenset({Role.STOREKEEPER, Role.NURSE, Role.SUPERVISOR}),
    "workflows.count": frozenset({Role.STOREKEEPER, Role.AUDITOR, Role.SUPERVISOR}),
    "workflows.receive": frozenset({Role.STOREKEEPER, Role.SUPERVISOR}),
    "replenishment.request_page": frozenset({Role.STOREKEEPER, Role.NURSE, Role.SUPERVISOR}),
    "replenishment.pick_page": frozenset({Role.STOREKEEPER, Role.SUPERVISOR}),
    "replenishment.par_levels": frozenset({Role.SUPERVISOR}),
    "replenishment.bin_cards": frozenset({Role.SUPERVISOR}),
    "replenishment.set_par_level": frozenset({Role.SUPERVISOR}),
    "replenishment.stock_outs": frozenset({Role.SUPERVISOR}),
    "expiry.sweep": STOCK_ROLES,
    "expiry.waste": STOCK_ROLES,
    "expiry.vendor_return": frozenset({Role.STOREKEEPER, Role.SUPERVISOR}),
    "recalls.recall_form": frozenset({Role.SUPERVISOR}),
    "recalls.enter_recall": frozenset({Role.SUPERVISOR}),
    "recalls.trace": frozenset({Role.AUDITOR, Role.SUPERVISOR}),
    "recalls.trace_csv": frozenset({Role.AUDITOR, Role.SUPERVISOR}),
    "waste_dashboard.dashboard": frozenset({Role.AUDITOR, Role.SUPERVISOR}),
    "waste_dashboard.dashboard_csv": frozenset({Role.AUDITOR, Role.SUPERVISOR}),
    "conflicts.inbox": frozenset({Role.SUPERVISOR}),
    "conflicts.resolve": frozenset({Role.SUPERVISOR}),
    "device.service_worker": PUBLIC,
    "device.offline": PUBLIC,
    "device.queue": EVERYONE,
    "device.scanner_setup": EVERYONE,
    "device.photo": EVERYONE,
    "i18n.catalogue": PUBLIC,
    "labels.index": frozenset({Role.STOREKEEPER, Role.SUPERVISOR, Role.ADMIN}),
    "labels.print_labels": frozenset({Role.STOREKEEPER, Role.SUPERVISOR, Role.ADMIN}),
    "labels.printer_list": frozenset({Role.ADMIN}),
    "labels.printer_save": frozenset({Role.ADMIN}),
    "labels.printer_remove": frozenset({Role.ADMIN}),
    "people.index": ADMIN,
    "people.new": ADMIN,
    "people.create": ADMIN,
    "people.show": ADMIN,
    "people.edit": ADMIN,
    "people.badge": ADMIN,
    "people.pin": ADMIN,
    "people.password": ADMIN,
    "people.active": ADMIN,
    "people.import_form": ADMIN,
    "people.import_start_again": ADMIN,
    "people.import_check": ADMIN,
    "people.import_run": ADMIN,
    "wards.index": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "products.index": frozenset({Role.SUPERVISOR}),
    "products.link": frozenset({Role.SUPERVISOR}),
}

SAMPLE_ARGUMENTS = {"filename": "css/app.css", "table": "wasted", "username": "nobody-here", "language": "en"}


def _requests(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route and method."""
    with app.test_request_context():
        from flask import url_for

        found = []
        for rule in app.url_map.iter_rules():
            arguments = {name: SAMPLE_ARGUMENTS[name] for name in rule.arguments}
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, url_for(rule.endpoint, **arguments)))
        return found


def test_every_route_is_in_the_expected_table(app: Flask) -> None:
    assert {endpoint for endpoint, _, _ in _requests(app)} == set(EXPECTED_ACCESS)


def _send(client: FlaskClient, method: str, url: str, token: str):
    return client.open(url, method=method, headers={"X-CSRFToken": token}, data={})


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_what_it_may(app: Flask, client: FlaskClient, logged_in, role: Role) -> None:
    logged_in(role.value)
    for endpoint, method, url in _requests(app):
        token = csrf_token_from(client.get("/").get_data(as_text=True))
        allowed = EXPECTED_ACCESS[endpoint]
        status = _send(client, method, url, token).status_code
        if allowed in (PUBLIC, DEVICE) or role in allowed:
            assert status != 403, f"{role} was refused {method} {url}"
        else:
            assert status == 403, f"{role} got {status} for {method} {url}, expected 403"
        if endpoint == "auth.logout":
            logged_in(role.value, username=f"{role.value}-again")


def test_nobody_logged_in_is_sent_to_login(app: Flask, client: FlaskClient) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    for endpoint, method, url in _requests(app):
        response = _send(client, method, url, token)
        sent_to_login = response.status_code == 302 and response.location.startswith("/login")
        if url.startswith("/api/") and EXPECTED_ACCESS[endpoint] != PUBLIC:
            assert response.status_code == 401 and response.is_json, f"{method} {url} must answer 401 JSON, not a redirect"
        elif EXPECTED_ACCESS[endpoint] == PUBLIC:
            assert response.status_code != 403 and not sent_to_login, f"{method} {url} should be public"
        else:
            assert sent_to_login, f"{method} {url} answered {response.status_code} to nobody"


def test_a_route_without_an_access_declaration_stops_the_app_from_starting(app: Flask) -> None:
    from app.security.access import check_all_routes_declared

    app.add_url_rule("/forgotten", "forgotten", lambda: "open by accident")
    with pytest.raises(RuntimeError, match="forgotten"):
        check_all_routes_declared(app)
