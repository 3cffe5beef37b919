"""The handheld's translations: the JavaScript's messages of the same .po catalogues Flask-Babel
uses, as JSON for static/js/i18n.js. Public (the login and offline pages need them), versioned by
an ETag so the service worker and the browser revalidate them cheaply."""
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from flask import Blueprint, Response, current_app, request

from app.security.access import public

blueprint = Blueprint("i18n", __name__)
SOURCE_LANGUAGE = "en"
SOURCE_PLURAL = "(n != 1)"
LANGUAGE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?")
JS_SOURCES = "static/js/"


def _translation_folders() -> list[Path]:
    """Flask-Babel's folders: BABEL_TRANSLATION_DIRECTORIES (';'-separated, relative to the app), else translations/."""
    names = current_app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations")
    return [Path(current_app.root_path, name) for name in names.split(";") if name]


def _catalogue_file(language: str) -> Path | None:
    """The messages.po of `language` (fr-FR falls back to fr), or None."""
    tag = language.replace("-", "_")
    for name in dict.fromkeys((tag, tag.split("_")[0])):
        for folder in _translation_folders():
            po = folder / name / "LC_MESSAGES" / "messages.po"
            if po.is_file():
                return po
    return None


@lru_cache(maxsize=16)
def _catalogue(path: str, _stamp: int) -> tuple[bytes, str]:
    """The JSON body and its ETag for one .po (cached until the file changes): translated, not fuzzy
    messages used by the handheld's JavaScript; plural ones as the list of their forms."""
    with open(path, "rb") as file:
        catalog = read_po(file)
    messages: dict[str, str | list[str]] = {}
    for message in catalog:
        if not message.id or message.fuzzy or not any(where.startswith(JS_SOURCES) for where, _ in message.locations):
            continue
        if message.pluralizable:
            forms = [str(form) for form in message.string]
            if all(forms):
                messages[message.id[0]] = forms
        elif message.string:
            messages[message.id] = message.string
    body = json.dumps({"locale": str(catalog.locale), "plural": _plural_expression(catalog.plural_forms),
                       "messages": messages}, ensure_ascii=False, sort_keys=True).encode()
    return body, hashlib.sha256(body).hexdigest()[:20]


def _plural_expression(plural_forms: str) -> str:
    """"nplurals=2; plural=(n > 1);" → "(n > 1)"."""
    found = re.search(r"plural\s*=\s*([^;]+)", plural_forms)
    return found.group(1).strip() if found else SOURCE_PLURAL


@blueprint.get("/i18n/<language>.json")
@public
def catalogue(language: str) -> Response:
    if language == SOURCE_LANGUAGE:
        body, etag = json.dumps({"locale": SOURCE_LANGUAGE, "plural": SOURCE_PLURAL, "messages": {}}).encode(), SOURCE_LANGUAGE
    else:
        po = _catalogue_file(language) if LANGUAGE.fullmatch(language) else None
        if po is None:
            shown = language[:20]
            return Response(f"There is no translation for the language '{shown}'; the handheld is shown in English.",
                            status=404, mimetype="text/plain")
        body, etag = _catalogue(str(po), po.stat().st_mtime_ns)
    response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"  # kept, but asked again each time (a 304 when unchanged)
    return response.make_conditional(request)
