"""Side-by-side PNG of an original and its blind copy with the scored items outlined.

Left: the original; right: the blind copy. Outlines: must-mask items blue when masked, red
when missed; must-keep labels green when readable, magenta when over-masked; thick lines for
failures. Scaled so the pair is at most ``WIDTH`` pixels wide.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from scripts.realdocs.score import Scored

WIDTH = 2400


def side_by_side(original: np.ndarray, blind: np.ndarray, scored: list[Scored], out: Path) -> None:
    h, w = original.shape[:2]
    pair = Image.new("RGB", (2 * w + 20, h), (255, 255, 255))
    pair.paste(Image.fromarray(original.astype(np.uint8)), (0, 0))
    pair.paste(Image.fromarray(blind.astype(np.uint8)), (w + 20, 0))
    draw = ImageDraw.Draw(pair)
    line = max(2, w // 400)
    for s in scored:
        if s.item.kind == "mask":
            colour = (0, 90, 255) if s.ok else (255, 0, 0)
        else:
            colour = (0, 170, 0) if s.ok else (255, 0, 255)
        for x0, y0, x1, y1 in s.boxes:
            for dx in (0, w + 20):
                draw.rectangle((x0 + dx, y0, x1 + dx, y1), outline=colour,
                               width=line if s.ok else 2 * line)
    scale = min(1.0, WIDTH / pair.width)
    if scale < 1.0:
        pair = pair.resize((round(pair.width * scale), round(pair.height * scale)), Image.Resampling.LANCZOS)
    out.parent.mkdir(parents=True, exist_ok=True)
    pair.save(out)
