"""Screenshots of the reports above the class (学情报告) on the demo region:

* ``guardian-phone.png``: 孩子的学习情况, the demo parent's child, on a phone;
* ``school-report.png``: a school's report of the district exam (per class), as its 学校管理员;
* ``district-report.png``: the district comparison (per school), as the bureau's 区域管理员.

The demo has no marked exam of its own yet: ``--seed`` first adds one district 数学 exam (its division's schools,
one school with only 3 pupils sitting it, to show the suppression), two homework results and mastery estimates
for the parent's child, and mastery changes in the last 30 days (bulk rows, screenshots only).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_area_reports.py --seed [--out /work/shots/rep] [--port 8613]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, phone_page, shot

TITLE = "区域八年级数学期中质量检测"


def seed() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from zhijiao.access.models import RoleGrant
    from zhijiao.curriculum.models import KnowledgePoint
    from zhijiao.identity.models import Account
    from zhijiao.learning.models import (
        Assignment,
        Item,
        ItemVersion,
        Mastery,
        MasteryChange,
        Paper,
        PaperItem,
        Submission,
    )
    from zhijiao.org.models import SchoolClass
    from zhijiao.people.models import Guardianship, Student

    if Assignment.objects.filter(title=TITLE).exists():
        return
    rng = random.Random(2026)  # noqa: S311  (made-up scores, repeatable)
    accounts = demo_accounts()
    by_role = {v["role"]: k for k, v in accounts.items()}
    bureau = Account.objects.get(username=by_role["region_admin"])
    division = RoleGrant.objects.filter(account=bureau, role="region_admin").values_list("division_id", flat=True)[0]
    parent = Account.objects.get(username=by_role["parent"])
    child = Student.objects.get(pk=Guardianship.objects.filter(guardian_id=parent.person_id).values("student_id")[:1])
    points = list(KnowledgePoint.objects.filter(stage="3", subject="14").order_by("code")[:8])
    now = timezone.now()
    with transaction.atomic():
        paper = Paper.objects.create(title=TITLE, stage="3", subject="14", author=bureau, owner_division_id=division)
        for i, kp in enumerate(points):
            item = Item.objects.create(stage="3", subject="14", author=bureau, owner_division_id=division)
            version = ItemVersion.objects.create(
                item=item, number=1, type="single", stem=f"{kp.name} 第{i + 1}题", answer=["A"], points=5,
                created_by=bureau,
            )  # fmt: skip
            item.knowledge_points.set([kp])
            PaperItem.objects.create(paper=paper, item=item, version=version, order=i, points=5)

        def assignment(title: str, kind: str, school_id: int | None, days: int) -> Assignment:
            return Assignment.objects.create(
                title=title, kind=kind, mode="paper", paper=paper, stage="3", subject="14", division_id=division,
                school_id=school_id, opens_at=now - timedelta(days=days), status="published", created_by=bureau,
            )  # fmt: skip

        exam = assignment(TITLE, "exam", None, 6)
        classes = list(
            SchoolClass.objects.filter(school__division__code__startswith=division).order_by("school__code", "pk")
        )
        principal = Account.objects.get(username=by_role["school_admin"])
        own = RoleGrant.objects.filter(account=principal, role="school_admin").values_list("school_id", flat=True)[0]
        keep = list(dict.fromkeys([own, child.school_id]))
        schools = keep + [s for s in sorted({c.school_id for c in classes}) if s not in keep][: 8 - len(keep)]
        small = schools[-1]
        full = 5 * len(points)
        subs, mastery = [], []
        for school_id in schools:
            skill = rng.gauss(0.65, 0.08)
            pupils = list(
                Student.objects.filter(school_class__school_id=school_id, school_class__isnull=False).order_by("pk")
            )
            if school_id == small:
                pupils = pupils[:3]
            for pupil in pupils:
                if pupil.pk == child.pk:
                    ability = 0.78
                else:
                    ability = min(0.98, max(0.05, rng.gauss(skill + 0.02 * (pupil.school_class_id % 3), 0.17)))
                subs.append(
                    Submission(
                        assignment=exam,
                        student=pupil,
                        school_class_id=pupil.school_class_id,
                        status="marked",
                        source="import",
                        score=round(full * ability),
                        max_score=full,
                        marked_at=now - timedelta(days=4),
                    )
                )
                for j, kp in enumerate(points):
                    value = ability + (0.15 if j % 3 == 0 else -0.12 if j % 3 == 1 else 0) + rng.gauss(0, 0.08)
                    if pupil.pk == child.pk:
                        value = [0.9, 0.35, 0.82, 0.48, 0.7, 0.55, 0.86, 0.66][j % 8]
                    mastery.append(
                        Mastery(
                            student=pupil,
                            knowledge_point=kp,
                            subject="14",
                            estimate=min(1, max(0, value)),
                            uncertainty=0.3 if (pupil.pk == child.pk and j == 5) else 0.12,
                            evidence=4,
                            model="cdm",
                            assignment=exam,
                            fitted_at=now - timedelta(days=4),
                        )
                    )
        Submission.objects.bulk_create(subs, batch_size=5000)
        Mastery.objects.bulk_create(mastery, batch_size=10000, ignore_conflicts=True)
        for title, days, score in (("第三单元 一次函数 作业", 12, 34), ("课时作业：勾股定理", 20, 27)):
            homework = assignment(title, "homework", child.school_id, days)
            Submission.objects.create(
                assignment=homework, student=child, school_class_id=child.school_class_id, status="marked",
                score=score, max_score=full, marked_at=now - timedelta(days=days - 1),
            )  # fmt: skip
        for kp, before, after in ((points[0], 0.62, 0.9), (points[3], 0.7, 0.48), (points[2], 0.6, 0.82)):
            MasteryChange.objects.create(
                student=child, knowledge_point=kp, before=before, after=after, uncertainty=0.12, model="cdm",
                assignment=exam, at=now - timedelta(days=4),
            )  # fmt: skip
    print(f"seeded: {len(subs)} submissions in {len(schools)} schools, child {child.pk}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/shots/rep")
    parser.add_argument("--port", type=int, default=8613)
    parser.add_argument("--seed", action="store_true")
    args = parser.parse_args()
    if args.seed:
        seed()
    out = out_dir(args.out)
    accounts = demo_accounts()
    by_role = {v["role"]: k for k, v in accounts.items()}
    password = os.environ["ZHIJIAO_DEMO_PASSWORD"]
    with demo_server(args.port, tries=3) as base, chromium() as browser:
        page = phone_page(browser)
        login(page, base, by_role["parent"], password)
        shot(page, out / "guardian-phone.png", url=f"{base}/learning/reports/child/")

        page = new_page(browser)
        login(page, base, by_role["region_admin"], password, accounts[by_role["region_admin"]].get("totp_secret"))
        page.goto(f"{base}/learning/reports/")
        page.click("text=查看区域报告")
        page.wait_for_timeout(1200)
        shot(page, out / "district-report.png")
        district_url = page.url

        page = new_page(browser)
        login(page, base, by_role["school_admin"], password, accounts[by_role["school_admin"]].get("totp_secret"))
        page.goto(f"{base}/learning/reports/")
        page.wait_for_load_state("networkidle")
        shot(page, out / "reports-home-school.png", full=False)
        if page.locator("text=查看学校报告").count():
            page.click("text=查看学校报告")
            page.wait_for_timeout(1200)
            shot(page, out / "school-report.png")
        print(district_url)
    print(f"saved to {out}")


if __name__ == "__main__":
    main()
