"""`flask odoo doctor [--fix]`: is this Odoo ready for Wardstock, and (with consent) make it so."""
import click
from flask import current_app
from flask.cli import AppGroup

from offline_sync.backends.odoo.doctor import doctor as run_doctor

odoo = AppGroup("odoo", help="Check the Odoo server Wardstock talks to.")


@odoo.command("doctor")
@click.option("--fix", is_flag=True, help="Create what is missing, through Odoo's standard settings only.")
@click.option("--yes", is_flag=True, help="Do not ask before changing Odoo (with --fix).")
def doctor(fix: bool, yes: bool) -> None:
    """Connect, print the version, and check every setting Wardstock needs."""
    settings = current_app.config["ODOO_SETTINGS"]
    if settings is None:
        raise click.ClickException("WARDSTOCK_BACKEND is not odoo: set it and ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY.")
    if fix and not yes:
        click.confirm(f"Change the settings of {settings.database} on {settings.url} where they are missing?", abort=True)
    checks = run_doctor(settings, fix=fix)
    for check in checks:
        mark = "fixed" if check.fixed else ("MISSING" if not check.ok else ("WARNING" if check.warning else "ok"))
        click.echo(f"{mark:>8}  {check.name}: {check.message}")
    if not all(check.ok for check in checks):
        raise click.ClickException("Odoo is not ready for Wardstock yet; see the lines marked MISSING.")
