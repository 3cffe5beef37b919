"""The entry point for gunicorn (`gunicorn wsgi:app`) and for the commands (`flask --app wsgi …`).

A configuration error stops the process with its one sentence on stderr, not a traceback. Exit
status 3 is gunicorn's "worker failed to boot": the master stops instead of starting workers again.
"""
import os
import sys

from app import create_app
from app.config import ConfigError

CONFIG_ERROR_EXIT = 3


def _running_a_flask_command() -> bool:
    """The `flask` command line marks the environment before it loads the app (Flask's own flag).
    Without a SECRET_KEY, `flask run` then refuses every login rather than sign with no key."""
    return os.environ.get("FLASK_RUN_FROM_CLI") == "true"


try:
    app = create_app(serving=not _running_a_flask_command())
except ConfigError as error:
    print(f"Wardstock cannot start: {error}", file=sys.stderr)
    raise SystemExit(CONFIG_ERROR_EXIT) from None
