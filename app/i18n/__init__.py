"""The languages Wardstock speaks and which one a request is answered in.

English is the source language; each other language has its catalogue in
`app/translations/<code>/LC_MESSAGES/messages.po` (one catalogue for the server's pages and the
handheld's scripts). A user's own choice wins; without one, the browser's `Accept-Language`; else English.
"""
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from babel import negotiate_locale
from flask import has_request_context, request
from flask_babel import LazyString, force_locale, get_locale, lazy_gettext
from flask_login import current_user

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
DEFAULT_LANGUAGE = "en"
# Each language by its code, named in itself (as a user looks for their own language in a list).
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français", "de": "Deutsch"}

# Roles and workflows are codes in the data; these are their names on screen.
ROLE_NAMES: dict[str, LazyString] = {
    "storekeeper": lazy_gettext("storekeeper"),
    "nurse": lazy_gettext("nurse"),
    "auditor": lazy_gettext("auditor"),
    "supervisor": lazy_gettext("supervisor"),
    "admin": lazy_gettext("admin"),
}
WORKFLOW_NAMES: dict[str, LazyString] = {
    "receive": lazy_gettext("Receive"),
    "transfer": lazy_gettext("Transfer"),
    "consume": lazy_gettext("Consume"),
    "count": lazy_gettext("Count"),
}

# A sync command's state and kind (offline_sync's codes) as a screen names them.
STATUS_NAMES: dict[str, LazyString] = {
    "queued": lazy_gettext("queued"),
    "syncing": lazy_gettext("syncing"),
    "retrying": lazy_gettext("retrying"),
    "conflict": lazy_gettext("conflict"),
    "done": lazy_gettext("done"),
    "discarded": lazy_gettext("discarded"),
}
KIND_NAMES: dict[str, LazyString] = {
    "receive": lazy_gettext("receipt"),
    "receive_validate": lazy_gettext("receipt validated"),
    "receive_unplanned": lazy_gettext("unplanned receipt"),
    "transfer": lazy_gettext("stock transfer"),
    "consume": lazy_gettext("use"),
    "count": lazy_gettext("stock count"),
    "replenish_request": lazy_gettext("refill request"),
    "replenish_pick": lazy_gettext("refill picked"),
    "replenish_deliver": lazy_gettext("refill delivered"),
    "par_level_set": lazy_gettext("par level"),
    "scrap": lazy_gettext("waste record"),
    "quarantine": lazy_gettext("move to quarantine"),
    "vendor_return": lazy_gettext("vendor return"),
    "recall": lazy_gettext("recall notice"),
}

# What a person's audited history shows (people/show.html): the audit log's codes in words.
AUDIT_ACTION_NAMES: dict[str, LazyString] = {
    "user_created": lazy_gettext("user created"),
    "user_renamed": lazy_gettext("name changed"),
    "role_changed": lazy_gettext("role changed"),
    "wards_changed": lazy_gettext("wards changed"),
    "language_changed": lazy_gettext("language changed"),
    "badge_issued": lazy_gettext("badge issued"),
    "pin_reset": lazy_gettext("PIN reset"),
    "password_reset": lazy_gettext("password set"),
    "user_enabled": lazy_gettext("enabled"),
    "user_disabled": lazy_gettext("disabled"),
    "login": lazy_gettext("logged in"),
    "logout": lazy_gettext("logged out"),
    "login_failed": lazy_gettext("login failed"),
    "login_locked": lazy_gettext("login locked"),
    "login_refused_disabled": lazy_gettext("login refused: disabled"),
}


def audit_action_name(action: str) -> str:
    return str(AUDIT_ACTION_NAMES.get(action, action))

# The inventory's lot moves (LotMoveKind) in the same words as the commands that make them.
MOVE_NAMES: dict[str, LazyString] = {
    "receipt": KIND_NAMES["receive"], "transfer": KIND_NAMES["transfer"], "consumption": KIND_NAMES["consume"],
    "scrap": KIND_NAMES["scrap"], "return": KIND_NAMES["vendor_return"], "count": KIND_NAMES["count"],
    "quarantine": KIND_NAMES["quarantine"],
}


def move_name(kind: str) -> str:
    return str(MOVE_NAMES.get(str(kind), kind))


def status_name(status: str) -> str:
    return str(STATUS_NAMES.get(str(status), status))


def kind_name(kind: str) -> str:
    return str(KIND_NAMES.get(str(kind), kind))


def role_name(role: str) -> str:
    return str(ROLE_NAMES.get(str(role), role))


def workflow_name(workflow: str) -> str:
    return str(WORKFLOW_NAMES.get(str(workflow), workflow))


def choose_language(user_language: str | None, browser_best: str | None) -> str:
    """The user's own language if they chose one we have, else the browser's best match, else English."""
    for language in (user_language, browser_best):
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


def select_locale() -> str:
    """Flask-Babel's locale selector: the language of the current request (English outside one)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    user_language = current_user.language if current_user.is_authenticated else None
    return choose_language(user_language, browser_language(list(request.accept_languages.values())))


def browser_language(preferred: list[str]) -> str | None:
    """The first of the browser's languages (best first) we have, a regional one counting as its
    language: "fr-CH, en;q=0.8" is French."""
    return negotiate_locale(preferred, list(LANGUAGES), sep="-")


def in_language_of(user) -> AbstractContextManager:
    """Within it, messages are in `user`'s own language when they chose one (else the request's):
    for sentences about a user's work sent where no session says who reads them (a handheld's token)."""
    return force_locale(user.language) if user.language in LANGUAGES else nullcontext()


def template_globals() -> dict[str, object]:
    """What templates use to speak the reader's language: the locale, the languages, and the names of codes."""
    return {"current_locale": get_locale, "languages": LANGUAGES, "role_name": role_name, "workflow_name": workflow_name,
            "status_name": status_name, "kind_name": kind_name, "move_name": move_name, "audit_action_name": audit_action_name}
