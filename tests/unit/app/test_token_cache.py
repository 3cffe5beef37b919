"""The per-process device-token cache (issue 18): a token is looked up once per TTL, not on every
request; disabling a user still takes effect at once in every process, since only which device a
token names is kept, never who may do what."""
from pathlib import Path

from flask import Flask
from sqlalchemy import event

from app.extensions import db
from app.security import token_cache
from app.services import users
from tests.support import make_app
from tests.unit.app.test_device_revocation import DEVICE, _batch, _registered


def _queries(app: Flask, token: str) -> int:
    """How many statements of one device request read the devices table."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = app.test_client().post("/api/v1/sync", json={"device_id": DEVICE, "commands": [], "watch": {}, "catalog": "0"},
                                          headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return sum("FROM devices" in statement for statement in seen)


def test_a_token_is_looked_up_once_per_ttl(demo: Flask) -> None:
    token = _registered(demo)
    clock = [0.0]
    token_cache.cache_of(demo).clock = lambda: clock[0]
    assert _queries(demo, token) == 1
    assert _queries(demo, token) == 0  # kept
    clock[0] += token_cache.TTL
    assert _queries(demo, token) == 1  # looked up again


def test_a_disabled_user_is_refused_at_once_by_every_process(demo: Flask, tmp_path: Path) -> None:
    token = _registered(demo)
    other_process = make_app(demo.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "other")
    for app in (demo, other_process):
        token_cache.cache_of(app).clock = lambda: 0.0  # no time passes: whatever the cache keeps, it keeps
        assert _batch(app, token).get_json()["results"][0]["result"] == "accepted"
    with demo.app_context():
        users.set_active(db.session, "nurse", False, actor="admin", reason="left the hospital")
        db.session.commit()
    for app in (demo, other_process):
        [result] = _batch(app, token).get_json()["results"]
        assert result["result"] == "rejected", result
    with other_process.app_context():
        db.engine.dispose()


def test_a_lookup_that_raced_with_a_change_is_not_kept() -> None:
    cache = token_cache.TokenCache(clock=lambda: 0.0)
    generation = cache.generation
    cache.clear()  # a commit changed a device while the lookup read the database
    cache.put("token", token_cache.DeviceIdentity("handheld-01"), generation)
    assert cache.get("token") is None
    cache.put("token", token_cache.DeviceIdentity("handheld-01"), cache.generation)
    assert cache.get("token") == token_cache.DeviceIdentity("handheld-01")
