"""The one colour channel in which a photo has clearly more contrast than in gray.

Gray mixes the three channels, so a code printed in one colour on a label of
another (or photographed on a coloured background, under coloured light) can
lose most of its contrast in gray while one channel still shows it clearly.
"""

from __future__ import annotations

import numpy as np

GAIN = 1.15  # a channel must spread its values this much more widely than gray to be worth a second pass
_SAMPLE_SIDE = 256  # the spreads are measured on about this many pixels per side


def strongest_channel(bgr: np.ndarray, gray: np.ndarray) -> np.ndarray | None:
    """The channel of ``bgr`` with the widest spread of values, if it beats ``gray``'s by ``GAIN``; else None."""
    step = max(1, max(gray.shape) // _SAMPLE_SIDE)
    sample = bgr[::step, ::step].reshape(-1, 3).astype(np.float32)
    spreads = sample.std(axis=0)
    best = int(np.argmax(spreads))
    if spreads[best] < GAIN * float(gray[::step, ::step].std()):
        return None
    return np.ascontiguousarray(bgr[:, :, best])
