"""`flask demo load`: demo users and the sandbox's demo stock (safe to run again)."""
from datetime import date

import click
from flask.cli import AppGroup

from app.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from app.extensions import db
from app.services.sync import refresh_catalog

demo = AppGroup("demo", help="Demo users and demo stock for the training sandbox.")


@demo.command("load")
def load() -> None:
    """Load demo users and demo stock; existing data is kept."""
    created = load_demo(db.session, date.today())
    refresh_catalog()
    click.echo(f"Demo data ready ({len(created)} new users). Logins (password {DEMO_PASSWORD!r}):")
    for user in DEMO_USERS:
        click.echo(f"  {user.username:<12} {user.role:<12} badge {user.badge}  PIN {user.pin}")
