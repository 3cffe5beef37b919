"""Benchmark scanners.decode on a folder of barcode images with expected results.

    .venv/bin/python tests/bench/bench_scanners.py --data ../shared/data/barcodes/dev --baselines [--json out.json]

The folder holds ``manifest_*.jsonl`` files (one JSON object per image: path,
category, expected or expected_bytes_hex). Per category it prints the share
of exact reads, the number of wrong reads (some value other than the expected
one was returned), and mean / p95 milliseconds per image, including decoding
the image file, pinned to one CPU core. Times are CPU time of this process, so
other work on the machine does not inflate them. ``--baselines`` adds zxing-cpp alone
and pyzbar alone on the same images. Exits non-zero only on usage errors.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scanners import ScanError
from scanners.decode import decode

HIRES_PIXELS = 10_000_000


@dataclass(frozen=True)
class Case:
    path: Path
    category: str
    expected: str | bytes  # bytes when the manifest gives the binary content
    pixels: int

    def matches(self, found: tuple[str, bytes]) -> bool:
        text, data = found
        return data == self.expected if isinstance(self.expected, bytes) else text == self.expected


@dataclass
class Tally:
    images: int = 0
    exact: int = 0
    wrong: int = 0
    times_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, float | int]:
        times = sorted(self.times_ms) or [0.0]
        return {
            "images": self.images,
            "exact": self.exact,
            "exact_pct": round(100 * self.exact / max(self.images, 1), 1),
            "wrong": self.wrong,
            "missed": self.images - self.exact - self.wrong,
            "mean_ms": round(statistics.fmean(times), 1),
            "p95_ms": round(float(np.percentile(times, 95)), 1),
            "max_ms": round(times[-1], 1),
        }


Decoder = Callable[[bytes], list[tuple[str, bytes]]]  # image file -> (text, raw bytes) per symbol


def load_cases(folder: Path) -> list[Case]:
    cases = []
    for manifest in sorted(folder.glob("manifest_*.jsonl")):
        for line in manifest.read_text().splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            if "expected_bytes_hex" in entry:
                expected: str | bytes = bytes.fromhex(entry["expected_bytes_hex"])
            else:
                expected = entry["expected"]
            path = folder / entry["path"]
            pixels = entry.get("w", 0) * entry.get("h", 0) or _pixels(path)
            cases.append(Case(path, entry["category"], expected, pixels))
    return cases


def _pixels(path: Path) -> int:
    with Image.open(path) as image:
        return image.width * image.height


def ours(data: bytes) -> list[tuple[str, bytes]]:
    try:
        return [(r.text, r.data) for r in decode(data)]
    except ScanError:
        return []


def zxing_alone(data: bytes) -> list[tuple[str, bytes]]:
    image = Image.open(io.BytesIO(data))
    return [(b.text, b.bytes) for b in zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)]


def pyzbar_alone(data: bytes) -> list[tuple[str, bytes]]:
    from pyzbar import pyzbar

    found = pyzbar.decode(Image.open(io.BytesIO(data)).convert("L"))
    return [(r.data.decode("utf-8", errors="replace"), r.data) for r in found]


def run(cases: list[Case], decoder: Decoder, verbose: bool) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    timings: list[tuple[float, Path]] = []
    decoder(cases[0].path.read_bytes())  # warm up imports and caches
    for case in cases:
        data = case.path.read_bytes()
        start = time.process_time()
        found = decoder(data)
        elapsed = (time.process_time() - start) * 1000
        timings.append((elapsed, case.path))
        groups = [case.category, "overall"] + (["12MP photos"] if case.pixels >= HIRES_PIXELS else [])
        for name in groups:
            tally = tallies.setdefault(name, Tally())
            tally.images += 1
            tally.times_ms.append(elapsed)
            if found and all(case.matches(value) for value in found):
                tally.exact += 1
            elif found:
                tally.wrong += 1
        if verbose and not (found and all(case.matches(value) for value in found)):
            verdict = "WRONG" if found else "miss "
            texts = [text for text, _ in found]
            print(f"  {verdict} {_short(case.path)} {elapsed:.0f} ms got {texts!r}", file=sys.stderr)
    if verbose:
        for elapsed, path in sorted(timings, reverse=True)[:15]:
            print(f"  slow  {_short(path)} {elapsed:.0f} ms", file=sys.stderr)
    return tallies


def _short(path: Path) -> str:
    return "/".join(path.parts[-3:])


def print_table(title: str, tallies: dict[str, Tally]) -> None:
    print(f"\n{title}")
    print(
        f"  {'category':<18}{'images':>7}{'exact':>9}{'wrong':>7}{'missed':>8}{'mean ms':>9}{'p95 ms':>9}{'max ms':>9}"
    )
    order = sorted(tallies, key=lambda n: (n in ("overall", "12MP photos"), n == "overall", n))
    for name in order:
        s = tallies[name].summary()
        print(
            f"  {name:<18}{s['images']:>7}{s['exact_pct']:>8.1f}%{s['wrong']:>7}{s['missed']:>8}"
            f"{s['mean_ms']:>9.1f}{s['p95_ms']:>9.1f}{s['max_ms']:>9.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, type=Path, help="folder holding manifest_*.jsonl and the images")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--baselines", action="store_true", help="also run zxing-cpp alone and pyzbar alone")
    parser.add_argument("--category", action="append", help="only these categories (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="list every image not read exactly")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"--data {args.data} is not a folder")
    cases = load_cases(args.data)
    if args.category:
        cases = [c for c in cases if c.category in args.category]
    if not cases:
        parser.error(f"no images listed in {args.data}/manifest_*.jsonl")

    cv2.setNumThreads(1)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(f"{len(cases)} images from {args.data}, one core, CPU ms per image including decoding the file")

    decoders: dict[str, Decoder] = {"scanners.decode": ours}
    if args.baselines:
        decoders |= {"zxing-cpp alone": zxing_alone, "pyzbar alone": pyzbar_alone}
    results = {}
    for name, decoder in decoders.items():
        tallies = run(cases, decoder, args.verbose and name == "scanners.decode")
        print_table(name, tallies)
        results[name] = {category: tally.summary() for category, tally in tallies.items()}
    if args.json:
        args.json.write_text(json.dumps({"data": str(args.data), "results": results}, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
