"""The district a sample import file is drawn from: schools, their classes and teachers, registered students.

Plain data, below both ``files`` (which builds it from the registry or synthetically) and ``student_rows``
(which draws student rows from it), so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class UClass:
    stage: str
    entry_year: int
    number: int
    capacity: int = 45


@dataclass
class USchool:
    code: str
    name: str
    school_type: str
    county: str
    stages: list[str]
    classes: list[UClass] = field(default_factory=list)
    staff: list[tuple[str, str, str]] = field(default_factory=list)  # staff_no, name, subject


@dataclass
class Universe:
    year: int
    schools: list[USchool]
    students: list[tuple[str, str]]  # 学籍号, 姓名 of registered students (for guardian files)
