"""A journal paper's first page and an annual appraisal form (年度考核登记表)."""

from __future__ import annotations

import random

from scripts.corpus import generic as gen
from scripts.corpus import hidden
from scripts.corpus import medical as med
from scripts.corpus.canvas import BLACK, RED, Canvas, E, Item, Items, K, Seg, segs_of, text_width
from scripts.corpus.fmt import age, mobile_style
from scripts.corpus.identity import (
    Identity,
    Person,
    digits,
    make_person,
    make_position_pair,
    make_unit,
)

_DEPT_EN = {
    "心内科": "Department of Cardiology",
    "呼吸与危重症医学科": "Department of Respiratory Medicine",
    "消化内科": "Department of Gastroenterology",
    "内分泌科": "Department of Endocrinology",
    "神经内科": "Department of Neurology",
    "普外科": "Department of General Surgery",
    "骨科": "Department of Orthopedics",
    "儿科": "Department of Pediatrics",
    "妇产科": "Department of Obstetrics and Gynecology",
    "急诊科": "Department of Emergency",
    "重症医学科": "Department of Critical Care Medicine",
    "肾内科": "Department of Nephrology",
    "超声医学科": "Department of Ultrasound",
    "麻醉科": "Department of Anesthesiology",
}


_TITLE_EN = {
    "主任医师": "Chief Physician",
    "副主任医师": "Associate Chief Physician",
    "主治医师": "Attending Physician",
}


def _sup_line(
    cv: Canvas, cx: float, y: float, parts: list[tuple[Item, str]], sep: str, size: float
) -> None:
    """A centred author line with superscript affiliation marks: 王小明¹，李红²*."""
    small = size * 0.62
    total = sum(
        text_width(segs_of(item)[0][0], size) + text_width(sup, small) for item, sup in parts
    )
    total += text_width(sep, size) * (len(parts) - 1)
    x = cx - total / 2
    for i, (item, sup) in enumerate(parts):
        if i:
            x = cv.text(x, y, sep, size)
        x = cv.text(x, y, [item], size)
        x = cv.text(x + 0.3, y - size * 0.38, sup, small) if sup else x


def paper(cv: Canvas, ident: Identity, rng: random.Random) -> None:
    x0, w = 56.0, 483.0
    u1, u2 = ident.unit, ident.coauthor_units[0]
    dept2 = rng.choice(tuple(_DEPT_EN))
    year = rng.randint(2019, 2024)
    journal = rng.choice(med.JOURNALS)
    cv.text(
        x0,
        48,
        [
            K(journal),
            K(f" {year}年{rng.randint(1, 12)}月第{year - 1972}卷第{rng.randint(1, 12)}期"),
        ],
        8.5,
    )
    cv.line(x0, 54, x0 + w, 54, 0.8)
    topic = rng.choice(med.PAPER_TOPICS)
    y = cv.para(x0 + 20, 92, w - 40, [K(f"{topic[1]}与{topic[0]}{topic[2]}的相关性研究")], 16, 1.5)
    co = [make_person(rng, 1975, 1998) for _ in range(3)]
    single = rng.random() < 0.3  # every author from the applicant's unit
    authors: list[tuple[Person, str, bool]] = [(ident.person, "1", True)]
    authors += [(p, "1" if single else rng.choice("12"), False) for p in co]
    rng.shuffle(authors)
    corr = ident.person if rng.random() < 0.65 else co[0]
    zh_parts: list[tuple[Item, str]] = [
        (E(p.name, "person", prof), ("" if single else aff) + ("*" if p is corr else ""))
        for p, aff, prof in authors
    ]
    _sup_line(cv, cv.width / 2, y + 6, zh_parts, rng.choice(("，", "  ")), 11.5)
    dept1 = ident.department
    if single:
        aff_items = gen.cn_affiliation(u1, dept1, True)
    else:
        a1 = gen.cn_affiliation(u1, dept1, True)[1:-1]
        a2 = gen.cn_affiliation(u2, dept2)[1:-1]
        aff_items = ["（1. ", *a1, "；2. ", *a2, "）"]
    y = cv.para(x0 + 10, y + 26, w - 20, aff_items, 8.5, 1.6)
    corr_prof = corr is ident.person
    y = cv.para(
        x0 + 10,
        y,
        w - 20,
        [
            "通信作者：",
            E(corr.name, "person", corr_prof),
            "，Email：",
            E(_email(corr, ident), "email"),
        ],
        8.5,
        1.6,
    )
    abs_text = med.abstract(rng, topic)
    y = cv.para(x0, y + 12, w, [K("【摘要】"), abs_text], 9.5, 1.65)
    y = cv.para(
        x0,
        y,
        w,
        [K("【关键词】"), K(f"{topic[0].removesuffix('患者')}；{topic[1]}；{topic[2]}；预后")],
        9.5,
        1.65,
    )
    y = cv.para(
        x0,
        y,
        w,
        [
            K("基金项目："),
            E(u1.city, "place", True),
            "科技计划项目（",
            E(f"{year - 2}SF{digits(rng, 4)}", "identifier"),
            "）",
        ],
        9.5,
        1.65,
    )
    doi = med.doi(rng)
    cv.text(x0, y, K(doi), 9)
    y = cv.para(
        x0,
        y + 20,
        w,
        [
            K(topic[0]),
            "的临床结局存在明显个体差异，早期识别高危患者对于优化治疗策略具有重要意义。",
            K(topic[1]),
            "作为近年来受到关注的指标，其与",
            K(topic[2]),
            "的关系尚存争议。本研究回顾性分析",
            K(f"{year - 3}年1月"),
            "至",
            K(f"{year - 2}年12月"),
            "在",
            K(rng.choice(("我院", "本院"))),
            K(dept1),
            "住院的患者资料（部分病例由",
            E(gen.referring_hospital(rng), "organization"),
            "等",
            K("县级医院"),
            "转诊），探讨二者之间的关联，为临床风险分层提供参考。",
        ],
        9.5,
        1.65,
        indent=19,
    )
    y += 14
    y = cv.para(
        x0 + 10,
        y,
        w - 20,
        [K(f"Correlation between {topic[3]} and {topic[4]} in {topic[5]}")],
        12,
        1.4,
    )
    en_parts: list[tuple[Item, str]] = [
        (E(p.pinyin_caps, "person", prof), ("" if single else aff) + ("*" if p is corr else ""))
        for p, aff, prof in authors
    ]
    _sup_line(cv, cv.width / 2, y + 6, en_parts, ", ", 9.5)
    y += 22
    dept_en = _DEPT_EN.get(dept1, "Department of Internal Medicine")
    if single:
        en_aff = gen.en_affiliation(u1, dept_en, True)
    else:
        en_aff = [
            "1 ",
            *gen.en_affiliation(u1, dept_en, True),
            "; 2 ",
            *gen.en_affiliation(u2, _DEPT_EN[dept2]),
        ]
    y = cv.para(x0 + 10, y, w - 20, en_aff, 8.5, 1.5)
    home = u1 if corr_prof or single or rng.random() < 0.5 else u2
    y = cv.para(
        x0 + 10,
        y,
        w - 20,
        [
            "Corresponding author: ",
            E(corr.pinyin_caps, "person", corr_prof),
            ", ",
            *gen.en_address(home, home is u1),
            ", Email: ",
            E(_email(corr, ident), "email"),
        ],
        8.5,
        1.5,
    )
    n = rng.randint(120, 480)
    y = cv.para(
        x0,
        y + 8,
        w,
        [
            K("[Abstract]"),
            f" Objective To investigate the association "
            f"between {topic[3]} and {topic[4]}. Methods A total of {n} ",
            f"{topic[5]} were enrolled retrospectively. Results ",
            K("P<0.05"),
            ". ",
            K(rng.choice(gen.EN_SENTENCES)),
            " Conclusions Elevated ",
            K(topic[3]),
            " is an independent risk factor. ",
            K("Long-term follow-up"),
            " is needed.",
        ],
        9,
        1.5,
    )
    helper, other = make_person(rng, 1960, 1985), make_person(rng, 1970, 1990)
    other_unit = make_unit(rng)
    y = cv.para(
        x0,
        y + 2,
        w,
        [
            K("Acknowledgements:"),
            " We thank Prof. ",
            E(helper.surname_en, "person"),
            " (",
            E(other_unit.english, "organization"),
            "), ",
            E(make_position_pair(rng, other_unit)[1], "position"),
            ", for statistical advice and Dr. ",
            E(other.surname_en, "person"),
            " for collecting follow-up data in ",
            E(gen.place_en_word(rng), "place"),
            ".",
        ],
        9,
        1.5,
    )
    mentor = make_person(rng, 1955, 1975)
    y = cv.para(
        x0,
        y,
        w,
        [
            K("致谢："),
            "感谢",
            E(mentor.name, "person"),
            "教授（",
            *gen.positions_of(rng, other_unit, rng.randint(1, 2)),
            "）对本研究设计的指导。",
        ],
        9,
        1.5,
    )
    people = {p.name: p for p in [ident.person, *co]}
    cite: list[Item] = [K("Cite this article:"), " "]
    for i, (p, _, prof) in enumerate(authors):
        cite += ([", "] if i else []) + [E(people[p.name].pinyin_short, "person", prof)]
    cite += [". ", K(f"Correlation between {topic[3]} and {topic[4]}. {doi}")]
    cv.para(x0, y + 6, w, cite, 8.5, 1.5)
    p = ident.person
    cv.line(x0, 758, x0 + 140, 758, 0.5)
    cv.text(x0, 772, ["收稿日期：", K(med.iso_date(rng, year - 1, year - 1))], 8)
    cv.text(
        x0,
        786,
        [
            "作者简介：",
            E(p.name, "person", True),
            f"（{p.birth[:4]}—），{p.gender}，",
            K(ident.title),
            "，",
            E(ident.positions[0], "position", True),
        ],
        8,
    )
    bio: list[Item] = [
        "Biography: ",
        E(p.pinyin_caps, "person", True),
        ", ",
        K(_TITLE_EN.get(ident.title, "Physician")),
        ", ",
    ]
    if ident.positions_en:
        bio += [E(ident.positions_en[0], "position", True)]
    cv.para(x0, 800, w, bio, 8, 1.5)


def _email(p: Person, ident: Identity) -> str:
    if p is ident.person:
        return ident.email
    return p.pinyin.replace(" ", "").lower().replace("'", "") + "@163.com"


def _pinyin_of(name: str, people: list[Person]) -> str:
    for p in people:
        if p.name == name:
            return p.pinyin
    return name


_BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行")


def appraisal(cv: Canvas, ident: Identity, rng: random.Random) -> None:
    p, u = ident.person, ident.unit
    year = rng.randint(2019, 2023)
    x0 = 55.0
    cols = [80.0, 100.0, 70.0, 90.0, 70.0, 75.0]
    title: list[Item] = [E(u.name, "organization", True)]
    red = rng.random() < 0.4  # a red heading (红头 form): red print that is not a seal
    cv.text(cv.width / 2, 62, title, 15, RED if red else BLACK, align="center")
    cv.text(cv.width / 2, 86, K("专业技术人员年度考核登记表"), 15, RED if red else BLACK, align="center")
    cv.text(cv.width / 2, 108, K(f"（{year}年度）"), 11, align="center")
    pos: Seg = E(ident.positions[0], "position", True)
    rows: list[list[Items]] = [
        ["姓名", E(p.name, "person", True), "性别", p.gender, "年龄", f"{age(p, year)}"],
        ["身份证号码", E(p.id_number, "id_number", True), "政治面貌", "中共党员"],
        ["工作单位", E(u.name, "organization", True)],
        [
            "科室",
            K(ident.department),
            "专业技术职务",
            K(ident.title),
            "工号",
            E(ident.employee_no, "identifier"),
        ],
        [
            "手机",
            E(mobile_style(rng, p.mobile), "phone", True),
            "电子邮箱",
            E(ident.email, "email"),
        ],
        ["学术任职", pos],
        ["通讯地址", E(u.address, "address")],
    ]
    hid = hidden.rng_for(p, "card")
    if hid.random() < 0.5:  # the salary card (工资卡) some forms ask for
        card = hidden.card_style(hid, hidden.bank_card(hid))
        rows.append(["工资卡号", E(card, "identifier"), "开户银行", E(hid.choice(_BANKS), "organization")])
    y = cv.table(x0, 122, cols, rows, 26, 9.5)
    box_top = y
    y = cv.para(x0 + 8, y + 20, sum(cols) - 16, [K("个人总结：")], 10.5, 1.7)
    for s in med.summary_lines(rng):
        y = cv.para(x0 + 8, y, sum(cols) - 16, [s], 10, 1.75, indent=20)
    y = cv.para(
        x0 + 8,
        y,
        sum(cols) - 16,
        [
            "同时担任",
            pos,
            "，参与本专业学术交流及基层义诊活动，带领",
            K(ident.department),
            "团队完成对口支援工作。",
        ],
        10,
        1.75,
        indent=20,
    )
    chief = ident.colleagues[0]
    trainee = make_person(rng, 1985, 1998)
    items: list[Item] = [
        "在科主任",
        E(chief.name, "person"),
        "（",
        *gen.positions_of(rng, ident.coauthor_units[0], 2),
        "）指导下，赴",
        E(gen.place_word(rng), "place"),
        "、",
        E(gen.place_word(rng), "place"),
        "开展义诊，对口帮扶",
        E(gen.referring_hospital(rng), "organization"),
        "，带教",
        K(rng.choice(("县级医院", "基层医疗机构"))),
        "进修医师",
        gen.person_split(trainee),
        "等3人；与",
        E(ident.coauthor_units[0].name, "organization"),
        K(ident.department),
        "合作开展",
        K(rng.choice(med.PROCEDURES)),
        "。",
    ]
    wd = sum(cols) - 16
    wd = cv.split_width(items, items.index(gen.person_split(trainee)), wd, 10, 20)
    y = cv.para(x0 + 8, y, wd, items, 10, 1.75, indent=20)
    cv.text(330, y + 14, ["本人签名：", E(p.name, "person", True)], 10)
    cv.rect((x0, box_top, x0 + sum(cols), y + 26))
    y += 26
    y = cv.table(
        x0,
        y,
        cols,
        [
            ["科室意见", ["同意，考核等次建议为", K(rng.choice(("优秀", "合格")))]],
            [
                "考核结果",
                K(rng.choice(("优秀", "合格"))),
                "考核小组负责人",
                E(ident.colleagues[0].name, "person"),
            ],
            [
                "审核人",
                E(make_person(rng, 1962, 1985).name, "person"),
                "填表人",
                E(ident.colleagues[3].name, "person"),
                "填表日期",
                K(med.iso_date(rng, year + 1, year + 1)),
            ],
        ],
        30,
        10,
    )
    cv.text(330, y + 40, "单位（盖章）：", 10.5)
    cv.text(360, y + 66, med.date(rng, year + 1, year + 1), 10.5)  # under the seal
    cv.seal(440, y + 40, u.name, rng)
    cv.name_stamp(x0 + 180, y + 34, rng)  # the checker's name stamp beside the signature
    cv.text(x0, y + 40, "负责人签字：", 10.5)
    cv.signature(x0 + 70, y + 20, 75, 28, rng)
