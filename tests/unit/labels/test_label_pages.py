"""The labels pages: a storekeeper prints from the catalog cache as PDF, ZPL or to a printer; an admin
names printers (audited); wrong input comes back as a sentence to act on."""

import pypdfium2
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from tests.support import csrf_token_from, login
from tests.unit.labels.raw_port import raw_port
from tests.unit.labels.zpl_reader import read_zpl

DEMO_PASSWORD = "wardstock-demo"


@pytest.fixture
def demo(app: Flask, runner: FlaskCliRunner) -> Flask:
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return app


def _as(client: FlaskClient, username: str) -> str:
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return csrf_token_from(client.get("/labels").get_data(as_text=True))


def test_the_page_offers_the_catalogs_locations_lots_and_the_badged_users(demo: Flask, client: FlaskClient) -> None:
    _as(client, "store")
    html = client.get("/labels").get_data(as_text=True)
    assert 'value="WARD-3B-SUPPLY"' in html and 'value="15012345100026|SYR10-2501"' in html and 'value="nurse"' in html
    assert 'value="PATIENT-USE"' not in html  # not a place stock is kept
    assert 'href="/labels"' in client.get("/").get_data(as_text=True)


def test_a_pdf_of_relabels_comes_as_a_download_with_its_pages(demo: Flask, client: FlaskClient) -> None:
    csrf = _as(client, "store")
    form = {"csrf_token": csrf, "kind": "relabel", "chosen": ["05012345100036|GZ-2406", "15012345100026|SYR10-2501"],
            "copies": "8", "output": "pdf:letter-2x5"}
    response = client.post("/labels/print", data=form)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["X-Label-Pages"] == "2"
    document = pypdfium2.PdfDocument(response.data)
    assert len(document) == 2
    assert "(10)GZ-2406" in document[0].get_textpage().get_text_range()
    with demo.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "labels.print"))
        assert (event.actor, event.subject, event.detail["labels"]) == ("store", "relabel", 16)


def test_zpl_goes_to_the_printer_the_admin_named(demo: Flask, client: FlaskClient) -> None:
    csrf = _as(client, "admin")
    with raw_port() as printer:
        port = str(printer.port)
        saved = client.post("/labels/printers", data={"csrf_token": csrf, "name": "Store Zebra", "host": "127.0.0.1",
                                                      "port": port, "stock": "zebra-4x2"}, follow_redirects=True)
        assert f"Printer Store Zebra at 127.0.0.1:{port} saved." in saved.get_data(as_text=True)
        page = client.get("/labels").get_data(as_text=True)
        assert "Send to Store Zebra" in page
        response = client.post("/labels/print", data={"csrf_token": csrf, "kind": "location", "chosen": ["WARD-3B", "CS-STOCK"],
                                                      "copies": "2", "output": "printer:1"}, follow_redirects=True)
    received = printer.received
    assert "4 location label(s) sent to the printer." in response.get_data(as_text=True)
    labels = read_zpl(received.decode())
    assert [(label.copies, label.texts[0]) for label in labels] == [(2, "LOC:CS-STOCK"), (2, "LOC:WARD-3B")]
    with demo.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "printer.save")).detail["port"] == int(port)


@pytest.mark.parametrize(
    ("form", "sentence"),
    [
        ({"kind": "location", "copies": "1", "output": "pdf:a4-2x7"}, "Tick at least one label to print."),
        ({"kind": "location", "chosen": "NOWHERE", "copies": "1", "output": "pdf:a4-2x7"}, "No internal location with barcode NOWHERE"),
        ({"kind": "relabel", "chosen": "05012345100036|GZ-2406", "serial": "S N", "copies": "1", "output": "zpl:zebra-4x2"},
         "should have the serial number (AI 21) made of GS1 characters, but has the character &#39; &#39; in &#39;S N&#39;"),
        ({"kind": "badge", "chosen": "nurse", "copies": "5000", "output": "pdf:a4-2x7"}, "Print from 1 to 2000 copies"),
        ({"kind": "two_bin", "chosen": "05012345100036|WARD-ICU-CART", "copies": "1", "output": "pdf:a4-2x7"},
         "The catalog holds no par level for 05012345100036 at WARD-ICU-CART"),
        ({"kind": "badge", "chosen": "nurse", "copies": "1", "output": "printer:99"}, "Choose how to print"),
    ],
)
def test_a_wrong_request_is_refused_with_a_sentence(demo: Flask, client: FlaskClient, form: dict, sentence: str) -> None:
    csrf = _as(client, "supervisor")
    response = client.post("/labels/print", data={"csrf_token": csrf, **form}, follow_redirects=True)
    assert sentence in response.get_data(as_text=True)


def test_the_par_levels_two_bin_cards_are_offered_and_download_as_zpl_with_their_code(demo: Flask, client: FlaskClient) -> None:
    csrf = _as(client, "store")
    page = client.get("/labels").get_data(as_text=True)
    assert page.count('name="chosen" value="0501234510') >= 9  # the demo's nine par levels (and the relabels)
    assert 'value="05012345100036|WARD-3B-SUPPLY"' in page and "refill 25" in page
    response = client.post("/labels/print", data={"csrf_token": csrf, "kind": "two_bin", "chosen": "05012345100036|WARD-3B-SUPPLY",
                                                   "copies": "1", "output": "zpl:zebra-3x2"})
    assert response.headers["Content-Disposition"] == 'attachment; filename="labels-zebra-3x2.zpl"'
    (label,) = read_zpl(response.get_data(as_text=True))
    assert "BIN:05012345100036:WARD-3B-SUPPLY" in label.texts and "Refill 25" in label.texts
