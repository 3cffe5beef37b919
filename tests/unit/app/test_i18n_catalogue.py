"""GET /i18n/<lang>.json: the handheld's messages from the same .po catalogues as the server's pages."""
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

PO = r'''msgid ""
msgstr ""
"Language: fr\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"
"Content-Type: text/plain; charset=utf-8\n"

#: static/js/consume.js:12
msgid "Scan the ward location label"
msgstr "Scannez l'étiquette de l'emplacement du service"

#: static/js/consume.js:40
#, python-format
msgid "%(count)s item"
msgid_plural "%(count)s items"
msgstr[0] "%(count)s article"
msgstr[1] "%(count)s articles"

#: static/js/workflow.js:9
#, fuzzy
msgid "Not saved"
msgstr "Pas sauvé"

#: static/js/workflow.js:10
msgid "Sending now."
msgstr ""

#: templates/base.html:3
msgid "Log out"
msgstr "Se déconnecter"
'''


@pytest.fixture
def translations(app: Flask, tmp_path: Path) -> Path:
    folder = tmp_path / "catalogues"
    (folder / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (folder / "fr" / "LC_MESSAGES" / "messages.po").write_text(PO, encoding="utf-8")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(folder)
    return folder


def test_french_gives_the_scripts_translated_messages_and_the_plural_rule(client: FlaskClient, translations: Path) -> None:
    response = client.get("/i18n/fr.json")
    assert response.status_code == 200 and response.is_json
    assert response.json == {
        "locale": "fr",
        "plural": "(n > 1)",
        "messages": {
            "Scan the ward location label": "Scannez l'étiquette de l'emplacement du service",
            "%(count)s item": ["%(count)s article", "%(count)s articles"],
        },
    }  # not the fuzzy nor the untranslated one (English is shown), nor the pages' own messages


def test_a_regional_tag_gets_its_language(client: FlaskClient, translations: Path) -> None:
    assert client.get("/i18n/fr-FR.json").json["locale"] == "fr"


def test_the_catalogue_is_public_and_revalidated_by_its_etag(client: FlaskClient, translations: Path) -> None:
    first = client.get("/i18n/fr.json")
    assert first.headers["ETag"] and "no-cache" in first.headers["Cache-Control"]
    again = client.get("/i18n/fr.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    po = translations / "fr" / "LC_MESSAGES" / "messages.po"
    po.write_text(PO.replace("Scannez", "Scanner"), encoding="utf-8")
    changed = client.get("/i18n/fr.json", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("language", ["xx", "de", "français", "fr;drop"])
def test_an_unknown_language_is_404_with_a_sentence(client: FlaskClient, translations: Path, language: str) -> None:
    response = client.get(f"/i18n/{language}.json")
    assert response.status_code == 404
    assert "There is no translation for the language" in response.get_data(as_text=True)


def test_english_is_the_source_language_and_needs_no_messages(client: FlaskClient) -> None:
    response = client.get("/i18n/en.json")
    assert response.status_code == 200 and response.json["messages"] == {}



@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_shipped_catalogues_translate_every_handheld_message(client: FlaskClient, language: str) -> None:
    """The real catalogues (app/translations): every message of static/js is translated, none left English."""
    from babel.messages.pofile import read_po

    from app.i18n import TRANSLATIONS_DIR

    with (TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        handheld = {message.id if isinstance(message.id, str) else message.id[0]
                    for message in read_po(file) if message.id and any(where.startswith("static/js/") for where, _ in message.locations)}
    response = client.get(f"/i18n/{language}.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    messages = response.json["messages"]
    assert len(handheld) > 400 and set(messages) == handheld
    assert messages["Scan the ward location label"] != "Scan the ward location label"
    assert isinstance(messages["%(count)s item"], list) and len(messages["%(count)s item"]) == 2
