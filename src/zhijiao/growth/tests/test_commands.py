"""``zhijiao fitness score|tables``: the CLI contract (counts, every rejected row explained, exit codes)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from zhijiao.growth.fitness import ROW_SCORES

HEADER = ["学籍号", "姓名", "性别", "年级", "身高（厘米）", "体重(kg)", "肺活量(ml)", "50米跑(秒)", "坐位体前屈(cm)",
          "一分钟跳绳", "一分钟仰卧起坐", "50米×8往返跑", "立定跳远", "引体向上", "800米跑", "1000米跑"]  # fmt: skip
GOOD = [
    ["G001", "张一", "男", "一年级", "120", "22", "1300", "10.6", "11.0", "87", "", "", "", "", "", ""],
    ["G002", "李二", "女", "三年级", "130", "28", "1500", "10.1", "15.0", "150", "33", "", "", "", "", ""],
    ["G003", "王三", "女", "15", "140", "33", "1850", "9.1", "13.0", "128", "38", "1'53", "", "", "", ""],
    ["G004", "赵四", "男", "高一", "170", "60", "3800", "7.5", "15.0", "", "", "", "235", "12", "", "3:55"],
    ["G005", "钱五", "2", "31", "160", "50", "2750", "8.6", "16.1", "", "43", "", "178", "", "3分48秒", ""],
]
BAD = [
    ["", "孙六", "男", "一年级", "120", "22", "1300", "10.6", "11.0", "87", "", "", "", "", "", ""],
    ["G007", "周七", "x", "一年级", "120", "22", "1300", "10.6", "11.0", "87", "", "", "", "", "", ""],
    ["G008", "吴八", "男", "一年级", "120", "22", "1300", "abc", "11.0", "87", "", "", "", "", "", ""],
    ["G009", "郑九", "男", "一年级", "120", "22", "99999", "10.6", "11.0", "", "", "", "", "", "", ""],
    ["G010", "冯十", "女", "初一", "160", "50", "2000", "9", "10", "", "30", "", "170", "", "", ""],
]


def _csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("fitness", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue()


def test_score_all_good_rows(tmp_path):
    src = _csv(tmp_path / "in.csv", GOOD)
    code, out = _run("score", str(src), str(tmp_path / "out.csv"), "--json")
    result = json.loads(out)
    assert code == 0
    assert (result["rows_in"], result["scored"], result["rejected"]) == (5, 5, 0)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8-sig"))))
    by_no = {r["学籍号"]: r for r in rows}
    assert by_no["G001"]["标准分"] == "83.0" and by_no["G001"]["等级"] == "良好"
    # the pupil of test_fitness.test_one_pupil_worked_by_hand
    assert by_no["G002"]["标准分"] == "88.0" and by_no["G002"]["附加分"] == "5" and by_no["G002"]["学年总分"] == "93.0"
    assert by_no["G002"]["等级"] == "优秀"
    assert by_no["G004"]["1000米跑得分"] == "80"  # 3:55 = 235 s
    assert by_no["G005"]["800米跑得分"] == "80" and by_no["G005"]["性别"] == "2"  # 3分48秒, 年级编号 31 = 高一
    assert by_no["G001"]["1分钟仰卧起坐得分"] == ""  # not an item of 一年级: blank, not 0


def test_bad_rows_are_each_explained_in_chinese(tmp_path):
    src = _csv(tmp_path / "in.csv", GOOD + BAD, encoding="gb18030")  # a CSV saved by Excel on Chinese Windows
    code, out = _run("score", str(src), str(tmp_path / "out.xlsx"), "--json")
    result = json.loads(out)
    assert code == 1
    assert (result["rows_in"], result["scored"], result["rejected"]) == (10, 5, 5)
    assert result["rows_in"] == result["scored"] + result["rejected"]
    reasons = {r["row"]: {p["column"]: p["reason"] for p in r["problems"]} for r in result["rejected_rows"]}
    assert set(reasons) == {7, 8, 9, 10, 11}
    assert reasons[7] == {"学籍号": "不能为空"}
    assert "男 或 女" in reasons[8]["性别"]
    assert reasons[9] == {"50米跑": "不是数字"}
    assert "99999 超出合理范围" in reasons[10]["肺活量"] and "须测此项" in reasons[10]["1分钟跳绳"]
    assert "须测此项" in reasons[11]["800米跑"]  # 初一女生: every table is shipped, the 800米 result is missing
    ws = load_workbook(tmp_path / "out.xlsx", read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    assert len(rows) == 11  # every row comes out, scored or with its reason
    why = header.index("未评分原因")
    assert rows[8][why].startswith("第9行 50米跑：不是数字")
    assert (rows[1] + (None,) * len(header))[why] is None  # a scored row has no reason


JUNIOR = [
    # the pupils of test_fitness.test_a_junior_boy/girl_worked_by_hand: 初二 by name, 初三 by 年级编号 23
    ["J001", "陈一", "男", "初二", "165", "55", "3300", "8.0", "10.0", "", "", "", "215", "9", "", "3'45\""],
    ["J002", "林二", "女", "23", "160", "52", "2700", "8.8", "16.0", "", "56", "", "180", "", "4分02秒", ""],
    # 初一男生: 100 + 74 + 74 + 76 + 76 + 64 + 90 weighted = 15 + 11.1 + 14.8 + 7.6 + 7.6 + 6.4 + 18 = 80.5
    ["J003", "黄三", "男", "初一", "155", "45", "2600", "8.8", "8.0", "", "", "", "190", "5", "", "4:10"],
    # 初三女生: 100 + 85 + 80 + 80 + 78 + 85 + 85 → 15 + 12.75 + 16 + 8 + 7.8 + 8.5 + 17 = 85.05 → 85.1 (half up)
    ["J004", "周四", "女", "初三", "160", "50", "2800", "8.6", "18.0", "", "45", "", "175", "", "3'40", ""],
]


def test_score_junior_rows(tmp_path):
    src = _csv(tmp_path / "in.csv", JUNIOR)
    code, out = _run("score", str(src), str(tmp_path / "out.csv"), "--json")
    result = json.loads(out)
    assert code == 0 and (result["rows_in"], result["scored"], result["rejected"]) == (4, 4, 0)
    rows = {r["学籍号"]: r for r in csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8-sig")))}
    assert (rows["J001"]["标准分"], rows["J001"]["附加分"], rows["J001"]["学年总分"], rows["J001"]["等级"]) == (
        "85.8", "1", "86.8", "良好",
    )  # fmt: skip
    assert rows["J001"]["引体向上得分"] == "76" and rows["J001"]["1000米跑得分"] == "100"
    assert (rows["J002"]["标准分"], rows["J002"]["附加分"], rows["J002"]["学年总分"]) == ("83.6", "2", "85.6")
    assert rows["J002"]["800米跑得分"] == "76" and rows["J002"]["年级名称"] == "初三"
    assert (rows["J003"]["标准分"], rows["J003"]["等级"]) == ("80.5", "良好")
    assert (rows["J004"]["标准分"], rows["J004"]["学年总分"]) == ("85.1", "85.1")


def test_xlsx_in(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([*GOOD[0][:6], 1300, 10.6, 11.0, 87])
    wb.save(tmp_path / "in.xlsx")
    code, out = _run("score", str(tmp_path / "in.xlsx"), str(tmp_path / "out.csv"), "--json")
    assert code == 0 and json.loads(out)["scored"] == 1


def test_unusable_input_exits_2(tmp_path):
    (tmp_path / "in.csv").write_text("姓名,身高\n张三,120\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("fitness", "score", str(tmp_path / "in.csv"), str(tmp_path / "out.csv"))
    assert exc.value.returncode == 2 and "性别" in str(exc.value)
    with pytest.raises(CommandError):
        call_command("fitness", "score", str(tmp_path / "nope.csv"), str(tmp_path / "out.csv"))


def test_tables_load_replaces_a_table_and_check_refuses_a_bad_one(tmp_path, settings):
    settings.HOME = tmp_path
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"tables": [{"item": "run_50m", "grade": 1, "sex": "男", "rows": [[100, 1]]}]}))
    code, out = _run("tables", "check", str(bad))
    assert code == 1 and "应有 20 行" in out and "source" in out
    # a bureau's official 一年级男 50米跑 table, here shifted by 1 s so the change is visible
    rows = [[s, round(11.2 + i * 0.1, 1)] for i, s in enumerate(ROW_SCORES)]
    table = {
        "item": "run_50m",
        "grade": 1,
        "sex": "男",
        "rows": rows,
        "status": "已核对",
        "source": "教体艺〔2014〕5号",
    }
    good = tmp_path / "official.json"
    good.write_text(json.dumps({"tables": [table]}, ensure_ascii=False))
    code, out = _run("tables", "load", str(good))
    assert code == 0 and "已载入" in out
    src = _csv(tmp_path / "in.csv", GOOD[:1])
    code, out = _run("score", str(src), str(tmp_path / "out.csv"))
    assert code == 0
    row = next(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8-sig"))))
    assert row["50米跑得分"] == "100"  # 10.6 s reaches the replaced 100-point row (11.2 s)
    code, out = _run("tables", "list", "--json")
    assert "run_50m/1/男" in json.loads(out)["replaced"]


def test_blank_lines_are_not_pupils_but_keep_the_row_numbers(tmp_path):
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, GOOD[0], [""] * len(HEADER), BAD[2], []])
    (tmp_path / "in.csv").write_text(buf.getvalue(), encoding="utf-8")
    code, out = _run("score", str(tmp_path / "in.csv"), str(tmp_path / "out.csv"), "--json")
    result = json.loads(out)
    assert code == 1
    assert (result["rows_in"], result["scored"], result["rejected"]) == (2, 1, 1)
    assert result["rejected_rows"] == [{"row": 4, "problems": [{"column": "50米跑", "reason": "不是数字"}]}]


def test_report_rates_per_grade_and_in_total(tmp_path):
    """一年级: 张一 83.0 良好, an obese pupil with every item at 10 points (0.15×60 + 0.85×10 = 17.5 不及格);
    三年级: 李二 93.0 优秀 (test_fitness.test_one_pupil_worked_by_hand). A rejected row is not counted."""
    obese = ["G011", "陈十一", "男", "1", "120", "35", "500", "13.6", "-4.0", "2", "", "", "", "", "", ""]
    src = _csv(tmp_path / "in.csv", [GOOD[0], obese, GOOD[1], BAD[2]])
    code, out = _run("report", str(src), "--by", "年级", "--json", "--out", str(tmp_path / "report.xlsx"))
    result = json.loads(out)
    assert code == 0
    assert (result["rows_in"], result["scored"], result["rejected"]) == (4, 3, 1)
    groups = {g["年级名称"]: g for g in result["groups"]}
    assert list(groups) == ["一年级", "三年级", "合计"]
    one = groups["一年级"]
    assert (one["人数"], one["良好"], one["不及格"]) == (2, 1, 1)
    assert (one["优良率%"], one["及格率%"], one["肥胖率%"], one["平均学年总分"]) == (50.0, 50.0, 50.0, 50.3)
    total = groups["合计"]
    assert (total["人数"], total["优良率%"], total["及格率%"], total["肥胖率%"]) == (3, 66.7, 66.7, 33.3)
    assert (tmp_path / "report.xlsx").is_file()
