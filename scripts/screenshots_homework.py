"""Screenshots of homework and exams (作业、考试) on the demo region:

* ``hw-assign.png``: the teacher's 布置作业/考试 form;
* ``hw-answer-desktop.png`` / ``hw-answer-phone.png``: the pupil answering (formulas rendered), desktop and phone;
* ``hw-mark.png``: 阅卷 of a 解答题 with the rubric and the keyboard shortcuts;
* ``hw-import-errors.png``: a marking export with bad rows, nothing imported, the problems by row and column;
* ``hw-push-plan.png`` / ``hw-push-draft.png``: 学情推送 for a class and the draft awaiting one-click approval.

The push needs mastery estimates: where the diagnosis has not run yet, the script writes a few (demo data).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_homework.py [--out /work/shots/hw] [--port 8611]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, shot

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM reads between the browser steps (a script)
django.setup()

from zhijiao.identity.models import Account  # noqa: E402
from zhijiao.learning.models import Assignment, AssignmentStatus, Item, Mastery  # noqa: E402
from zhijiao.people.models import Student  # noqa: E402


def pupil_class_id() -> int:
    me = Student.objects.get(person_id=Account.objects.get(username="student").person_id)
    return me.school_class_id


def ensure_mastery(class_id: int) -> None:
    if Mastery.objects.filter(student__school_class_id=class_id).exists():
        return
    points = list(
        Item.objects.filter(stage="3", subject="14", approved_version__isnull=False)
        .values_list("knowledge_points", flat=True)
        .distinct()[:8]
    )
    rows = []
    for n, s in enumerate(Student.objects.filter(school_class_id=class_id).order_by("pk")):
        for k, p in enumerate(points):
            if p is None:
                continue
            est = ((n * 7 + k * 13) % 100) / 100
            rows.append(Mastery(student=s, knowledge_point_id=p, subject="14", estimate=est, uncertainty=0.15,
                                evidence=4, model="cdm", fitted_at=datetime.now(UTC)))  # fmt: skip
    Mastery.objects.bulk_create(rows, ignore_conflicts=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/shots/hw")
    parser.add_argument("--port", type=int, default=8611)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    password = accounts["teacher"].get("password") or os.environ["ZHIJIAO_DEMO_PASSWORD"]
    class_id = pupil_class_id()
    ensure_mastery(class_id)
    open_hw = (
        Assignment.objects.filter(classes=class_id, status=AssignmentStatus.PUBLISHED, mode="online", origin="teacher")
        .order_by("pk")
        .first()
    )
    assert open_hw is not None, "the demo has no open homework for the demo pupil's class"
    with demo_server(args.port, tries=3) as base, chromium() as browser:
        # 1. the teacher's assigning form
        page = new_page(browser)
        login(page, base, "teacher", password)
        page.goto(f"{base}/learning/homework/new/")
        page.fill('input[name="title"]', "第五章 一元一次方程 课后作业")
        page.select_option('select[name="paper"]', index=1)
        page.check(f'input[name="classes"][value="{class_id}"]')
        shot(page, out / "hw-assign.png", full=False)
        # a paper exam for the import, through the same form
        page.fill('input[name="title"]', "单元测验（纸笔）")
        page.select_option('select[name="kind"]', "exam")
        page.select_option('select[name="mode"]', "paper")
        page.on("dialog", lambda d: d.accept())
        page.click("button:has-text('布置')")
        page.wait_for_load_state("networkidle")
        exam_url = page.url

        # 2. the pupil answering, desktop and phone
        pupil = new_page(browser)
        login(pupil, base, "student", password)
        pupil.goto(f"{base}/learning/my/homework/")
        pupil.click(f"a.hw-task:has-text('{open_hw.title}')")
        pupil.wait_for_load_state("networkidle")
        pupil.wait_for_timeout(800)
        radios = pupil.locator("input[type=radio]")
        if radios.count():
            radios.nth(0).check()
        blanks = pupil.locator(".hw-blank input")
        if blanks.count():
            blanks.nth(0).fill("3")
        text = pupil.locator("textarea")
        if text.count():
            text.nth(0).fill(
                "设女生有 x 人，则男生有 (x+3) 人。\n列方程 x+(x+3)=45，解得 x=21。\n答：女生 21 人，男生 24 人。"
            )
        pupil.wait_for_timeout(1500)  # autosave
        shot(pupil, out / "hw-answer-desktop.png", full=False)
        phone = new_page(browser, width=390, height=844, is_mobile=True, has_touch=True, device_scale_factor=2)
        login(phone, base, "student", password)
        phone.goto(pupil.url)
        phone.wait_for_timeout(1000)
        shot(phone, out / "hw-answer-phone.png", full=False)
        pupil.on("dialog", lambda d: d.accept())
        if pupil.locator("button:has-text('提交')").count():
            pupil.click("button:has-text('提交')")
            pupil.wait_for_load_state("networkidle")

        # 3. marking a 解答题
        page.goto(f"{base}/learning/homework/{open_hw.pk}/")
        link = page.locator("a:has-text('开始批改')")
        if link.count():
            link.first.click()
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(800)
            page.keyboard.press("3")
        shot(page, out / "hw-mark.png", full=False)

        # 4. an import with bad rows
        exam = Assignment.objects.get(pk=int(exam_url.rstrip("/").split("/")[-1]))
        nos = list(Student.objects.filter(school_class_id=class_id).values_list("student_no", flat=True)[:3])
        rows = ["学籍号,姓名,题号,得分", f"{nos[0]},,1,2", f"{nos[0]},,2,9", f"{nos[1]},,1,两分", "G123456,,1,1",
                f"{nos[1]},,30,1", f"{nos[2]},,1,2", f"{nos[0]},,1,1"]  # fmt: skip
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
            f.write("\n".join(rows))
        page.goto(f"{base}/learning/homework/{exam.pk}/import/")
        page.set_input_files('input[name="file"]', f.name)
        page.click("button:has-text('检查并导入')")
        page.wait_for_load_state("networkidle")
        shot(page, out / "hw-import-errors.png", full=False)

        # 5. 学情推送
        page.goto(f"{base}/learning/homework/push/?class={class_id}")
        page.wait_for_timeout(500)
        shot(page, out / "hw-push-plan.png", full=False)
        if page.locator("button:has-text('生成推送练习草稿')").count():
            page.click("button:has-text('生成推送练习草稿')")
            page.wait_for_load_state("networkidle")
            shot(page, out / "hw-push-draft.png", full=False)
    print(f"saved to {out}")


if __name__ == "__main__":
    main()
