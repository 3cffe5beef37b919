"""Wards and locations as Wardstock knows them from the catalog cache, with the users assigned to
each: a user assigned to a location acts on it and every location under it."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User, UserLocation
from offline_sync.catalog_cache import CachedLocation


@dataclass(frozen=True)
class Ward:
    location: CachedLocation
    depth: int  # 0 for a location without a known parent
    assigned: list[User]  # users assigned to this location itself
    covered_by: list[User]  # users assigned to a location above it


@dataclass(frozen=True)
class WardsOverview:
    wards: list[Ward]
    unknown: dict[str, list[User]]  # location codes users are assigned to that the catalog does not hold


def overview(session: Session) -> WardsOverview:
    locations = list(session.scalars(select(CachedLocation).order_by(CachedLocation.barcode)))
    by_id = {location.id: location for location in locations}
    children: dict[int | None, list[CachedLocation]] = {}
    for location in locations:
        parent = location.parent_id if location.parent_id in by_id else None
        children.setdefault(parent, []).append(location)
    assigned: dict[str, list[User]] = {}
    for code, user in session.execute(
        select(UserLocation.location_code, User).join(User, User.id == UserLocation.user_id).order_by(User.username)
    ):
        assigned.setdefault(code, []).append(user)
    wards: list[Ward] = []

    def walk(parent: int | None, depth: int, above: list[User]) -> None:
        for location in children.get(parent, []):
            own = assigned.get(location.barcode, [])
            wards.append(Ward(location, depth, own, above))
            walk(location.id, depth + 1, above + [user for user in own if user not in above])

    walk(None, 0, [])
    known = {location.barcode for location in locations}
    return WardsOverview(wards, {code: holders for code, holders in assigned.items() if code not in known})
