"""Screenshots of 成长档案 / 综合素质评价 on the demo region (``docs/screenshots/growth/``):

* ``growth-class-record.png``: the 班主任 records one activity for the whole class (and the xlsx import);
* ``growth-selection.png``: the demo pupil's 遴选 (checkboxes per dimension, at most N each);
* ``growth-publicity-guardian.png`` / ``growth-publicity-guardian-phone.png``: the class's publicity as the parent
  sees it (names masked, 提出异议), desktop and phone;
* ``growth-objections.png``: the 班主任's class page during publicity: the selections, levels, and the objections
  with the answer form;
* ``growth-audit.png``: the principal's class page (审核 form, what is still missing);
* ``growth-archive-step.png``: a class after 审核, the 归档并锁定 button;
* ``growth-portrait.png`` / ``growth-portrait-guardian-phone.png``: the pupil's portrait (pupil, desktop; the
  parent, phone);
* ``growth-export.png`` and ``growth-export-pdf.png``: a frozen graduation archive with its downloads, and page 1
  of its PDF (rendered with pdftoppm).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_growth.py [--out docs/screenshots/growth] [--port 8106]

The demo class is in 公示. Before the browser starts the script (1) runs a second class of the school through the
whole process with the services — records, publicity dated two weeks back, 审核 by the bureau, 归档 — and freezes
one of its pupils' archive, for the audit and export shots; (2) for the selection shot only, puts the demo class's
review back to 遴选 and restores it (state and dates) right after that shot.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, phone_page, shot


def prepare() -> dict[str, int]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from django.utils import timezone

    from zhijiao.audit.services import Origin
    from zhijiao.growth import services
    from zhijiao.growth.models import GrowthRecord, ReviewState, TermReview
    from zhijiao.growth.records import class_pupils
    from zhijiao.identity.models import Account
    from zhijiao.people.models import Student

    origin = Origin(channel="cli")
    acc = {a.username: a for a in Account.objects.filter(username__in=["student", "principal", "bureau", "banzhuren"])}
    pupil = Student.objects.get(person_id=acc["student"].person_id)
    review = TermReview.objects.get(school_class_id=pupil.school_class_id, term__is_current=True)
    others = TermReview.objects.filter(term__is_current=True).exclude(pk=review.pk)
    other = others.select_related("school_class").first()
    assert other is not None, "the demo has a second class in 遴选"
    klass = other.school_class
    pupils = class_pupils(klass)
    today = timezone.localdate()
    if other.state == ReviewState.SELECTING:
        day = today - dt.timedelta(days=20)
        recs = services.class_activity_record(
            actor=acc["principal"], school_class=klass, student_ids=[p.pk for p in pupils], origin=origin,
            data=services.RecordInput(dimension="c5", title="校园劳动周：清扫教室和包干区", occurred_on=day,
                                      place="学校", hours="3", vouched_by="德育处"),
        )  # fmt: skip
        more = services.class_activity_record(
            actor=acc["principal"], school_class=klass, student_ids=[p.pk for p in pupils], origin=origin,
            data=services.RecordInput(dimension="c4", title="参观湖北省博物馆", occurred_on=day - dt.timedelta(days=9),
                                      place="湖北省博物馆", hours="3"),
        )  # fmt: skip
        by_pupil = {r.student_id: [r.pk] for r in recs}
        for r in more:
            by_pupil[r.student_id].append(r.pk)
        # the pupils' selection, entered by their 班主任 (the account the registry gave them)
        head = Account.objects.get(grants__role="head_teacher", grants__school_class=klass)
        for p in pupils:
            services.selection_set(actor=head, review=other, student=p, record_ids=by_pupil[p.pk], origin=origin)
        for p in pupils:
            for dim in ("c1", "c2", "c3", "c4", "c5"):
                services.level_set(actor=acc["principal"], review=other, student=p, dimension=dim, level="B",
                                   origin=origin)  # fmt: skip
            services.statement_set(actor=acc["principal"], review=other, student=p, kind="teacher",
                                   text="积极参加集体劳动，懂礼貌，守纪律。", origin=origin)  # fmt: skip
        services.review_publish(actor=acc["principal"], review=other, origin=origin, today=day)
        services.review_audit(actor=acc["bureau"], review=other, origin=origin, note="经公示无异议，同意归档")
    first = pupils[0]
    assert GrowthRecord.objects.filter(student=first).exists()
    return {"review": review.pk, "class": pupil.school_class_id, "pupil": pupil.pk, "other_class": klass.pk,
            "archived_pupil": first.pk}  # fmt: skip


def review_state(review_id: int, back: bool, saved: dict | None = None) -> dict:
    """Put the demo class's review back to 遴选 (for the selection shot), or restore what was saved."""
    from zhijiao.growth.models import TermReview

    if back:
        row = TermReview.objects.filter(pk=review_id).values("state", "published_on", "publicity_ends_on").get()
        TermReview.objects.filter(pk=review_id).update(state="selecting", published_on=None, publicity_ends_on=None)
        return row
    TermReview.objects.filter(pk=review_id).update(**(saved or {}))
    return {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots/growth")
    parser.add_argument("--port", type=int, default=8106)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    ids = prepare()
    saved = review_state(ids["review"], back=True)
    try:
        with demo_server(args.port, tries=5) as base, chromium() as browser:
            page = new_page(browser, height=1000)
            login(page, base, "student", accounts["student"]["password"])
            shot(page, out / "growth-selection.png", url=f"{base}/growth/pupils/{ids['pupil']}/")
    finally:
        review_state(ids["review"], back=False, saved=saved)
    with demo_server(args.port, tries=5) as base, chromium() as browser:
        page = new_page(browser, height=1000)
        login(page, base, "student", accounts["student"]["password"])
        shot(page, out / "growth-portrait.png", url=f"{base}/growth/pupils/{ids['pupil']}/")
        page = new_page(browser, height=1000)
        login(page, base, "banzhuren", accounts["banzhuren"]["password"])
        shot(page, out / "growth-class-record.png", url=f"{base}/growth/classes/{ids['class']}/record/")
        shot(page, out / "growth-objections.png", url=f"{base}/growth/classes/{ids['class']}/")
        page = new_page(browser, height=1000)
        login(page, base, "parent", accounts["parent"]["password"])
        shot(page, out / "growth-publicity-guardian.png", url=f"{base}/growth/classes/{ids['class']}/")
        phone = phone_page(browser)
        login(phone, base, "parent", accounts["parent"]["password"])
        phone.goto(f"{base}/growth/classes/{ids['class']}/")
        phone.locator("details.gr-rec summary").nth(1).click()  # a classmate's record, opened: 提出异议
        phone.locator("details.gr-rec[open]").scroll_into_view_if_needed()
        phone.evaluate("window.scrollBy(0, -260)")
        shot(phone, out / "growth-publicity-guardian-phone.png", full=False)
        shot(phone, out / "growth-portrait-guardian-phone.png", url=f"{base}/growth/pupils/{ids['pupil']}/")
        page = new_page(browser, height=1000)
        login(page, base, "principal", accounts["principal"]["password"], accounts["principal"].get("totp_secret"))
        shot(page, out / "growth-audit.png", url=f"{base}/growth/classes/{ids['class']}/", full=False)
        page.on("dialog", lambda dialog: dialog.accept())  # the 归档 and 封存 buttons ask first
        shot(page, out / "growth-archive-step.png", url=f"{base}/growth/classes/{ids['other_class']}/", full=False)
        if page.locator("text=归档并锁定").count():
            page.click("text=归档并锁定")
            page.wait_for_load_state("networkidle")
        page.goto(f"{base}/growth/pupils/{ids['archived_pupil']}/archive/")
        if page.locator("text=封存毕业档案").count():
            page.click("button:has-text('封存毕业档案')")
            page.wait_for_load_state("networkidle")
        shot(page, out / "growth-export.png")
        pdf = page.request.get(f"{base}/growth/pupils/{ids['archived_pupil']}/archive.pdf").body()
    (out / "archive.pdf").write_bytes(pdf)
    subprocess.run(  # noqa: S603
        ["/usr/bin/pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", str(out / "archive.pdf"),
         str(out / "growth-export-pdf")], check=True,
    )  # fmt: skip
    (out / "archive.pdf").unlink()
    for p in sorted(out.glob("growth-*.png")):
        print("saved", p)


if __name__ == "__main__":
    main()
