"""Failed-login counters, kept in the database so every web process sees the same lockout."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from offline_sync.persistence import Base


class LoginThrottle(Base):
    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "user:<name>" or "address:<ip>"
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
