"""The auditors' diff report ``<stem>.report.html``: one self-contained HTML file.

Per page it shows the original and the blind copy side by side with numbered boxes coloured by
category, then a table of every masked region (with the original snippet: the report is for the
applicant and the auditors, never for reviewers), the verification results and the warnings.

The file works offline and loads nothing: page images are inlined as ``data:`` URIs, CSS and
JavaScript are inlined from ``templates/``, and a Content-Security-Policy forbids every other
source. All text from the document is HTML-escaped; ``://`` is written as ``&#58;//`` so that no
URL (e.g. a masked ``url`` snippet) appears literally in the file.

Box positions are percentages of the page size (``Region.bbox`` in page units against
``PageResult.width``/``height``), so they fit page images rendered at any scale.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from string import Template

from service.types import CATEGORIES, BBox, PageResult, Region, Result

CATEGORY_LABELS: dict[str, str] = {
    "person": "人名",
    "organization": "单位",
    "place": "地名",
    "address": "地址",
    "phone": "电话",
    "id_number": "身份证号",
    "postal_code": "邮编",
    "email": "邮箱",
    "url": "网址",
    "position": "学术任职",
    "identifier": "编号",
    "other": "其他",
    "face": "照片",
    "seal": "印章",
    "signature": "签名",
    "qrcode": "二维码",
}

CATEGORY_COLOURS: dict[str, str] = {
    "person": "#e6194b",
    "organization": "#3cb44b",
    "place": "#4363d8",
    "address": "#f58231",
    "phone": "#911eb4",
    "id_number": "#0f9fb8",
    "postal_code": "#f032e6",
    "email": "#6b8e23",
    "url": "#469990",
    "position": "#9a6324",
    "identifier": "#800000",
    "other": "#808000",
    "face": "#000075",
    "seal": "#b8860b",
    "signature": "#2f4f4f",
    "qrcode": "#708090",
}
_UNKNOWN_COLOUR = "#555555"

_PASS = '<span class="badge pass">通过 / pass</span>'
_FAIL = '<span class="badge fail">未通过 / fail</span>'
_DASH = "—"


@dataclass(frozen=True, slots=True)
class _Numbered:
    """A region with its document-wide number (1..N) and its page."""

    number: int
    page: PageResult
    region: Region


def render_report(
    result: Result, originals: Sequence[bytes], blinds: Sequence[bytes] | None
) -> str:
    """Render the report for one input.

    ``originals[i]`` and ``blinds[i]`` are PNG or JPEG renders of page ``i`` at the same scale.
    ``blinds`` is ``None`` when no blind copy was released: only the originals are shown, under
    a red banner with the reasons.
    """
    _check_image_counts(result, originals, blinds)
    per_page = _number_regions(result.pages)
    numbered = [n for page in per_page for n in page]
    passed = report_passed(result)
    return Template(_resource("report.html")).substitute(
        title=_esc(f"盲审报告 / Blind-review report — {result.input_name}"),
        css=_resource("report.css"),
        js=_resource("report.js"),
        header=_header(result, passed, len(numbered)),
        banner=_banner(result) if blinds is None or not passed else "",
        verification=_verification(result),
        warnings=_warnings(result),
        legend=_legend(numbered),
        pages=_pages(result, per_page, originals, blinds),
        table=_table(numbered),
    )


def report_passed(result: Result) -> bool:
    """The overall status shown in the header."""
    return result.exit_code == 0 and result.error is None and result.verification.passed


def box_percentages(bbox: BBox, page: PageResult) -> tuple[float, float, float, float]:
    """``(left, top, width, height)`` of ``bbox`` in percent of the page, clipped to the page."""
    if page.width <= 0 or page.height <= 0:
        raise ValueError(f"page {page.index} has no size ({page.width} x {page.height})")
    b = bbox.clip(page.width, page.height)
    return (
        100.0 * b.x0 / page.width,
        100.0 * b.y0 / page.height,
        100.0 * max(0.0, b.width) / page.width,
        100.0 * max(0.0, b.height) / page.height,
    )


def image_data_uri(data: bytes) -> str:
    """A ``data:`` URI for PNG or JPEG bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        mime = "image/png"
    elif data.startswith(b"\xff\xd8\xff"):
        mime = "image/jpeg"
    else:
        raise ValueError("page image is neither PNG nor JPEG")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


# --- helpers -------------------------------------------------------------------------------


@cache
def _resource(name: str) -> str:
    return (files("service.report") / "templates" / name).read_text(encoding="utf-8")


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True).replace("://", "&#58;//")


def _check_image_counts(
    result: Result, originals: Sequence[bytes], blinds: Sequence[bytes] | None
) -> None:
    pages = len(result.pages)
    if len(originals) != pages:
        raise ValueError(f"{len(originals)} original page images for {pages} pages")
    if blinds is not None and len(blinds) != pages:
        raise ValueError(f"{len(blinds)} blind page images for {pages} pages")


def _number_regions(pages: Sequence[PageResult]) -> list[list[_Numbered]]:
    """Per page, its regions numbered through the whole document (1..N)."""
    out: list[list[_Numbered]] = []
    number = 0
    for page in pages:
        numbered = []
        for region in page.regions:
            number += 1
            numbered.append(_Numbered(number, page, region))
        out.append(numbered)
    return out


def _colour_vars(category: str) -> str:
    colour = CATEGORY_COLOURS.get(category, _UNKNOWN_COLOUR)
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"--c:{colour};--f:rgba({r},{g},{b},0.18)"


def _category_label(category: str) -> str:
    zh = CATEGORY_LABELS.get(category)
    return f"{zh} {_esc(category)}" if zh else _esc(category)


def _badge(ok: bool) -> str:
    return _PASS if ok else _FAIL


def _kv_table(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="kv">{body}</table>'


def _list(items: Sequence[str], cls: str) -> str:
    if not items:
        return '<p class="none">无 / none</p>'
    return f'<ul class="{cls}">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _mono(value: str | None) -> str:
    return f'<span class="mono">{_esc(value)}</span>' if value else _DASH


def _header(result: Result, passed: bool, n_regions: int) -> str:
    status = f"{_badge(passed)} 退出码 / exit code {result.exit_code}"
    output = _esc(result.output_name) if result.output_name else "— （未生成 / not released）"
    return _kv_table(
        [
            ("输入 / Input", _esc(result.input_name)),
            ("输入 SHA-256 / Input SHA-256", _mono(result.input_sha256)),
            ("输出 / Output", output),
            ("输出 SHA-256 / Output SHA-256", _mono(result.output_sha256)),
            ("策略 / Policy", _esc(result.policy)),
            ("页数 / Pages", str(len(result.pages))),
            ("遮盖区域 / Regions", str(n_regions)),
            ("处理时间 / Processing time", f"{result.seconds:.1f} s"),
            ("状态 / Status", status),
        ]
    )


def _failure_reasons(result: Result) -> list[str]:
    v = result.verification
    reasons = [_esc(p) for p in v.problems]
    if result.error:
        reasons.append(_esc(result.error))
    if not reasons:  # no explanation given: name the failed checks
        counters = [
            ("text_leaks", v.text_leaks),
            ("rescan_findings", v.rescan_findings),
            ("pixels_changed_outside_masks", v.pixels_changed_outside_masks),
        ]
        reasons = [f"{name} = {count}" for name, count in counters if count]
        if not v.metadata_clean:
            reasons.append("metadata_clean = false")
    return reasons


def _banner(result: Result) -> str:
    reasons = _failure_reasons(result)
    items = "".join(f"<li>{r}</li>" for r in reasons)
    return (
        '<div class="banner" role="alert"><strong>验证未通过，未生成盲审件 / '
        "Verification failed — no blind copy released</strong>"
        + (f"<ul>{items}</ul>" if items else "")
        + "</div>"
    )


def _verification(result: Result) -> str:
    v = result.verification
    checks = [
        ("文本泄漏 / text_leaks", str(v.text_leaks), v.text_leaks == 0),
        ("复扫发现 / rescan_findings", str(v.rescan_findings), v.rescan_findings == 0),
        (
            "遮盖区外像素变化 / pixels_changed_outside_masks",
            str(v.pixels_changed_outside_masks),
            v.pixels_changed_outside_masks == 0,
        ),
        (
            "元数据已清除 / metadata_clean",
            "true" if v.metadata_clean else "false",
            v.metadata_clean,
        ),
    ]
    items = "".join(
        f'<li>{name}: <span class="mono">{value}</span> {_badge(ok)}</li>'
        for name, value, ok in checks
    )
    problems = _list([_esc(p) for p in v.problems], "problems")
    return (
        f'<ul class="checks">{items}</ul><h3>问题 <span class="en">/ Problems</span></h3>{problems}'
    )


def _warnings(result: Result) -> str:
    items = [_esc(w) for w in result.warnings]
    for page in result.pages:
        items.extend(
            f"第 {page.index + 1} 页 / page {page.index + 1}: {_esc(w)}" for w in page.warnings
        )
    return _list(items, "warnings")


def _legend(numbered: Sequence[_Numbered]) -> str:
    counts: dict[str, int] = {}
    for n in numbered:
        counts[n.region.category] = counts.get(n.region.category, 0) + 1
    extra = sorted(c for c in counts if c not in CATEGORIES)
    items = "".join(
        f'<li data-toggle="{_esc(cat)}" title="点击显示/隐藏 · click to show/hide">'
        f'<span class="swatch" style="{_colour_vars(cat)}"></span>'
        f"{_category_label(cat)} ({counts.get(cat, 0)})</li>"
        for cat in (*CATEGORIES, *extra)
    )
    return (
        f'<ul class="legend">{items}</ul><p class="hint">点击图例可隐藏该类方框；悬停或点击方框与'
        "表格行互相高亮。 / Click a legend entry to hide its boxes; hover or click a box or a "
        "table row to highlight its counterpart.</p>"
    )


def _pages(
    result: Result,
    per_page: Sequence[Sequence[_Numbered]],
    originals: Sequence[bytes],
    blinds: Sequence[bytes] | None,
) -> str:
    if not result.pages:
        return '<p class="none">无页面 / no pages</p>'
    return "\n".join(
        _page(page, per_page[i], originals[i], None if blinds is None else blinds[i])
        for i, page in enumerate(result.pages)
    )


def _page(
    page: PageResult, regions: Sequence[_Numbered], original: bytes, blind: bytes | None
) -> str:
    no = page.index + 1
    rot = f"方向 / orientation {page.orientation}°"
    if page.orientation:
        rot = f'<span class="rot">{rot}（未摆正 / not upright）</span>'
    meta = [f"{page.width:g} × {page.height:g} {page.unit}", rot]
    if page.ocr_used:
        meta.append("OCR")
    meta.append(f"{len(regions)} 处 / regions")
    figures = _figure("原件 / Original", "original", original, regions, no)
    if blind is not None:
        figures += _figure("盲审件 / Blind copy", "blind", blind, regions, no)
    warnings = _list([_esc(w) for w in page.warnings], "warnings") if page.warnings else ""
    return (
        f'<section class="page" id="page-{no}"><h3>第 {no} 页 / Page {no}'
        f'<span class="meta">{" · ".join(meta)}</span></h3>{warnings}'
        f'<div class="pair">{figures}</div></section>'
    )


def _figure(caption: str, kind: str, image: bytes, regions: Sequence[_Numbered], no: int) -> str:
    alt = f"第 {no} 页{caption.split(' / ')[0]} / page {no} {kind}"
    boxes = "".join(_box(n) for n in regions)
    return (
        f'<figure class="side {kind}"><figcaption>{caption}</figcaption><div class="sheet">'
        f'<img src="{image_data_uri(image)}" alt="{alt}">{boxes}</div></figure>'
    )


def _box(n: _Numbered) -> str:
    left, top, width, height = box_percentages(n.region.bbox, n.page)
    r = n.region
    title = f"#{n.number} {_category_label(r.category)} · {_esc(r.rule)} · {r.score:.2f}"
    style = (
        f"left:{left:.3f}%;top:{top:.3f}%;width:{width:.3f}%;height:{height:.3f}%;"
        f"{_colour_vars(r.category)}"
    )
    return (
        f'<div class="box" data-region="{n.number}" data-cat="{_esc(r.category)}" '
        f'style="{style}" title="{title}"><span class="num">{n.number}</span></div>'
    )


def _table(numbered: Sequence[_Numbered]) -> str:
    if not numbered:
        return '<p class="none">未发现需遮盖的内容 / no regions</p>'
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "#",
            "页 / Page",
            "类别 / Category",
            "规则 / Rule",
            "分数 / Score",
            "来源 / Source",
            "原文 / Snippet",
            "文本哈希 / Text hash",
        )
    )
    return (
        f'<table class="regions"><thead><tr>{head}</tr></thead><tbody>'
        + "".join(_row(n) for n in numbered)
        + "</tbody></table>"
    )


def _row(n: _Numbered) -> str:
    r = n.region
    snippet = f'<span class="snippet">{_esc(r.snippet)}</span>' if r.snippet else _DASH
    digest = _mono(r.text_sha256[:12]) if r.text_sha256 else _DASH
    rule = f'<td title="{_esc(r.explanation)}">' if r.explanation else "<td>"
    return (
        f'<tr id="r{n.number}" data-region="{n.number}"><td class="n">{n.number}</td>'
        f'<td class="n">{n.page.index + 1}</td>'
        f'<td><span class="cat" style="{_colour_vars(r.category)}">'
        f"{_category_label(r.category)}</span></td>"
        f'{rule}<span class="mono">{_esc(r.rule)}</span></td>'
        f'<td class="n">{r.score:.2f}</td><td>{_esc(r.source)}</td>'
        f"<td>{snippet}</td><td>{digest}</td></tr>"
    )
