"""The demo resource library: thousands of published resources so search, facets and dashboards show true data.

Written by the demo region's own teachers (their staff accounts), by their 学段 and 学科: 初中数学 on the 人教版
7–9 taxonomy with chapters and knowledge points (lessons and types drawn by ``resources.search.corpus``), the other
subjects from :mod:`.resource_topics`; titles, descriptions and keywords written by :mod:`.resource_titles` the way
teachers title real uploads (issue 19). Sharing is mixed (本校 ~40%, 本区 ~30%, 本市 ~10%, 公开 ~20%), publication
dates spread over two years, each with its review trail. A few resources wait for 一审 at the demo principal's
school and for 二审 at the bureau; the demo teacher has drafts, returned work and real previewable media.
Ratings, comments, favourites and usage follow a skewed (Pareto) popularity, so value scores differ; then the value
job and the search index run.

Bulk writes throughout (``bulk_create``, the knowledge-point through table included); deterministic for a seed.
The ``DEMO-`` 编号 (``external_id``) marks the library: a second run finds it and changes nothing.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from zhijiao.access.scope import scope_for
from zhijiao.core.codes import code_name
from zhijiao.curriculum.models import Chapter, KnowledgePoint
from zhijiao.demo import resource_files as files
from zhijiao.demo.resource_titles import Lesson, TitleWriter
from zhijiao.demo.resource_topics import COMMENTS, TOPICS
from zhijiao.identity.models import Account
from zhijiao.org.models import School
from zhijiao.people.models import Staff
from zhijiao.resources.indexing import reindex_all
from zhijiao.resources.models import (
    Comment,
    Favourite,
    PreviewState,
    Rating,
    Resource,
    ResourceFile,
    ResourceStatus,
    ResourceVersion,
    ReviewDecision,
    ReviewStage,
    ReviewStep,
    UsageEvent,
)
from zhijiao.resources.previews import EXCERPT, preview_build, preview_from_picture
from zhijiao.resources.search.corpus import TYPE_NOUN, generate
from zhijiao.resources.storage import blob_store, guess_mime, preview_put
from zhijiao.resources.value import value_recompute

MARK = "DEMO-"
BATCH = 2000
MATH = ("3", "14")
# (stage, subject) weights; 初中数学 is the taxonomy-backed showcase
AREA_WEIGHTS = {MATH: 30, ("2", "14"): 8, ("2", "13"): 8, ("3", "13"): 7, ("4", "14"): 6, ("3", "41"): 5}
DEFAULT_AREA_WEIGHT = 3
SHARING = (["school", "district", "city", "public"], [40, 30, 10, 20])
LICENCES = (["region", "cc-by", "cc-by-nc", "cc-by-nc-sa", "all-rights"], [50, 15, 15, 10, 10])
LEVELS = (["", "pass", "good", "excellent"], [40, 35, 18, 7])
LEVEL_QUALITY = {"": 3.4, "pass": 3.6, "good": 4.1, "excellent": 4.5}
# corpus type labels -> ResourceType codes
TYPE_CODES = {
    "微课": "micro_lesson", "课件": "courseware", "教案": "lesson_plan", "学案": "learning_plan", "试题": "item",
    "试卷": "paper", "案例": "case", "文献资料": "literature", "视频": "video", "图片": "image", "动画": "animation",
    "音频": "audio",
}  # fmt: skip
OTHER_TYPES = (
    ["教案", "课件", "微课", "试题", "试卷", "学案", "图片", "音频", "视频", "案例"],
    [22, 22, 14, 12, 7, 8, 4, 4, 4, 3],
)
PLAYABLE = {"micro_lesson", "video", "audio", "animation", "online_course"}
TEXT_TYPES = {"lesson_plan", "learning_plan", "text", "case", "literature", "item"}
VOLUME_CODES = {
    "七年级上册": "7a",
    "七年级下册": "7b",
    "八年级上册": "8a",
    "八年级下册": "8b",
    "九年级上册": "9a",
    "九年级下册": "9b",
}
JUNIOR_GRADES = {"21": "七年级", "22": "八年级", "23": "九年级"}
GRADE_BY_NAME = {"七年级": "21", "八年级": "22", "九年级": "23"}
HOUR = timedelta(hours=1)
STATUS_STATS: dict[str, str] = {
    ResourceStatus.PUBLISHED: "published",
    ResourceStatus.SUBMITTED: "first_queue",
    ResourceStatus.FIRST_APPROVED: "second_queue",
    ResourceStatus.DRAFT: "drafts",
    ResourceStatus.RETURNED: "returned",
}
RETURN_NOTE = "教学目标表述不够具体，请补充分层练习的参考答案后再提交。"
FIRST_QUEUE, SECOND_QUEUE, DRAFTS, RETURNED, TEACHER_PUBLISHED = 12, 12, 3, 2, 24


@dataclass
class LibraryStats:
    published: int = 0
    first_queue: int = 0
    second_queue: int = 0
    drafts: int = 0
    returned: int = 0
    files: int = 0
    ratings: int = 0
    comments: int = 0
    favourites: int = 0
    usage: int = 0
    indexed: int = 0
    skipped: bool = False
    by_stage: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if self.skipped:
            return "演示资源库已存在，未重复生成"
        return (
            f"已发布 {self.published} 条（待一审 {self.first_queue}，待二审 {self.second_queue}，"
            f"草稿 {self.drafts}，已退回 {self.returned}），文件 {self.files} 个，评分 {self.ratings}，"
            f"评论 {self.comments}，收藏 {self.favourites}，使用记录 {self.usage}，索引 {self.indexed} 条"
        )


@dataclass
class Author:
    account_id: int
    school: School
    stage: str
    subject: str


@dataclass
class Spec:
    """One resource to write, before it has an id."""

    title: str
    description: str
    keywords: str
    type: str
    stage: str
    subject: str
    grade: str
    author: Author
    status: str
    chapter: Chapter | None = None
    points: list[KnowledgePoint] = field(default_factory=list)
    published_at: datetime | None = None
    created_at: datetime = field(default_factory=timezone.now)
    sharing: str = "school"
    licence: str = "region"
    level: str = ""
    topic: str = ""
    noun: str = ""  # what the title calls it (教学设计, 课件 …)
    media: tuple[str, bytes] | None = None  # (file name, bytes) for the handful of real media


@contextmanager
def _own_times(*models: Any) -> Iterator[None]:
    """Let bulk_create keep the times we set (a library two years old), not "now" from auto_now(_add)."""
    saved = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add


def _insert(model: Any, fields: list[str], rows: list[tuple]) -> None:
    """Plain multi-row INSERTs for rows whose ids we never need (events, ratings, steps): an order of magnitude
    quicker than bulk_create's per-object expressions at this volume. Values go through each field's own
    ``get_db_prep_save``, so times and foreign keys are stored exactly as the ORM stores them."""
    cols = [model._meta.get_field(name) for name in fields]
    qn = connection.ops.quote_name
    table, columns = qn(model._meta.db_table), ", ".join(qn(c.column) for c in cols)
    marks = ", ".join(["%s"] * len(cols))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608  (names from the model, values bound)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            cursor.executemany(
                sql, [tuple(c.get_db_prep_save(v, connection) for c, v in zip(cols, row, strict=True)) for row in chunk]
            )


def _edition(rng: random.Random, stage: str, subject: str) -> str:
    """The edition as an uploader writes it, or nothing (many do not say)."""
    if rng.random() < 0.4:
        return ""
    if subject in ("11", "12", "13", "21"):
        return rng.choice(["部编版", "统编版"] if stage != "2" else ["部编版"])
    if subject == "41" and stage == "2":
        return rng.choice(["人教PEP", "PEP"])
    return "人教版"


def _accounts() -> dict[str, Account]:
    return {a.username: a for a in Account.objects.filter(username__in=["teacher", "principal", "bureau", "admin"])}


def _authors() -> list[Author]:
    rows = (
        Staff.objects.filter(school__isnull=False, is_active=True, person__account__isnull=False)
        .exclude(subject="")
        .select_related("school", "person__account")
        .order_by("pk")
    )
    out = []
    for s in rows:
        assert s.school is not None
        for stage in s.school.stages.split(","):
            if (stage, s.subject) in TOPICS or (stage, s.subject) == MATH:
                out.append(Author(s.person.account.pk, s.school, stage, s.subject))
    return out


class LibraryBuilder:
    def __init__(self, *, published: int, seed: int, progress: Callable[[str], None]) -> None:
        self.n = published
        self.rng = random.Random(seed)
        self.seed = seed
        self.progress = progress
        self.now = timezone.now().replace(microsecond=0)
        self.stats = LibraryStats()
        self.accounts = _accounts()
        authors = _authors()
        self.by_area: dict[tuple[str, str], list[Author]] = {}
        for a in authors:
            self.by_area.setdefault((a.stage, a.subject), []).append(a)
        self.teacher = next((a for a in authors if a.account_id == self._id("teacher")), None)
        self.chapters = {
            (c.volume.code, c.number): c
            for c in Chapter.objects.filter(
                volume__edition__code="pep", volume__edition__subject="14", volume__edition__stage="3"
            ).select_related("volume", "parent")
        }
        self.points: dict[str, KnowledgePoint] = {}
        for p in KnowledgePoint.objects.filter(stage="3", subject="14").order_by("code"):
            for name in (*p.aliases, p.name):
                self.points[name] = p
        self.section_points: dict[int, list[KnowledgePoint]] = {}
        for p in self.points.values():
            if p.chapter_id:
                self.section_points.setdefault(p.chapter_id, []).append(p)
        self.math = (g for g in generate(published * 3 + 100, seed=seed) if g.primary_kp and g.doc.edition == "人教版")
        self.pool = sorted({a.account_id for a in authors})
        self._text_cache: dict[str, bytes] = {}
        self.writer = TitleWriter(self.rng)

    def _id(self, username: str) -> int | None:
        account = self.accounts.get(username)
        return account.pk if account else None

    # ------------------------------------------------------------------ specs
    def _spec(self, author: Author, status: str) -> Spec:
        if (author.stage, author.subject) == MATH:
            return self._math_spec(author, status)
        return self._other_spec(author, status)

    def _math_spec(self, author: Author, status: str) -> Spec:
        gen = next(self.math)
        doc, kp = gen.doc, gen.primary_kp
        assert kp is not None
        volume = VOLUME_CODES.get(f"{kp.grade}{kp.volume}", "")
        chapter = self.chapters.get((volume, kp.section_no)) or self.chapters.get((volume, str(kp.chapter_no)))
        points = [self.points[k.name] for k in gen.kps if k.name in self.points]
        if not points and chapter is not None and chapter.pk in self.section_points:
            points = self.section_points[chapter.pk][:1]
        # the generator picks the lesson and the type; the words are written the way teachers title uploads
        parent = chapter.parent if chapter is not None and chapter.parent_id else None
        lesson = Lesson(
            stage="3",
            subject="数学",
            grade=kp.grade,
            volume=kp.volume,
            topic=kp.name,
            edition="人教版",
            section=chapter.number if parent is not None and chapter is not None else "",
            chapter=parent.number if parent is not None else (chapter.number if chapter is not None else ""),
            chapter_name=parent.name if parent is not None else (chapter.name if chapter is not None else ""),
        )
        title, description, keywords = self.writer.write(lesson, doc.type)
        return Spec(
            title=title,
            description=description,
            keywords=keywords,
            type=TYPE_CODES[doc.type],
            stage="3",
            subject="14",
            grade=GRADE_BY_NAME.get(kp.grade, ""),
            author=author,
            status=status,
            chapter=chapter,
            points=list(dict.fromkeys(points)),
            topic=kp.name,
            noun=TYPE_NOUN.get(doc.type, doc.type),
        )

    def _other_spec(self, author: Author, status: str) -> Spec:
        rng = self.rng
        grade, volume, topic = rng.choice(TOPICS[(author.stage, author.subject)])
        label = rng.choices(*OTHER_TYPES)[0]
        if label == "音频" and author.subject not in ("13", "41"):
            label = "课件"
        noun = TYPE_NOUN.get(label, label)
        subject = code_name("subject", author.subject).split("（")[0]
        if author.subject == "12":
            subject = "道德与法治" if author.stage == "3" else "思想政治"
        grade_name = JUNIOR_GRADES.get(grade) or code_name("grade", grade)
        edition = _edition(rng, author.stage, author.subject)
        lesson = Lesson(
            stage=author.stage, subject=subject, grade=grade_name, volume=volume, topic=topic, edition=edition
        )
        title, description, keywords = self.writer.write(lesson, label)
        return Spec(
            topic=topic,
            noun=noun,
            title=title,
            description=description,
            keywords=keywords,
            type=TYPE_CODES[label],
            stage=author.stage,
            subject=author.subject,
            grade=grade,
            author=author,
            status=status,
        )

    def _area(self) -> tuple[str, str]:
        areas = sorted(self.by_area)
        weights = [AREA_WEIGHTS.get(a, DEFAULT_AREA_WEIGHT) for a in areas]
        return self.rng.choices(areas, weights)[0]

    def _decorate(self, spec: Spec) -> Spec:
        rng = self.rng
        spec.sharing = rng.choices(*SHARING)[0]
        spec.licence = rng.choices(*LICENCES)[0]
        age = timedelta(minutes=rng.randrange(730 * 24 * 60))
        if spec.status == ResourceStatus.PUBLISHED:
            spec.level = rng.choices(*LEVELS)[0]
            spec.published_at = self.now - age
            spec.created_at = spec.published_at - timedelta(hours=rng.randint(2, 240))
        else:
            spec.created_at = self.now - timedelta(minutes=rng.randrange(20 * 24 * 60))
        return spec

    def specs(self) -> list[Spec]:
        out: list[Spec] = []
        areas = [self._area() for _ in range(self.n)]
        teacher = self.teacher
        for i, area in enumerate(areas):
            author = self.rng.choice(self.by_area[area])
            if teacher is not None and i < TEACHER_PUBLISHED:
                author = teacher
            out.append(self._decorate(self._spec(author, ResourceStatus.PUBLISHED)))
        principal_school = self._school_of("principal")
        colleagues = [a for a in self._all_authors() if principal_school and a.school.pk == principal_school.pk]
        colleagues = [a for a in colleagues if a.account_id not in (self._id("principal"),)] or self._all_authors()
        for i in range(FIRST_QUEUE):
            author = teacher if teacher is not None and i < 2 else self.rng.choice(colleagues)
            out.append(self._decorate(self._spec(author, ResourceStatus.SUBMITTED)))
        for _ in range(SECOND_QUEUE):
            out.append(self._decorate(self._spec(self.rng.choice(self._all_authors()), ResourceStatus.FIRST_APPROVED)))
        if teacher is not None:
            for status, count in ((ResourceStatus.DRAFT, DRAFTS), (ResourceStatus.RETURNED, RETURNED)):
                out.extend(self._decorate(self._spec(teacher, status)) for _ in range(count))
        self._media(out)
        return out

    def _all_authors(self) -> list[Author]:
        return [a for area in sorted(self.by_area) for a in self.by_area[area]]

    def _school_of(self, username: str) -> School | None:
        account = self.accounts.get(username)
        if account is None:
            return None
        return next((p.school for p in scope_for(account).places if p.kind == "school"), None)

    def _media(self, specs: list[Spec]) -> None:
        """Real previewable media on the demo teacher's first published resources (a diagram, a handout, a video)."""
        mine = [s for s in specs if self.teacher is not None and s.author is self.teacher][:3]
        media: list[tuple[str, str, str, str, bytes | None]] = [
            ("image", "课堂图示", "上课画的图示，可直接插入课件。", "png", files.diagram_png()),
            ("paper", "课堂练习", "当堂检测用，一页，附答案。", "pdf", files.handout_pdf()),
            ("micro_lesson", "微课", "录屏微课，几分钟讲完一个重点。", "mp4", files.mp4()),
        ]
        for spec, (rtype, noun, description, suffix, data) in zip(mine, media, strict=False):
            if data is None:
                continue
            spec.type = rtype
            spec.title = f"{spec.topic} {noun}"
            spec.description = description
            spec.keywords = f"{spec.topic}、{noun}"
            spec.media = (f"{spec.title}.{suffix}", data)
            spec.sharing = "public"

    # ------------------------------------------------------------------ writes
    def _file_for(self, i: int, spec: Spec) -> tuple[str, bytes]:
        if spec.media is not None:
            return spec.media
        tag = f"{MARK}{self.seed}-{i:05d}"
        if spec.type in TEXT_TYPES:
            lines = [
                f"编号：{tag}",
                f"学段学科：{code_name('stage', spec.stage)}{code_name('subject', spec.subject)}",
                "## 教学目标",
                spec.description or f"理解并掌握{spec.topic}。",
                "## 教学过程",
                "情境导入 → 新知探究 → 例题精讲 → 巩固练习 → 课堂小结",
                "## 作业布置",
                "完成配套练习，预习下一节内容。",
            ]
            data = files.markdown(spec.title, lines)
            self._text_cache[hashlib.sha256(data).hexdigest()] = data
            return f"{spec.title}.md", data
        if spec.type == "image":
            return f"{spec.title}.png", files.png(self.seed * 100000 + i)
        if spec.type == "audio":
            return f"{spec.title}.wav", files.wav(self.seed * 100000 + i)
        suffix = " 学习任务单" if spec.type in PLAYABLE else ""
        return f"{spec.title}{suffix}.pdf", files.pdf(["Zhijiao demo resource", tag, f"type: {spec.type}"])

    def write(self, specs: list[Spec]) -> list[Resource]:
        resources = [
            Resource(
                title=s.title[:200],
                description=s.description,
                keywords=s.keywords[:200],
                type=s.type,
                stage=s.stage,
                grade=s.grade or (s.chapter.volume.grade if s.chapter else ""),
                subject=s.subject,
                edition_id=s.chapter.volume.edition_id if s.chapter else None,
                volume_id=s.chapter.volume_id if s.chapter else None,
                chapter=s.chapter,
                author_id=s.author.account_id,
                owner_school=s.author.school,
                owner_division_id=s.author.school.division_id,
                licence=s.licence,
                sharing=s.sharing,
                status=s.status,
                published_at=s.published_at,
                level=s.level,
                external_id=f"{MARK}{i:05d}",
                created_at=s.created_at,
                updated_at=s.published_at or s.created_at,
            )
            for i, s in enumerate(specs)
        ]
        Resource.objects.bulk_create(resources, batch_size=BATCH)
        _insert(
            Resource.knowledge_points.through,
            ["resource", "knowledgepoint"],
            [(r.pk, p.pk) for r, s in zip(resources, specs, strict=True) for p in s.points],
        )
        self._files(resources, specs)
        self._reviews(resources, specs)
        return resources

    def _files(self, resources: list[Resource], specs: list[Spec]) -> None:
        blobs: dict[str, ResourceFile] = {}
        versions = []
        for i, (r, s) in enumerate(zip(resources, specs, strict=True)):
            name, data = self._file_for(i, s)
            stored = blob_store([data])
            if stored.sha256 not in blobs:
                blobs[stored.sha256] = ResourceFile(
                    sha256=stored.sha256, size=stored.size, mime=guess_mime(name), created_at=s.created_at
                )
            versions.append((r, s, name, stored.sha256))
        existing = {f.sha256: f for f in ResourceFile.objects.filter(sha256__in=list(blobs))}
        ResourceFile.objects.bulk_create([f for sha, f in blobs.items() if sha not in existing], batch_size=BATCH)
        by_sha = {**blobs, **existing}
        made = ResourceVersion.objects.bulk_create(
            [
                ResourceVersion(
                    resource=r,
                    number=1,
                    file=by_sha[sha],
                    original_name=name[:255],
                    created_by_id=s.author.account_id,
                    created_at=s.created_at,
                )
                for r, s, name, sha in versions
            ],
            batch_size=BATCH,
        )
        first = ResourceVersion.objects.filter(resource=OuterRef("pk")).order_by("-number").values("pk")[:1]
        Resource.objects.filter(external_id__startswith=MARK).update(current_version=Subquery(first))
        for r, v in zip(resources, made, strict=True):
            r.current_version = v
        self.stats.files = len(blobs)
        self._excerpts([(by_sha[sha], s) for _, s, _, sha in versions if s.type in TEXT_TYPES and not s.media])
        self._previews([by_sha[sha] for _, s, _, sha in versions if s.media or s.type == "image"])

    def _excerpts(self, wanted: list[tuple[ResourceFile, Spec]]) -> None:
        """The text preview (the first lines) of each generated lesson text, written straight away."""
        for f, _spec in wanted:
            preview_put(f.sha256, EXCERPT, self._text_cache.pop(f.sha256, b""))
        ResourceFile.objects.filter(sha256__in=[f.sha256 for f, _ in wanted]).update(
            preview_state=PreviewState.READY, preview_kind="text", preview_note=""
        )

    def _previews(self, wanted: list[ResourceFile]) -> None:
        """Text excerpts and pictures are quick to make here (and the real media); rendering thousands of
        generated one-page PDFs would take minutes, so those are marked as having no preview. Without
        poppler-utils the handout's page is drawn with Pillow instead, so a fresh machine shows a PDF preview too
        (the video needs ffmpeg to exist at all)."""
        handout = hashlib.sha256(files.handout_pdf()).hexdigest()
        seen = set()
        for f in wanted:
            if f.sha256 not in seen:
                seen.add(f.sha256)
                outcome = preview_build(f)
                if outcome.state != PreviewState.READY and f.sha256 == handout:
                    preview_from_picture(f, files.handout_page(), kind="pdf", note="共 1 页")
        ResourceFile.objects.filter(preview_state=PreviewState.PENDING).exclude(sha256__in=seen).filter(
            versions__resource__external_id__startswith=MARK
        ).update(preview_state=PreviewState.NONE, preview_note="演示数据未生成预览，请下载后查看")

    def _reviews(self, resources: list[Resource], specs: list[Spec]) -> None:
        second = self._id("bureau") or self._id("admin")
        principal_school = self._school_of("principal")
        heads = self._heads()
        steps: list[tuple] = []  # resource, stage, decision, comment, reviewer, at
        for r, s in zip(resources, specs, strict=True):
            if s.status == ResourceStatus.DRAFT:
                continue
            at = s.created_at or self.now
            steps.append((r.pk, ReviewStage.SUBMIT, ReviewDecision.SUBMITTED, "", s.author.account_id, at))
            first = self._id("principal") if principal_school and principal_school.pk == s.author.school.pk else None
            first = first or heads.get(s.author.school.pk) or second
            if s.status == ResourceStatus.RETURNED:
                steps.append((r.pk, ReviewStage.FIRST, ReviewDecision.RETURNED, RETURN_NOTE, first, at + HOUR * 20))
                continue
            if s.status in (ResourceStatus.FIRST_APPROVED, ResourceStatus.PUBLISHED):
                steps.append((r.pk, ReviewStage.FIRST, ReviewDecision.APPROVED, "", first, at + HOUR))
            if s.status == ResourceStatus.PUBLISHED and s.published_at is not None:
                steps.append((r.pk, ReviewStage.SECOND, ReviewDecision.APPROVED, "", second, s.published_at))
        _insert(ReviewStep, ["resource", "stage", "decision", "comment", "reviewer", "at"], steps)

    def _heads(self) -> dict[int, int]:
        """Each school's 校长 account (the 一审 reviewer of the library's history)."""
        rows = Staff.objects.filter(post="校长", person__account__isnull=False).values_list(
            "school_id", "person__account__id"
        )
        return {school: account for school, account in rows if school}

    # ------------------------------------------------------------------ use
    def use(self, resources: list[Resource], specs: list[Spec]) -> None:
        rng = self.rng
        pool = self.pool
        ratings: list[tuple] = []  # resource, account, score, created_at, updated_at
        comments: list[tuple] = []  # resource, account, body, hidden, created_at
        favourites: list[tuple] = []  # resource, account, created_at
        usage: list[tuple] = []  # resource, account, kind, play_id, progress, at
        for r, s in zip(resources, specs, strict=True):
            if s.status != ResourceStatus.PUBLISHED or s.published_at is None:
                continue
            popularity = min(rng.paretovariate(1.4), 60.0)
            quality = min(5.0, max(1.5, rng.gauss(LEVEL_QUALITY[s.level], 0.5)))
            start, span = s.published_at, max(60, int((self.now - s.published_at).total_seconds()))

            def when(start: datetime = start, span: int = span) -> datetime:
                return start + timedelta(seconds=rng.randrange(span))

            people = rng.sample(pool, min(len(pool), int(popularity * 1.2)))
            for account in people:
                at = when()
                ratings.append((r.pk, account, min(5, max(1, round(rng.gauss(quality, 0.8)))), at, at))
            for account in people[: len(people) // 4]:
                comments.append((r.pk, account, rng.choice(COMMENTS), False, when()))
            for account in people[: len(people) // 2]:
                favourites.append((r.pk, account, when()))
            views = int(popularity * 3) + rng.randint(0, 3)
            for _ in range(views):
                usage.append((r.pk, rng.choice(pool), "view", "", None, when()))
            for _ in range(int(views * rng.uniform(0.1, 0.4) * quality / 4)):
                usage.append((r.pk, rng.choice(pool), "download", "", None, when()))
            if s.type in PLAYABLE:
                for k in range(int(views * 0.6)):
                    progress = round(min(1.0, rng.betavariate(quality, 6 - quality) * 1.1), 3)
                    usage.append((r.pk, rng.choice(pool), "play", f"demo-{r.pk}-{k}", progress, when()))
        _insert(Rating, ["resource", "account", "score", "created_at", "updated_at"], ratings)
        _insert(Comment, ["resource", "account", "body", "hidden", "created_at"], comments)
        _insert(Favourite, ["resource", "account", "created_at"], favourites)
        _insert(UsageEvent, ["resource", "account", "kind", "play_id", "progress", "at"], usage)
        self.stats.ratings, self.stats.comments = len(ratings), len(comments)
        self.stats.favourites, self.stats.usage = len(favourites), len(usage)


def demo_library(
    *, published: int = 5000, seed: int = 42, progress: Callable[[str], None] = lambda _: None
) -> LibraryStats:
    """Generate the library into the demo region (its teachers must exist); a second call changes nothing."""
    if Resource.objects.filter(external_id__startswith=MARK).exists():
        return LibraryStats(skipped=True)
    builder = LibraryBuilder(published=published, seed=seed, progress=progress)
    if not builder.by_area:
        raise ValueError("演示区域中没有任课教师账号，无法生成演示资源库")
    started = time.monotonic()

    def step(message: str) -> None:
        progress(f"  {message}（{time.monotonic() - started:.1f} 秒）")

    specs = builder.specs()
    step(f"资源清单：{len(specs)} 条")
    with transaction.atomic(), _own_times(Resource, ResourceFile, ResourceVersion):
        resources = builder.write(specs)
        step(f"资源、文件与审核记录：{len(resources)} 条资源，{builder.stats.files} 个文件")
        builder.use(resources, specs)
        step(f"评分 {builder.stats.ratings}，评论 {builder.stats.comments}，使用记录 {builder.stats.usage}")
    stats = builder.stats
    for s in specs:
        key = STATUS_STATS[s.status]
        setattr(stats, key, getattr(stats, key) + 1)
        if s.status == ResourceStatus.PUBLISHED:
            stats.by_stage[s.stage] = stats.by_stage.get(s.stage, 0) + 1
    value_recompute()
    step("价值分")
    stats.indexed = reindex_all()
    step(f"搜索索引：{stats.indexed} 条")
    return stats
