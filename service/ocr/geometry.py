"""Quarter-turn rotations of images and the boxes on them.

``orientation`` is how far the text on the *original* image is rotated clockwise. To read it we
turn the image counter-clockwise by that angle ("upright" image); boxes found on the upright image
are mapped back to the original with :func:`box_to_original`.
"""

from __future__ import annotations

import cv2
import numpy as np

from service.types import BBox

_TO_UPRIGHT = {
    90: cv2.ROTATE_90_COUNTERCLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_CLOCKWISE,
}


def to_upright(image: np.ndarray, orientation: int) -> np.ndarray:
    if orientation == 0:
        return image
    return cv2.rotate(image, _TO_UPRIGHT[orientation])


def point_to_original(
    x: float, y: float, orientation: int, orig_w: float, orig_h: float
) -> tuple[float, float]:
    """Map a point of the upright image back to the original image."""
    if orientation == 0:
        return x, y
    if orientation == 90:  # original was turned CCW: upright (x, y) came from (W - y, x)
        return orig_w - y, x
    if orientation == 180:
        return orig_w - x, orig_h - y
    if orientation == 270:
        return y, orig_h - x
    raise ValueError(f"orientation must be 0/90/180/270, not {orientation}")


def point_to_upright(
    x: float, y: float, orientation: int, orig_w: float, orig_h: float
) -> tuple[float, float]:
    """Inverse of :func:`point_to_original`."""
    if orientation == 0:
        return x, y
    if orientation == 90:
        return y, orig_w - x
    if orientation == 180:
        return orig_w - x, orig_h - y
    if orientation == 270:
        return orig_h - y, x
    raise ValueError(f"orientation must be 0/90/180/270, not {orientation}")


def box_to_original(box: BBox, orientation: int, orig_w: float, orig_h: float) -> BBox:
    ax, ay = point_to_original(box.x0, box.y0, orientation, orig_w, orig_h)
    bx, by = point_to_original(box.x1, box.y1, orientation, orig_w, orig_h)
    return BBox(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))


def quad_to_bbox(quad: np.ndarray | list[list[float]]) -> BBox:
    arr = np.asarray(quad, dtype=float).reshape(-1, 2)
    return BBox(
        float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 0].max()), float(arr[:, 1].max())
    )
