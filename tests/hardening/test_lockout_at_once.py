"""Sixteen wrong passwords sent at the same moment (issue 19, item 10): the password is checked at
most the limit's number of times before the lock holds, on PostgreSQL and SQLite. Each attempt
counts itself in one statement before its password is checked, so no two read the same count."""
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, User
from app.services import auth
from app.services import users as user_service
from app.services.login_throttle import ThrottlePolicy
from offline_sync.persistence import utcnow
from tests.postgres import empty_database
from tests.support import PASSWORD, make_app

AT_ONCE = 16
LIMIT = 5
POLICY = ThrottlePolicy(max_failures_per_user=LIMIT, max_failures_per_address=1000, lockout=timedelta(minutes=15))


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp(request.param)
    url = empty_database(request, folder, "lockout")
    app = make_app(url, folder)
    with app.app_context():
        upgrade()
        user_service.create_user(db.session, username="sam", display_name="Sam", role="storekeeper", password=PASSWORD, actor="test")
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_sixteen_wrong_passwords_at_once_are_checked_at_most_the_limit(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    checked = []
    real_check = User.check_password
    monkeypatch.setattr(User, "check_password", lambda user, password: checked.append(password) or real_check(user, password))
    barrier = threading.Barrier(AT_ONCE, timeout=60)
    messages: list[str] = []

    def guess(number: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                messages.append(auth.login_with_password(db.session, "sam", f"guess-{number}", f"10.0.0.{number}", POLICY, utcnow()).message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=guess, args=(number,)) for number in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(messages) == AT_ONCE
    assert len(checked) <= LIMIT, f"{len(checked)} passwords checked"
    assert sum(message == auth.WRONG_CREDENTIALS for message in messages) == len(checked)
    assert sum(message.startswith("Too many failed attempts") for message in messages) == AT_ONCE - len(checked)
    with app.app_context():
        failed = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "login_failed"))
        assert failed == len(checked)
        # the lock holds: even the right password is refused now, unchecked
        result = auth.login_with_password(db.session, "sam", PASSWORD, "10.0.1.1", POLICY, utcnow())
        assert result.user is None and result.message.startswith("Too many failed attempts")
    assert len(checked) == failed


def test_a_right_password_clears_the_count_and_leaves_the_address_as_it_was(app: Flask) -> None:
    with app.app_context():
        for _ in range(LIMIT - 1):
            assert auth.login_with_password(db.session, "sam", "wrong", "10.0.0.9", POLICY, utcnow()).user is None
        assert auth.login_with_password(db.session, "sam", PASSWORD, "10.0.0.9", POLICY, utcnow()).user is not None
        for _ in range(LIMIT - 1):  # counting starts anew after a success
            assert auth.login_with_password(db.session, "sam", "wrong", "10.0.0.9", POLICY, utcnow()).message == auth.WRONG_CREDENTIALS
        from app.models import LoginThrottle

        assert db.session.get(LoginThrottle, "address:10.0.0.9").failures == 2 * (LIMIT - 1)
