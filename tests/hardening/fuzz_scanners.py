"""Coverage-guided fuzzing (atheris / libFuzzer) of the scanners library.

    .venv/bin/python tests/hardening/fuzz_scanners.py interpret [CORPUS_DIR] -max_total_time=300
    .venv/bin/python tests/hardening/fuzz_scanners.py decode [CORPUS_DIR] -max_total_time=300 -timeout=20
    .venv/bin/python tests/hardening/fuzz_scanners.py decode-array [CORPUS_DIR] -max_total_time=300 -timeout=20

Anything after the target name is passed to libFuzzer (``-runs=N``,
``-max_total_time=S``, ``-timeout=S`` for a hang, corpus folders). A finding
is any exception other than the library's own ``ScanError`` family, a
``ScanError`` whose message does not say what was read, a result of the wrong
type, or an input that runs longer than ``-timeout``. libFuzzer then writes
the input to ``crash-*`` / ``timeout-*`` and exits non-zero.

``--seed TARGET DIR`` writes a small starting corpus (label texts, small
images in every accepted format holding real barcodes, or noise for arrays)
into DIR and exits.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports(include=["scanners", "biip"]):
    from scanners import ImageError, Read, Scan, ScanError, decode, interpret


class Finding(Exception):
    """The library answered, but not the way its contract says."""


_IDENTIFIERS = ("]d2", "]C1", "]Q3", "]E0", "]e0", "]d1", "]C0", "]A0", "")


def fuzz_interpret(data: bytes) -> None:
    """interpret() on a wedge scanner's text, or on a camera read with a symbology identifier."""
    provider = atheris.FuzzedDataProvider(data)
    as_read = provider.ConsumeBool()
    identifier = _IDENTIFIERS[provider.ConsumeIntInRange(0, len(_IDENTIFIERS) - 1)]
    text = provider.ConsumeUnicodeNoSurrogates(provider.remaining_bytes())
    raw: str | Read = Read(text, identifier, "fuzz") if as_read else text
    try:
        scan = interpret(raw)
    except ScanError as error:
        if not str(error).startswith("Read '"):
            raise Finding(f"error message does not say what was read: {error}") from error
        return
    if not isinstance(scan, Scan):
        raise Finding(f"interpret() returned {type(scan).__name__}")


def fuzz_decode(data: bytes) -> None:
    """decode() on arbitrary bytes: reads, or a clear ImageError, nothing else."""
    try:
        reads = decode(data)
    except ImageError as error:
        if not str(error).startswith("Read '"):
            raise Finding(f"error message does not say what was read: {error}") from error
        return
    if not all(isinstance(read, Read) and isinstance(read.text, str) for read in reads):
        raise Finding(f"decode() returned {reads!r}")


def fuzz_decode_array(data: bytes) -> None:
    """decode() on a pixel array of any size and content (reaches the cascade, which bytes rarely do)."""
    provider = atheris.FuzzedDataProvider(data)
    height, width = provider.ConsumeIntInRange(1, 600), provider.ConsumeIntInRange(1, 600)
    channels = (0, 1, 3, 4)[provider.ConsumeIntInRange(0, 3)]
    shape = (height, width, channels) if channels else (height, width)
    pixels = provider.ConsumeBytes(provider.remaining_bytes()) or b"\x00"
    array = np.resize(np.frombuffer(pixels, np.uint8), shape)
    try:
        reads = decode(array)
    except ImageError as error:
        raise Finding(f"a valid {shape} array was refused: {error}") from error
    if not all(isinstance(read, Read) and isinstance(read.text, str) for read in reads):
        raise Finding(f"decode() returned {reads!r}")


TARGETS = {"interpret": fuzz_interpret, "decode": fuzz_decode, "decode-array": fuzz_decode_array}


def write_seeds(target: str, folder: Path) -> None:
    """A few valid inputs for libFuzzer to start mutating from."""
    folder.mkdir(parents=True, exist_ok=True)
    if target == "decode-array":  # any bytes make an array; seeds of noise big enough to fill a few
        for index, size in enumerate((4_000, 40_000, 200_000)):
            (folder / f"seed-{index}").write_bytes(np.random.default_rng(index).bytes(size))
        return
    if target == "interpret":
        texts = [
            "]d2010950110153000317250131" + "10ABC\x1d21XYZ",
            "(01)09501101530003(17)250131(10)ABC123",
            "0109501101530003|10LOT7~21S1",
            "https://id.gs1.org/01/09501101530003/10/ABC?17=250131",
            "+A123BJC5D6E71G",
            "+A99912345/$$52001510X3G",
            "4006381333931",
            "LOC:WARD-3",
        ]
        for index, text in enumerate(texts):
            (folder / f"seed-{index}").write_bytes(b"\x00\x00" + text.encode())
        return
    import io

    import zxingcpp
    from PIL import Image

    codes = [
        ("(01)09501101530003(17)250131(10)ABC", zxingcpp.BarcodeFormat.DataMatrix, {"gs1": True}),
        ("4006381333931", zxingcpp.BarcodeFormat.EAN13, {}),
        ("+A123BJC5D6E71G", zxingcpp.BarcodeFormat.Code128, {}),
    ]
    for index, (content, fmt, options) in enumerate(codes):
        symbol = zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(content, fmt, **options), scale=1)
        image = Image.fromarray(np.asarray(symbol))
        for kind in ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF"):
            buffer = io.BytesIO()
            image.save(buffer, kind)
            (folder / f"seed-{index}.{kind.lower()}").write_bytes(buffer.getvalue())
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "PNG")  # colour: the decoder may look at single channels
        (folder / f"seed-{index}-rgb.png").write_bytes(buffer.getvalue())


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--seed" and sys.argv[2] in TARGETS:
        write_seeds(sys.argv[2], Path(sys.argv[3]))
        return
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options] | --seed TARGET DIR")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
