"""Deterministic, realistic synthetic people for the demo region and the sample import files.

One :class:`Synth` per build holds one seeded ``random.Random``; the same seed gives the same region. Calls are
cheap (pools and cumulative weights are precomputed) because a city-sized demo makes millions of them.
"""

from __future__ import annotations

import random
from bisect import bisect
from datetime import date, timedelta
from itertools import accumulate

from zhijiao.core.codes import code_table, division_path, divisions
from zhijiao.core.synth.names import COMMUNITIES, ROADS, SCHOOL_PLACE_WORDS, SURNAMES, given_name_pools
from zhijiao.core.validators import id_check_digit

__all__ = ["Synth"]

# Ethnic mix of a central-China city (GB/T 3304 codes): overwhelmingly 汉族, then 土家族, 回族, 苗族 …
_ETHNIC_WEIGHTS = (
    ("01", 985.0),
    ("15", 4.0),
    ("03", 3.0),
    ("06", 2.0),
    ("11", 2.0),
    ("08", 1.5),
    ("02", 1.0),
    ("05", 0.5),
    ("04", 0.5),
    ("14", 0.5),
)
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "177",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)

_SCHOOL_SUFFIX = {
    "primary": ("小学",),
    "junior": ("中学", "初级中学"),
    "nine_year": ("学校", "实验学校"),
    "senior": ("高级中学", "中学"),
    "twelve_year": ("外国语学校", "实验学校"),
    "vocational": ("职业技术学校", "职业教育中心"),
}
_ORDINALS = "一二三四五六七八九十"


class Synth:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._surnames = [s for s, _ in SURNAMES]
        self._surname_cum = list(accumulate(w for _, w in SURNAMES))
        known = {row.code for row in code_table("ethnicity")}
        weights = [(c, w) for c, w in _ETHNIC_WEIGHTS if c in known]
        self._ethnic = [c for c, _ in weights]
        self._ethnic_cum = list(accumulate(w for _, w in weights))
        table = divisions()
        self._counties = sorted(code for code, d in table.items() if d.level == 3)
        self._counties_by_province: dict[str, list[str]] = {}
        for code in self._counties:
            self._counties_by_province.setdefault(code[:2], []).append(code)
        self._issued_ids: set[str] = set()
        self._issued_mobiles: set[str] = set()
        self._address_heads: dict[str, str] = {}

    # ------------------------------------------------------------------ basics
    def sex(self) -> str:
        return "1" if self.rng.random() < 0.515 else "2"

    def surname(self) -> str:
        return self._surnames[bisect(self._surname_cum, self.rng.random() * self._surname_cum[-1])]

    def given_name(self, sex: str, birth_year: int) -> str:
        first, second, two_share = given_name_pools(sex, birth_year)
        rng = self.rng
        if rng.random() < two_share:
            return first[rng.randrange(len(first))] + second[rng.randrange(len(second))]
        return second[rng.randrange(len(second))]

    def name(self, sex: str, birth_year: int) -> str:
        return self.surname() + self.given_name(sex, birth_year)

    def child_name(self, sex: str, birth_year: int, surname: str) -> str:
        return surname + self.given_name(sex, birth_year)

    def ethnicity(self) -> str:
        return self._ethnic[bisect(self._ethnic_cum, self.rng.random() * self._ethnic_cum[-1])]

    def birth_date(self, year: int) -> date:
        return date(year, 1, 1) + timedelta(days=self.rng.randrange(365))

    def birth_date_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    # ------------------------------------------------------------------ identity
    def birth_region(self, home_county: str) -> str:
        """An ID number's region: mostly the home county, else the same province, else anywhere in China."""
        roll = self.rng.random()
        if roll < 0.75 or not self._counties:
            return home_county
        if roll < 0.9:
            same = self._counties_by_province.get(home_county[:2]) or self._counties
            return same[self.rng.randrange(len(same))]
        return self._counties[self.rng.randrange(len(self._counties))]

    def id_number(self, *, region: str, birth_date: date, sex: str) -> str:
        """A GB 11643 number, unique within this Synth: odd order code for men, even for women."""
        stem = f"{region}{birth_date:%Y%m%d}"
        parity = 1 if sex == "1" else 0
        for _ in range(1000):
            order = self.rng.randrange(500) * 2 + parity
            first17 = f"{stem}{order:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self._issued_ids:
                self._issued_ids.add(number)
                return number
        raise RuntimeError(f"no free ID order code for {stem}")

    def mobile(self) -> str:
        while True:
            number = _MOBILE_PREFIXES[self.rng.randrange(len(_MOBILE_PREFIXES))] + f"{self.rng.randrange(10**8):08d}"
            if number not in self._issued_mobiles:
                self._issued_mobiles.add(number)
                return number

    # ------------------------------------------------------------------ places
    def address(self, county_code: str) -> str:
        head = self._address_heads.get(county_code)
        if head is None:
            head = "".join(d.name for d in division_path(county_code) if d.name not in ("市辖区", "县"))
            self._address_heads[county_code] = head
        rng = self.rng
        return (
            f"{head}{ROADS[rng.randrange(len(ROADS))]}{rng.randint(1, 399)}号"
            f"{COMMUNITIES[rng.randrange(len(COMMUNITIES))]}{rng.randint(1, 30)}栋"
            f"{rng.randint(1, 4)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
        )

    def school_names(self, county_name: str, kind: str, count: int) -> list[str]:
        """Unique plausible school names: 东西湖区金银湖小学, 东西湖区第一初级中学 …"""
        suffixes = _SCHOOL_SUFFIX[kind]
        names: list[str] = []
        places = list(SCHOOL_PLACE_WORDS)
        self.rng.shuffle(places)
        numbered = 0
        for index in range(count):
            suffix = suffixes[index % len(suffixes)]
            if index < len(places) and not (kind in ("junior", "senior") and index % 3 == 0):
                candidate = f"{county_name}{places[index]}{suffix}"
            else:
                numbered += 1
                ordinal = _ORDINALS[numbered - 1] if numbered <= 10 else str(numbered)
                candidate = f"{county_name}第{ordinal}{suffix}"
            while candidate in names:
                numbered += 1
                candidate = f"{county_name}第{numbered}{suffix}"
            names.append(candidate)
        return names
