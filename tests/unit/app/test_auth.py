"""Logging in and out: password, badge + PIN, lockout, disabled users, idle timeout, session safety."""
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import AuditEvent, LoginThrottle
from app.security.idle import LAST_SEEN
from app.services import users as user_service
from offline_sync.persistence import utcnow
from tests.support import PASSWORD, csrf_token_from, login


def _badge_login(client: FlaskClient, badge: str, pin: str):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    return client.post("/login/badge", data={"badge-badge": badge, "badge-pin": pin, "badge-csrf_token": token})


def _audit_actions(app: Flask) -> list[str]:
    with app.app_context():
        return [event.action for event in db.session.query(AuditEvent).order_by(AuditEvent.id)]


def test_login_with_password_shows_the_home_screen(client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper", ("CS-STOCK",))
    response = login(client, "sam")
    assert response.status_code == 302 and response.location == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Hello, Sam" in home and "storekeeper" in home and "CS-STOCK" in home


def test_username_is_case_insensitive(client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    assert login(client, "  SAM ").status_code == 302


def test_wrong_password_is_refused_with_a_sentence(app: Flask, client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    response = login(client, "sam", "wrong password")
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still not logged in
    assert _audit_actions(app)[-1] == "login_failed"


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client: FlaskClient) -> None:
    response = login(client, "nobody", "whatever1")
    assert response.status_code == 401 and "Wrong username or password" in response.get_data(as_text=True)


def test_lockout_after_repeated_failures_holds_even_with_the_right_password(app: Flask, client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_USER"]):
        login(client, "sam", "wrong password")
    response = login(client, "sam", PASSWORD)
    assert response.status_code == 401
    assert "locked for 15 more minutes" in response.get_data(as_text=True)
    with app.app_context():
        throttle = db.session.get(LoginThrottle, "user:sam")
        assert throttle.locked_until > utcnow() + timedelta(minutes=14)


def test_lockout_ends_after_the_lockout_time(app: Flask, client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_USER"]):
        login(client, "sam", "wrong password")
    with app.app_context():
        db.session.get(LoginThrottle, "user:sam").locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert login(client, "sam").status_code == 302


def test_lockout_per_address_stops_guessing_across_usernames(app: Flask, client: FlaskClient, make_user) -> None:
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    make_user("sam", "storekeeper")
    for name in ("ann", "bob", "cat"):
        login(client, name, "wrong password")
    response = login(client, "sam")
    assert response.status_code == 401 and "locked" in response.get_data(as_text=True)


def test_disabled_user_cannot_log_in(app: Flask, client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    with app.app_context():
        user_service.set_active(db.session, "sam", False, actor="test")
        db.session.commit()
    response = login(client, "sam")
    assert response.status_code == 401 and "disabled" in response.get_data(as_text=True)


def test_disabling_a_user_ends_their_open_session(app: Flask, client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    login(client, "sam")
    assert client.get("/").status_code == 200
    with app.app_context():
        user_service.set_active(db.session, "sam", False, actor="test")
        db.session.commit()
    assert client.get("/").status_code == 302


def test_badge_and_pin_login(app: Flask, client: FlaskClient, make_user) -> None:
    make_user("nia", "nurse", ("WARD-3B",), badge="BADGE:2001", pin="2001")
    response = _badge_login(client, "BADGE:2001", "2001")
    assert response.status_code == 302
    assert "Hello, Nia" in client.get("/").get_data(as_text=True)
    assert _audit_actions(app)[-1] == "login"


def test_badge_with_wrong_pin_counts_towards_the_users_lockout(app: Flask, client: FlaskClient, make_user) -> None:
    make_user("nia", "nurse", badge="BADGE:2001", pin="2001")
    response = _badge_login(client, "BADGE:2001", "9999")
    assert response.status_code == 401 and "badge and PIN do not match" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(LoginThrottle, "user:nia").failures == 1


def test_badge_login_switches_user_on_a_shared_handheld(client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    make_user("nia", "nurse", badge="BADGE:2001", pin="2001")
    login(client, "sam")
    with client.session_transaction() as before:
        old_session = dict(before)
    _badge_login(client, "BADGE:2001", "2001")
    with client.session_transaction() as after:
        assert after["_user_id"] != old_session["_user_id"]
    assert "Hello, Nia" in client.get("/").get_data(as_text=True)


def test_idle_session_is_logged_out(client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    login(client, "sam")
    client.get("/")
    with client.session_transaction() as session:
        session[LAST_SEEN] = (utcnow() - timedelta(minutes=16)).isoformat()
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert "without activity" in client.get("/login").get_data(as_text=True)


def test_activity_keeps_the_session_alive(client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    login(client, "sam")
    with client.session_transaction() as session:
        session[LAST_SEEN] = (utcnow() - timedelta(minutes=14)).isoformat()
    assert client.get("/").status_code == 200


def test_session_cookie_is_httponly_samesite_and_not_long_lived(client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    cookie = login(client, "sam").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "remember_token" not in cookie


def test_login_starts_a_fresh_session(client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, "sam")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_login_never_redirects_to_another_site(client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login?next=//evil.example/x", data={"username": "sam", "password": PASSWORD, "csrf_token": token}
    )
    assert response.location == "/"


def test_logout_ends_the_session_and_is_audited(app: Flask, client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    login(client, "sam")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302
    assert _audit_actions(app)[-2:] == ["login", "logout"]


def test_passwords_and_pins_are_stored_as_argon2_hashes(app: Flask, make_user) -> None:
    user = make_user("nia", "nurse", badge="BADGE:2001", pin="2001")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert user.pin_hash.startswith("$argon2id$")


def test_the_idle_stamp_is_not_rewritten_on_every_request(client: FlaskClient, make_user) -> None:
    """Two requests in flight from one handheld must not carry different sessions back."""
    make_user("sam", "storekeeper")
    login(client, "sam")
    client.get("/")
    with client.session_transaction() as session:
        first = session[LAST_SEEN]
    client.get("/")
    with client.session_transaction() as session:
        assert session[LAST_SEEN] == first
