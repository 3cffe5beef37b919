"""Every `flask` command the README shows works as written on the embedded default, and a
configuration error stops the CLI and gunicorn with one sentence that says what to set.

The commands are read from the README itself, so the test fails when the README drifts."""
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FENCED_BLOCK = re.compile(r"```sh\n(.*?)```", re.DOTALL)
PASSWORD_TWICE = "a-long-password\na-long-password\n"


def readme_flask_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    lines = (line.strip() for block in FENCED_BLOCK.findall(readme) for line in block.splitlines())
    return [line for line in lines if line.startswith(".venv/bin/flask ")]


def clean_environment(instance: Path, **extra: str) -> dict[str, str]:
    """This process's environment without any Wardstock, Odoo or Flask setting: the embedded default."""
    kept = {name: value for name, value in os.environ.items()
            if not name.startswith(("WARDSTOCK_", "ODOO_", "FLASK_", "SYNC_")) and name not in ("SECRET_KEY", "DATABASE_URL")}
    return {**kept, "WARDSTOCK_INSTANCE": str(instance), **extra}


def run(command: str, environment: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(shlex.split(command), check=False, cwd=ROOT, env=environment, input=stdin, capture_output=True, text=True, timeout=180)


@pytest.fixture
def instance_after_make_run_setup(tmp_path: Path) -> Path:
    """What `make run` sets up before it starts: the database migrated and the demo loaded."""
    development = clean_environment(tmp_path, WARDSTOCK_ENV="development")
    for step in (".venv/bin/flask --app wsgi db upgrade", ".venv/bin/flask --app wsgi demo load"):
        done = run(step, development)
        assert done.returncode == 0, done.stderr
    (tmp_path / "secret_key").unlink()  # the commands must not lean on make run's development key
    return tmp_path


def test_the_readme_shows_the_user_commands() -> None:
    commands = readme_flask_commands()
    assert any(" users create " in command for command in commands), commands
    assert len(commands) >= 4


def test_every_flask_command_in_the_readme_works_as_written(instance_after_make_run_setup: Path) -> None:
    environment = clean_environment(instance_after_make_run_setup)
    for command in readme_flask_commands():
        done = run(command, environment, stdin=PASSWORD_TWICE)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
    listed = run(".venv/bin/flask --app wsgi users list", environment).stdout
    created = [line.split() for line in listed.splitlines() if line.split()[:1] == ["nia"]]
    assert created == [["nia", "supervisor", "disabled", "badge", "WARD-3B"]], listed


def test_a_configuration_error_in_a_command_is_one_sentence(tmp_path: Path) -> None:
    done = run(".venv/bin/flask --app wsgi users list", clean_environment(tmp_path, WARDSTOCK_BACKEND="odoo"))
    assert done.returncode != 0
    expected = ("Wardstock cannot start: WARDSTOCK_BACKEND is odoo, but Odoo is not configured: "
                "set ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY or ODOO_PASSWORD.")
    assert done.stderr.strip().splitlines() == [expected]


def test_gunicorn_without_a_secret_key_stops_with_one_sentence(tmp_path: Path) -> None:
    done = run(".venv/bin/gunicorn -c gunicorn.conf.py --workers 1 --bind 127.0.0.1:0 wsgi:app", clean_environment(tmp_path))
    assert done.returncode != 0
    ours = [line for line in done.stderr.splitlines() if not line.startswith("[")]  # gunicorn's own log lines start with [time]
    expected = ("Wardstock cannot start: SECRET_KEY is not set: set it to a long random string shared by every web process, "
                "for example the output of python -c 'import secrets; print(secrets.token_hex(32))' "
                "(or set WARDSTOCK_ENV=development to have one generated on this machine).")
    assert ours == [expected], done.stderr
    assert "Traceback" not in done.stderr
