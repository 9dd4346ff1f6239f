"""Certificates: 医师资格证书, 医师执业证书, 获奖证书."""

from __future__ import annotations

import random

from scripts.corpus import generic as gen
from scripts.corpus import hidden
from scripts.corpus import medical as med
from scripts.corpus.canvas import RED, Canvas, E, Item, K
from scripts.corpus.fmt import border
from scripts.corpus.identity import Identity, digits, make_person, province_short


def _person_rows(ident: Identity) -> list[list[Item]]:
    p = ident.person
    y, m, d = p.birth.split("-")
    return [
        ["姓    名：", E(p.name, "person", True)],
        ["性    别：", p.gender],
        ["出生日期：", f"{y}年{m}月{d}日"],
        ["身份证号：", E(p.id_number, "id_number", True)],
    ]


def _field_rows(
    cv: Canvas, x: float, y: float, rows: list[list[Item]], size: float = 12.5, step: float = 30.0
) -> float:
    for row in rows:
        cv.text(x, y, row, size)
        y += step
    return y


def _school(ident: Identity, rng: random.Random) -> str:
    u = ident.coauthor_units[0]
    style = rng.randrange(3)
    if style == 0:
        return f"{u.city_short}医学院"
    if style == 1:
        return f"{province_short(u.province)}医科大学"
    return f"{province_short(u.province)}医科大学{u.city_short}临床医学院"


def qualification_cert(cv: Canvas, ident: Identity, rng: random.Random) -> None:
    border(cv)
    cv.text(cv.width / 2, 105, K("中华人民共和国"), 16, align="center")
    cv.text(cv.width / 2, 150, K("医师资格证书"), 30, RED, align="center")
    cv.text(cv.width / 2, 180, "Physician Qualification Certificate", 11, align="center")
    cv.photo((420, 215, 510, 335), rng)
    year = ident.qualification_no[:4]
    rows: list[list[Item]] = [
        *_person_rows(ident),
        ["资格级别：", K("执业医师")],
        ["类    别：", K("临床")],
        ["毕业学校：", E(_school(ident, rng), "organization")],
        ["管理号码：", E(ident.qualification_no, "identifier", False)],
        ["签发日期：", K(f"{year}年12月{rng.randint(1, 28)}日")],
    ]
    y = _field_rows(cv, 80, 240, rows)
    y = cv.para(
        80,
        y + 10,
        430,
        ["    经国家医师资格考试合格，取得", K("执业医师"), "资格，特发此证。"],
        12.5,
        1.8,
    )
    cv.para(
        80,
        y + 4,
        430,
        [
            "本证书由",
            K("中华人民共和国国家卫生健康委员会"),
            "统一印制，在全国范围内有效。查询请登录",
            K("国家卫生健康委员会"),
            "网站。",
        ],
        10,
        1.7,
    )
    cv.text(330, 700, "签发机关：", 12.5)
    cv.text(330, 724, E(ident.unit.health_commission, "organization"), 12.5)
    cv.seal(400, 700, ident.unit.health_commission, rng)
    side = rng.uniform(40, 95)
    cv.qrcode(70, 732 - side, side, f"https://zgcx.nhc.gov.cn/cert?no={ident.qualification_no}")
    cv.text(70, 750, K("扫码验证"), 9)


def practice_cert(cv: Canvas, ident: Identity, rng: random.Random) -> None:
    border(cv, color=(0.1, 0.25, 0.45))
    cv.text(cv.width / 2, 120, K("医师执业证书"), 30, (0.1, 0.25, 0.45), align="center")
    cv.photo((420, 160, 510, 280), rng)
    rows: list[list[Item]] = [
        *_person_rows(ident),
        ["执业类别：", K("临床")],
        ["执业范围：", K(rng.choice(("内科专业", "外科专业", "儿科专业", "急救医学专业")))],
        ["执业地点：", E(ident.unit.city, "place", True)],
        ["主要执业机构：", E(ident.unit.name, "organization", True)],
        ["证书编码：", E(ident.practice_no, "identifier")],
        ["医师资格证书编码：", E(ident.qualification_no, "identifier")],
    ]
    y = _field_rows(cv, 75, 185, rows, 12.0, 29.0)
    cv.text(75, y + 10, "变更注册记录：", 11)
    ymd = med.date(rng, 2016, 2023)
    cv.table(
        75,
        y + 22,
        [110, 210, 125],
        [
            ["日期", "变更事项", "审批机关"],
            [
                K(ymd),
                ["执业地点变更为", E(ident.unit.name, "organization", True)],
                E(ident.unit.health_commission, "organization"),
            ],
            [
                K(med.date(rng, 2018, 2024)),
                ["增加备案执业机构", E(gen.referring_hospital(rng), "organization")],
                E(ident.unit.health_commission, "organization"),
            ],
        ],
        24,
        9.5,
    )
    cv.text(330, 720, "发证机关：", 12)
    cv.text(330, 744, E(ident.unit.health_commission, "organization"), 12)
    cv.text(330, 768, ["发证日期：", med.date(rng, 2015, 2023)], 11)  # under the seal
    cv.seal(405, 728, ident.unit.health_commission, rng)


def award_cert(cv: Canvas, ident: Identity, rng: random.Random) -> None:
    border(cv, 24, (0.75, 0.55, 0.1))
    title = rng.choice(("荣誉证书", "获奖证书"))
    cv.text(cv.width / 2, 170, K(title), 34, RED, align="center")
    year = rng.randint(2017, 2023)
    u = ident.unit
    if title == "荣誉证书":
        _honour(cv, ident, rng, year)
        return
    topic = rng.choice(med.PAPER_TOPICS)
    society = rng.choice(
        (f"{u.city}医学会", f"{province_short(u.province)}医学会", f"{u.city}医师协会")
    )
    award = rng.choice(med.AWARDS)
    level = rng.choice(med.AWARD_LEVELS)
    rank = rng.randint(1, 5)
    y = cv.para(90, 270, 415, [E(ident.person.name, "person", True), " 同志："], 15, 2.0)
    y = cv.para(
        90,
        y + 10,
        415,
        [
            "    您参与完成的“",
            K(f"{topic[1]}在{topic[0]}{topic[2]}评估中的应用研究"),
            "”项目，荣获",
            K(f"{year}年度"),
            E(society, "organization"),
            K(f"{award}{level}"),
            "（第",
            str(rank),
            "完成人）。特发此证，以资鼓励。",
        ],
        15,
        2.0,
    )
    cv.text(
        90,
        y + 20,
        [
            "完成单位：",
            E(u.name, "organization", True),
            "、",
            E(ident.coauthor_units[0].name, "organization"),
        ],
        12,
    )
    others = [c.name for c in ident.colleagues[:3]]
    items: list[Item] = ["主要完成人："]
    names = [*others[: rank - 1], ident.person.name, *others[rank - 1 :]]
    for i, n in enumerate(names):
        if i:
            items.append("、")
        items.append(E(n, "person", n == ident.person.name))
    cv.text(90, y + 48, items, 12)
    cv.text(90, y + 76, ["证书编号：", E(f"YXKJ-{year}-{digits(rng, 4)}", "identifier")], 12)
    _caps_name(cv, ident, y + 104)
    cv.text(370, 690, E(society, "organization"), 14)
    cv.text(385, 716, f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日", 12)  # sealed
    cv.seal(425, 690, society, rng, 48)
    if rng.random() < 0.3:  # a seal stamped across the edge (骑缝章): only part of it on this page
        cv.seal(cv.width - rng.uniform(-5, 25), rng.uniform(300, 600), society, rng, 40)


def _caps_name(cv: Canvas, ident: Identity, y: float) -> None:
    """Half of the certificates print the holder's pinyin name joined in capitals
    (ZHANGQIWEI), alone or after an English label."""
    p = ident.person
    hid = hidden.rng_for(p, "caps")
    if p.style != "han" or hid.random() < 0.5:
        return
    label = hid.choice(("", "Name: ", "Holder: "))
    cv.text(90, y, [label, E(hidden.caps_joined(p), "person", True)], 12)


_HONOURS = ("优秀医师", "优秀共产党员", "医德标兵", "先进工作者", "优秀带教老师", "抗疫先进个人")


def _honour(cv: Canvas, ident: Identity, rng: random.Random, year: int) -> None:
    """兹授予 XXX 同志“优秀医师”荣誉称号: issued by a health commission or a society."""
    u = ident.unit
    issuer = rng.choice((u.health_commission, f"{u.city}医学会", f"{u.city}医师协会"))
    honour = rng.choice(_HONOURS)
    y = cv.para(
        90,
        280,
        415,
        [
            "    兹授予 ",
            E(ident.person.name, "person", True),
            " 同志",
            K(f"{year}年度"),
            "“",
            K(honour),
            "”荣誉称号。",
        ],
        16,
        2.0,
    )
    y = cv.para(
        90,
        y + 6,
        415,
        [
            "    该同志在",
            E(u.name, "organization", True),
            K(ident.department),
            "工作期间，在科主任",
            E(ident.colleagues[0].name, "person"),
            "（",
            *gen.positions_of(rng, ident.coauthor_units[0], 1),
            "）带领下多次赴",
            E(gen.place_word(rng), "place"),
            "等地开展巡回医疗，并协助",
            E(gen.referring_hospital(rng), "organization"),
            "建立",
            K("胸痛中心"),
            "。特发此证，以资鼓励。",
        ],
        13,
        2.0,
    )
    peer = make_person(rng, 1965, 1990)
    cv.para(
        90,
        y + 10,
        415,
        [
            "同时受表彰：",
            E(peer.name, "person"),
            "（",
            E(
                gen.workplace(rng) if rng.random() < 0.3 else gen.referring_hospital(rng),
                "organization",
            ),
            "）",
        ],
        12,
        1.8,
    )
    cv.text(90, 610, ["证书编号：", E(f"RY{year}{digits(rng, 5)}", "identifier")], 12)
    _caps_name(cv, ident, 638)
    cv.text(360, 690, E(issuer, "organization"), 14)
    cv.text(385, 716, f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日", 12)  # sealed
    cv.seal(425, 690, issuer, rng, 48)
