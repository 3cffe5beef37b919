"""A small ZPL reader for the tests: the `^GFA` graphics put back on a blank label at their `^FO`
positions, and the text of each `^FD` with its `^FH` escapes undone. Only the commands the labels use."""
import re
from dataclasses import dataclass

import numpy as np

_FORMAT = re.compile(r"\^XA(.*?)\^XZ", re.DOTALL)
_FIELD = re.compile(r"\^FO(\d+),(\d+)(.*?)\^FS", re.DOTALL)
_GRAPHIC = re.compile(r"\^GFA,(\d+),(\d+),(\d+),([0-9A-F]+)$")
_TEXT = re.compile(r"\^A0N,(\d+),(\d+)\^FH_\^FD(.*)$", re.DOTALL)


@dataclass
class ZplLabel:
    image: np.ndarray  # uint8, white 255, black 0, one pixel a dot
    texts: list[str]
    copies: int


def read_zpl(document: str) -> list[ZplLabel]:
    labels = []
    for body in _FORMAT.findall(document):
        width = int(re.search(r"\^PW(\d+)", body).group(1))
        height = int(re.search(r"\^LL(\d+)", body).group(1))
        copies = int(re.search(r"\^PQ(\d+)", body).group(1))
        image = np.full((height, width), 255, dtype=np.uint8)
        texts = []
        for x, y, content in _FIELD.findall(body):
            if graphic := _GRAPHIC.match(content):
                total, field, per_row, data = graphic.groups()
                assert int(total) == int(field) == len(data) // 2, "^GF byte counts disagree with its data"
                bits = np.unpackbits(np.frombuffer(bytes.fromhex(data), dtype=np.uint8)).reshape(-1, int(per_row) * 8)
                rows, columns = bits.shape
                image[int(y) : int(y) + rows, int(x) : int(x) + columns][bits[: height - int(y), : width - int(x)] == 1] = 0
            elif text := _TEXT.match(content):
                texts.append(_unescape(text.group(3)))
            else:
                raise AssertionError(f"unexpected ZPL field {content[:40]!r}")
        labels.append(ZplLabel(image, texts, copies))
    return labels


def _unescape(data: str) -> str:
    assert "^" not in data and "~" not in data, f"a raw ^ or ~ in field data would be a ZPL command: {data!r}"
    return re.sub(rb"_([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), data.encode()).decode()
