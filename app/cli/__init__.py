"""`flask` commands: users, demo data."""
from flask import Flask


def register_cli(app: Flask) -> None:
    from app.cli.demo import demo
    from app.cli.users import users

    app.cli.add_command(users)
    app.cli.add_command(demo)
