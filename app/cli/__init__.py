"""`flask` commands: users, demo data, sync, the Odoo doctor."""
from flask import Flask


def register_cli(app: Flask) -> None:
    from app.cli.demo import demo
    from app.cli.odoo import odoo
    from app.cli.sync import sync
    from app.cli.users import users

    for group in (users, demo, sync, odoo):
        app.cli.add_command(group)
