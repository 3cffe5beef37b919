"""Image -> the texts of the barcodes in it.

zxing-cpp reads first (it is the only one that reads DataMatrix). Only if it
finds nothing does a cascade run, cheapest and most productive steps first:
upscaling small images, cutting out tilted or sheared linear codes, cutting
out and enlarging small 2D codes, cleaning up the whole image, and ZBar as a
second decoder. If all that finds nothing in a colour photo whose codes may
be washed out in gray, the cascade runs once more on its strongest channel.

A wrong read is worse than none. zxing-cpp reads of symbols with strong
checks are trusted at once. EAN/UPC and ITF (one mod-10 digit) and anything
only ZBar read are returned only once a second step or decoder has read the
same value, and when different values turn up (a misread next to the real
one), only once both decoders agree.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import zxingcpp

from scanners import zbar
from scanners.channels import strongest_channel
from scanners.gtin import check_digit
from scanners.image import DecodeLimits, from_array, load_image, shrink, to_gray
from scanners.regions import cut_out_texture, find_bar_regions, find_dense_regions, rectify_blob, straighten
from scanners.scan import Read

_F = zxingcpp.BarcodeFormat
LINEAR_FORMATS = (
    _F.Code128,
    _F.Code39Std,
    _F.EAN13,
    _F.EAN8,
    _F.UPCA,
    _F.UPCE,
    _F.ITF,
    _F.DataBar,
    _F.DataBarExp,
    _F.DataBarLtd,
)
MATRIX_FORMATS = (_F.DataMatrix, _F.QRCode, _F.Aztec, _F.PDF417)
FORMATS = (*MATRIX_FORMATS, *LINEAR_FORMATS)
EAN_UPC = frozenset({"EAN-13", "EAN-8", "UPC-A", "UPC-E"})
WEAK_CHECK = EAN_UPC | {"ITF", "ITF-14"}
SMALL_PIXELS = 250_000  # images with fewer pixels are also tried upscaled (x2)
TINY_PIXELS = 40_000  # ... and x3
LARGE_PIXELS = 1_000_000  # zxing-cpp's own downscaling costs time and adds nothing on photos this large
HUGE_PIXELS = 2_500_000  # on larger images, the first pass runs on a copy downscaled to _FIRST_SIDE
_FIRST_SIDE = 1024
_DENSE_SIDE = 1200  # cut-out 2D codes are enlarged up to this size ...
_DENSE_ENLARGE = ((1, 2.0), (2, 2.0), (3, 1.0))  # ... by these factors, then sharpened (sigma per factor)
_ZBAR_SIDE = 800
_GLARE_SPAN = 15  # the white level of a bar crop is taken over 1/15 of its width
_WIDE_MARGIN = 0.8  # share of a bar area's length added at each end when cutting it out again

DEFAULT_LIMITS = DecodeLimits()


def decode(image: bytes | bytearray | memoryview | np.ndarray, limits: DecodeLimits = DEFAULT_LIMITS) -> list[Read]:
    """Every barcode read in ``image`` (encoded bytes, or a grayscale/BGR uint8 array).

    Raises ``ImageError`` for empty, non-image, damaged or oversized input.
    An empty list means no barcode could be read with confidence.
    """
    if isinstance(image, np.ndarray):
        pixels = from_array(image, limits)
        gray = to_gray(pixels)
        in_colour: Callable[[], np.ndarray] = lambda: pixels
    elif isinstance(image, (bytes, bytearray, memoryview)):
        gray = load_image(image, limits)
        in_colour = lambda: load_image(image, limits, colour=True)  # decoded again only if needed
    else:
        raise TypeError(f"decode() takes image bytes or a numpy array, not {type(image).__name__}")
    reads = _Cascade(gray).run()
    if not reads:
        pixels = in_colour()
        channel = strongest_channel(pixels, gray) if pixels.ndim == 3 else None
        if channel is not None:
            reads = _Cascade(channel).run()
    return reads


def read_zxing(
    gray: np.ndarray, formats: tuple[zxingcpp.BarcodeFormat, ...] = FORMATS, **options: object
) -> list[Read]:
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
    """Runs the decoding steps on one image and keeps the votes for reads that need a second opinion."""

    def __init__(self, gray: np.ndarray) -> None:
        self.gray = gray
        self.trusted: dict[tuple[str, str], Read] = {}
        self.pending: dict[tuple[str, str], tuple[Read, set[str]]] = {}  # read, its "step:engine" sources

    def run(self) -> list[Read]:
        huge = self.gray.size > HUGE_PIXELS
        self._primary(shrink(self.gray, _FIRST_SIDE) if huge else self.gray, "primary")
        for step in self._steps(huge):
            if self.trusted:
                break
            step()
        return list(self.trusted.values())

    def _steps(self, huge: bool) -> list[Callable[[], None]]:
        if self.gray.size < SMALL_PIXELS:
            return [self._upscale, self._bars, self._dense, self._cleanups, self._second_opinion]
        full = [lambda: self._primary(self.gray, "full")] if huge else []
        return [self._bars, self._dense, *full, self._second_opinion]

    def _primary(self, image: np.ndarray, step: str) -> None:
        """zxing-cpp on the whole image; several different EAN/UPC numbers at once are doubtful.

        It does not try the image turned by 90 degrees: on a photo that more
        than doubles its time (its DataMatrix detector then tries harder), and
        the cascade finds those codes anyway, enlarged or cut out.
        """
        reads = read_zxing(image, try_downscale=image.size < LARGE_PIXELS, try_rotate=False)
        numbers = {_key(r) for r in reads if r.format in WEAK_CHECK}
        self._add(reads, f"{step}:zxing", trust_weak=len(numbers) <= 1)

    def _add(self, reads: list[Read], source: str, *, trust_weak: bool = False) -> None:
        for read in filter(_plausible, reads):
            key = _key(read)
            if key in self.trusted:
                continue
            if source.endswith(":zxing") and (trust_weak or read.format not in WEAK_CHECK):
                self.trusted[key] = read
                continue
            self.pending.setdefault(key, (read, set()))[1].add(source)
        self._confirm()

    def _confirm(self) -> None:
        """Trust a doubtful read seen twice; when different values were seen, seen by both decoders."""
        conflict = len(self.pending) > 1
        for key, (read, sources) in self.pending.items():
            engines = {source.partition(":")[2] for source in sources}
            if len(engines if conflict else sources) >= 2:
                self.trusted.setdefault(key, read)

    def _read_both(self, image: np.ndarray, step: str, *, straightened: bool = False) -> None:
        """zxing-cpp, then ZBar unless zxing-cpp was conclusive; straightened crops hold upright linear codes."""
        if straightened:
            self._add(read_zxing(image, LINEAR_FORMATS, try_rotate=False), f"{step}:zxing")
        else:
            self._add(read_zxing(image), f"{step}:zxing")
        if not self.trusted:
            self._add(zbar.read(image, rows_only=straightened), f"{step}:zbar")

    def _doubtful_from(self, step: str) -> bool:
        return any(source.startswith(step) for _, sources in self.pending.values() for source in sources)

    def _upscale(self) -> None:
        for factor in (2, 3) if self.gray.size < TINY_PIXELS else (2,):
            self._read_both(
                cv2.resize(self.gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC), f"up{factor}"
            )
            if self.trusted:
                return

    def _bars(self) -> None:
        """Each area of bars, cut out straight; cleaned up, and more variants if a doubtful read needs a second.

        Last, each area is cut out again with a wide margin along the code: under
        strong perspective the far bars lean too much to count as part of the
        area, and the first cut-out ends before the code does.
        """
        regions = find_bar_regions(self.gray, limit=3)
        for index, region in enumerate(regions):
            crop = straighten(self.gray, region)
            if crop is None:
                continue
            for name, clean in _BAR_VARIANTS:
                if name in _CONFIRMING and not self._doubtful_from(f"bars{index}"):
                    break
                self._read_both(clean(crop), f"bars{index}{name}", straightened=True)
                if self.trusted:
                    return
        for index, region in enumerate(regions):
            wide = straighten(self.gray, region, margin=_WIDE_MARGIN)
            if wide is not None:
                self._read_both(wide, f"bars{index}wide", straightened=True)
                if self.trusted:
                    return

    def _dense(self) -> None:
        """2D codes at an angle, or small and blurred in a photo: cut out, straighten, enlarge, sharpen; last the code alone."""
        for index, (x0, y0, x1, y1) in enumerate(find_dense_regions(self.gray)):
            crop = self.gray[y0:y1, x0:x1]
            upright = rectify_blob(crop)
            variants = [("rect", upright)] if upright is not None else []
            for factor, sigma in _DENSE_ENLARGE:
                if max(crop.shape) * factor <= _DENSE_SIDE:
                    big = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
                    variants.append((f"x{factor}", _sharpen(big, sigma * factor)))
            tight = cut_out_texture(crop)
            if tight is not None:
                variants.append(("tight", tight))
            for name, image in variants:
                self._add(read_zxing(image, MATRIX_FORMATS), f"dense{index}{name}:zxing")
                if self.trusted:
                    return

    def _cleanups(self) -> None:
        """Whole-image clean-ups; on small images only, where noise and blur hide what is there."""
        for name, clean in _CLEANUPS:
            self._add(read_zxing(clean(self.gray)), f"{name}:zxing")
            if self.trusted:
                return

    def _second_opinion(self) -> None:
        """A doubtful read still unconfirmed: ZBar on the whole image."""
        if self.pending:
            self._add(zbar.read(shrink(self.gray, _ZBAR_SIDE)), "whole:zbar")


def _sharpen(gray: np.ndarray, sigma: float = 3.0) -> np.ndarray:
    return cv2.addWeighted(gray, 2.0, cv2.GaussianBlur(gray, (0, 0), sigma), -1.0, 0)


def _smooth_along_bars(crop: np.ndarray) -> np.ndarray:
    """Average down the (vertical) bars of a straightened crop: removes noise, keeps edges."""
    return cv2.blur(crop, (1, 9))


def _even_out_glare(crop: np.ndarray) -> np.ndarray:
    """Divide a straightened crop by its white level along the code, so that glare and shade leave one contrast.

    The white level is the brightest value over 1/15 of the crop's width: a
    closing wider than any bar (an EAN-13 has ~140 modules there) and
    narrower than a glare spot. The bars under the glare then keep their
    contrast for a single threshold.
    """
    span = max(3, crop.shape[1] // _GLARE_SPAN)
    white = cv2.blur(cv2.morphologyEx(crop, cv2.MORPH_CLOSE, np.ones((1, span), np.uint8)), (span, 1))
    return cv2.divide(crop, white, scale=255)


def _otsu(gray: np.ndarray) -> np.ndarray:
    return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]


def _clahe(gray: np.ndarray) -> np.ndarray:
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)


def _identity(gray: np.ndarray) -> np.ndarray:
    return gray


def _cleaned(crop: np.ndarray) -> np.ndarray:
    return _clahe(_sharpen(_smooth_along_bars(crop), 2.0))


_BAR_VARIANTS: tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...] = (
    ("", _identity),
    ("clean", _cleaned),
    ("glare", lambda crop: _cleaned(_even_out_glare(crop))),
    ("smooth", _smooth_along_bars),
    ("sharp", lambda crop: _sharpen(crop, 2.0)),
)
_CONFIRMING = frozenset({"smooth", "sharp"})  # only tried to confirm a doubtful read
_CLEANUPS: tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...] = (
    ("median", lambda g: cv2.medianBlur(g, 3)),
    ("sharpen", _sharpen),
    ("otsu", _otsu),
    ("clahe", _clahe),
)
