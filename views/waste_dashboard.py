"""The expiry and waste dashboard (supervisor, auditor): charts a person reads at a glance, the same
numbers as tables beneath them, and each table as CSV."""
from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template

from app.extensions import db
from app.security.access import requires
from app.security.roles import Permission
from app.services import waste_dashboard
from app.services.expiry import REASON_WORDS

blueprint = Blueprint("waste_dashboard", __name__)
WASTE_MONTHS = 12


def _since(today: date) -> date:
    """The first day of the month WASTE_MONTHS - 1 months before this one."""
    month = today.year * 12 + today.month - 1 - (WASTE_MONTHS - 1)
    return date(month // 12, month % 12 + 1, 1)


@blueprint.get("/expiry/dashboard")
@requires(Permission.EXPIRY_REPORTS)
def dashboard():
    today = date.today()
    expiring = waste_dashboard.expiring(db.session, today)
    wasted = waste_dashboard.wasted(db.session, _since(today))
    return render_template("expiry/dashboard.html", expiring=expiring, wasted=wasted, reasons=REASON_WORDS,
                           charts=waste_dashboard.chart_data(expiring, wasted), since=_since(today),
                           horizon=today + timedelta(days=90))


@blueprint.get("/expiry/dashboard/<table>.csv")
@requires(Permission.EXPIRY_REPORTS)
def dashboard_csv(table: str):
    today = date.today()
    if table == "expiring":
        body = waste_dashboard.expiring_csv(waste_dashboard.expiring(db.session, today))
    elif table == "wasted":
        body = waste_dashboard.wasted_csv(waste_dashboard.wasted(db.session, _since(today)))
    else:
        abort(404)
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{table}-{today}.csv"'})
