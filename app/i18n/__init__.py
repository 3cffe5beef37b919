"""The languages Wardstock speaks and which one a request is answered in.

English is the source language; each other language has its catalogue in
`app/translations/<code>/LC_MESSAGES/messages.po` (one catalogue for the server's pages and the
handheld's scripts). A user's own choice wins; without one, the browser's `Accept-Language`; else English.
"""
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from babel import negotiate_locale
from flask import has_request_context, request
from flask_babel import LazyString, force_locale, lazy_gettext
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
