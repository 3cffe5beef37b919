"""The links a home screen shows, built from the role's permissions, each with the count or state
that says whether it needs attention now. A new page adds one `LinkSpec` to LINKS."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import User
from app.security.roles import Permission
from offline_sync.outbox import health
from offline_sync.outbox.models import OutboxCommand, Status

# A command still not in the backend this long after the server took it is stale: worth a look.
STALE_AFTER = timedelta(minutes=10)
PENDING = (Status.QUEUED, Status.SYNCING, Status.RETRYING)


@dataclass(frozen=True)
class Badge:
    text: str
    alert: bool  # needs someone now


@dataclass(frozen=True)
class LinkSpec:
    key: str
    title: str
    help: str
    endpoint: str
    permission: Permission
    badge: Callable[[Session, datetime], Badge | None] | None = None


@dataclass(frozen=True)
class HomeLink:
    key: str
    title: str
    help: str
    endpoint: str
    badge: Badge | None


def parked_conflicts(session: Session, _now: datetime) -> Badge:
    count = session.scalar(select(func.count()).where(OutboxCommand.status == Status.CONFLICT)) or 0
    return Badge(gettext("%(count)s parked", count=count), count > 0)


def sync_state(session: Session, now: datetime) -> Badge:
    """Stale commands, or the inventory server's state when nothing is stale."""
    stale = session.scalar(select(func.count()).where(
        OutboxCommand.status.in_(PENDING), OutboxCommand.received_at < now - STALE_AFTER)) or 0
    state = health.summary(session, now)
    if state.workers_alive == 0:
        server = gettext("no sync worker running")
    elif state.backend_circuit_open:
        server = gettext("inventory server not answering")
    else:
        server = gettext("inventory server answering")
    if stale:
        return Badge(gettext("%(count)s stale · %(server)s", count=stale, server=server), True)
    return Badge(server, state.workers_alive == 0 or state.backend_circuit_open)


def active_users(session: Session, _now: datetime) -> Badge:
    count = session.scalar(select(func.count()).where(User.active.is_(True))) or 0
    return Badge(gettext("%(count)s active", count=count), False)


LINKS: tuple[LinkSpec, ...] = (
    LinkSpec("conflicts", lazy_gettext("Conflicts inbox"), lazy_gettext("scans the server set aside, waiting for your decision"), "conflicts.inbox",
             Permission.RESOLVE_CONFLICTS, parked_conflicts),
    LinkSpec("products", lazy_gettext("Unknown barcodes"), lazy_gettext("link a barcode the inventory does not know to its product"), "products.index",
             Permission.RESOLVE_CONFLICTS),
    LinkSpec("sync", lazy_gettext("Sync"), lazy_gettext("what is waiting to reach the inventory server, and whether it answers"), "sync_status.index",
             Permission.VIEW_REPORTS, sync_state),
    LinkSpec("devices", lazy_gettext("Handhelds"), lazy_gettext("who uses which handheld; revoke a lost one"), "devices.index", Permission.MANAGE_DEVICES),
    LinkSpec("people", lazy_gettext("People"), lazy_gettext("users, roles, wards, badges and PINs; import from CSV"), "people.index",
             Permission.MANAGE_USERS, active_users),
    LinkSpec("labels", lazy_gettext("Labels"), lazy_gettext("locations, badges, GS1 relabels, two-bin cards: PDF or Zebra"), "labels.index",
             Permission.PRINT_LABELS),
    LinkSpec("wards", lazy_gettext("Wards and locations"), lazy_gettext("the locations the inventory server holds, with who is assigned to each"),
             "wards.index", Permission.VIEW_WARDS),
)


def links_for(user: User, session: Session, now: datetime) -> list[HomeLink]:
    """The links `user`'s role may open, in LINKS' order, with their badges."""
    return [HomeLink(spec.key, spec.title, spec.help, spec.endpoint, spec.badge(session, now) if spec.badge else None)
            for spec in LINKS if user.can(spec.permission)]
