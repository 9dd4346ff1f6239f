"""A bucket grid over boxes: which boxes may overlap a query box, without testing them all
(a page holds ~2,000 glyphs and, with generic detection, a hundred masks or more)."""

from __future__ import annotations

from collections.abc import Sequence

from service.types import BBox


class BoxGrid:
    def __init__(self, boxes: Sequence[BBox], cell: float = 0.0) -> None:
        self.boxes = boxes
        if cell <= 0:
            heights = sorted(b.y1 - b.y0 for b in boxes) or [1.0]
            cell = max(1.0, 2.0 * heights[len(heights) // 2])
        self.cell = cell
        self.rows: dict[int, list[int]] = {}
        for i, b in enumerate(boxes):
            for r in range(int(b.y0 // cell), int(b.y1 // cell) + 1):
                self.rows.setdefault(r, []).append(i)

    def near(self, box: BBox) -> list[int]:
        """Indices of boxes whose rows meet ``box``'s rows and whose x-range meets it (sorted)."""
        found: set[int] = set()
        for r in range(int(box.y0 // self.cell), int(box.y1 // self.cell) + 1):
            for i in self.rows.get(r, ()):
                b = self.boxes[i]
                if b.x1 >= box.x0 and b.x0 <= box.x1:
                    found.add(i)
        return sorted(found)
