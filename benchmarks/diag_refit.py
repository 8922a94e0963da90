"""The diagnosis refit on the real tables: recovery of a known truth, a district mid-term, the class report page.

    uv run python benchmarks/diag_refit.py [--students 53000] [--items 25] [--skills 8]
        [--database-url postgresql://127.0.0.1:5432/zh_diag_bench] [--requests 200]
        [--import [--format xlsx|csv] [--profile FILE]]

A district exam is simulated from a KNOWN true mastery (``diagnosis.simulate.simulate_exam``: 8 knowledge points,
20 单选 worth 3 points scored 0/3 and 5 解答 worth 4–12 points scored partially, 45 pupils a class with a class
effect) and written into the real tables in bulk: schools, classes, pupils, the items with their knowledge points,
a paper, an exam assignment, one Submission per pupil and one Answer per pupil × question (the import is the
homework helper's part and is NOT timed here). Then it times what this work does after the marks are in:

* ``refit``: ``learning.refit.refit_assignment`` — reading the answers, the CDM (calibrated on 3,000 pupils, every
  pupil scored), writing Mastery and MasteryChange, and every class's report summary (ClassReport);
* ``recovery``: per knowledge point, the correlation between the true 0/1 mastery and the Mastery estimate read
  back from the table;
* ``page``: the class report page of one class as its teacher (Django test client, ``--requests`` requests after a
  warm-up), p50 and p95.

``--import`` (issue 14: "a district mid-term imported, diagnosed and every class report ready in under 2 minutes")
times the whole chain as a teacher meets it instead. The district is built as 布置 leaves it (one empty Submission
per pupil, no answers); the simulated marks are written as the marking system's WIDE export (学籍号, 姓名, 第1题 …
第25题; ``--format xlsx`` or ``csv``); then, clocked from the upload: ``import`` — ``marks_import`` on the file's
bytes (the function the upload view calls) up to its commit; ``refit`` — the ``refit_task`` job it queues (run when
the import commits, ZHIJIAO_JOBS_IMMEDIATE=1, as a worker would); ``reports_ready`` — until every class's
ClassReport is there. The assignment's creator imports (the upload view's rule; a 区教研员 importing a district
exam is not modelled). ``--profile FILE`` writes a cProfile of the chain. On PostgreSQL the server backend's CPU
per stage is printed too (read from /proc: COPY, the foreign-key checks and the upserts run there).

Prints one JSON object. Wall times on a shared machine: CPU seconds of this process are printed next to them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from timing import db_backend_cpu, migrated_database

PER_CLASS = 45
PER_SCHOOL = 1_350


def _build(n: int, n_items: int, n_skills: int, seed: int, answers: bool = True):
    from django.db import transaction

    from zhijiao.access.roles import Role
    from zhijiao.curriculum.models import KnowledgePoint
    from zhijiao.identity.services import account_create, role_grant
    from zhijiao.learning.diagnosis.simulate import simulate_exam
    from zhijiao.learning.models import (
        Answer,
        Assignment,
        AssignmentKind,
        AssignmentStatus,
        Item,
        ItemStatus,
        ItemVersion,
        Paper,
        PaperItem,
        Submission,
        SubmissionStatus,
    )
    from zhijiao.org.models import Division, Grade, School, SchoolClass, Term
    from zhijiao.org.services import school_year_open
    from zhijiao.people.models import Person, Staff, Student, TeachingAssignment

    school_year_open(start_year=2026)
    term = Term.objects.get(is_current=True)
    district = Division.objects.get(pk="420112")
    n_classes = -(-n // PER_CLASS)
    points = np.array([3] * (n_items - 5) + [4, 6, 8, 10, 12])[:n_items]
    exam = simulate_exam(n, n_items, n_skills, n_groups=n_classes, points=points, seed=seed)
    group = np.sort(exam.group)  # pupils of one class sit together
    order = np.argsort(exam.group, kind="stable")
    truth, scores = exam.mastery[order], exam.scores[order]
    with transaction.atomic():
        n_schools = max(1, -(-n // PER_SCHOOL))
        School.objects.bulk_create(
            [
                School(
                    code=f"34201{i:05d}",
                    name=f"东西湖区第{i + 1}中学",
                    school_type="311",
                    division=district,
                    stages="3",
                )
                for i in range(n_schools)
            ]
        )
        schools = list(School.objects.order_by("code"))
        Grade.objects.bulk_create([Grade(school=s, stage="3", entry_year=2025) for s in schools])
        grades = {g.school_id: g for g in Grade.objects.all()}
        per_school = -(-n_classes // n_schools)
        SchoolClass.objects.bulk_create(
            [
                SchoolClass(
                    school_id=schools[c // per_school].pk,
                    grade=grades[schools[c // per_school].pk],
                    number=c % per_school + 1,
                    name=f"八年级（{c % per_school + 1}）班",
                )
                for c in range(n_classes)
            ],
            batch_size=5_000,
        )
        classes = list(SchoolClass.objects.order_by("id").values_list("id", "school_id"))
        teacher_person = Person.objects.create(name="王老师", sex="2", birth_date=date(1985, 1, 1))
        first = teacher_person.pk + 1  # the pupils' ids are given (so the students can name them): after it
        Person.objects.bulk_create(
            [Person(id=first + i, name=f"学生{i}", sex="1", birth_date=date(2012, 9, 1)) for i in range(n)],
            batch_size=5_000,
        )
        Student.objects.bulk_create(
            [
                Student(
                    person_id=first + i,
                    student_no=f"L{first + i:018d}",
                    school_id=classes[group[i]][1],
                    school_class_id=classes[group[i]][0],
                )
                for i in range(n)
            ],
            batch_size=5_000,
        )
        students = list(Student.objects.order_by("id").values_list("id", "school_class_id"))
        staff = Staff.objects.create(
            person=teacher_person, staff_no="T000001", school_id=classes[0][1], category="11", subject="14"
        )
        TeachingAssignment.objects.create(staff=staff, school_class_id=classes[0][0], subject="14", term=term)
        teacher = account_create(username="bench-teacher", password=None, person=teacher_person)
        role_grant(account=teacher, role=Role.TEACHER, school=schools[0])
        kps = list(KnowledgePoint.objects.filter(stage="3", subject="14").order_by("code")[:n_skills])
        paper = Paper.objects.create(
            title="八年级数学期中考试", stage="3", subject="14", author=teacher, owner_division=district
        )
        entries = []
        for i in range(n_items):
            item = Item.objects.create(
                stage="3", subject="14", author=teacher, owner_division=district, status=ItemStatus.APPROVED
            )
            kind = "single" if i < n_items - 5 else "open"
            options = [{"key": k, "text": k} for k in "ABCD"] if kind == "single" else []
            version = ItemVersion.objects.create(
                item=item,
                number=1,
                type=kind,
                stem=f"第{i + 1}题",
                options=options,
                answer=["A"] if kind == "single" else [],
                points=Decimal(int(points[i])),
                created_by=teacher,
            )
            item.current_version = item.approved_version = version
            item.save(update_fields=["current_version", "approved_version"])
            item.knowledge_points.set([kps[k] for k in np.flatnonzero(exam.q[i])])
            entries.append(
                PaperItem.objects.create(paper=paper, item=item, version=version, order=i, points=version.points)
            )
        assignment = Assignment.objects.create(
            title="八年级数学期中考试",
            kind=AssignmentKind.EXAM,
            mode="paper",
            paper=paper,
            stage="3",
            subject="14",
            division=district,
            opens_at=datetime(2026, 11, 10, 1, 0, tzinfo=UTC),
            status=AssignmentStatus.PUBLISHED,
            created_by=teacher,
        )
        assignment.classes.set([c for c, _ in classes])
        total = scores.sum(axis=1)
        if not answers:  # as 布置 leaves them (homework._submissions): one empty submission per pupil, no answers
            Submission.objects.bulk_create(
                [
                    Submission(
                        assignment=assignment, student_id=sid, school_class_id=cid, max_score=Decimal(int(points.sum()))
                    )
                    for sid, cid in students
                ],
                batch_size=5_000,
            )
            return assignment, teacher, classes[0][0], truth, [s for s, _ in students], kps, scores
        Submission.objects.bulk_create(
            [
                Submission(
                    assignment=assignment,
                    student_id=sid,
                    school_class_id=cid,
                    status=SubmissionStatus.MARKED,
                    source="import",
                    score=Decimal(int(total[i])),
                    max_score=Decimal(int(points.sum())),
                )
                for i, (sid, cid) in enumerate(students)
            ],
            batch_size=5_000,
        )
        subs = list(
            Submission.objects.filter(assignment=assignment).order_by("student_id").values_list("pk", flat=True)
        )
        rng = np.random.default_rng(seed + 1)
        wrong = np.array(["B", "C", "D"])[rng.integers(0, 3, scores.shape)]
        batch: list[Answer] = []
        for u, sub_id in enumerate(subs):
            for i, entry in enumerate(entries):
                s = int(scores[u, i])
                response = None if i >= n_items - 5 else ("A" if s == points[i] else str(wrong[u, i]))
                batch.append(Answer(submission_id=sub_id, entry=entry, response=response, score=Decimal(s)))
            if len(batch) >= 50_000:
                Answer.objects.bulk_create(batch, batch_size=10_000)
                batch = []
        Answer.objects.bulk_create(batch, batch_size=10_000)
    return assignment, teacher, classes[0][0], truth, [s for s, _ in students], kps, scores


def _export(students: list[int], scores: np.ndarray, path: Path) -> None:
    """The marking system's WIDE export: 学籍号, 姓名, 第1题 … 第N题, one row per pupil (numbers as numbers)."""
    from zhijiao.people.models import Student

    nos = dict(Student.objects.filter(pk__in=students).values_list("pk", "student_no"))
    header = ["学籍号", "姓名", *[f"第{i + 1}题" for i in range(scores.shape[1])]]
    if path.suffix == ".csv":
        import csv

        with path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            for u, sid in enumerate(students):
                w.writerow([nos[sid], f"学生{u}", *map(int, scores[u])])
        return
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("成绩")
    ws.write_row(0, 0, header)
    for u, sid in enumerate(students):
        ws.write_row(u + 1, 0, [nos[sid], f"学生{u}", *map(int, scores[u])])
    book.close()


def _import_chain(assignment, teacher, students, scores, home: Path, fmt: str, profile: str | None) -> dict:
    """Time what a teacher meets: the upload's ``marks_import`` (bytes in), the refit job it queues (run when the
    import commits: ZHIJIAO_JOBS_IMMEDIATE), and the moment every class's ClassReport is there."""
    import cProfile

    from zhijiao.audit.services import Origin
    from zhijiao.learning import tasks
    from zhijiao.learning.marks_import import marks_import
    from zhijiao.learning.models import ClassReport, Submission

    path = home / f"期中考试成绩.{fmt}"
    t = time.perf_counter()
    _export(students, scores, path)
    out: dict[str, object] = {"export_file": path.name, "export_mb": round(path.stat().st_size / 2**20, 1)}
    out["export_write_seconds"] = round(time.perf_counter() - t, 1)
    data = path.read_bytes()
    n_classes = Submission.objects.filter(assignment=assignment).values("school_class").distinct().count()
    stamps: dict[str, float] = {}
    real = tasks.refit_assignment

    def timed(assignment_id: int):  # the job's body, clocked
        stamps["refit_start"], stamps["refit_start_cpu"] = time.perf_counter(), time.process_time()
        stamps["refit_start_db"] = db_backend_cpu() or 0.0
        try:
            return real(assignment_id)
        finally:
            stamps["refit_end"], stamps["refit_end_cpu"] = time.perf_counter(), time.process_time()
            stamps["refit_end_db"] = db_backend_cpu() or 0.0

    tasks.refit_assignment = timed  # type: ignore[assignment]
    prof = cProfile.Profile() if profile else None
    origin = Origin(channel="web", ip="127.0.0.1", user_agent="diag_refit benchmark")
    d0 = db_backend_cpu()
    t0, c0 = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    # the assignment's creator imports the district exam (as the upload view lets them); a 区教研员 path is not
    # modelled here
    result = marks_import(actor=teacher, assignment_id=assignment.pk, name=path.name, data=data, origin=origin)
    reports = ClassReport.objects.filter(assignment=assignment).count()
    if prof:
        prof.disable()
        prof.dump_stats(profile)
    t1, c1 = time.perf_counter(), time.process_time()
    tasks.refit_assignment = real  # type: ignore[assignment]
    assert result.ok, result.problems[:5]
    assert "refit_start" in stamps, "the refit job did not run"
    assert reports == n_classes, (reports, n_classes)
    out["import"] = {k: getattr(result, k) for k in ("rows_in", "accepted", "rejected", "marks", "pupils", "layout")}
    out["stages_seconds"] = {
        "import": round(stamps["refit_start"] - t0, 1),
        "refit": round(stamps["refit_end"] - stamps["refit_start"], 1),
        "reports_ready": round(t1 - t0, 1),
    }
    out["stages_cpu_seconds"] = {
        "import": round(stamps["refit_start_cpu"] - c0, 1),
        "refit": round(stamps["refit_end_cpu"] - stamps["refit_start_cpu"], 1),
    }
    out["total_seconds"], out["total_cpu_seconds"] = round(t1 - t0, 1), round(c1 - c0, 1)
    if d0 is not None:  # the server's CPU for this connection (same backend throughout: one connection)
        out["stages_db_cpu_seconds"] = {
            "import": round(stamps["refit_start_db"] - d0, 1),
            "refit": round(stamps["refit_end_db"] - stamps["refit_start_db"], 1),
        }
    out["class_reports"] = reports
    out["loadavg"] = Path("/proc/loadavg").read_text().split()[:3]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=53_000)
    ap.add_argument("--items", type=int, default=25)
    ap.add_argument("--skills", type=int, default=8)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--import", dest="imports", action="store_true", help="time the marking-export import chain")
    ap.add_argument("--format", choices=["xlsx", "csv"], default="xlsx", help="--import: the export's file type")
    ap.add_argument("--profile", default=None, help="--import: write a cProfile of the chain to this file")
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="zh-diag-bench-"))
    if args.imports:
        os.environ["ZHIJIAO_JOBS_IMMEDIATE"] = "1"  # the refit job runs when the import commits, as a worker would
    os.environ["ZHIJIAO_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    migrated_database(args.database_url)
    from django.test import Client
    from django.test.utils import setup_test_environment

    from zhijiao.learning.models import ClassReport, Mastery
    from zhijiao.learning.refit import refit_assignment

    out: dict[str, object] = {"students": args.students, "items": args.items, "skills": args.skills}
    t = time.perf_counter()
    built = _build(args.students, args.items, args.skills, args.seed, answers=not args.imports)
    assignment, teacher, class_id, truth, students, kps, scores = built
    if args.imports:
        out["build_seconds"] = round(time.perf_counter() - t, 1)
        out.update(_import_chain(assignment, teacher, students, scores, home, args.format, args.profile))
    else:
        out["write_rows_seconds"] = round(time.perf_counter() - t, 1)  # not this work's: the import's stand-in
        t, c = time.perf_counter(), time.process_time()
        result = refit_assignment(assignment.pk)
        out["refit_seconds"] = round(time.perf_counter() - t, 1)
        out["refit_cpu_seconds"] = round(time.process_time() - c, 1)
        out["refit"] = result.__dict__ if result else None
        out["class_reports"] = ClassReport.objects.filter(assignment=assignment).count()
    index = {sid: n for n, sid in enumerate(students)}
    kp_index = {kp.pk: k for k, kp in enumerate(kps)}
    est = np.full(truth.shape, np.nan)
    for sid, kp, value in Mastery.objects.values_list("student_id", "knowledge_point_id", "estimate"):
        est[index[sid], kp_index[kp]] = value
    out["recovery"] = [
        {
            "point": kps[k].name,
            "corr": round(float(np.corrcoef(truth[:, k], est[:, k])[0, 1]), 3),
            "accuracy": round(float(np.mean((est[:, k] >= 0.5) == (truth[:, k] == 1))), 3),
            "true_rate": round(float(truth[:, k].mean()), 3),
            "estimated_rate": round(float(est[:, k].mean()), 3),
        }
        for k in range(truth.shape[1])
    ]
    setup_test_environment()
    client = Client()
    client.force_login(teacher)
    url = f"/learning/reports/class/{class_id}/?assignment={assignment.pk}"
    for _ in range(5):
        assert client.get(url).status_code == 200
    times, cpu = [], []
    for _ in range(args.requests):
        t, c = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        assert response.status_code == 200
    out["page_ms"] = {
        "p50": round(float(np.percentile(times, 50)), 1),
        "p95": round(float(np.percentile(times, 95)), 1),
        "cpu_p50": round(float(np.percentile(cpu, 50)), 1),
        "cpu_p95": round(float(np.percentile(cpu, 95)), 1),
        "requests": args.requests,
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
