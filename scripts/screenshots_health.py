"""Screenshots of the 健康档案 pages and the growth figures on the demo region (``/work/shots/health`` by default):

* ``health-class.png``: the demo class's entry form and latest checks (班主任);
* ``health-import-errors.png``: a file with bad rows, refused whole, every problem named by row and column;
* ``health-pupil-teacher.png``: the pupil's health file as a teacher sees it (no psychology);
* ``health-pupil-psych.png`` / ``health-psych-counsellor.png``: the same file and the psychology page (心理教师);
* ``health-pupil-guardian.png`` / ``health-psych-guardian.png``: the guardian's view of both;
* ``analytics-growth-district.png`` / ``analytics-growth-school.png``: the 成长与健康 panel (区域管理员);
* ``indicators-growth.png``: the plan indicators page with the three growth indicators.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_health.py [--out DIR] [--port 8615]
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


def prepare() -> dict[str, object]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.identity.models import Account
    from zhijiao.people.models import Student

    pupil = Student.objects.select_related("school").get(person_id=Account.objects.get(username="student").person_id)
    return {"pupil": pupil.pk, "class": pupil.school_class_id, "no": pupil.student_no, "school": pupil.school.code}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/shots/health")
    parser.add_argument("--port", type=int, default=8615)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    ids = prepare()
    bad = Path(tempfile.mkdtemp()) / "体检结果.csv"
    bad.write_text(
        "学籍号,检查日期,身高,体重,左眼视力,右眼视力,左眼等效球镜,右眼等效球镜,戴镜,龋齿\n"
        f"{ids['no']},2026-11-02,121,23,4.8,4.9,-1.25,-1.00,否,0\n"
        "G000000000000000001,2026-11-02,118,21,5.0,5.0,,,否,\n"
        f"{ids['no']},2026-11-31,320,22,6.2,0.8,,,也许,三\n",
        encoding="utf-8",
    )
    pupil = f"/growth/health/pupils/{ids['pupil']}/"

    def as_(who: str, height: int = 1000):
        page = new_page(browser, height=height)
        login(page, base, who, accounts[who]["password"])
        return page

    with demo_server(args.port, tries=5) as base, chromium() as browser:
        page = as_("banzhuren", 1200)
        shot(page, out / "health-class.png", url=f"{base}/growth/health/classes/{ids['class']}/")
        page.set_input_files("input[name=file]", str(bad))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_load_state("networkidle")
        shot(page, out / "health-import-errors.png")
        shot(as_("teacher"), out / "health-pupil-teacher.png", url=f"{base}{pupil}")
        page = as_("xinli")
        shot(page, out / "health-pupil-psych.png", url=f"{base}{pupil}")
        shot(page, out / "health-psych-counsellor.png", url=f"{base}{pupil}psych/")
        page = as_("parent")
        shot(page, out / "health-pupil-guardian.png", url=f"{base}{pupil}")
        shot(page, out / "health-psych-guardian.png", url=f"{base}{pupil}psych/")
        page = as_("bureau", 1400)
        for name, url in (("district", "/analytics/"), ("school", f"/analytics/{ids['school']}/")):
            page.goto(f"{base}{url}")
            page.wait_for_load_state("networkidle")
            page.locator("#growth").screenshot(path=str(out / f"analytics-growth-{name}.png"))
        shot(page, out / "indicators-growth.png", url=f"{base}/analytics/indicators/", full=True)


if __name__ == "__main__":
    main()
