"""Student rows for sample import files, fast enough for a million-row file in well under a minute.

Everything that does not change from row to row is worked out once: per class the school code, 年级 and
入学年月; per birth cohort every birth date as text with its share of the ID checksum; per division the
户口所在地 text. A row then costs a handful of random draws and one dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from zhijiao.core.codes import code_name, division_path
from zhijiao.core.synth import Synth
from zhijiao.core.synth.names import COMMUNITIES, ROADS
from zhijiao.demo.universe import Universe
from zhijiao.org.grades import grade_label

ENTRY_AGE = {"2": 6, "3": 12, "4": 15, "6": 15}
FOREIGN_SHARE = 0.01  # students without a mainland ID: 护照 or 港澳居民来往内地通行证, 学籍号 J + 18 characters
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ORDER_SUMS = tuple(sum(int(d) * w for d, w in zip(f"{n:03d}", _ID_WEIGHTS[14:], strict=True)) for n in range(1000))
# (relation, share, same surname as the child, generations above the child); about one in ten pupils is a
# left-behind child (留守儿童) whose guardian of record is a grandparent.
_GUARDIANS = (("母亲", 0.50, False, 1), ("父亲", 0.40, True, 1), ("祖母", 0.065, False, 2), ("祖父", 0.035, True, 2))
_GUARDIAN_UPTO = tuple(accumulate(g[1] for g in _GUARDIANS))
_HUKOU = ("非农业家庭户口", "非农业家庭户口", "农业家庭户口")


def _digit_sum(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


@dataclass(frozen=True)
class _Class:
    school: str
    county: str
    address_head: str
    grade: str
    number: int
    enrolled: str
    births: list[tuple[str, str, int, int]]  # iso date, YYYYMMDD, year, checksum share of YYYYMMDD
    boarding: bool  # senior and vocational pupils may board


class StudentRows:
    """Rows shaped like ``SPECS["students"].headers``; unique ID numbers, 学籍号 and mobiles within one maker."""

    def __init__(self, universe: Universe, synth: Synth) -> None:
        self.synth = synth
        self.random = synth.rng.random
        self._ids: set[str] = set()
        self._places: dict[str, str] = {}
        self._region_sums: dict[str, int] = {}
        self._ethnic_names: dict[str, str] = {}
        self._sex_names = {"1": code_name("sex", "1"), "2": code_name("sex", "2")}
        births: dict[tuple[int, str], list[tuple[str, str, int, int]]] = {}
        heads: dict[str, str] = {}
        self.classes: list[_Class] = []
        for school in universe.schools:
            head = heads.get(school.county)
            if head is None:
                names = [d.name for d in division_path(school.county) if d.name not in ("市辖区", "县")]
                head = heads[school.county] = "".join(names)
            for c in school.classes:
                key = (c.entry_year, c.stage)
                if key not in births:
                    births[key] = self._birth_dates(c.entry_year - ENTRY_AGE[c.stage])
                self.classes.append(
                    _Class(
                        school.code,
                        school.county,
                        head,
                        grade_label(c.stage, c.entry_year, universe.year),
                        c.number,
                        f"{c.entry_year}-09",
                        births[key],
                        c.stage in ("4", "6"),
                    )
                )

    @staticmethod
    def _birth_dates(year: int) -> list[tuple[str, str, int, int]]:
        """Every day from 1 September of ``year - 1`` to 31 August of ``year`` (the cohort entering together)."""
        day, end, out = date(year - 1, 9, 1), date(year, 8, 31), []
        while day <= end:
            ymd = f"{day:%Y%m%d}"
            out.append((day.isoformat(), ymd, day.year, _digit_sum(ymd, _ID_WEIGHTS[6:14])))
            day += timedelta(days=1)
        return out

    # ------------------------------------------------------------------ pieces
    def _id_number(self, region: str, ymd: str, date_sum: int, male: bool) -> str:
        """A GB 11643 number with the checksum from precomputed partial sums; odd order code for boys."""
        base = self._region_sums.get(region)
        if base is None:
            base = self._region_sums[region] = _digit_sum(region, _ID_WEIGHTS[:6])
        stem, parity, random = region + ymd, 1 if male else 0, self.random
        for _ in range(1000):
            order = int(random() * 500) * 2 + parity
            number = f"{stem}{order:03d}{_ID_CHECK[(base + date_sum + _ORDER_SUMS[order]) % 11]}"
            if number not in self._ids:
                self._ids.add(number)
                return number
        raise RuntimeError(f"no free ID order code for {stem}")

    def _foreign(self, county: str, ymd: str) -> tuple[str, str, str]:
        """(证件类型, 证件号, 学籍号) for a pupil without a mainland ID: a 学籍辅号 J + 17 digits + a digit."""
        random = self.random
        while True:
            student_no = f"J{county}{ymd}{int(random() * 10000):04d}"
            if student_no not in self._ids:
                self._ids.add(student_no)
                break
        if random() < 0.6:
            return "护照", f"E{int(random() * 10**8):08d}", student_no
        return "港澳居民来往内地通行证", f"{'H' if random() < 0.8 else 'M'}{int(random() * 10**8):08d}", student_no

    def _place(self, region: str) -> str:
        """户口所在地 as its name path: 湖北省武汉市东西湖区."""
        place = self._places.get(region)
        if place is None:
            names = [d.name for d in division_path(region) if d.name not in ("市辖区", "县")]
            place = self._places[region] = "".join(names)
        return place

    def _ethnicity(self) -> str:
        code = self.synth.ethnicity()
        name = self._ethnic_names.get(code)
        if name is None:
            name = self._ethnic_names[code] = code_name("ethnicity", code)
        return name

    def _address(self, c: _Class) -> str:
        random = self.random
        return (
            f"{c.address_head}{ROADS[int(random() * len(ROADS))]}{1 + int(random() * 399)}号"
            f"{COMMUNITIES[int(random() * len(COMMUNITIES))]}{1 + int(random() * 30)}栋"
            f"{1 + int(random() * 4)}单元{1 + int(random() * 33)}{1 + int(random() * 4):02d}室"
        )

    def _guardian(self, surname: str, child_year: int) -> tuple[str, str]:
        roll, synth = self.random(), self.synth
        relation, _, same_surname, generations = next(
            (g for g, upto in zip(_GUARDIANS, _GUARDIAN_UPTO, strict=True) if roll < upto), _GUARDIANS[-1]
        )
        born = child_year - 24 - int(self.random() * 15) - (generations - 1) * (24 + int(self.random() * 9))
        if same_surname:
            return surname + synth.given_name("1", born), relation
        return synth.name("2", born), relation

    # ------------------------------------------------------------------ a row
    def row(self, index: int) -> dict[str, object]:
        synth, random = self.synth, self.random
        c = self.classes[int(random() * len(self.classes))]
        iso, ymd, year, date_sum = c.births[int(random() * len(c.births))]
        male = random() < 0.515
        sex = "1" if male else "2"
        surname = synth.surname()
        if random() < FOREIGN_SHARE:
            id_type, id_number, student_no = self._foreign(c.county, ymd)
            hukou_place, hukou = "", ""
        else:
            region = synth.birth_region(c.county)
            id_type, id_number = "居民身份证", self._id_number(region, ymd, date_sum, male)
            student_no, hukou_place, hukou = "G" + id_number, self._place(region), _HUKOU[int(random() * 3)]
        guardian, relation = self._guardian(surname, year)
        guardian_phone = synth.mobile()
        return {
            "姓名": surname + synth.given_name(sex, year),
            "性别": self._sex_names[sex],
            "出生日期": iso,
            "民族": self._ethnicity(),
            "身份证件类型": id_type,
            "身份证件号": id_number,
            "学籍号": student_no,
            "学校标识码": c.school,
            "年级": c.grade,
            "班级": c.number,
            "入学年月": c.enrolled,
            "就读方式": "住校" if c.boarding and random() < 0.6 else "走读",
            "户口所在地": hukou_place,
            "监护人姓名": guardian,
            "监护人关系": relation,
            "监护人电话": guardian_phone,
            "健康状况": "健康或良好" if random() < 0.97 else "一般或较弱",
            "户口性质": hukou,
            "家庭住址": self._address(c),
            # Younger pupils' contact number is usually the guardian's; older ones may give their own.
            "联系电话": guardian_phone if random() < 0.6 else synth.mobile(),
        }
