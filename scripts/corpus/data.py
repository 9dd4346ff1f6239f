"""Read-only access to the shared test data (surnames, administrative divisions, faces).

The data live in ``../shared/data`` beside the repository (override with the environment
variable ``MANGSHEN_SHARED_DATA``). They are for internal testing only and are read at run time,
never copied into the repository.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_PLACEHOLDER_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_SKIP_AREA_WORDS = (
    "开发区",
    "示范区",
    "园区",
    "管理区",
    "管委会",
    "新城",
    "群岛",
    "委员会",
    "实验区",
)
# Single-face portraits that look like ID photos (files in shared/data/faces).
_PORTRAITS = (
    "hivision_test1.jpg",
    "hivision_test3.jpg",
    "hivision_test4.jpg",
    "faceai_stone.png",
    "faceai_ag.png",
    "faceai_ag-2.png",
    "faceai_meinv.png",
    "fairface_race_Asian.jpg",
    "lfw_Wu_Yi.jpg",
    "lfw_Gong_Li.jpg",
    "lfw_Yao_Ming.jpg",
    "lfw_Zhang_Ziyi.jpg",
)


def shared_data_dir() -> Path:
    env = os.environ.get("MANGSHEN_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


#: redistributable copies shipped in the repo (redaction_rules/data/SOURCES.md)
BUNDLED = Path(__file__).resolve().parents[2] / "redaction_rules" / "data"


def _rows(*parts: str) -> list[dict[str, str]]:
    path = shared_data_dir().joinpath(*parts)
    if not path.is_file():
        path = BUNDLED / parts[-1]
    if not path.is_file():
        raise FileNotFoundError(
            f"test data missing: {'/'.join(parts)} (set MANGSHEN_SHARED_DATA to the data folder)"
        )
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True, slots=True)
class City:
    code: str
    name: str  # 呼和浩特市 / 延边朝鲜族自治州 / 北京市 (for municipalities)
    province: str
    areas: tuple[str, ...]  # county-level names
    area_codes: tuple[str, ...]


@lru_cache(maxsize=1)
def surnames() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Surnames with sampling weights: the frequency list plus the 百家姓 compounds."""
    names: dict[str, float] = {}
    for row in _rows("lexicons", "surnames_freq.csv"):
        s = row["surname"].strip()
        if s and s not in {"殴阳", "夏候", "冷狐"}:
            names[s] = max(float(row["tf"] or 1), 1.0)
    for row in _rows("lexicons", "surnames_baijiaxing.csv"):
        s = row["surname"].strip()
        if row["type"] == "compound":
            names[s] = max(names.get(s, 0.0), 40.0)
        else:
            names.setdefault(s, 2.0)
    keys = tuple(names)
    return keys, tuple(names[k] for k in keys)


@lru_cache(maxsize=1)
def provinces() -> dict[str, str]:
    return {r["code"]: r["name"] for r in _rows("regions", "provinces.csv")}


@lru_cache(maxsize=1)
def cities() -> tuple[City, ...]:
    provs = provinces()
    areas: dict[str, list[tuple[str, str]]] = {}
    for r in _rows("regions", "areas.csv"):
        name = r["name"]
        if name in _PLACEHOLDER_CITIES or any(w in name for w in _SKIP_AREA_WORDS):
            continue
        if not name.endswith(("区", "县", "市", "旗")):
            continue
        areas.setdefault(r["cityCode"], []).append((r["code"], name))
    out: list[City] = []
    for r in _rows("regions", "cities.csv"):
        got = areas.get(r["code"])
        if not got:
            continue
        prov = provs[r["provinceCode"]]
        name = r["name"]
        if name in _PLACEHOLDER_CITIES:
            if r["code"][2:] != "01" or not prov.endswith("市"):
                continue  # 省直辖县级行政区划 etc.
            name = prov  # municipality: 北京市 → its districts
        out.append(
            City(
                code=r["code"],
                name=name,
                province=prov,
                areas=tuple(a[1] for a in got),
                area_codes=tuple(a[0] for a in got),
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def streets_by_area() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for r in _rows("regions", "streets.csv"):
        out.setdefault(r["areaCode"], []).append(r["name"])
    return {k: tuple(v) for k, v in out.items()}


def portrait_files() -> list[Path]:
    """ID-photo-like portraits; falls back to any image listed in faces/index.csv."""
    base = shared_data_dir() / "faces"
    found = [base / name for name in _PORTRAITS if (base / name).is_file()]
    if found or not (base / "index.csv").is_file():
        return found  # empty without the shared photos: the generator draws portraits
    rows = _rows("faces", "index.csv")
    return [base / r["file"] for r in rows if (base / r["file"]).is_file()]


#: non-face pictures used where a photo could be; pictures of text (signs, pages, ID backs) excluded:
#: their text is read and judged like any other text
_NONFACE_SKIP = ("text", "multi-line", "easyocr_", "page", "passporteye_")


def nonface_files() -> list[Path]:
    """Pictures without a face (imaging-like textures, scenes) from shared/data/nonfaces."""
    base = shared_data_dir() / "nonfaces"
    if not base.is_dir():
        return []
    return sorted(
        p for p in base.iterdir()
        if p.suffix.lower() in (".jpg", ".jpeg", ".png") and not any(k in p.name for k in _NONFACE_SKIP)
    )
