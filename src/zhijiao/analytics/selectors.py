"""Analytics reads: a node's figures and metric rows from the latest snapshot, within the actor's scope.

Who may read which node: platform administrators everything; region administrators and inspectors (督导) their
division's subtree; school administrators their school. Other roles see no statistics (403). A node outside the
actor's scope answers exactly like a node that does not exist (404), so nothing leaks. ``actor=None`` is the
platform itself (the CLI run by an operator).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zhijiao.access.roles import ANALYTICS_ROLES
from zhijiao.access.scope import Place, scope_for
from zhijiao.access.types import Actor
from zhijiao.analytics import metrics as m
from zhijiao.analytics.engine import engine, snapshot_stand_in
from zhijiao.analytics.errors import AnalyticsError
from zhijiao.analytics.models import Snapshot
from zhijiao.analytics.selectors_growth import growth_panel
from zhijiao.core.class_size import CLASS_SIZE_BANDS, is_large_class, is_very_large_class
from zhijiao.core.codes import code_name
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError

TREND_POINTS = 60  # snapshots shown in a trend, newest last
QUALITY_WORST = 10  # schools listed in the overview's data-quality panel, worst first
_CODE_TABLES = {
    "school_type": "school_type",
    "stage": "stage",
    "grade": "grade",
    "sex": "sex",
    "ethnicity": "ethnicity",
    "study_mode": "study_mode",
    "category": "staff_category",
}


# ------------------------------------------------------------------------------------------ snapshots
def snapshot_list(*, actor: Actor | None) -> list[Snapshot]:
    """Kept snapshots, newest first (for any account that may read statistics)."""
    _analytics_places(actor)
    return list(Snapshot.objects.order_by("-taken_on"))


def snapshot_latest() -> Snapshot:
    snapshot = Snapshot.objects.order_by("-taken_on").first()
    if snapshot is None:
        raise ZhijiaoError(AnalyticsError.ANALYTICS_NO_SNAPSHOT, status=503)
    return snapshot


def snapshot_tables(snapshot: Snapshot) -> m.Tables:
    if not Path(snapshot.path).is_dir():
        raise ZhijiaoError(AnalyticsError.ANALYTICS_SNAPSHOT_FILES_MISSING, detail=str(snapshot.taken_on), status=503)
    return engine().tables(snapshot.taken_on, snapshot.path, version=snapshot.taken_at.isoformat())


def _query(snapshot: Snapshot, tables: m.Tables, name: str, build, node: str) -> list[dict[str, Any]]:
    """Run metric ``build`` for ``node`` on the snapshot (attached as ``tables``); compiled once per process."""
    stand_in = m.unbound_tables(snapshot_stand_in(0))
    return engine().query(name, lambda code: build(stand_in, code), node, days=[snapshot.taken_on])


# ------------------------------------------------------------------------------------------ nodes and scope
@dataclass(frozen=True)
class Node:
    code: str
    name: str
    kind: str  # platform, division, school
    division_code: str = ""  # a school's county
    school_type: str = ""
    path: list[tuple[str, str]] = field(default_factory=list)  # (code, name) from the top down to the node

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "division_code": self.division_code,
            "school_type": self.school_type,
            "school_type_name": code_name("school_type", self.school_type) if self.school_type else "",
            "path": [{"code": c, "name": n} for c, n in self.path],
        }


def _analytics_places(actor: Actor | None) -> tuple[bool, list[Place]]:
    """(sees everything, the places of the grants that open statistics); Forbidden for accounts without such a
    role."""
    if actor is None:
        return True, []
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return True, []
    places = scope.places_of(*ANALYTICS_ROLES)
    if not places:
        raise Forbidden(AnalyticsError.ANALYTICS_NOT_ALLOWED.message)
    return False, places


def node_default(*, actor: Actor | None) -> str:
    """The node an actor's statistics open on: everything for the platform, else their widest grant."""
    everything, places = _analytics_places(actor)
    if everything:
        return ""
    divisions = sorted((p.division_code for p in places if p.kind == "division"), key=len)
    if divisions:
        return divisions[0]
    return min(p.school.code for p in places if p.kind == "school" and p.school is not None)


def _allowed(actor: Actor | None, node: Node) -> bool:
    """Does one of the actor's statistics grants cover the node (a division above it, or the school itself)?"""
    if actor is None:  # the platform's own jobs see everything
        return True
    if node.kind == "school":
        return scope_for(actor).covers(division_code=node.division_code, school_code=node.code, roles=ANALYTICS_ROLES)
    return scope_for(actor).covers(division_code=node.code, roles=ANALYTICS_ROLES)


def node_path_readable(*, actor: Actor, node: dict[str, Any]) -> set[str]:
    """The codes on a resolved node's path (``node["path"]``) the actor may open: the node itself and the ancestors
    inside their scope. A district's administrator reads their district but not the province above it, so a
    breadcrumb links only these (an ancestor outside the scope would answer 404)."""
    everything, _ = _analytics_places(actor)
    readable = {node["code"]}
    for step in node["path"]:
        code = step["code"]
        ancestor = Node(code=code, name=step["name"], kind="division")
        inside = m.node_kind(code) == "division" and _allowed(actor, ancestor)
        if everything or inside:
            readable.add(code)
    return readable


def _places(snapshot: Snapshot, tables: m.Tables) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """The snapshot's schools (code → name, county, type) and division names (code → name), read once."""
    version = (snapshot.taken_on, snapshot.taken_at.isoformat())
    schools = engine().lookup(
        ("schools", *version), lambda: tables.schools.select("school_code", "name", "division_code", "school_type")
    )
    divisions = engine().lookup(("divisions", *version), lambda: tables.divisions.select("code", "name"))
    return {s["school_code"]: s for s in schools}, {d["code"]: d["name"] for d in divisions}


def node_resolve(*, actor: Actor | None, node: str, snapshot: Snapshot, tables: m.Tables) -> Node:
    """The node ``node`` names in the snapshot, if the actor may read it; "" means the actor's default node."""
    everything, _ = _analytics_places(actor)
    code = (node or "").strip() or node_default(actor=actor)
    try:
        kind = m.node_kind(code)
    except ValueError:
        raise ZhijiaoError(AnalyticsError.ANALYTICS_NODE_INVALID, detail=code[:20]) from None
    schools, divisions = _places(snapshot, tables)
    if not node and kind == "platform":
        # an install holding one district opens on that district, not on a country of one province
        counties = {s["division_code"] for s in schools.values()}
        for length in (2, 4, 6):
            level = {c[:length] for c in counties}
            if len(level) != 1:
                break
            code, kind = level.pop(), "division"
    division_code = school_type = ""
    if kind == "school":
        school = schools.get(code)
        if school is None:
            raise NotFound()
        name, division_code, school_type = school["name"], school["division_code"], school["school_type"]
        prefixes = [division_code[:n] for n in (2, 4, 6)]
    elif kind == "division":
        if code not in divisions:
            raise NotFound()
        name, prefixes = divisions[code], [code[:n] for n in (2, 4, 6) if n <= len(code)]
    else:
        name, prefixes = "全部地区", []
    path = [(p, divisions[p]) for p in prefixes if p in divisions]
    if kind == "school":
        path.append((code, name))
    resolved = Node(code=code, name=name, kind=kind, division_code=division_code, school_type=school_type, path=path)
    if not everything and not _allowed(actor, resolved):
        raise NotFound()
    return resolved


# ------------------------------------------------------------------------------------------ figures
def _named(rows: list[dict[str, Any]], column: str) -> list[dict[str, Any]]:
    table = _CODE_TABLES.get(column)
    for row in rows:
        code = row.get(column) or ""
        row[f"{column}_name"] = (code_name(table, code) if table and code else "") or code or "未填写"
    return rows


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def _snapshot_info(snapshot: Snapshot) -> dict[str, Any]:
    return {"date": f"{snapshot.taken_on:%Y-%m-%d}", "taken_at": snapshot.taken_at.isoformat()}


def node_figures(*, actor: Actor | None, node: str = "") -> dict[str, Any]:
    """The node's key figures from the latest snapshot (the ``zhijiao analytics metrics --json`` contract)."""
    snapshot = snapshot_latest()
    tables = snapshot_tables(snapshot)
    where = node_resolve(actor=actor, node=node, snapshot=snapshot, tables=tables)
    total = _query(snapshot, tables, "totals", m.totals, where.code)[0]
    by_stage = _query(snapshot, tables, "students_by_stage", m.METRICS["students_by_stage"].build, where.code)
    by_stage_students = {r["stage"]: r["students"] for r in by_stage}
    summary = _query(snapshot, tables, "class_size_summary", m.class_size_summary, where.code)
    by_stage_classes = {r["stage"]: r for r in summary}
    students, staff = total["students"] or 0, total["staff"] or 0
    stages = []
    for stage in sorted(set(by_stage_students) | set(by_stage_classes)):
        sizes = by_stage_classes.get(stage, {})
        stages.append(
            {
                "stage": stage,
                "stage_name": code_name("stage", stage) if stage else "未分学段",
                "students": by_stage_students.get(stage, 0),
                "classes": sizes.get("classes", 0),
                "mean_class_size": _round(sizes.get("mean_size"), 1),
                "large_classes": sizes.get("large", 0) or 0,
                "very_large_classes": sizes.get("very_large", 0) or 0,
                "staffing_norm": m.STAFFING_NORMS.get(stage),
            }
        )
    required = total["required_staff"] or 0.0
    classes = total["classes"] or 0
    quality = _query(snapshot, tables, "quality_summary", m.quality_summary, where.code)[0]
    return {
        "node": where.as_dict(),
        "snapshot": _snapshot_info(snapshot),
        "schools": total["schools"] or 0,
        "classes": classes,
        "students": students,
        "staff": staff,
        "teachers": total["teachers"] or 0,
        "bureau_staff": total["bureau_staff"] or 0,
        "student_staff_ratio": _round(students / staff) if staff else None,
        "student_teacher_ratio": _round(students / total["teachers"]) if total["teachers"] else None,
        "staffing_norm": _round(total["normed_students"] / required) if required else None,
        "required_staff": _round(required, 1),
        "staff_gap": _round(staff - required, 1),
        "schools_below_norm": total["schools_below_norm"] or 0,
        "large_classes": total["large_classes"] or 0,
        "very_large_classes": total["very_large_classes"] or 0,
        "large_class_share": _round((total["large_classes"] or 0) / classes, 4) if classes else None,
        "mean_class_size": _round((total["students_in_classes"] or 0) / classes, 1) if classes else None,
        "median_class_size": _round(total["median_class_size"], 1),
        "by_stage": stages,
        # data quality (catalogue scores copied into the snapshot); None/0 where the snapshot holds none
        "quality_mean": _round(quality["quality_mean"], 1),
        "quality_completeness": _round(quality["completeness"], 1),
        "quality_validity": _round(quality["validity"], 1),
        "quality_timeliness": _round(quality["timeliness"], 1),
        "quality_schools": quality["scored_schools"] or 0,
        "schools_low_quality": quality["schools_low_quality"] or 0,
    }


def metric_rows(*, actor: Actor | None, metric: str, node: str = "") -> dict[str, Any]:
    """One metric's rows for a node from the latest snapshot, with code names added beside the codes."""
    found = m.METRICS.get(metric)
    if found is None:
        raise ZhijiaoError(AnalyticsError.ANALYTICS_METRIC_UNKNOWN, detail=metric[:40], status=404)
    snapshot = snapshot_latest()
    tables = snapshot_tables(snapshot)
    where = node_resolve(actor=actor, node=node, snapshot=snapshot, tables=tables)
    rows = _query(snapshot, tables, found.name, found.build, where.code)
    for column in _CODE_TABLES:
        if rows and column in rows[0]:
            _named(rows, column)
    return {
        "metric": found.name,
        "title": found.title,
        "node": where.as_dict(),
        "snapshot": _snapshot_info(snapshot),
        "rows": rows,
    }


def trend_rows(*, actor: Actor, node: str = "", points: int = TREND_POINTS) -> dict[str, Any]:
    """Schools, classes, students, staff and teachers under the node in each kept snapshot, oldest first."""
    snapshots = list(Snapshot.objects.order_by("-taken_on")[:points])
    if not snapshots:
        raise ZhijiaoError(AnalyticsError.ANALYTICS_NO_SNAPSHOT, status=503)
    latest = snapshot_tables(snapshots[0])
    where = node_resolve(actor=actor, node=node, snapshot=snapshots[0], tables=latest)
    kept = [s for s in reversed(snapshots) if Path(s.path).is_dir()]
    for s in kept:
        snapshot_tables(s)  # attach each day's files
    days = [s.taken_on for s in kept]
    history = [(day, m.unbound_tables(snapshot_stand_in(i))) for i, day in enumerate(days)]
    # the dates are literals in the SQL: one compiled statement per set of days (a new one each snapshot day)
    rows = engine().query(("trend", *days), lambda code: m.trend(history, code), where.code, days=days)
    for row in rows:
        row["snapshot_date"] = f"{row['snapshot_date']:%Y-%m-%d}"
    return {"metric": "trend", "title": m.TREND_TITLE, "node": where.as_dict(), "rows": rows}


# ------------------------------------------------------------------------------------------ dashboard
def node_dashboard(*, actor: Actor, node: str = "") -> dict[str, Any]:
    """Everything the overview page shows for a node: key figures, breakdowns, the children side by side (or a
    school's grades), class-size bands and the trend. The same panels at every level of the drill-down."""
    figures = node_figures(actor=actor, node=node)
    code = figures["node"]["code"]
    snapshot = snapshot_latest()
    tables = snapshot_tables(snapshot)
    schools, divisions = _places(snapshot, tables)

    def rows_of(name: str) -> list[dict[str, Any]]:
        found = _query(snapshot, tables, name, m.METRICS[name].build, code)
        for column in _CODE_TABLES:
            if found and column in found[0]:
                _named(found, column)
        return found

    children = []
    if figures["node"]["kind"] != "school":
        for row in rows_of("children"):
            school = schools.get(row["child"])
            children.append(
                {
                    **row,
                    "code": row["child"],
                    "name": school["name"] if school else divisions.get(row["child"], row["child"]),
                    "kind": "school" if school else "division",
                    "school_type_name": code_name("school_type", school["school_type"]) if school else "",
                    "ratio": _round(row["students"] / row["staff"], 1) if row["staff"] else None,
                    "norm": _round(row["normed_students"] / row["required_staff"], 1)
                    if row["required_staff"]
                    else None,
                    "mean_class_size": _round(row["students_in_classes"] / row["classes"], 1)
                    if row["classes"]
                    else None,
                }
            )
    grades = []
    if figures["node"]["kind"] == "school":
        by_grade: dict[tuple[str, str], list[int]] = {}
        for row in rows_of("class_sizes"):
            by_grade.setdefault((row["stage"], row["grade"]), []).append(row["size"])
        for (stage, grade), sizes in sorted(by_grade.items()):
            grades.append(
                {
                    "grade": grade,
                    "stage_name": code_name("stage", stage) if stage else "",
                    "grade_name": code_name("grade", grade) if grade else "已毕业或未编年级",
                    "classes": len(sizes),
                    "students": sum(sizes),
                    "mean_class_size": _round(sum(sizes) / len(sizes), 1),
                    "max_class_size": max(sizes),
                    "large_classes": sum(1 for s in sizes if is_large_class(s)),
                    "very_large_classes": sum(1 for s in sizes if is_very_large_class(s)),
                }
            )
    try:
        trend = trend_rows(actor=actor, node=code)["rows"]
    except ZhijiaoError:
        trend = []
    quality_schools = []
    for row in rows_of("school_quality")[:QUALITY_WORST]:
        school = schools.get(row["school_code"])
        quality_schools.append(
            {
                "code": row["school_code"],
                "name": school["name"] if school else row["school_code"],
                "datasets": row["datasets"],
                "score": _round(row["score"], 1),
                "completeness": _round(row["completeness"], 1),
                "validity": _round(row["validity"], 1),
                "timeliness": _round(row["timeliness"], 1),
                "low": bool(row["low"]),
            }
        )
    return {
        "figures": figures,
        "children": children,
        "grades": grades,
        "bands": rows_of("class_size_bands"),
        "sex": rows_of("students_by_sex"),
        "study_mode": rows_of("students_by_study_mode"),
        "staff_categories": rows_of("staff_by_category"),
        "trend": trend,
        "quality_schools": quality_schools,
        "learning": learning_panel(snapshot, tables, figures["node"]),
        "growth": _growth_panel(snapshot, tables, figures["node"]),  # decision 0055-health-file
    }


def _growth_panel(snapshot: Snapshot, tables: m.Tables, node: dict[str, Any]) -> dict[str, Any]:
    """体质优良率, 近视率, 综合素质评价完成率 (analytics.selectors_growth) for a node already resolved and checked."""
    code = node["code"]
    schools, divisions = _places(snapshot, tables)
    names: dict[str, str] = {}
    if node["kind"] == "school":
        version = (snapshot.taken_on, snapshot.taken_at.isoformat(), code)
        for c in engine().lookup(
            ("class_names", *version), lambda: m.in_node(tables.classes, code).select("class_id", "grade", "number")
        ):
            grade_name = code_name("grade", c["grade"]) if c["grade"] else ""
            names[str(c["class_id"])] = f"{grade_name}（{c['number']}）班"

    def child_name(child: str) -> str:
        if node["kind"] == "school":
            return names.get(child, "未分班")
        school = schools.get(child)
        return school["name"] if school else divisions.get(child, child)

    return growth_panel(lambda name, build: _query(snapshot, tables, name, build, code), node, child_name)


LEARNING_DAYS = 30  # the daily chart shows the snapshot's last 30 days with statements


def _hours(seconds: float | None) -> float:
    return round((seconds or 0) / 3600, 1)


def learning_panel(snapshot: Snapshot, tables: m.Tables, node: dict[str, Any]) -> dict[str, Any]:
    """The 学习活动 panel of a node the caller may already read (``node_dashboard`` checked it): totals, active
    learners and statements per day, statements per verb, and the schools below a division or the classes of a
    school side by side. Counts only — never a learner, not even by id."""
    code, kind = node["code"], node["kind"]

    def rows_of(name: str) -> list[dict[str, Any]]:
        return _query(snapshot, tables, name, m.LEARNING_METRICS[name], code)

    totals = rows_of("learning_totals")
    total = totals[0] if totals else {}
    daily = rows_of("learning_daily")[-LEARNING_DAYS:]
    schools, divisions = _places(snapshot, tables)
    names: dict[str, str] = {}
    if kind == "school":
        version = (snapshot.taken_on, snapshot.taken_at.isoformat(), code)
        for c in engine().lookup(
            ("class_names", *version), lambda: m.in_node(tables.classes, code).select("class_id", "grade", "number")
        ):
            grade_name = code_name("grade", c["grade"]) if c["grade"] else ""
            names[str(c["class_id"])] = f"{grade_name}（{c['number']}）班"
    children = []
    for r in rows_of("learning_by_child"):
        child = r["child"]
        if kind == "school":
            name = names.get(child, "未分班")
        else:
            school = schools.get(child)
            name = school["name"] if school else divisions.get(child, child)
        children.append(
            {
                "name": name,
                "statements": r["statements"],
                "learners": r["learners"],
                "hours": _hours(r["seconds"]),
                "completed": r["completed"],
            }
        )
    return {
        "statements": total.get("statements") or 0,
        "learners": total.get("learners") or 0,
        "hours": _hours(total.get("seconds")),
        "days": total.get("days") or 0,
        "daily": [
            {"day": r["day"], "learners": r["learners"], "statements": r["statements"], "hours": _hours(r["seconds"])}
            for r in daily
        ],
        "verbs": [
            {"verb": r["verb"], "statements": r["statements"], "learners": r["learners"]}
            for r in rows_of("learning_verbs")
        ],
        "children": children,
        "child_label": "班级" if kind == "school" else ("学校" if len(code) == 6 else "下级区域"),
    }


# ------------------------------------------------------------------------------------------ grade level
def _grade_classes(snapshot: Snapshot, tables: m.Tables, school: str, grade: str) -> list[dict[str, Any]]:
    rows = _query(snapshot, tables, "class_sizes", m.class_sizes, school)
    return [r for r in rows if r["grade"] == grade]


def grade_dashboard(*, actor: Actor, school: str, grade: str) -> dict[str, Any]:
    """The overview's panels for one 年级 of a school: key figures, its classes side by side (size, sex mix,
    大班额), class-size bands, students by sex and 就读方式, and the grade's students and classes in each snapshot.
    Readable by whoever may read the school; a grade the school does not have is 404."""
    snapshot = snapshot_latest()
    tables = snapshot_tables(snapshot)
    if not (school.isdigit() and len(school) == 10):
        raise NotFound()
    where = node_resolve(actor=actor, node=school, snapshot=snapshot, tables=tables)
    sizes = _grade_classes(snapshot, tables, where.code, grade)
    mix = [r for r in _query(snapshot, tables, "class_mix", m.class_mix, where.code) if r["grade"] == grade]
    if not grade or not (sizes or mix):
        raise NotFound()
    grade_name = code_name("grade", grade)
    by_class: dict[int | None, dict[str, int]] = {}
    sex: dict[str, int] = {}
    study_mode: dict[str, int] = {}
    for r in mix:
        counts = by_class.setdefault(r["class_id"], {})
        counts[r["sex"]] = counts.get(r["sex"], 0) + r["students"]
        sex[r["sex"]] = sex.get(r["sex"], 0) + r["students"]
        study_mode[r["study_mode"]] = study_mode.get(r["study_mode"], 0) + r["students"]
    classes = []
    for r in sizes:
        counts = by_class.get(r["class_id"], {})
        classes.append(
            {
                "class_id": r["class_id"],
                "name": f"{grade_name}（{r['number']}）班",
                "stage_name": code_name("stage", r["stage"]) if r["stage"] else "",
                "size": r["size"],
                "boys": counts.get("1", 0),
                "girls": counts.get("2", 0),
                "capacity": r["capacity"],
                "large": bool(r["large"]),
                "very_large": bool(r["very_large"]),
            }
        )
    size_list = [c["size"] for c in classes]
    bands = []
    for low, high, label in CLASS_SIZE_BANDS:
        count = sum(1 for s in size_list if s >= low and (high is None or s <= high))
        if count:
            bands.append({"band": label, "classes": count})
    students = sum(sex.values())
    figures = {
        "node": {**where.as_dict(), "grade": grade, "grade_name": grade_name},
        "snapshot": _snapshot_info(snapshot),
        "classes": len(classes),
        "students": students,
        "students_in_classes": sum(size_list),
        "unplaced": sum(by_class.get(None, {}).values()),
        "boys": sex.get("1", 0),
        "girls": sex.get("2", 0),
        "mean_class_size": _round(sum(size_list) / len(size_list), 1) if size_list else None,
        "max_class_size": max(size_list) if size_list else None,
        "large_classes": sum(1 for c in classes if c["large"]),
        "very_large_classes": sum(1 for c in classes if c["very_large"]),
        "stage_name": classes[0]["stage_name"] if classes else "",
    }
    return {
        "figures": figures,
        "classes": classes,
        "bands": bands,
        "sex": _named([{"sex": k, "students": v} for k, v in sorted(sex.items())], "sex"),
        "study_mode": _named([{"study_mode": k, "students": v} for k, v in sorted(study_mode.items())], "study_mode"),
        "trend": _grade_trend(where.code, grade),
    }


def _grade_trend(school: str, grade: str, points: int = TREND_POINTS) -> list[dict[str, Any]]:
    """The grade's classes and pupils in classes in each kept snapshot, oldest first. A grade code names the year
    of study, so the trend compares this year's 三年级 with last year's, not one cohort."""
    rows = []
    for s in reversed(Snapshot.objects.order_by("-taken_on")[:points]):
        if not Path(s.path).is_dir():
            continue
        found = _grade_classes(s, snapshot_tables(s), school, grade)
        day = f"{s.taken_on:%Y-%m-%d}"
        rows.append({"snapshot_date": day, "classes": len(found), "students": sum(r["size"] for r in found)})
    return rows
