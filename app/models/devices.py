"""Handhelds that send commands, their bearer tokens, and the users who have logged in on them.

A device replays its queue with its own token, also after the user who captured the commands
has logged out; a command may only name a user who has logged in on that device.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from offline_sync.persistence import Base, utcnow


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # a UUID the device made for itself
    name: Mapped[str] = mapped_column(String(120), default="")
    token_hash: Mapped[str] = mapped_column(String(64), index=True)  # SHA-256 of the bearer token
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked: Mapped[bool] = mapped_column(default=False)
    users: Mapped[list["DeviceUser"]] = relationship(cascade="all, delete-orphan")


class DeviceUser(Base):
    __tablename__ = "device_users"

    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
