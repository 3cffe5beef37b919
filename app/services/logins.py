"""When each user was logged in: a command may only be captured during a login of the user it names.

A handheld's token speaks for every user who logged in on it, also after they logged out, so
without this a token could send commands stamped after its user left, or back-dated by weeks. A
login lasts from its start to its end (logout, badge switch, idle or lifetime end noticed by the
server), or to its longest lifetime while the server has not seen it end (a handheld offline locks
itself). Users with no login kept at all (logged in before logins were kept on the server) are not
checked.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import LoginSession, User

# A handheld's clock against the server's: capture times this far outside a login still count.
CLOCK_TOLERANCE = timedelta(minutes=10)


@dataclass(frozen=True)
class LoginWindows:
    """The logins of some users since a cutoff, as (start, end) times."""

    spans: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    recorded: frozenset[int] = frozenset()  # users with any login kept

    def covers(self, user_id: int, at: datetime) -> bool:
        if user_id not in self.recorded:
            return True
        return any(start - CLOCK_TOLERANCE <= at <= end + CLOCK_TOLERANCE for start, end in self.spans.get(user_id, ()))


def windows(session: Session, user_ids: set[int], since: datetime, longest_login: timedelta) -> LoginWindows:
    """The logins of `user_ids` that may hold a capture time after `since`."""
    if not user_ids:
        return LoginWindows()
    spans: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    rows = session.execute(select(LoginSession.user_id, LoginSession.started_at, LoginSession.ended_at).where(
        LoginSession.user_id.in_(user_ids), LoginSession.started_at >= since - longest_login))
    for user_id, started_at, ended_at in rows:
        spans[user_id].append((started_at, min(ended_at or started_at + longest_login, started_at + longest_login)))
    recorded = set(session.scalars(select(LoginSession.user_id).where(LoginSession.user_id.in_(user_ids)).distinct()))
    return LoginWindows(dict(spans), frozenset(recorded))


def outside(user: User, captured_at: datetime) -> str:
    """The sentence for a command captured while its user was not logged in."""
    return gettext("%(user)s was not logged in at %(when)s UTC, when this command says it was captured; a command is kept only when "
                   "captured during a login of its user (check the handheld's clock). Log in and capture it again.",
                   user=user.username, when=format(captured_at, "%Y-%m-%d %H:%M"))
