"""Realistic demo archives at volume: persons and enterprises of Yiyuan County.

Everything is drawn from one ``random.Random`` so a seed reproduces the same rows on the same
starting database. Values are built with plain Python (no per-row Faker calls) and written with
``bulk_create`` in large batches, one transaction per chunk, so half a million persons fit in a
couple of minutes on SQLite.

Identifiers are valid and unique:

* resident ID numbers: division code + birth date + sequence + check digit
  (``stdnum.cn.ric``). python-stdnum checks that the division code existed in the birth year,
  so Yiyuan residents born before 1989 carry 372828, the code Yiyuan had under Linyi
  prefecture until it moved to Zibo; later births carry 370323. A share of residents were born
  in other Zibo districts and counties.
* unified social credit codes: 9 (market regulation) + 1 (enterprise) + 370323 + a 9-character
  organisation code with its GB 11714 check character + the USCC check character
  (``stdnum.cn.uscc``). Enterprises from 2016 on get the newer "MA" organisation codes.

Both are checked against the rows already in the database, so running the generator again adds
more archives and never collides.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import accumulate

from django.db import transaction
from faker.providers.person.zh_CN import Provider as ZhPersonProvider
from faker.providers.phone_number.zh_CN import Provider as ZhPhoneProvider
from stdnum.cn import ric, uscc

from banhao.org import selectors as org_selectors
from banhao.org.models import Region, RegionKind

from .models import Enterprise, Industry, Person

YIYUAN_CODE = "370323"
# Yiyuan belonged to Linyi prefecture until 1989 (code 372828), then to Zibo (370323).
YIYUAN_CODE_BEFORE_1989 = "372828"
YIYUAN_CODE_SINCE = 1989
# Other districts and counties of Zibo, with the first year their code was in use.
OTHER_ZIBO_CODES = [
    ("370302", 1983),  # 淄川区
    ("370303", 1983),  # 张店区
    ("370304", 1983),  # 博山区
    ("370305", 1983),  # 临淄区
    ("370306", 1983),  # 周村区
    ("370321", 1983),  # 桓台县
    ("370322", 1989),  # 高青县
]
OTHER_ZIBO_SHARE = 0.12

# The demo data describes the county as of the end of the gazette's year.
AS_OF = date(2024, 12, 31)


@dataclass(frozen=True)
class Size:
    persons: int
    enterprises: int


SIZES = {
    "small": Size(persons=2_000, enterprises=200),
    "medium": Size(persons=50_000, enterprises=5_000),
    "large": Size(persons=500_000, enterprises=50_000),
}

# Rows per transaction; bulk_create splits each chunk into INSERTs the database accepts.
CHUNK = 20_000
BATCH_SIZE = 5_000


class NoTownshipsError(Exception):
    """The regions of Yiyuan County have not been loaded."""


@dataclass
class GenerateResult:
    persons: int = 0
    enterprises: int = 0
    persons_seconds: float = 0.0
    enterprises_seconds: float = 0.0
    seed: int | None = None


# progress(kind, done, total, elapsed_seconds)
Progress = Callable[[str, int, int, float], None]

# --- word lists ---------------------------------------------------------------------------

_SURNAMES = list(ZhPersonProvider.last_names.keys())
_SURNAME_CUM = list(accumulate(ZhPersonProvider.last_names.values()))
_GIVEN_MALE = list(ZhPersonProvider.first_names_male)
_GIVEN_FEMALE = list(ZhPersonProvider.first_names_female)
_SINGLE_MALE = [n for n in _GIVEN_MALE if len(n) == 1]
_SINGLE_FEMALE = [n for n in _GIVEN_FEMALE if len(n) == 1]
_MOBILE_PREFIXES = [str(p) for p in ZhPhoneProvider.phonenumber_prefixes]

# Age bands (years, inclusive-exclusive) and their shares: an ageing rural county.
_AGE_BANDS = [(0, 15, 13), (15, 30, 14), (30, 45, 18), (45, 60, 26), (60, 75, 20), (75, 95, 9)]
_AGE_CUM = list(accumulate(w for _, _, w in _AGE_BANDS))

# Demo village and road names (the real ones below township level are not certain).
_VILLAGE_SUFFIXES = ["家庄村", "家峪村", "家坡村", "家泉村", "官庄村", "家沟村", "家河村", "庄村"]
_ROADS = [
    "人民路",
    "建设路",
    "振兴路",
    "胜利路",
    "新城路",
    "工业路",
    "富源路",
    "文化路",
    "健康路",
    "迎宾路",
    "兴业路",
    "沂河路",
]

# Characters of trade names (字号); two are combined per enterprise.
_TRADE_CHARS = (
    "鑫盛恒泰华源沂鲁博通达瑞丰祥宏兴晟嘉福隆金润安康信德诚宇航远创利佳和顺昌旺荣景明天成"
    "新益东方圣凯腾惠元泽众邦威尚优立正海山峰"
)
# Industry section → words of the business scope used in names, and a weight for how common
# the section is among the county's enterprises.
_INDUSTRY_WORDS: dict[str, tuple[int, list[str]]] = {
    Industry.AGRICULTURE: (10, ["农业科技", "果品", "苹果专业", "生态农业", "种植", "养殖"]),
    Industry.MINING: (1, ["矿业", "石材"]),
    Industry.MANUFACTURING: (
        20,
        ["机械制造", "食品", "化工", "纺织", "建材", "医药", "陶瓷", "塑料制品", "新材料"],
    ),
    Industry.UTILITIES: (1, ["新能源", "热力", "燃气"]),
    Industry.CONSTRUCTION: (8, ["建筑工程", "建筑安装", "装饰工程", "路桥工程"]),
    Industry.TRADE: (25, ["商贸", "贸易", "百货", "农资", "五金", "建材销售", "医药连锁"]),
    Industry.TRANSPORT: (5, ["物流", "运输", "仓储"]),
    Industry.HOSPITALITY: (8, ["餐饮管理", "酒店管理", "农家乐"]),
    Industry.IT: (2, ["网络科技", "信息技术", "软件"]),
    Industry.FINANCE: (1, ["融资担保", "投资"]),
    Industry.REAL_ESTATE: (2, ["房地产开发", "物业管理"]),
    Industry.BUSINESS_SERVICES: (6, ["企业管理咨询", "广告", "人力资源", "租赁"]),
    Industry.RESEARCH: (3, ["检测技术", "工程设计", "生物科技"]),
    Industry.ENVIRONMENT: (1, ["环保科技", "园林绿化"]),
    Industry.RESIDENT_SERVICES: (5, ["家政服务", "汽车维修", "美容美发"]),
    Industry.EDUCATION: (1, ["教育咨询", "职业培训"]),
    Industry.HEALTH: (1, ["养老服务", "健康管理"]),
    Industry.CULTURE: (2, ["文化传媒", "旅游开发", "体育发展"]),
}
_INDUSTRIES = list(_INDUSTRY_WORDS)
_INDUSTRY_CUM = list(accumulate(w for w, _ in _INDUSTRY_WORDS.values()))
_CAPITALS = [3, 5, 10, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000, 10000]
_CAPITAL_CUM = list(accumulate([4, 6, 14, 12, 16, 16, 10, 7, 7, 4, 2, 1, 0.5]))

# GB 11714 organisation code: weights and character values (digits, then A=10 … Z=35).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def organisation_code_check(body: str) -> str:
    """The 9th character of a GB 11714 organisation code, from its first 8."""
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def id_number(region_code: str, birth: str, sequence: int) -> str:
    """Resident ID number from its division code, birth date (YYYYMMDD) and sequence."""
    body = f"{region_code}{birth}{sequence:03d}"
    # calc_check_digit takes the whole number and ignores its last character.
    return body + ric.calc_check_digit(body + "0")


def credit_code(organisation_code: str) -> str:
    """Unified social credit code of a Yiyuan enterprise with this organisation code."""
    body = f"91{YIYUAN_CODE}{organisation_code}"
    return body + uscc.calc_check_digit(body)


def yiyuan_townships() -> list[Region]:
    townships = list(org_selectors.townships())
    if not townships:
        raise NoTownshipsError(
            "No townships of Yiyuan County (regions under code 370323) are in the database. "
            "Run `banhao seed` first."
        )
    return townships


class _Places:
    """Townships (a subdistrict weighs three times a town) and addresses in them."""

    def __init__(self, rng: random.Random, townships: list[Region]) -> None:
        self.rng = rng
        self.townships = townships
        weights = [3.0 if t.kind == RegionKind.SUBDISTRICT else 1.0 for t in townships]
        self.cum = list(accumulate(weights))
        children: dict[int, list[str]] = {t.pk: [] for t in townships}
        for parent_id, name in Region.objects.filter(parent__in=townships).values_list(
            "parent_id", "name"
        ):
            children[parent_id].append(name)
        # Where no villages are loaded, invent a few demo ones per town.
        for t in townships:
            if not children[t.pk]:
                children[t.pk] = [
                    rng.choice(_SURNAMES[:60]) + rng.choice(_VILLAGE_SUFFIXES) for _ in range(12)
                ]
        self.children = children
        self.prefix = {t.pk: f"山东省淄博市沂源县{t.name}" for t in townships}

    def pick(self, k: int) -> list[Region]:
        return self.rng.choices(self.townships, cum_weights=self.cum, k=k)

    def home_address(self, township: Region) -> str:
        rng = self.rng
        return f"{self.prefix[township.pk]}{rng.choice(self.children[township.pk])}{rng.randint(1, 300)}号"

    def business_address(self, township: Region) -> str:
        rng = self.rng
        return f"{self.prefix[township.pk]}{rng.choice(_ROADS)}{rng.randint(1, 999)}号"


def _birth_region(rng: random.Random, year: int) -> str:
    if rng.random() < OTHER_ZIBO_SHARE:
        code, since = rng.choice(OTHER_ZIBO_CODES)
        if year >= since:
            return code
    return YIYUAN_CODE if year >= YIYUAN_CODE_SINCE else YIYUAN_CODE_BEFORE_1989


def _given_name(rng: random.Random, male: bool) -> str:
    # The lists hold one- and two-character given names; some single ones get a second.
    given = rng.choice(_GIVEN_MALE if male else _GIVEN_FEMALE)
    if len(given) == 1 and rng.random() < 0.5:
        given += rng.choice(_SINGLE_MALE if male else _SINGLE_FEMALE)
    return given


def _existing(model, field: str) -> set[str]:
    return set(model.objects.values_list(field, flat=True).iterator(chunk_size=20_000))


class _PersonFactory:
    """Draws unique persons; ``taken`` holds every ID number already used or reserved."""

    def __init__(self, rng: random.Random, as_of: date, taken: set[str]) -> None:
        self.rng = rng
        self.as_of_ord = as_of.toordinal()
        self.taken = taken

    def draw(self) -> tuple[str, str, bool, date]:
        """(id_number, name, is_male, birth_date) of a new person."""
        rng = self.rng
        taken = self.taken
        lo, hi, _ = _AGE_BANDS[rng.choices(range(len(_AGE_BANDS)), cum_weights=_AGE_CUM)[0]]
        while True:
            birth = date.fromordinal(self.as_of_ord - rng.randrange(lo * 365, hi * 365 + 1))
            region = _birth_region(rng, birth.year)
            sequence = rng.randrange(1, 1000)
            number = id_number(
                region, f"{birth.year:04d}{birth.month:02d}{birth.day:02d}", sequence
            )
            if number not in taken:
                taken.add(number)
                break
        male = sequence % 2 == 1
        name = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0] + _given_name(rng, male)
        return number, name, male, birth


def generate_archives(
    persons: int,
    enterprises: int,
    *,
    seed: int | None = None,
    as_of: date = AS_OF,
    progress: Progress | None = None,
) -> GenerateResult:
    """Add ``persons`` person archives and ``enterprises`` enterprise archives."""
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    places = _Places(rng, yiyuan_townships())
    # Legal representatives' ID numbers count as taken too: a representative who is not (yet)
    # a person archive must not share a number with a different generated person.
    taken = _existing(Person, "id_number") | _existing(Enterprise, "legal_representative_id")
    factory = _PersonFactory(rng, as_of, taken)
    result = GenerateResult(seed=seed)

    started = time.perf_counter()
    adults: list[tuple[str, str, date]] = []
    result.persons = _generate_persons(rng, persons, factory, places, as_of, adults, progress)
    result.persons_seconds = time.perf_counter() - started

    started = time.perf_counter()
    if enterprises and not adults:
        adults = _existing_adults(as_of)
    result.enterprises = _generate_enterprises(
        rng, enterprises, factory, places, as_of, adults, progress
    )
    result.enterprises_seconds = time.perf_counter() - started
    return result


def _generate_persons(rng, total, factory, places, as_of, adults, progress) -> int:
    started = time.perf_counter()
    adult_before = date(as_of.year - 22, as_of.month, 1)
    prefixes = _MOBILE_PREFIXES
    phone_from = date(as_of.year - 14, as_of.month, 1)
    done = 0
    while done < total:
        size = min(CHUNK, total - done)
        rows = []
        for township in places.pick(size):
            number, name, male, birth = factory.draw()
            if birth <= adult_before:
                adults.append((number, name, birth))
            phone = (
                f"{rng.choice(prefixes)}{rng.randrange(10**8):08d}" if birth <= phone_from else ""
            )
            rows.append(
                Person(
                    id_number=number,
                    name=name,
                    gender="M" if male else "F",
                    birth_date=birth,
                    phone=phone,
                    township=township,
                    address=places.home_address(township),
                )
            )
        with transaction.atomic():
            Person.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        done += size
        if progress:
            progress("persons", done, total, time.perf_counter() - started)
    return done


def _existing_adults(as_of: date, limit: int = 100_000) -> list[tuple[str, str, date]]:
    adult_before = date(as_of.year - 22, as_of.month, 1)
    return list(
        Person.objects.filter(birth_date__lte=adult_before)
        .order_by("id")
        .values_list("id_number", "name", "birth_date")[:limit]
    )


def _representative(rng, factory, adults, established: date) -> tuple[str, str]:
    """A person at least 20 years old when the enterprise was established."""
    latest_birth_year = established.year - 20
    for _ in range(8 if adults else 0):
        number, name, birth = rng.choice(adults)
        if birth.year <= latest_birth_year:
            return number, name
    while True:
        number, name, _, birth = factory.draw()
        if birth.year <= latest_birth_year:
            return number, name
        # Too young: give the number back, it was never written.
        factory.taken.discard(number)


def _organisation_code(rng: random.Random, established: date) -> str:
    if established.year >= 2016:
        # Codes assigned with the credit code reform: "MA" + region digit + 5 characters.
        body = "MA3" + "".join(rng.choices(_USCC_ALPHABET, k=5))
    else:
        body = f"{rng.randrange(10**8):08d}"
    return body + organisation_code_check(body)


def _enterprise_name(rng: random.Random, industry: str, capital: int) -> str:
    trade = rng.choice(_TRADE_CHARS) + rng.choice(_TRADE_CHARS)
    word = rng.choice(_INDUSTRY_WORDS[industry][1])
    place = "山东" if capital >= 5000 else "淄博" if rng.random() < 0.15 else "沂源县"
    form = "股份有限公司" if capital >= 2000 and rng.random() < 0.3 else "有限公司"
    return f"{place}{trade}{word}{form}"


# Industries where R&D spending is common: manufacturing, IT, research.
_RD_INDUSTRIES = {"C", "I", "M"}


def _operating_facts(rng, industry: str, capital: int, headcount: int):
    """Last year's revenue, tax and R&D (10,000 yuan), skewed like real small-county firms."""
    revenue = round(headcount * rng.lognormvariate(3.0, 0.8) * (1 + capital / 5000), 2)
    tax = round(revenue * rng.uniform(0.005, 0.06), 2)
    rd = 0.0
    if industry in _RD_INDUSTRIES and rng.random() < 0.45:
        rd = round(revenue * rng.uniform(0.005, 0.08), 2)
    high_tech = rd >= revenue * 0.03 and headcount >= 10 and rng.random() < 0.5
    return Decimal(str(revenue)), Decimal(str(tax)), Decimal(str(rd)), high_tech


def _generate_enterprises(rng, total, factory, places, as_of, adults, progress) -> int:
    started = time.perf_counter()
    taken = _existing(Enterprise, "credit_code")
    first_ord = date(1995, 1, 1).toordinal()
    span = as_of.toordinal() - first_ord
    done = 0
    while done < total:
        size = min(CHUNK, total - done)
        rows = []
        for township in places.pick(size):
            # Skewed towards recent years, as registrations have grown.
            established = date.fromordinal(first_ord + int(span * rng.random() ** 0.6))
            while True:
                code = credit_code(_organisation_code(rng, established))
                if code not in taken:
                    taken.add(code)
                    break
            industry = rng.choices(_INDUSTRIES, cum_weights=_INDUSTRY_CUM)[0]
            capital = rng.choices(_CAPITALS, cum_weights=_CAPITAL_CUM)[0]
            rep_id, rep_name = _representative(rng, factory, adults, established)
            headcount = max(1, int(rng.lognormvariate(1.5, 1.0) * (1 + capital / 1000)))
            revenue, tax, rd, high_tech = _operating_facts(rng, industry, capital, headcount)
            rows.append(
                Enterprise(
                    credit_code=code,
                    name=_enterprise_name(rng, industry, capital),
                    legal_representative=rep_name,
                    legal_representative_id=rep_id,
                    industry=industry,
                    registered_capital=Decimal(capital),
                    established_on=established,
                    headcount=headcount,
                    facts_year=as_of.year,
                    annual_revenue=revenue,
                    tax_paid=tax,
                    rd_spending=rd,
                    is_high_tech=high_tech,
                    township=township,
                    address=places.business_address(township),
                )
            )
        with transaction.atomic():
            Enterprise.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        done += size
        if progress:
            progress("enterprises", done, total, time.perf_counter() - started)
    return done
