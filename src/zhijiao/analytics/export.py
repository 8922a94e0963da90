"""The statistics pages' panels as tables, and their export to xlsx.

Every panel of the overview (and of a grade's page) is described once here as a :class:`Panel`: a title, Chinese
column headers and rows of plain values. The xlsx export writes them (numbers as numbers, one sheet per panel for
"导出全部"), and the printable report renders the same tables, so what is downloaded, printed and shown agree.
An export is recorded in the audit log (``analytics.export``); the figures come through the selectors, so scope is
checked there and a node outside it is 404.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.utils import timezone

from zhijiao.access.types import Actor
from zhijiao.analytics import selectors
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.class_size import CLASS_SIZE_BANDS
from zhijiao.core.errors import NotFound

ALL = "all"
_SHEET_FORBIDDEN = str.maketrans({c: "·" for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    widths: tuple[int, ...] = ()


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes


# ------------------------------------------------------------------------------------------ panels
def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _figures_panel(f: dict[str, Any], kind: str) -> Panel:
    rows: list[list[Any]] = []
    if kind != "school":
        rows.append(["学校（在办）", f["schools"], "所"])
    rows += [
        ["班级", f["classes"], "个"],
        ["在读学生", f["students"], "人"],
        ["在岗教职工", f["staff"], "人"],
        ["其中专任教师", f["teachers"], "人"],
    ]
    if f["bureau_staff"]:
        rows.append(["教育局人员", f["bureau_staff"], "人"])
    rows += [
        ["生师比（学生:教职工）", f["student_staff_ratio"], "学生/教职工"],
        ["学生与专任教师比", f["student_teacher_ratio"], "学生/专任教师"],
        ["编制标准", f["staffing_norm"], "学生/教职工"],
        ["按标准应有教职工", f["required_staff"], "人"],
        ["教职工与标准之差（负数为缺编）", f["staff_gap"], "人"],
        ["低于编制标准的学校", f["schools_below_norm"], "所"],
        ["大班额（56人及以上）", f["large_classes"], "个"],
        ["超大班额（66人及以上）", f["very_large_classes"], "个"],
        ["大班额占班级", None if f["large_class_share"] is None else round(100 * f["large_class_share"], 1), "%"],
        ["平均班额", f["mean_class_size"], "人/班"],
        ["班额中位数（近似）", f["median_class_size"], "人/班"],
        ["平均数据质量得分", f["quality_mean"], "分"],
    ]
    if kind != "school":
        rows.append(["数据质量低于60分的学校", f["schools_low_quality"], "所"])
    return Panel("figures", "关键指标", ["指标", "数值", "单位"], rows, (30, 14, 14))


def _stages_panel(f: dict[str, Any]) -> Panel:
    rows = [
        [
            s["stage_name"],
            s["students"],
            s["classes"],
            s["mean_class_size"],
            s["large_classes"],
            s["very_large_classes"],
            s["staffing_norm"],
        ]
        for s in f["by_stage"]
    ]
    headers = ["学段", "在读学生", "班级", "平均班额", "大班额", "超大班额", "编制标准（学生/教职工）"]
    return Panel("stages", "各学段在读学生与平均班额", headers, rows, (12, 12, 10, 10, 10, 10, 22))


def _bands_panel(bands: list[dict[str, Any]]) -> Panel:
    counts = {label: 0 for _low, _high, label in CLASS_SIZE_BANDS}
    counts.update({b["band"]: b["classes"] for b in bands})
    total = sum(counts.values())
    rows = [[label, n, _share(n, total)] for label, n in counts.items()]
    return Panel("bands", "班额分布", ["班额", "班级", "占比（%）"], rows, (14, 10, 12))


def _mix_panel(sex: list[dict[str, Any]], study_mode: list[dict[str, Any]]) -> Panel:
    rows: list[list[Any]] = []
    for label, data, column in (("性别", sex, "sex_name"), ("就读方式", study_mode, "study_mode_name")):
        total = sum(r["students"] for r in data)
        rows += [[label, r[column], r["students"], _share(r["students"], total)] for r in data]
    return Panel("mix", "学生构成", ["维度", "类别", "在读学生", "占比（%）"], rows, (10, 16, 12, 12))


def _staff_panel(categories: list[dict[str, Any]]) -> Panel:
    total = sum(r["staff"] for r in categories)
    rows = [[r["category_name"], r["staff"], _share(r["staff"], total)] for r in categories]
    return Panel("staff", "教职工构成", ["教职工类别", "在岗人数", "占比（%）"], rows, (18, 12, 12))


def _trend_panel(trend: list[dict[str, Any]]) -> Panel:
    rows = [[r["snapshot_date"], r["schools"], r["classes"], r["students"], r["staff"], r["teachers"]] for r in trend]
    headers = ["快照日期", "学校", "班级", "在读学生", "教职工", "专任教师"]
    return Panel("trend", "变化趋势", headers, rows, (12, 10, 10, 12, 12, 12))


def _quality_panel(schools: list[dict[str, Any]]) -> Panel:
    rows = [
        [q["code"], q["name"], q["datasets"], q["score"], q["completeness"], q["validity"], q["timeliness"]]
        for q in schools
    ]
    headers = ["学校标识码", "学校", "数据集", "综合得分", "完整性（%）", "有效性（%）", "及时性（%）"]
    return Panel("quality", "数据质量（得分由低到高）", headers, rows, (14, 28, 8, 10, 12, 12, 12))


def _children_panel(children: list[dict[str, Any]]) -> Panel:
    schools = bool(children) and children[0]["kind"] == "school"
    headers = [
        "学校标识码" if schools else "区划代码",
        "学校" if schools else "区域",
        "办学类型" if schools else "学校",
        "班级",
        "在读学生",
        "教职工",
        "专任教师",
        "生师比（学生/教职工）",
        "编制标准（学生/教职工）",
        "按标准应有教职工",
        "平均班额",
        "大班额",
        "超大班额",
    ]
    if not schools:
        headers.append("低于标准学校")
    rows = []
    for c in children:
        row = [
            c["code"],
            c["name"],
            c["school_type_name"] if schools else c["schools"],
            c["classes"],
            c["students"],
            c["staff"],
            c["teachers"],
            c["ratio"],
            c["norm"],
            round(c["required_staff"], 1),
            c["mean_class_size"],
            c["large_classes"],
            c["very_large_classes"],
        ]
        if not schools:
            row.append(c["schools_below_norm"])
        rows.append(row)
    title = f"各校对比（{len(children)} 所）" if schools else "下级区域对比"
    return Panel("children", title, headers, rows, (14, 28, 14, *(10,) * (len(headers) - 3)))


def _grades_panel(grades: list[dict[str, Any]]) -> Panel:
    headers = ["学段", "年级", "班级", "在读学生", "平均班额", "最大班额", "大班额", "超大班额"]
    rows = [
        [
            g["stage_name"],
            g["grade_name"],
            g["classes"],
            g["students"],
            g["mean_class_size"],
            g["max_class_size"],
            g["large_classes"],
            g["very_large_classes"],
        ]
        for g in grades
    ]
    return Panel("grades", "各年级班额", headers, rows, (10, 16, 8, 10, 10, 10, 8, 10))


def node_panels(dashboard: dict[str, Any]) -> list[Panel]:
    """The overview's panels for a region, district or school (``selectors.node_dashboard``), in page order."""
    f = dashboard["figures"]
    panels = [
        _figures_panel(f, f["node"]["kind"]),
        _stages_panel(f),
        _bands_panel(dashboard["bands"]),
        _mix_panel(dashboard["sex"], dashboard["study_mode"]),
        _staff_panel(dashboard["staff_categories"]),
        _trend_panel(dashboard["trend"]),
    ]
    if dashboard["children"]:
        panels.append(_children_panel(dashboard["children"]))
    if dashboard["grades"]:
        panels.append(_grades_panel(dashboard["grades"]))
    if dashboard["quality_schools"]:
        panels.append(_quality_panel(dashboard["quality_schools"]))
    return panels


def grade_panels(dashboard: dict[str, Any]) -> list[Panel]:
    """A grade's panels (``selectors.grade_dashboard``), in page order."""
    f = dashboard["figures"]
    figures = [
        ["班级", f["classes"], "个"],
        ["在读学生", f["students"], "人"],
        ["其中未编班", f["unplaced"], "人"],
        ["男生", f["boys"], "人"],
        ["女生", f["girls"], "人"],
        ["平均班额", f["mean_class_size"], "人/班"],
        ["最大班额", f["max_class_size"], "人"],
        ["大班额（56人及以上）", f["large_classes"], "个"],
        ["超大班额（66人及以上）", f["very_large_classes"], "个"],
    ]
    classes = [
        [
            c["name"],
            c["stage_name"],
            c["size"],
            c["boys"],
            c["girls"],
            c["capacity"],
            "是" if c["large"] else "否",
            "是" if c["very_large"] else "否",
        ]
        for c in dashboard["classes"]
    ]
    trend = [[r["snapshot_date"], r["classes"], r["students"]] for r in dashboard["trend"]]
    return [
        Panel("figures", "关键指标", ["指标", "数值", "单位"], figures, (24, 12, 10)),
        Panel(
            "classes",
            f"各班对比（{len(classes)} 个班）",
            ["班级", "学段", "班额", "男生", "女生", "额定人数", "大班额", "超大班额"],
            classes,
            (18, 8, 8, 8, 8, 10, 8, 10),
        ),
        _bands_panel(dashboard["bands"]),
        _mix_panel(dashboard["sex"], dashboard["study_mode"]),
        Panel("trend", "变化趋势", ["快照日期", "班级", "在班学生"], trend, (12, 10, 10)),
    ]


def display(value: Any) -> str:
    """A cell as the printed report shows it: thousands separators, at most two decimals, — for nothing."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def display_table(panel: Panel) -> dict[str, Any]:
    """The panel as the report's table: headers with whether their column holds numbers (right-aligned), and
    rows of (text, is a number) cells."""
    numeric = [any(_is_number(row[c]) for row in panel.rows) for c in range(len(panel.headers))]
    return {
        "title": panel.title,
        "headers": list(zip(panel.headers, numeric, strict=True)),
        "rows": [[(display(v), _is_number(v)) for v in row] for row in panel.rows],
    }


# ------------------------------------------------------------------------------------------ xlsx
def _sheet_name(title: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = title.translate(_SHEET_FORBIDDEN)[:31]
    name, n = base, 2
    while name in used:
        suffix = f"（{n}）"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def workbook(panels: list[Panel], *, caption: str) -> bytes:
    """The panels as an xlsx workbook, one sheet each: a caption line (node, snapshot), then headers and rows.
    Numbers stay numbers; empty figures (no ratio without staff, …) are empty cells."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1, "text_wrap": True, "valign": "top"})
    muted = book.add_format({"italic": True, "font_color": "#6B7280"})
    decimal = book.add_format({"num_format": "0.0#"})
    used: set[str] = set()
    for panel in panels:
        sheet = book.add_worksheet(_sheet_name(panel.title, used))
        sheet.write_string(0, 0, f"{panel.title} · {caption}", muted)
        sheet.write_row(2, 0, panel.headers, bold)
        for r, row in enumerate(panel.rows, start=3):
            for c, value in enumerate(row):
                if value is None:
                    sheet.write_blank(r, c, None)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int):
                    sheet.write_number(r, c, value)
                elif isinstance(value, float):
                    sheet.write_number(r, c, value, decimal)
                else:
                    sheet.write_string(r, c, str(value))
        for c, width in enumerate(panel.widths):
            sheet.set_column(c, c, width)
        sheet.freeze_panes(3, 0)
    book.close()
    return out.getvalue()


# ------------------------------------------------------------------------------------------ the export
def analytics_export(*, actor: Actor, node: str = "", grade: str = "", panel: str = ALL, origin: Origin) -> Export:
    """One panel (or every panel, ``"all"``) of a node's statistics — or of one grade of a school when ``grade``
    is given — as an xlsx workbook, recorded in the audit log. Scope as for the pages: 404 outside it."""
    if grade:
        dashboard = selectors.grade_dashboard(actor=actor, school=node, grade=grade)
        panels = grade_panels(dashboard)
        where = dashboard["figures"]["node"]
        place = f"{where['name']}{where['grade_name']}"
    else:
        dashboard = selectors.node_dashboard(actor=actor, node=node)
        panels = node_panels(dashboard)
        where = dashboard["figures"]["node"]
        place = where["name"]
    if panel != ALL:
        panels = [p for p in panels if p.key == panel]
        if not panels:
            raise NotFound()
    day = dashboard["figures"]["snapshot"]["date"]
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    content = workbook(panels, caption=f"{place} · 数据截至 {day} 快照 · 导出于 {generated}")
    what = "全部面板" if panel == ALL else panels[0].title
    audit_record(
        actor=actor,
        action="analytics.export",
        origin=origin,
        target=Target("analytics_node", where["code"] + (f"/{grade}" if grade else ""), f"导出统计：{place} · {what}"),
    )
    return Export(filename=f"统计分析-{place}-{what}-{day}.xlsx", content=content)
