"""Partly hidden IDs, phones and cards, a name beside an ID number and a pinyin name in capitals,
drawn with PIL on a page that is then tilted or turned: every ink pixel of those items is black
in the blind copy, the labels and ordinary words keep their pixels."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from service.config import Options
from service.pipeline.run import redact_document

pytestmark = pytest.mark.ocr

#: (text, identifying) segments of each line
LINES: list[list[tuple[str, bool]]] = [
    [("车次 D6262   二等座   ¥39.5元", False)],
    [("3604211990****2417", True), ("  ", False), ("汤钦枞", True)],
    [("手机：", False), ("138****1234", True)],
    [("卡号：", False), ("6222 **** **** 1234", True)],
    [("Passenger: ", False), ("ZHANGQIWEI", True)],
    [("限乘当日当次车", False)],
]


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(pymupdf.Font("cjk").buffer), size)


def _draw(angle: float) -> tuple[Image.Image, np.ndarray, np.ndarray]:
    """The page (RGB) and boolean layers of identifying and ordinary ink, turned by ``angle``."""
    size = (1500, 760)
    page, secret, plain = (Image.new("L", size, c) for c in (255, 0, 0))
    dp, ds, dk = (ImageDraw.Draw(im) for im in (page, secret, plain))
    font = _font(44)
    y = 60
    for line in LINES:
        x = 80.0
        for text, identifying in line:
            dp.text((x, y), text, font=font, fill=0)
            (ds if identifying else dk).text((x, y), text, font=font, fill=255)
            x += font.getlength(text)
        y += 105
    turned = [
        im.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)
        for im, fill in ((page, 255), (secret, 0), (plain, 0))
    ]
    ink = np.asarray(turned[0]) < 110
    return (
        turned[0].convert("RGB"),
        ink & (np.asarray(turned[1]) > 128),
        ink & (np.asarray(turned[2]) > 128),
    )


@pytest.mark.parametrize(
    "angle", [0.0, 6.0, 15.0, 94.0], ids=["upright", "tilted", "steep", "turned-tilted"]
)
def test_identifier_ink_is_masked_on_tilted_lines(tmp_path: Path, angle: float) -> None:
    page, secret, plain = _draw(angle)
    src = tmp_path / "ticket.png"
    page.save(src)
    result = redact_document(src, tmp_path / "out", Options(jobs=1))
    assert result.exit_code == 0, result.error
    blind = np.asarray(Image.open(tmp_path / "out" / "ticket.blind.png").convert("L"))
    orig = np.asarray(page.convert("L"))
    assert secret.sum() > 2000 and plain.sum() > 2000
    covered = float((blind[secret] < 40).mean())
    assert covered >= 0.99, f"{covered:.3f} of the identifying ink is masked"
    kept = float((np.abs(blind[plain].astype(int) - orig[plain].astype(int)) < 10).mean())
    assert kept >= 0.9, f"only {kept:.3f} of the ordinary ink kept"


@pytest.mark.parametrize("turn", [90, -90], ids=["reads-upwards", "reads-downwards"])
def test_sideways_line_on_an_upright_page(tmp_path: Path, turn: int) -> None:
    """A ticket pasted sideways into an upright page (a collage): the line standing up the
    right margin is read whichever way it runs, and its ink is masked."""
    page, secret, _plain = _draw(0.0)
    font = _font(40)
    strip, strip_secret = Image.new("L", (760, 60), 255), Image.new("L", (760, 60), 0)
    for im, fill in ((strip, 0), (strip_secret, 255)):
        ImageDraw.Draw(im).text((5, 5), "3604211990****2417  汤钦枞", font=font, fill=fill)
    strip, strip_secret = (im.rotate(turn, expand=True) for im in (strip, strip_secret))
    wide = Image.new("L", (page.width + 120, page.height), 255)
    wide.paste(page.convert("L"), (0, 0))
    wide.paste(strip, (page.width + 20, 0))
    layer = Image.new("L", wide.size, 0)
    layer.paste(strip_secret, (page.width + 20, 0))
    src = tmp_path / "collage.png"
    wide.convert("RGB").save(src)
    result = redact_document(src, tmp_path / "out", Options(jobs=1))
    assert result.exit_code == 0, result.error
    blind = np.asarray(Image.open(tmp_path / "out" / "collage.blind.png").convert("L"))
    ink = np.asarray(wide) < 110
    side = ink & (np.asarray(layer) > 128)
    assert side.sum() > 1000
    covered = float((blind[side] < 40).mean())
    assert covered >= 0.99, f"{covered:.3f} of the sideways line's identifying ink is masked"
    upright = np.zeros_like(side)
    upright[:, : page.width] = secret
    assert float((blind[upright] < 40).mean()) >= 0.99
