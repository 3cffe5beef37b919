"""Where Wardstock's Odoo is and how it signs in (DESIGN §8: one integration user, an API key on the server)."""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from offline_sync.backends.contract import DEFAULT_QUARANTINE_LOCATION


@dataclass(frozen=True)
class OdooSettings:
    url: str  # e.g. https://odoo.example.org or http://127.0.0.1:8017
    database: str
    login: str
    secret: str  # the password, or better an API key: Odoo takes either where a password goes
    timeout: float = 30.0  # seconds per request; a write that times out is retried and found by its key
    transport: str = "jsonrpc"  # or "json2" (Odoo 19+, API key only)
    quarantine_location: str = DEFAULT_QUARANTINE_LOCATION  # barcode of the location pulled stock goes to

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> "OdooSettings":
        """From ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY (preferred) or ODOO_PASSWORD, ODOO_TIMEOUT, ODOO_TRANSPORT,
        QUARANTINE_LOCATION."""
        missing = [name for name in ("ODOO_URL", "ODOO_DB", "ODOO_USER") if not environ.get(name)]
        secret = environ.get("ODOO_API_KEY") or environ.get("ODOO_PASSWORD") or ""
        if not secret:
            missing.append("ODOO_API_KEY or ODOO_PASSWORD")
        if missing:
            raise ValueError(f"Odoo is not configured: set {', '.join(missing)}.")
        return cls(
            url=environ["ODOO_URL"].rstrip("/"),
            database=environ["ODOO_DB"],
            login=environ["ODOO_USER"],
            secret=secret,
            timeout=float(environ.get("ODOO_TIMEOUT") or cls.timeout),
            transport=environ.get("ODOO_TRANSPORT") or cls.transport,
            quarantine_location=environ.get("QUARANTINE_LOCATION") or cls.quarantine_location,
        )

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def ssl(self) -> bool:
        return urlsplit(self.url).scheme == "https"
