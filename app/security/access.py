"""Every route declares who may open it; a guard run before each request enforces it.

A view is either `@public` or `@requires(permission)` (`@requires()` = any logged-in user).
`check_all_routes_declared` runs at start-up, so a route that forgot to declare its access
stops the app from starting instead of being open by accident.
"""
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, jsonify, redirect, request, url_for
from flask_login import current_user

from app.security.roles import Permission

View = TypeVar("View", bound=Callable[..., object])
ANY_USER = "any_user"
# Flask's own static route cannot carry a mark; its files are the public app shell.
PUBLIC_ENDPOINTS = frozenset({"static"})


def public(view: View) -> View:
    view.access = "public"  # type: ignore[attr-defined]
    return view


def requires(permission: Permission | None = None) -> Callable[[View], View]:
    def mark(view: View) -> View:
        view.access = permission or ANY_USER  # type: ignore[attr-defined]
        return view

    return mark


def access_of(app: Flask, endpoint: str) -> str | Permission:
    if endpoint in PUBLIC_ENDPOINTS:
        return "public"
    return getattr(app.view_functions[endpoint], "access")


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


def guard_request(app: Flask):  # noqa: ANN201 - a Flask response or None
    """before_request hook: let the request through, or answer 401/403/redirect to login."""
    if request.endpoint is None:  # 404 and 405 take their own course
        return None
    access = access_of(app, request.endpoint)
    if access == "public":
        return None
    if not current_user.is_authenticated:
        if _wants_json():
            return jsonify(error="not_logged_in", message="Log in again: this device's session has ended."), 401
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if access != ANY_USER and not current_user.can(access):
        if _wants_json():
            return jsonify(error="forbidden", message="Your role does not allow this."), 403
        abort(403)
    return None
