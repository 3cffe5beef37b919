"""Decoding: generated symbols, the fallback cascade, the EAN/UPC confirmation rule and hostile input."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp
from PIL import Image

from scanners import ImageError, Kind, Read, interpret
from scanners.decode import SMALL_PIXELS, _Cascade, _even_out_glare, decode, read_zxing
from scanners.image import DecodeLimits

F = zxingcpp.BarcodeFormat
DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "barcodes" / "dev"


def symbol(content: str, fmt: zxingcpp.BarcodeFormat, scale: int = 3, **options: object) -> np.ndarray:
    barcode = zxingcpp.create_barcode(content, fmt, **options)
    return np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=scale))


def encoded(array: np.ndarray, ext: str = ".png", *params: int) -> bytes:
    ok, buffer = cv2.imencode(ext, array, list(params))
    assert ok
    return buffer.tobytes()


def rotated(gray: np.ndarray, degrees: float) -> np.ndarray:
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    size = (int(h * sin + w * cos), int(h * cos + w * sin))
    matrix[:, 2] += (size[0] / 2 - w / 2, size[1] / 2 - h / 2)
    return cv2.warpAffine(gray, matrix, size, flags=cv2.INTER_LINEAR, borderValue=255)


SYMBOLS = [
    (
        "GS1 DataMatrix",
        "(01)09501101530003(17)250131(10)ABC(21)XYZ",
        F.DataMatrix,
        True,
        "01095011015300031725013110ABC\x1d21XYZ",
        "]d2",
    ),
    ("GS1-128", "(01)09501101530003(17)250131(10)ABC123", F.Code128, True, "01095011015300031725013110ABC123", "]C1"),
    ("GS1 QR", "(01)09501101530003(10)L1(21)S1", F.QRCode, True, "010950110153000310L1\x1d21S1", "]Q3"),
    ("GS1 DataBar", "(01)09501101530003", F.DataBar, False, "0109501101530003", "]e0"),
    ("EAN-13", "4006381333931", F.EAN13, False, "4006381333931", "]E0"),
    ("EAN-8", "96385074", F.EAN8, False, "96385074", "]E4"),
    ("ITF-14", "10012345678902", F.ITF, False, "10012345678902", "]I1"),
    ("HIBC in Code 128", "+A123BJC5D6E71G", F.Code128, False, "+A123BJC5D6E71G", "]C0"),
    ("HIBC in Code 39 stays standard Code 39", "+H123ABC0123456W", F.Code39, False, "+H123ABC0123456W", "]A1"),
    ("HIBC in DataMatrix, check character is a space", "+KTPAV9BT5 ", F.DataMatrix, False, "+KTPAV9BT5 ", "]d1"),
]


@pytest.mark.parametrize(
    ("content", "fmt", "gs1", "text", "identifier"), [s[1:] for s in SYMBOLS], ids=[s[0] for s in SYMBOLS]
)
def test_generated_symbols_are_read_exactly(content, fmt, gs1, text, identifier) -> None:
    options = {"gs1": True} if gs1 else {}
    reads = decode(encoded(symbol(content, fmt, **options)))
    assert [(r.text, r.symbology_identifier) for r in reads] == [(text, identifier)]
    assert interpret(reads[0]).kind == Kind.PRODUCT


def test_camera_read_interprets_like_the_label() -> None:
    image = symbol("(01)00643169001763(11)230115(17)280114(21)PJN612345S", F.DataMatrix, gs1=True)
    (read,) = decode(encoded(image))
    scan = interpret(read)
    assert (scan.gtin, scan.serial, scan.expiry.isoformat()) == ("00643169001763", "PJN612345S", "2028-01-14")
    assert scan.raw == read.raw == "]d2" + read.text


def test_arrays_grayscale_bgr_and_bgra_are_accepted() -> None:
    gray = symbol("4006381333931", F.EAN13)
    for array in (gray, cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), cv2.cvtColor(gray, cv2.COLOR_GRAY2BGRA)):
        assert [r.text for r in decode(array)] == ["4006381333931"]


def test_transparent_png_is_read_on_white() -> None:
    gray = symbol("4006381333931", F.EAN13)
    rgba = np.zeros((*gray.shape, 4), np.uint8)
    rgba[..., 3] = 255 - gray  # black bars opaque, background fully transparent (black RGB)
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, "PNG")
    assert [r.text for r in decode(buffer.getvalue())] == ["4006381333931"]


@pytest.mark.parametrize("degrees", [20, 35, 60])
def test_tilted_linear_codes_are_straightened(degrees: float) -> None:
    image = rotated(symbol("(01)09501101530003(17)250131(10)ABC123", F.Code128, scale=2, gs1=True), degrees)
    assert read_zxing(image) == []  # zxing-cpp alone misses it ...
    assert [r.text for r in decode(image)] == ["01095011015300031725013110ABC123"]  # ... the cascade does not


@pytest.mark.parametrize("scale", [1, 3], ids=["small image: upscaled", "large image: cut out"])
def test_code_turned_by_90_degrees_is_read_although_the_first_pass_does_not_turn_it(scale: int) -> None:
    image = np.ascontiguousarray(np.rot90(symbol("(01)09501101530003(17)250131(10)ABC123", F.Code128, scale, gs1=True)))
    image = cv2.copyMakeBorder(image, 0, 0, 100 * scale, 100 * scale, cv2.BORDER_CONSTANT, value=255)
    assert (image.size < SMALL_PIXELS) == (scale == 1)
    assert read_zxing(image, try_rotate=False) == []
    assert [r.text for r in decode(image)] == ["01095011015300031725013110ABC123"]


def test_small_blurred_symbol_is_read_upscaled() -> None:
    image = cv2.GaussianBlur(
        symbol("(01)09501101530003(17)250131(10)ABC(21)123456", F.DataMatrix, 2, gs1=True), (0, 0), 1.0
    )
    assert read_zxing(image) == []
    assert [r.text for r in decode(image)] == ["01095011015300031725013110ABC\x1d21123456"]


def test_large_photo_is_downscaled_and_read() -> None:
    photo = np.full((3024, 4032), 180, np.uint8)
    photo[1200 : 1200 + 240, 1900 : 1900 + 240] = cv2.resize(
        symbol("(01)09501101530003(17)250131(10)ABC", F.DataMatrix, 1, gs1=True),
        (240, 240),
        interpolation=cv2.INTER_NEAREST,
    )
    reads = decode(encoded(photo, ".jpg", cv2.IMWRITE_JPEG_QUALITY, 85))
    assert [r.text for r in reads] == ["01095011015300031725013110ABC"]


def test_glare_is_evened_out_so_one_threshold_separates_bars_from_spaces() -> None:
    modules = np.resize(np.array([0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0], np.uint8), 300)  # 1 = bar
    bars = np.where(np.repeat(modules, 3)[None, :].repeat(40, axis=0) == 1, 30, 250).astype(np.float32)
    light = np.linspace(1.0, 0.3, bars.shape[1])[None, :]  # a glare on the left, shade on the right
    crop = (bars * light).astype(np.uint8)
    is_bar = bars < 128

    def misread(image: np.ndarray) -> float:
        threshold, _ = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        return float(np.mean((image <= threshold) != is_bar))

    assert misread(crop) > 0.05
    assert misread(_even_out_glare(crop)) < 0.01


def test_blank_image_gives_no_reads() -> None:
    assert decode(encoded(np.full((480, 640), 255, np.uint8))) == []


@pytest.mark.parametrize("shape", [(20, 32_788), (32_788, 20), (1, 40_000), (2, 5_000), (1, 1)])
def test_long_thin_strips_give_no_reads(shape: tuple[int, int]) -> None:
    """Downscaling such a strip must not shrink its short side to nothing (found by fuzzing)."""
    noise = np.random.default_rng(7).integers(0, 256, shape, dtype=np.uint8)
    assert decode(noise) == []
    assert decode(encoded(noise, ".jpg")) == []


# --- the EAN/UPC confirmation rule -------------------------------------------------

EAN = Read("4006381333931", "]E0", "EAN-13")
OTHER_EAN = Read("4006381333948", "]E0", "EAN-13")


def test_fallback_ean_needs_a_second_read() -> None:
    cascade = _Cascade(np.zeros((8, 8), np.uint8))
    cascade._add([EAN], "bars0:zxing")
    assert not cascade.trusted
    cascade._add([EAN], "bars0:zbar")
    assert list(cascade.trusted.values()) == [EAN]


def test_two_different_numbers_need_both_decoders() -> None:
    cascade = _Cascade(np.zeros((8, 8), np.uint8))
    cascade._add([EAN, OTHER_EAN], "primary:zxing")
    cascade._add([EAN, OTHER_EAN], "median:zxing")  # the same decoder repeating itself proves nothing
    assert not cascade.trusted
    cascade._add([EAN], "whole:zbar")
    assert list(cascade.trusted.values()) == [EAN]


def test_codes_with_strong_checks_are_trusted_at_once() -> None:
    cascade = _Cascade(np.zeros((8, 8), np.uint8))
    gs1_128 = Read("0109501101530003", "]C1", "Code 128")
    cascade._add([gs1_128], "bars0:zxing")
    assert list(cascade.trusted.values()) == [gs1_128]


# --- hostile input -------------------------------------------------------------------


def _png_with_size(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (valid CRC, tiny data)."""
    real = encoded(np.zeros((1, 1), np.uint8))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return real[:8] + chunk + real[8 + 25 :]


HOSTILE = {
    "empty file": b"",
    "text": b"hello, this is not an image",
    "json": b'{"image": "nope"}',
    "random bytes": bytes(range(256)) * 4,
    "truncated JPEG": encoded(symbol("4006381333931", F.EAN13), ".jpg")[:600],
    "truncated PNG": encoded(symbol("4006381333931", F.EAN13))[:200],
    "zero-width PNG": _png_with_size(0, 10),
    "PNG claiming 3.6 gigapixels": _png_with_size(60000, 60000),
    "SVG": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
}


@pytest.mark.parametrize("data", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_bytes_give_a_clear_error(data: bytes) -> None:
    with pytest.raises(ImageError) as raised:
        decode(data)
    assert str(raised.value).startswith("Read 'the uploaded file': expected ")


def test_size_caps_are_enforced_before_decoding() -> None:
    image = encoded(symbol("4006381333931", F.EAN13))
    with pytest.raises(ImageError, match="at most"):
        decode(image, DecodeLimits(max_bytes=100))
    with pytest.raises(ImageError, match="megapixels"):
        decode(image, DecodeLimits(max_pixels=1000))


@pytest.mark.parametrize(
    "array",
    [np.zeros((0, 10), np.uint8), np.zeros((10, 10), np.float32), np.zeros((4, 4, 2), np.uint8)],
    ids=["zero-size", "float", "two channels"],
)
def test_bad_arrays_give_a_clear_error(array: np.ndarray) -> None:
    with pytest.raises(ImageError):
        decode(array)


def test_wrong_argument_type_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        decode("photo.jpg")  # type: ignore[arg-type]


# --- a few benchmark images, if the shared data is there ------------------------------

SAMPLES = [
    "synthetic/gs1dm/gs1dm_00_clean.png",
    "synthetic/gs1_128/gs1_128_00_rot15.png",
    "synthetic/ean13/ean13_01_noise.png",
    "synthetic/gs1qr/gs1qr_00_jpeg30.jpg",
    "synthetic/hibc128/hibc128_04_jpeg30.jpg",
    "synthetic/hibcdm/hibcdm_00_small.png",
    "synthetic/hibcdm/hibcdm_07_photo_hard.jpg",  # read only in its green channel
]


REAL_SAMPLES = [
    "real/ean13-4/21.webp",  # a glare spot over the bars
    "real/ean13-1/36.webp",  # blurred; the glare step gives the second read an EAN needs
]


@pytest.fixture(scope="module")
def manifest() -> dict[str, dict]:
    if not DATA.is_dir():
        pytest.skip(f"BENCHMARK IMAGES MISSING: {DATA} does not exist, the real-image decode checks did not run")
    lines = [
        line for name in ("synthetic", "real") for line in (DATA / f"manifest_{name}.jsonl").read_text().splitlines()
    ]
    return {entry["path"]: entry for entry in map(json.loads, lines)}


@pytest.mark.parametrize("path", SAMPLES)
def test_benchmark_samples(manifest: dict[str, dict], path: str) -> None:
    entry = manifest[path]
    reads = decode((DATA / path).read_bytes())
    assert [(r.text, r.symbology_identifier) for r in reads] == [(entry["expected"], entry["symbology_identifier"])]


@pytest.mark.parametrize("path", REAL_SAMPLES)
def test_real_photo_samples(manifest: dict[str, dict], path: str) -> None:
    assert [r.text for r in decode((DATA / path).read_bytes())] == [manifest[path]["expected"]]
