"""Pages for testing the signature detector: forms with signature fields (handwritten or printed
names), pages of print with tables, charts and formulas, handwriting among print; rendered as
born-digital rasters or as scans (tint, noise, blur, JPEG, slight skew, quarter turns).

Each :class:`GeneratedPage` carries what the detector sees (raster, dpi, orientation, the text read on
the page with boxes in raster pixels) and the truth (signature boxes in raster pixels). Text comes
from the PDF's text layer; ``ocr=True`` imitates an OCR engine instead: one box per line split
evenly between its characters, a line confidence, and junk characters read from the scrawl.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
import pymupdf

from scripts.corpus.handwriting import MM_PER_PT, Signature, make_signature
from service.ocr.textlayer import text_layer_lines
from service.types import BBox, Char, PageText

A4 = (595.0, 842.0)
Rect = tuple[float, float, float, float]

SIGN_LABELS = (
    "签名：", "签字：", "签章：", "审核人：", "负责人：", "申报人：", "医师签名：", "记录者：",
    "主治医师：", "上级医师：", "患者签名：", "家属签名：", "申报人签名：", "负责人签字：",
    "审核人签字：", "Signature:",
)
FORM_TITLES = ("专业技术职务任职资格评审表", "病历首页", "手术记录", "年度考核登记表", "查房记录")
FIELDS = (
    ("姓名", "张伟"), ("性别", "男"), ("出生年月", "1980年5月"), ("科室", "心血管内科"),
    ("职称", "副主任医师"), ("申报专业", "内科学"), ("学历", "硕士研究生"), ("工作年限", "15年"),
    ("住院号", "2023045617"), ("诊断", "冠状动脉粥样硬化性心脏病"), ("手术名称", "经皮冠状动脉介入"),
    ("麻醉方式", "局部麻醉"), ("入院日期", "2023年3月2日"), ("出院日期", "2023年3月15日"),
)
PRINTED_NAMES = ("王建国", "李娜", "陈晓明", "赵丽华", "刘洋", "孙红娜", "周杰", "Zhang Wei")
PHRASES = (
    "患者因反复胸闷气短三年加重一周入院", "入院后完善相关检查", "心电图提示窦性心律",
    "给予抗血小板聚集及调脂稳定斑块治疗", "术后恢复良好", "本研究回顾性分析了我院收治的病例",
    "结果显示两组差异具有统计学意义", "随访时间为十二个月", "不良事件发生率明显降低",
    "采用多因素回归分析", "临床资料完整", "治疗方案经科室讨论决定", "严格执行无菌操作",
    "主要终点为全因死亡", "次要终点包括再入院率", "数据以均数加减标准差表示",
    "本人承诺所填内容真实准确", "积极参与科室教学与科研工作", "完成住院医师规范化培训",
    "熟练掌握本专业常见病的诊断与治疗", "发表论文三篇", "参与课题两项",
)


@dataclass
class GeneratedPage:
    image: np.ndarray  # BGR uint8
    dpi: float
    orientation: int
    text: PageText
    truth: list[BBox] = field(default_factory=list)
    kind: str = ""


@dataclass
class Sheet:
    """A PDF page being drawn, with the signatures put on it (pt, top-left origin)."""

    doc: pymupdf.Document
    page: pymupdf.Page
    signatures: list[Rect] = field(default_factory=list)
    blank: Rect | None = None

    @staticmethod
    def new() -> Sheet:
        doc = pymupdf.open()
        return Sheet(doc, doc.new_page(width=A4[0], height=A4[1]))

    def text(self, x: float, y: float, s: str, size: float = 11.0) -> None:
        """``s`` with its baseline at ``y``."""
        self.page.insert_text((x, y), s, fontname="china-s", fontsize=size)

    def sign(self, x: float, y: float, sig: Signature, vector: bool = False) -> Rect:
        """Put ``sig`` with its top-left at ``(x, y)`` (pt)."""
        w, h = sig.width_mm / MM_PER_PT, sig.height_mm / MM_PER_PT
        if vector:
            sig.draw_pdf(self.page, x, y)
        else:
            self.page.insert_image(pymupdf.Rect(x, y, x + w, y + h), stream=sig.png(300))
        self.signatures.append((x, y, x + w, y + h))
        return (x, y, x + w, y + h)

    def line(self, a: tuple[float, float], b: tuple[float, float], width: float = 0.8) -> None:
        self.page.draw_line(a, b, color=(0, 0, 0), width=width)


# -- pages -----------------------------------------------------------------------------------


def form_sheet(
    rng: random.Random,
    fill: str = "sign",
    style: str | None = None,
    ink: str | None = None,
    vector: bool = False,
    n_fields: int = 2,
) -> Sheet:
    """A form: title, a table of printed fields, ``n_fields`` signature rows whose field holds
    a handwritten signature (``fill="sign"``), a printed name (``"print"``) or nothing; and a
    pledge with a label that has the signature below it or to its right."""
    sh = Sheet.new()
    sh.text(150, 70, rng.choice(FORM_TITLES), 16)
    x0, x1, cols = 60.0, 535.0, (60.0, 150.0, 300.0, 390.0)
    y = 95.0
    rows = rng.sample(FIELDS, rng.randint(4, 8))
    for i in range(0, len(rows) - 1, 2):
        for (lab, val), cx in zip(rows[i : i + 2], (cols[0], cols[2]), strict=True):
            sh.text(cx + 6, y + 20, lab, 11)
            sh.text(cx + 96, y + 20, val, 11)
        y = _row(sh, y, 30.0, x0, x1, cols)
    for _ in range(n_fields):
        label = rng.choice(SIGN_LABELS)
        h = rng.uniform(34, 44)
        sh.text(cols[0] + 6, y + h / 2 + 4, label, 11)
        field_x = cols[0] + 6 + pymupdf.get_text_length(label, "china-s", 11) + rng.uniform(6, 30)
        _fill(sh, rng, fill, label, field_x, y, h, style, ink, vector)
        if rng.random() < 0.5:
            sh.text(cols[2] + 6, y + h / 2 + 4, "日期：2023年5月6日", 11)
        y = _row(sh, y, h, x0, x1, (x0, cols[2]))
    for _ in range(2):
        sh.text(66, y + 30, rng.choice(PHRASES) + "，" + rng.choice(PHRASES) + "。", 11)
        y += 18
    label = rng.choice(SIGN_LABELS)
    ly = y + 40
    sh.text(330, ly, label, 11)
    if rng.random() < 0.5:  # just below the label
        _fill(sh, rng, fill, label, 335 + rng.uniform(0, 20), ly + 4, 40, style, ink, vector)
    else:
        lw = pymupdf.get_text_length(label, "china-s", 11)
        _fill(sh, rng, fill, label, 330 + lw + 4, ly - 24, 34, style, ink, vector)
    return sh


def _row(sh: Sheet, y: float, h: float, x0: float, x1: float, cols: tuple[float, ...]) -> float:
    sh.line((x0, y), (x1, y))
    sh.line((x0, y + h), (x1, y + h))
    for cx in (*cols, x1):
        sh.line((cx, y), (cx, y + h))
    return y + h


def _fill(
    sh: Sheet,
    rng: random.Random,
    fill: str,
    label: str,
    x: float,
    y: float,
    h: float,
    style: str | None,
    ink: str | None,
    vector: bool,
) -> None:
    if fill == "sign":
        sig = make_signature(rng, style, ink, box_mm=(rng.uniform(22, 40), h * MM_PER_PT * 0.8))
        sh.sign(x, y + h * 0.08 + rng.uniform(-3, 3), sig, vector)
    elif fill == "print":
        name = rng.choice(PRINTED_NAMES)
        if label.startswith("Sig") != name.isascii():
            name = "Zhang Wei" if label.startswith("Sig") else "王建国"
        sh.text(x, y + h / 2 + 5, name, rng.uniform(11, 14))


def text_sheet(
    rng: random.Random, extras: tuple[str, ...] = (), bottom: float = 780.0
) -> Sheet:
    """Dense print down to ``bottom``: paragraphs, plus any of ``"table"``, ``"chart"``,
    ``"bars"``, ``"formula"``, ``"flow"``, ``"blank"`` (a 50 pt gap: :attr:`Sheet.blank`)."""
    sh = Sheet.new()
    y = 70.0
    sh.text(200, y, "病例报告与讨论", 15)
    y += 30
    blocks = list(extras)
    rng.shuffle(blocks)
    while y < bottom:
        if blocks and y < 560:
            y = _BLOCKS[blocks.pop()](sh, rng, y) + 16
        size = rng.choice((10.5, 11.0, 12.0))
        for _ in range(rng.randint(2, 5) if blocks else 8):
            if y > bottom + 10:
                break
            line = ""
            while len(line) < 40:
                line += rng.choice(PHRASES) + rng.choice("，。；")
            sh.text(60, y, line[:40], size)
            y += size * 1.6
        y += 8
    return sh


def _table(sh: Sheet, rng: random.Random, y: float) -> float:
    cols = (60.0, 160.0, 260.0, 360.0, 460.0, 535.0)
    heads = ("组别", "例数", "有效率", "不良事件", "P值")
    for j, hd in enumerate(heads):
        sh.text(cols[j] + 6, y + 15, hd, 10.5)
    for r in range(rng.randint(3, 6)):
        vals = (f"第{r + 1}组", str(rng.randint(20, 90)), f"{rng.uniform(50, 99):.1f}%",
                str(rng.randint(0, 9)), f"{rng.uniform(0, 0.2):.3f}")
        for j, v in enumerate(vals):
            sh.text(cols[j] + 6, y + 15 + 22 * (r + 1), v, 10.5)
    rows = r + 2
    for k in range(rows + 1):
        sh.line((60, y + 22 * k), (535, y + 22 * k), 0.6)
    for cx in cols:
        sh.line((cx, y), (cx, y + 22 * rows), 0.6)
    return y + 22 * rows


def _chart(sh: Sheet, rng: random.Random, y: float) -> float:
    """A line chart: axes, ticks, labels, 2–4 series with markers, sometimes a smooth curve."""
    x0, w, h = 100.0, rng.uniform(250, 400), rng.uniform(120, 180)
    sh.line((x0, y), (x0, y + h))
    sh.line((x0, y + h), (x0 + w, y + h))
    for k in range(6):
        tx = x0 + w * k / 5
        sh.line((tx, y + h), (tx, y + h + 4), 0.6)
        sh.text(tx - 6, y + h + 14, str(k * 3), 8)
        sh.text(x0 - 20, y + h - h * k / 5 + 3, str(k * 20), 8)
    colours = ((0, 0, 0), (0.1, 0.2, 0.7), (0.6, 0.1, 0.1), (0.1, 0.5, 0.2))
    for s in range(rng.randint(2, 4)):
        n = rng.randint(6, 14)
        level = rng.uniform(0.2, 0.8)
        pts = []
        for i in range(n):
            level = min(0.95, max(0.05, level + rng.uniform(-0.15, 0.15)))
            pts.append((x0 + w * (i + 0.5) / n, y + h * (1 - level)))
        sh.page.draw_polyline(pts, color=colours[s], width=rng.uniform(0.8, 1.6))
        for p in pts:
            sh.page.draw_circle(p, 2.0, color=colours[s], fill=colours[s] if s % 2 else None)
    if rng.random() < 0.6:  # a fitted curve or a survival staircase
        if rng.random() < 0.5:
            pts = [(x0 + w * t / 60, y + h * (0.1 + 0.8 * (1 - math.exp(-3 * t / 60)))) for t in range(61)]
        else:
            pts, level = [], 0.05
            for i in range(25):
                pts += [(x0 + w * i / 25, y + h * level), (x0 + w * (i + 1) / 25, y + h * level)]
                level += rng.uniform(0.0, 0.05)
        sh.page.draw_polyline(pts, color=(0, 0, 0), width=1.0)
    sh.text(x0 + w / 2 - 30, y + h + 28, "随访时间（月）", 9)
    return y + h + 34


def _bars(sh: Sheet, rng: random.Random, y: float) -> float:
    x0, h = 100.0, 130.0
    sh.line((x0, y), (x0, y + h))
    sh.line((x0, y + h), (x0 + 350, y + h))
    for i in range(rng.randint(4, 8)):
        bh = rng.uniform(20, h - 10)
        fill = (0.2, 0.3, 0.6) if i % 2 else (0.6, 0.6, 0.6)
        sh.page.draw_rect(pymupdf.Rect(x0 + 15 + 40 * i, y + h - bh, x0 + 40 + 40 * i, y + h),
                          color=(0, 0, 0), fill=fill, width=0.5)
        err = rng.uniform(4, 12)
        top = y + h - bh
        sh.line((x0 + 27 + 40 * i, top - err), (x0 + 27 + 40 * i, top + err), 0.6)
        sh.line((x0 + 23 + 40 * i, top - err), (x0 + 31 + 40 * i, top - err), 0.6)
        sh.text(x0 + 15 + 40 * i, y + h + 12, f"G{i + 1}", 8)
    return y + h + 20


def _formula(sh: Sheet, rng: random.Random, y: float) -> float:
    """Display formulas: fraction bars, a radical sign, sums, brackets drawn as paths."""
    x = 120.0
    sh.text(x, y + 20, "OR =", 12)
    sh.text(x + 40, y + 12, "a × d", 11)
    sh.line((x + 36, y + 17), (x + 80, y + 17), 0.7)
    sh.text(x + 40, y + 30, "b × c", 11)
    x2 = 260.0
    sh.text(x2, y + 20, "SD =", 12)
    sh.page.draw_polyline([(x2 + 34, y + 16), (x2 + 38, y + 14), (x2 + 43, y + 28),
                           (x2 + 50, y + 2), (x2 + 140, y + 2)], color=(0, 0, 0), width=0.7)
    sh.text(x2 + 56, y + 12, "Σ(xi − x̄)²", 10)
    sh.line((x2 + 54, y + 16), (x2 + 136, y + 16), 0.7)
    sh.text(x2 + 80, y + 28, "n − 1", 10)
    sh.page.draw_bezier((x2 + 150, y), (x2 + 144, y + 10), (x2 + 144, y + 22), (x2 + 150, y + 32),
                        color=(0, 0, 0), width=0.7)
    sh.text(x2 + 154, y + 20, "χ² = 4.38", 11)
    return y + 40


def _flow(sh: Sheet, rng: random.Random, y: float) -> float:
    """A flow chart: boxes with text joined by arrows."""
    x = 90.0
    for i in range(rng.randint(3, 4)):
        bx = x + 115 * i
        sh.page.draw_rect(pymupdf.Rect(bx, y, bx + 90, y + 36), color=(0, 0, 0), width=0.8)
        sh.text(bx + 8, y + 22, rng.choice(("纳入患者", "随机分组", "干预治疗", "随访评估")), 10)
        if i:
            sh.line((bx - 25, y + 18), (bx, y + 18), 0.8)
            sh.page.draw_polyline([(bx - 5, y + 14), (bx, y + 18), (bx - 5, y + 22)],
                                  color=(0, 0, 0), width=0.8)
    return y + 40


def _blank(sh: Sheet, rng: random.Random, y: float) -> float:
    sh.blank = (60.0, y, 535.0, y + 50.0)
    return y + 50.0


_BLOCKS = {"blank": _blank, "table": _table, "chart": _chart, "bars": _bars, "formula": _formula, "flow": _flow}


def print_with_handwriting(
    rng: random.Random, style: str | None = None, ink: str | None = None, vector: bool = False
) -> Sheet:
    """Print with a signature and no label near it: after the closing lines of a letter, in a
    blank band between paragraphs, or across printed lines."""
    place = rng.choice(("closing", "gap", "over"))
    sh = text_sheet(rng, ("blank",) if place == "gap" else (), 680.0 if place == "closing" else 780.0)
    sig = make_signature(rng, style, ink, height_mm=rng.uniform(8, 14))
    w_pt = sig.width_mm / MM_PER_PT
    if place == "closing":
        sh.text(320, 712, "此致", 11)
        sh.text(320, 730, "敬礼", 11)
        sh.sign(380, 745, sig, vector)
    elif place == "gap" and sh.blank is not None:
        x0, y0, x1, _ = sh.blank
        sh.sign(rng.uniform(x0, max(x0, x1 - w_pt)), y0 + 4, sig, vector)
    else:
        sh.sign(rng.uniform(250, 560 - w_pt), rng.uniform(150, 700), sig, vector)
    return sh


# -- rendering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanLook:
    """How a page is scanned: paper tint, noise, blur, JPEG, skew (°), quarter turn."""

    orientation: int = 0
    skew: float = 0.0
    tint: tuple[int, int, int] = (255, 255, 255)
    noise: float = 5.0
    blur: bool = False
    jpeg: int = 80

    @staticmethod
    def random(rng: random.Random, orientation: int = 0) -> ScanLook:
        tint = rng.choice(((255, 255, 255), (250, 245, 228), (232, 232, 230), (240, 244, 250)))
        return ScanLook(orientation, rng.uniform(-1.5, 1.5), tint, rng.uniform(3, 9),
                        rng.random() < 0.4, rng.choice((60, 75, 85)))


def render(
    sh: Sheet,
    dpi: float = 200,
    scan: ScanLook | None = None,
    ocr: bool = False,
    rng: random.Random | None = None,
    kind: str = "",
) -> GeneratedPage:
    """Rasterise the sheet (BGR), read its text layer into pixel boxes and map the truth."""
    pix = sh.page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
    rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3)
    img = np.ascontiguousarray(rgb[:, :, ::-1])
    k = pix.width / sh.page.rect.width
    affine = np.array([[k, 0.0, 0.0], [0.0, k, 0.0]])
    lines = [[(c.text, None if c.bbox is None else c.bbox) for c in ln] for ln in text_layer_lines(sh.page)]
    rng = rng or random.Random(0)
    orientation = 0
    if scan is not None:
        img, affine = _degrade(img, affine, scan, rng)
        orientation = scan.orientation
    h0, w0 = img.shape[:2]

    def place(b: Rect | BBox) -> BBox:
        return _rotate(_map(b, affine), w0, h0, orientation)

    truth = [place(r) for r in sh.signatures]
    chars: list[Char] = []
    for ln in lines:
        chars.extend(_line_chars(ln, place, ocr, rng))
        chars.append(Char("\n", None))
    if ocr:
        for t in truth:  # the recogniser reads scrawl as a few junk characters
            if rng.random() < 0.6:
                chars.extend(_split_box(t, "".join(rng.sample("一丿乙人了子", 3)),
                                        rng.uniform(0.2, 0.65)))
                chars.append(Char("\n", None))
    turned = img if not orientation else cv2.rotate(img, {
        90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE,
    }[orientation])
    sh.doc.close()
    return GeneratedPage(np.ascontiguousarray(turned), float(dpi), orientation, PageText(tuple(chars)),
                    truth, kind)


def _line_chars(
    ln: list[tuple[str, BBox | None]], place: Callable[[Rect | BBox], BBox], ocr: bool,
    rng: random.Random,
) -> list[Char]:
    """Text-layer characters, or as OCR reads the line: its box (on the page, before skew and
    turn) split evenly between the characters, one confidence for the line."""
    if not ocr:
        return [Char(t, None if b is None else place(b), 1.0, "text") for t, b in ln]
    line = BBox.around([b for _, b in ln if b is not None])
    conf = rng.uniform(0.85, 0.99)
    return [
        Char(c.text, None if c.bbox is None else place(c.bbox), conf, "ocr")
        for c in _split_box(line, "".join(t for t, _ in ln), conf)
    ]


def read_as_text(tp: GeneratedPage, box: BBox, text: str, conf: float) -> GeneratedPage:
    """``tp`` with one more OCR line: ``text`` read over ``box`` (a recogniser reading a
    signature as letters, or anything else)."""
    extra = (*_split_box(box, text, conf), Char("\n", None))
    return GeneratedPage(tp.image, tp.dpi, tp.orientation, PageText(tp.text.chars + extra), tp.truth,
                    tp.kind)


def _split_box(box: BBox, text: str, conf: float) -> list[Char]:
    horizontal = box.width >= box.height or len(text) == 1
    n = max(len(text), 1)
    out = []
    for i, t in enumerate(text):
        if horizontal:
            b = BBox(box.x0 + box.width * i / n, box.y0, box.x0 + box.width * (i + 1) / n, box.y1)
        else:
            b = BBox(box.x0, box.y0 + box.height * i / n, box.x1, box.y0 + box.height * (i + 1) / n)
        out.append(Char(t, None if t.isspace() else b, conf, "ocr"))
    return out


def _degrade(img: np.ndarray, affine: np.ndarray, look: ScanLook, rng: random.Random
             ) -> tuple[np.ndarray, np.ndarray]:
    h, w = img.shape[:2]
    out = (img.astype(np.float32) * (np.array(look.tint[::-1], np.float32) / 255.0))
    if look.skew:
        rot = cv2.getRotationMatrix2D((w / 2, h / 2), look.skew, 1.0)
        out = cv2.warpAffine(out, rot, (w, h), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=look.tint[::-1])
        affine = rot @ np.vstack([affine, [0.0, 0.0, 1.0]])
    if look.blur:
        out = cv2.GaussianBlur(out, (3, 3), 0.8)
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    out = out + nrng.normal(0.0, look.noise, size=out.shape[:2])[:, :, None]
    out8 = np.clip(out, 0, 255).astype(np.uint8)
    ok, enc = cv2.imencode(".jpg", out8, [cv2.IMWRITE_JPEG_QUALITY, look.jpeg])
    dec = cv2.imdecode(enc, cv2.IMREAD_COLOR) if ok else None
    return (out8 if dec is None else np.asarray(dec, np.uint8)), affine


def _map(b: Rect | BBox, affine: np.ndarray) -> BBox:
    x0, y0, x1, y1 = (b.x0, b.y0, b.x1, b.y1) if isinstance(b, BBox) else b
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], float) @ affine.T
    return BBox(float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()),
                float(pts[:, 1].max()))


def _rotate(b: BBox, w0: float, h0: float, orientation: int) -> BBox:
    """A box through a clockwise quarter turn of a ``w0``×``h0`` image."""
    if orientation == 90:
        return BBox(h0 - b.y1, b.x0, h0 - b.y0, b.x1)
    if orientation == 180:
        return BBox(w0 - b.x1, h0 - b.y1, w0 - b.x0, h0 - b.y0)
    if orientation == 270:
        return BBox(b.y0, w0 - b.x1, b.y1, w0 - b.x0)
    return b
