"""Helpers shared by the tests: building an app for a database, logging in, reading CSRF tokens."""
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.routing import Rule

from app import create_app

PASSWORD = "correct horse battery"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def environ_for_tests(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    return {
        "WARDSTOCK_ENV": "development",
        "WARDSTOCK_INSTANCE": str(instance),
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        **extra,
    }


TEST_OVERRIDES = {"TESTING": True, "PASSWORD_HASH_PROFILE": "fast-for-tests"}


class SharedTemplateCache(BytecodeCache):
    """Compiled templates kept for the whole run: every test builds its own app, and compiling the
    same templates again for each one was a fifth of the unit suite's time. Jinja checks each
    template's source checksum, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = SharedTemplateCache()


def share_url_builders() -> None:
    """Build each route's URL-building function once per run rather than once per test's app.

    Werkzeug generates and compiles a small Python function per route and app (two, in fact): with
    every test building its own app, that was 70 ms a test, a third of the unit suite. The function
    depends only on the rule's text, defaults and host/subdomain, and reads the converters from the
    rule it is bound to at call time, so one built for an equal rule of another app is the same.
    """
    build = Rule._compile_builder
    if getattr(build, "shared", False):
        return
    built: dict[tuple, object] = {}

    def shared_builder(rule: Rule, append_unknown: bool = True):
        key = (rule.rule, rule.subdomain, rule.host, rule.map.host_matching, rule.merge_slashes,
               repr(sorted((rule.defaults or {}).items())), append_unknown)
        if key not in built:
            built[key] = build(rule, append_unknown)
        return built[key]

    shared_builder.shared = True  # type: ignore[attr-defined]
    Rule._compile_builder = shared_builder  # type: ignore[method-assign]


share_url_builders()


def make_app(database_url: str, instance: Path, **extra: str) -> Flask:
    app = create_app(environ_for_tests(database_url, instance, **extra), TEST_OVERRIDES)
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    return app


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_FIELD.search(html) or CSRF_HEADER.search(html)
    assert match, "no CSRF token on the page"
    return next(group for group in match.groups() if group)


def login(client: FlaskClient, username: str, password: str = PASSWORD):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


