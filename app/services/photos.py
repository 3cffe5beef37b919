"""Reading the barcodes in an uploaded photo: one photo at a time in each web process, on one thread.

A photo is decoded at full size and then searched by a cascade of decoders at up to 2048 pixels a
side; both take memory by the hundred megabytes (a 49-megapixel PNG is 0.2 MB on the wire), and
gunicorn's threads would run as many at once as photos arrive: four such PNGs sent together took
the web processes from 1.2 to 4.4 GB. Photos wait in a queue for the process's one reading thread
instead. One thread, not only one at a time: the C allocator keeps what a thread freed for that
thread's next allocations, so photos read by sixteen request threads in turn still left sixteen
photos' memory behind (0.9 GB for 16-megapixel PNGs, measured). The figure is in the README,
measured by tests/bench/bench_photo_memory.py; the pixel cap is checked from the header before any
decoding (scanners.DecodeLimits).
"""
from concurrent.futures import ThreadPoolExecutor

from scanners.scan import Read

_READER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="photo-reader")


def read(data: bytes) -> list[Read]:
    """The barcodes read in `data`; raises scanners.ImageError with a sentence for what is not a usable photo."""
    from scanners import decode  # imported here: OpenCV loads only when a photo comes

    return _READER.submit(decode, data).result()
