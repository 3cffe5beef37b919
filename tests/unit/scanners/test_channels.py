"""Colour: codes that vanish in gray are read in their strongest colour channel."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import zxingcpp

from scanners.channels import strongest_channel
from scanners.decode import decode, read_zxing
from scanners.image import DecodeLimits, load_image

GS1_TEXT = "01095011015300031725013110ABC\x1d21123456"
# Blue-magenta modules on a green label: both are gray 75, so gray shows nothing; the blue channel shows all.
MODULE_BGR = (255, 0, 154)
LABEL_BGR = (0, 128, 0)


def coloured_symbol() -> np.ndarray:
    barcode = zxingcpp.create_barcode(
        "(01)09501101530003(17)250131(10)ABC(21)123456", zxingcpp.BarcodeFormat.DataMatrix, gs1=True
    )
    gray = np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=4))
    bgr = np.empty((*gray.shape, 3), np.uint8)
    bgr[gray < 128] = MODULE_BGR
    bgr[gray >= 128] = LABEL_BGR
    return bgr


def png(array: np.ndarray) -> bytes:
    ok, buffer = cv2.imencode(".png", array)
    assert ok
    return buffer.tobytes()


def test_the_coloured_symbol_is_invisible_in_gray() -> None:
    gray = cv2.cvtColor(coloured_symbol(), cv2.COLOR_BGR2GRAY)
    assert int(gray.max()) - int(gray.min()) <= 2
    assert read_zxing(gray) == []
    assert decode(gray) == []  # the whole cascade, in gray


@pytest.mark.parametrize("as_bytes", [False, True], ids=["array", "png bytes"])
def test_code_washed_out_in_gray_is_read_in_its_strongest_channel(as_bytes: bool) -> None:
    image = coloured_symbol()
    reads = decode(png(image) if as_bytes else image)
    assert [(r.text, r.symbology_identifier) for r in reads] == [(GS1_TEXT, "]d2")]


def test_strongest_channel_is_the_one_with_the_contrast() -> None:
    image = coloured_symbol()
    channel = strongest_channel(image, cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    assert channel is not None
    assert np.array_equal(channel, image[:, :, 0])


def test_no_channel_for_a_gray_photo_in_colour() -> None:
    gray = np.tile(np.arange(256, dtype=np.uint8), (64, 1))
    assert strongest_channel(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), gray) is None


def test_loading_keeps_colour_only_when_asked() -> None:
    data = png(coloured_symbol())
    limits = DecodeLimits()
    assert load_image(data, limits).ndim == 2
    assert load_image(data, limits, colour=True).shape[2] == 3
    assert load_image(png(np.zeros((20, 30), np.uint8)), limits, colour=True).shape == (20, 30)
