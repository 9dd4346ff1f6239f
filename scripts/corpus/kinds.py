"""The document kinds and their builders (one A4 page each)."""

from __future__ import annotations

import random
from collections.abc import Callable

from scripts.corpus import kinds_cert, kinds_clinical, kinds_misc
from scripts.corpus.canvas import Canvas
from scripts.corpus.identity import Identity

Builder = Callable[[Canvas, Identity, random.Random], None]

BUILDERS: dict[str, Builder] = {
    "qualification_cert": kinds_cert.qualification_cert,  # 医师资格证书
    "practice_cert": kinds_cert.practice_cert,  # 医师执业证书
    "award_cert": kinds_cert.award_cert,  # 获奖证书 / 荣誉证书
    "paper": kinds_misc.paper,  # 论文首页
    "case_first_page": kinds_clinical.case_first_page,  # 住院病案首页
    "progress_note": kinds_clinical.progress_note,  # 病程记录
    "workload": kinds_clinical.workload,  # 工作量统计表
    "appraisal": kinds_misc.appraisal,  # 年度考核登记表
}
KINDS: tuple[str, ...] = tuple(BUILDERS)
LABELS: dict[str, str] = {
    "qualification_cert": "医师资格证书",
    "practice_cert": "医师执业证书",
    "award_cert": "获奖证书",
    "paper": "论文首页",
    "case_first_page": "住院病案首页",
    "progress_note": "病程记录",
    "workload": "工作量统计表",
    "appraisal": "年度考核登记表",
}


def build_canvas(kind: str, ident: Identity, rng: random.Random) -> Canvas:
    if kind not in BUILDERS:
        raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")
    cv = Canvas()
    BUILDERS[kind](cv, ident, rng)
    return cv
