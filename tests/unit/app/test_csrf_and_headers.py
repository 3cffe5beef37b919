from flask.testing import FlaskClient

from app.security.headers import CONTENT_SECURITY_POLICY
from tests.support import PASSWORD, csrf_token_from, login


def test_form_post_without_csrf_token_is_refused(client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    response = client.post("/login", data={"username": "sam", "password": PASSWORD})
    assert response.status_code == 400
    assert "Reload the page and try again" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_htmx_style_request_with_the_csrf_header_is_accepted(client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    login(client, "sam")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", headers={"X-CSRFToken": token, "HX-Request": "true"}).status_code == 302


def test_htmx_request_with_a_wrong_csrf_header_is_refused(client: FlaskClient, make_user) -> None:
    make_user("sam", "storekeeper")
    login(client, "sam")
    assert client.post("/logout", headers={"X-CSRFToken": "forged", "HX-Request": "true"}).status_code == 400
    assert client.get("/").status_code == 200  # still logged in


def test_pages_carry_the_security_headers(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert "<script>" not in html and "<script " not in html.replace('<script src=', '')
