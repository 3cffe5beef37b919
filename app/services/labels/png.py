"""One placed label as a grayscale PNG, for the screen and for the tests that decode it back."""
from functools import cache
from io import BytesIO

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from app.services.labels.fonts import font_file
from app.services.labels.layout import Placed
from app.services.labels.raster import symbol_bitmap

MM_PER_INCH = 25.4


def render(placed: Placed, dpi: int = 300) -> Image.Image:
    per_mm = dpi / MM_PER_INCH
    canvas = np.full((round(placed.height * per_mm), round(placed.width * per_mm)), 255, dtype=np.uint8)
    for bars in placed.bars:
        bitmap = symbol_bitmap(bars, per_mm)
        top, left = round(bars.y * per_mm), round(bars.x * per_mm)
        region = canvas[top : top + bitmap.shape[0], left : left + bitmap.shape[1]]
        region[bitmap[: region.shape[0], : region.shape[1]]] = 0
    image = Image.fromarray(canvas, mode="L")
    draw = ImageDraw.Draw(image)
    for text in placed.texts:
        draw.text((text.x * per_mm, (text.y + 0.8 * text.size) * per_mm), text.text, fill=0,
                  font=_font(text.bold, round(text.size * per_mm)), anchor="ls")
    return image


def png_bytes(placed: Placed, dpi: int = 300) -> bytes:
    out = BytesIO()
    render(placed, dpi).save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


@cache
def _font(bold: bool, pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file(bold)), max(1, pixels))
