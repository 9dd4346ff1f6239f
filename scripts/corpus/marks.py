"""Pictures that go onto pages: red round seals, ID photos, QR codes, handwriting strokes."""

from __future__ import annotations

import io
import math
import os
import random
from functools import lru_cache

import numpy as np
import pymupdf
import segno
from PIL import Image, ImageDraw

from scripts.corpus import data


def _star(cx: float, cy: float, r: float) -> list[pymupdf.Point]:
    pts = []
    for i in range(10):
        rad = r if i % 2 == 0 else r * 0.38
        a = -math.pi / 2 + i * math.pi / 5
        pts.append(pymupdf.Point(cx + rad * math.cos(a), cy + rad * math.sin(a)))
    return pts


def seal_png(text: str, rng: random.Random, dpi: int = 200) -> bytes:
    """A red round seal: ring, ring text along the upper arc, a star; transparent background."""
    size = 100.0
    c = size / 2
    red = (0.85, 0.1, 0.1)
    doc = pymupdf.open()
    page = doc.new_page(width=size, height=size)
    page.draw_circle((c, c), c - 2.5, color=red, width=3.2)
    page.draw_polyline(_star(c, c, 13), color=red, fill=red, closePath=True, width=0)
    font = _cjk_font()
    n = len(text)
    fs = min(13.0, 230.0 / max(n, 1) * 0.62)
    spread = min(250.0, 20.0 * n)
    start = -90 - spread / 2
    for i, ch in enumerate(text):
        ang = start + spread * (i + 0.5) / n
        rad = math.radians(ang)
        rr = c - 9 - fs * 0.5
        px, py = c + rr * math.cos(rad), c + rr * math.sin(rad)
        tw = pymupdf.TextWriter(page.rect, color=red)
        tw.append((px - fs / 2, py + fs * 0.38), ch, font=font, fontsize=fs)
        # turn the glyph about its centre so that its top points outwards; the matrix acts in
        # PDF space (y up), where a clockwise turn on screen has a negative angle
        q = pymupdf.Point(px, size - py)
        turn = pymupdf.Matrix(1, 0, 0, 1, -q.x, -q.y) * pymupdf.Matrix(-(ang + 90))
        tw.write_text(page, matrix=turn * pymupdf.Matrix(1, 0, 0, 1, q.x, q.y))
    if rng.random() < 0.5:
        tw = pymupdf.TextWriter(page.rect, color=red)
        tw.append((c - 12, c + 28), "专用章", font=font, fontsize=8)
        tw.write_text(page)
    pix = page.get_pixmap(dpi=dpi, alpha=True)
    arr = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, 4).copy()
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    ink = nrng.uniform(0.55, 1.0, size=arr.shape[:2])
    arr[:, :, 3] = (arr[:, :, 3] * ink).astype(np.uint8)  # uneven stamp ink
    buf = io.BytesIO()
    Image.fromarray(arr, "RGBA").save(buf, format="PNG")
    return buf.getvalue()


@lru_cache(maxsize=1)
def _cjk_font() -> pymupdf.Font:
    return pymupdf.Font("cjk")


@lru_cache(maxsize=16)
def _portrait(path: str) -> Image.Image:
    """A 3:4 head-and-shoulders crop around the largest detected face (centre crop if none)."""
    with Image.open(path) as im:
        img = im.convert("RGB")
    w, h = img.size
    face = _largest_face(np.asarray(img.convert("L")))
    if face is None:
        cw = min(w, int(h * 0.75))
        cx, cy = w / 2, h * 0.4
    else:
        fx, fy, fw, fh = face
        cw = min(w, int(fw * 2.0), int(h * 0.75))
        cx, cy = fx + fw / 2, fy + fh * 0.75
    ch = int(cw / 0.75)
    x0 = int(min(max(cx - cw / 2, 0), w - cw))
    y0 = int(min(max(cy - ch / 2, 0), max(h - ch, 0)))
    return img.crop((x0, y0, x0 + cw, y0 + ch))


def _largest_face(gray: np.ndarray) -> tuple[int, int, int, int] | None:
    import cv2

    cascades = cv2.data.haarcascades  # type: ignore[attr-defined]
    cascade = cv2.CascadeClassifier(cascades + "haarcascade_frontalface_default.xml")
    found = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(40, 40))
    if len(found) == 0:
        return None
    x, y, fw, fh = max(found, key=lambda f: int(f[2]) * int(f[3]))
    return int(x), int(y), int(fw), int(fh)


def drawn_portrait(rng: random.Random) -> Image.Image:
    """A drawn stand-in for an ID photo (for files we publish: the shared face photos are for
    internal testing only)."""
    img = Image.new("RGB", (300, 400), (rng.randint(60, 90), rng.randint(110, 150), rng.randint(190, 230)))
    d = ImageDraw.Draw(img)
    skin = (rng.randint(215, 240), rng.randint(180, 200), rng.randint(150, 170))
    d.ellipse((40, 300, 260, 520), fill=(40, 40, 50))  # shoulders
    d.rectangle((125, 250, 175, 320), fill=skin)  # neck
    d.ellipse((80, 80, 220, 270), fill=skin)  # face
    d.chord((75, 60, 225, 200), 180, 360, fill=(25, 20, 20))  # hair
    for ex in (120, 180):
        d.ellipse((ex - 9, 160, ex + 9, 172), fill=(30, 30, 30))
    d.arc((125, 205, 175, 235), 20, 160, fill=(150, 60, 60), width=3)
    return img


def face_jpeg(rng: random.Random, w_pt: float, h_pt: float) -> bytes:
    files = data.portrait_files()
    if os.environ.get("MANGSHEN_DRAWN_FACES") or not files:
        img = drawn_portrait(rng)
    else:
        img = _portrait(str(rng.choice(files)))
    target = (max(60, int(w_pt * 2.5)), max(80, int(h_pt * 2.5)))
    img = img.resize(target, Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def nonface_jpeg(rng: random.Random) -> bytes:
    """A picture with no face in it (an imaging figure, a texture, a scene) as JPEG; a drawn
    chart when the shared pictures are absent."""
    files = data.nonface_files()
    if files:
        with Image.open(rng.choice(files)) as im:
            img = im.convert("RGB")
    else:
        img = Image.new("RGB", (320, 240), (235, 235, 235))
        d = ImageDraw.Draw(img)
        for k in range(8):
            top = rng.randint(40, 220)
            d.rectangle((20 + 36 * k, top, 44 + 36 * k, 230), fill=(60, 90, 160))
    img.thumbnail((480, 480))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def qr_png(payload: str) -> bytes:
    qr = segno.make(payload, encoding="utf-8", error="m", micro=False)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=6, border=1)
    return buf.getvalue()


def signature_strokes(
    rng: random.Random, x: float, y: float, w: float, h: float
) -> list[list[tuple[float, float]]]:
    """Two or three cursive-looking polylines that stay inside ``(x, y, x+w, y+h)``."""
    strokes: list[list[tuple[float, float]]] = []
    n = rng.randint(2, 3)
    for k in range(n):
        x0 = x + w * k / n
        x1 = x + w * (k + 1) / n
        pts: list[tuple[float, float]] = []
        loops = rng.randint(2, 4)
        amp = h * rng.uniform(0.25, 0.45)
        phase = rng.uniform(0, math.pi)
        steps = 40
        for i in range(steps + 1):
            t = i / steps
            px = x0 + (x1 - x0) * t + amp * 0.5 * math.sin(2 * math.pi * loops * t + phase)
            py = y + h / 2 + amp * math.cos(2 * math.pi * loops * t) * (0.6 + 0.4 * t)
            py += (t - 0.5) * h * 0.3 * (1 if k % 2 else -1)
            pts.append((min(max(px, x), x + w), min(max(py, y), y + h)))
        strokes.append(pts)
    return strokes
