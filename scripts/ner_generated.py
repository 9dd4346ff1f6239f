#!/usr/bin/env python3
"""Sentences in the style of application materials, with their entities, for NER training.

The public corpora are news, resumes and posts; forms, certificates and case records look
otherwise (table cells, ``姓名：`` labels, names with no context, unit names with departments,
home addresses down to the room). :func:`generate` draws such lines from templates filled by the
corpus generator (``scripts/corpus``: people, hospitals, workplaces, addresses from the repo's
division and street lists) with given-name characters sampled from the person names of the
corpora's *training* parts, so names are not limited to the generator's own short list.

Entities are ``(start, end, category, label)`` like ``scripts/ner_corpora``; units are
``organization``, addresses and places ``place`` (the model has one location label).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from scripts.corpus import data
from scripts.corpus.generic import (
    GENERIC_UNITS,
    HARD_DISEASES,
    home_address,
    place_word,
    referring_hospital,
    workplace,
)
from scripts.corpus.identity import _DEPARTMENTS, _TITLES, make_person, make_position, make_unit
from scripts.ner_corpora import TRAIN_CORPORA, Entity, Sentence, read, split

Piece = str | tuple[str, str]
#: the dev carve-out: the last 5 % of each training part, at most DEV_MAX sentences
DEV_SHARE = 0.05
DEV_MAX = 500

_LABELS = ("姓名", "申报人", "患者", "联系人", "签名", "医师签名", "审核人", "负责人", "导师",
           "证明人", "经治医师", "主治医师", "填表人", "推荐人", "作者", "通讯作者", "项目负责人")  # fmt: skip
_O_LINES = (
    "主任医师", "副主任医师", "性别：男", "性别：女", "民族：汉族", "学历：本科", "职称：主治医师",
    "诊断：", "现病史：", "既往史：无特殊", "体格检查：", "日期：", "（盖章）", "年 月 日",
    "专业技术职务任职资格评审表", "继续教育证明", "病历记录", "出院记录", "手术记录", "本人签字",
    "单位意见", "审核意见：同意", "同意推荐", "以上情况属实", "特此证明", "工作单位", "家庭住址",
)  # fmt: skip


class Generator:
    def __init__(self, rng: random.Random, given_chars: Sequence[str]) -> None:
        self.rng = rng
        self.given = given_chars or ("伟",)

    def name(self) -> str:
        r = self.rng
        if r.random() < 0.5:
            return make_person(r).name  # the generator's own names (minority names too)
        names, weights = data.surnames()
        sur = r.choices(names, weights=weights)[0]
        return sur + "".join(r.choice(self.given) for _ in range(r.choice((1, 2, 2, 2))))

    def unit(self) -> str:
        r = self.rng
        k = r.randrange(4)
        if k == 0:
            return make_unit(r).name
        if k == 1:
            return workplace(r)
        if k == 2:
            return referring_hospital(r)
        return make_unit(r).health_commission

    def address(self) -> str:
        r = self.rng
        return home_address(r) if r.random() < 0.7 else make_unit(r).address

    def templates(self) -> list[Callable[[], list[Piece]]]:
        r = self.rng
        n, u, a = self.name, self.unit, self.address

        def dept() -> str:
            return r.choice(_DEPARTMENTS)

        def title() -> str:
            return r.choice(_TITLES)

        def year() -> str:
            return str(r.randint(1985, 2024))

        def sep() -> str:
            return r.choice(("：", ":", "： ", " ", "  "))

        return [
            lambda: [r.choice(_LABELS), sep(), (n(), "person")],
            lambda: [(n(), "person")],
            lambda: [(n(), "person"), r.choice(("  男  ", " 女 ", "\t")), f"{r.randint(25, 80)}岁"],
            lambda: ["工作单位", sep(), (u(), "organization")],
            lambda: [(u(), "organization")],
            lambda: [(u(), "organization"), dept()],
            lambda: [(u(), "organization"), "（盖章）"],
            lambda: [r.choice(("家庭住址", "住址", "现住址", "通讯地址", "单位地址")), sep(), (a(), "place")],
            lambda: [(a(), "place")],
            lambda: [(n(), "person"), "，", r.choice("男女"), "，", year(), "年出生，现任",
                     (u(), "organization"), dept(), title(), "。"],
            lambda: ["兹证明", (n(), "person"), "同志系我院", dept(), title(), "，特此证明。"],
            lambda: [(n(), "person"), "同志于", year(), "年在", (u(), "organization"), "进修学习。"],
            lambda: ["患者", (n(), "person"), "，", r.choice("男女"), "，", str(r.randint(18, 90)),
                     "岁，因", r.choice(HARD_DISEASES), "入院，住址：", (a(), "place"), "。"],
            lambda: ["患者于", year(), "年在", (u(), "organization"), "诊断为", r.choice(HARD_DISEASES),
                     "，转入", r.choice(GENERIC_UNITS), "治疗。"],
            lambda: [r.choice(("编委", "参编", "作者", "成员")), "：",
                     *[p for _ in range(r.randint(2, 5)) for p in ((n(), "person"), "、")][:-1]],
            lambda: [(n(), "person"), " ", (u(), "organization"), " ", title()],
            lambda: [(n(), "person"), sep(), (u(), "organization"), dept(), sep(), title()],
            lambda: ["来自", (place_word(r), "place"), "的", (n(), "person"), "医生"],
            lambda: [(u(), "organization"), dept(), (n(), "person"), title()],
            lambda: [r.choice(_O_LINES)],
            lambda: [make_position(r, make_unit(r))],
            lambda: [r.choice(_O_LINES), sep(), r.choice(_O_LINES)],
            lambda: ["联系人：", (n(), "person"), "  电话：", f"1{r.randint(3, 9)}{r.randint(10**8, 10**9 - 1)}"],
            lambda: ["出生地", sep(), (place_word(r), "place"), "  籍贯", sep(), (place_word(r), "place")],
        ]

    def sentence(self, templates: list[Callable[[], list[Piece]]]) -> Sentence:
        pieces = self.rng.choice(templates)()
        text = ""
        ents: list[Entity] = []
        for p in pieces:
            if isinstance(p, tuple):
                ents.append((len(text), len(text) + len(p[0]), p[1], p[1]))
                text += p[0]
            else:
                text += p
        return text, ents


def given_name_chars(sentences: list[Sentence]) -> list[str]:
    """Given-name characters (with repeats: the sampling follows their frequency) of the Chinese
    person names of ``sentences`` (a training part)."""
    out: list[str] = []
    for text, ents in sentences:
        for s, e, cat, _lab in ents:
            name = text[s:e]
            if cat == "person" and 2 <= len(name) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in name):
                out.extend(name[1:])
    return out


def generate(n: int, seed: int, given_chars: Sequence[str]) -> list[Sentence]:
    gen = Generator(random.Random(seed), given_chars)
    templates = gen.templates()
    return [gen.sentence(templates) for _ in range(n)]


def dev_carve(train_part: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    """``(fit, dev)`` of one corpus's training part."""
    n_dev = min(DEV_MAX, max(1, int(len(train_part) * DEV_SHARE)))
    return train_part[:-n_dev], train_part[-n_dev:]


def load_parts(
    seed: int, generated: int, limit: int = 0
) -> tuple[dict[str, list[Sentence]], dict[str, list[Sentence]]]:
    """Training sentences and the dev carve-out per corpus (``generated`` included; the
    validation split, the last 1,000 sentences of each file, is never read)."""
    fit: dict[str, list[Sentence]] = {}
    dev: dict[str, list[Sentence]] = {}
    for corpus in TRAIN_CORPORA:
        train_part, _validation = split(read(corpus))
        if limit:
            train_part = train_part[-limit:]
        f, d = dev_carve(train_part)
        fit[corpus] = f
        dev[corpus] = d
        print(f"{corpus}: {len(f)} training sentences, {len(d)} dev", flush=True)
    gen = generate(generated, seed, given_name_chars([s for f in fit.values() for s in f]))
    n_dev = min(DEV_MAX, len(gen) // 20)
    fit["generated"] = gen[n_dev:]
    dev["generated"] = gen[:n_dev]
    print(f"generated: {len(gen) - n_dev} training sentences, {n_dev} dev", flush=True)
    return fit, dev


if __name__ == "__main__":
    for text, ents in generate(30, 1, list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞")):
        print(text, [(text[s:e], c) for s, e, c, _ in ents])
