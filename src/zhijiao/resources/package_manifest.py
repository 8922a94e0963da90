# ruff: noqa: E501  (the template rows read best one per line)
"""Reading a package's ``manifest.csv``: columns as a teacher types them, values checked and resolved.

The file may be UTF-8 (with or without BOM) or GB18030 (what Excel on Chinese Windows saves). Headers are
matched loosely — spaces, a trailing ``*``, ``（必填）`` / ``（选填）`` are ignored and common synonyms accepted
(``资源名称`` for 标题, ``教材版本`` for 版本 …). Each value is resolved to what :class:`ResourceData` needs: codes
from the code tables (by code or Chinese name), the textbook volume, chapter and knowledge points from the
taxonomy, the author account. Problems are :class:`RowError` values naming the row and the field.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from zhijiao.access.scope import scope_for
from zhijiao.core.codes import code_lookup, code_name
from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum.models import Chapter, KnowledgePoint, TextbookEdition, TextbookVolume
from zhijiao.identity.models import Account
from zhijiao.resources.errors import ResourceError
from zhijiao.resources.models import Licence, ResourceType, SharingScope
from zhijiao.resources.services import ResourceData, _owner

MAX_MANIFEST_BYTES = 5 * 1024 * 1024

# canonical column -> accepted headers (normalised: no spaces, lower case)
COLUMNS: dict[str, tuple[str, ...]] = {
    "编号": ("编号", "资源编号", "外部编号", "序号编号", "id", "编码"),
    "标题": ("标题", "资源标题", "名称", "资源名称", "题名", "title"),
    "简介": ("简介", "资源简介", "描述", "内容简介", "说明", "摘要"),
    "关键词": ("关键词", "关键字", "标签"),
    "类型": ("类型", "资源类型"),
    "学段": ("学段",),
    "学科": ("学科", "科目", "课程"),
    "年级": ("年级",),
    "版本": ("版本", "教材版本", "教材"),
    "册": ("册", "册次", "分册", "教材册次"),
    "章节": ("章节", "章", "节", "章/节", "课"),
    "知识点": ("知识点",),
    "共享范围": ("共享范围", "共享", "共享方式", "可见范围"),
    "授权方式": ("授权方式", "授权", "许可", "许可协议", "版权"),
    "文件": ("文件", "文件名", "文件路径", "附件", "文件位置"),
    "作者账号": ("作者账号", "作者", "上传者账号", "账号", "用户名"),
}
REQUIRED = ("编号", "标题", "类型", "学段", "学科", "文件")
HEADER_NOISE = re.compile(r"[\s*＊]|[（(](必填|选填|可选|可不填)[)）]")

TYPE_SYNONYMS = {
    "教学设计": "lesson_plan", "导学案": "learning_plan", "练习": "item", "练习题": "item", "习题": "item",
    "测试卷": "paper", "单元测试卷": "paper", "ppt": "courseware", "视频": "video", "图片": "image",
    "音频": "audio", "动画": "animation", "文本": "text", "文献": "literature", "教学案例": "case",
}  # fmt: skip
SHARING_SYNONYMS = {"校内": "school", "区内": "district", "市内": "city", "全部公开": "public", "公开共享": "public"}
SUBJECT_SYNONYMS = {"道德与法治": "12", "思想政治": "12", "政治": "12", "品德": "11", "外语": "40"}
GRADE_SYNONYMS = {"七年级": "21", "八年级": "22", "九年级": "23", "高一年级": "31", "高二年级": "32", "高三年级": "33"}
STAGE_OF_GRADE = {"1": "2", "2": "3", "3": "4", "6": "6"}  # first digit of a grade code -> its 学段
LIST_SPLIT = re.compile(r"[、,，;；/]+")


class ManifestError(Exception):
    def __init__(self, message: str, field: str = "manifest.csv") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": f"第 {self.row} 行 {self.field}：{self.message}"}


@dataclass
class ManifestRow:
    number: int
    external_id: str
    data: ResourceData
    author: Account
    file_path: str
    zip_info: zipfile.ZipInfo | None = None


def norm_path(path: str) -> str:
    path = path.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


def _norm_header(text: str) -> str:
    return HEADER_NOISE.sub("", text.replace("\ufeff", "")).lower()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ManifestError(ResourceError.RESOURCE_PACKAGE_ENCODING.message)


def manifest_read(data: bytes) -> list[dict[str, str]]:
    """The manifest's rows keyed by canonical column; raises :class:`ManifestError` on unusable headers."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise ManifestError(ResourceError.RESOURCE_PACKAGE_EMPTY.message)
    lookup = {syn: canon for canon, syns in COLUMNS.items() for syn in syns}
    positions: dict[str, int] = {}
    for i, h in enumerate(header):
        canon = lookup.get(_norm_header(h))
        if canon is not None and canon not in positions:
            positions[canon] = i
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        raise ManifestError(
            f"{ResourceError.RESOURCE_PACKAGE_COLUMNS.message}：{'、'.join(missing)}（第 1 行表头）", "表头"
        )
    rows: list[dict[str, str]] = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue  # blank lines Excel leaves at the end are not rows
        rows.append({c: (values[i].strip() if i < len(values) else "") for c, i in positions.items()})
    return rows


class RowResolver:
    """Turns a manifest row into a :class:`ManifestRow`, collecting every problem of the row (not only the first)."""

    def __init__(self, *, actor: Account | None) -> None:
        self.actor = actor
        self.accounts: dict[str, Account | None] = {}
        self.allowed: dict[int, str] = {}  # author id -> "" (allowed) or the reason not
        self.warnings: list[RowError] = []

    def take_warnings(self) -> list[RowError]:
        out, self.warnings = self.warnings, []
        return out

    def resolve(self, number: int, raw: dict[str, str]) -> tuple[ManifestRow | None, list[RowError]]:
        errors: list[RowError] = []

        def bad(field: str, message: str) -> None:
            errors.append(RowError(number, field, message))

        for name in REQUIRED:
            if not raw.get(name):
                bad(name, "必填")
        external_id, title = raw.get("编号", ""), raw.get("标题", "")
        if len(external_id) > 64:
            bad("编号", "不超过 64 个字符")
        if len(title) > 200:
            bad("标题", "不超过 200 个字")
        if len(raw.get("关键词", "")) > 200:
            bad("关键词", "不超过 200 个字")
        rtype = self._type(raw.get("类型", ""), bad)
        stage = self._code("stage", "学段", raw.get("学段", ""), bad)
        subject = self._code("subject", "学科", raw.get("学科", ""), bad, SUBJECT_SYNONYMS)
        grade = self._code("grade", "年级", raw.get("年级", ""), bad, GRADE_SYNONYMS) if raw.get("年级") else ""
        if grade and stage and STAGE_OF_GRADE.get(grade[0]) != stage:
            bad("年级", f"“{raw['年级']}”不属于学段“{code_name('stage', stage)}”")
        sharing = self._choice(raw.get("共享范围", ""), "共享范围", SharingScope, SHARING_SYNONYMS, bad)
        licence = self._licence(raw.get("授权方式", ""), bad)
        chapter, points = None, []
        if stage and subject:
            chapter = self._chapter(number, raw, stage, subject, grade, bad)
            points = self._points(raw.get("知识点", ""), stage, subject, bad)
        author = self._author(raw.get("作者账号", ""), bad)
        if errors or author is None:
            return None, errors
        data = ResourceData(
            title=title,
            type=rtype,
            stage=stage,
            subject=subject,
            grade=grade,
            description=raw.get("简介", ""),
            keywords=raw.get("关键词", ""),
            licence=licence,
            sharing=sharing,
            chapter=chapter,
            knowledge_points=points,
        )
        return ManifestRow(number, external_id, data, author, norm_path(raw["文件"])), []

    # ------------------------------------------------------------------ fields
    @staticmethod
    def _code(table: str, label: str, value: str, bad, synonyms: dict[str, str] | None = None) -> str:
        if not value:
            return ""
        key = value.replace(" ", "")
        if synonyms and key in synonyms:
            return synonyms[key]
        entry = code_lookup(table, value)
        if entry is None:
            bad(label, f"“{value}”不在代码表中")
            return ""
        return entry.code

    @staticmethod
    def _type(value: str, bad) -> str:
        if not value:
            return ""
        key = value.replace(" ", "").lower()
        for code, name in ResourceType.choices:
            if key in (code, name):
                return code
        if key in TYPE_SYNONYMS:
            return TYPE_SYNONYMS[key]
        for code, name in ResourceType.choices:
            if name.removesuffix("素材") == key:
                return code
        bad("类型", f"“{value}”不是已知的资源类型（如 教案、课件、微课、试卷、视频素材）")
        return ""

    @staticmethod
    def _choice(value: str, label: str, choices, synonyms: dict[str, str], bad) -> str:
        if not value:
            return SharingScope.SCHOOL
        key = value.replace(" ", "").lower()
        for code, name in choices.choices:
            if key in (code, name):
                return code
        if key in synonyms:
            return synonyms[key]
        bad(label, f"“{value}”无效，可填 {'、'.join(str(n) for _, n in choices.choices)}")
        return ""

    @staticmethod
    def _licence(value: str, bad) -> str:
        if not value:
            return Licence.REGION
        key = re.sub(r"[\s\-_]|4\.0", "", value).upper()
        for code, name in Licence.choices:
            if value == name or key == code.replace("-", "").upper():
                return code
            short = str(name).split("（")[0]
            if key == re.sub(r"[\s\-_]|4\.0", "", short).upper():
                return code
        if key in ("区域内共享", "区域共享"):
            return Licence.REGION
        if key in ("版权所有", "保留权利"):
            return Licence.ALL_RIGHTS
        bad("授权方式", f"“{value}”无效，可填 区域内共享使用、CC BY、CC BY-NC、CC BY-NC-SA、保留所有权利")
        return ""

    def _chapter(self, number: int, raw: dict[str, str], stage: str, subject: str, grade: str, bad):
        edition_text, volume_text, chapter_text = raw.get("版本", ""), raw.get("册", ""), raw.get("章节", "")
        if not (edition_text or volume_text or chapter_text):
            return None
        editions = list(TextbookEdition.objects.filter(stage=stage, subject=subject))
        if not editions:
            self.warnings.append(
                RowError(number, "版本", "该学段学科暂无教材目录，版本、册、章节未关联（资源照常导入）")
            )
            return None
        if edition_text:
            editions = [e for e in editions if edition_text in (e.name, e.code) or e.name in edition_text]
            if not editions:
                bad("版本", f"“{edition_text}”不在教材目录中")
                return None
        volumes = TextbookVolume.objects.filter(edition__in=editions)
        if volume_text:
            label = f"{code_name('grade', grade)}{volume_text}" if grade else volume_text
            wanted = {volume_text, label, volume_text.replace("七年级", "").replace("八年级", "").replace("九年级", "")}
            volumes = volumes.filter(Q(name__in=wanted) | Q(code=volume_text))
            if grade and not volume_text.startswith(("七", "八", "九")):
                volumes = volumes.filter(grade=grade)
            if not volumes.exists():
                bad("册", f"“{volume_text}”不在所选版本的册次中（如 七年级上册）")
                return None
        if not chapter_text:
            return None
        found = self._find_chapter(chapter_text, volumes)
        if len(found) != 1:
            bad(
                "章节",
                f"“{chapter_text}”在教材目录中没有找到" if not found else f"“{chapter_text}”对应多个章节，请同时填写册",
            )
            return None
        chapter = found[0]
        if grade and chapter.volume.grade != grade:
            bad("章节", f"“{chapter_text}”属于{chapter.volume.name}，与年级不一致")
            return None
        return chapter

    @staticmethod
    def _find_chapter(text: str, volumes) -> list[Chapter]:
        qs = Chapter.objects.filter(volume__in=volumes).select_related("volume__edition", "parent")
        m = re.match(r"^第?\s*(\d+(?:\.\d+)*)\s*[章节]?\s*(.*)$", text)
        if m:
            by_number = list(qs.filter(number=m.group(1)))
            if by_number:
                return by_number
            text = m.group(2) or text
        return list(qs.filter(name=text.strip()))

    @staticmethod
    def _points(value: str, stage: str, subject: str, bad) -> list[KnowledgePoint]:
        names = [n.strip() for n in LIST_SPLIT.split(value) if n.strip()]
        if not names:
            return []
        pool = list(KnowledgePoint.objects.filter(stage=stage, subject=subject))
        index: dict[str, KnowledgePoint] = {}
        for p in pool:
            for key in (*p.aliases, p.name, p.code):  # a name beats another point's alias
                index[str(key)] = p
        out: list[KnowledgePoint] = []
        for name in names:
            point = index.get(name)
            if point is None:
                bad("知识点", f"“{name}”不在{code_name('stage', stage)}{code_name('subject', subject)}的知识点目录中")
            elif point not in out:
                out.append(point)
        return out

    def _author(self, username: str, bad) -> Account | None:
        if not username:
            if self.actor is None:
                bad("作者账号", "命令行导入未指定导入账号（--account）时必填")
            return self.actor
        if username not in self.accounts:
            self.accounts[username] = Account.objects.filter(username=username).first()
        author = self.accounts[username]
        if author is None or not author.is_active:
            bad("作者账号", f"账号“{username}”不存在或已停用")
            return None
        if author.pk not in self.allowed:
            self.allowed[author.pk] = self._may_import_for(author)
        if self.allowed[author.pk]:
            bad("作者账号", self.allowed[author.pk])
            return None
        return author

    def _may_import_for(self, author: Account) -> str:
        """ "" if the importing account may import in ``author``'s name, else why not."""
        try:
            school, division = _owner(author)
        except ZhijiaoError as exc:
            return f"账号“{author.username}”{exc.message}"
        if self.actor is None or self.actor.pk == author.pk:
            return ""
        if scope_for(self.actor).manages_school(
            school_id=school.pk if school is not None else None, division_code=division.code
        ):
            return ""
        return f"{ResourceError.RESOURCE_PACKAGE_ON_BEHALF.message}（{author.username}）"


def manifest_template() -> bytes:
    """A manifest to fill in: the header and two example rows, UTF-8 with BOM so Excel opens it right."""
    rows = [
        list(COLUMNS),
        [
            "PEP-8B-17-01", "勾股定理 教学设计（第1课时）", "通过赵爽弦图引入，小组合作探究勾股定理的证明。", "勾股定理、直角三角形",
            "教案", "初中", "数学", "八年级", "人教版", "八年级下册", "17.1", "勾股定理", "本区", "CC BY", "教案/勾股定理.docx", "",
        ],
        [
            "PEP-9A-24-02", "垂径定理 课件", "", "垂径定理", "课件", "初中", "数学", "九年级", "人教版", "九年级上册",
            "24.1", "垂径定理", "本校", "区域内共享使用", "课件/垂径定理.pptx", "",
        ],
    ]  # fmt: skip
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
