"""Scanning inputs other than a well-set wedge: the scanner setup page's test label check, the
camera (the barcode-detector polyfill with its wasm served by us and precached, fed by Chromium's
fake camera with a GS1 DataMatrix), and a photo read on the server."""
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from flask import Flask
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, screenshot
from tests.e2e.journey import (
    IV_CANNULA,
    expect_result,
    inject_twice,
    login,
    lot_expiry,
    real_errors,
    start,
    wait_until,
    wedge,
)

pytestmark = pytest.mark.e2e


def datamatrix(hri: str, scale: int = 8) -> np.ndarray:
    code = zxingcpp.create_barcode(hri, zxingcpp.BarcodeFormat.DataMatrix, gs1=True)
    return np.array(zxingcpp.write_barcode_to_image(code, scale=scale))


def y4m_with(image: np.ndarray, path: Path, width: int = 640, height: int = 480, frames: int = 5) -> Path:
    """A short YUV4MPEG2 video of the image on white, for Chromium's fake camera."""
    luma = np.full((height, width), 235, np.uint8)
    top, left = (height - image.shape[0]) // 2, (width - image.shape[1]) // 2
    luma[top:top + image.shape[0], left:left + image.shape[1]] = image
    chroma = np.full((height // 2, width // 2), 128, np.uint8)
    frame = b"FRAME\n" + luma.tobytes() + chroma.tobytes() + chroma.tobytes()
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * frames)
    return path


def test_scanner_setup_tells_whether_the_scanner_sends_separators(demo_server: str, phone) -> None:
    page = phone
    login(page, demo_server, "nurse")
    page.goto(f"{demo_server}/device/scanner")
    screenshot(page, "scanner-setup")
    panel = page.locator("#check-result")
    wedge(page, "]d2010950110153000317281231" + "10TEST-LOT~21SN42")
    assert "set up right" in panel.inner_text() and "]d2" in panel.inner_text() and "'~'" in panel.inner_text()
    dropped = "01095011015300031728123110TEST-LOT21SN42"  # a wedge that drops GS
    wedge(page, dropped)
    assert "needs a setting changed" in panel.inner_text() and "MISSING" in panel.inner_text()
    inject_twice(page, dropped)  # DataWedge injecting the same scan twice
    assert "The same scan arrived twice" in panel.inner_text()
    wedge(page, dropped)  # the next scan, a person's moment later, is a new scan
    assert "MISSING" in panel.inner_text()
    screenshot(page, "scanner-setup-missing-gs")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # long raw texts wrap
    assert real_errors(page) == []


@pytest.fixture
def camera_phone(browser, tmp_path: Path, app: Flask) -> Iterator[object]:
    """A second Chromium whose camera films a GS1 DataMatrix of a demo lot."""
    from app.services.backend import inventory_backend

    with app.app_context():
        expiry = next(x.expiry for x in inventory_backend().catalog().lots if x.name == "IVC20-B245")
    video = y4m_with(datamatrix(f"(01){IV_CANNULA}(17){expiry:%y%m%d}(10)IVC20-B245"), tmp_path / "label.y4m")
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"],
    )
    context = camera_browser.new_context(**PHONE, permissions=["camera"])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()
    camera_browser.close()


def test_camera_reads_a_gs1_datamatrix_with_the_polyfill_served_by_us(app: Flask, demo_server: str, camera_phone) -> None:
    page = camera_phone
    elsewhere: list[str] = []
    page.on("request", lambda request: elsewhere.append(request.url) if not request.url.startswith((demo_server, "data:", "blob:")) else None)
    start(page, demo_server, "nurse", "/consume")
    wedge(page, "WARD-3B-SUPPLY")
    # The camera's decoder was precached with the shell, from our own server.
    assert page.evaluate("caches.keys().then(k => Promise.all(k.map(n => caches.open(n).then(c => c.match('/static/vendor/zxing_reader.wasm'))))).then(r => r.some(Boolean))")
    page.get_by_role("button", name="Camera").tap()
    expect_result(page, "IV cannula 20G", "IVC20-B245", level="warn")  # amber: 25 days to its expiry
    assert page.locator("#camera").get_attribute("data-engine") in ("polyfill", "native")
    engine = page.locator("#camera").get_attribute("data-engine")
    screenshot(page, "consume-camera")
    page.get_by_role("button", name="Stop camera").tap()
    line = page.locator("#lines .line").first
    assert "IV cannula 20G" in line.inner_text() and "IVC20-B245" in line.inner_text()
    assert elsewhere == [], f"requests left the server: {elsewhere}"
    assert engine == "polyfill"  # desktop Linux Chromium has no native BarcodeDetector: the wasm path ran
    assert real_errors(page) == []


def test_a_photo_is_read_on_the_server(app: Flask, demo_server: str, phone) -> None:
    page = phone
    start(page, demo_server, "nurse", "/consume")
    wedge(page, "WARD-3B-SUPPLY")
    image = np.full((600, 800), 255, np.uint8)
    code = datamatrix(f"(01){IV_CANNULA}(17){lot_expiry(app, 'IVC20-B245'):%y%m%d}(10)IVC20-B245", scale=6)
    image[100:100 + code.shape[0], 200:200 + code.shape[1]] = code
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=90)
    page.set_input_files("#photo-input", files=[{"name": "label.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}])
    expect_result(page, "IV cannula 20G", "Expires soon", level="warn")
    wait_until(page, "document.querySelectorAll('#lines .line').length === 1")
    blank = io.BytesIO()
    Image.fromarray(np.full((200, 200), 255, np.uint8)).save(blank, format="PNG")
    page.set_input_files("#photo-input", files=[{"name": "blank.png", "mimeType": "image/png", "buffer": blank.getvalue()}])
    expect_result(page, "No barcode read", level="error")


def test_a_scan_without_enter_is_never_taken_at_a_pause_and_feedback_beeps_and_vibrates(app: Flask, demo_server: str, phone) -> None:
    page = phone
    # Record what the page asks of the vibration motor and the speaker (through the debugger, not the page's CSP).
    page.add_init_script("""
        window.__feedback = [];
        navigator.vibrate = (pattern) => { window.__feedback.push(['vibrate', JSON.stringify(pattern)]); return true; };
        const start = OscillatorNode.prototype.start;
        OscillatorNode.prototype.start = function (...args) { window.__feedback.push(['tone', this.frequency.value]); return start.apply(this, args); };
    """)
    start(page, demo_server, "nurse", "/consume")
    wedge(page, "WARD-3B-SUPPLY", end=None)  # a scanner set without an Enter suffix: fast keys, then nothing
    expect(page.locator("#scan-waiting")).to_contain_text("Half a scan is waiting")  # said, not used
    assert page.locator("#result").get_attribute("data-level") == "idle"
    page.keyboard.press("Enter")  # the end of the scan takes it
    expect_result(page, "Ward location set", level="ok")
    expect(page.locator("#scan-waiting")).to_be_hidden()
    wedge(page, f"01{IV_CANNULA}10IVC20-A231")  # expired
    expect_result(page, "EXPIRED", level="error")
    feedback = page.evaluate("window.__feedback")
    assert ["vibrate", "[40]"] in feedback and ["vibrate", "[200,80,200]"] in feedback
    assert ["tone", 1046] in feedback and ["tone", 220] in feedback
