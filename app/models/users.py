"""People who log in, their role, and the locations (wards) they may act on."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.security.passwords import hash_secret, verify_secret
from app.security.roles import Permission, Role, role_can
from offline_sync.persistence import Base, utcnow


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    badge_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The language of their screens (app.i18n.LANGUAGES); None: the browser's language.
    language: Mapped[str | None] = mapped_column(String(8))
    # Loaded with the users (one more query for all of them): pages and permission checks read them.
    locations: Mapped[list["UserLocation"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserLocation.location_code", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return self.active

    @property
    def location_codes(self) -> list[str]:
        return [link.location_code for link in self.locations]

    def set_password(self, password: str) -> None:
        self.password_hash = hash_secret(password)

    def check_password(self, password: str) -> bool:
        return verify_secret(self.password_hash, password)

    def set_pin(self, pin: str) -> None:
        self.pin_hash = hash_secret(pin)

    def check_pin(self, pin: str) -> bool:
        return verify_secret(self.pin_hash, pin)

    def can(self, permission: Permission) -> bool:
        return role_can(Role(self.role), permission)


class UserLocation(Base):
    """A location (by barcode) a user is assigned to; sub-locations are included."""

    __tablename__ = "user_locations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    location_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    user: Mapped[User] = relationship(back_populates="locations")
