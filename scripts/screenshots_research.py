"""Screenshots of 网络教研 and 继续教育学时 on the demo region (``demo/spaces_research.py`` builds their data):

* ``research-home.png``: the teacher's 网络教研 home (groups, coming activities, this year's hours);
* ``research-group.png``: the 名师工作室 page (members from several schools, schedule, 主题研讨);
* ``research-plan.png``: its 集体备课 with the version history, the diff with the previous version and the comments;
* ``research-observe.png``: its 听评课 with the lesson video sought to a comment's moment, the timestamped comments,
  the rubric averages and the leader's summary (``research-observe-phone.png``: the same on a phone);
* ``research-hours-report.png``: the 教研员's training-hours report for the district;
* ``research-school-hours.png``: the principal's report of their school (names masked);
* ``research-my-hours.png``: the teacher's hours and certificates;
* ``research-certificate.png``: the certificate PDF's page (rendered with pdftoppm);
* ``research-verify.png``: the public verification page, signed out.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_research.py [--out docs/screenshots/spaces] [--port 8782]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, phone_page, shot


def ids() -> dict[str, object]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.spaces.research.models import Activity, Certificate, ResearchGroup

    studio = ResearchGroup.objects.get(name="小学数学名师工作室")
    plan = Activity.objects.filter(group=studio, kind="plan", final_version__isnull=False).first()
    lesson = Activity.objects.filter(group=studio, kind="observe").first()
    certificate = Certificate.objects.filter(account__username="teacher", revoked_at__isnull=True).first()
    return {
        "studio": studio.pk,
        "plan": plan.pk if plan else 0,
        "lesson": lesson.pk if lesson else 0,
        "division": studio.division_id,
        "code": certificate.code if certificate else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots/spaces")
    parser.add_argument("--port", type=int, default=8782)
    parser.add_argument("--base", default="", help="a demo server already running")
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    found = ids()
    with demo_server(args.port, tries=5, base=args.base) as base, chromium() as browser:
        page = new_page(browser, height=1000)
        login(page, base, "teacher", accounts["teacher"]["password"])
        shot(page, out / "research-home.png", url=f"{base}/space/research/", full=False)
        shot(page, out / "research-group.png", url=f"{base}/space/research/groups/{found['studio']}/")
        shot(page, out / "research-plan.png", url=f"{base}/space/research/activities/{found['plan']}/")
        page.goto(f"{base}/space/research/activities/{found['lesson']}/")
        page.wait_for_load_state("networkidle")
        chips = page.locator("[data-seek]")
        if chips.count() > 2:
            chips.nth(2).click()
            page.wait_for_timeout(1200)
            page.evaluate("document.getElementById('lesson-video').pause()")
            page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(out / "research-observe.png"), full_page=True)
        shot(page, out / "research-my-hours.png", url=f"{base}/space/hours/")
        if found["code"]:
            response = page.request.get(f"{base}/space/hours/certificates/{found['code']}.pdf")
            with tempfile.TemporaryDirectory() as tmp:
                pdf = Path(tmp) / "c.pdf"
                pdf.write_bytes(response.body())
                if shutil.which("pdftoppm"):
                    subprocess.run(  # noqa: S603
                        ["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), str(out / "research-certificate")],  # noqa: S607
                        check=True,
                    )
        page = new_page(browser, height=900)
        login(page, base, "jiaoyan", accounts["jiaoyan"]["password"])
        shot(page, out / "research-hours-report.png", url=f"{base}/space/hours/report/?node=d:{found['division']}")
        page = new_page(browser, height=900)
        login(page, base, "principal", accounts["principal"]["password"])
        shot(page, out / "research-school-hours.png", url=f"{base}/space/hours/report/")
        phone = phone_page(browser)
        login(phone, base, "teacher", accounts["teacher"]["password"])
        shot(
            phone,
            out / "research-observe-phone.png",
            url=f"{base}/space/research/activities/{found['lesson']}/",
            full=False,
        )
        anonymous = new_page(browser, height=800)
        shot(anonymous, out / "research-verify.png", url=f"{base}/space/verify/?code={found['code']}")
    for p in sorted(out.glob("research-*.png")):
        print("saved", p)


if __name__ == "__main__":
    main()
