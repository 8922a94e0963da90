"""Screenshots of the 区域导入 page of 体质健康 on the demo region (区域管理员 ``bureau``):

* ``fitness-area-import-errors.png``: a 测试中心's file with bad rows, refused whole, the problems and the report;
* ``fitness-area-import.png``: the corrected file imported, the pupils counted per school.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_fitness_area.py [--out DIR] [--port 8621]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, shot

HEADER = "学籍号,性别,年级,身高,体重,肺活量,50米跑,坐位体前屈,一分钟跳绳\n"


def pupils() -> list[str]:
    """Two pupils of each of three schools under the bureau's district."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.access.roles import Role
    from zhijiao.identity.models import Account
    from zhijiao.org.models import School
    from zhijiao.people.models import Student

    bureau = Account.objects.get(username="bureau")
    code = bureau.grants.filter(role=Role.REGION_ADMIN).values_list("division_id", flat=True).first()
    found: list[str] = []
    schools = School.objects.filter(division__code__startswith=code).order_by("code").values_list("pk", flat=True)
    for school_id in list(schools)[:3]:
        found.extend(Student.objects.filter(school_id=school_id).values_list("student_no", flat=True)[:2])
    return found[:6]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots/growth")
    parser.add_argument("--port", type=int, default=8621)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    nos = pupils()
    work = Path(tempfile.mkdtemp())
    good = "".join(
        f"{no},{'男' if i % 2 else '女'},一年级,12{i},2{i},1300,10.6,11.0,8{i}\n" for i, no in enumerate(nos)
    )
    bad = good + "G000000000000000001,男,一年级,118,21,1100,11.2,8.0,88\n" + f"{nos[0]},男,一年级,120,22,1300,快,11,8\n"
    (work / "测试中心汇总.csv").write_text(HEADER + bad, encoding="utf-8")
    (work / "测试中心汇总（改正）.csv").write_text(HEADER + good, encoding="utf-8")
    with demo_server(args.port, tries=5) as base, chromium() as browser:
        page = new_page(browser, height=1000)
        login(page, base, "bureau", accounts["bureau"]["password"])
        page.goto(f"{base}/growth/fitness/area-import/")
        page.fill("input[name=name]", "秋季体质健康测试（区测试中心）")
        page.set_input_files("input[name=file]", str(work / "测试中心汇总.csv"))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_load_state("networkidle")
        shot(page, out / "fitness-area-import-errors.png")
        page.set_input_files("input[name=file]", str(work / "测试中心汇总（改正）.csv"))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_load_state("networkidle")
        shot(page, out / "fitness-area-import.png")


if __name__ == "__main__":
    main()
