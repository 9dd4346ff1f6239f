"""A page layout in displayed coordinates that records its own ground truth.

Kind builders draw on a :class:`Canvas` with *segments*: ``(text, tag, in_profile)`` where the
tag is a DESIGN §1.3 text category (an identifying item), ``"keep"`` (text that must stay
readable) or ``None`` (ordinary text). Every tagged segment's box is computed from the font's
advance widths and ascender/descender, the same way PyMuPDF reports character boxes, so the
truth matches what a re-extraction of the text layer finds.
"""

from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pymupdf
from PIL import Image

from scripts.corpus import marks as mk

Seg = tuple[str, str | None, bool]
SPLIT = "~"  # tag suffix: an identifying segment that may wrap across lines
Item = str | Seg
Items = str | Seg | list[Item]
Color = tuple[float, float, float]
BLACK: Color = (0.0, 0.0, 0.0)
GRAY: Color = (0.35, 0.35, 0.35)
RED: Color = (0.78, 0.08, 0.08)
Rect = tuple[float, float, float, float]
MM_PER_PT = 25.4 / 72


_TOKEN = re.compile(r"[A-Za-z0-9.,;:()/%<>=+\-\[\]'’]+ ?| |.", re.DOTALL)


def E(text: str, category: str, in_profile: bool = False) -> Seg:
    """An identifying segment."""
    return (text, category, in_profile)


def Ew(text: str, category: str, in_profile: bool = False) -> Seg:
    """An identifying segment that :meth:`Canvas.para` may wrap (one truth item per line)."""
    return (text, category + SPLIT, in_profile)


def K(text: str) -> Seg:
    """A segment that must stay readable."""
    return (text, "keep", False)


def segs_of(items: Items) -> list[Seg]:
    if isinstance(items, str):
        return [(items, None, False)]
    if isinstance(items, tuple):
        return [items]
    return [(i, None, False) if isinstance(i, str) else i for i in items]


@lru_cache(maxsize=1)
def font() -> pymupdf.Font:
    return pymupdf.Font("cjk")


def text_width(text: str, size: float) -> float:
    return float(font().text_length(text, fontsize=size))


@dataclass(slots=True)
class TextOp:
    x: float
    y: float  # baseline
    text: str
    size: float
    color: Color


@dataclass(slots=True)
class LineOp:
    points: list[tuple[float, float]]
    width: float
    color: Color
    closed: bool = False
    fill: Color | None = None


@dataclass(slots=True)
class ImageOp:
    rect: Rect
    data: bytes


@dataclass
class Canvas:
    width: float = 595.0
    height: float = 842.0
    texts: list[TextOp] = field(default_factory=list)
    lines: list[LineOp] = field(default_factory=list)
    images: list[ImageOp] = field(default_factory=list)
    overlays: list[ImageOp] = field(default_factory=list)  # drawn last (seals over text)
    entities: list[dict[str, Any]] = field(default_factory=list)
    keep: list[dict[str, Any]] = field(default_factory=list)
    marks: list[dict[str, Any]] = field(default_factory=list)

    # ---- text -------------------------------------------------------------------------------
    def text(
        self,
        x: float,
        y: float,
        items: Items,
        size: float = 10.5,
        color: Color = BLACK,
        align: str = "left",
    ) -> float:
        """Write one line with its baseline at ``y``; returns the x where it ends."""
        segs = segs_of(items)
        total = sum(text_width(t, size) for t, _, _ in segs)
        if align == "center":
            x -= total / 2
        elif align == "right":
            x -= total
        full = "".join(t for t, _, _ in segs)
        if full.strip():
            self.texts.append(TextOp(x, y, full, size, color))
        for t, tag, prof in segs:
            w = text_width(t, size)
            core = t.strip()
            if tag is not None and core:
                cx = x + text_width(t[: len(t) - len(t.lstrip())], size)
                self._record(core, tag, prof, (cx, y, cx + text_width(core, size), y), size)
            x += w
        return x

    def _record(self, t: str, tag: str, prof: bool, box: Rect, size: float) -> None:
        tag = tag.removesuffix(SPLIT)
        f = font()
        bbox = [
            round(box[0], 2),
            round(box[1] - f.ascender * size, 2),
            round(box[2], 2),
            round(box[3] - f.descender * size, 2),
        ]
        if tag == "keep":
            self.keep.append({"text": t, "bbox": bbox})
        else:
            self.entities.append({"category": tag, "text": t, "bbox": bbox, "in_profile": prof})

    def para(
        self,
        x: float,
        y: float,
        width: float,
        items: Items,
        size: float = 10.5,
        leading: float = 1.6,
        indent: float = 0.0,
    ) -> float:
        """Wrap segments into ``width``; returns the baseline after the last line.

        Identifying segments never break, except those made with :func:`Ew`.

        Plain, ``keep`` and :func:`Ew` text breaks between CJK characters and between Latin
        words; such a segment that wraps becomes one truth item per line (the name fragments on
        both lines are identifying).
        """
        lines = _wrap(items, width, size, indent)
        for i, line in enumerate(lines):
            segs: list[Item] = [(t, tag, prof) for t, tag, prof, _ in line]
            self.text(x + (indent if i == 0 else 0.0), y, segs, size)
            y += size * leading
        return y

    @staticmethod
    def split_width(
        items: Items, seg: int, width: float, size: float = 10.5, indent: float = 0.0
    ) -> float:
        """The widest paragraph width (at most ``width``, at least 70 % of it) at which
        segment ``seg`` (an :func:`Ew` name) wraps across two lines; ``width`` if none does."""
        w = width
        while w >= 0.7 * width:
            lines = _wrap(items, w, size, indent)
            if sum(any(part[3] == seg for part in line) for line in lines) > 1:
                return w
            w -= 0.5
        return width

    # ---- graphics ---------------------------------------------------------------------------
    def line(
        self, x0: float, y0: float, x1: float, y1: float, width: float = 0.6, color: Color = BLACK
    ) -> None:
        self.lines.append(LineOp([(x0, y0), (x1, y1)], width, color))

    def rect(
        self, r: Rect, width: float = 0.6, color: Color = BLACK, fill: Color | None = None
    ) -> None:
        x0, y0, x1, y1 = r
        self.lines.append(
            LineOp([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], width, color, closed=True, fill=fill)
        )

    def table(
        self,
        x: float,
        y: float,
        col_widths: list[float],
        rows: list[list[Items]],
        row_h: float = 22.0,
        size: float = 9.5,
    ) -> float:
        """A ruled grid; each cell's text is centred vertically and padded left.

        A row shorter than ``col_widths`` lets its last cell span the remaining columns.
        Returns the y of the table's bottom edge.
        """
        total = sum(col_widths)
        for r, row in enumerate(rows):
            top = y + r * row_h
            self.line(x, top, x + total, top)
            cx = x
            for c, cell in enumerate(row):
                span = col_widths[c:] if c == len(row) - 1 else [col_widths[c]]
                cw = sum(span)
                segs = segs_of(cell)
                width = sum(text_width(t, size) for t, _, _ in segs)
                fs = size if width <= cw - 6 else max(6.0, size * (cw - 6) / max(width, 1.0))
                self.text(cx + 3, top + row_h / 2 + fs * 0.38, list(segs), fs)
                self.line(cx, top, cx, top + row_h)
                cx += cw
            self.line(x + total, top, x + total, top + row_h)
        bottom = y + len(rows) * row_h
        self.line(x, bottom, x + total, bottom)
        return bottom

    # ---- marks ------------------------------------------------------------------------------
    def image(self, r: Rect, data: bytes, mark: str | None = None, over: bool = False) -> None:
        (self.overlays if over else self.images).append(ImageOp(r, data))
        if mark:
            self.add_mark(mark, r)

    def add_mark(self, category: str, r: Rect) -> None:
        x0, y0 = max(r[0], 0.0), max(r[1], 0.0)  # a seal stamped across the edge: its visible part
        x1, y1 = min(r[2], self.width), min(r[3], self.height)
        self.marks.append({"category": category, "bbox": [round(v, 2) for v in (x0, y0, x1, y1)]})

    def seal(
        self, cx: float, cy: float, text: str, rng: random.Random, r: float = 44.0,
        style: str | None = None, colour: str | None = None,
    ) -> None:
        """A seal centred at ``(cx, cy)`` about ``2r`` across: round (公章), double ring or oval,
        mostly red, sometimes blue or purple, sometimes faint or turned; drawn over the text.
        (``text`` is the unit the seal would carry; the drawing uses fictitious units.)"""
        from scripts.corpus import seals

        # 财务专用章 / 合同专用章 with the unit's tax number inside (the ``invoice`` style)
        style = style or rng.choices(("round", "double", "oval", "invoice"),
                                     (0.6, 0.15, 0.15, 0.1))[0]
        colour = colour or rng.choices(("red", "blue", "purple"), (0.75, 0.15, 0.1))[0]
        d_mm = 2 * r * MM_PER_PT
        size = (d_mm, d_mm) if style not in ("oval", "invoice") else (d_mm * 1.15, d_mm * 0.8)
        rgba = seals.draw_seal(style, rng, colour=colour, dpi=200.0, size_mm=size,
                               faint=rng.random() < 0.2, angle=rng.uniform(-20, 20))
        w, h = rgba.shape[1] * 72 / 200.0, rgba.shape[0] * 72 / 200.0
        buf = io.BytesIO()
        Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
        self.image((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), buf.getvalue(), "seal", over=True)

    def name_stamp(self, cx: float, cy: float, rng: random.Random) -> None:
        """A small square stamp of about 1 cm (a checker's name stamp, 收讫) centred at
        ``(cx, cy)``, red or blue, sometimes faint; drawn over the text. Draws from a copy of
        ``rng``: the document's other draws stay as they were."""
        from scripts.corpus import seals

        own = random.Random()
        own.setstate(rng.getstate())
        rgba = seals.draw_seal("small", own, colour=own.choice(("red", "red", "blue")),
                               dpi=200.0, faint=own.random() < 0.2, angle=own.uniform(-8, 8))
        w, h = rgba.shape[1] * 72 / 200.0, rgba.shape[0] * 72 / 200.0
        buf = io.BytesIO()
        Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
        self.image((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), buf.getvalue(), "seal", over=True)

    def photo(self, r: Rect, rng: random.Random) -> None:
        self.rect(r, 0.6)
        inner = (r[0] + 2, r[1] + 2, r[2] - 2, r[3] - 2)
        self.image(inner, mk.face_jpeg(rng, inner[2] - inner[0], inner[3] - inner[1]), "face")

    def picture(self, r: Rect, rng: random.Random) -> None:
        """A non-face picture where a photo might be (an imaging figure, a scene): must stay."""
        self.rect(r, 0.6)
        self.image((r[0] + 2, r[1] + 2, r[2] - 2, r[3] - 2), mk.nonface_jpeg(rng))

    def qrcode(self, x: float, y: float, side: float, payload: str) -> None:
        self.image((x, y, x + side, y + side), mk.qr_png(payload), "qrcode")

    def barcode(self, x: float, y: float, w: float, h: float, payload: str, kind: str = "code128") -> None:
        from scripts.corpus import codes

        img = codes.symbol_image(kind, payload, module_px=3, border=0)
        ink_cols = (img < 128).any(axis=0).nonzero()[0]  # the symbol without its quiet zone
        img = img[:, ink_cols[0] : ink_cols[-1] + 1]
        buf = io.BytesIO()
        Image.fromarray(img, "L").save(buf, format="PNG")
        self.image((x, y, x + w, y + h), buf.getvalue(), "qrcode")

    def signature(self, x: float, y: float, w: float, h: float, rng: random.Random) -> None:
        """A handwritten signature fitted into ``(x, y, w, h)`` (points), drawn as pen strokes."""
        from scripts.corpus import handwriting

        sig = handwriting.make_signature(rng, box_mm=(w * MM_PER_PT, h * MM_PER_PT))
        colour = tuple(c / 255 for c in sig.ink)
        for pl in sig.polylines(x, y):
            self.lines.append(LineOp(list(pl.points), pl.width, (colour[0], colour[1], colour[2])))
        sw, sh = sig.width_mm / MM_PER_PT, sig.height_mm / MM_PER_PT
        self.add_mark("signature", (x - 1, y - 1, x + sw + 1, y + sh + 1))

    def truth_page(self) -> dict[str, list[dict[str, Any]]]:
        return {"entities": list(self.entities), "keep": list(self.keep), "marks": list(self.marks)}


def _wrap(
    items: Items, width: float, size: float, indent: float
) -> list[list[tuple[str, str | None, bool, int]]]:
    """Break segments into lines of at most ``width`` (see :meth:`Canvas.para`)."""
    lines: list[list[tuple[str, str | None, bool, int]]] = [[]]
    used = indent
    for k, (t, tag, prof) in enumerate(segs_of(items)):
        breaks = tag in (None, "keep") or (tag or "").endswith(SPLIT)
        pieces = _TOKEN.findall(t) if breaks else [t]
        for piece in pieces:
            w = text_width(piece, size)
            if used + w > width and used > 0:
                lines.append([])
                used = 0.0
                if not piece.strip():
                    continue
            line = lines[-1]
            if line and line[-1][3] == k and breaks:
                line[-1] = (line[-1][0] + piece, tag, prof, k)
            else:
                line.append((piece, tag, prof, k))
            used += w
    return lines
