"""Wardstock's application factory."""
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import get_locale, lazy_gettext
from sqlalchemy.orm import joinedload
from werkzeug.middleware.proxy_fix import ProxyFix

import offline_sync.backends.sandbox.models  # registers the sandbox ledger's tables
import offline_sync.catalog_cache  # registers the catalog cache's tables
import offline_sync.outbox.models  # noqa: F401  registers the outbox's tables
from app import logs, models  # noqa: F401  models registers the app's tables
from app.config import load_config
from app.extensions import babel, csrf, db, htmx, login_manager, migrate
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, TRANSLATIONS_DIR, role_name, select_locale, workflow_name
from app.i18n.catalogs import compile_stale
from app.security import passwords
from app.security.access import check_all_routes_declared, guard_request
from app.security.headers import add_security_headers
from app.security.idle import end_idle_session

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(
    environ: Mapping[str, str] | None = None, overrides: dict[str, Any] | None = None, *, serving: bool = True
) -> Flask:
    """Build the app from environment variables (`environ`, default the process's); `overrides` win over them.
    `serving` is False when the app only runs `flask` commands (no sessions to sign)."""
    environ = os.environ if environ is None else environ
    app = Flask(
        __name__,
        instance_path=environ.get("WARDSTOCK_INSTANCE") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(load_config(environ, Path(app.instance_path), serving=serving))
    app.config.from_mapping(overrides or {})
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    passwords.use_profile(app.config.get("PASSWORD_HASH_PROFILE", "default"))
    if not app.testing:
        logs.configure(environ.get("LOG_LEVEL", "INFO"))
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"], x_proto=1)  # type: ignore[method-assign]

    _init_extensions(app)
    _register_blueprints(app)
    app.before_request(end_idle_session)
    app.before_request(lambda: guard_request(app))
    app.after_request(add_security_headers)
    check_all_routes_declared(app)
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db)
    csrf.init_app(app)
    htmx.init_app(app)
    _init_languages(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Log in to carry on.")
    login_manager.localize_callback = str
    login_manager.session_protection = "basic"  # "strong" would log a nurse out when the handheld roams between access points

    @login_manager.user_loader
    def load_user(user_id: str):
        from app.models import User

        # Every request of a logged-in user: the user and their wards in one query.
        user = db.session.get(User, int(user_id), options=[joinedload(User.locations)])
        return user if user is not None and user.active else None


def _init_languages(app: Flask) -> None:
    """Flask-Babel with the locale of each request; the catalogues compiled if missing or stale."""
    compile_stale(TRANSLATIONS_DIR)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    babel.init_app(app, locale_selector=select_locale)
    # {% trans %} blocks are extracted trimmed (babel.cfg): render them the same way.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(current_locale=get_locale, languages=LANGUAGES, role_name=role_name, workflow_name=workflow_name)


def _register_blueprints(app: Flask) -> None:
    from app.cli import register_cli
    from views import register_views

    register_views(app)
    register_cli(app)
