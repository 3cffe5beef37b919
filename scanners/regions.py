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

from scanners.image import scaled


@dataclass(frozen=True)
class BarRegion:
    """An area of parallel bars: ``angle`` is the direction across the bars (radians)."""

    angle: float
    points: np.ndarray  # (n, 2) float32 x, y in full-image pixels
    score: float


def find_bar_regions(gray: np.ndarray, *, work_side: int = 640, limit: int = 4) -> list[BarRegion]:
    """The ``limit`` best bar areas, most bars first (searched at about ``work_side`` pixels).

    The largest candidate areas are trimmed to their bars of the dominant
    direction (clutter touching them has other directions) before ranking.
    """
    small, scale = _reduced(gray, work_side)
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
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    order = sorted(range(1, count), key=lambda i: -stats[i, cv2.CC_STAT_AREA])
    regions = []
    for index in order[: 2 * limit]:
        if stats[index, cv2.CC_STAT_AREA] < 300:
            break
        x, y, w, h = stats[index, :4]
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == index)
        ys, xs = ys + y, xs + x
        orientation = 0.5 * np.arctan2(2 * jxy[ys, xs], jxx[ys, xs] - jyy[ys, xs])
        angle = _dominant(orientation, energy[ys, xs])
        aligned = np.abs(np.angle(np.exp(2j * (orientation - angle)))) < math.radians(2 * 20)
        ys, xs = _largest_blob(ys[aligned], xs[aligned])
        if len(xs) < 200:
            continue
        points = np.column_stack([xs, ys]).astype(np.float32) / scale
        regions.append(BarRegion(angle, points, float(len(xs))))
    return sorted(regions, key=lambda region: -region.score)[:limit]


def _reduced(gray: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    """The image reduced by the whole factor that brings its longer side closest to ``side``."""
    factor = max(1, round(max(gray.shape) / side))
    if factor == 1:
        return gray, 1.0
    return scaled(gray, 1 / factor), 1 / factor


def _largest_blob(ys: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The largest 8-connected group among the given pixels (drops same-direction clutter nearby)."""
    if len(ys) == 0:
        return ys, xs
    y0, x0 = ys.min(), xs.min()
    blob = np.zeros((ys.max() - y0 + 1, xs.max() - x0 + 1), np.uint8)
    blob[ys - y0, xs - x0] = 1
    count, labels, stats, _ = cv2.connectedComponentsWithStats(blob)
    if count <= 2:
        return ys, xs
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    keep = labels[ys - y0, xs - x0] == largest
    return ys[keep], xs[keep]


def _dominant(angles: np.ndarray, weights: np.ndarray) -> float:
    """The most common direction (mod 180 degrees) among ``angles``, weighted."""
    bins = np.bincount(((angles + math.pi / 2) / math.pi * 36).astype(int) % 36, weights, minlength=36)
    smoothed = bins + np.roll(bins, 1) + np.roll(bins, -1)
    peak = int(np.argmax(smoothed))
    near = np.abs(np.angle(np.exp(2j * (angles - (peak + 0.5) * math.pi / 36 + math.pi / 2)))) < math.radians(2 * 8)
    doubled = np.exp(2j * angles[near]) @ weights[near]
    return float(0.5 * np.angle(doubled))


def straighten(gray: np.ndarray, region: BarRegion, *, margin: float = 0.25, max_rows: int = 320) -> np.ndarray | None:
    """Cut ``region`` out so that its bars are vertical and the code runs left to right.

    The code's own axis (the long axis of the area) is used when it is within
    50 degrees of the bar normal, which also undoes perspective shear. The
    code is sampled up to twice as densely along its axis (cubic, at most 3200
    pixels wide), which helps with narrow bars. Along the bars it is sampled
    at most ``max_rows`` times: every row crosses the same bars, and a tall
    cut-out only costs time in every step that reads it.
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
    stretch = min(2.0, max(1.0, 3200 / (a1 - a0)))
    width, height = int((a1 - a0) * stretch), int(b1 - b0)
    if width < 40 * stretch or height < 8:
        return None
    row_step = max(1.0, height / max_rows)
    height = int(height / row_step)
    origin = centre + a0 * u + b0 * along_bars
    step, down = u / stretch, along_bars * row_step
    matrix = np.array([[step[0], down[0], origin[0]], [step[1], down[1], origin[1]]], np.float32)
    return cv2.warpAffine(
        gray, matrix, (width, height), flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
    )


def find_dense_regions(gray: np.ndarray, *, work_side: int = 640, limit: int = 2) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) around compact areas of strong edges in all directions.

    That is what a DataMatrix or QR code looks like from afar; a small, blurred
    one is missed by zxing-cpp in a large photo but can be read once cut out
    and enlarged. Boxes are padded by 30 % of their longer side.
    """
    scale = min(1.0, work_side / max(gray.shape))
    small = gray if scale == 1.0 else scaled(gray, scale)
    energy, coherence = _edge_texture(small, 7)
    mask = ((coherence < 0.5) & (energy > np.percentile(energy, 97))).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    boxes = []
    for index in sorted(range(1, count), key=lambda i: -stats[i, cv2.CC_STAT_AREA]):
        x, y, w, h, area = stats[index]
        if area < 40 or max(w, h) > 8 * min(w, h):
            continue
        pad = 0.3 * max(w, h) + 10
        x0, y0 = max(0, int((x - pad) / scale)), max(0, int((y - pad) / scale))
        x1, y1 = min(gray.shape[1], int((x + w + pad) / scale)), min(gray.shape[0], int((y + h + pad) / scale))
        boxes.append((x0, y0, x1, y1))
        if len(boxes) == limit:
            break
    return boxes


def _edge_texture(gray: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Edge energy and how much the edges share one direction (0: all directions, 1: one), per pixel."""
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    jxx = cv2.boxFilter(gx * gx, -1, (window, window))
    jyy = cv2.boxFilter(gy * gy, -1, (window, window))
    jxy = cv2.boxFilter(gx * gy, -1, (window, window))
    energy = jxx + jyy + 1e-3
    return energy, cv2.magnitude(jxx - jyy, 2 * jxy) / energy


def cut_out_texture(crop: np.ndarray, side: int = 200) -> np.ndarray | None:
    """The largest area of strong edges in all directions in ``crop``, turned upright and scaled to ``side``.

    Within a box from ``find_dense_regions`` that is the code itself, without
    the label text and the background around it; its rotated bounding
    rectangle is cut out with a 35 % quiet zone, so the code is upright and
    its modules are large whatever the angle it was photographed at.
    """
    window = max(5, max(crop.shape) // 40 | 1)
    energy, coherence = _edge_texture(crop, window)
    mask = ((coherence < 0.7) & (energy > np.percentile(energy, 90))).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((window, window), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    if count < 2:
        return None
    ys, xs = np.nonzero(labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA])))
    (cx, cy), (width, height), degrees = cv2.minAreaRect(np.column_stack([xs, ys]).astype(np.float32))
    longer = max(width, height)
    if longer < 10:
        return None
    scale, pad = side / longer, 0.35 * longer
    size = (int((width + 2 * pad) * scale), int((height + 2 * pad) * scale))
    matrix = cv2.getRotationMatrix2D((cx, cy), degrees, scale)
    matrix[:, 2] += (size[0] / 2 - cx, size[1] / 2 - cy)
    return cv2.warpAffine(crop, matrix, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def rectify_blob(crop: np.ndarray) -> np.ndarray | None:
    """Warp the largest dark blob of ``crop`` (a 2D code seen at an angle) back to a rectangle.

    The blob is found by Otsu thresholding and closing the gaps between modules;
    its outline is simplified to four corners, which are mapped to an upright
    rectangle with a 10 % quiet zone around it.
    """
    _, dark = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    gap = max(3, max(crop.shape) // 60)
    dark = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((gap, gap), np.uint8))
    contours, _ = cv2.findContours(dark, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    corners = next(
        (
            q
            for eps in (0.02, 0.04, 0.06, 0.08)
            if len(q := cv2.approxPolyDP(hull, eps * cv2.arcLength(hull, True), True)) == 4
        ),
        None,
    )
    if corners is None:
        return None
    corners = corners.reshape(4, 2).astype(np.float32)
    total, diff = corners.sum(axis=1), np.diff(corners, axis=1).ravel()
    tl, br, tr, bl = (
        corners[np.argmin(total)],
        corners[np.argmax(total)],
        corners[np.argmin(diff)],
        corners[np.argmax(diff)],
    )
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    if min(width, height) < 10:
        return None
    pad = 0.1
    target = np.array(
        [
            [width * pad, height * pad],
            [width * (1 + pad), height * pad],
            [width * (1 + pad), height * (1 + pad)],
            [width * pad, height * (1 + pad)],
        ],
        np.float32,
    )
    matrix = cv2.getPerspectiveTransform(np.array([tl, tr, br, bl]), target)
    size = (int(width * (1 + 2 * pad)), int(height * (1 + 2 * pad)))
    return cv2.warpPerspective(crop, matrix, size, flags=cv2.INTER_CUBIC, borderValue=255)
