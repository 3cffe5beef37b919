"""Every route declares who may open it; a guard run before each request enforces it.

A view is either `@public` or `@requires(permission)` (`@requires()` = any logged-in user).
`check_all_routes_declared` runs at start-up, so a route that forgot to declare its access
stops the app from starting instead of being open by accident.
"""
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, g, jsonify, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf

from app.security.roles import Permission

View = TypeVar("View", bound=Callable[..., object])
ANY_USER = "any_user"
DEVICE_OR_USER = "device_or_user"
# Flask's own static route cannot carry a mark; its files are the public app shell.
PUBLIC_ENDPOINTS = frozenset({"static"})


def public(view: View) -> View:
    view.access = "public"  # type: ignore[attr-defined]
    return view


def device_or_user(view: View) -> View:
    """For the device API: a device's bearer token, or a logged-in session with the CSRF header.
    Sets `g.device` (a token_cache.DeviceIdentity, or None for a session); the view exempts itself from form CSRF."""
    view.access = DEVICE_OR_USER  # type: ignore[attr-defined]
    return view


def requires(permission: Permission | None = None) -> Callable[[View], View]:
    def mark(view: View) -> View:
        view.access = permission or ANY_USER  # type: ignore[attr-defined]
        return view

    return mark


def access_of(app: Flask, endpoint: str) -> str | Permission:
    if endpoint in PUBLIC_ENDPOINTS:
        return "public"
    return app.view_functions[endpoint].access


def check_all_routes_declared(app: Flask) -> None:
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in PUBLIC_ENDPOINTS and not hasattr(view, "access")
    ]
    if undeclared:
        raise RuntimeError(f"These routes do not declare who may open them (@public or @requires): {undeclared}")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def guard_request(app: Flask):
    """before_request hook: let the request through, or answer 401/403/redirect to login."""
    if request.endpoint is None:  # 404 and 405 take their own course
        return None
    access = access_of(app, request.endpoint)
    if access == "public":
        return None
    if access == DEVICE_OR_USER:
        return _authenticate_device_or_user()
    if not current_user.is_authenticated:
        if _wants_json():
            return jsonify(error="not_logged_in", message=gettext("Log in again: this device's session has ended.")), 401
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if access != ANY_USER and not current_user.can(access):
        if _wants_json():
            return jsonify(error="forbidden", message=gettext("Your role does not allow this.")), 403
        abort(403)
    return None


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer …` header, if the request has one."""
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None


def _authenticate_device_or_user():
    from app.extensions import db
    from app.security import token_cache
    from app.services import devices

    token = bearer_token()
    if token is not None:
        g.device = token_cache.device_for(db.session, token, devices.by_token)
        if g.device is None:
            return jsonify(error="bad_token", message=gettext("This device's token is not valid any more; log in on it to register it again.")), 401
        return None
    g.device = None
    if not current_user.is_authenticated:
        return jsonify(error="not_logged_in", message=gettext("Log in again: this device's session has ended.")), 401
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except (CSRFError, ValueError):
            return jsonify(error="csrf", message=gettext("The page is out of date; reload it and sync again.")), 400
    return None
