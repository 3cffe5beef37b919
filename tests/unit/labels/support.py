"""Reading printed labels back: every code in an image, decoded and interpreted by `scanners`."""
from dataclasses import replace

import numpy as np
from PIL import Image

from scanners import DEFAULT_CONFIG, Scan, decode, interpret

# Two-bin cards' `BIN:` codes are read here as internal codes (the replenishment branch teaches the handheld).
WITH_BINS = replace(DEFAULT_CONFIG, internal_prefixes=(*DEFAULT_CONFIG.internal_prefixes, "BIN:"))
CSET_82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


def scans(image: Image.Image | np.ndarray) -> dict[str, Scan]:
    """Format ('DataMatrix', 'Code128') -> what `scanners` makes of it."""
    pixels = np.asarray(image.convert("L")) if isinstance(image, Image.Image) else image
    return {read.format.replace(" ", ""): interpret(read, WITH_BINS) for read in decode(pixels)}


def gs1_fields(scan: Scan) -> tuple[str | None, str | None, object, str | None]:
    return scan.gtin, scan.lot, scan.expiry, scan.serial
