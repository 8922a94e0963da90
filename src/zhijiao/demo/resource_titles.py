"""Titles, descriptions and keywords of the demo library, the way teachers really write them (issue 19).

Uploads on 学科网, 21世纪教育网 or a school drive are titled in many hands: a section number and 第N课时, the
edition and the grade spelt out or shortened to 八下, （共23张PPT）, 含答案, school-year papers, book-title marks
around a text, English unit titles as printed. Descriptions are short and uneven (often empty), keywords often
missing. Everything here is drawn from the builder's seeded ``random.Random``, so a seed gives the same library.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

CN_DIGITS = "零一二三四五六七八九"
GRADE_SHORT = {
    "一年级": "一", "二年级": "二", "三年级": "三", "四年级": "四", "五年级": "五", "六年级": "六",
    "七年级": "七", "八年级": "八", "九年级": "九", "初一": "七", "初二": "八", "初三": "九",
}  # fmt: skip
JUNIOR_OLD = {"七": "初一", "八": "初二", "九": "初三"}
SCIENCE = {"物理", "化学", "生物", "科学"}
EXERCISES = {"数学", "物理", "化学"}  # subjects whose slides and videos work through 例题


@dataclass(frozen=True)
class Lesson:
    """What a resource is about, as the uploader knows it."""

    stage: str  # 学段 code: 2 小学, 3 初中, 4 高中
    subject: str  # 数学, 语文 …
    grade: str  # 八年级, 高一, 三年级 or ""
    volume: str  # 上册, 下册, 必修第一册, 全一册 or ""
    topic: str  # 勾股定理, 背影, Unit 1 My name's Gina
    edition: str = ""  # 人教版, 部编版 …
    section: str = ""  # 17.1
    chapter: str = ""  # 17
    chapter_name: str = ""  # 勾股定理


def cn_number(n: int) -> str:
    """17 -> 十七, 21 -> 二十一 (chapter numbers the way papers print them)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return f"{head}十{CN_DIGITS[ones] if ones else ''}"


def _short_volume(volume: str) -> str:
    """上册 -> 上; 必修第一册 -> 必修一; 选择性必修第二册 -> 选必二."""
    if volume in ("上册", "下册"):
        return volume[0]
    if volume.startswith("选择性必修第"):
        return "选必" + volume[6:7]
    if volume.startswith("必修第"):
        return "必修" + volume[3:4]
    return volume


def _english(topic: str) -> bool:
    return topic[:1].isascii() and topic[:1].isalpha()


class TitleWriter:
    """One per library build; draws from the builder's random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    # ------------------------------------------------------------------ pieces
    def _year(self) -> int:
        return self.rng.randint(2019, 2025)

    def _grade_forms(self, lesson: Lesson) -> list[str]:
        """八年级下册 / 八下 / 初二下 / 八年级 …: how a grade and volume may be written in a title."""
        g, v = lesson.grade, lesson.volume
        short = GRADE_SHORT.get(g, "")
        forms = [f"{g}{v}", f"{g}{lesson.subject}{v}"] if g else [lesson.subject]
        if short and v in ("上册", "下册"):
            forms.append(f"{short}{v[0]}")
            if short in JUNIOR_OLD:
                forms.append(f"{JUNIOR_OLD[short]}{v[0]}")
        if lesson.stage == "4" and v:
            forms.append(f"高中{lesson.subject}{_short_volume(v)}")
        return forms

    def _topic(self, lesson: Lesson) -> str:
        t = lesson.topic
        if _english(t):
            return t
        if lesson.subject in ("语文",) or self.rng.random() < 0.25:
            return f"《{t}》"
        return t

    def _numbered(self, lesson: Lesson) -> str:
        """ "17.1 勾股定理, 17.1勾股定理 or the bare topic."""
        t, sec = lesson.topic, lesson.section
        if not sec:
            return self._topic(lesson)
        return self.rng.choice([f"{sec} {t}", f"{sec}{t}", t])

    def _hour(self) -> str:
        return self.rng.choice(["（第1课时）", "（第2课时）", "第1课时", "（第一课时）", "（第二课时）", ""])

    def _english_part(self, lesson: Lesson) -> str:
        if lesson.stage == "2":
            return self.rng.choice(["Part A Let's talk", "Part A Let's learn", "Part B Read and write", "Part C Story"])
        if lesson.stage == "3":
            return self.rng.choice(["Section A 1a-2d", "Section A Grammar Focus", "Section B 1a-1e", "Section B 2a-2e"])
        return self.rng.choice(["Reading and Thinking", "Listening and Speaking", "Discovering Useful Structures"])

    # ------------------------------------------------------------------ titles
    def title(self, lesson: Lesson, label: str) -> str:
        rng = self.rng
        t, ed = lesson.topic, lesson.edition
        grade_form = rng.choice(self._grade_forms(lesson))
        numbered = self._numbered(lesson)
        if _english(t):
            part = self._english_part(lesson)
            by_label = {
                "课件": [
                    f"{t} {part} 课件",
                    f"{ed}{grade_form} {t} {part} 课件",
                    f"{t} 课件（共{rng.randint(18, 40)}张PPT）",
                ],
                "教案": [f"{t} {part} 教学设计", f"{t} 单元整体教学设计", f"{grade_form} {t} 教案"],
                "学案": [f"{t} {part} 导学案", f"{t} 学案（无答案）"],
                "微课": [f"{t} 重点句型 微课", f"{t} 语法微课", f"{t} 单词讲解 微课"],
                "试题": [f"{t} 单元同步练习（含答案）", f"{t} {part} 课时练", f"{t} 单词短语 默写"],
                "音频": [f"{t} {part} 听力音频", f"{t} 课文朗读", f"{t} 单词领读 MP3"],
            }
            if label in by_label:
                return rng.choice(by_label[label])
        hour = self._hour()
        top = self._topic(lesson)
        year = self._year()
        if label == "课件":
            return rng.choice(
                [
                    f"{ed}{grade_form}{numbered}{hour}课件（共{rng.randint(12, 45)}张PPT）",
                    f"{numbered}{hour} 课件",
                    f"{top}PPT课件",
                    f"{grade_form} {numbered} 公开课课件",
                    f"{top} 优质课件",
                    f"{year}新{ed}{grade_form} {numbered} 教学课件",
                    f"{numbered}课件 {rng.choice(['', '（含视频）', '（含练习）', '（精品）'])}".strip(),
                ]
            )
        if label == "教案":
            return rng.choice(
                [
                    f"{top}教学设计",
                    f"{numbered} 教案",
                    f"{ed}{grade_form}{top}{hour}教学设计",
                    f"{top} 优质课教案（{rng.choice(['市级', '区级', '校级'])}公开课）",
                    f"{top}教学设计与反思",
                    f"{grade_form}{top}教案",
                ]
            )
        if label == "学案":
            return rng.choice(
                [
                    f"{numbered} 导学案（无答案）",
                    f"{top}学案（含答案）",
                    f"{top} 预习学案",
                    f"{grade_form} {numbered} 导学案",
                    f"{top}{hour}学案",
                ]
            )
        if label == "微课":
            focus = ["易错点", "方法归纳", "知识梳理", *(["例题讲解"] if lesson.subject in EXERCISES else [])]
            return rng.choice(
                [
                    f"{t} 微课",
                    f"微课：{t}（{rng.randint(4, 12)}分钟）",
                    f"{t}——{rng.choice(focus)} 微课",
                    f"{numbered} 微课视频",
                    f"{grade_form}{t}微课",
                ]
            )
        if label == "试题":
            choices = [
                f"{numbered} 同步练习（含答案）",
                f"{t} 课时练",
                f"{t}专项练习{rng.choice([10, 15, 20, 30])}题（含解析）",
                f"{top}分层作业",
                f"{t} 易错题精选",
                f"{grade_form} {t} 课后作业",
            ]
            if lesson.stage == "3" and lesson.grade in ("九年级", "初三"):
                choices.append(f"{year}年中考{lesson.subject}真题分类汇编：{t}")
            return rng.choice(choices)
        if label == "试卷":
            term = {"上册": "上学期", "下册": "下学期"}.get(lesson.volume, "")
            exam = rng.choice(["期末", "期中"])
            choices = [
                f"{year - 1}-{year}学年{lesson.grade}{term}{exam}{lesson.subject}试卷（含答案）",
                f"{grade_form}{rng.choice(['期末测试卷', '期中考试卷', '期末考试试卷', '第一次月考试卷'])}",
                f"{t} 单元检测卷（{rng.choice('AB')}卷）",
                f"{t} 测试题",
            ]
            if lesson.chapter.isdigit():
                choices.append(f"第{cn_number(int(lesson.chapter))}章 {lesson.chapter_name} 单元测试卷（含答案）")
            return rng.choice(choices)
        if label == "案例":
            return rng.choice([f"{top}课堂实录与点评", f"{top}说课稿", f"{top} 教学案例", f"{t} 同课异构 案例分析"])
        if label == "图片":
            return rng.choice([f"{t} 板书设计", f"{t} 知识结构图", f"{t} 示意图", f"{t} 思维导图"])
        if label == "音频":
            if lesson.subject == "语文":
                return rng.choice([f"{top}朗读音频", f"{top} 配乐朗诵", f"{top}课文朗读"])
            return rng.choice([f"{t} 音频", f"{t} 听力材料"])
        if label == "视频":
            if lesson.subject in SCIENCE:
                return rng.choice([f"{t} 实验视频", f"{t} 演示实验", f"探究{t} 实验操作视频"])
            return rng.choice([f"{t} 讲解视频", f"{top}课堂实录", f"{t} 教学视频"])
        if label == "动画":
            extra = ["几何画板动画"] if lesson.subject == "数学" else ["Flash动画"]
            return rng.choice([f"{t} 动画演示", f"{t} {rng.choice(extra)}", f"{t} 动态演示"])
        if label == "文献资料":
            return rng.choice([f"关于{top}教学的几点思考", f"{t} 教学研究综述", f"{t} 拓展阅读材料"])
        return f"{t} {label}"

    # ------------------------------------------------------------------ descriptions and keywords
    DESCRIPTIONS: dict[str, list[str]] = {
        "课件": [
            "含导入、新知讲解、例题和课堂练习，动画可直接播放。",
            "自己上公开课用过的课件，学生反映不错。",
            "共{n}张，例题都有详细步骤。",
            "课件中的视频需要联网播放。",
            "最后几页是分层作业。",
            "按新教材调整过，可以直接用。",
            "适合新授课第一课时。",
            "复习课用，知识梳理加典型例题。",
            "配套教案和学案另行上传。",
        ],
        "教案": [
            "包括教学目标、重难点、教学过程和板书设计。",
            "区级优质课获奖教案。",
            "侧重练习与应用。",
            "附教学反思。",
            "以核心素养为导向，设计了三个探究活动。",
            "小组合作学习的一次尝试，过程写得比较细。",
        ],
        "学案": [
            "课前预习、课堂探究、当堂检测三部分。",
            "学生版，无答案。",
            "含答案，可直接打印。",
            "适合基础薄弱的班级。",
        ],
        "微课": [
            "{m}分钟，讲一道典型例题。",
            "录屏微课，配字幕。",
            "用于课前预习或课后复习。",
            "重点讲易错点。",
        ],
        "试题": [
            "基础题加提升题，含答案解析。",
            "题目选自近三年各地期末考试。",
            "共{n}题，答案在最后。",
            "分A、B两层，学生可以自选。",
        ],
        "试卷": [
            "满分{full}分，考试时间{minutes}分钟，含答案和评分标准。",
            "Word版，可编辑。",
            "难度适中，适合复习检测。",
            "含答题卡。",
            "本校教研组命题，附双向细目表。",
        ],
        "案例": ["课堂实录整理，附教研组评课意见。", "含教材分析、学情分析、教法学法。"],
        "图片": ["高清，可直接插入课件。", "板书照片。"],
        "音频": ["录音清晰，可用于课前播放。", "MP3格式。"],
        "视频": ["全过程约{m}分钟。", "课堂实录片段。"],
        "动画": ["可交互演示，适合课堂讲解。"],
        "文献资料": ["教研组学习材料。"],
    }

    def description(self, lesson: Lesson, label: str) -> str:
        rng = self.rng
        if rng.random() < 0.3:
            return ""
        pool = list(self.DESCRIPTIONS.get(label, []))
        if lesson.subject not in EXERCISES:  # no 例题 in 语文, 英语, 道德与法治 …
            pool = [d for d in pool if "例题" not in d]
        if label == "音频":
            pool.append({"语文": "标准普通话朗读，配乐。", "英语": "附听力原文。"}.get(lesson.subject, "课堂用。"))
        if not pool:
            return ""
        picked = rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 2])))
        full, minutes = (100, 60) if lesson.stage == "2" else rng.choice([(100, 90), (120, 120), (150, 120)])
        text = "".join(picked).format(n=rng.randint(10, 40), m=rng.randint(4, 15), full=full, minutes=minutes)
        return text

    def keywords(self, lesson: Lesson, label: str) -> str:
        rng = self.rng
        if rng.random() < 0.45:
            return ""
        words = [lesson.topic]
        if lesson.chapter_name and lesson.chapter_name != lesson.topic:
            words.append(lesson.chapter_name)
        words += rng.sample([label, lesson.subject, "公开课", "复习", "新授课", lesson.grade or lesson.subject], k=2)
        return rng.choice(["，", "、", " ", ","]).join(dict.fromkeys(w for w in words if w))

    def write(self, lesson: Lesson, label: str) -> tuple[str, str, str]:
        """(title, description, keywords) for one upload."""
        title = " ".join(self.title(lesson, label).split())
        return title, self.description(lesson, label), self.keywords(lesson, label)
