"""Every string the sources mark for translation (extracted here, at test time, as `make translations`
does: babel.cfg's Python, templates and the handheld's scripts) has a French and a German translation,
not fuzzy, with the same `%(name)s` placeholders as its English; the catalogues compile and are used."""
import os
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale, format_date, gettext

from app.i18n import LANGUAGES, TRANSLATIONS_DIR
from app.i18n.catalogs import compile_catalogue, compile_stale, is_stale

ROOT = Path(__file__).resolve().parents[3]
TRANSLATED = [code for code in LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def extracted() -> Catalog:
    """The catalogue the sources ask for today, extracted with babel.cfg."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config, "babel.cfg")
    catalog = Catalog()
    for filename, lineno, message, _comments, context in extract_from_dir(str(ROOT), method_map, options_map):
        catalog.add(message, None, [(filename, lineno)], context=context)
    return catalog


@pytest.fixture(scope="module")
def sources() -> Catalog:
    return extracted()


def catalogue(language: str) -> Catalog:
    with (TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def _forms(message_id) -> list[str]:
    return list(message_id) if isinstance(message_id, tuple) else [message_id]


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_the_sources_mark_strings_for_translation_in_every_kind_of_file(sources: Catalog) -> None:
    kinds = {Path(location).suffix for message in sources for location, _ in message.locations}
    assert {".py", ".html"} <= kinds
    assert len(sources) > 300


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_is_translated_not_fuzzy_with_the_same_placeholders(sources: Catalog, language: str) -> None:
    translations = catalogue(language)
    problems = []
    for message in sources:
        if not message.id:
            continue
        where = f"{message.locations[0][0]}:{message.locations[0][1]}"
        translated = translations.get(message.id, context=message.context)
        if translated is None:
            problems.append(f"missing: {message.id!r} ({where})")
            continue
        strings = _forms(translated.string)
        if translated.fuzzy or not all(strings):
            problems.append(f"{'fuzzy' if translated.fuzzy else 'untranslated'}: {message.id!r} ({where})")
            continue
        wanted = set().union(*(_placeholders(form) for form in _forms(message.id)))
        for string in strings:
            if _placeholders(string) != wanted:
                problems.append(f"placeholders {sorted(_placeholders(string))} instead of {sorted(wanted)}: {message.id!r} → {string!r}")
    assert not problems, f"{language}: {len(problems)} string(s) to fix in app/translations/{language} (make translations):\n" + "\n".join(problems)


def test_placeholders_are_named_not_positional(sources: Catalog) -> None:
    positional = [message.id for message in sources if any(re.search(r"%[sdif]", form) for form in _forms(message.id))]
    assert not positional, f"use %(name)s placeholders: {positional}"


def test_a_missing_or_stale_compiled_catalogue_is_compiled_again(tmp_path: Path) -> None:
    po = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_bytes((TRANSLATIONS_DIR / "fr" / "LC_MESSAGES" / "messages.po").read_bytes())
    assert is_stale(po)
    assert compile_stale(tmp_path) == [po.with_suffix(".mo")]
    assert not is_stale(po) and compile_stale(tmp_path) == []
    po.touch()
    mo = po.with_suffix(".mo")


    os.utime(mo, (po.stat().st_mtime - 10, po.stat().st_mtime - 10))
    assert is_stale(po) and compile_stale(tmp_path) == [mo]
    assert compile_catalogue(po) == mo


def test_a_date_is_written_in_the_locales_own_format(app: Flask) -> None:
    from datetime import date

    day = date(2027, 3, 4)
    with app.test_request_context():
        with force_locale("en"):
            assert format_date(day) == "Mar 4, 2027"
        with force_locale("fr"):
            assert format_date(day) == "4 mars 2027"
        with force_locale("de"):
            assert format_date(day) == "04.03.2027"
        with force_locale("fr"):
            assert gettext("Log in to carry on.") == "Connectez-vous pour continuer."
