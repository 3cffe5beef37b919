"""The handheld in French: a nurse whose phone speaks French logs in by badge and PIN and uses the
consume screen. The page (the server's templates) and what the handheld itself says (prompts,
results, the refusal of an expired lot with the lot to use instead, dates and counts) are French
from the first sentence, and stay French offline: the service worker keeps the page and the page
language's catalogue."""
from datetime import date

import pytest
from babel.dates import format_date
from flask import Flask
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, screenshot, watch_errors
from tests.e2e.journey import (
    GAUZE,
    PARACETAMOL,
    expect_result,
    gs1,
    lot_expiry,
    open_workflow,
    real_errors,
    reload_offline,
    scanner_checked,
    wait_until,
    wedge,
)

pytestmark = pytest.mark.e2e


def french_day(day: date) -> str:
    """A calendar day as the handheld writes it in French (Intl's medium style: "1 mai 2026")."""
    return format_date(day, "medium", locale="fr")


@pytest.fixture
def french_phone(browser):
    context = browser.new_context(**PHONE, locale="fr-FR")  # Accept-Language: fr-FR
    page = watch_errors(context.new_page())
    yield page
    context.close()


def test_a_french_nurse_is_refused_an_expired_lot_in_french_online_and_offline(app: Flask, demo_server: str, french_phone) -> None:
    page = french_phone
    page.goto(f"{demo_server}/login")
    assert page.locator("html").get_attribute("lang") == "fr"  # the browser's language, no choice of her own
    page.get_by_label("Badge", exact=True).type("BADGE:2001")  # as the wedge scanner types a badge
    page.get_by_label("Code PIN").fill("2001")
    page.get_by_role("button", name="Se connecter avec le badge").tap()
    page.wait_for_url(f"{demo_server}/")
    scanner_checked(page)
    open_workflow(page, demo_server, "/consume")

    expect_result(page, "Scannez l'étiquette d'emplacement du service", level="idle")  # the first sentence is already French
    assert page.get_by_role("button", name="Confirmer l'utilisation").is_visible()  # the page's own words
    assert page.get_by_role("heading", name="Articles utilisés").is_visible()
    wedge(page, "WARD-3B-SUPPLY")
    expect_result(page, "Emplacement du service défini", "Scannez maintenant chaque article utilisé.", level="ok")
    expect(page.locator("#sync-badge .sync-text")).to_have_text("tout est envoyé")  # the sync badge (sync.js) too

    expired = lot_expiry(app, "PCM-24A")
    wedge(page, gs1(PARACETAMOL, "PCM-24A", expired))
    shown = expect_result(page, "PÉRIMÉ — ne pas utiliser", level="error")
    assert f"Le lot PCM-24A de Paracetamol 500 mg tablets (strip of 10) est périmé depuis le {french_day(expired)}\u00a0: ne l'utilisez pas." in shown, shown
    assert "Utilisez plutôt le lot PCM-25B (périme le" in shown, shown
    assert page.get_by_role("button", name="Dérogation d'un responsable…").is_visible()
    assert "EXPIRED" not in shown and "do not use" not in shown
    screenshot(page, "handheld-french-expired-refused")

    page.context.set_offline(True)
    reload_offline(page)  # the page, the scripts and the French catalogue all come from the service worker
    expect_result(page, "Scannez chaque article utilisé")
    assert page.get_by_role("button", name="Confirmer l'utilisation").is_visible()
    wedge(page, gs1(GAUZE, "GZ-2406", lot_expiry(app, "GZ-2406")))
    expect_result(page, "Sterile gauze", f"Lot GZ-2406 · périme le {french_day(lot_expiry(app, 'GZ-2406'))}")
    assert page.get_by_role("button", name="Retirer Sterile gauze").is_visible()  # aria-labels too
    wedge(page, gs1(PARACETAMOL, "PCM-24A", expired))
    expect_result(page, "PÉRIMÉ — ne pas utiliser", "est périmé depuis le", level="error")  # refused offline, in French
    page.get_by_role("button", name="Confirmer l'utilisation").tap()
    expect_result(page, "Enregistré sur ce terminal", "1 article", "Pas de réseau\u00a0: l'envoi se fera au retour du réseau.", level="ok")
    wait_until(page, "document.getElementById('sync-badge').dataset.pending === '1'")
    badge = page.locator("#sync-badge")
    expect(badge.locator(".sync-text")).to_have_text("hors ligne")
    expect(badge.locator(".sync-pending")).to_have_text("1 à envoyer")
    assert badge.get_attribute("title").startswith("1 saisie attend d'être envoyée depuis ce terminal."), badge.get_attribute("title")
    screenshot(page, "handheld-french-saved-offline")
    assert real_errors(page) == []


def test_a_german_nurse_is_refused_an_expired_lot_in_german_offline(app: Flask, demo_server: str, browser) -> None:
    """The second shipped translation on the same screen, from the same catalogues: German from the login to the refusal offline."""
    context = browser.new_context(**PHONE, locale="de-DE")
    page = watch_errors(context.new_page())
    try:
        page.goto(f"{demo_server}/login")
        assert page.locator("html").get_attribute("lang") == "de"
        page.get_by_label("Ausweis", exact=True).type("BADGE:2001")
        page.get_by_label("PIN", exact=True).fill("2001")
        page.get_by_role("button", name="Mit Ausweis anmelden").tap()
        page.wait_for_url(f"{demo_server}/")
        scanner_checked(page)
        open_workflow(page, demo_server, "/consume")
        expect_result(page, "Scannen Sie das Lagerort-Etikett der Station", level="idle")
        wedge(page, "WARD-3B-SUPPLY")
        page.context.set_offline(True)
        reload_offline(page)
        expect_result(page, "Scannen Sie jeden verbrauchten Artikel")
        expired = lot_expiry(app, "PCM-24A")
        wedge(page, gs1(PARACETAMOL, "PCM-24A", expired))
        shown = expect_result(page, "ABGELAUFEN — nicht verwenden", level="error")
        day = format_date(expired, "medium", locale="de")  # 02.12.2026, as Intl writes it
        assert f"Charge PCM-24A von Paracetamol 500 mg tablets (strip of 10) ist am {day} abgelaufen: nicht verwenden." in shown, shown
        assert "Nehmen Sie stattdessen Charge PCM-25B (verfällt am" in shown, shown
        assert page.get_by_role("button", name="Verbrauch bestätigen").is_visible()
        screenshot(page, "handheld-german-expired-refused-offline")
        assert real_errors(page) == []
    finally:
        context.close()
