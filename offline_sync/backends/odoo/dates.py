"""Dates between labels, devices and Odoo. Odoo stores datetimes as naive UTC strings; a date a
person types in Odoo is midnight in their time zone, so an expiry is read and written in the time
zone of the user Wardstock signs in as (UTC if it has none)."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

ODOO_FORMAT = "%Y-%m-%d %H:%M:%S"


def to_odoo(moment: datetime) -> str:
    """A device time (naive = UTC) as Odoo writes it; Odoo keeps whole seconds."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime(ODOO_FORMAT)


def expiry_to_odoo(expiry: date, tz: str | None) -> str:
    local = datetime.combine(expiry, time(), tzinfo=ZoneInfo(tz or "UTC"))
    return to_odoo(local)


def expiry_from_odoo(value: str | bool | None, tz: str | None) -> date | None:
    if not value:
        return None
    moment = datetime.strptime(str(value), ODOO_FORMAT).replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(tz or "UTC")).date()


def today(tz: str | None) -> date:
    return datetime.now(ZoneInfo(tz or "UTC")).date()
