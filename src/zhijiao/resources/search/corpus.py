# ruff: noqa: E501  (the textbook and query tables read best one chapter or group per line)
"""A realistic, seeded resource corpus for search evaluation and benchmarks.

Most resources are 初中数学 (人教版 chapter structure, shared here with 北师大版 and 华东师大版 as a
simplification), written the way teachers title them ("人教版八年级下册 17.1 勾股定理 教学设计",
"二次函数图像与性质 微课", "勾股定理 课件（第1课时）"); the rest are other subjects and stages, so
short queries meet realistic distractors (小学 圆的面积, 高中 圆的方程, 物理 …). Every generated
resource keeps its true metadata (:class:`GenResource`), from which the relevance judgements in
:mod:`.evaluate` are derived — never from the engine's output.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .backend import (
    SHARING_CITY,
    SHARING_DISTRICT,
    SHARING_PUBLIC,
    SHARING_SCHOOL,
    STATUS_PUBLISHED,
    SearchDoc,
)

# (grade, volume, chapter number, chapter name, [(section number, section name, [knowledge points])])
MATH_CHAPTERS: list[tuple[str, str, int, str, list[tuple[str, str, list[str]]]]] = [
    ("七年级", "上册", 1, "有理数", [("1.1", "正数和负数", ["正数和负数"]), ("1.2", "有理数", ["有理数", "数轴", "相反数", "绝对值"]),
        ("1.3", "有理数的加减法", ["有理数的加法", "有理数的减法"]), ("1.4", "有理数的乘除法", ["有理数的乘法", "有理数的除法"]),
        ("1.5", "有理数的乘方", ["乘方", "科学记数法", "近似数"])]),
    ("七年级", "上册", 2, "整式的加减", [("2.1", "整式", ["单项式", "多项式"]), ("2.2", "整式的加减", ["合并同类项", "去括号"])]),
    ("七年级", "上册", 3, "一元一次方程", [("3.1", "从算式到方程", ["一元一次方程", "等式的性质"]),
        ("3.3", "解一元一次方程", ["移项", "去分母"]), ("3.4", "实际问题与一元一次方程", ["一元一次方程的应用"])]),
    ("七年级", "上册", 4, "几何图形初步", [("4.2", "直线、射线、线段", ["直线", "射线", "线段"]), ("4.3", "角", ["角的度量", "余角和补角"])]),
    ("七年级", "下册", 5, "相交线与平行线", [("5.1", "相交线", ["对顶角", "垂线"]), ("5.2", "平行线及其判定", ["平行线的判定"]),
        ("5.3", "平行线的性质", ["平行线的性质"]), ("5.4", "平移", ["平移"])]),
    ("七年级", "下册", 6, "实数", [("6.1", "平方根", ["算术平方根", "平方根"]), ("6.2", "立方根", ["立方根"]), ("6.3", "实数", ["无理数", "实数"])]),
    ("七年级", "下册", 7, "平面直角坐标系", [("7.1", "平面直角坐标系", ["平面直角坐标系", "有序数对"])]),
    ("七年级", "下册", 8, "二元一次方程组", [("8.1", "二元一次方程组", ["二元一次方程组"]), ("8.2", "消元", ["代入消元法", "加减消元法"])]),
    ("七年级", "下册", 9, "不等式与不等式组", [("9.1", "不等式", ["不等式的性质"]), ("9.2", "一元一次不等式", ["一元一次不等式"]),
        ("9.3", "一元一次不等式组", ["一元一次不等式组"])]),
    ("七年级", "下册", 10, "数据的收集、整理与描述", [("10.1", "统计调查", ["全面调查", "抽样调查"]), ("10.2", "直方图", ["频数分布直方图"])]),
    ("八年级", "上册", 11, "三角形", [("11.2", "与三角形有关的角", ["三角形的内角和", "三角形的外角"]), ("11.3", "多边形及其内角和", ["多边形的内角和"])]),
    ("八年级", "上册", 12, "全等三角形", [("12.2", "三角形全等的判定", ["全等三角形的判定"]), ("12.3", "角的平分线的性质", ["角平分线的性质"])]),
    ("八年级", "上册", 13, "轴对称", [("13.1", "轴对称", ["轴对称", "线段的垂直平分线"]), ("13.3", "等腰三角形", ["等腰三角形", "等边三角形"]),
        ("13.4", "课题学习 最短路径问题", ["最短路径问题"])]),
    ("八年级", "上册", 14, "整式的乘法与因式分解", [("14.1", "整式的乘法", ["同底数幂的乘法", "幂的乘方"]),
        ("14.2", "乘法公式", ["平方差公式", "完全平方公式"]), ("14.3", "因式分解", ["因式分解", "提公因式法"])]),
    ("八年级", "上册", 15, "分式", [("15.1", "分式", ["分式的基本性质"]), ("15.3", "分式方程", ["分式方程"])]),
    ("八年级", "下册", 16, "二次根式", [("16.1", "二次根式", ["二次根式"]), ("16.3", "二次根式的加减", ["二次根式的加减"])]),
    ("八年级", "下册", 17, "勾股定理", [("17.1", "勾股定理", ["勾股定理"]), ("17.2", "勾股定理的逆定理", ["勾股定理的逆定理"])]),
    ("八年级", "下册", 18, "平行四边形", [("18.1", "平行四边形", ["平行四边形的性质", "平行四边形的判定"]),
        ("18.2", "特殊的平行四边形", ["矩形", "菱形", "正方形"])]),
    ("八年级", "下册", 19, "一次函数", [("19.1", "函数", ["函数的概念", "函数的图象"]), ("19.2", "一次函数", ["正比例函数", "一次函数"])]),
    ("八年级", "下册", 20, "数据的分析", [("20.1", "数据的集中趋势", ["平均数", "中位数和众数"]), ("20.2", "数据的波动程度", ["方差"])]),
    ("九年级", "上册", 21, "一元二次方程", [("21.1", "一元二次方程", ["一元二次方程"]),
        ("21.2", "解一元二次方程", ["配方法", "公式法", "根的判别式", "根与系数的关系"]),
        ("21.3", "实际问题与一元二次方程", ["一元二次方程的应用"])]),
    ("九年级", "上册", 22, "二次函数", [("22.1", "二次函数的图象和性质", ["二次函数", "二次函数的图象和性质"]),
        ("22.2", "二次函数与一元二次方程", ["二次函数与一元二次方程"]), ("22.3", "实际问题与二次函数", ["二次函数的应用"])]),
    ("九年级", "上册", 23, "旋转", [("23.1", "图形的旋转", ["旋转"]), ("23.2", "中心对称", ["中心对称"])]),
    ("九年级", "上册", 24, "圆", [("24.1", "圆的有关性质", ["垂径定理", "圆周角"]), ("24.2", "点和圆、直线和圆的位置关系", ["切线的判定", "切线长定理"]),
        ("24.4", "弧长和扇形面积", ["弧长", "扇形面积"])]),
    ("九年级", "上册", 25, "概率初步", [("25.1", "随机事件与概率", ["随机事件", "概率"]), ("25.2", "用列举法求概率", ["树状图"])]),
    ("九年级", "下册", 26, "反比例函数", [("26.1", "反比例函数", ["反比例函数", "反比例函数的图象和性质"])]),
    ("九年级", "下册", 27, "相似", [("27.2", "相似三角形", ["相似三角形的判定", "相似三角形的性质"])]),
    ("九年级", "下册", 28, "锐角三角函数", [("28.1", "锐角三角函数", ["正弦", "余弦", "正切"]), ("28.2", "解直角三角形", ["解直角三角形"])]),
    ("九年级", "下册", 29, "投影与视图", [("29.2", "三视图", ["三视图"])]),
]  # fmt: skip

ALIASES: dict[str, list[str]] = {
    "勾股定理": ["毕达哥拉斯定理", "商高定理"], "根与系数的关系": ["韦达定理"], "根的判别式": ["判别式"],
    "科学记数法": ["科学计数法"], "三视图": ["主视图", "左视图", "俯视图"], "代入消元法": ["代入法"],
    "加减消元法": ["加减法"], "平方差公式": ["平方差"], "完全平方公式": ["完全平方"], "二次函数的图象和性质": ["二次函数图像与性质"],
}  # fmt: skip

# Other subjects and stages: (stage, subject, grade, volume, topic) — distractors for short queries.
OTHER_TOPICS: list[tuple[str, str, str, str, str]] = [
    ("小学", "数学", "六年级", "上册", "圆的面积"), ("小学", "数学", "六年级", "上册", "圆的周长"),
    ("小学", "数学", "三年级", "上册", "分数的初步认识"), ("小学", "数学", "五年级", "上册", "简易方程"),
    ("小学", "数学", "四年级", "下册", "三角形"), ("小学", "语文", "三年级", "上册", "秋天的雨"),
    ("高中", "数学", "高一", "必修第一册", "函数的概念与性质"), ("高中", "数学", "高一", "必修第一册", "指数函数"),
    ("高中", "数学", "高二", "选择性必修第一册", "圆的方程"), ("高中", "数学", "高一", "必修第一册", "三角函数"),
    ("高中", "物理", "高一", "必修第一册", "匀变速直线运动"), ("初中", "物理", "八年级", "上册", "光的折射"),
    ("初中", "物理", "八年级", "下册", "浮力"), ("初中", "物理", "八年级", "上册", "声现象"),
    ("初中", "物理", "九年级", "全一册", "欧姆定律"), ("初中", "化学", "九年级", "上册", "质量守恒定律"),
    ("初中", "化学", "九年级", "下册", "溶液的浓度"), ("初中", "化学", "九年级", "上册", "化学方程式"),
    ("初中", "语文", "七年级", "上册", "春"), ("初中", "语文", "七年级", "上册", "济南的冬天"),
    ("初中", "语文", "八年级", "上册", "背影"), ("初中", "语文", "九年级", "上册", "岳阳楼记"),
    ("初中", "英语", "七年级", "上册", "Unit 1 My name's Gina"), ("初中", "英语", "八年级", "下册", "Unit 5 What were you doing"),
    ("初中", "生物", "七年级", "上册", "细胞的生活"), ("初中", "地理", "八年级", "上册", "中国的气候"),
    ("初中", "历史", "七年级", "上册", "秦统一中国"), ("初中", "道德与法治", "八年级", "上册", "遵守社会规则"),
]  # fmt: skip

TYPES = ["微课", "课件", "教案", "学案", "试题", "试卷", "案例", "文献资料", "视频", "图片", "动画"]
TYPE_WEIGHTS = [18, 22, 20, 8, 12, 6, 4, 2, 4, 2, 2]
EDITIONS = ["人教版", "北师大版", "华东师大版"]
EDITION_WEIGHTS = [70, 20, 10]
DISTRICTS = ["440303", "440304", "440305", "440306", "440307", "440308"]  # 深圳市 districts, city 440300
SCHOOLS_PER_DISTRICT = 8
ACTIVITIES = [
    "通过情境导入引出问题", "设计了小组合作探究活动", "配有分层练习与答案", "结合生活实例讲解",
    "梳理了易错点与典型例题", "包含课堂小结和课后作业", "采用几何画板动态演示", "突出数形结合思想",
    "适合新授课使用", "适合复习课使用", "附有板书设计", "含教学反思",
]  # fmt: skip
TYPE_NOUN = {"教案": "教学设计", "学案": "导学案", "试题": "练习题", "试卷": "单元测试卷"}


@dataclass(frozen=True, slots=True)
class KnowledgePoint:
    id: str
    name: str
    aliases: tuple[str, ...]
    grade: str
    volume: str
    chapter_no: int
    chapter: str
    section_no: str
    section: str

    @property
    def chapter_id(self) -> str:
        return f"rj-math-{self.chapter_no:02d}"


@dataclass(slots=True)
class GenResource:
    """A generated resource: the engine document plus the truth the judgements use."""

    doc: SearchDoc
    primary_kp: KnowledgePoint | None
    kps: list[KnowledgePoint] = field(default_factory=list)
    topic: str = ""  # for non-math resources: the lesson topic


def knowledge_points() -> list[KnowledgePoint]:
    out = []
    for grade, volume, chapter_no, chapter, sections in MATH_CHAPTERS:
        for section_no, section, names in sections:
            for i, name in enumerate(names, 1):
                out.append(
                    KnowledgePoint(
                        id=f"kp-math-{section_no.replace('.', '-')}-{i}",
                        name=name,
                        aliases=tuple(ALIASES.get(name, ())),
                        grade=grade,
                        volume=volume,
                        chapter_no=chapter_no,
                        chapter=chapter,
                        section_no=section_no,
                        section=section,
                    )
                )
    return out


def dictionary_terms() -> list[str]:
    """Knowledge-point names, aliases and chapter names: the words to load into the segmenter."""
    terms: list[str] = []
    for kp in knowledge_points():
        terms.extend([kp.name, *kp.aliases, kp.chapter, kp.section])
    return [t for t in dict.fromkeys(terms) if " " not in t and "、" not in t]


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _math_title(rng: random.Random, kp: KnowledgePoint, rtype: str, edition: str) -> str:
    noun = TYPE_NOUN.get(rtype, rtype)
    lesson = f"（第{rng.randint(1, 3)}课时）"
    shown = rng.choice([kp.name] * 4 + list(kp.aliases)) if kp.aliases else kp.name
    templates = [
        f"{edition}{kp.grade}{kp.volume} {kp.section_no} {kp.section} {noun}",
        f"{shown} {noun}",
        f"{shown} {noun}{lesson}",
        f"《{kp.section}》{noun}",
        f"{kp.section_no} {kp.section}——{shown} {noun}",
        f"{kp.grade}数学{kp.volume}《{kp.section}》{noun}",
        f"第{_chinese_number(kp.chapter_no)}章 {kp.chapter} {noun}",
        f"{shown}专题复习 {noun}",
    ]
    if rtype == "试卷":
        templates += [f"{kp.grade}数学{kp.volume}第{_chinese_number(kp.chapter_no)}章《{kp.chapter}》单元测试卷"] * 4
    return rng.choice(templates)


def generate(n: int, seed: int = 2026) -> Iterator[GenResource]:
    """``n`` resources, deterministic for a given seed (about 70% 初中数学)."""
    rng = random.Random(seed)  # noqa: S311 (a reproducible corpus, not secrets)
    kps = knowledge_points()
    by_chapter: dict[int, list[KnowledgePoint]] = {}
    for kp in kps:
        by_chapter.setdefault(kp.chapter_no, []).append(kp)
    start = datetime(2021, 1, 1, tzinfo=UTC)
    for i in range(n):
        rtype = rng.choices(TYPES, TYPE_WEIGHTS)[0]
        district = rng.choice(DISTRICTS)
        school = f"{district}{rng.randrange(SCHOOLS_PER_DISTRICT):04d}"
        common: dict[str, Any] = {
            "id": f"r{i:07d}",
            "type": rtype,
            "status": STATUS_PUBLISHED if rng.random() < 0.92 else rng.choice(["draft", "review", "returned"]),
            "sharing": rng.choices([SHARING_PUBLIC, SHARING_CITY, SHARING_DISTRICT, SHARING_SCHOOL], [45, 20, 20, 15])[
                0
            ],
            "owner_school_code": school,
            "owner_division_code": district,
            "rating": round(rng.uniform(1.0, 5.0), 1),
            "value_score": round(rng.uniform(0.0, 100.0), 1),
            "published_at": start + timedelta(minutes=rng.randrange(6 * 365 * 24 * 60)),
        }
        activity = "，".join(rng.sample(ACTIVITIES, 2))
        if rng.random() < 0.7:
            kp = rng.choice(kps)
            edition = rng.choices(EDITIONS, EDITION_WEIGHTS)[0]
            chapter_kps = by_chapter[kp.chapter_no]
            extra = [rng.choice(chapter_kps)] if rng.random() < 0.3 else []
            linked = list(dict.fromkeys([kp, *extra]))
            description = (
                f"本{TYPE_NOUN.get(rtype, rtype)}围绕“{kp.name}”展开，{activity}。"
                f"适用于{edition}{kp.grade}{kp.volume}第{_chinese_number(kp.chapter_no)}章《{kp.chapter}》{kp.section_no}节。"
            )
            keywords = list(dict.fromkeys([kp.name, kp.chapter, *rng.sample(kp.aliases, min(1, len(kp.aliases)))]))
            doc = SearchDoc(
                title=_math_title(rng, kp, rtype, edition),
                description=description,
                keywords=keywords,
                kp_ids=[k.id for k in linked],
                kp_names=[name for k in linked for name in (k.name, *k.aliases)],
                chapter_id=kp.chapter_id,
                chapter_names=[f"第{_chinese_number(kp.chapter_no)}章 {kp.chapter}", f"{kp.section_no} {kp.section}"],
                stage="初中",
                subject="数学",
                grade=kp.grade,
                edition=edition,
                volume=kp.volume,
                **common,
            )
            yield GenResource(doc=doc, primary_kp=kp, kps=linked)
        else:
            stage, subject, grade, volume, topic = rng.choice(OTHER_TOPICS)
            edition = "部编版" if subject in {"语文", "历史", "道德与法治"} else "人教版"
            noun = TYPE_NOUN.get(rtype, rtype)
            title = rng.choice([f"{topic} {noun}", f"《{topic}》{noun}", f"{grade}{subject}{volume}《{topic}》{noun}"])
            description = f"{grade}{subject}《{topic}》{noun}，{activity}。"
            doc = SearchDoc(
                title=title,
                description=description,
                keywords=[topic, subject],
                chapter_names=[topic],
                stage=stage,
                subject=subject,
                grade=grade,
                edition=edition,
                volume=volume,
                **common,
            )
            yield GenResource(doc=doc, primary_kp=None, topic=topic)
