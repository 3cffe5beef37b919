"""Untrusted image bytes -> one grayscale or BGR array of bounded size, or a clear ``ImageError``.

Colour is kept (as OpenCV's BGR) because a code printed in one colour on
another can stand out far better in one colour channel than in gray.

Memory: the pixel cap is checked in the header, before anything is decoded, and
an image is brought down to the working size straight after decoding, before any
conversion copies it at full size (a 49-megapixel RGBA PNG took 1.2 GB at its
peak, now 0.4 GB). How many are decoded at once is the caller's to bound.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from scanners.scan import ImageError


@dataclass(frozen=True)
class DecodeLimits:
    """Caps on what ``decode`` accepts and how large an image it works on.

    ``work_side``: longer side of the image the decoders see; larger photos are
    downscaled first (JPEGs already while decoding, by a power of two, which is
    what keeps a 12-megapixel photo fast).
    """

    max_bytes: int = 30_000_000
    max_pixels: int = 50_000_000
    work_side: int = 2048


FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "GIF", "TIFF")
_UPLOAD = "the uploaded file"
_ALPHA_MODES = ("RGBA", "LA", "PA")
_REDUCIBLE = ("L", "RGB", "RGBA", "LA", "I", "F")  # modes PIL's Image.reduce takes


def load_image(data: bytes | bytearray | memoryview, limits: DecodeLimits, *, colour: bool = False) -> np.ndarray:
    """Decode image bytes to a uint8 array whose longer side is at most ``limits.work_side``.

    Grayscale, unless ``colour`` is asked for and the image has colour: then
    BGR. Gray is what the decoders need first, and a JPEG decodes faster
    without its colour.
    """
    size = len(data)
    if size == 0:
        raise ImageError(_UPLOAD, "a photo (JPEG, PNG or WebP)", "an empty file", "Take the photo again.")
    if size > limits.max_bytes:
        raise ImageError(_UPLOAD, f"a photo of at most {limits.max_bytes // 1_000_000} MB", f"{size / 1e6:.1f} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(bytes(data)))
            width, height = image.size
            _check_header(image, limits)
            if image.format == "JPEG":
                scale = limits.work_side / 2 / max(width, height)  # draft keeps at least this size
                if scale < 0.5:
                    mode = image.mode if colour else "L"
                    image.draft(mode, (max(1, int(width * scale)), max(1, int(height * scale))))
            image.load()
            pixels = _to_array(_reduced(image, limits.work_side), colour)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError(
            _UPLOAD,
            f"an image of at most {limits.max_pixels / 1e6:.0f} megapixels",
            "far more pixels than that",
            "Take the photo again at a lower resolution.",
        ) from error
    except UnidentifiedImageError as error:
        raise ImageError(_UPLOAD, "a photo (JPEG, PNG or WebP)", _what(data), "Upload a photo of the label.") from error
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as error:
        raise ImageError(_UPLOAD, "a complete image", "a damaged or cut-off image", "Take the photo again.") from error
    return shrink(pixels, limits.work_side)


def from_array(array: np.ndarray, limits: DecodeLimits) -> np.ndarray:
    """Accept a grayscale or BGR(A) uint8 array (OpenCV convention); returns grayscale or BGR."""
    if not isinstance(array, np.ndarray) or array.dtype != np.uint8 or array.ndim not in (2, 3):
        raise ImageError("the image array", "a 2-D grayscale or 3-D BGR uint8 array", _describe_array(array))
    if array.size == 0:
        raise ImageError("the image array", "an image with pixels", f"shape {array.shape}")
    if array.shape[0] * array.shape[1] > limits.max_pixels:
        raise ImageError("the image array", f"at most {limits.max_pixels:,} pixels", f"shape {array.shape}")
    if array.ndim == 3:
        channels = array.shape[2]
        if channels not in (1, 3, 4):
            raise ImageError("the image array", "1, 3 or 4 channels", f"{channels} channels")
        array = array[:, :, 0] if channels == 1 else array[:, :, :3]
    return shrink(np.ascontiguousarray(array), limits.work_side)


def to_gray(image: np.ndarray) -> np.ndarray:
    """The grayscale form of an array from ``load_image`` or ``from_array``."""
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def shrink(image: np.ndarray, side: int) -> np.ndarray:
    """Downscale by a whole factor (area averaging, OpenCV's fast path) so the longer side is at most ``side``."""
    factor = -(-max(image.shape[:2]) // side)
    if factor <= 1:
        return image
    return scaled(image, 1 / factor)


def scaled(image: np.ndarray, scale: float, interpolation: int = cv2.INTER_AREA) -> np.ndarray:
    """``image`` resized by ``scale``, but never below one pixel a side (a long thin strip would vanish)."""
    height, width = image.shape[:2]
    if round(height * scale) >= 1 and round(width * scale) >= 1:
        return cv2.resize(image, None, fx=scale, fy=scale, interpolation=interpolation)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=interpolation)


def _check_header(image: Image.Image, limits: DecodeLimits) -> None:
    width, height = image.size
    if image.format not in FORMATS:
        raise ImageError(_UPLOAD, "a photo (JPEG, PNG or WebP)", f"a {image.format} file")
    if width == 0 or height == 0:
        raise ImageError(_UPLOAD, "an image with pixels", f"a {width}x{height} image")
    if width * height > limits.max_pixels:
        raise ImageError(
            _UPLOAD,
            f"an image of at most {limits.max_pixels / 1e6:.0f} megapixels",
            f"{width}x{height} pixels ({width * height / 1e6:.0f} megapixels)",
        )


def _reduced(image: Image.Image, side: int) -> Image.Image:
    """The decoded image brought down by the whole factor ``shrink`` would use (box averaging, as
    its area averaging), before any conversion copies it at full size. Transparency is averaged
    premultiplied, so the result is what compositing on white first and then shrinking gives."""
    factor = -(-max(image.size) // side)
    if factor <= 1 or image.mode not in _REDUCIBLE:
        return image
    if image.mode in _ALPHA_MODES:
        premultiplied = image.convert("RGBa" if image.mode == "RGBA" else "La")
        return premultiplied.reduce(factor).convert(image.mode)
    return image.reduce(factor)


def _to_array(image: Image.Image, colour: bool) -> np.ndarray:
    """Grayscale, or BGR if ``colour`` and the image has colour; transparent areas become white, as on a label."""
    if image.mode in _ALPHA_MODES or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        array = np.asarray(image, dtype=np.float64)
        span = float(array.max() - array.min()) or 1.0
        return ((array - array.min()) * (255.0 / span)).astype(np.uint8)
    if not colour or image.mode in ("L", "1"):
        return np.asarray(image.convert("L"))
    return cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)


def _what(data: bytes | bytearray | memoryview) -> str:
    head = bytes(data[:16])
    if head.lstrip().startswith((b"<", b"{", b"[")) or head.isascii():
        return "text, not an image"
    return "a file that is not a supported image"


def _describe_array(array: object) -> str:
    if isinstance(array, np.ndarray):
        return f"a {array.dtype} array of shape {array.shape}"
    return f"a {type(array).__name__}"
