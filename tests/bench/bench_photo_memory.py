"""How much memory photos sent at once take in one web process (issue 19, item 9).

    .venv/bin/python tests/bench/bench_photo_memory.py [--at-once 16] [--megapixels 49]

A fresh Python process (so its peak RSS is its own) reads a small photo once through
app.services.photos, what the photo route calls (so OpenCV and zxing-cpp are in memory), notes its
RSS, then reads `--at-once` copies of a blank RGBA PNG of `--megapixels` (about 0.2 MB on the wire
at 49 megapixels) from as many threads at the same moment, as gunicorn's threads would. Prints the RSS before, the peak and the growth in
MB, and the seconds it took. `measure` is what tests/hardening/test_photo_memory.py runs.
"""
from __future__ import annotations

import argparse
import io
import json
import math
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def blank_png(megapixels: float) -> bytes:
    from PIL import Image

    side = int(math.sqrt(megapixels * 1e6))
    buffer = io.BytesIO()
    Image.new("RGBA", (side, side), (255, 255, 255, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def _status_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (the peak) of this process. Not getrusage's ru_maxrss: it survives exec,
    so a child of a large process (pytest after many tests) starts with its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _child(at_once: int, photo_file: Path) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from app.services.photos import read as decode

    photo = photo_file.read_bytes()  # made by the parent: making it here would raise this process's peak first
    decode(blank_png(0.01))
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from here
    before = _status_mb("VmRSS")
    barrier = threading.Barrier(at_once)
    errors: list[BaseException] = []

    def send() -> None:
        barrier.wait()
        try:
            decode(photo)
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            errors.append(error)

    started = time.monotonic()
    threads = [threading.Thread(target=send) for _ in range(at_once)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    peak = _status_mb("VmHWM")
    return {"rss_before_mb": round(before, 1), "peak_mb": round(peak, 1), "growth_mb": round(peak - before, 1),
            "seconds": round(time.monotonic() - started, 1), "at_once": at_once, "png_mb": round(len(photo) / 1e6, 2)}


def measure(at_once: int, megapixels: float) -> dict[str, float]:
    """The figures from a process of its own."""
    with tempfile.NamedTemporaryFile(suffix=".png") as photo_file:
        photo_file.write(blank_png(megapixels))
        photo_file.flush()
        run = subprocess.run([sys.executable, __file__, "--child", photo_file.name, "--at-once", str(at_once)],
                             capture_output=True, text=True, check=True, cwd=ROOT)
    return {**json.loads(run.stdout.strip().splitlines()[-1]), "megapixels": megapixels}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at-once", type=int, default=16)
    parser.add_argument("--megapixels", type=float, default=49)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(_child(arguments.at_once, arguments.child)))
        return
    figures = measure(arguments.at_once, arguments.megapixels)
    print(f"{figures['at_once']} RGBA PNGs of {figures['megapixels']:g} megapixels ({figures['png_mb']} MB each) at once in one process: "
          f"RSS {figures['rss_before_mb']} MB before, peak {figures['peak_mb']} MB, growth {figures['growth_mb']} MB, "
          f"{figures['seconds']} s")


if __name__ == "__main__":
    main()
