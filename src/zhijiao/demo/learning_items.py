"""The demo item bank: three dozen 初中数学 items with formulas, tagged with the 人教版 knowledge points.

Written by the demo teacher (``teacher``) through the item bank's own services, most passed by the school's
principal (``principal``), a few left as a draft, one waiting for review and one returned, so every page has
something to show. Runs once: an install that already has items is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from zhijiao.audit.services import Origin
from zhijiao.curriculum.models import KnowledgePoint
from zhijiao.identity.models import Account
from zhijiao.learning.models import Item
from zhijiao.learning.services import item_create, item_review, item_submit
from zhijiao.learning.validation import ItemData

ORIGIN = Origin(channel="cli")

# (type, grade, difficulty, points, knowledge point codes, stem, options, answer, explanation)
ITEMS: list[tuple] = [
    (
        "single",
        "21",
        1,
        3,
        ["M3-005"],
        "$-3$ 的绝对值是（  ）",
        ["$3$", "$-3$", "$\\frac{1}{3}$", "$-\\frac{1}{3}$"],
        ["A"],
        "负数的绝对值是它的相反数，$|-3|=3$。",
    ),
    (
        "single",
        "21",
        1,
        3,
        ["M3-004"],
        "$-\\frac{1}{2}$ 的相反数是（  ）",
        ["$2$", "$-2$", "$\\frac{1}{2}$", "$-\\frac{1}{2}$"],
        ["C"],
        "只有符号不同的两个数互为相反数。",
    ),
    (
        "single",
        "21",
        2,
        3,
        ["M3-009"],
        "2025 年某市常住人口约 $12\\,450\\,000$ 人，用科学记数法表示为（  ）",
        ["$1.245\\times10^{6}$", "$1.245\\times10^{7}$", "$12.45\\times10^{6}$", "$0.1245\\times10^{8}$"],
        ["B"],
        "科学记数法 $a\\times10^{n}$ 中 $1\\le|a|<10$。",
    ),
    ("blank", "21", 2, 3, ["M3-008"], "计算：$(-2)^3=$____", [], [["-8"]], "$(-2)^3=(-2)\\times(-2)\\times(-2)=-8$。"),
    ("true_false", "21", 1, 2, ["M3-002"], "$0$ 既不是正数，也不是负数。", [], ["T"], ""),
    (
        "single",
        "21",
        2,
        3,
        ["M3-011"],
        "下列各组中，是同类项的是（  ）",
        ["$3x^2y$ 与 $3xy^2$", "$2ab$ 与 $-ba$", "$x^3$ 与 $3^3$", "$a$ 与 $a^2$"],
        ["B"],
        "所含字母相同，并且相同字母的指数也相同。",
    ),
    ("blank", "21", 2, 3, ["M3-013"], "方程 $3x-7=2$ 的解是 $x=$____", [], [["3"]], "移项得 $3x=9$，所以 $x=3$。"),
    (
        "open",
        "21",
        3,
        8,
        ["M3-014"],
        "某班有学生 $45$ 人，男生比女生多 $3$ 人，这个班男生、女生各有多少人？（列方程解答）",
        [],
        [],
        "设女生 $x$ 人，则 $x+(x+3)=45$，解得 $x=21$。",
    ),
    (
        "single",
        "21",
        2,
        3,
        ["M3-016"],
        "一个角的余角是 $35^\\circ$，这个角的补角是（  ）",
        ["$55^\\circ$", "$125^\\circ$", "$145^\\circ$", "$35^\\circ$"],
        ["B"],
        "这个角是 $55^\\circ$，补角为 $180^\\circ-55^\\circ=125^\\circ$。",
    ),
    (
        "multiple",
        "21",
        3,
        4,
        ["M3-018", "M3-019"],
        "如图，直线 $a$、$b$ 被直线 $c$ 所截，下列条件中能判定 $a\\parallel b$ 的是",
        ["同位角相等", "内错角相等", "同旁内角相等", "同旁内角互补"],
        ["A", "B", "D"],
        "同旁内角互补（而不是相等）两直线平行。",
    ),
    (
        "blank",
        "21",
        2,
        4,
        ["M3-021", "M3-022"],
        "$\\sqrt{16}$ 的算术平方根是____，$-27$ 的立方根是____",
        [],
        [["2"], ["-3"]],
        "$\\sqrt{16}=4$，$4$ 的算术平方根是 $2$；$(-3)^3=-27$。",
    ),
    (
        "single",
        "21",
        2,
        3,
        ["M3-023"],
        "下列各数中，是无理数的是（  ）",
        ["$\\frac{22}{7}$", "$\\sqrt{9}$", "$\\pi$", "$0.\\dot{3}$"],
        ["C"],
        "$\\pi$ 是无限不循环小数。",
    ),
    (
        "single",
        "21",
        2,
        3,
        ["M3-024"],
        "点 $P(-2,3)$ 在平面直角坐标系的（  ）",
        ["第一象限", "第二象限", "第三象限", "第四象限"],
        ["B"],
        "横坐标为负、纵坐标为正，在第二象限。",
    ),
    (
        "open",
        "21",
        3,
        8,
        ["M3-025"],
        "解方程组：$$\\begin{cases}x+y=5\\\\2x-y=1\\end{cases}$$",
        [],
        [],
        "两式相加得 $3x=6$，$x=2$，代入得 $y=3$。",
    ),
    (
        "single",
        "21",
        2,
        3,
        ["M3-028"],
        "不等式 $2x-1>3$ 的解集是（  ）",
        ["$x>1$", "$x>2$", "$x<2$", "$x>-2$"],
        ["B"],
        "$2x>4$，$x>2$。",
    ),
    (
        "true_false",
        "21",
        2,
        2,
        ["M3-027"],
        "若 $a>b$，则 $-2a>-2b$。",
        [],
        ["F"],
        "不等式两边乘同一个负数，不等号方向改变。",
    ),
    (
        "single",
        "22",
        2,
        3,
        ["M3-033"],
        "在 $\\triangle ABC$ 中，$\\angle A=50^\\circ$，$\\angle B=60^\\circ$，则 $\\angle C=$（  ）",
        ["$60^\\circ$", "$70^\\circ$", "$80^\\circ$", "$90^\\circ$"],
        ["B"],
        "三角形内角和为 $180^\\circ$。",
    ),
    (
        "blank",
        "22",
        2,
        3,
        ["M3-034"],
        "正六边形的每个内角是____度",
        [],
        [["120"]],
        "$(6-2)\\times180^\\circ\\div6=120^\\circ$。",
    ),
    (
        "multiple",
        "22",
        3,
        4,
        ["M3-036"],
        "下列条件中，能判定两个三角形全等的有",
        ["SSS", "SAS", "AAA", "ASA"],
        ["A", "B", "D"],
        "三个角对应相等的两个三角形不一定全等。",
    ),
    (
        "single",
        "22",
        2,
        3,
        ["M3-042"],
        "计算 $(a+b)^2$ 的结果是（  ）",
        ["$a^2+b^2$", "$a^2+2ab+b^2$", "$a^2-2ab+b^2$", "$a^2+ab+b^2$"],
        ["B"],
        "完全平方公式。",
    ),
    (
        "blank",
        "22",
        3,
        3,
        ["M3-043"],
        "因式分解：$x^2-9=$____",
        [],
        [["(x+3)(x-3)", "(x-3)(x+3)"]],
        "平方差公式 $a^2-b^2=(a+b)(a-b)$。",
    ),
    (
        "single",
        "22",
        2,
        3,
        ["M3-044"],
        "要使分式 $\\frac{1}{x-2}$ 有意义，$x$ 的取值范围是（  ）",
        ["$x\\ne2$", "$x>2$", "$x<2$", "$x=2$"],
        ["A"],
        "分母不能为 $0$。",
    ),
    (
        "open",
        "22",
        4,
        8,
        ["M3-046"],
        "解分式方程：$\\frac{2}{x-1}=\\frac{3}{x}$，并检验。",
        [],
        [],
        "去分母得 $2x=3(x-1)$，$x=3$；检验：$x=3$ 时 $x(x-1)\\ne0$，所以 $x=3$ 是原方程的解。",
    ),
    ("blank", "22", 2, 3, ["M3-048"], "计算：$\\sqrt{12}\\times\\sqrt{3}=$____", [], [["6"]], "$\\sqrt{36}=6$。"),
    (
        "single",
        "22",
        2,
        3,
        ["M3-049"],
        "直角三角形两条直角边长为 $6$ 和 $8$，斜边长是（  ）",
        ["$7$", "$10$", "$12$", "$14$"],
        ["B"],
        "$\\sqrt{6^2+8^2}=10$。",
    ),
    (
        "single",
        "22",
        3,
        3,
        ["M3-054"],
        "一次函数 $y=-2x+3$ 的图象不经过（  ）",
        ["第一象限", "第二象限", "第三象限", "第四象限"],
        ["C"],
        "$k<0$，$b>0$，图象经过第一、二、四象限。",
    ),
    (
        "blank",
        "22",
        2,
        4,
        ["M3-056"],
        "数据 $3,5,5,6,8$ 的平均数是____，众数是____",
        [],
        [["5.4", "27/5"], ["5"]],
        "平均数 $27\\div5=5.4$。",
    ),
    (
        "single",
        "23",
        2,
        3,
        ["M3-059"],
        "一元二次方程 $x^2-4=0$ 的解是（  ）",
        ["$x=2$", "$x=-2$", "$x_1=2,\\ x_2=-2$", "$x=4$"],
        ["C"],
        "$x^2=4$，$x=\\pm2$。",
    ),
    (
        "single",
        "23",
        3,
        3,
        ["M3-058"],
        "方程 $x^2-5x+6=0$ 的两个根之和是（  ）",
        ["$5$", "$-5$", "$6$", "$-6$"],
        ["A"],
        "由根与系数的关系，$x_1+x_2=-\\frac{b}{a}=5$。",
    ),
    (
        "blank",
        "23",
        3,
        3,
        ["M3-061"],
        "抛物线 $y=(x-1)^2+2$ 的顶点坐标是____",
        [],
        [["(1,2)"]],
        "顶点式 $y=a(x-h)^2+k$ 的顶点为 $(h,k)$。",
    ),
    (
        "open",
        "23",
        4,
        10,
        ["M3-063"],
        "某商品进价每件 $40$ 元，售价每件 $60$ 元时每周可卖 $300$ 件；每涨价 $1$ 元，每周少卖 $10$ 件。"
        "售价定为多少元时每周利润最大？最大利润是多少？",
        [],
        [],
        "设涨价 $x$ 元，利润 $W=(20+x)(300-10x)=-10(x-5)^2+6250$，售价 $65$ 元时最大利润 $6250$ 元。",
    ),
    (
        "single",
        "23",
        2,
        3,
        ["M3-066"],
        "在 $\\odot O$ 中，圆心角 $\\angle AOB=80^\\circ$，则它所对的圆周角是（  ）",
        ["$40^\\circ$", "$80^\\circ$", "$160^\\circ$", "$100^\\circ$"],
        ["A"],
        "同弧所对的圆周角等于圆心角的一半。",
    ),
    (
        "blank",
        "23",
        3,
        3,
        ["M3-069"],
        "半径为 $3$、圆心角为 $120^\\circ$ 的扇形面积是____（结果保留 $\\pi$）",
        [],
        [["3π", "3\\pi"]],
        "$S=\\frac{120\\pi\\times3^2}{360}=3\\pi$。",
    ),
    (
        "single",
        "23",
        2,
        3,
        ["M3-071"],
        "同时掷两枚质地均匀的硬币，两枚都正面朝上的概率是（  ）",
        ["$\\frac12$", "$\\frac13$", "$\\frac14$", "$\\frac34$"],
        ["C"],
        "共有 $4$ 种等可能结果。",
    ),
    (
        "single",
        "23",
        3,
        3,
        ["M3-078"],
        "在 $\\text{Rt}\\triangle ABC$ 中，$\\angle C=90^\\circ$，$AC=3$，$BC=4$，则 $\\sin A=$（  ）",
        ["$\\frac35$", "$\\frac45$", "$\\frac34$", "$\\frac43$"],
        ["B"],
        "$AB=5$，$\\sin A=\\frac{BC}{AB}=\\frac45$。",
    ),
    (
        "true_false",
        "23",
        2,
        2,
        ["M3-073"],
        "反比例函数 $y=\\frac{2}{x}$ 的图象在第一、三象限。",
        [],
        ["T"],
        "$k=2>0$。",
    ),
]


def demo_items(*, progress: Callable[[str], None] = print) -> int:
    """Build the demo item bank once; returns how many items were made (0 when there were some already)."""
    if Item.objects.exists():
        return 0
    accounts = {a.username: a for a in Account.objects.filter(username__in=["teacher", "principal"])}
    teacher, principal = accounts.get("teacher"), accounts.get("principal")
    if teacher is None or principal is None:
        return 0
    points = {p.code: p for p in KnowledgePoint.objects.filter(stage="3", subject="14")}
    made = 0
    for i, (kind, grade, difficulty, score, codes, stem, options, answer, explanation) in enumerate(ITEMS):
        data = ItemData(
            type=kind,
            stem=stem,
            stage="3",
            subject="14",
            grade=grade,
            options=list(options),
            answer=list(answer),
            explanation=explanation,
            points=Decimal(score),
            difficulty=difficulty,
            knowledge_points=[points[c] for c in codes if c in points],
            source="演示题库（自编）",
            sharing="district" if i % 3 == 0 else "school",
        )
        item = item_create(actor=teacher, data=data, origin=ORIGIN, audit=False).item
        made += 1
        if i < 4:
            continue  # drafts the teacher is still working on
        item_submit(actor=teacher, item=item, origin=ORIGIN)
        if i == 4:
            continue  # waits for the principal
        if i == 5:
            item_review(
                actor=principal, item=item, approve=False, comment="选项 B 与 D 重复，请修改后再提交", origin=ORIGIN
            )
            continue
        item_review(actor=principal, item=item, approve=True, origin=ORIGIN)
    progress(f"演示题库：{made} 道初中数学题")
    return made
