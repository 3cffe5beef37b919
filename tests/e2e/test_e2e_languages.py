"""Languages in a real Chromium at phone size: a browser set to German gets the login page in German;
the user picks French on the language screen (reachable from the home screen, one thumb) and the home
screen is French from then on, whatever the browser says."""
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import User
from tests.e2e.conftest import PHONE, screenshot, watch_errors
from tests.e2e.journey import DEMO_PASSWORD, real_errors, small_targets


def test_a_german_browser_logs_in_in_german_and_the_user_switches_to_french(browser, app: Flask, demo_server: str) -> None:
    context = browser.new_context(**PHONE, locale="de-DE")
    page = watch_errors(context.new_page())
    try:
        page.goto(f"{demo_server}/login")
        assert page.locator("html").get_attribute("lang") == "de"
        assert page.get_by_role("heading", name="Scannen Sie Ihren Ausweis").is_visible()
        screenshot(page, "languages-login-de")

        page.get_by_text("Mit Benutzername und Passwort anmelden").tap()
        page.get_by_label("Benutzername").fill("nurse")
        page.get_by_label("Passwort").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Anmelden", exact=True).tap()
        page.wait_for_url(f"{demo_server}/")
        assert page.locator("html").get_attribute("lang") == "de"  # no choice made yet: the browser's language

        page.locator("#language-link").tap()
        page.wait_for_url(f"{demo_server}/language")
        assert small_targets(page) == []  # every choice is a full-width button a thumb hits
        screenshot(page, "languages-choose")
        page.get_by_role("button", name="Français").tap()

        page.wait_for_url(f"{demo_server}/")
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.get_by_text("Vos écrans sont désormais dans cette langue.").is_visible()
        assert page.locator("h1").inner_text().startswith("Bonjour, ")
        assert page.get_by_role("link", name="Consommation").is_visible()
        assert page.get_by_role("button", name="Se déconnecter").is_visible()
        screenshot(page, "languages-home-fr-360x740")
        with app.app_context():
            assert db.session.scalar(select(User.language).where(User.username == "nurse")) == "fr"
        assert real_errors(page) == []
    finally:
        context.close()
