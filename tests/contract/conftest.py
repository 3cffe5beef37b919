"""The contract suite runs against every backend: `world` and `backend` are parametrised.

- sandbox: always; a fresh SQLite file per test with the demo data loaded.
- odoo: only when ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD (or ODOO_API_KEY) are set. It then
  imports `contract_world_odoo` from this folder (to be written with `offline_sync.backends.odoo`,
  which it imports) and calls `make_world(os.environ)` (e.g. for `OdooSettings.from_environment`)
  for a `World` (see contract_world.py) whose names are unique per run, so the suite can run on
  the same database again and again.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from contract_world import World
from contract_world_sandbox import SandboxWorld, make_demo_database

from offline_sync.backends.contract import InventoryBackend

ODOO_REQUIRED = ("ODOO_URL", "ODOO_DB", "ODOO_USER")
ODOO_SECRETS = ("ODOO_PASSWORD", "ODOO_API_KEY")


def _skip_unless_odoo_is_configured() -> None:
    missing = [name for name in ODOO_REQUIRED if not os.environ.get(name)]
    if not any(os.environ.get(name) for name in ODOO_SECRETS):
        missing.append(" or ".join(ODOO_SECRETS))
    if missing:
        pytest.skip(f"ODOO NOT CONFIGURED, contract not checked against a real Odoo: set {', '.join(missing)}.")


def _odoo_world() -> World:
    _skip_unless_odoo_is_configured()
    try:
        from contract_world_odoo import make_world
    except ModuleNotFoundError as error:
        if error.name != "contract_world_odoo":
            raise
        pytest.fail(
            "Odoo is configured, but tests/contract/contract_world_odoo.py (the Odoo fixture world, "
            "with make_world(environ) -> World) does not exist yet."
        )
    return make_world(os.environ)


@pytest.fixture(scope="session")
def sandbox_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sandbox") / "template.sqlite"
    make_demo_database(path)
    return path


def _sandbox_world(template: Path, folder: Path) -> World:
    path = folder / "sandbox.sqlite"
    shutil.copy(template, path)
    return SandboxWorld(path)


@pytest.fixture(params=["sandbox", "odoo"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    if request.param == "sandbox":
        made = _sandbox_world(request.getfixturevalue("sandbox_template"), tmp_path)
    else:
        made = _odoo_world()
    yield made
    made.close()


@pytest.fixture
def backend(world: World) -> InventoryBackend:
    return world.backend
