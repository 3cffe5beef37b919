"""Fixtures in the style of Flask's tutorial: `app`, `client`, `runner`, plus users and logins.

The schema is built once per run by the real migrations into a template SQLite file; each
test gets its own copy, so tests are isolated and the migrations are what every test runs on.
A test that asks for `demo` starts from a second template: that one with `flask demo load` run
on it once per run, since loading the demo takes longer than most tests.
"""
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade

from app.extensions import db
from app.models import User
from app.services import users as user_service
from tests.support import PASSWORD, login, make_app


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite"
    app = make_app(f"sqlite:///{path}", folder)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def demo_template_db(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-template")
    path = folder / "demo.sqlite"
    shutil.copy(template_db, path)
    app = make_app(f"sqlite:///{path}", folder)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()
    return path


@pytest.fixture
def app(request: pytest.FixtureRequest, template_db: Path, tmp_path: Path) -> Iterator[Flask]:
    path = tmp_path / "wardstock.sqlite"
    demo_data = "demo" in request.fixturenames
    shutil.copy(request.getfixturevalue("demo_template_db") if demo_data else template_db, path)
    app = make_app(f"sqlite:///{path}", tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def demo(app: Flask) -> Flask:
    """`app` on a database with the demo users, wards and stock (as after `flask demo load`)."""
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    def make(username: str, role: str, wards: tuple[str, ...] = (), badge: str | None = None, pin: str | None = None) -> User:
        with app.app_context():
            user = user_service.create_user(
                db.session, username=username, display_name=username.title(), role=role, password=PASSWORD,
                locations=wards, badge_code=badge, pin=pin, actor="test",
            )
            db.session.commit()
            db.session.refresh(user)
            assert user.location_codes is not None  # loads the wards before the session goes
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def logged_in(client: FlaskClient, make_user: Callable[..., User]) -> Callable[..., FlaskClient]:
    """Create a user of `role` and log the test client in as them."""

    def as_role(role: str, username: str | None = None, wards: tuple[str, ...] = ()) -> FlaskClient:
        name = username or f"{role}1"
        make_user(name, role, wards)
        response = login(client, name)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return as_role


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    from tests.postgres import find_bin_dir, running_postgres

    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL TESTS SKIPPED: no pg_ctl/initdb found (install postgresql to run them)")
    with running_postgres(bin_dir) as url:
        yield url
