"""What colours an image's stored values show, and how to keep them without its ICC profile.

An embedded ICC profile is metadata like any other: its ``desc``/``cprt``/``dmnd``/``dmdd``
tags are free text (a scanner's or a person's name, a company), and a calibrated profile is
a fingerprint of one device. So no profile survives into a blind copy. What the viewer
showed must stay what it shows, so the choice per image (frame) is:

* ``none`` — no profile: nothing to do;
* ``srgb`` — the profile maps every colour to sRGB within one level (measured on a 17³ grid
  of RGB values or all 256 grey levels; the sRGB profiles of realdocs 05/15/25 move none by
  more than 1, LittleCMS rounding): dropped, pixels kept as stored — an untagged image is
  shown as sRGB, so it looks the same;
* ``converted`` — any other profile (Display P3 — realdocs 29, whose grid colours move by up
  to 112 levels and its pixels by up to 45 —, Adobe RGB, a scanner's calibration, CMYK
  press profiles): pixels are converted to sRGB with LittleCMS (``PIL.ImageCms``, the
  profile's own rendering intent), then the profile is dropped. Palette images have their
  palette converted; grey images stay grey (the sRGB result of a grey profile is neutral);
  CMYK becomes RGB. The manifest says so;
* ``dropped`` — a profile that cannot be used (damaged, or made for another colour space
  than the pixels): viewers ignore such a profile and show the stored values as sRGB, so
  dropping it changes nothing they show; the manifest says so.

We chose conversion over embedding a clean built-in profile because it leaves nothing to
verify but "no profile" (verification stays as strict as for an untagged image), and the
blind copy's colours do not depend on a viewer's colour management. Verification converts
the original with the same ``plan``/``to_srgb`` and compares that with the blind pixels, so
outside the masks nothing changes but the stated conversion.

Not handled: 16-bit grey (``I;16``) frames with a profile keep their stored values (the
profile is dropped, with a warning); PNG ``gAMA``/``cHRM`` chunks without ``iCCP`` are
dropped unconverted (Pillow does not write them).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from PIL import Image, ImageCms


class ColourAction(StrEnum):
    none = "none"
    srgb = "srgb"
    converted = "converted"
    dropped = "dropped"


@dataclass(frozen=True, slots=True)
class ColourPlan:
    action: ColourAction
    #: the profile's colour space as ICC names it ("RGB", "GRAY", "CMYK"), for warnings
    space: str = ""
    #: the rendering intent LittleCMS converts with (``converted`` only)
    intent: int = 0

    @property
    def changes_pixels(self) -> bool:
        return self.action is ColourAction.converted


#: pixel modes a profile of each ICC colour space applies to
_SPACE_MODES = {
    "RGB": {"RGB", "RGBA", "RGBX", "P", "PA"},
    "GRAY": {"L", "LA"},
    "CMYK": {"CMYK"},
}
#: a profile is sRGB when it moves no colour of the test grid by more than this
SRGB_LEVELS = 1
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def plan(im: Image.Image) -> ColourPlan:
    """What to do with the current frame's ICC profile (see the module docstring)."""
    icc = im.info.get("icc_profile")
    if not icc:
        return ColourPlan(ColourAction.none)
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = profile.profile.xcolor_space.strip()
        intent = int(profile.profile.rendering_intent)
    except Exception:
        return ColourPlan(ColourAction.dropped, "unreadable")
    if im.mode not in _SPACE_MODES.get(space, set()):
        return ColourPlan(ColourAction.dropped, space or "unknown")
    if intent not in (0, 1, 2, 3):
        intent = ImageCms.Intent.PERCEPTUAL
    try:
        if space != "CMYK" and _is_srgb(profile, space, intent):
            return ColourPlan(ColourAction.srgb, space)
        _transform(profile, _in_mode(space), intent)
    except Exception:  # LittleCMS cannot build a transform: viewers cannot either
        return ColourPlan(ColourAction.dropped, space)
    return ColourPlan(ColourAction.converted, space, intent)


def _in_mode(space: str) -> str:
    return {"RGB": "RGB", "GRAY": "L", "CMYK": "CMYK"}[space]


def _transform(profile: ImageCms.ImageCmsProfile, in_mode: str, intent: int) -> ImageCms.ImageCmsTransform:
    return ImageCms.buildTransform(profile, _SRGB, in_mode, "RGB", renderingIntent=ImageCms.Intent(intent))


def _is_srgb(profile: ImageCms.ImageCmsProfile, space: str, intent: int) -> bool:
    if space == "GRAY":
        grid = np.arange(256, dtype=np.uint8).reshape(16, 16)
        out = np.asarray(ImageCms.applyTransform(Image.fromarray(grid, "L"), _transform(profile, "L", intent)))
        expect = np.repeat(grid[:, :, None], 3, axis=2)
    else:
        levels = np.linspace(0, 255, 17).round().astype(np.uint8)
        r, g, b = np.meshgrid(levels, levels, levels, indexing="ij")
        expect = np.stack([r, g, b], axis=-1).reshape(17 * 17, 17, 3)
        out = np.asarray(ImageCms.applyTransform(Image.fromarray(expect, "RGB"), _transform(profile, "RGB", intent)))
    return int(np.abs(out.astype(np.int16) - expect.astype(np.int16)).max()) <= SRGB_LEVELS


def to_srgb(im: Image.Image, p: ColourPlan) -> Image.Image:
    """The frame as it is shown, in sRGB, without its profile (a new image when pixels or
    mode change; ``im`` itself, loaded, otherwise). Only ``converted`` changes pixels."""
    if not p.changes_pixels:
        return im
    icc = im.info["icc_profile"]
    profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    transform = _transform(profile, _in_mode(p.space), p.intent)
    info = {k: v for k, v in im.info.items() if k != "icc_profile"}
    if im.mode in ("P", "PA"):
        out = _convert_palette(im, transform)
    elif im.mode in ("RGBA", "LA"):
        base = im.convert(im.mode[:-1])
        out = _convert_plain(base, transform)
        out = Image.merge(out.mode + "A", (*out.split(), im.getchannel("A")))
    elif im.mode == "RGBX":
        out = _convert_plain(im.convert("RGB"), transform)
    else:
        out = _convert_plain(im, transform)
    out.info = info
    return out


def _convert_plain(im: Image.Image, transform: ImageCms.ImageCmsTransform) -> Image.Image:
    rgb = ImageCms.applyTransform(im, transform)
    assert rgb is not None
    if im.mode == "L":  # a grey profile maps greys to neutral sRGB greys
        return rgb.getchannel("G")
    return rgb


def _convert_palette(im: Image.Image, transform: ImageCms.ImageCmsTransform) -> Image.Image:
    out = im.copy()
    pal = out.getpalette() or []
    n = len(pal) // 3
    if n:
        colours = Image.frombytes("RGB", (n, 1), bytes(pal[: 3 * n]))
        converted = ImageCms.applyTransform(colours, transform)
        assert converted is not None
        out.putpalette(converted.tobytes())
    return out


def describe(p: ColourPlan) -> str | None:
    """A manifest warning for a plan that touched the colours or dropped a profile that
    was not sRGB (no identifying text: the profile's colour space only)."""
    if p.action is ColourAction.converted:
        return (
            f"the ICC colour profile ({p.space}) was removed and the pixels converted to sRGB: "
            "colours look the same, stored values differ everywhere"
        )
    if p.action is ColourAction.dropped:
        return (
            f"an ICC colour profile that does not fit the pixels ({p.space}) was removed; "
            "pixels kept as stored"
        )
    return None
