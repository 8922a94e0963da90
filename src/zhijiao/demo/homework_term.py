"""The demo's term of homework and exams (作业、考试), answered from a KNOWN true mastery.

Three 八年级 classes of one school (``demo.accounts.demo_term_classes``; the demo pupil's class among them, its
head teacher and 数学 teacher the demo's ``banzhuren`` and ``teacher``) get a term of 初中数学: six pieces of
homework answered online and marked (closed), a mid-term and a final exam taken on paper (scores as a marking
export gives them), and one piece of homework open now and unanswered; 物理 gets a short quiz and an open homework
too. Then the diagnosis is fitted (as the worker would) and a 学情推送 for the demo pupil's class is approved, so the
pupil signs in to homework, marks, weak points, and practice with resources for them.

Answers come from ``learning.diagnosis.simulate``: a true 0/1 mastery per pupil × knowledge point (``draw_mastery``)
and the logistic answer model (``answer``). The truth is kept in ``ZHIJIAO_HOME/learning/demo-truth.json``
(``{"seed", "subjects": {subject: {"points": [kp ids], "students": {id: [0/1 …]}, "ability": {id: θ}}}}``;
``points`` is empty for a subject whose knowledge points the taxonomy lacks) so the diagnosis can be checked
against it (``benchmarks/demo_recovery.py``). Writes are bulk (the rows are demo data, not a teacher's clicks);
``send_marks_changed`` is sent for every marked assignment so the diagnosis refits. Runs once: an install with
assignments is left alone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhijiao.audit.services import Origin
from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum.models import KnowledgePoint
from zhijiao.demo.accounts import demo_term_classes
from zhijiao.identity.models import Account
from zhijiao.learning import homework, push
from zhijiao.learning.diagnosis.simulate import answer, draw_mastery
from zhijiao.learning.models import (
    Answer,
    Assignment,
    AssignmentKind,
    AssignmentMode,
    AssignmentStatus,
    Item,
    ItemStatus,
    ItemType,
    Paper,
    PaperItem,
    PaperStatus,
    Submission,
    SubmissionSource,
    SubmissionStatus,
)
from zhijiao.learning.refit import refit_assignment
from zhijiao.learning.services import item_create
from zhijiao.learning.signals import send_marks_changed
from zhijiao.learning.validation import ItemData
from zhijiao.org.models import SchoolClass, Term
from zhijiao.people.models import Student, TeachingAssignment

ORIGIN = Origin(channel="cli")
OBJECTIVE = {ItemType.SINGLE, ItemType.MULTIPLE, ItemType.TRUE_FALSE}

# 物理 (八年级): (type, difficulty, points, knowledge point name part, stem, options, answer, explanation)
PHYSICS: list[tuple] = [
    ("single", 1, 3, "长度", "一支新铅笔的长度最接近（  ）", ["$18\\,\\text{mm}$", "$18\\,\\text{cm}$", "$18\\,\\text{dm}$", "$1.8\\,\\text{m}$"], ["B"], "铅笔约一拃长，约 $18\\,\\text{cm}$。"),  # noqa: E501
    ("single", 2, 3, "速度", "小明 $100\\,\\text{m}$ 跑用时 $16\\,\\text{s}$，他的平均速度是（  ）", ["$6.25\\,\\text{m/s}$", "$16\\,\\text{m/s}$", "$0.16\\,\\text{m/s}$", "$1.6\\,\\text{m/s}$"], ["A"], "$v=\\frac{s}{t}=\\frac{100}{16}=6.25\\,\\text{m/s}$。"),  # noqa: E501
    ("true_false", 1, 2, "声音的传播", "声音可以在真空中传播。", [], ["F"], "声音的传播需要介质。"),
    ("single", 2, 3, "平面镜成像", "平面镜成像的特点是（  ）", ["倒立的实像", "正立的实像", "正立等大的虚像", "倒立缩小的虚像"], ["C"], "平面镜成正立、等大的虚像。"),  # noqa: E501
    ("blank", 2, 3, "密度", "水的密度是 $1.0\\times10^3\\,\\text{kg/m}^3$，合____$\\text{g/cm}^3$", [], [["1", "1.0"]], "$1\\,\\text{g/cm}^3=10^3\\,\\text{kg/m}^3$。"),  # noqa: E501
    ("single", 3, 3, "熔化", "晶体熔化过程中（  ）", ["吸热，温度升高", "吸热，温度不变", "放热，温度不变", "放热，温度降低"], ["B"], "晶体有固定熔点。"),  # noqa: E501
    ("blank", 3, 4, "重力", "质量为 $50\\,\\text{kg}$ 的同学受到的重力是____N（$g$ 取 $10\\,\\text{N/kg}$）", [], [["500"]], "$G=mg=500\\,\\text{N}$。"),  # noqa: E501
    ("open", 3, 6, "压强", "一个重 $600\\,\\text{N}$ 的人双脚站立，与地面的接触面积为 $0.04\\,\\text{m}^2$，求他对地面的压强。", [], [], "$p=\\frac{F}{S}=\\frac{600}{0.04}=1.5\\times10^4\\,\\text{Pa}$。"),  # noqa: E501
    ("single", 2, 3, "速度", "汽车以 $72\\,\\text{km/h}$ 的速度行驶，合（  ）", ["$7.2\\,\\text{m/s}$", "$20\\,\\text{m/s}$", "$72\\,\\text{m/s}$", "$259.2\\,\\text{m/s}$"], ["B"], "$72\\,\\text{km/h}=72\\div3.6\\,\\text{m/s}=20\\,\\text{m/s}$。"),  # noqa: E501
    ("blank", 2, 3, "密度", "体积为 $20\\,\\text{cm}^3$、质量为 $54\\,\\text{g}$ 的金属块，密度是____$\\text{g/cm}^3$", [], [["2.7"]], "$\\rho=\\frac{m}{V}=\\frac{54}{20}=2.7\\,\\text{g/cm}^3$。"),  # noqa: E501
    ("single", 2, 3, "压强", "下列做法中，为了减小压强的是（  ）", ["菜刀磨得很锋利", "书包带做得较宽", "注射器针头做得很细", "图钉尖做得很尖"], ["B"], "增大受力面积可以减小压强。"),  # noqa: E501
    ("true_false", 1, 2, "重力", "重力的方向总是竖直向下的。", [], ["T"], "重力的方向竖直向下（指向地心）。"),
]  # fmt: skip


def _truth_path() -> Path:
    path = Path(settings.HOME, "learning")
    path.mkdir(parents=True, exist_ok=True)
    return path / "demo-truth.json"


def _classes() -> tuple[list[SchoolClass], SchoolClass | None]:
    """The 八年级 classes of the demo term (``demo.accounts.demo_term_classes``) and the demo pupil's class."""
    pupil_account = Account.objects.filter(username="student").first()
    pupil_class = None
    if pupil_account is not None and pupil_account.person_id is not None:
        me = Student.objects.filter(person_id=pupil_account.person_id).select_related("school_class").first()
        pupil_class = me.school_class if me else None
    return demo_term_classes(), pupil_class


def _teacher(school_class: SchoolClass, subject: str) -> Account | None:
    names = {"14": ("14", "数学"), "16": ("16", "物理")}[subject]
    row = (
        TeachingAssignment.objects.filter(school_class=school_class, subject__in=names, term__is_current=True)
        .select_related("staff")
        .first()
    )
    if row is None:
        return None
    return Account.objects.filter(person_id=row.staff.person_id).first()


def _physics_items(author: Account) -> list[Item]:
    points = list(KnowledgePoint.objects.filter(stage="3", subject="16").order_by("code"))
    made = []
    for kind, difficulty, score, part, stem, options, ans, explanation in PHYSICS:
        kp = next((p for p in points if p.name == part), None) or next((p for p in points if part in p.name), None)
        data = ItemData(
            type=kind,
            stem=stem,
            stage="3",
            subject="16",
            grade="22",
            options=list(options),
            answer=list(ans),
            explanation=explanation,
            points=Decimal(score),
            difficulty=difficulty,
            knowledge_points=[kp] if kp else [],
            source="演示题库（自编）",
            sharing="district",
            rubric=[("公式", Decimal(2), ""), ("代入与结果", Decimal(4), "")] if kind == "open" else [],
        )
        item = item_create(actor=author, data=data, origin=ORIGIN, audit=False).item
        made.append(item)
    # demo data: passed as if reviewed (the item bank's review pages have their own demo items)
    for item in made:
        Item.objects.filter(pk=item.pk).update(status=ItemStatus.APPROVED, approved_version=item.current_version)
    return list(Item.objects.filter(pk__in=[i.pk for i in made]).select_related("approved_version"))


def _paper(author: Account, school_class: SchoolClass, subject: str, title: str, items: list[Item]) -> Paper:
    paper = Paper.objects.create(
        title=title,
        stage="3",
        subject=subject,
        grade="",
        author=author,
        owner_school=school_class.school,
        owner_division_id=school_class.school.division_id,
        status=PaperStatus.READY,
    )
    PaperItem.objects.bulk_create(
        PaperItem(paper=paper, item=it, version=it.approved_version, order=n, points=it.approved_version.points)  # type: ignore[union-attr]
        for n, it in enumerate(items, start=1)
    )
    return paper


def _response(kind: str, version, full: bool, rng: np.random.Generator) -> object:
    """A plausible answer for the score: the key when right, a wrong choice when not (open answers: text)."""
    keys = [o["key"] for o in version.options]
    if kind == ItemType.SINGLE:
        wrong = [k for k in keys if k not in version.answer] or keys
        return version.answer[0] if full else wrong[int(rng.integers(len(wrong)))]
    if kind == ItemType.MULTIPLE:
        return list(version.answer) if full else list(version.answer[:1])
    if kind == ItemType.TRUE_FALSE:
        right = version.answer[0]
        return right if full else ("F" if right == "T" else "T")
    if kind == ItemType.BLANK:
        return [b[0] if full else "" for b in version.answer]
    return "（学生的解答过程）"


def _assign(
    *,
    title: str,
    kind: str,
    mode: str,
    paper: Paper,
    classes: list[SchoolClass],
    author: Account,
    opens: datetime,
    due: datetime,
    status: str,
    term: Term | None,
) -> Assignment:
    a = Assignment.objects.create(
        title=title,
        kind=kind,
        mode=mode,
        paper=paper,
        stage="3",
        subject=paper.subject,
        term=term,
        school=classes[0].school,
        division_id=classes[0].school.division_id,
        opens_at=opens,
        due_at=due,
        status=status,
        created_by=author,
        published_at=opens,
    )
    a.classes.set(classes)
    return a


def _answered(
    a: Assignment,
    pupils: list[Student],
    items: list[Item],
    truth: np.ndarray,
    ability: np.ndarray,
    cols: list[int],
    rng: np.random.Generator,
    *,
    online: bool,
) -> int:
    """Submissions and answers of every pupil, scored from the truth; returns the answers written."""
    versions: list = [it.approved_version for it in items]
    q = np.array([[1 if p in it.kp else 0 for p in cols] for it in items])  # type: ignore[attr-defined]
    q[q.sum(axis=1) == 0, 0] = 1  # an untagged item leans on the first point
    points = np.array([int(v.points) for v in versions])
    slip = rng.uniform(0.05, 0.2, len(items))
    guess = np.array([0.25 if v.type in OBJECTIVE else 0.05 for v in versions])
    one = answer(truth, q, rng, slip=slip, guess=guess, ability=ability, slope=0.5, model="logistic")
    many = answer(truth, q, rng, slip=slip, guess=guess, ability=ability, slope=0.5, points=points, model="logistic")
    entries = list(PaperItem.objects.filter(paper=a.paper).order_by("order"))
    total = sum((e.points for e in entries), Decimal(0))
    subs = Submission.objects.bulk_create(
        Submission(
            assignment=a,
            student=p,
            school_class_id=p.school_class_id,  # type: ignore[misc]
            max_score=total,
            status=SubmissionStatus.MARKED,
            source=SubmissionSource.ONLINE if online else SubmissionSource.IMPORT,
            submitted_at=a.due_at,
            marked_at=a.due_at,
        )
        for p in pupils
    )
    rows = []
    for s, sub in enumerate(subs):
        got = Decimal(0)
        for i, (e, v) in enumerate(zip(entries, versions, strict=True)):
            partial = v.type in (ItemType.OPEN, ItemType.ESSAY, ItemType.BLANK)
            score = Decimal(int(many[s, i] if partial else one[s, i] * points[i]))
            got += score
            rows.append(
                Answer(
                    submission=sub,
                    entry=e,
                    score=score,
                    auto=online and not partial,
                    marked_at=a.due_at,
                    response=_response(v.type, v, score == e.points, rng) if online else None,
                    answered_at=a.due_at if online else None,
                )
            )
        sub.score = got
    Answer.objects.bulk_create(rows, batch_size=2000)
    Submission.objects.bulk_update(subs, ["score"], batch_size=2000)
    send_marks_changed(a.pk)
    return len(rows)


def demo_homework_term(*, seed: int = 42, progress: Callable[[str], None] = print, now: datetime | None = None) -> None:
    if Assignment.objects.exists():
        return
    started = time.monotonic()
    classes, pupil_class = _classes()
    if not classes:
        return
    maths = _teacher(classes[0], "14")
    math_items = list(
        Item.objects.filter(stage="3", subject="14", approved_version__isnull=False)
        .select_related("approved_version")
        .prefetch_related("knowledge_points")
        .order_by("pk")
    )
    if maths is None or len(math_items) < 8:
        return
    rng = np.random.default_rng(seed)
    now = now or timezone.now()
    term = Term.objects.filter(is_current=True).first()
    pupils = list(Student.objects.filter(school_class__in=classes).order_by("school_class_id", "pk"))
    truth_file: dict = {"seed": seed, "subjects": {}}
    written = 0
    with transaction.atomic():
        subjects = [("14", maths, math_items)]
        physics_teacher = _teacher(classes[0], "16")
        if physics_teacher is not None:
            subjects.append(("16", physics_teacher, _physics_items(physics_teacher)))
        for subject, author, items in subjects:
            for it in items:
                it.kp = {p.pk for p in it.knowledge_points.all()}  # type: ignore[attr-defined]
            real = sorted({p for it in items for p in it.kp})  # type: ignore[attr-defined]
            cols = real or [0]  # a subject without knowledge points in the taxonomy: one general skill
            truth, ability, _ = draw_mastery(len(pupils), len(cols), rng, n_groups=len(classes))
            truth_file["subjects"][subject] = {
                "points": real,
                "students": {str(p.pk): truth[n].tolist() for n, p in enumerate(pupils)} if real else {},
                "ability": {str(p.pk): round(float(ability[n]), 4) for n, p in enumerate(pupils)},
            }
            index = {p.pk: n for n, p in enumerate(pupils)}
            rows = np.array([index[p.pk] for p in pupils])
            name = "数学" if subject == "14" else "物理"
            plan: list[tuple[str, str, str, list[Item], int]] = []  # (title, kind, mode, items, days ago)
            if subject == "14":
                for h in range(6):
                    chunk = [items[(h * 5 + k) % len(items)] for k in range(6)]
                    plan.append(
                        (
                            f"数学课后作业（第 {h + 1} 周）",
                            AssignmentKind.HOMEWORK,
                            AssignmentMode.ONLINE,
                            chunk,
                            70 - 7 * h,
                        )
                    )
                    if h == 2:
                        plan.append(("数学期中考试", AssignmentKind.EXAM, AssignmentMode.PAPER, items[:20], 45))
                plan.append(("数学期末模拟考试", AssignmentKind.EXAM, AssignmentMode.PAPER, items[-20:], 10))
            else:
                plan.append(("物理单元小测", AssignmentKind.EXAM, AssignmentMode.ONLINE, items, 20))
            for title, kind, mode, chunk, ago in plan:
                paper = _paper(author, classes[0], subject, title, chunk)
                opens = now - timedelta(days=ago)
                a = _assign(
                    title=title,
                    kind=kind,
                    mode=mode,
                    paper=paper,
                    classes=classes,
                    author=author,
                    opens=opens,
                    due=opens + timedelta(days=2),
                    status=AssignmentStatus.CLOSED,
                    term=term,
                )
                written += _answered(
                    a, pupils, chunk, truth[rows], ability[rows], cols, rng, online=mode == AssignmentMode.ONLINE
                )
            # open now, unanswered: something for the pupils to do
            targets = list(classes)
            if subject == "14" and pupil_class is not None and pupil_class not in targets:
                targets.append(pupil_class)
            chunk = items[:6] if subject == "14" else items[:4]
            demo_teacher = Account.objects.filter(username="teacher").first()
            for klass in targets:
                setter = demo_teacher if klass == pupil_class and klass not in classes and demo_teacher else author
                paper = _paper(setter, klass, subject, f"{name}：本周练习", chunk)
                a = _assign(
                    title=f"{name}：本周练习",
                    kind=AssignmentKind.HOMEWORK,
                    mode=AssignmentMode.ONLINE,
                    paper=paper,
                    classes=[klass],
                    author=setter,
                    opens=now - timedelta(hours=2),
                    due=now + timedelta(days=5),
                    status=AssignmentStatus.PUBLISHED,
                    term=term,
                )
                total = sum((e.points for e in paper.entries.all()), Decimal(0))
                Submission.objects.bulk_create(
                    Submission(assignment=a, student=p, school_class_id=klass.pk, max_score=total)
                    for p in Student.objects.filter(school_class=klass)
                )
    _truth_path().write_text(json.dumps(truth_file, ensure_ascii=False), encoding="utf-8")
    fitted = _refit_and_push(pupil_class if pupil_class in classes else classes[0], now, progress)
    progress(
        f"演示作业与考试：{len(classes)} 个初中班级 {len(pupils)} 名学生，{written} 条答题记录，"
        f"{fitted} 份作业与考试已完成学情诊断，真实掌握度保存在 {_truth_path()}，"
        f"用时 {time.monotonic() - started:.1f} 秒"
    )


def _refit_and_push(klass: SchoolClass, now: datetime, progress: Callable[[str], None]) -> int:
    """Fit the diagnosis of the marked work now, oldest first (the queued jobs would do it only once a worker runs;
    they find it done), then a 学情推送 for the demo pupil's class: the draft, approved with the teacher's one click,
    so the pupil signs in to practice and resources for their weak points. Returns the assignments fitted."""
    closed = Assignment.objects.filter(status=AssignmentStatus.CLOSED).order_by("due_at", "pk")
    fitted = sum(1 for a in closed if refit_assignment(a.pk) is not None)
    teacher = _teacher(klass, "14")
    if teacher is None:
        return fitted
    try:
        with transaction.atomic():
            drafts = push.push_draft(actor=teacher, class_id=klass.pk, stage="3", subject="14", origin=ORIGIN, now=now)
            homework.draft_approve(actor=teacher, layer_group=drafts[0].layer_group, origin=ORIGIN, now=now)
    except ZhijiaoError as e:  # no weak point, or no item for one: the demo goes on without a push
        progress(f"学情推送未生成：{e}")
    return fitted
