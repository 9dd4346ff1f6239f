"""Quarter-turn geometry: mapping a point to the upright image and back is the identity."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from service.ocr.base import interpolate_chars
from service.ocr.geometry import box_to_original, point_to_original, point_to_upright, to_upright
from service.types import BBox

ORIENTATIONS = st.sampled_from([0, 90, 180, 270])


@given(ORIENTATIONS, st.floats(0, 500), st.floats(0, 300))
def test_round_trip(orientation: int, x: float, y: float) -> None:
    ux, uy = point_to_upright(x, y, orientation, 500, 300)
    bx, by = point_to_original(ux, uy, orientation, 500, 300)
    assert abs(bx - x) < 1e-6 and abs(by - y) < 1e-6


def test_box_follows_the_pixels() -> None:
    """A marked pixel block found on the upright image maps back onto the original block."""
    img = np.zeros((30, 50, 3), np.uint8)
    img[5:10, 20:30] = 255  # original block: x 20..30, y 5..10
    for orientation in (0, 90, 180, 270):
        up = to_upright(img, orientation)
        ys, xs = np.nonzero(up[:, :, 0])
        found = BBox(xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
        back = box_to_original(found, orientation, 50, 30)
        assert back.as_list() == [20, 5, 30, 10], orientation


def test_interpolated_chars_split_the_line_box() -> None:
    chars = interpolate_chars("张三 Li", BBox(0, 0, 100, 10), 0.9)
    assert [c.text for c in chars] == list("张三 Li")
    assert chars[2].bbox is None
    boxes = [c.bbox for c in chars if c.bbox is not None]
    assert boxes[0].x0 == 0 and abs(boxes[-1].x1 - 100) < 1e-6
    assert all(a.x1 <= b.x0 + 1e-9 for a, b in itertools.pairwise(boxes))
