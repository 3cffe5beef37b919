"""Registering a handheld and checking its bearer token."""
import hashlib
import secrets

from flask_babel import gettext
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import Device, DeviceUser, User
from app.services import audit
from offline_sync.persistence import utcnow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class DeviceTaken(Exception):
    """A handheld id that has a live token, asked for without it."""


MIN_TOKEN_LENGTH = 32


def register(session: Session, device_id: str, name: str, user: User, address: str, token: str | None = None) -> str:
    """Register a device for `user` with the token it made itself (so a registration whose answer
    was lost can be sent again), or a new one made here; returns the token. A known id is started
    afresh only when it holds no live token (revoked, or never given one), and everyone else is
    unlinked from it: knowing a handheld's id must not let anyone speak for its users. A handheld
    that holds its token links the next user with `link`, keeping the token."""
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise ValueError(gettext("A handheld's token must be at least %(minimum)s random characters; this one has %(length)s.",
                                 minimum=MIN_TOKEN_LENGTH, length=len(token)))
    device = session.get(Device, device_id)
    if device is not None and device.token_hash and not device.revoked:
        raise DeviceTaken(
            gettext("Handheld %(device)s is registered already and this request does not carry its token; "
                    "log in on that handheld itself, or ask a supervisor to revoke it first.", device=device_id)
        )
    token = token or secrets.token_urlsafe(32)
    unlinked = 0
    if device is None:
        device = Device(id=device_id)
        session.add(device)
    else:
        unlinked = session.execute(delete(DeviceUser).where(DeviceUser.device_id == device_id)).rowcount
    device.name, device.token_hash, device.revoked, device.last_seen_at = name[:120], _digest(token), False, utcnow()
    link_user(session, device, user)
    audit.record(session, "device_registered", user.username, subject=device_id, address=address, name=name[:120],
                 users_unlinked=unlinked)
    return token


def link(session: Session, device: Device, user: User, address: str) -> None:
    """A user logs in on a handheld that proved itself with its token: linked, the token stays, so
    what the last shift queued still goes out in their names."""
    if link_user(session, device, user):
        audit.record(session, "device_user_linked", user.username, subject=device.id, address=address)
    device.last_seen_at = utcnow()


def ensure(session: Session, device_id: str) -> Device:
    """The device, created without a token when it first syncs through a logged-in session."""
    device = session.get(Device, device_id)
    if device is None:
        device = Device(id=device_id, token_hash="")
        session.add(device)
    device.last_seen_at = utcnow()
    return device


def link_user(session: Session, device: Device, user: User) -> bool:
    """Link `user` to `device`; whether they were not linked yet."""
    if session.get(DeviceUser, (device.id, user.id)) is not None:
        return False
    session.add(DeviceUser(device_id=device.id, user_id=user.id))
    return True


class NoSuchDevice(LookupError):
    """No handheld has that id."""


def revoke(session: Session, device_id: str, actor: User, address: str, reason: str) -> Device:
    """End a handheld's token; audited. Every web process checks the token in the database on each
    request (no cache), so the next request with it is refused, wherever it lands. Its queue stays
    on the handheld, to be sent once someone logs in on it and registers it again."""
    device = session.get(Device, device_id)
    if device is None:
        raise NoSuchDevice(gettext("There is no handheld %(device)s; reload the list.", device=repr(device_id)))
    if device.revoked:
        return device
    device.revoked = True
    audit.record(session, "device_revoked", actor.username, subject=device_id, address=address, name=device.name, reason=reason)
    return device


def listed(session: Session) -> list[tuple[Device, list[str]]]:
    """Every handheld, most recently seen first, with the usernames linked to it."""
    names: dict[str, list[str]] = {}
    for device_id, username in session.execute(
        select(DeviceUser.device_id, User.username).join(User, User.id == DeviceUser.user_id).order_by(User.username)
    ):
        names.setdefault(device_id, []).append(username)
    return [(device, names.get(device.id, [])) for device in session.scalars(select(Device).order_by(Device.last_seen_at.desc()))]


def by_token(session: Session, token: str) -> Device | None:
    device = session.scalar(select(Device).where(Device.token_hash == _digest(token)))
    return device if device is not None and not device.revoked else None


def linked_user_ids(session: Session, device_id: str) -> set[int]:
    return set(session.scalars(select(DeviceUser.user_id).where(DeviceUser.device_id == device_id)))
