"""The auditors' HTML report: self-contained, escaped, boxes in the right places."""

from __future__ import annotations

import base64
import io
import re
from html.parser import HTMLParser

import pytest
from PIL import Image

from service.report.html import (
    CATEGORY_COLOURS,
    CATEGORY_LABELS,
    box_percentages,
    image_data_uri,
    render_report,
)
from service.types import CATEGORIES, BBox, PageResult, Region, Result, Verification, sha256_text


def _png(colour: tuple[int, int, int], size: tuple[int, int] = (40, 20)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(buf, format="JPEG")
    return buf.getvalue()


ORIGINALS = (_png((255, 255, 255)), _png((250, 250, 250)))
BLINDS = (_png((0, 0, 0)), _png((5, 5, 5)))
SCRIPT = "<script>alert('x')</script>张三"


def _result(verification: Verification | None = None, **kw: object) -> Result:
    page0 = PageResult(
        index=0,
        width=200.0,
        height=100.0,
        unit="pt",
        orientation=0,
        regions=(
            Region(
                BBox(20, 10, 70, 60),
                "person",
                "text",
                "profile.person",
                0.987,
                sha256_text(SCRIPT),
                snippet=SCRIPT,
                explanation="profile exact",
            ),
            Region(
                BBox(100, 0, 150, 20),
                "url",
                "text",
                "pattern.url",
                0.9,
                sha256_text("https://example.org/x"),
                snippet="https://example.org/x",
            ),
        ),
    )
    page1 = PageResult(
        index=1,
        width=400.0,
        height=300.0,
        unit="px",
        orientation=90,
        regions=(Region(BBox(0, 0, 40, 30), "seal", "mark", "mark.seal", 0.5),),
        warnings=("page not upright (orientation 90)", "low OCR confidence"),
        ocr_used=True,
    )
    fields: dict[str, object] = {
        "input_name": "申报材料<1>.pdf",
        "input_sha256": "a" * 64,
        "output_name": "申报材料<1>.blind.pdf",
        "output_sha256": "b" * 64,
        "policy": "default",
        "pages": (page0, page1),
        "verification": verification or Verification(),
        "warnings": ("unreadable image",),
        "exit_code": 0,
        "seconds": 3.25,
    }
    fields.update(kw)
    return Result(**fields)  # type: ignore[arg-type]


class _Checker(HTMLParser):
    """Checks that every non-void element is closed in order."""

    VOID = frozenset({"meta", "img", "br", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def _parse(doc: str) -> _Checker:
    checker = _Checker()
    checker.feed(doc)
    checker.close()
    return checker


def _data_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


@pytest.fixture(scope="module")
def ok_report() -> str:
    return render_report(_result(), ORIGINALS, BLINDS)


@pytest.fixture(scope="module")
def failed_report() -> str:
    verification = Verification(text_leaks=2, problems=("text layer still contains 张三",))
    result = _result(
        verification, output_name=None, output_sha256=None, exit_code=5, error="verification failed"
    )
    return render_report(result, ORIGINALS, None)


def test_is_well_formed_html(ok_report: str) -> None:
    assert ok_report.startswith("<!DOCTYPE html>")
    checker = _parse(ok_report)
    assert checker.stack == []
    assert checker.tags.count("html") == 1
    assert checker.tags.count("table") >= 2
    assert '<meta charset="utf-8">' in ok_report
    assert (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'" in ok_report
    )
    assert "<style>" in ok_report and ".box" in ok_report
    assert "data-region" in ok_report and "addEventListener" in ok_report
    assert "$" not in re.sub(r"<script>.*?</script>|<style>.*?</style>", "", ok_report, flags=re.S)


def test_header_and_verification(ok_report: str) -> None:
    assert "申报材料&lt;1&gt;.pdf" in ok_report
    assert "a" * 64 in ok_report and "b" * 64 in ok_report
    assert "default" in ok_report and "3.2 s" in ok_report
    for check in (
        "text_leaks",
        "rescan_findings",
        "pixels_changed_outside_masks",
        "metadata_clean",
    ):
        assert check in ok_report
    assert ok_report.count('class="badge pass"') == 5  # status + four checks
    assert 'class="badge fail"' not in ok_report
    assert 'class="banner"' not in ok_report


def test_contains_all_images_as_data_uris(ok_report: str) -> None:
    for image in (*ORIGINALS, *BLINDS):
        assert f'src="{_data_uri(image)}"' in ok_report
    assert ok_report.count("<img ") == 4
    assert "原件 / Original" in ok_report and "盲审件 / Blind copy" in ok_report


def test_one_numbered_box_per_region_per_image(ok_report: str) -> None:
    assert ok_report.count('class="box"') == 3 * 2
    for number in (1, 2, 3):
        boxes = re.findall(
            rf'<div class="box" data-region="{number}"[^>]*>'
            rf'<span class="num">{number}</span>',
            ok_report,
        )
        assert len(boxes) == 2
        assert ok_report.count(f'<tr id="r{number}" data-region="{number}">') == 1
    assert 'data-region="4"' not in ok_report
    # numbers run through the document: page 2's seal is number 3
    assert re.search(r'data-region="3" data-cat="seal"', ok_report)


def test_box_percentages(ok_report: str) -> None:
    # page 0 is 200 x 100 pt; bbox (20, 10, 70, 60) -> 10 %, 10 %, 25 % wide, 50 % high
    assert "left:10.000%;top:10.000%;width:25.000%;height:50.000%;" in ok_report
    # page 1 is 400 x 300 px; bbox (0, 0, 40, 30) -> 10 % x 10 %
    assert "left:0.000%;top:0.000%;width:10.000%;height:10.000%;" in ok_report
    page = _result().pages[0]
    assert box_percentages(BBox(-10, 90, 300, 120), page) == (0.0, 90.0, 100.0, 10.0)


def test_boxes_coloured_by_category(ok_report: str) -> None:
    assert f"--c:{CATEGORY_COLOURS['person']}" in ok_report
    assert f"--c:{CATEGORY_COLOURS['seal']}" in ok_report


def test_palette_and_legend_cover_all_categories(ok_report: str) -> None:
    assert set(CATEGORY_COLOURS) == set(CATEGORIES) == set(CATEGORY_LABELS)
    assert len(set(CATEGORY_COLOURS.values())) == len(CATEGORIES)
    for category in CATEGORIES:
        assert f'data-toggle="{category}"' in ok_report
        assert f"{CATEGORY_LABELS[category]} {category}" in ok_report


def test_table_rows(ok_report: str) -> None:
    row = re.search(r'<tr id="r1".*?</tr>', ok_report)
    assert row is not None
    assert "profile.person" in row[0] and "0.99" in row[0] and ">text<" in row[0]
    assert sha256_text(SCRIPT)[:12] in row[0] and sha256_text(SCRIPT)[:13] not in row[0]
    seal = re.search(r'<tr id="r3".*?</tr>', ok_report)
    assert seal is not None and "—" in seal[0] and "0.50" in seal[0]
    assert '<td class="n">2</td>' in seal[0]  # page number, 1-based


def test_snippets_are_escaped(ok_report: str) -> None:
    assert "<script>alert" not in ok_report
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;张三" in ok_report
    assert ok_report.count("<script>") == 1  # only our own


def test_no_urls_in_output(ok_report: str, failed_report: str) -> None:
    for doc in (ok_report, failed_report):
        assert "http://" not in doc and "https://" not in doc
        assert "src=" not in doc.replace('<img src="data:', "")
        assert "href=" not in doc
    assert "https&#58;//example.org/x" in ok_report  # the url snippet still reads right


def test_warnings_and_orientation(ok_report: str) -> None:
    assert "unreadable image" in ok_report
    assert "page 2: page not upright (orientation 90)" in ok_report
    assert "page 2: low OCR confidence" in ok_report
    assert "orientation 90°" in ok_report and "orientation 0°" in ok_report


def test_failure_shows_banner_and_no_blind_images(failed_report: str) -> None:
    assert _parse(failed_report).stack == []
    assert (
        "验证未通过，未生成盲审件 / Verification failed — no blind copy released" in failed_report
    )
    assert "text layer still contains 张三" in failed_report
    assert "verification failed" in failed_report
    for image in BLINDS:
        assert _data_uri(image) not in failed_report
    for image in ORIGINALS:
        assert _data_uri(image) in failed_report
    assert failed_report.count("<img ") == 2
    assert 'class="side blind"' not in failed_report
    assert failed_report.count('class="box"') == 3
    assert 'class="badge fail"' in failed_report
    assert "未生成 / not released" in failed_report


def test_failure_without_explanation_names_failed_checks() -> None:
    result = _result(
        Verification(pixels_changed_outside_masks=7, metadata_clean=False), exit_code=5
    )
    doc = render_report(result, ORIGINALS, None)
    banner = re.search(r'<div class="banner".*?</div>', doc, flags=re.S)
    assert banner is not None
    assert "pixels_changed_outside_masks = 7" in banner[0]
    assert "metadata_clean = false" in banner[0]


def test_jpeg_pages_and_image_checks() -> None:
    jpegs = (_jpeg((255, 255, 255)), _jpeg((0, 0, 0)))
    doc = render_report(_result(), jpegs, jpegs)
    assert doc.count('src="data:image/jpeg;base64,') == 4
    with pytest.raises(ValueError, match="neither PNG nor JPEG"):
        image_data_uri(b"GIF89a")
    with pytest.raises(ValueError, match="1 original page images for 2 pages"):
        render_report(_result(), ORIGINALS[:1], None)
    with pytest.raises(ValueError, match="blind page images"):
        render_report(_result(), ORIGINALS, BLINDS[:1])


def test_document_without_pages() -> None:
    result = _result(pages=(), exit_code=3, error="unsupported input", output_name=None)
    doc = render_report(result, (), None)
    assert "无页面 / no pages" in doc and "unsupported input" in doc
    assert _parse(doc).stack == []
