"""Which language a page is in: the user's own choice beats the browser's, the browser's beats English;
the language screen and the administrator's people form set it, audited; `<html lang>` says it."""
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.i18n import choose_language
from app.models import AuditEvent, User
from tests.support import csrf_token_from

HTML_LANG = re.compile(r'<html lang="([^"]+)"')


def _lang(client: FlaskClient, path: str, browser: str | None = None) -> str:
    headers = {"Accept-Language": browser} if browser else {}
    match = HTML_LANG.search(client.get(path, headers=headers).get_data(as_text=True))
    assert match, f"{path} has no <html lang>"
    return match.group(1)


def _language_of(app: Flask, username: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.language).where(User.username == username))


def _events(app: Flask, subject: str) -> list[tuple[str, str, dict]]:
    with app.app_context():
        return [(event.action, event.actor, event.detail) for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.subject == subject, AuditEvent.action == "language_changed"))]


def _set_language(app: Flask, username: str, language: str | None) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.username == username)).language = language
        db.session.commit()


@pytest.mark.parametrize(("user_language", "browser_best", "expected"), [
    ("fr", "de", "fr"),  # the user's choice beats the browser
    (None, "de", "de"),  # the browser beats the default
    (None, None, "en"),
    ("xx", None, "en"),  # a language we do not have (an old setting) is passed over
])
def test_the_language_is_the_users_else_the_browsers_else_english(user_language, browser_best, expected) -> None:
    assert choose_language(user_language, browser_best) == expected


def test_the_login_page_follows_the_browser(client: FlaskClient) -> None:
    assert _lang(client, "/login", "de-DE,de;q=0.9,en;q=0.5") == "de"
    assert _lang(client, "/login", "fr-CH, en;q=0.8") == "fr"
    assert _lang(client, "/login", "es-ES, it;q=0.8") == "en"  # none we speak: English
    assert _lang(client, "/login") == "en"


def test_a_users_own_language_beats_the_browsers(app: Flask, logged_in: Callable[..., FlaskClient]) -> None:
    client = logged_in("nurse", "nia")
    assert _lang(client, "/", "de-DE") == "de"  # no choice made: the browser's
    _set_language(app, "nia", "fr")
    assert _lang(client, "/", "de-DE") == "fr"


def test_a_user_chooses_their_language_on_the_language_screen_audited(app: Flask, logged_in: Callable[..., FlaskClient]) -> None:
    client = logged_in("storekeeper", "sam")
    assert 'href="/language"' in client.get("/").get_data(as_text=True)  # reachable from the home screen
    token = csrf_token_from(client.get("/language").get_data(as_text=True))
    answer = client.post("/language", data={"csrf_token": token, "language": "fr"}, headers={"Accept-Language": "de"})
    assert answer.status_code == 302 and answer.location == "/"
    assert _language_of(app, "sam") == "fr"
    home = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert HTML_LANG.search(home).group(1) == "fr"
    assert "Vos écrans sont désormais dans cette langue." in home  # said in the language just chosen
    client.post("/language", data={"csrf_token": token, "language": ""})  # back to the browser's
    assert _language_of(app, "sam") is None
    assert [(action, actor, detail["language"]) for action, actor, detail in _events(app, "sam")] == [
        ("language_changed", "sam", "fr"), ("language_changed", "sam", None)]


def test_a_language_we_do_not_speak_is_refused(app: Flask, logged_in: Callable[..., FlaskClient]) -> None:
    client = logged_in("nurse", "nia")
    token = csrf_token_from(client.get("/language").get_data(as_text=True))
    page = client.post("/language", data={"csrf_token": token, "language": "xx"}, follow_redirects=True).get_data(as_text=True)
    assert "is not one Wardstock speaks" in page
    assert _language_of(app, "nia") is None


def test_an_administrator_sets_a_users_language_audited_with_the_reason(
    app: Flask, logged_in: Callable[..., FlaskClient], make_user
) -> None:
    make_user("nia", "nurse", ("WARD-3B",))
    client = logged_in("admin", "root")
    page = client.get("/people/nia").get_data(as_text=True)
    assert '<select id="language" name="language"' in page
    token = csrf_token_from(page)
    client.post("/people/nia/edit", data={"csrf_token": token, "display_name": "Nia", "role": "nurse", "wards": "WARD-3B",
                                          "language": "de", "reason": "works in German"})
    assert _language_of(app, "nia") == "de"
    assert [(action, actor, detail["language"], detail["reason"]) for action, actor, detail in _events(app, "nia")] == [
        ("language_changed", "root", "de", "works in German")]


def test_the_login_page_is_in_the_browsers_language(client: FlaskClient) -> None:
    german = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)
    assert "Scannen Sie Ihren Ausweis" in german and "Mit Ausweis anmelden" in german and "Scan your badge" not in german
    english = client.get("/login").get_data(as_text=True)
    assert "Scan your badge" in english and "Log in with badge" in english


def test_a_service_refusal_comes_out_in_the_users_own_language(app: Flask, logged_in: Callable[..., FlaskClient]) -> None:
    client = logged_in("admin", "root")
    _set_language(app, "root", "fr")
    token = csrf_token_from(client.get("/people/new").get_data(as_text=True))
    page = client.post("/people/new", data={"csrf_token": token, "username": "X Y", "role": "nurse", "password": "long enough pw",
                                            "reason": "nouvelle arrivée"}, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "L&#39;identifiant &#39;x y&#39; n&#39;est pas utilisable" in page  # app/services/users.py, escaped in the page
    assert "is not usable" not in page


def test_a_handhelds_refusal_is_in_the_language_of_who_captured_it_even_by_token_alone(demo: Flask, client: FlaskClient) -> None:
    import uuid
    from datetime import UTC, datetime

    from tests.support import login

    _set_language(demo, "nurse", "fr")
    login(client, "nurse", "wardstock-demo")
    csrf = csrf_token_from(client.get("/").get_data(as_text=True))
    token = client.post("/api/v1/devices", json={"device_id": "handheld-fr-1", "name": "TC52"}, headers={"X-CSRFToken": csrf}).get_json()["token"]
    with demo.app_context():
        nurse_id = db.session.scalar(select(User.id).where(User.username == "nurse"))
    count = {"op_id": str(uuid.uuid4()), "kind": "count", "device_seq": 1, "user_id": nurse_id,
             "captured_at": datetime.now(UTC).isoformat(), "payload": {"location": "WARD-3B", "gtin": "05012345100012", "counted": 3}}
    by_token = demo.test_client()  # no session, no Accept-Language: only the token says who sends
    answer = by_token.post("/api/v1/commands", json={"device_id": "handheld-fr-1", "commands": [count]},
                           headers={"Authorization": f"Bearer {token}"}).get_json()["results"][0]
    assert answer["result"] == "rejected"
    assert answer["message"] == "nurse a le rôle infirmier et ne peut pas inventorier."


def test_dates_on_a_page_are_in_the_locales_format(app: Flask, logged_in: Callable[..., FlaskClient]) -> None:
    from datetime import datetime

    from app.models import LoginSession

    client = logged_in("admin", "root")
    with app.app_context():
        started = db.session.scalar(select(LoginSession.started_at).where(LoginSession.user_id == select(User.id).where(
            User.username == "root").scalar_subquery()))
    assert isinstance(started, datetime)
    english = client.get("/people").get_data(as_text=True)
    _set_language(app, "root", "fr")
    french = client.get("/people").get_data(as_text=True)
    _set_language(app, "root", "de")
    german = client.get("/people").get_data(as_text=True)
    assert f"{started:%-m/%-d/%y}, " in english  # Babel's short English: 12/7/26, 2:32 PM
    assert f"{started:%d/%m/%Y %H:%M} UTC" in french
    assert f"{started:%d.%m.%y, %H:%M} UTC" in german
    assert "Dernière connexion" in french and "Letzte Anmeldung" in german


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Read '0950110153000X': expected"),  # the scanner's own sentence, with what it expected and found
    ("fr", "Lu '0950110153000X' : la clé de contrôle ne correspond pas."),
    ("de", "Gelesen '0950110153000X': Die Prüfziffer stimmt nicht."),
])
def test_scanner_errors_are_translated_by_kind_where_they_are_shown(app: Flask, language: str, expected: str) -> None:
    from flask_babel import force_locale

    from app.i18n.scan_errors import scan_error_message
    from scanners.scan import CheckDigitError

    error = CheckDigitError("0950110153000X", "a valid GTIN check digit", "X")
    with app.test_request_context(), force_locale(language):
        assert scan_error_message(error).startswith(expected)


def test_every_way_out_and_conflict_kind_offline_sync_offers_has_its_words_on_screen() -> None:
    from offline_sync.outbox.resolutions import OFFERED
    from views.conflicts import CHOICE_LABELS, TITLES

    assert {choice.action for choices in OFFERED.values() for choice in choices} <= set(CHOICE_LABELS)
    assert set(OFFERED) <= set(TITLES)
    for choices in OFFERED.values():  # the same English as offline_sync's, so nothing changes for English readers
        assert all(str(CHOICE_LABELS[choice.action]) == choice.label for choice in choices)
