"""Badge cards: a user's name, role and badge code (never the PIN), for every active user with a badge."""
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User
from app.services.labels.label import Kind, Label
from app.services.labels.symbols import code128, datamatrix


def users_with_badges(session: Session) -> list[User]:
    query = select(User).where(User.badge_code.is_not(None), User.active.is_(True)).order_by(User.display_name)
    return list(session.scalars(query))


def badge_card(user: User) -> Label:
    code = user.badge_code or ""
    return Label(Kind.BADGE, user.display_name, (f"{user.role}",), datamatrix(code), code128(code), code)


def badge_cards(session: Session, usernames: list[str]) -> list[Label]:
    chosen = set(usernames)
    found = [user for user in users_with_badges(session) if user.username in chosen]
    missing = chosen - {user.username for user in found}
    if missing:
        raise LookupError(gettext("No active user with a badge called %(users)s; issue a badge first.", users=', '.join(sorted(missing))))
    return [badge_card(user) for user in found]
