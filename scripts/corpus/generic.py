"""Generic identities that are not in any profile: patients' workplaces and home towns, referring
hospitals, village addresses, colleagues named by surname and title, English affiliations.

Each helper returns segments (see :mod:`scripts.corpus.canvas`) so that the parts that identify
someone carry their category and everything around them stays plain or ``keep``. Province names
on their own are plain text (not identifying, not required to stay readable).
"""

from __future__ import annotations

import random

from scripts.corpus import data
from scripts.corpus.canvas import E, Ew, Item, K
from scripts.corpus.identity import (
    Person,
    Unit,
    area_en,
    city_short,
    colloquial_place,
    make_position_pair,
    make_unit,
    place_en,
    province_short,
)

CN_NUM = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
_INDUSTRY = (
    "钢铁",
    "煤业",
    "电力",
    "稀土",
    "乳业",
    "建工",
    "能源",
    "化工",
    "热力",
    "公交",
    "物流",
    "水务",
    "矿业",
    "农牧",
)
_FIRM = ("集团有限公司", "有限责任公司", "股份有限公司", "有限公司")
_BUREAUS = (
    "财政局",
    "教育局",
    "税务局",
    "自然资源局",
    "农牧局",
    "人民法院",
    "人民检察院",
    "交通运输局",
    "住房和城乡建设局",
    "市场监督管理局",
)
_BANKS = ("中国农业银行", "中国建设银行", "中国工商银行", "中国银行", "中国邮政储蓄银行")
_VILLAGE_HEAD = (
    "张家",
    "李家",
    "王家",
    "刘家",
    "前",
    "后",
    "东",
    "西",
    "新",
    "大",
    "小",
    "红旗",
    "胜利",
    "永安",
    "太平",
    "兴隆",
    "丰收",
)
_VILLAGE_TAIL = ("庄", "营子", "沟", "屯", "堡", "湾", "台", "窑", "河", "店", "坊")
_GACHA_HEAD = ("巴彦", "乌兰", "查干", "哈日", "呼和", "阿拉坦", "宝日", "额尔敦", "图门", "希拉")
_GACHA_TAIL = ("宝力格", "敖包", "淖尔", "塔拉", "高勒", "温都尔", "陶勒盖", "花", "哈达")
_ESTATE_HEAD = ("阳光", "锦绣", "幸福", "金地", "康居", "富强", "团结", "惠民", "桃园", "青城")
_ESTATE_TAIL = ("花园", "家园", "小区", "嘉园", "新村", "名苑")
RELATIONS = ("配偶", "儿子", "女儿", "父亲", "母亲", "兄弟", "姐妹", "侄子", "孙女")
KIN_WORDS = ("之子", "之女", "之妻", "之夫", "之母", "之父")


def _city(rng: random.Random) -> data.City:
    # a third of the places come from the north-western autonomous regions (our users)
    if rng.random() < 0.35:
        pool = [c for c in data.cities() if c.province.startswith(("内蒙古", "新疆", "西藏"))]
        if pool:
            return rng.choice(pool)
    return rng.choice(data.cities())


def _town(rng: random.Random, city: data.City, i: int, endings: tuple[str, ...]) -> str | None:
    towns = [t for t in data.streets_by_area().get(city.area_codes[i], ()) if t.endswith(endings)]
    if not towns:
        return None
    town = rng.choice(towns)
    area = city.areas[i]
    return town[len(area) :] if town.startswith(area) and len(town) > len(area) + 1 else town


def native_place(rng: random.Random) -> list[Item]:
    """籍贯/出生地: the city and county parts are places, a province alone is plain text."""
    city = _city(rng)
    area = rng.choice(city.areas)
    style = rng.randrange(5)
    if city.name == city.province:  # municipality: 北京市朝阳区
        return [E(city.name, "place"), E(area, "place")] if style else [city.province]
    if style == 0:
        return [city.province, E(city.name, "place"), E(area, "place")]
    if style == 1:
        return [E(city.name, "place"), E(area, "place")]
    if style == 2:
        return [city.province]
    if style == 3:
        return [province_short(city.province), E(city_short(city.name), "place")]
    return [city.province, E(city.name, "place")]


def place_word(rng: random.Random) -> str:
    """A city or county as written in running text (锡盟, 巴州, 宁城县, 赤峰)."""
    city = _city(rng)
    if rng.random() < 0.5:
        return colloquial_place(city.name)
    return rng.choice(city.areas)


def place_en_word(rng: random.Random) -> str:
    """A city or county in English running text (Hohhot, Bayingolin, Ningcheng County)."""
    city = _city(rng)
    return place_en(city.name) if rng.random() < 0.6 else area_en(rng.choice(city.areas))


def workplace(rng: random.Random) -> str:
    """A patient's or relative's 工作单位: a company, school, bureau, bank or clinic."""
    city = _city(rng)
    i = rng.randrange(len(city.areas))
    area, short = city.areas[i], city_short(city.name)
    style = rng.randrange(7)
    if style == 0:
        return f"{short}{rng.choice(_INDUSTRY)}{rng.choice(_FIRM)}"
    if style == 1:
        return f"{city.name}第{rng.choice(CN_NUM)}中学"
    if style == 2:
        return f"{area}{rng.choice(('实验小学', '第一中学', '第二小学', '职业中学'))}"
    if style == 3:
        return f"{area}{rng.choice(_BUREAUS)}"
    if style == 4:
        return f"{city.name}公安局{area}分局"
    if style == 5:
        return f"{rng.choice(_BANKS)}{short}分行"
    town = _town(rng, city, i, ("镇", "乡", "苏木"))
    return f"{area}{town}卫生院" if town else f"{short}职业技术学院"


def referring_hospital(rng: random.Random) -> str:
    """A county-level hospital a patient is transferred from."""
    city = _city(rng)
    i = rng.randrange(len(city.areas))
    area = city.areas[i]
    style = rng.randrange(5)
    if style == 0:
        return f"{area}人民医院"
    if style == 1:
        return f"{city.name}{area}人民医院"
    if style == 2:
        kind = "蒙医医院" if city.province.startswith("内蒙古") else "中医医院"
        return f"{area}{kind}"
    if style == 3:
        town = _town(rng, city, i, ("镇", "乡", "苏木"))
        if town:
            return f"{area}{town}中心卫生院"
    return f"{colloquial_place(city.name)}{rng.choice(('医院', '中心医院', '妇幼保健院'))}"


def village_address(rng: random.Random) -> str:
    """A rural address: XX镇XX村X组, or a 苏木/嘎查 in Inner Mongolia."""
    for _ in range(20):
        city = _city(rng)
        i = rng.randrange(len(city.areas))
        head = f"{city.name}{city.areas[i]}"
        sumu = _town(rng, city, i, ("苏木",))
        if sumu and rng.random() < 0.7:
            gacha = rng.choice(_GACHA_HEAD) + rng.choice(_GACHA_TAIL)
            return f"{head}{sumu}{gacha}嘎查"
        town = _town(rng, city, i, ("镇", "乡"))
        if town:
            village = rng.choice(_VILLAGE_HEAD) + rng.choice(_VILLAGE_TAIL)
            return f"{head}{town}{village}村{rng.randint(1, 9)}组"
    return urban_address(rng)


def urban_address(rng: random.Random) -> str:
    u = make_unit(rng)
    estate = rng.choice(_ESTATE_HEAD) + rng.choice(_ESTATE_TAIL)
    b, d, room = rng.randint(1, 30), rng.randint(1, 6), rng.randint(101, 2402)
    if rng.random() < 0.5:
        return f"{u.city}{u.area}{u.street}{estate}{b}号楼{d}单元{room}室"
    return f"{u.area}{u.street}{b}栋{d}单元{room}"


def home_address(rng: random.Random) -> str:
    return village_address(rng) if rng.random() < 0.4 else urban_address(rng)


def titled(p: Person, title: str) -> list[Item]:
    """王主任 / 阿依努尔医生: only the name part is identifying."""
    return [E(p.call_name, "person"), title]


def person_split(p: Person, in_profile: bool = False) -> Item:
    """A name that may wrap across a line in running text."""
    return Ew(p.name, "person", in_profile)


def positions_of(rng: random.Random, unit: Unit, n: int = 2) -> list[Item]:
    """A colleague's positions: 中华医学会…委员、内蒙古医学会…副主任委员."""
    out: list[Item] = []
    seen: set[str] = set()
    for _ in range(n):
        zh = make_position_pair(rng, unit)[0]
        if zh in seen:
            continue
        seen.add(zh)
        out += (["、"] if out else []) + [E(zh, "position")]
    return out


def cn_affiliation(unit: Unit, department: str, profile: bool = False) -> list[Item]:
    """（内蒙古医科大学附属医院心内科，呼和浩特 010050）"""
    return [
        "（",
        E(unit.name, "organization", profile),
        K(department),
        "，",
        E(unit.city_short, "place", profile),
        " ",
        E(unit.postal_code, "postal_code"),
        "）",
    ]


def en_affiliation(unit: Unit, department_en: str, profile: bool = False) -> list[Item]:
    """Department of Cardiology, The Affiliated Hospital of …, Hohhot 010050, China"""
    return [
        K(department_en),
        ", ",
        E(unit.english, "organization", profile),
        ", ",
        E(unit.city_en, "place", profile),
        " ",
        E(unit.postal_code, "postal_code"),
        ", China",
    ]


def en_address(unit: Unit, profile: bool = False) -> list[Item]:
    """No. 1 Tongdao North Street, Huimin District, Hohhot 010050, China"""
    return [
        E(f"{unit.street_en}, {unit.area_en}", "address"),
        ", ",
        E(unit.city_en, "place", profile),
        " ",
        E(unit.postal_code, "postal_code"),
        ", China",
    ]


def ethnicity(p: Person, rng: random.Random) -> str:
    if p.style == "uyghur":
        return rng.choice(("维吾尔族", "维吾尔族", "哈萨克族"))
    return {"mongol": "蒙古族", "tibetan": "藏族"}.get(p.style) or rng.choice(
        ("汉族", "汉族", "汉族", "汉族", "回族", "满族", "蒙古族")
    )


# Must-stay-readable phrases that look like names, places or units to a careless detector.
HARD_DISEASES = (
    "川崎病",
    "帕金森病",
    "克罗恩病",
    "阿尔茨海默病",
    "桥本甲状腺炎",
    "格林-巴利综合征",
    "马凡综合征",
    "布鲁氏菌病",
)
GENERIC_UNITS = ("上级医院", "县级医院", "三甲医院", "基层医疗机构", "社区卫生服务中心", "医联体")
EN_SENTENCES = (
    "He was admitted with chest pain.",
    "Long-term follow-up is warranted.",
    "She was discharged in stable condition.",
    "No complications were observed.",
    "Informed consent was obtained from all patients.",
)
