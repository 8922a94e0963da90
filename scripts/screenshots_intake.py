"""Screenshots of the data-import flow (upload, progress, results, match queue) for docs/screenshots/.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --scale small --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_intake.py [--out docs/screenshots]

Generates a dirty students file with ``zhijiao generate``, makes one 重复学籍 conflict with ``zhijiao import``,
then uploads the file through the browser as the district's data administrator.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_home, demo_server, login, new_page


def zhijiao(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "zhijiao.cli", *args], check=True, capture_output=True, text=True)  # noqa: S603
    return done.stdout


def conflict_file(home: Path) -> Path:
    """One pupil of the first school, as the second school would list them (a 重复学籍)."""
    script = (
        "import django, json; django.setup();"
        "from zhijiao.people.models import Student; from zhijiao.org.models import School;"
        "from zhijiao.core.student_status import studying_q;"
        "s = Student.objects.select_related('person', 'school_class__grade').filter(studying_q()).first();"
        "other = School.objects.exclude(pk=s.school_id).filter(stages__contains=s.school_class.grade.stage).first();"
        "print(json.dumps({'name': s.person.name, 'sex': s.person.sex, 'born': s.person.birth_date.isoformat(),"
        "'id': s.person.id_number, 'no': s.student_no, 'school': other.code}))"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "zhijiao.config.settings"}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, env=env
    )
    facts = json.loads(done.stdout)
    path = home / "conflict.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["姓名", "性别", "出生日期", "身份证件号", "学籍号", "学校标识码", "年级", "班级"])
        writer.writerow(
            [facts["name"], facts["sex"], facts["born"], facts["id"], facts["no"], facts["school"], "2024级", "1"]
        )
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    home = demo_home()
    password = next(iter(demo_accounts().values()))["password"]
    upload = home / "东西湖区学生信息表.xlsx"
    zhijiao("generate", "students", "--rows", "800", "--dirty", "0.08", "--seed", "3", "--out", str(upload))
    zhijiao("import", "students", str(conflict_file(home)))

    with demo_server(0, "--with-worker") as base, chromium() as browser:
        page = new_page(browser)
        login(page, base, "bureau", password)
        page.goto(f"{base}/intake/")
        page.screenshot(path=out / "22-intake-upload.png", full_page=True)
        page.set_input_files("input[name=file]", str(upload))
        page.click(".intake-form button[type=submit]")
        page.wait_for_selector(".import-progress, .stat-grid")
        if page.locator(".import-progress").count():
            page.screenshot(path=out / "23-intake-progress.png", full_page=True)
        page.wait_for_selector(".stat-grid", timeout=120_000)
        page.screenshot(path=out / "24-intake-batch.png", full_page=True)
        page.goto(f"{base}/intake/cases/")
        page.screenshot(path=out / "25-intake-cases.png", full_page=True)
        page.goto(f"{base}/intake/batches/")
        page.screenshot(path=out / "26-intake-history.png", full_page=True)
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()
