"""What every operation works with: the signed-in connection and the directory on top of it."""

from dataclasses import dataclass

from .connection import Connection
from .lookup import Directory


@dataclass(frozen=True)
class Session:
    odoo: Connection
    directory: Directory
