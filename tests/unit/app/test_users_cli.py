from flask import Flask
from flask.testing import FlaskCliRunner

from app.extensions import db
from app.models import User


def test_create_list_disable_enable(app: Flask, runner: FlaskCliRunner) -> None:
    created = runner.invoke(args=["users", "create", "nia", "--role", "nurse", "--ward", "WARD-3B", "--badge", "BADGE:2001", "--pin", "2001", "--password", "long enough"])
    assert created.exit_code == 0, created.output
    assert "Created nia (nurse)" in created.output
    listing = runner.invoke(args=["users", "list"]).output
    assert "nia" in listing and "nurse" in listing and "active" in listing and "WARD-3B" in listing
    assert runner.invoke(args=["users", "disable", "nia"]).exit_code == 0
    assert "disabled" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "enable", "nia"]).exit_code == 0
    with app.app_context():
        user = db.session.query(User).filter_by(username="nia").one()
        assert user.active and user.location_codes == ["WARD-3B"]


def test_set_role(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["users", "create", "sam", "--role", "storekeeper", "--password", "long enough"])
    assert runner.invoke(args=["users", "set-role", "sam", "supervisor"]).exit_code == 0
    with app.app_context():
        assert db.session.query(User).filter_by(username="sam").one().role == "supervisor"


def test_errors_are_sentences_and_change_nothing(app: Flask, runner: FlaskCliRunner) -> None:
    cases = [
        (["users", "create", "Bad Name!", "--role", "nurse", "--password", "long enough"], "is not usable"),
        (["users", "create", "sam", "--role", "nurse", "--password", "short"], "at least 8 characters"),
        (["users", "create", "sam", "--role", "nurse", "--badge", "B1", "--password", "long enough"], "A badge needs a PIN"),
        (["users", "create", "sam", "--role", "nurse", "--badge", "B1", "--pin", "12", "--password", "long enough"], "4 to 8 digits"),
        (["users", "disable", "ghost"], "There is no user named 'ghost'"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_duplicate_username_is_refused(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["users", "create", "sam", "--role", "nurse", "--password", "long enough"])
    result = runner.invoke(args=["users", "create", "sam", "--role", "nurse", "--password", "long enough"])
    assert result.exit_code != 0 and "already exists" in result.output
