"""Find linear barcodes in a photo and cut each one out straight.

zxing-cpp scans rows (and columns), so a linear code tilted by 15-75 degrees,
or sheared by perspective, is missed on a photo. Bars are many parallel edges
of alternating sign: where the local gradient is strong, coherent in direction
and averages out to nearly zero, there are bars. Each such area is cut out
along its own axes so that the bars stand upright and the code runs across.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class BarRegion:
    """An area of parallel bars: ``angle`` is the direction across the bars (radians)."""

    angle: float
    points: np.ndarray  # (n, 2) float32 x, y in full-image pixels
    score: float


def find_bar_regions(gray: np.ndarray, *, work_side: int = 640, limit: int = 4) -> list[BarRegion]:
    """The ``limit`` largest bar areas, largest first."""
    scale = min(1.0, work_side / max(gray.shape))
    small = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    jxx = cv2.boxFilter(gx * gx, -1, (9, 9))
    jyy = cv2.boxFilter(gy * gy, -1, (9, 9))
    jxy = cv2.boxFilter(gx * gy, -1, (9, 9))
    energy = jxx + jyy + 1e-3
    coherence = cv2.magnitude(jxx - jyy, 2 * jxy) / energy
    mean_gradient = cv2.magnitude(cv2.boxFilter(gx, -1, (15, 15)), cv2.boxFilter(gy, -1, (15, 15)))
    alternation = 1 - mean_gradient / (cv2.boxFilter(cv2.magnitude(gx, gy), -1, (15, 15)) + 1e-3)
    mask = ((coherence > 0.6) & (alternation > 0.5) & (energy > 150)).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    orientation = 0.5 * np.arctan2(2 * jxy, jxx - jyy)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    order = sorted(range(1, count), key=lambda i: -stats[i, cv2.CC_STAT_AREA])
    regions = []
    for index in order[:limit]:
        if stats[index, cv2.CC_STAT_AREA] < 300:
            break
        ys, xs = np.nonzero(labels == index)
        angle = _dominant(orientation[ys, xs], energy[ys, xs])
        aligned = np.abs(np.angle(np.exp(2j * (orientation[ys, xs] - angle)))) < math.radians(2 * 20)
        ys, xs = _largest_blob(ys[aligned], xs[aligned], mask.shape)
        if len(xs) < 200:
            continue
        points = np.column_stack([xs, ys]).astype(np.float32) / scale
        regions.append(BarRegion(angle, points, float(len(xs))))
    return regions


def _largest_blob(ys: np.ndarray, xs: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The largest 8-connected group among the given pixels (drops same-direction clutter nearby)."""
    blob = np.zeros(shape, np.uint8)
    blob[ys, xs] = 1
    count, labels, stats, _ = cv2.connectedComponentsWithStats(blob)
    if count <= 2:
        return ys, xs
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    keep = labels[ys, xs] == largest
    return ys[keep], xs[keep]


def _dominant(angles: np.ndarray, weights: np.ndarray) -> float:
    """The most common direction (mod 180 degrees) among ``angles``, weighted."""
    bins = np.bincount(((angles + math.pi / 2) / math.pi * 36).astype(int) % 36, weights, minlength=36)
    smoothed = bins + np.roll(bins, 1) + np.roll(bins, -1)
    peak = int(np.argmax(smoothed))
    near = np.abs(np.angle(np.exp(2j * (angles - (peak + 0.5) * math.pi / 36 + math.pi / 2)))) < math.radians(2 * 8)
    doubled = np.exp(2j * angles[near]) @ weights[near]
    return float(0.5 * np.angle(doubled))


def straighten(gray: np.ndarray, region: BarRegion, *, margin: float = 0.25, stretch: float = 2.0) -> np.ndarray | None:
    """Cut ``region`` out so that its bars are vertical and the code runs left to right.

    The code's own axis (the long axis of the area) is used when it is within
    50 degrees of the bar normal, which also undoes perspective shear. Sampling
    ``stretch`` times along the code (cubic) helps with narrow bars.
    """
    across = np.array([math.cos(region.angle), math.sin(region.angle)])
    along_bars = np.array([-across[1], across[0]])
    centre = region.points.mean(axis=0)
    offsets = region.points - centre
    _, vectors = np.linalg.eigh(offsets.T @ offsets)
    axis = vectors[:, 1] * (1 if vectors[:, 1] @ across >= 0 else -1)
    u = axis if abs(axis @ across) > math.cos(math.radians(50)) else across
    basis = np.column_stack([u, along_bars])
    coords = offsets @ np.linalg.inv(basis).T
    (a0, b0), (a1, b1) = coords.min(axis=0), coords.max(axis=0)
    pad = margin * (a1 - a0) + 12
    a0, a1, b0, b1 = a0 - pad, a1 + pad, b0 - 4, b1 + 4
    width, height = int((a1 - a0) * stretch), int(b1 - b0)
    if width < 40 * stretch or height < 8:
        return None
    origin = centre + a0 * u + b0 * along_bars
    step = u / stretch
    matrix = np.array([[step[0], along_bars[0], origin[0]], [step[1], along_bars[1], origin[1]]], np.float32)
    return cv2.warpAffine(
        gray, matrix, (width, height), flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
    )
