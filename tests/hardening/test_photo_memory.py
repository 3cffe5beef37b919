"""Photos sent at once are read one at a time, on one thread, in each web process, and an image over
the pixel cap is refused from its header before any decoding (issue 19, item 9: four 49-megapixel
RGBA PNGs of 0.19 MB each took the web processes from 1.17 GB to 4.4 GB)."""
import io
import threading
import time

import pytest
from PIL import Image, ImageFile

import scanners
from app.services import photos
from scanners import DecodeLimits, ImageError
from scanners.image import load_image
from tests.bench.bench_photo_memory import measure

AT_ONCE = 16
# One process reading 16 blank 4-megapixel RGBA PNGs sent at once grows by about one photo's working
# memory (about 100 MB measured); read side by side they took about 1 GB.
CEILING_MB = 250


def _png(width: int, height: int, mode: str = "1") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def test_an_image_over_the_pixel_cap_is_refused_from_its_header_without_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image.size))
    data = _png(8000, 8000)  # 64 megapixels in a few kilobytes
    assert len(data) < 100_000
    with pytest.raises(ImageError, match="an image of at most 50 megapixels.*8000x8000 pixels"):
        load_image(data, DecodeLimits())
    assert decoded == []


def test_photos_sent_at_once_are_read_one_at_a_time_on_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    reading, most, readers = [0], [0], set()
    lock = threading.Lock()

    def slow_decode(data: bytes) -> list:
        with lock:
            reading[0] += 1
            most[0] = max(most[0], reading[0])
            readers.add(threading.get_ident())
        time.sleep(0.02)
        with lock:
            reading[0] -= 1
        return []

    monkeypatch.setattr(scanners, "decode", slow_decode)
    barrier = threading.Barrier(AT_ONCE)
    answers = []

    def send() -> None:
        barrier.wait()
        answers.append(photos.read(b"photo"))

    threads = [threading.Thread(target=send) for _ in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == [[]] * AT_ONCE
    assert most[0] == 1 and len(readers) == 1


def test_an_unusable_photo_still_gets_its_sentence_through_the_reader() -> None:
    buffer = io.BytesIO()
    Image.effect_noise((400, 300), 64).save(buffer, "PNG")
    with pytest.raises(ImageError, match="a damaged or cut-off image"):
        photos.read(buffer.getvalue()[:2000])


def test_sixteen_large_photos_at_once_stay_under_the_ceiling_in_a_real_process() -> None:
    figures = measure(AT_ONCE, megapixels=4)
    print(figures)
    assert figures["growth_mb"] < CEILING_MB, figures
