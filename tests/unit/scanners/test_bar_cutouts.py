"""Cutting linear codes out of a photo: tall codes are cut out short, ZBar reads upright cut-outs row by row."""

from __future__ import annotations

import cv2
import numpy as np
import zxingcpp

from scanners import zbar
from scanners.decode import LINEAR_FORMATS, decode, read_zxing
from scanners.regions import find_bar_regions, straighten

GS1_128 = "01095011015300031725013110ABC123"


def code128(bar_length: int) -> np.ndarray:
    """A GS1-128 symbol with bars ``bar_length`` pixels long, on a white margin."""
    barcode = zxingcpp.create_barcode(
        "(01)09501101530003(17)250131(10)ABC123", zxingcpp.BarcodeFormat.Code128, gs1=True
    )
    row = np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=2))[:1]
    return cv2.copyMakeBorder(np.repeat(row, bar_length, axis=0), 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)


def tilted(gray: np.ndarray, degrees: float) -> np.ndarray:
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    side = int(np.hypot(h, w))
    matrix[:, 2] += (side / 2 - w / 2, side / 2 - h / 2)
    return cv2.warpAffine(gray, matrix, (side, side), flags=cv2.INTER_LINEAR, borderValue=255)


def test_a_tall_code_is_cut_out_with_few_rows_and_still_read() -> None:
    image = tilted(code128(bar_length=900), 30)
    (region, *_) = find_bar_regions(image, limit=1)
    crop = straighten(image, region, max_rows=120)
    assert crop is not None
    assert crop.shape[0] <= 120 < straighten(image, region, max_rows=10_000).shape[0]
    assert [r.text for r in read_zxing(crop, LINEAR_FORMATS, try_rotate=False)] == [GS1_128]
    assert [r.text for r in decode(image)] == [GS1_128]


def test_zbar_reads_an_upright_code_from_its_rows_alone() -> None:
    upright = code128(bar_length=60)
    lying = np.ascontiguousarray(np.rot90(upright))  # bars across the rows: only columns cross them
    assert [r.text for r in zbar.read(upright, rows_only=True)] == [GS1_128]
    assert [r.text for r in zbar.read(lying)] == [GS1_128]
    assert zbar.read(lying, rows_only=True) == []
