"""Image -> the texts of the barcodes in it.

zxing-cpp reads first (it is the only one that reads DataMatrix). Only if it
finds nothing does a cascade run, cheapest and most productive steps first:
upscaling small images, cutting out tilted or sheared linear codes, cleaning
up noise and contrast, and ZBar as a second decoder. EAN/UPC have a weak
check digit, so an EAN/UPC found by a fallback step is only returned once a
second step has read the same number, and when different numbers turn up
(a misread next to the real one), only once both decoders agree.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import zxingcpp

from scanners import zbar
from scanners.gtin import check_digit
from scanners.image import DecodeLimits, from_array, load_gray, shrink
from scanners.regions import find_bar_regions, straighten
from scanners.scan import Read

_F = zxingcpp.BarcodeFormat
LINEAR_FORMATS = (_F.Code128, _F.Code39Std, _F.EAN13, _F.EAN8, _F.UPCA, _F.UPCE, _F.ITF, _F.DataBar, _F.DataBarExp, _F.DataBarLtd)
FORMATS = (_F.DataMatrix, _F.QRCode, _F.Aztec, _F.PDF417, *LINEAR_FORMATS)
EAN_UPC = frozenset({"EAN-13", "EAN-8", "UPC-A", "UPC-E"})
SMALL_PIXELS = 250_000  # images with fewer pixels are also tried upscaled (x2)
TINY_PIXELS = 40_000  # ... and x3
_VARIANT_SIDE = 1024  # whole-image clean-ups run on at most this size
_ZBAR_SIDE = 800

DEFAULT_LIMITS = DecodeLimits()


def decode(image: bytes | bytearray | memoryview | np.ndarray, limits: DecodeLimits = DEFAULT_LIMITS) -> list[Read]:
    """Every barcode read in ``image`` (encoded bytes, or a grayscale/BGR uint8 array).

    Raises ``ImageError`` for empty, non-image, damaged or oversized input.
    An empty list means no barcode could be read with confidence.
    """
    if isinstance(image, np.ndarray):
        gray = from_array(image, limits)
    elif isinstance(image, (bytes, bytearray, memoryview)):
        gray = load_gray(image, limits)
    else:
        raise TypeError(f"decode() takes image bytes or a numpy array, not {type(image).__name__}")
    return _Cascade(gray).run()


def read_zxing(gray: np.ndarray, formats: tuple[zxingcpp.BarcodeFormat, ...] = FORMATS, **options: object) -> list[Read]:
    """zxing-cpp in plain text mode: GS stays ``\\x1d``, the symbology identifier is kept separately."""
    found = zxingcpp.read_barcodes(gray, formats=formats, text_mode=zxingcpp.TextMode.Plain, **options)
    reads = [Read(b.text, b.symbology_identifier, str(b.format), b.bytes) for b in found]
    return [r for r in reads if _plausible(r)]


def _plausible(read: Read) -> bool:
    """ITF is only trusted as ITF-14 (14 digits, right check digit); short ITF reads are noise."""
    if read.format.startswith("ITF"):
        text = read.text
        return len(text) == 14 and text.isdigit() and check_digit(text[:-1]) == int(text[-1])
    return True


def _key(read: Read) -> tuple[str, str]:
    if read.format in EAN_UPC:
        return ("EAN/UPC", read.text.zfill(14))
    return (read.format, read.text)


class _Cascade:
    """Runs the decoding steps on one image and keeps the votes for EAN/UPC reads."""

    def __init__(self, gray: np.ndarray) -> None:
        self.gray = gray
        self.trusted: dict[tuple[str, str], Read] = {}
        self.pending: dict[tuple[str, str], tuple[Read, set[str]]] = {}  # EAN/UPC read, "step:engine" sources

    def run(self) -> list[Read]:
        primary = read_zxing(self.gray)
        numbers = {_key(r) for r in primary if r.format in EAN_UPC}
        self._add(primary, "primary:zxing", trust_ean=len(numbers) <= 1)
        for step in self._steps():
            if self.trusted:
                break
            step()
        return list(self.trusted.values())

    def _steps(self) -> list[Callable[[], None]]:
        steps = []
        if self.gray.size < SMALL_PIXELS:
            steps.append(self._upscale)
        steps += [self._bars, self._cleanups, self._zbar_whole]
        return steps

    def _add(self, reads: list[Read], source: str, *, trust_ean: bool = False) -> None:
        for read in reads:
            key = _key(read)
            if key in self.trusted:
                continue
            if read.format not in EAN_UPC or trust_ean:
                self.trusted[key] = read
                continue
            self.pending.setdefault(key, (read, set()))[1].add(source)
        self._confirm()

    def _confirm(self) -> None:
        """Trust an EAN/UPC read twice; when different numbers were seen, read by both decoders."""
        conflict = len(self.pending) > 1
        for key, (read, sources) in self.pending.items():
            engines = {source.partition(":")[2] for source in sources}
            if len(engines if conflict else sources) >= 2:
                self.trusted.setdefault(key, read)

    def _upscale(self) -> None:
        for factor in (2, 3) if self.gray.size < TINY_PIXELS else (2,):
            big = cv2.resize(self.gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
            self._add(read_zxing(big), f"upscale{factor}:zxing")
            if not self.trusted:
                self._add(zbar.read(big), f"upscale{factor}:zbar")
            if self.trusted:
                return

    def _bars(self) -> None:
        for index, region in enumerate(find_bar_regions(self.gray, limit=3)):
            crop = straighten(self.gray, region)
            if crop is None:
                continue
            step = f"bars{index}"
            self._read_linear(crop, step)
            if not self.trusted and any(s.startswith(step) for _, sources in self.pending.values() for s in sources):
                for name, clean in (("smooth", _smooth_along_bars), ("sharpen", _sharpen)):
                    self._read_linear(clean(crop), f"{step}{name}")
                    if self.trusted:
                        break
            if self.trusted:
                return

    def _read_linear(self, crop: np.ndarray, step: str) -> None:
        self._add(read_zxing(crop, LINEAR_FORMATS, try_rotate=False), f"{step}:zxing")
        self._add(zbar.read(crop), f"{step}:zbar")

    def _cleanups(self) -> None:
        image = shrink(self.gray, _VARIANT_SIDE)
        small = self.gray.size < SMALL_PIXELS
        for name, clean in _CLEANUPS if small else _CLEANUPS[1:2]:
            self._add(read_zxing(clean(image)), f"{name}:zxing")
            if self.trusted:
                return

    def _zbar_whole(self) -> None:
        self._add(zbar.read(shrink(self.gray, _ZBAR_SIDE)), "whole:zbar")


def _sharpen(gray: np.ndarray) -> np.ndarray:
    return cv2.addWeighted(gray, 2.0, cv2.GaussianBlur(gray, (0, 0), 3), -1.0, 0)


def _smooth_along_bars(crop: np.ndarray) -> np.ndarray:
    """Average down the (vertical) bars of a straightened crop: removes noise, keeps edges."""
    return cv2.blur(crop, (1, 9))


def _otsu(gray: np.ndarray) -> np.ndarray:
    return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]


def _clahe(gray: np.ndarray) -> np.ndarray:
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)


_CLEANUPS: tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...] = (
    ("median", lambda g: cv2.medianBlur(g, 3)),
    ("sharpen", _sharpen),
    ("otsu", _otsu),
    ("clahe", _clahe),
)
