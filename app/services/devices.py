"""Registering a handheld and checking its bearer token."""
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Device, DeviceUser, User
from app.services import audit
from offline_sync.persistence import utcnow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register(session: Session, device_id: str, name: str, user: User, address: str) -> str:
    """Register (or re-register) a device for `user`; returns a new bearer token, shown once."""
    token = secrets.token_urlsafe(32)
    device = session.get(Device, device_id) or Device(id=device_id)
    device.name, device.token_hash, device.revoked, device.last_seen_at = name[:120], _digest(token), False, utcnow()
    session.add(device)
    link_user(session, device, user)
    audit.record(session, "device_registered", user.username, subject=device_id, address=address, name=name[:120])
    return token


def ensure(session: Session, device_id: str) -> Device:
    """The device, created without a token when it first syncs through a logged-in session."""
    device = session.get(Device, device_id)
    if device is None:
        device = Device(id=device_id, token_hash="")
        session.add(device)
    device.last_seen_at = utcnow()
    return device


def link_user(session: Session, device: Device, user: User) -> None:
    if session.get(DeviceUser, (device.id, user.id)) is None:
        session.add(DeviceUser(device_id=device.id, user_id=user.id))


def by_token(session: Session, token: str) -> Device | None:
    device = session.scalar(select(Device).where(Device.token_hash == _digest(token)))
    return device if device is not None and not device.revoked else None


def linked_user_ids(session: Session, device_id: str) -> set[int]:
    return set(session.scalars(select(DeviceUser.user_id).where(DeviceUser.device_id == device_id)))
