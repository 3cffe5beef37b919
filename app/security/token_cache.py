"""Device tokens checked once per TTL per web process, not on every request.

A handheld sends its token with every background sync; looking it up was a query per request. Each
app (one per web process) keeps the tokens it found valid for at most TTL seconds. The trade,
bounded: a handheld revoked in another process (or by a command line) is still let in by this one
for up to TTL seconds; in the process that revoked it, at once, since any commit that changed a
device or a user empties this process's cache. Only what a token is (which device) is kept: who
may do what is read afresh on every request, so disabling a user takes effect at once everywhere.
A generation number keeps a lookup that raced with such a commit from putting back what it read before it."""
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.models import Device, DeviceUser, User

TTL = 5.0  # seconds; the README's security notes promise at most this
MAX_ENTRIES = 10_000
EXTENSION = "wardstock_token_cache"
WATCHED = (Device, DeviceUser, User)
CHANGED = "token_cache_changed"


@dataclass(frozen=True)
class DeviceIdentity:
    """What a request needs of the handheld that sent it (g.device)."""

    id: str


@dataclass
class TokenCache:
    ttl: float = TTL
    clock: Callable[[], float] = time.monotonic
    entries: dict[str, tuple[DeviceIdentity, float]] = field(default_factory=dict)
    generation: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, token: str) -> DeviceIdentity | None:
        found = self.entries.get(token)
        if found is None or found[1] <= self.clock():
            return None
        return found[0]

    def put(self, token: str, device: DeviceIdentity, generation: int) -> None:
        """Keep `device` for `token`, unless the cache was emptied since the lookup began (`generation`)."""
        with self.lock:
            if generation != self.generation:
                return
            if len(self.entries) >= MAX_ENTRIES:
                self.entries.clear()
            self.entries[token] = (device, self.clock() + self.ttl)

    def clear(self) -> None:
        with self.lock:
            self.generation += 1
            self.entries.clear()


def init_app(app: Flask) -> TokenCache:
    return app.extensions.setdefault(EXTENSION, TokenCache())


def cache_of(app: Flask) -> TokenCache:
    return app.extensions.get(EXTENSION) or init_app(app)


def device_for(session: Session, token: str, lookup: Callable[[Session, str], Device | None]) -> DeviceIdentity | None:
    """The handheld whose live token this is, from this process's cache or else `lookup` (the database)."""
    cache = cache_of(current_app)
    known = cache.get(token)
    if known is not None:
        return known
    generation = cache.generation
    device = lookup(session, token)
    if device is None:
        return None  # refusals are not kept: a token registered a moment ago works at once
    identity = DeviceIdentity(device.id)
    cache.put(token, identity, generation)
    return identity


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context: object) -> None:
    if any(isinstance(row, WATCHED) for rows in (session.dirty, session.deleted, session.new) for row in rows):
        session.info[CHANGED] = True


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if session.info.pop(CHANGED, False) and has_app_context():
        cache_of(current_app).clear()


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop(CHANGED, None)
