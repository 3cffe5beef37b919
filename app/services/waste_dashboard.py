"""The expiry and waste dashboard's numbers: the value of stock expiring soon per ward (from the catalog
cache), and the value wasted per reason, ward and month (from Wardstock's scrap records), both at the
product's cost (Odoo's standard price) as the catalog knows it now."""
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.csv_export import SafeWriter
from app.services.expiry import REASON_WORDS, wards_by_location
from offline_sync.backends.contract import WasteReason
from offline_sync.catalog_cache import CachedLocation, CachedLot, CachedProduct, CachedStock
from offline_sync.outbox.models import CommandLot, OutboxCommand, Status

# (label, first day from today, last day): the expiry windows, each its own bar (not cumulative).
WINDOWS = ((lazy_gettext("expired, still on the shelf"), None, -1), (lazy_gettext("next 30 days"), 0, 30),
           (lazy_gettext("31–60 days"), 31, 60), (lazy_gettext("61–90 days"), 61, 90))


@dataclass(frozen=True)
class Expiring:
    windows: list[str]
    wards: list[str]
    value: dict[str, list[float]]  # ward → value per window
    units: dict[str, list[float]]
    costed: bool  # some product has a cost: without any, every value is 0 and only the units tell


@dataclass(frozen=True)
class Wasted:
    months: list[str]  # YYYY-MM, oldest first
    reasons: list[str]  # WasteReason values
    rows: list[tuple[str, str, str, float, float]]  # month, ward, reason, units, value


def expiring(session: Session, today: date) -> Expiring:
    costs = _costs(session)
    wards = wards_by_location(session)
    internal = set(session.scalars(select(CachedLocation.id).where(CachedLocation.usage == "internal")))
    horizon = today + timedelta(days=WINDOWS[-1][2])
    rows = session.execute(
        select(CachedStock.location_id, CachedStock.product_id, CachedStock.quantity, CachedLot.expiry)
        .join(CachedLot, CachedLot.id == CachedStock.lot_id)
        .where(CachedStock.quantity > 0, CachedLot.expiry.is_not(None), CachedLot.expiry <= horizon)
    )
    value: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(WINDOWS))
    units: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(WINDOWS))
    for location_id, product_id, quantity, expiry in rows:
        if location_id not in internal:
            continue
        days = (expiry - today).days
        window = next(index for index, (_, first, last) in enumerate(WINDOWS) if (first is None or days >= first) and days <= last)
        ward = wards.get(location_id, str(location_id))
        value[ward][window] += quantity * costs.get(product_id, 0.0)
        units[ward][window] += quantity
    ordered = sorted(value)
    return Expiring([str(label) for label, _, _ in WINDOWS], ordered, {w: value[w] for w in ordered}, {w: units[w] for w in ordered},
                    costed=any(costs.values()))


def wasted(session: Session, since: date) -> Wasted:
    """Waste recorded since `since` (by the day it was captured) and applied in the backend."""
    costs_by_gtin = {gtin: cost for gtin, cost in session.execute(select(CachedProduct.gtin, CachedProduct.cost))}
    locations = {location.barcode: location.id for location in session.scalars(select(CachedLocation))}
    wards = wards_by_location(session)
    reason = OutboxCommand.payload["reason"].as_string()
    rows = session.execute(
        select(CommandLot.captured_at, CommandLot.location, CommandLot.gtin, CommandLot.quantity, reason)
        .join(OutboxCommand, OutboxCommand.op_id == CommandLot.op_id)
        .where(CommandLot.kind == "scrap", CommandLot.captured_at >= since, OutboxCommand.status == Status.DONE)
    )
    totals: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for captured_at, location, gtin, quantity, why in rows:
        key = (f"{captured_at:%Y-%m}", wards.get(locations.get(location, -1), location), why)
        totals[key][0] += quantity
        totals[key][1] += quantity * costs_by_gtin.get(gtin, 0.0)
    return Wasted(
        months=sorted({month for month, _, _ in totals}), reasons=[r.value for r in WasteReason],
        rows=[(month, ward, why, units, value) for (month, ward, why), (units, value) in sorted(totals.items())],
    )


def chart_data(expiring_now: Expiring, waste: Wasted) -> dict[str, object]:
    """What the page's charts draw (static/js/waste-dashboard.js): the same numbers as its tables."""
    column = 4 if expiring_now.costed else 3  # without costs, units: a chart of zeros tells nothing
    per_reason = {why: [sum(row[column] for row in waste.rows if row[0] == month and row[2] == why) for month in waste.months]
                  for why in waste.reasons}
    expiring_by = expiring_now.value if expiring_now.costed else expiring_now.units
    return {
        "measure": "value" if expiring_now.costed else "units",
        "expiring": {"labels": expiring_now.wards, "series": [
            {"label": label, "values": [round(expiring_by[ward][index], 2) for ward in expiring_now.wards]}
            for index, label in enumerate(expiring_now.windows)]},
        "wasted": {"labels": waste.months, "series": [
            {"label": str(REASON_WORDS[WasteReason(why)]).rstrip("…"), "values": [round(v, 2) for v in values]}
            for why, values in per_reason.items() if any(values)]},
    }


def expiring_csv(report: Expiring) -> str:
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(["ward", "window", "units", "value"])
    for ward in report.wards:
        for index, window in enumerate(report.windows):
            writer.writerow([ward, window, report.units[ward][index], round(report.value[ward][index], 2)])
    return out.getvalue()


def wasted_csv(report: Wasted) -> str:
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(["month", "ward", "reason", "units", "value"])
    for month, ward, why, units, value in report.rows:
        writer.writerow([month, ward, why, units, round(value, 2)])
    return out.getvalue()


def _costs(session: Session) -> dict[int, float]:
    return {product_id: cost for product_id, cost in session.execute(select(CachedProduct.id, CachedProduct.cost))}
