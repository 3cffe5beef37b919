"""Smoke: a storekeeper logs in on a phone-sized screen and sees the home screen."""
import pytest

from tests.e2e.conftest import screenshot
from tests.support import PASSWORD

pytestmark = pytest.mark.e2e


def test_login_on_a_phone_shows_role_wards_and_workflows(live_server: str, phone, make_user) -> None:
    make_user("nia", "nurse", ("WARD-3B",), badge="BADGE:2001", pin="2001")
    phone.goto(f"{live_server}/login")
    screenshot(phone, "login")
    phone.get_by_text("Log in with username and password").tap()
    phone.get_by_label("Username").fill("nia")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in", exact=True).tap()
    phone.wait_for_url(f"{live_server}/")
    assert phone.get_by_role("heading", name="Hello, Nia").is_visible()
    assert phone.get_by_text("Training sandbox").is_visible()
    assert phone.locator(".chip").inner_text() == "WARD-3B"
    assert sorted(phone.locator(".tile").all_inner_texts()) == ["Consume", "Expiry sweep", "Transfer", "Waste"]
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width}px wide)"
    screenshot(phone, "home-nurse")
    assert phone.console_errors == []


def test_badge_login_on_a_phone(live_server: str, phone, make_user) -> None:
    make_user("sam", "storekeeper", badge="BADGE:1001", pin="1001")
    phone.goto(f"{live_server}/login")
    badge = phone.get_by_label("Badge")
    assert phone.evaluate("document.activeElement.id") == "badge-badge"  # a wedge scanner types straight in
    badge.type("BADGE:1001")
    phone.get_by_label("PIN").fill("1001")
    phone.get_by_role("button", name="Log in with badge").tap()
    phone.wait_for_url(f"{live_server}/")
    assert sorted(phone.locator(".tile").all_inner_texts()) == ["Count", "Expiry sweep", "Receive", "Return to vendor", "Transfer", "Waste"]
    box = phone.get_by_role("button", name="Log out").bounding_box()
    assert box["height"] >= 48
