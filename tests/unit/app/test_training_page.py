"""The training sandbox: demo data loads (twice is harmless), the demo page shows scannable labels."""
import zxingcpp
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.demo import DEMO_PASSWORD, DEMO_USERS
from tests.support import login


def test_demo_load_creates_one_user_per_role_and_is_idempotent(demo: Flask, runner: FlaskCliRunner) -> None:
    again = runner.invoke(args=["demo", "load"])
    assert "0 new users" in again.output
    listing = runner.invoke(args=["users", "list"]).output
    assert {user.role for user in DEMO_USERS} == {"storekeeper", "nurse", "auditor", "supervisor", "admin"}
    for user in DEMO_USERS:
        assert user.username in listing


def test_every_demo_user_can_log_in(demo: Flask) -> None:
    for user in DEMO_USERS:
        assert login(demo.test_client(), user.username, DEMO_PASSWORD).status_code == 302, user.username


def test_demo_page_lists_logins_and_scannable_labels(demo: Flask, client: FlaskClient) -> None:
    html = client.get("/training/barcodes").get_data(as_text=True)
    assert DEMO_PASSWORD in html
    for user in DEMO_USERS:
        assert user.badge in html
    assert html.count("<svg") >= 2 * (len(DEMO_USERS) + 8)  # badges, locations, lots: DataMatrix and Code 128 each
    assert "expired" in html and "recalled" in html


def test_demo_lot_labels_decode_to_the_gs1_text_they_claim(demo: Flask) -> None:
    from app.services.backend import inventory_backend
    from app.services.demo_labels import gs1_human_readable

    with demo.app_context():
        catalog = inventory_backend().catalog()
    products = {product.id: product for product in catalog.products}
    lot = catalog.lots[0]
    text = gs1_human_readable(products[lot.product_id], lot)
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.DataMatrix, gs1=True)
    image = zxingcpp.write_barcode_to_image(barcode, scale=4)
    read = zxingcpp.read_barcode(image, text_mode=zxingcpp.TextMode.HRI)
    assert read.text == text and read.symbology_identifier == "]d2"
    assert lot.name in text and f"{lot.expiry:%y%m%d}" in text


def test_lot_labels_carry_the_products_own_gtin_and_a_box_label_its_packaging_gtin(demo: Flask) -> None:
    from datetime import date

    from app.services.backend import inventory_backend
    from app.services.demo_labels import lot_labels

    with demo.app_context():
        labels = lot_labels(inventory_backend().catalog(), date.today())
    syringe = [(label.human_readable[:18], label.subtitle.startswith("1 box = 10 · Lot SYR10-2501"))
               for label in labels if "SYR10-2501" in label.human_readable]
    assert syringe == [("(01)05012345100029", False), ("(01)15012345100026", True)]


def test_demo_page_is_absent_with_a_real_odoo(app: Flask, client: FlaskClient) -> None:
    app.config["WARDSTOCK_BACKEND"] = "odoo"
    assert client.get("/training/barcodes").status_code == 404


def test_health_answers_without_login(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
