"""Faces and ID photos on realistic page rasters: A4 at 200 dpi with CJK text, a shared face
picture pasted as an ID photo (90–160 px wide) into a form, a certificate or an ID-card scan,
colour and grey, JPEG, all four page turns; a passport page and a group photo pasted large;
and pages that must come back empty: text only, an empty photo frame, coins and cells pasted
as photos.

The pictures are read from the shared data at run time (never copied into the repository);
the face boxes and eyes below are CenterFace's on the source pictures. The full sweep over all
144 pictures is ``python -m scripts.compare_face_detectors``.
"""

from __future__ import annotations

import random
from functools import lru_cache

import cv2
import pytest

from scripts.corpus import photos
from scripts.corpus.data import shared_data_dir
from service.detect.base import MarkDetector
from service.detect.marks.base import MarkPage
from service.detect.marks.faces import FaceDetector
from service.types import BBox, Region

Box = tuple[float, float, float, float]
Point = tuple[float, float]

#: main face and eyes on the source pictures (CenterFace, full resolution)
TRUTH: dict[str, tuple[Box, tuple[Point, Point]]] = {
    "lfw_Gong_Li.jpg": ((73, 64, 167, 189), ((103, 113), (147, 111))),
    "hivision_test1.jpg": ((261, 366, 539, 736), ((338, 530), (469, 523))),
    "faceai_stone.png": ((30, 71, 251, 369), ((86, 192), (193, 199))),
    "fr_obama_small.jpg": ((105, 43, 218, 193), ((134, 99), (190, 98))),
    "lfw_Zhong_Nanshan.jpg": ((66, 63, 171, 191), ((102, 114), (149, 112))),
}
FACES = shared_data_dir() / "faces"
NONFACES = shared_data_dir() / "nonfaces"

pytestmark = pytest.mark.skipif(
    not FACES.is_dir(), reason="the shared face pictures are not beside the repository"
)


@lru_cache(maxsize=2)
def detector(mode: str) -> FaceDetector:
    return FaceDetector(mode)  # type: ignore[arg-type]


def id_page(
    name: str, *, layout: str, width: int, orientation: int, grey: bool, seed: int
) -> photos.PhotoPage:
    """``name`` cropped to an ID photo around its main face and pasted into a page."""
    image = photos.read_picture(str(FACES / name))
    face, eyes = TRUTH[name]
    crop, fbox, cbox = photos.id_photo(image, face)
    crop_eyes = tuple((x - cbox[0], y - cbox[1]) for x, y in eyes)
    return photos.photo_page(
        random.Random(seed),
        crop,
        layout=layout,
        width_px=width,
        face=fbox,  # type: ignore[arg-type]
        eyes=crop_eyes,
        orientation=orientation,
        grayscale=grey,
    )


def run(page: photos.PhotoPage, mode: str = "photo") -> list[Region]:
    return detector(mode).detect(MarkPage(page.image, page.dpi, page.orientation))


def cover(region: BBox, box: Box) -> float:
    """Share of ``box`` that ``region`` covers."""
    b = BBox(*box)
    return region.intersection(b).area / b.area


def test_is_a_mark_detector() -> None:
    det = detector("photo")
    assert isinstance(det, MarkDetector)
    assert det.name == "face" and det.categories == frozenset({"face"})
    with pytest.raises(ValueError):
        FaceDetector("blur")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "layout", "width", "orientation", "grey"),
    [
        ("lfw_Gong_Li.jpg", "form", 90, 0, False),
        ("hivision_test1.jpg", "certificate", 160, 90, False),
        ("faceai_stone.png", "card", 120, 180, True),
        ("fr_obama_small.jpg", "form", 100, 270, True),
    ],
)
def test_id_photo_is_masked_whole(
    name: str, layout: str, width: int, orientation: int, grey: bool
) -> None:
    page = id_page(name, layout=layout, width=width, orientation=orientation, grey=grey, seed=1)
    assert page.face_box is not None and page.photo_box is not None
    regions = run(page)
    assert len(regions) == 1
    r = regions[0]
    assert (r.category, r.source, r.rule) == ("face", "mark", "face.photo")
    assert 0.0 < r.score <= 1.0 and r.explanation and r.text_sha256 is None
    assert cover(r.bbox, page.face_box) >= 0.95
    assert cover(r.bbox, page.photo_box) >= 0.8  # the photo, not just the face …
    photo = BBox(*page.photo_box)
    assert r.bbox.area <= 1.6 * photo.area  # … and not the page around it


@pytest.mark.parametrize("orientation", [0, 90, 180, 270])
def test_eyes_mode_covers_both_eyes_and_leaves_the_photo(orientation: int) -> None:
    page = id_page(
        "lfw_Zhong_Nanshan.jpg",
        layout="form",
        width=130,
        orientation=orientation,
        grey=False,
        seed=orientation,
    )
    assert page.photo_box is not None
    regions = run(page, "eyes")
    assert len(regions) == 1
    band = regions[0].bbox
    assert regions[0].rule == "face.eyes"
    (ax, ay), (bx, by) = page.eyes
    d = max(abs(bx - ax), abs(by - ay))
    for x, y in page.eyes:
        assert band.x0 <= x - 0.1 * d and x + 0.1 * d <= band.x1
        assert band.y0 <= y - 0.1 * d and y + 0.1 * d <= band.y1
    photo = BBox(*page.photo_box)
    assert band.intersection(photo).area <= 0.3 * photo.area


def test_portrait_on_a_pasted_passport_page() -> None:
    image = photos.read_picture(str(FACES / "passporteye_43_pass-twn.jpg"))
    portrait = (64, 132, 122, 204)  # CenterFace's face on the source picture
    page = photos.photo_page(
        random.Random(3), image, layout="pasted", width_px=700, face=portrait, orientation=90
    )
    assert page.face_box is not None
    regions = run(page)
    assert any(cover(r.bbox, page.face_box) >= 0.95 for r in regions)
    assert len(regions) <= 2


def test_group_photo_pasted_large() -> None:
    image = photos.read_picture(str(FACES / "fr_two_people.jpg"))
    page = photos.photo_page(random.Random(4), image, layout="pasted", width_px=700)
    assert page.photo_box is not None
    regions = run(page)
    assert regions, "two people, no face found"
    photo = BBox(*page.photo_box)
    assert all(photo.expand(20).contains(r.bbox) for r in regions)
    faces = run(page, "eyes")
    assert len(faces) >= 2  # one band per face


@pytest.mark.parametrize("layout", ["text", "form", "certificate"])
def test_pages_without_a_photo_stay_clear(layout: str) -> None:
    page = photos.photo_page(
        random.Random(5),
        None,
        layout=layout,  # type: ignore[arg-type]
        orientation=90 if layout == "form" else 0,
    )
    assert run(page) == []


@pytest.mark.parametrize(
    ("name", "grey"),
    [
        ("skimage_coins.png", False),
        ("skimage_cell.png", True),
        ("skimage_retina.jpg", False),
        ("skimage_chelsea.png", False),
    ],
)
def test_pictures_without_faces_stay_clear(name: str, grey: bool) -> None:
    image = photos.read_picture(str(NONFACES / name))
    crop, _, _ = photos.id_photo(image, None)
    page = photos.photo_page(random.Random(6), crop, layout="form", width_px=140, grayscale=grey)
    assert run(page) == []


class _Blind:
    """A cascade that finds nothing (to reach the fallback)."""

    def detectMultiScale3(self, *args: object, **kw: object) -> tuple[list, list, list]:
        return [], [], []


def test_faces_the_cascades_miss_are_searched_with_dlib() -> None:
    pytest.importorskip("dlib")
    det = FaceDetector("photo")
    det._cascades.frontal = _Blind()  # type: ignore[assignment]
    page = id_page(
        "lfw_Gong_Li.jpg", layout="certificate", width=150, orientation=0, grey=False, seed=7
    )
    assert page.face_box is not None
    regions = det.detect(MarkPage(page.image, page.dpi, page.orientation))
    assert len(regions) == 1
    assert "HOG" in regions[0].explanation
    assert cover(regions[0].bbox, page.face_box) >= 0.95


@pytest.mark.parametrize(("name", "angle"), [("lfw_Gong_Li.jpg", 25), ("faceai_stone.png", -20)])
def test_tilted_heads_are_searched_on_the_photo_turned(name: str, angle: float) -> None:
    det = FaceDetector("photo")
    det._cascades.hog = None  # the cascades alone: upright they miss these heads
    image = photos.read_picture(str(FACES / name))
    crop = photos.id_photo(image, TRUTH[name][0])[0]
    crop = cv2.resize(crop, (120, round(120 * crop.shape[0] / crop.shape[1])),
                      interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
    h, w = grey.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    tilted = cv2.warpAffine(grey, turn, (w, h), borderMode=cv2.BORDER_REPLICATE)
    faces = det.faces(tilted, 200.0)
    assert len(faces) == 1
    box = faces[0].box
    assert box.x0 < w / 2 < box.x1 and box.y0 < h / 2 < box.y1
