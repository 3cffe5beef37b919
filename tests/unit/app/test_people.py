"""People in the browser: find, create, change with a reason (audited), badges and PINs, disable;
and the CSV import (dry run with errors by line, then all or nothing)."""
import io
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, User
from app.services import people_import
from tests.support import csrf_token_from, login

HEADER = "username,display_name,role,wards,badge,pin,password\n"


def _csrf(client: FlaskClient, path: str = "/people") -> str:
    return csrf_token_from(client.get(path).get_data(as_text=True))


def _user(app: Flask, username: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        assert user is not None
        assert user.location_codes is not None
        db.session.expunge(user)
        return user


def _events(app: Flask, subject: str) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(e.action, e.actor, e.detail.get("reason", ""))
                for e in db.session.scalars(select(AuditEvent).where(AuditEvent.subject == subject).order_by(AuditEvent.id))]


def test_an_administrator_creates_a_nurse_with_a_badge_and_she_logs_in_by_badge(app: Flask, logged_in: Callable[..., FlaskClient]) -> None:
    client = logged_in("admin", "root")
    page = client.get("/people/new").get_data(as_text=True)
    assert 'value="BADGE:' in page  # a generated badge to print, unless one is scanned
    answer = client.post("/people/new", data={
        "csrf_token": _csrf(client), "username": "Ola", "display_name": "Ola Nurse", "role": "nurse", "wards": "WARD-3B, WARD-ICU",
        "badge": "BADGE:7001", "pin": "7001", "password": "", "reason": "new starter on 3B"})
    assert answer.status_code == 302 and answer.location == "/people/ola"
    ola = _user(app, "ola")
    assert (ola.role, ola.location_codes, ola.badge_code) == ("nurse", ["WARD-3B", "WARD-ICU"], "BADGE:7001")
    assert _events(app, "ola") == [("user_created", "root", "new starter on 3B")]
    nurse = app.test_client()
    token = csrf_token_from(nurse.get("/login").get_data(as_text=True))
    badge_login = nurse.post("/login/badge", data={"badge-badge": "BADGE:7001", "badge-pin": "7001", "csrf_token": token})
    assert badge_login.status_code == 302 and badge_login.location == "/"
    assert login(app.test_client(), "ola", "").status_code != 302  # no password: badge and PIN only


def test_a_change_without_a_reason_is_refused_and_changes_nothing(app: Flask, logged_in: Callable[..., FlaskClient], make_user) -> None:
    make_user("nia", "nurse", ("WARD-3B",))
    client = logged_in("admin", "root")
    answer = client.post("/people/nia/edit", data={"csrf_token": _csrf(client), "display_name": "Nia", "role": "supervisor",
                                                   "wards": "WARD-3B", "reason": "  "}, follow_redirects=True)
    assert "Give a reason" in answer.get_data(as_text=True)
    assert _user(app, "nia").role == "nurse"


def test_edit_badge_pin_and_disable_are_each_audited_with_who_and_why(app: Flask, logged_in: Callable[..., FlaskClient], make_user) -> None:
    make_user("nia", "nurse", ("WARD-3B",), badge="BADGE:5000", pin="5000")
    client = logged_in("admin", "root")
    csrf = _csrf(client)
    client.post("/people/nia/edit", data={"csrf_token": csrf, "display_name": "Nia N.", "role": "supervisor",
                                          "wards": "WARD-ICU", "reason": "promoted"})
    client.post("/people/nia/badge", data={"csrf_token": csrf, "badge": "BADGE:5001", "pin": "5101", "reason": "lost badge"})
    client.post("/people/nia/pin", data={"csrf_token": csrf, "pin": "5202", "reason": "forgot PIN"})
    client.post("/people/nia/active", data={"csrf_token": csrf, "active": "0", "reason": "left the hospital"})
    nia = _user(app, "nia")
    assert (nia.display_name, nia.role, nia.location_codes, nia.badge_code, nia.active) == ("Nia N.", "supervisor", ["WARD-ICU"], "BADGE:5001", False)
    assert _events(app, "nia")[1:] == [
        ("user_renamed", "root", "promoted"), ("role_changed", "root", "promoted"), ("wards_changed", "root", "promoted"),
        ("badge_issued", "root", "lost badge"), ("pin_reset", "root", "forgot PIN"), ("user_disabled", "root", "left the hospital"),
    ]
    page = client.get("/people/nia").get_data(as_text=True)
    assert "left the hospital" in page and "disabled" in page


def test_a_badge_another_user_holds_is_refused(app: Flask, logged_in: Callable[..., FlaskClient], make_user) -> None:
    make_user("nia", "nurse", badge="BADGE:5000", pin="5000")
    make_user("ola", "nurse")
    client = logged_in("admin", "root")
    answer = client.post("/people/ola/badge", data={"csrf_token": _csrf(client), "badge": "BADGE:5000", "pin": "1234", "reason": "x"},
                         follow_redirects=True)
    assert "already assigned to another user" in answer.get_data(as_text=True)
    assert _user(app, "ola").badge_code is None


def test_find_by_name_ward_or_role_with_last_login(app: Flask, logged_in: Callable[..., FlaskClient], make_user) -> None:
    make_user("nia", "nurse", ("WARD-3B",))
    make_user("ike", "nurse", ("WARD-ICU",))
    make_user("sam", "storekeeper")
    login(app.test_client(), "nia")
    client = logged_in("admin", "root")
    found = client.get("/people", query_string={"q": "ward-3b"}).get_data(as_text=True)
    assert 'data-username="nia"' in found and 'data-username="ike"' not in found
    row = found[found.index('data-username="nia"'):].split("</tr>")[0]
    assert "never" not in row  # she logged in
    nurses = client.get("/people", query_string={"role": "nurse"}).get_data(as_text=True)
    assert 'data-username="ike"' in nurses and 'data-username="sam"' not in nurses


def test_an_administrator_cannot_disable_herself(app: Flask, logged_in: Callable[..., FlaskClient]) -> None:
    client = logged_in("admin", "root")
    client.post("/people/root/active", data={"csrf_token": _csrf(client), "active": "0", "reason": "oops"})
    assert _user(app, "root").active


def _csv(count: int, bad: dict[int, str] | None = None) -> str:
    lines = [f"user{n:03d},User {n},nurse,WARD-3B,BADGE:8{n:03d},{1000 + n},\n" for n in range(count)]
    for index, line in (bad or {}).items():
        lines[index] = line
    return HEADER + "".join(lines)


def test_the_dry_run_lists_every_error_by_line_and_changes_nothing(app: Flask, make_user) -> None:
    make_user("taken", "nurse")
    text = _csv(50, {4: "taken,Taken,nurse,,,,long-enough\n", 9: "bad name!,X,nurse,,,,long-enough\n",
                     19: "user019,Dup,wizard,,,,long-enough\n", 29: "user000,Again,nurse,,,,long-enough\n"})
    with app.app_context():
        plan = people_import.plan(db.session, text)
    assert [(error.line, error.message.split(" ")[0]) for error in plan.errors] == [
        (6, "A"), (11, "Username"), (21, "Role"), (31, "User")]
    assert "already exists" in plan.errors[0].message and "line 2" in plan.errors[3].message
    assert len(plan.users) == 46 and not plan.can_import


def test_the_import_is_all_or_nothing_through_the_browser(app: Flask, logged_in: Callable[..., FlaskClient]) -> None:
    client = logged_in("admin", "root")
    bad = _csv(200, {10: "user010,X,nurse,,,12,\n", 100: "user100,X,chef,,,,long-enough\n", 150: "user000,X,nurse,,,,long-enough\n"})
    check = client.post("/people/import/check", data={"csrf_token": _csrf(client), "file": (io.BytesIO(bad.encode()), "staff.csv")},
                        content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-errors="3"' in check and "Import 197" not in check
    refused = client.post("/people/import/run", data={"csrf_token": _csrf(client), "csv": bad, "reason": "go-live"}).get_data(as_text=True)
    assert "Nothing was imported" in refused
    with app.app_context():
        assert db.session.query(User).count() == 1
    good = _csv(200)
    check = client.post("/people/import/check", data={"csrf_token": _csrf(client), "csv": good}).get_data(as_text=True)
    assert 'data-would-create="200"' in check
    done = client.post("/people/import/run", data={"csrf_token": _csrf(client), "csv": good, "reason": "go-live"}).get_data(as_text=True)
    assert 'data-imported="200"' in done and "Prepared 200 of 200 users." in done
    with app.app_context():
        assert db.session.query(User).count() == 201
        assert db.session.query(AuditEvent).filter_by(action="user_created", actor="root").count() == 200
    assert _user(app, "user042").badge_code == "BADGE:8042"


def test_the_import_pages_opened_by_address_lead_back_to_the_form(logged_in: Callable[..., FlaskClient]) -> None:
    """Every page fetches its own address to keep it for offline use: the dry run's and the
    import's addresses must answer that GET (they answered 405, an error in the page's console)."""
    client = logged_in("admin", "root")
    for path in ("/people/import/check", "/people/import/run"):
        answer = client.get(path)
        assert (answer.status_code, answer.location) == (302, "/people/import"), path


def test_wards_show_the_users_assigned_to_each(app: Flask, logged_in: Callable[..., FlaskClient], make_user) -> None:
    from tests.hardening.security_support import load_demo

    load_demo(app)
    make_user("ola", "nurse", ("WARD-3B", "NOWHERE-1"))
    page = logged_in("supervisor", "sup").get("/wards").get_data(as_text=True)
    row = page[page.index('data-location="WARD-3B"'):].split("</tr>")[0]
    assert "ola" in row and "nurse" in row
    sub = page[page.index('data-location="WARD-3B-SUPPLY"'):].split("</tr>")[0]
    assert "ola" in sub  # covered from the ward above
    assert "NOWHERE-1" in page
