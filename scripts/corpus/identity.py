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
# Minority given-name components (common syllable groups, freely recombined; no real people).
_UY_MALE = (
    "艾尔肯",
    "买买提",
    "阿不都",
    "吐尔逊",
    "艾力",
    "努尔兰",
    "热合曼",
    "伊力哈木",
    "亚森",
    "库尔班",
    "肉孜",
    "赛力克",
    "叶尔兰",
    "哈力木拉提",
    "木拉提",
    "阿迪力",
    "艾合买提",
)
_UY_FEMALE = (
    "阿依努尔",
    "古丽娜尔",
    "热依拉",
    "迪丽娜尔",
    "帕提古丽",
    "努尔古丽",
    "阿依古丽",
    "米娜瓦尔",
    "再努尔",
    "加娜尔",
    "阿衣达娜",
    "祖丽皮亚",
    "玛依拉",
    "古丽米拉",
)
_UY_FATHER = (
    "买买提",
    "吐尔逊",
    "艾力",
    "阿不都热依木",
    "依明",
    "托合提",
    "努尔",
    "热合曼",
    "沙吾提",
    "阿布力孜",
    "斯拉木",
    "加帕尔",
    "哈斯木",
    "叶尔肯",
    "别克",
    "吾斯曼",
    "卡德尔",
    "玉素甫",
)
_MONGOL_SINGLE = (
    "巴特尔",
    "乌日娜",
    "其其格",
    "苏和",
    "朝鲁",
    "图雅",
    "萨仁",
    "斯琴",
    "那顺",
    "敖登",
    "满都拉",
    "孟和",
    "乌兰",
    "宝音",
    "格日勒",
    "哈斯",
    "吉雅",
    "额尔敦",
)
_MONGOL_HEAD = (
    "额尔敦",
    "阿拉坦",
    "斯琴",
    "乌云",
    "孟和",
    "那仁",
    "宝音",
    "朝克",
    "哈斯",
    "特木尔",
    "吉日嘎拉",
    "苏日",
    "巴图",
    "乌力吉",
)
_MONGOL_TAIL = (
    "巴雅尔",
    "其其格",
    "高娃",
    "毕力格",
    "图雅",
    "巴特尔",
    "吉雅",
    "花",
    "达来",
    "朝鲁",
    "乌力吉",
    "仓",
    "格日勒",
    "苏和",
)
_TIBETAN_HEAD = (
    "扎西",
    "次仁",
    "格桑",
    "旦增",
    "尼玛",
    "达瓦",
    "边巴",
    "普布",
    "索朗",
    "洛桑",
    "平措",
    "拉巴",
    "多吉",
    "益西",
)
_TIBETAN_TAIL = (
    "卓玛",
    "顿珠",
    "央金",
    "曲珍",
    "拉姆",
    "措姆",
    "次仁",
    "罗布",
    "多吉",
    "旺堆",
    "桑珠",
    "德吉",
    "白玛",
    "央宗",
)
_TIBETAN_SINGLE = ("扎西", "卓玛", "格桑", "尼玛", "达瓦", "次仁", "央金")
MINORITY_SHARE = 0.13
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
_SOCIETIES_EN = (
    "Chinese Medical Association",
    "Chinese Medical Doctor Association",
    "Chinese Hospital Association",
    "Chinese Research Hospital Association",
    "Chinese Geriatrics Society",
)
_BRANCHES_EN = (
    "Cardiology",
    "Respiratory Diseases",
    "Gastroenterology",
    "Endocrinology",
    "Neurology",
    "Emergency Medicine",
    "Critical Care Medicine",
    "Nephrology",
    "Ultrasound in Medicine",
    "Anesthesiology",
)
_ROLES_EN = (
    "member of the Youth Committee",
    "member",
    "standing committee member",
    "vice chairman",
    "member of the Study Group",
    "secretary",
)
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
    "通道北街",
    "新城西街",
    "中山东路",
    "北京南路",
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
    style: str = "han"  # han / uyghur (两段式, with ·) / mongol / tibetan

    @property
    def pinyin_short(self) -> str:
        """Vancouver style for reference lists: "Zhang SF" (minority names: "Ayinuer M")."""
        if self.style != "han":
            head, _, rest = self.pinyin.partition(" ")
            return f"{head} {''.join(w[0].upper() for w in rest.split())}".strip()
        sur, given = self.pinyin.split(" ", 1)
        return f"{sur} {''.join(w[0].upper() for w in _split_given(self, given))}"

    @property
    def pinyin_caps(self) -> str:
        """Journal author-line style: "WANG Xiaoming" (minority names stay as written)."""
        if self.style != "han":
            return self.pinyin
        sur, given = self.pinyin.split(" ", 1)
        return f"{sur.upper()} {given}"

    @property
    def call_name(self) -> str:
        """What colleagues put before 主任/医生: the surname, or a minority given name."""
        if self.style == "han":
            return self.surname
        return self.name.split("·")[0]

    @property
    def surname_en(self) -> str:
        """For "Dr. Li" / "Prof. Wang"."""
        return self.pinyin.split(" ")[0]


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
    street: str = ""  # 人民路58号
    street_en: str = ""  # No. 58 Renmin Road
    area_en: str = ""  # Saihan District


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
    positions_en: tuple[str, ...] = field(default=())

    def profile(self) -> dict[str, list[str]]:
        """The DESIGN §1.2 profile the portal would send for this applicant."""
        return {
            "person": [self.person.name, self.person.pinyin],
            "organization": [self.unit.name, self.unit.english],
            "place": [self.unit.city, self.unit.area],
            "phone": [self.person.mobile, self.unit.landline],
            "id_number": [self.person.id_number],
            "position": [*self.positions, *self.positions_en],
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


_MINORITY_SYLLABLE = {"勒": "le", "娃": "wa"}


def _roman(text: str) -> str:
    """A minority name as romanised in Chinese journals: pinyin run together (Gerile)."""
    return _cap(
        "".join(
            _MINORITY_SYLLABLE.get(ch, py) for ch, py in zip(text, lazy_pinyin(text), strict=False)
        )
    )


def _minority_name(rng: random.Random, gender: str) -> tuple[str, str, str]:
    """(name, romanised name, style) for a Uyghur/Kazakh, Mongolian or Tibetan name."""
    style = rng.choice(("uyghur", "uyghur", "mongol", "mongol", "tibetan"))
    if style == "uyghur":
        first = rng.choice(_UY_MALE if gender == "男" else _UY_FEMALE)
        father = rng.choice([f for f in _UY_FATHER if f != first])
        return f"{first}·{father}", f"{_roman(first)} {_roman(father)}", style
    if style == "mongol":
        if rng.random() < 0.5:
            name = rng.choice(_MONGOL_SINGLE)
        else:
            head = rng.choice(_MONGOL_HEAD)
            name = head + rng.choice([t for t in _MONGOL_TAIL if t != head])
        return name, _roman(name), style
    if rng.random() < 0.25:
        name = rng.choice(_TIBETAN_SINGLE)
        return name, _roman(name), style
    head = rng.choice(_TIBETAN_HEAD)
    tail = rng.choice([t for t in _TIBETAN_TAIL if t != head])
    return head + tail, f"{_roman(head)} {_roman(tail)}", style


def make_person(
    rng: random.Random,
    min_year: int = 1960,
    max_year: int = 1990,
    minority: float = MINORITY_SHARE,
) -> Person:
    """A person; a share ``minority`` get Uyghur/Kazakh, Mongolian or Tibetan names."""
    gender = rng.choice(("男", "女"))
    if rng.random() < minority:
        name, pinyin, style = _minority_name(rng, gender)
        surname = ""
    else:
        names, weights = data.surnames()
        surname = rng.choices(names, weights=weights)[0]
        given = "".join(rng.choice(_GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2, 2))))
        sur_py = _SURNAME_PINYIN.get(surname) or to_pinyin(surname)
        name, pinyin, style = surname + given, f"{_cap(sur_py)} {_cap(to_pinyin(given))}", "han"
    birth = f"{rng.randint(min_year, max_year)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    city = rng.choice(data.cities())
    area_code = rng.choice(city.area_codes)
    return Person(
        name=name,
        pinyin=pinyin,
        surname=surname,
        gender=gender,
        birth=birth,
        id_number=make_id_number(rng, area_code, birth, gender),
        mobile=make_mobile(rng),
        style=style,
    )


def city_short(name: str) -> str:
    if name.endswith("自治州"):
        core = name[: -len("自治州")]
        changed = True
        while changed:
            changed = False
            for eth in _ETHNIC:
                for form in (eth + "族", eth):
                    if core.endswith(form) and len(core) > len(form) + 1:
                        core = core[: -len(form)]
                        changed = True
                        break
        return core
    for suffix in ("地区", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


# Conventional English forms that differ from plain pinyin (Mongolian, Uyghur, Tibetan, Manchu
# names and postal-era spellings still used in affiliations).
PLACE_EN = {
    "呼和浩特": "Hohhot",
    "乌鲁木齐": "Urumqi",
    "鄂尔多斯": "Ordos",
    "库尔勒": "Korla",
    "和田": "Hotan",
    "喀什": "Kashgar",
    "拉萨": "Lhasa",
    "哈尔滨": "Harbin",
    "日喀则": "Shigatse",
    "锡林浩特": "Xilinhot",
    "呼伦贝尔": "Hulunbuir",
    "海拉尔": "Hailar",
    "吐鲁番": "Turpan",
    "克拉玛依": "Karamay",
    "阿克苏": "Aksu",
    "巴音郭楞": "Bayingolin",
    "锡林郭勒盟": "Xilingol League",
    "阿拉善盟": "Alxa League",
    "兴安盟": "Hinggan League",
    "内蒙古": "Inner Mongolia",
    "西藏": "Tibet",
    "陕西": "Shaanxi",
}
# Colloquial short forms used in running text.
PLACE_SHORT = {
    "锡林郭勒盟": "锡盟",
    "巴音郭楞蒙古自治州": "巴州",
    "呼和浩特市": "呼市",
    "乌鲁木齐市": "乌市",
    "哈尔滨市": "哈市",
    "齐齐哈尔市": "齐市",
    "阿拉善盟": "阿盟",
    "伊犁哈萨克自治州": "伊犁州",
    "克孜勒苏柯尔克孜自治州": "克州",
    "博尔塔拉蒙古自治州": "博州",
    "昌吉回族自治州": "昌吉州",
    "延边朝鲜族自治州": "延边州",
    "包头市": "包头",
    "赤峰市": "赤峰",
}
_DIRECTIONS = {"东": "East", "西": "West", "南": "South", "北": "North", "中": "Middle"}
_ROAD_SUFFIX = (("大街", "Street"), ("大道", "Avenue"), ("街", "Street"), ("路", "Road"))


def place_en(name: str) -> str:
    """English form of a place name: known exceptions, else pinyin with syllable apostrophes."""
    for full in (name, city_short(name), _area_short(name)):
        if full in PLACE_EN:
            return PLACE_EN[full]
    core = city_short(name)
    out = ""
    for i, syl in enumerate(lazy_pinyin(core)):
        out += ("'" if i and syl[:1] in "aoe" else "") + syl
    return _cap(out)


def colloquial_place(city: str) -> str:
    """The form used in running text: 锡盟, 巴州, 呼市, or the name without its suffix."""
    return PLACE_SHORT.get(city) or city_short(city)


def road_en(road: str) -> str:
    """人民路 → Renmin Road, 通道北街 → Tongdao North Street."""
    for zh, en in _ROAD_SUFFIX:
        if road.endswith(zh) and len(road) > len(zh):
            core, direction = road[: -len(zh)], ""
            if len(core) >= 3 and core[-1] in _DIRECTIONS:
                core, direction = core[:-1], _DIRECTIONS[core[-1]] + " "
            return f"{place_en(core)} {direction}{en}"
    return place_en(road)


def area_en(area: str) -> str:
    kinds = {"区": "District", "县": "County", "旗": "Banner", "市": "City"}
    for zh, en in kinds.items():
        if area.endswith(zh) and len(area) > 2:
            return f"{place_en(area[:-1])} {en}"
    return place_en(area)


def province_short(province: str) -> str:
    for suffix in ("壮族自治区", "维吾尔自治区", "回族自治区", "自治区", "省", "市"):
        if province.endswith(suffix) and len(province) > len(suffix):
            return province[: -len(suffix)]
    return province


def _area_short(area: str) -> str:
    return area[:-1] if len(area) > 2 and area.endswith(("区", "县", "市", "旗")) else area


def make_unit(rng: random.Random) -> Unit:
    city = rng.choice(data.cities())
    i = rng.randrange(len(city.areas))
    area, area_code = city.areas[i], city.area_codes[i]
    short = city_short(city.name)
    en = place_en(city.name)
    k = rng.randrange(len(_ORDINALS))
    style = rng.randrange(8)
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
    elif style == 5:
        name, english = f"{city.name}中医医院", f"{en} Hospital of Traditional Chinese Medicine"
    elif style == 6:  # nested: a provincial medical university's affiliated hospital
        prov = province_short(city.province)
        prov_en = place_en(prov)
        if rng.random() < 0.5:
            name = f"{prov}医科大学附属医院"
            english = f"The Affiliated Hospital of {prov_en} Medical University"
        else:
            name = f"{prov}医科大学附属第{_ORDINALS[k]}医院"
            english = f"The {_ORDINALS_EN[k]} Affiliated Hospital of {prov_en} Medical University"
    else:
        name = f"{short}医学院附属医院"
        english = f"The Affiliated Hospital of {en} Medical College"
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
    number = rng.randint(1, 399)
    address = f"{city.name}{area}{road}{number}号"
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
        street=f"{road}{number}号",
        street_en=f"No. {number} {road_en(road)}",
        area_en=area_en(area),
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


def make_position_pair(rng: random.Random, unit: Unit) -> tuple[str, str]:
    """An academic position in Chinese and as it is written in an English biography."""
    b = rng.randrange(len(_BRANCHES))
    r = rng.randrange(len(_ROLES))
    role_en = _ROLES_EN[r]
    if rng.random() < 0.6:
        s = rng.randrange(len(_SOCIETIES))
        zh = _SOCIETIES[s] + _BRANCHES[b] + _ROLES[r]
        if s == 0:  # the CMA's branches call themselves "Chinese Society of ..."
            return zh, f"{role_en} of the Chinese Society of {_BRANCHES_EN[b]}"
        return zh, f"{role_en} of the {_BRANCHES_EN[b]} Branch of the {_SOCIETIES_EN[s]}"
    prov = (
        unit.province[:3] if unit.province.startswith(("内蒙古", "黑龙江")) else unit.province[:2]
    )
    zh = f"{prov}医学会{_BRANCHES[b]}{_ROLES[r]}"
    return zh, f"{role_en} of the {_BRANCHES_EN[b]} Branch of {place_en(prov)} Medical Association"


def make_position(rng: random.Random, unit: Unit) -> str:
    return make_position_pair(rng, unit)[0]


def make_identity(rng: random.Random) -> Identity:
    person = make_person(rng, 1968, 1990)
    unit = make_unit(rng)
    year = rng.randint(1995, 2015)
    pairs = list(dict.fromkeys(make_position_pair(rng, unit) for _ in range(rng.randint(1, 2))))
    positions = tuple(zh for zh, _ in pairs)
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
        positions_en=tuple(en for _, en in pairs),
    )
