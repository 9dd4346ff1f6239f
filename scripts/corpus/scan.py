"""Simulated scanning: rasterise a canvas, then paper tint, skew, blur, noise, grey, rotation.

Truth boxes go through the same geometry: points → pixels (scale), the skew's affine map (the
box becomes the axis-aligned hull of its rotated corners), then the 0/90/180/270 rotation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np

from scripts.corpus.canvas import Canvas
from scripts.corpus.render import rasterize

_PAPERS: dict[str, tuple[int, int, int]] = {
    "white": (255, 255, 255),
    "cream": (250, 245, 228),
    "gray": (232, 232, 230),
    "blue": (240, 244, 250),
}


@dataclass(frozen=True, slots=True)
class ScanOptions:
    dpi: int = 200
    orientation: int = 0  # clockwise rotation of the text in the final image
    skew: float = 0.0  # degrees, counter-clockwise (OpenCV convention)
    noise: bool = True
    blur: bool = False
    grayscale: bool = False
    paper: str = "white"
    jpeg_quality: int | None = None  # compression artefacts baked into the pixels

    @staticmethod
    def random(
        rng: random.Random,
        orientation: int = 0,
        skew: float | None = None,
        noise: bool = True,
        dpi: int = 200,
    ) -> ScanOptions:
        return ScanOptions(
            dpi=dpi,
            orientation=orientation,
            skew=round(rng.uniform(-2.0, 2.0), 2) if skew is None else skew,
            noise=noise,
            blur=rng.random() < 0.4,
            grayscale=rng.random() < 0.3,
            paper=rng.choice(tuple(_PAPERS)),
            jpeg_quality=rng.choice((None, 70, 85)),
        )


@dataclass(frozen=True, slots=True)
class Scan:
    image: np.ndarray  # (h, w, 3) RGB or (h, w) grey, uint8
    affine: np.ndarray  # 2x3: canvas points → pixels before the final rotation
    size0: tuple[int, int]  # (w, h) before the final rotation
    options: ScanOptions

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    def box(self, bbox: list[float]) -> list[float]:
        """A canvas box (pt) as a box in the final image (px)."""
        x0, y0, x1, y1 = bbox
        pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64)
        mapped = pts @ self.affine.T
        w0, h0 = self.size0
        bx0 = min(max(float(mapped[:, 0].min()), 0.0), w0)
        bx1 = min(max(float(mapped[:, 0].max()), 0.0), w0)
        by0 = min(max(float(mapped[:, 1].min()), 0.0), h0)
        by1 = min(max(float(mapped[:, 1].max()), 0.0), h0)
        return [
            round(v, 1) for v in rotate_box((bx0, by0, bx1, by1), w0, h0, self.options.orientation)
        ]


def rotate_box(
    b: tuple[float, float, float, float], w0: float, h0: float, orientation: int
) -> tuple[float, float, float, float]:
    """Map a box through a clockwise rotation of a ``w0``×``h0`` image."""
    x0, y0, x1, y1 = b
    if orientation == 90:
        return (h0 - y1, x0, h0 - y0, x1)
    if orientation == 180:
        return (w0 - x1, h0 - y1, w0 - x0, h0 - y0)
    if orientation == 270:
        return (y0, w0 - x1, y1, w0 - x0)
    return b


_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def scan_canvas(canvas: Canvas, opts: ScanOptions, rng: random.Random) -> Scan:
    if opts.orientation not in (0, 90, 180, 270):
        raise ValueError("orientation must be 0, 90, 180 or 270")
    img = rasterize(canvas, opts.dpi)
    h0, w0 = img.shape[:2]
    sx, sy = w0 / canvas.width, h0 / canvas.height
    affine = np.array([[sx, 0.0, 0.0], [0.0, sy, 0.0]])
    paper = _PAPERS.get(opts.paper, _PAPERS["white"])
    if paper != (255, 255, 255):
        img = (img.astype(np.float32) * (np.array(paper, np.float32) / 255.0)).astype(np.uint8)
    if opts.skew:
        rot = cv2.getRotationMatrix2D((w0 / 2, h0 / 2), opts.skew, 1.0)
        img = cv2.warpAffine(
            img,
            rot,
            (w0, h0),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=paper,
        )
        affine = rot @ np.vstack([affine, [0.0, 0.0, 1.0]])
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    if opts.blur:
        img = cv2.GaussianBlur(img, (3, 3), 0.8)
    if opts.noise:
        noise = nrng.normal(0.0, rng.uniform(3.0, 9.0), size=img.shape[:2])[:, :, None]
        img = np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if opts.grayscale:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    if opts.jpeg_quality:
        ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, opts.jpeg_quality])
        if ok:
            dec = cv2.imdecode(enc, cv2.IMREAD_UNCHANGED)  # RGB order survives a round trip
            if dec is not None:
                img = dec
    if opts.orientation:
        img = cv2.rotate(img, _ROTATE[opts.orientation])
    return Scan(np.ascontiguousarray(img), affine, (w0, h0), opts)
