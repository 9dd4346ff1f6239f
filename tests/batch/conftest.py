"""A small applicant folder tree for batch tests (born-digital pages and one tiny image).

    in/
      张三/申报表.pdf            profile 张三.json (its "other" item is only found through it)
      张三/证书/证书.pdf          nested: still 张三's profile (nearest ancestor with a profile)
      李四/论文.pdf              profile 李四.json is malformed → exit 2, others go on
      王五/扫描.png              no profile; OCR'd (a 334×134 px image, ~1 s)
      损坏.pdf                   not a PDF → exit 3
      notes.txt, .hidden.pdf    not inputs
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pymupdf
import pytest

from tests.conftest import new_pdf, save_pdf

PROJECT_CODE = "XK2024丙"
PROFILE_A = {"person": ["张三丰"], "other": [PROJECT_CODE]}
LINES_A = ["申报人：张三丰", "联系电话：13800138000", f"项目代号：{PROJECT_CODE}"]
NEUTRAL = ["项目名称：慢性病管理的临床研究", "研究内容：随访方案与质量控制"]


@dataclass(frozen=True)
class Tree:
    root: Path
    inp: Path
    out: Path
    profiles: Path


def build_tree(root: Path, image: bool = True) -> Tree:
    inp, profiles = root / "in", root / "profiles"
    for d in (inp / "张三" / "证书", inp / "李四", inp / "王五", profiles):
        d.mkdir(parents=True, exist_ok=True)
    save_pdf(new_pdf(LINES_A), inp / "张三" / "申报表.pdf")
    save_pdf(new_pdf(NEUTRAL), inp / "张三" / "证书" / "证书.pdf")
    save_pdf(new_pdf(NEUTRAL), inp / "李四" / "论文.pdf")
    if image:
        doc = new_pdf(LINES_A)
        doc[0].get_pixmap(dpi=60, clip=pymupdf.Rect(0, 60, 400, 220)).save(inp / "王五" / "扫描.png")
        doc.close()
    (inp / "损坏.pdf").write_bytes(b"this is not a PDF at all\n" * 10)
    (inp / "notes.txt").write_text("operator notes", encoding="utf-8")
    save_pdf(new_pdf(NEUTRAL), inp / ".hidden.pdf")
    (profiles / "张三.json").write_text(json.dumps(PROFILE_A, ensure_ascii=False), encoding="utf-8")
    (profiles / "李四.json").write_text('{"person": ["李四"', encoding="utf-8")
    return Tree(root, inp, root / "out", profiles)


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return build_tree(tmp_path)
