"""Screenshots of the item bank (题库) on the demo region:

* ``learning-item-editor.png``: the teacher entering a 单选题 with formulas, the live KaTeX preview beside it;
* ``learning-item-list.png``: the item bank with its filters (初中数学), formulas rendered;
* ``learning-item-detail.png``: one demo item with its answer, 解析 and knowledge points;
* ``learning-import-result.png``: an xlsx import with good rows, a duplicate and rows with errors by field;
* ``learning-review-queue.png``: the principal's review queue.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_learning.py [--out docs/screenshots/learning] [--port 8103]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, shot

COLUMNS = [
    "题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "解析", "分值", "难度",
    "学段", "学科", "年级", "知识点", "来源", "共享范围",
]  # fmt: skip


def import_file() -> Path:
    """An xlsx a teacher might send: three good rows, one already in the bank, three with mistakes."""
    from openpyxl import Workbook

    rows = [
        ["单选题", "若 $a=2$，$b=-3$，则 $a-b$ 的值是（  ）", "$-1$", "$5$", "$-5$", "$1$", "", "", "B",
         "$a-b=2-(-3)=5$。", "3", "1", "初中", "数学", "初一", "有理数的加减法", "单元练习", "本校"],
        ["填空题", "若 $x=2$ 是方程 $2x+a=7$ 的解，则 $a=$____", "", "", "", "", "", "", "3", "", "3", "2", "初中",
         "数学", "初一", "一元一次方程", "单元练习", "本校"],
        ["判断题", "两个无理数的和一定是无理数。", "", "", "", "", "", "", "错", "如 $\\sqrt2+(-\\sqrt2)=0$。", "2",
         "3", "初中", "数学", "初一", "实数", "单元练习", "本校"],
        ["单选题", "$-3$ 的绝对值是（  ）", "$3$", "$-3$", "$\\frac13$", "$-\\frac13$", "", "", "A", "", "3", "1",
         "初中", "数学", "初一", "绝对值", "单元练习", "本校"],
        ["多选题", "下列各数中是负数的有", "$-2$", "$0$", "$3$", "", "", "", "AE", "", "4", "2", "初中", "数学", "初一",
         "正数和负数", "单元练习", "本校"],
        ["填空题", "计算 $\\frac{1}{2}+\\frac{1}{3}=$____", "", "", "", "", "", "", "5/6", "", "0", "7", "初中", "数学",
         "初一", "分数运算", "单元练习", "本校"],
        ["单选题", "方程 $x^2=9$ 的解是（  ）", "$3$", "$-3$", "$\\pm3$", "$9$", "", "", "C", "", "3", "2", "初中",
         "英文", "初三", "", "单元练习", "全市"],
    ]  # fmt: skip
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(COLUMNS)
    for row in rows:
        ws.append(row)
    path = Path(tempfile.mkdtemp()) / "第一单元练习.xlsx"
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def triangle_png() -> Path:
    """A right triangle with its sides labelled, as a teacher would draw for a 勾股定理 item."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (360, 240), "white")
    d = ImageDraw.Draw(img)
    d.polygon([(40, 200), (320, 200), (40, 40)], outline="black", width=3)
    d.rectangle([(40, 180), (60, 200)], outline="black", width=2)
    for xy, label in (((30, 30), "A"), ((24, 200), "C"), ((325, 195), "B"), ((175, 205), "8"), ((20, 115), "6")):
        d.text(xy, label, fill="black")
    path = Path(tempfile.mkdtemp()) / "直角三角形.png"
    img.save(path)
    return path


def items_forget() -> None:
    """A re-run starts over: the items an earlier run entered and imported go (they would show as duplicates)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.learning.models import Item

    stale = (
        Item.objects.filter(source="单元练习")
        | Item.objects.filter(stem_norm__startswith="已知二次函数y=x^2-4x+3")
        | Item.objects.filter(stem_norm__startswith="如图在")
    )
    for item in stale:
        Item.objects.filter(pk=item.pk).update(current_version=None, approved_version=None)
        item.delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots/learning")
    parser.add_argument("--port", type=int, default=8103)
    args = parser.parse_args()
    out = out_dir(args.out)
    items_forget()
    accounts = demo_accounts()
    password = accounts["teacher"].get("password") or os.environ["ZHIJIAO_DEMO_PASSWORD"]
    with demo_server(args.port, tries=3) as base, chromium() as browser:
        page = new_page(browser)
        login(page, base, "teacher", password)
        page.goto(f"{base}/learning/items/new/")
        page.select_option("#type", "single")
        page.fill("#stem", "已知二次函数 $y=x^2-4x+3$，它的图象的顶点坐标是（  ）")
        for key, text in zip("ABCD", ["$(2,-1)$", "$(-2,1)$", "$(2,1)$", "$(4,3)$"], strict=True):
            page.fill(f'input[name="option_{key}"]', text)
        page.check('input[name="answer_single"][value="A"]')
        page.fill("#points", "3")
        page.select_option("#difficulty", "3")
        page.select_option("#grade", "23")
        page.fill("#explanation", "配方得 $$y=(x-2)^2-1,$$ 所以顶点坐标为 $(2,-1)$。")
        page.wait_for_timeout(600)
        shot(page, out / "learning-item-editor.png", full=False)
        page.select_option("#knowledge_points", label=["二次函数的图象和性质"])
        page.fill("#source", "九年级上册 第二十二章 单元练习")
        page.locator("#source").scroll_into_view_if_needed()
        shot(page, out / "learning-item-editor-tags.png", full=False)
        page.click("button:has-text('保存')")
        page.wait_for_load_state("networkidle")
        page.click("text=修改")
        page.set_input_files('input[name="image"]', str(triangle_png()))
        page.click("button:has-text('上传图片')")
        page.wait_for_load_state("networkidle")
        mark = page.locator("code").first.inner_text()
        page.fill(
            "#stem",
            f"如图，在 $\\text{{Rt}}\\triangle ABC$ 中，$\\angle C=90^\\circ$，$AC=6$，$BC=8$，则 $AB=$（  ）\n{mark}",
        )
        for key, text in zip("ABCD", ["$10$", "$14$", "$\\sqrt{28}$", "$7$"], strict=True):
            page.fill(f'input[name="option_{key}"]', text)
        page.select_option("#knowledge_points", label=["勾股定理"])
        page.fill("#source", "八年级下册 第十七章 勾股定理 课堂练习")
        page.fill("#explanation", "由勾股定理，$AB=\\sqrt{AC^2+BC^2}=\\sqrt{36+64}=10$。")
        page.wait_for_timeout(600)
        shot(page, out / "learning-item-editor-picture.png", full=False)
        page.click("button:has-text('保存')")
        page.wait_for_load_state("networkidle")
        shot(page, out / "learning-item-detail.png", full=False)
        shot(page, out / "learning-item-list.png", url=f"{base}/learning/items/?stage=3&subject=14", full=False)
        page.goto(f"{base}/learning/items/import/")
        page.set_input_files("#file", str(import_file()))
        page.click("button:has-text('导入')")
        page.wait_for_load_state("networkidle")
        shot(page, out / "learning-import-result.png")
        principal = new_page(browser)
        login(principal, base, "principal", password, accounts["principal"].get("totp_secret"))
        shot(principal, out / "learning-review-queue.png", url=f"{base}/learning/items/review/", full=False)
    print(f"saved to {out}")


if __name__ == "__main__":
    main()
