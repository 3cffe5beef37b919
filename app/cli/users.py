"""`flask users create|list|disable|enable|set-role`."""
from collections.abc import Callable

import click
from flask.cli import AppGroup

from app.extensions import db
from app.security.roles import Role
from app.services import users as user_service

users = AppGroup("users", help="Create, list and disable users.")
CLI_ACTOR = "cli"


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--name", "display_name", default="", help="Name shown on screen.")
@click.option("--ward", "wards", multiple=True, help="Location barcode the user may act on (repeatable).")
@click.option("--badge", default=None, help="Badge barcode for fast login.")
@click.option("--pin", default=None, help="PIN for badge login (4 to 8 digits).")
@click.password_option(help="Password (asked for when not given).")
def create(username: str, role: str, display_name: str, wards: tuple[str, ...], badge: str | None, pin: str | None, password: str) -> None:
    """Create a user."""
    _change(
        lambda: user_service.create_user(
            db.session, username=username, display_name=display_name, role=role, password=password,
            locations=wards, badge_code=badge, pin=pin, actor=CLI_ACTOR,
        ),
        f"Created {username.lower()} ({role}).",
    )


@users.command("list")
def list_() -> None:
    """List users with role, wards and state."""
    for user in user_service.list_users(db.session):
        state = "active" if user.active else "disabled"
        wards = ",".join(user.location_codes) or "-"
        badge = "badge" if user.badge_code else "-"
        click.echo(f"{user.username:<20} {user.role:<12} {state:<9} {badge:<6} {wards}")


def _change(change: Callable[[], object], done: str) -> None:
    """Run a user change; a refusal becomes the command's error, success is committed and said."""
    try:
        change()
    except user_service.UserError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(done)


def _set_active(username: str, active: bool) -> None:
    _change(lambda: user_service.set_active(db.session, username, active, actor=CLI_ACTOR),
            f"{'Enabled' if active else 'Disabled'} {username}.")


@users.command("disable")
@click.argument("username")
def disable(username: str) -> None:
    """Disable a user: they can no longer log in and their open sessions end."""
    _set_active(username, False)


@users.command("enable")
@click.argument("username")
def enable(username: str) -> None:
    """Enable a disabled user."""
    _set_active(username, True)


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([role.value for role in Role]))
def set_role(username: str, role: str) -> None:
    """Change a user's role (audited)."""
    _change(lambda: user_service.set_role(db.session, username, role, actor=CLI_ACTOR), f"{username} is now {role}.")
