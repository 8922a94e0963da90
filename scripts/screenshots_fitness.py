"""Screenshots of the 体质健康 pages on the demo region (``docs/screenshots/growth/fitness-*.png``):

* ``fitness-sessions.png``: the school's test rounds and the form to open one (学校管理员);
* ``fitness-session.png``: this term's round: import form, the school's figures, level chart, classes;
* ``fitness-import-errors.png``: a file with bad rows, refused whole, every problem named by row and column;
* ``fitness-class.png``: the demo class's results with names (班主任);
* ``fitness-district.png``: the district's figures per school (区域管理员);
* ``fitness-pupil-guardian.png`` / ``fitness-pupil-phone.png``: the pupil's results and trend (parent; phone).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_fitness.py [--out docs/screenshots/growth] [--port 8112]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, phone_page, shot


def prepare() -> dict[str, int]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.growth.models import FitnessSession
    from zhijiao.identity.models import Account
    from zhijiao.people.models import Student

    pupil = Student.objects.get(person_id=Account.objects.get(username="student").person_id)
    session = FitnessSession.objects.filter(school=pupil.school, term__is_current=True).order_by("-pk").first()
    assert session is not None, "the demo has a fitness round this term (demo/fitness_term.py)"
    return {"pupil": pupil.pk, "class": pupil.school_class_id, "session": session.pk, "no": pupil.student_no}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots/growth")
    parser.add_argument("--port", type=int, default=8112)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    ids = prepare()
    bad = Path(tempfile.mkdtemp()) / "体测仪导出.csv"
    bad.write_text(
        "学籍号,性别,年级,身高,体重,肺活量,50米跑,坐位体前屈,一分钟跳绳\n"
        f"{ids['no']},男,一年级,121,23,1200,10.8,9.5,96\n"
        "G000000000000000001,男,一年级,118,21,1100,11.2,8.0,88\n"
        f"{ids['no']},男,一年级,120,22,1300,快,11,8\n"
        f"{ids['no']},不详,初二,300,22,,10.6,11,90\n",
        encoding="utf-8",
    )
    session = f"/growth/fitness/sessions/{ids['session']}/"
    with demo_server(args.port, tries=5) as base, chromium() as browser:
        page = new_page(browser, height=1000)
        login(page, base, "principal", accounts["principal"]["password"])
        shot(page, out / "fitness-sessions.png", url=f"{base}/growth/fitness/")
        shot(page, out / "fitness-session.png", url=f"{base}{session}")
        page.set_input_files("input[name=file]", str(bad))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_load_state("networkidle")
        shot(page, out / "fitness-import-errors.png")
        page = new_page(browser, height=1000)
        login(page, base, "banzhuren", accounts["banzhuren"]["password"])
        shot(page, out / "fitness-class.png", url=f"{base}{session}classes/{ids['class']}/")
        page = new_page(browser, height=1000)
        login(page, base, "bureau", accounts["bureau"]["password"])
        shot(page, out / "fitness-district.png", url=f"{base}/growth/fitness/district/")
        page = new_page(browser, height=1000)
        login(page, base, "parent", accounts["parent"]["password"])
        shot(page, out / "fitness-pupil-guardian.png", url=f"{base}/growth/fitness/pupils/{ids['pupil']}/")
        phone = phone_page(browser)
        login(phone, base, "parent", accounts["parent"]["password"])
        shot(phone, out / "fitness-pupil-phone.png", url=f"{base}/growth/fitness/pupils/{ids['pupil']}/")


if __name__ == "__main__":
    main()
