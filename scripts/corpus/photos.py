"""Pages with a pasted "ID photo" (证件照) — a face or any other picture — and their truth.

Used by the face detector's tests and by ``scripts/compare_face_detectors.py``; the corpus
generator can call :func:`photo_page` too (and :func:`id_photo` to crop any picture to an ID
photo). A page is built as a PyMuPDF A4 page with CJK text in one of these layouts, the photo
inserted as an image, rendered at ``dpi`` and then "scanned" (paper tint, noise, JPEG, grey, a
quarter turn):

* ``form``        — a personal-details table (个人信息表) with the photo in its top-right cell;
* ``certificate`` — a framed certificate (证书) with the photo at the upper left and a red
                    seal over the photo's corner, as on real certificates;
* ``card``        — a pasted scan of an ID card (a tinted card with text lines and the photo on
                    its right) in the middle of a page of running text;
* ``pasted``      — a larger picture (a group photo, a scan; up to the text width) pasted between
                    paragraphs of running text;
* ``text``        — running text only, no photo (for false-positive counts).

Without a photo the form, certificate and card keep an empty photo frame marked 照片 — a
realistic page for false-positive counts too.

Truth comes back in the final raster's pixels: the photo's rectangle and, when the caller says
where the face is in the source picture, the face box and eye points (for recall) — all mapped
through the same quarter turn as the page. Source pictures are read at run time from the shared
data and never copied into the repository.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import cv2
import numpy as np
import pymupdf

from scripts.corpus.scan import rotate_box

Box = tuple[float, float, float, float]
Layout = Literal["form", "certificate", "card", "pasted", "text"]
#: layouts that hold an ID photo (90–200 px wide at 200 dpi)
LAYOUTS: tuple[Layout, ...] = ("form", "certificate", "card")

_A4 = (595.0, 842.0)
_PAPERS = ((255, 255, 255), (250, 245, 228), (232, 232, 230), (240, 244, 250))
#: an ID photo is 3:4 (width:height), the head taking about half the width
_PHOTO_ASPECT = 0.75
_HEAD_SHARE = 0.5
#: a pasted picture is at most this tall (pt), so that text fits above and below it
_MAX_PICTURE_PT = 600.0

_LABELS = (
    "姓名",
    "性别",
    "出生年月",
    "民族",
    "籍贯",
    "政治面貌",
    "参加工作时间",
    "现任职务",
    "工作单位",
    "专业技术职务",
    "身份证号码",
    "最高学历",
    "毕业院校",
    "所学专业",
    "联系电话",
    "通讯地址",
    "申报专业",
    "任职时间",
    "外语水平",
    "继续教育学时",
)
_VALUES = (
    "张伟",
    "男",
    "1983年5月",
    "汉族",
    "江苏南京",
    "中共党员",
    "2006年7月",
    "主治医师",
    "人民医院心内科",
    "副主任医师",
    "320102198305124312",
    "硕士研究生",
    "南京医科大学",
    "临床医学",
    "13812345678",
    "南京市鼓楼区中山路1号",
    "心血管内科",
    "2016年12月",
    "英语六级",
    "96学时",
)
_SENTENCES = (
    "本人自参加工作以来，始终坚持以病人为中心，认真履行岗位职责。",
    "在科室主任的指导下，独立完成各类常见病、多发病的诊治工作。",
    "积极参加院内外学术交流活动，不断提高自身的专业技术水平。",
    "近五年来共发表学术论文六篇，其中核心期刊论文三篇。",
    "主持完成市级科研课题一项，参与省级科研课题两项。",
    "承担住院医师规范化培训带教任务，累计带教学员四十余名。",
    "严格执行各项医疗核心制度，任职期间未发生医疗差错事故。",
    "熟练掌握本专业的基础理论、基本知识和基本技能。",
    "参与制定科室诊疗规范，推动临床路径管理工作持续改进。",
    "经审核，以上材料真实有效，同意推荐申报高一级专业技术职务。",
)


@dataclass(frozen=True, slots=True)
class PhotoPage:
    """A rendered page (BGR) and its truth in the final raster's pixels."""

    image: np.ndarray
    dpi: float
    orientation: int  # clockwise turn of the page content, as in MarkPage
    photo_box: Box | None  # the pasted picture's rectangle
    face_box: Box | None  # the main face inside it (when the caller gave one)
    eyes: tuple[tuple[float, float], ...] = ()  # the caller's eye points, mapped


def id_photo(image: np.ndarray, face: Box | None) -> tuple[np.ndarray, Box | None, Box]:
    """A 3:4 head-and-shoulders crop of ``image`` around ``face`` (``x0, y0, x1, y1``).

    Without a face the picture is centre-cropped to 3:4 (non-face pictures pasted as photos).
    Returns the crop, the face box in the crop's pixels (clipped to it) and the crop's box in
    ``image`` (to map other points, e.g. eyes).
    """
    h, w = image.shape[:2]
    if face is None:
        cw = min(w, int(h * _PHOTO_ASPECT))
        ch = min(h, int(cw / _PHOTO_ASPECT))
        x0, y0 = (w - cw) // 2, (h - ch) // 2
        return image[y0 : y0 + ch, x0 : x0 + cw].copy(), None, (x0, y0, x0 + cw, y0 + ch)
    fx0, fy0, fx1, fy1 = face
    fw = fx1 - fx0
    cw = int(min(w, fw / _HEAD_SHARE, h * _PHOTO_ASPECT))
    ch = int(min(h, cw / _PHOTO_ASPECT))
    cx, cy = (fx0 + fx1) / 2, (fy0 + fy1) / 2
    x0 = int(min(max(cx - cw / 2, 0), w - cw))
    y0 = int(min(max(cy - ch * 0.45, 0), h - ch))
    crop = image[y0 : y0 + ch, x0 : x0 + cw].copy()
    box = (
        max(fx0 - x0, 0.0),
        max(fy0 - y0, 0.0),
        min(fx1 - x0, float(cw)),
        min(fy1 - y0, float(ch)),
    )
    return crop, box, (x0, y0, x0 + cw, y0 + ch)


def photo_page(
    rng: random.Random,
    photo: np.ndarray | None,
    *,
    layout: Layout = "form",
    width_px: int = 120,
    face: Box | None = None,
    eyes: tuple[tuple[float, float], ...] = (),
    dpi: int = 200,
    orientation: int = 0,
    grayscale: bool = False,
    noise: bool = True,
) -> PhotoPage:
    """Paste ``photo`` (BGR, any size) ``width_px`` wide into a page of ``layout``.

    ``face`` is the main face's box and ``eyes`` its eye centres in ``photo``'s pixels (truth
    for recall); the photo keeps its aspect ratio. ``layout="text"`` ignores ``photo``; without
    a photo the other layouts show an empty photo frame.
    """
    doc = pymupdf.open()
    page = doc.new_page(width=_A4[0], height=_A4[1])
    k = 72.0 / dpi
    rect: pymupdf.Rect | None = None
    if layout == "text":
        _running_text(page, rng, 60, 800)
    else:
        ph, pw = photo.shape[:2] if photo is not None else (4, 3)
        wpt = min(width_px * k, _A4[0] - 120, _MAX_PICTURE_PT * pw / ph)
        size = (wpt, wpt * ph / pw)
        rect = _LAYOUT_DRAW[layout](page, rng, size)
        if photo is None:
            page.draw_rect(rect, color=(0.3, 0.3, 0.3), width=0.6)
            _text(page, rect.x0 + rect.width / 2 - 10, rect.y0 + rect.height / 2, "照片")
            rect = None
        else:
            _insert(page, rect, photo)
            if layout == "certificate" and rng.random() < 0.7:
                r = rect.width * 0.45
                _seal(page, rect.x1 - rect.width * 0.1, rect.y1 - rect.height * 0.1, r)
    pix = page.get_pixmap(dpi=dpi, alpha=False)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3)
    img = _scan(cv2.cvtColor(img, cv2.COLOR_RGB2BGR), rng, grayscale, noise)
    h0, w0 = img.shape[:2]
    photo_box = face_box = None
    points: tuple[tuple[float, float], ...] = ()
    if rect is not None and photo is not None:
        s = dpi / 72.0
        px0, py0 = rect.x0 * s, rect.y0 * s
        photo_box = rotate_box((px0, py0, rect.x1 * s, rect.y1 * s), w0, h0, orientation)
        f = (rect.x1 - rect.x0) * s / photo.shape[1]
        if face is not None:
            fb = (px0 + face[0] * f, py0 + face[1] * f, px0 + face[2] * f, py0 + face[3] * f)
            face_box = rotate_box(fb, w0, h0, orientation)
        for ex, ey in eyes:
            q = rotate_box((px0 + ex * f, py0 + ey * f) * 2, w0, h0, orientation)
            points += ((q[0], q[1]),)
    if orientation:
        img = cv2.rotate(img, _ROTATE[orientation])
    return PhotoPage(
        np.ascontiguousarray(img), float(dpi), orientation, photo_box, face_box, points
    )


_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def _text(page: pymupdf.Page, x: float, y: float, s: str, size: float = 10.5) -> None:
    page.insert_text((x, y), s, fontname="china-s", fontsize=size)


def _running_text(page: pymupdf.Page, rng: random.Random, y0: float, y1: float) -> None:
    y = y0
    while y < y1:
        line = "".join(rng.choice(_SENTENCES) for _ in range(2))[: rng.randint(24, 38)]
        _text(page, 60, y, line)
        y += 19


def _form(page: pymupdf.Page, rng: random.Random, size: tuple[float, float]) -> pymupdf.Rect:
    _text(page, 200, 70, "专业技术职务任职资格申报表", 16)
    x0, y0, row = 55.0, 100.0, 30.0
    right = 540.0
    cell_w = max(size[0] + 16, 70.0)
    n_photo_rows = max(4, int((size[1] + 16) // row) + 1)
    px = right - cell_w
    for i in range(14):
        y = y0 + i * row
        # rows beside the photo cell end at it; the cell spans n_photo_rows rows
        page.draw_line((x0, y), (px if 0 < i < n_photo_rows else right, y), width=0.8)
        j = rng.randrange(len(_LABELS))
        _text(page, x0 + 6, y + 20, _LABELS[j])
        _text(page, x0 + 110, y + 20, _VALUES[j])
    page.draw_line((x0, y0 + 14 * row), (right, y0 + 14 * row), width=0.8)
    for x in (x0, x0 + 100, right):
        page.draw_line((x, y0), (x, y0 + 14 * row), width=0.8)
    page.draw_line((px, y0), (px, y0 + n_photo_rows * row), width=0.8)
    cy = y0 + n_photo_rows * row / 2
    _running_text(page, rng, y0 + 14 * row + 40, 800)
    return pymupdf.Rect(
        px + (cell_w - size[0]) / 2, cy - size[1] / 2, px + (cell_w + size[0]) / 2, cy + size[1] / 2
    )


def _certificate(page: pymupdf.Page, rng: random.Random, size: tuple[float, float]) -> pymupdf.Rect:
    page.draw_rect(pymupdf.Rect(40, 40, 555, 420), color=(0.6, 0.45, 0.2), width=3)
    page.draw_rect(pymupdf.Rect(48, 48, 547, 412), color=(0.6, 0.45, 0.2), width=0.8)
    _text(page, 230, 90, "专业技术资格证书", 18)
    x, y = 80.0, 120.0
    for i in range(6):
        j = rng.randrange(len(_LABELS))
        _text(page, 300, 140 + i * 24, f"{_LABELS[j]}：{_VALUES[j]}")
    _text(page, 300, 300, "发证机关：人力资源和社会保障厅")
    _running_text(page, rng, 460, 800)
    return pymupdf.Rect(x, y, x + size[0], y + size[1])


def _card(page: pymupdf.Page, rng: random.Random, size: tuple[float, float]) -> pymupdf.Rect:
    _running_text(page, rng, 60, 250)
    cw, chh = size[0] * 3.2, size[0] * 3.2 * 0.63
    cx0, cy0 = 120.0, 280.0
    card = pymupdf.Rect(cx0, cy0, cx0 + cw, cy0 + max(chh, size[1] + 20))
    tint = rng.choice(((0.93, 0.95, 0.98), (0.96, 0.94, 0.9), (0.9, 0.93, 0.95)))
    page.draw_rect(card, color=(0.6, 0.6, 0.6), fill=tint, width=0.6, radius=0.06)
    fs = max(card.height / 12, 4.0)
    room = int((cw - size[0] - 30) / fs)  # characters that fit left of the photo
    for i in range(5):
        j = rng.randrange(len(_LABELS))
        line = f"{_LABELS[j]} {_VALUES[j]}"[:room]
        _text(page, cx0 + 10, cy0 + fs * (2.2 + 1.8 * i), line, fs)
    _running_text(page, rng, card.y1 + 40, 800)
    px0 = card.x1 - size[0] - 10
    py0 = card.y0 + (card.height - size[1]) / 2
    return pymupdf.Rect(px0, py0, px0 + size[0], py0 + size[1])


def _pasted(page: pymupdf.Page, rng: random.Random, size: tuple[float, float]) -> pymupdf.Rect:
    top = 60 + 19 * rng.randint(2, 8)
    _running_text(page, rng, 60, top)
    x0 = (_A4[0] - size[0]) / 2
    rect = pymupdf.Rect(x0, top, x0 + size[0], top + size[1])
    _running_text(page, rng, rect.y1 + 30, 800)
    return rect


_LAYOUT_DRAW = {"form": _form, "certificate": _certificate, "card": _card, "pasted": _pasted}


def _insert(page: pymupdf.Page, rect: pymupdf.Rect, photo: np.ndarray) -> None:
    ok, enc = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise ValueError("could not encode the photo")
    page.insert_image(rect, stream=enc.tobytes(), keep_proportion=False)


def _seal(page: pymupdf.Page, cx: float, cy: float, r: float) -> None:
    """A red stamp ring with a star, overlapping the photo's corner (semi-transparent ink)."""
    red = (0.85, 0.1, 0.1)
    page.draw_circle((cx, cy), r, color=red, width=max(r * 0.06, 1.0), stroke_opacity=0.7)
    page.draw_circle((cx, cy), r * 0.25, color=red, fill=red, fill_opacity=0.6, width=0)


def _scan(img: np.ndarray, rng: random.Random, grayscale: bool, noise: bool) -> np.ndarray:
    paper = np.array(rng.choice(_PAPERS)[::-1], np.float32) / 255.0
    out = img.astype(np.float32) * paper
    if noise:
        nrng = np.random.default_rng(rng.randrange(1 << 30))
        out += nrng.normal(0.0, rng.uniform(2.0, 6.0), size=out.shape[:2])[:, :, None]
    img = np.clip(out, 0, 255).astype(np.uint8)
    if grayscale:
        img = cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    quality = rng.choice((70, 85, 95))
    ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(enc, cv2.IMREAD_COLOR) if ok else img


@lru_cache(maxsize=256)
def read_picture(path: str) -> np.ndarray:
    """A shared picture as BGR (alpha flattened onto white, grey expanded)."""
    raw = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if raw is None:
        raise FileNotFoundError(path)
    if raw.ndim == 2:
        return cv2.cvtColor(raw, cv2.COLOR_GRAY2BGR)
    if raw.shape[2] == 4:
        alpha = raw[:, :, 3:4].astype(np.float32) / 255.0
        flat = raw[:, :, :3].astype(np.float32) * alpha + 255.0 * (1 - alpha)
        return flat.astype(np.uint8)
    return raw
