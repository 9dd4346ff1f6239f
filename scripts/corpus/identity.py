"""Synthetic identities: applicants, patients, colleagues and their units.

Everything is drawn from a seeded ``random.Random``; names combine real surnames with random
given names, units combine real place names with generic hospital bodies. No real people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from pypinyin import lazy_pinyin

from scripts.corpus import data
from service.detect.validators import gb11643_check_digit

_GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉宁志刚海燕鹏飞晓宇浩然"
    "子涵欣怡梓轩雨泽思远佳琪俊杰婷婷晨曦嘉怡振国卫东立新永红春梅秋菊冬雪雅琴慧敏国庆"
)
_SURNAME_PINYIN = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "乐": "yue",
    "覃": "qin",
    "盖": "ge",
    "缪": "miao",
    "翟": "zhai",
    "员": "yun",
    "召": "shao",
    "秘": "bi",
    "种": "chong",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "长孙": "zhangsun",
    "澹台": "tantai",
}
_ETHNIC = (
    "朝鲜",
    "土家",
    "苗",
    "羌",
    "藏",
    "彝",
    "布依",
    "侗",
    "哈尼",
    "壮",
    "傣",
    "白",
    "景颇",
    "傈僳",
    "回",
    "蒙古",
    "哈萨克",
    "柯尔克孜",
    "纳西",
    "拉祜",
    "佤",
    "独龙",
    "怒",
    "瑶",
)
_ORDINALS = ("一", "二", "三", "四", "五")
_ORDINALS_EN = ("First", "Second", "Third", "Fourth", "Fifth")
_SOCIETIES = (
    "中华医学会",
    "中国医师协会",
    "中国医院协会",
    "中国研究型医院学会",
    "中国老年医学学会",
)
_BRANCHES = (
    "心血管病学分会",
    "呼吸病学分会",
    "消化病学分会",
    "内分泌学分会",
    "神经病学分会",
    "急诊医学分会",
    "重症医学分会",
    "肾脏病学分会",
    "超声医学分会",
    "麻醉学分会",
)
_ROLES = ("青年委员", "委员", "常务委员", "副主任委员", "学组委员", "秘书")
_DEPARTMENTS = (
    "心内科",
    "呼吸与危重症医学科",
    "消化内科",
    "内分泌科",
    "神经内科",
    "普外科",
    "骨科",
    "儿科",
    "妇产科",
    "急诊科",
    "重症医学科",
    "肾内科",
    "超声医学科",
    "麻醉科",
)
_TITLES = ("主任医师", "副主任医师", "主治医师")
_ROADS = (
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "新华大街",
    "胜利路",
    "和平路",
    "团结路",
    "文化路",
    "健康路",
    "光明街",
    "友谊大街",
    "滨河路",
    "迎宾路",
    "长青路",
    "学府街",
)
_MOBILE_PREFIX = (
    "130",
    "131",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "158",
    "159",
    "166",
    "177",
    "180",
    "183",
    "186",
    "187",
    "189",
    "199",
)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    pinyin: str  # "Zhang Sanfeng"
    surname: str
    gender: str  # 男 / 女
    birth: str  # 1978-05-12
    id_number: str
    mobile: str

    @property
    def pinyin_short(self) -> str:
        """Vancouver style for reference lists: "Zhang SF"."""
        sur, given = self.pinyin.split(" ", 1)
        return f"{sur} {''.join(w[0].upper() for w in _split_given(self, given))}"


@dataclass(frozen=True, slots=True)
class Unit:
    name: str  # 呼和浩特市第一医院
    english: str  # The First Hospital of Huhehaote
    city: str  # 呼和浩特市
    city_short: str  # 呼和浩特
    city_en: str
    area: str  # 赛罕区
    province: str
    postal_code: str
    address: str  # 赛罕区人民路58号 (with city in front)
    area_code: str  # telephone area code 0471
    landline: str
    email_domain: str
    health_commission: str  # 呼和浩特市卫生健康委员会


@dataclass(frozen=True, slots=True)
class Identity:
    person: Person
    unit: Unit
    department: str
    title: str
    positions: tuple[str, ...]
    email: str
    home_address: str
    qualification_no: str
    practice_no: str
    employee_no: str
    colleagues: tuple[Person, ...] = field(default=())
    coauthor_units: tuple[Unit, ...] = field(default=())

    def profile(self) -> dict[str, list[str]]:
        """The DESIGN §1.2 profile the portal would send for this applicant."""
        return {
            "person": [self.person.name, self.person.pinyin],
            "organization": [self.unit.name, self.unit.english],
            "place": [self.unit.city, self.unit.area],
            "phone": [self.person.mobile, self.unit.landline],
            "id_number": [self.person.id_number],
            "position": list(self.positions),
        }


def _split_given(person: Person, given_pinyin: str) -> list[str]:
    n = len(person.name) - len(person.surname)
    syl = lazy_pinyin(person.name[len(person.surname) :])
    return syl if len(syl) == n else [given_pinyin]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def to_pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text))


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def make_id_number(rng: random.Random, area_code: str, birth: str, gender: str) -> str:
    seq = rng.randrange(0, 100)
    sex = rng.choice("13579" if gender == "男" else "02468")
    first17 = f"{area_code}{birth.replace('-', '')}{seq:02d}{sex}"
    return first17 + gb11643_check_digit(first17)


def make_mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIX) + digits(rng, 8)


def make_person(rng: random.Random, min_year: int = 1960, max_year: int = 1990) -> Person:
    names, weights = data.surnames()
    surname = rng.choices(names, weights=weights)[0]
    given = "".join(rng.choice(_GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2, 2))))
    gender = rng.choice(("男", "女"))
    birth = f"{rng.randint(min_year, max_year)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    city = rng.choice(data.cities())
    area_code = rng.choice(city.area_codes)
    sur_py = _SURNAME_PINYIN.get(surname) or to_pinyin(surname)
    pinyin = f"{_cap(sur_py)} {_cap(to_pinyin(given))}"
    return Person(
        name=surname + given,
        pinyin=pinyin,
        surname=surname,
        gender=gender,
        birth=birth,
        id_number=make_id_number(rng, area_code, birth, gender),
        mobile=make_mobile(rng),
    )


def city_short(name: str) -> str:
    if name.endswith("自治州"):
        core = name[: -len("自治州")]
        changed = True
        while changed and core.endswith("族"):
            changed = False
            for eth in _ETHNIC:
                if core.endswith(eth + "族") and len(core) > len(eth) + 2:
                    core = core[: -len(eth) - 1]
                    changed = True
        return core
    for suffix in ("地区", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _area_short(area: str) -> str:
    return area[:-1] if len(area) > 2 and area.endswith(("区", "县", "市", "旗")) else area


def make_unit(rng: random.Random) -> Unit:
    city = rng.choice(data.cities())
    i = rng.randrange(len(city.areas))
    area, area_code = city.areas[i], city.area_codes[i]
    short = city_short(city.name)
    en = _cap(to_pinyin(short))
    k = rng.randrange(len(_ORDINALS))
    style = rng.randrange(6)
    if style == 0:
        name, english = (
            f"{city.name}第{_ORDINALS[k]}医院",
            f"The {_ORDINALS_EN[k]} Hospital of {en}",
        )
    elif style == 1:
        name, english = f"{city.name}人民医院", f"{en} People's Hospital"
    elif style == 2:
        name, english = f"{city.name}中心医院", f"{en} Central Hospital"
    elif style == 3:
        name = f"{short}医学院第{_ORDINALS[k]}附属医院"
        english = f"The {_ORDINALS_EN[k]} Affiliated Hospital of {en} Medical College"
    elif style == 4:
        name = f"{city.name}{area}人民医院"
        english = f"People's Hospital of {_cap(to_pinyin(_area_short(area)))}, {en}"
    else:
        name, english = f"{city.name}中医医院", f"{en} Hospital of Traditional Chinese Medicine"
    # real codes start 01-86 (the first digits name the province; 9 is unused)
    postal = f"{rng.choice('012345678')}{rng.randint(1, 9)}{digits(rng, 2)}00"
    if rng.random() < 0.2:
        tel_area = rng.choice(
            ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029")
        )
    else:
        tel_area = f"0{rng.randint(3, 9)}{digits(rng, 2)}"
    landline = f"{tel_area}-{rng.randint(2, 8)}{digits(rng, 6 if len(tel_area) == 4 else 7)}"
    street = rng.choice(data.streets_by_area().get(area_code, ("",)) or ("",))
    road = (
        street[:-2]
        if street.endswith("路街道") or street.endswith("街街道")
        else rng.choice(_ROADS)
    )
    address = f"{city.name}{area}{road}{rng.randint(1, 399)}号"
    domain = "".join(w[0] for w in lazy_pinyin(name[:8])) + rng.choice(("yy", "hosp", "")) + ".com"
    return Unit(
        name=name,
        english=english,
        city=city.name,
        city_short=short,
        city_en=en,
        area=area,
        province=city.province,
        postal_code=postal,
        address=address,
        area_code=tel_area,
        landline=landline,
        email_domain=domain,
        health_commission=f"{city.name}卫生健康委员会",
    )


def make_home_address(rng: random.Random) -> str:
    city = rng.choice(data.cities())
    i = rng.randrange(len(city.areas))
    streets = data.streets_by_area().get(city.area_codes[i], ())
    if streets and rng.random() < 0.4:
        town = rng.choice(streets)
        if town.endswith(("镇", "乡")):
            village = f"{rng.choice('东西南北前后')}村{rng.randint(1, 9)}组"
            return f"{city.name}{city.areas[i]}{town}{village}"
    return (
        f"{city.name}{city.areas[i]}{rng.choice(_ROADS)}{rng.randint(1, 299)}号"
        f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(101, 2402)}室"
    )


def make_position(rng: random.Random, unit: Unit) -> str:
    if rng.random() < 0.6:
        return rng.choice(_SOCIETIES) + rng.choice(_BRANCHES) + rng.choice(_ROLES)
    prov = (
        unit.province[:3] if unit.province.startswith(("内蒙古", "黑龙江")) else unit.province[:2]
    )
    return f"{prov}医学会{rng.choice(_BRANCHES)}{rng.choice(_ROLES)}"


def make_identity(rng: random.Random) -> Identity:
    person = make_person(rng, 1968, 1990)
    unit = make_unit(rng)
    year = rng.randint(1995, 2015)
    positions = tuple(dict.fromkeys(make_position(rng, unit) for _ in range(rng.randint(1, 2))))
    email_user = person.pinyin.replace(" ", "").lower() + rng.choice(("", digits(rng, 2)))
    email = f"{email_user}@{rng.choice((unit.email_domain, '163.com', 'qq.com', '126.com'))}"
    return Identity(
        person=person,
        unit=unit,
        department=rng.choice(_DEPARTMENTS),
        title=rng.choice(_TITLES),
        positions=positions,
        email=email,
        home_address=make_home_address(rng),
        qualification_no=f"{year}{rng.randint(1, 2)}{rng.choice(('10', '20', '30', '40'))}"
        f"{person.id_number[:14]}{digits(rng, 6)}",
        practice_no=f"1{digits(rng, 2)}{person.id_number[:6]}{digits(rng, 6)}",
        employee_no=f"{rng.choice('ABDHZ')}{digits(rng, 5)}",
        colleagues=tuple(make_person(rng) for _ in range(4)),
        coauthor_units=(make_unit(rng),),
    )
