"""`flask` commands: users, demo data, sync."""
from flask import Flask


def register_cli(app: Flask) -> None:
    from app.cli.demo import demo
    from app.cli.sync import sync
    from app.cli.users import users

    for group in (users, demo, sync):
        app.cli.add_command(group)
