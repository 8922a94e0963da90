"""Precise teaching (issue 14): the item bank (题库), first of the tables papers, homework and exams will sit on.

An :class:`Item` is the stable identity of a question: who owns it (a school, or a bureau's division), how far it is
shared, where it sits in the textbook taxonomy (``zhijiao.curriculum``) and its review status. Its content lives in
:class:`ItemVersion` rows: stem, options, answers, 解析, points, difficulty, the scoring settings and the rubric.
``current_version`` is the newest (what the author edits); ``approved_version`` is the last one a reviewer passed,
the one everybody else sees and papers will point at. Editing an approved item makes a new version; old versions
are kept, so a paper set last term still shows what its pupils answered. Scoring is pure (``scoring.py``):
``ItemVersion.scoring_key()`` is what an :class:`Answer` hands to ``scoring.score_response``.
Design: ``docs/decisions/0044-item-bank.md``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhijiao.curriculum.models import Chapter, KnowledgePoint
from zhijiao.learning.scoring import ItemKind, PartialRule, ScoringKey


class ItemType(models.TextChoices):
    SINGLE = ItemKind.SINGLE, "单选题"
    MULTIPLE = ItemKind.MULTIPLE, "多选题"
    TRUE_FALSE = ItemKind.TRUE_FALSE, "判断题"
    BLANK = ItemKind.BLANK, "填空题"
    OPEN = ItemKind.OPEN, "解答题"
    ESSAY = ItemKind.ESSAY, "作文"


class MultiplePartial(models.TextChoices):
    """多选题 scoring when a pupil picks only correct choices but not all of them (a wrong choice scores 0)."""

    NONE = PartialRule.NONE, "全部选对才得分"
    HALF = PartialRule.HALF, "少选得一半分"
    PER_CHOICE = PartialRule.PER_CHOICE, "按选对的个数给分"


class ItemStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已退回"


class ItemSharing(models.TextChoices):
    """The same four scopes as the resource centre (``resources.SharingScope``), so one visibility rule serves both."""

    SCHOOL = "school", "本校"
    DISTRICT = "district", "本区"
    CITY = "city", "本市"
    PUBLIC = "public", "公开"


DIFFICULTY_LABELS = {1: "容易", 2: "较易", 3: "中等", 4: "较难", 5: "困难"}


class Item(models.Model):
    stage = models.CharField("学段", max_length=2)
    subject = models.CharField("学科", max_length=4)
    grade = models.CharField("年级", max_length=4, blank=True)
    chapter = models.ForeignKey(Chapter, models.PROTECT, null=True, blank=True, related_name="items")
    knowledge_points = models.ManyToManyField(KnowledgePoint, blank=True, related_name="items")
    source = models.CharField("来源", max_length=200, blank=True)  # 2025 杭州中考 第3题, 自编 …
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="items")
    owner_school = models.ForeignKey("org.School", models.PROTECT, null=True, blank=True, related_name="+")
    owner_division = models.ForeignKey("org.Division", models.PROTECT, related_name="+")
    sharing = models.CharField("共享范围", max_length=16, choices=ItemSharing.choices, default=ItemSharing.SCHOOL)
    status = models.CharField("状态", max_length=16, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    current_version = models.ForeignKey("ItemVersion", models.SET_NULL, null=True, blank=True, related_name="+")
    approved_version = models.ForeignKey("ItemVersion", models.SET_NULL, null=True, blank=True, related_name="+")
    # The current version's stem, normalised (``dedupe.normalise``): duplicate checks read it without a join.
    stem_norm = models.TextField("题干（规范化）", blank=True)
    external_id = models.CharField("外部编号", max_length=100, blank=True)  # QTI identifier, for round trips
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "试题"
        verbose_name_plural = "试题"
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["subject", "stage", "status"], name="item_subject_idx"),
            models.Index(fields=["owner_division", "status"], name="item_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"试题 {self.pk}"


class ItemVersion(models.Model):
    """One version of an item's content; never changed once approved (a new version is made instead)."""

    item = models.ForeignKey(Item, models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    type = models.CharField("题型", max_length=16, choices=ItemType.choices)
    stem = models.TextField("题干")  # plain text; formulas between $…$ or $$…$$ (KaTeX), blanks as ____
    # [{"key": "A", "text": "…"}] for 单选/多选; empty otherwise (判断 has fixed 对/错)
    options = models.JSONField("选项", default=list, blank=True)
    # 单选 ["B"]; 多选 ["A", "C"]; 判断 ["T"] or ["F"]; 填空 [["3", "三"], ["x=2"]] (accepted answers per blank);
    # 解答/作文 [] (see ``reference_answer`` and the rubric)
    answer = models.JSONField("答案", default=list, blank=True)
    reference_answer = models.TextField("参考答案", blank=True)
    explanation = models.TextField("解析", blank=True)
    points = models.DecimalField("分值", max_digits=5, decimal_places=1, default=5)
    difficulty = models.PositiveSmallIntegerField("难度", default=3)  # 1 容易 … 5 困难 (the author's estimate)
    partial = models.CharField(
        "多选题少选", max_length=16, choices=MultiplePartial.choices, default=MultiplePartial.HALF, blank=True
    )
    note = models.CharField("修改说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "试题版本"
        verbose_name_plural = "试题版本"
        ordering = ["item_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="item_version_unique"),
            models.CheckConstraint(condition=models.Q(difficulty__gte=1, difficulty__lte=5), name="item_difficulty"),
            models.CheckConstraint(condition=models.Q(points__gt=0), name="item_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"

    @property
    def type_label(self) -> str:
        return ItemType(self.type).label

    @property
    def difficulty_label(self) -> str:
        return DIFFICULTY_LABELS.get(self.difficulty, "")

    @property
    def blank_count(self) -> int:
        return len(self.answer) if self.type == ItemType.BLANK else 0

    def scoring_key(self) -> ScoringKey:
        """What ``scoring.score_response`` needs; an Answer's entry holds the version; marking calls this."""
        return ScoringKey(
            kind=ItemKind(self.type),
            points=float(self.points),
            answer=tuple(tuple(a) if isinstance(a, list) else a for a in self.answer),
            option_keys=tuple(o["key"] for o in self.options),
            partial=PartialRule(self.partial or PartialRule.NONE),
            rubric=tuple((c.name, float(c.points)) for c in self.criteria.all()),
        )


class RubricCriterion(models.Model):
    """One row of a 解答题/作文 rubric: a criterion and its points (the criteria's points sum to the item's)."""

    version = models.ForeignKey(ItemVersion, models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    name = models.CharField("评分项", max_length=100)
    points = models.DecimalField("分值", max_digits=5, decimal_places=1)
    guide = models.TextField("评分说明", blank=True)

    class Meta:
        verbose_name = "评分标准"
        verbose_name_plural = "评分标准"
        ordering = ["version_id", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class ItemReviewDecision(models.TextChoices):
    SUBMITTED = "submitted", "提交审核"
    APPROVED = "approved", "通过"
    REJECTED = "rejected", "退回"


class ItemReview(models.Model):
    """The review trail: who submitted which version, who passed or returned it and why."""

    item = models.ForeignKey(Item, models.CASCADE, related_name="reviews")
    version = models.ForeignKey(ItemVersion, models.CASCADE, related_name="+")
    decision = models.CharField("结论", max_length=16, choices=ItemReviewDecision.choices)
    comment = models.TextField("意见", blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "试题审核记录"
        verbose_name_plural = "试题审核记录"
        ordering = ["item_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.decision}"


class ItemImage(models.Model):
    """A picture in an item's stem, options or 解析, written there as ``![说明](image:ID)``. The bytes sit in the
    resource centre's checksum-addressed store and are served by its file rules (raster images inline with the
    sandbox headers, on the files origin when one is set); only PNG, JPEG, GIF and WebP are accepted (never SVG)."""

    item = models.ForeignKey(Item, models.CASCADE, related_name="images")
    sha256 = models.CharField("SHA-256", max_length=64)
    name = models.CharField("文件名", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "试题图片"
        verbose_name_plural = "试题图片"
        ordering = ["item_id", "pk"]

    def __str__(self) -> str:
        return self.name


class PaperStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    READY = "ready", "已定稿"


# The order of a paper's sections, one per type (一、单选题 二、多选题 …), and the Chinese numerals that head them.
SECTION_ORDER = [ItemType.SINGLE, ItemType.MULTIPLE, ItemType.TRUE_FALSE, ItemType.BLANK, ItemType.OPEN, ItemType.ESSAY]
SECTION_NUMERALS = "一二三四五六七八九十"


class Paper(models.Model):
    """A paper (试卷) assembled from the item bank, by hand or from a 双向细目表 (``assembly.py``). Its items point
    at the ItemVersion chosen when they were added, so later edits of an item never change a set paper. Seen by its
    author and the staff of its owning school (a bureau's paper: its division's staff); changed by its author."""

    title = models.CharField("试卷名称", max_length=100)
    stage = models.CharField("学段", max_length=2)
    subject = models.CharField("学科", max_length=4)
    grade = models.CharField("年级", max_length=4, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="papers")
    owner_school = models.ForeignKey("org.School", models.PROTECT, null=True, blank=True, related_name="+")
    owner_division = models.ForeignKey("org.Division", models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=16, choices=PaperStatus.choices, default=PaperStatus.DRAFT)
    # the 双向细目表 an automatic paper was assembled from: [{"point", "difficulty", "type", "count", "points"}]
    blueprint = models.JSONField("双向细目表", default=list, blank=True)
    seed = models.PositiveIntegerField("随机种子", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "试卷"
        verbose_name_plural = "试卷"
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class PaperItem(models.Model):
    """One question of a paper: the item, the version it shows, its place and its points on this paper."""

    paper = models.ForeignKey(Paper, models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, models.PROTECT, related_name="+")
    version = models.ForeignKey(ItemVersion, models.PROTECT, related_name="+")
    order = models.PositiveIntegerField("顺序", default=0)
    points = models.DecimalField("分值", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = "试卷试题"
        verbose_name_plural = "试卷试题"
        ordering = ["paper_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "item"], name="paper_item_unique"),
            models.CheckConstraint(condition=models.Q(points__gt=0), name="paper_item_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.paper_id}/{self.item_id}"


# ── Homework and exams (作业、考试): a paper set to pupils, their answers and their marks ───────────────────────────


class AssignmentKind(models.TextChoices):
    HOMEWORK = "homework", "作业"
    EXAM = "exam", "考试"


class AssignmentMode(models.TextChoices):
    ONLINE = "online", "在线作答"
    PAPER = "paper", "纸笔作答（导入成绩）"


class AssignmentTier(models.TextChoices):
    """分层作业: the three layers of one layered homework share a ``layer_group``; plain work has no tier."""

    NONE = "", "不分层"
    BASIC = "basic", "基础"
    IMPROVING = "improving", "提高"
    EXTENSION = "extension", "拓展"


class AssignmentOrigin(models.TextChoices):
    TEACHER = "teacher", "教师布置"
    PUSH = "push", "学情推送"  # targeted practice made from a diagnosis, approved by the teacher


class AssignmentStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已布置"
    CLOSED = "closed", "已截止"


class Assignment(models.Model):
    """Homework or an exam: one paper set to pupils of one or more classes between two dates.

    Who it is for is its :class:`Submission` rows, made when it is published (one per pupil): a layered homework is
    three assignments (one per tier, same ``layer_group``), each with the pupils of its layer; an exam taken on paper
    (``mode=paper``) gets its submissions and answers from the marking system's export instead of online answering.
    A school's work has ``school``; a district exam set by the bureau has none and spans its division's classes.
    """

    title = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=AssignmentKind.choices, default=AssignmentKind.HOMEWORK)
    mode = models.CharField("作答方式", max_length=16, choices=AssignmentMode.choices, default=AssignmentMode.ONLINE)
    paper = models.ForeignKey(Paper, models.PROTECT, related_name="assignments")
    stage = models.CharField("学段", max_length=2)
    subject = models.CharField("学科", max_length=4)
    grade = models.CharField("年级", max_length=4, blank=True)
    term = models.ForeignKey("org.Term", models.PROTECT, null=True, blank=True, related_name="+")
    school = models.ForeignKey("org.School", models.PROTECT, null=True, blank=True, related_name="+")
    division = models.ForeignKey("org.Division", models.PROTECT, related_name="+")
    classes = models.ManyToManyField("org.SchoolClass", blank=True, related_name="+")
    tier = models.CharField(
        "分层", max_length=16, choices=AssignmentTier.choices, default=AssignmentTier.NONE, blank=True
    )
    layer_group = models.CharField("分层作业组", max_length=32, blank=True)
    origin = models.CharField("来源", max_length=16, choices=AssignmentOrigin.choices, default=AssignmentOrigin.TEACHER)
    note = models.TextField("说明", blank=True)
    opens_at = models.DateTimeField("开始时间")
    due_at = models.DateTimeField("截止时间", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # a draft's pupils (student ids), whose Submission rows publishing makes (a 学情推送 draft's layer)
    planned = models.JSONField("计划学生", default=list, blank=True)

    class Meta:
        verbose_name = "作业/考试"
        verbose_name_plural = "作业/考试"
        ordering = ["-opens_at", "-pk"]
        indexes = [
            models.Index(fields=["school", "status"], name="assignment_school_idx"),
            models.Index(fields=["division", "kind"], name="assignment_division_idx"),
            models.Index(fields=["layer_group"], name="assignment_layer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_at__isnull=True) | models.Q(due_at__gt=models.F("opens_at")),
                name="assignment_due_after_open",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SubmissionStatus(models.TextChoices):
    ASSIGNED = "assigned", "未开始"
    STARTED = "started", "作答中"
    SUBMITTED = "submitted", "待批改"
    MARKED = "marked", "已批改"


class SubmissionSource(models.TextChoices):
    ONLINE = "online", "在线作答"
    IMPORT = "import", "阅卷导入"


class Submission(models.Model):
    """One pupil's copy of an assignment: their status, total and the class they sat in when it was set."""

    assignment = models.ForeignKey(Assignment, models.CASCADE, related_name="submissions")
    student = models.ForeignKey("people.Student", models.PROTECT, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", models.PROTECT, related_name="+")
    status = models.CharField(
        "状态", max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.ASSIGNED
    )
    source = models.CharField("来源", max_length=16, choices=SubmissionSource.choices, default=SubmissionSource.ONLINE)
    score = models.DecimalField("得分", max_digits=6, decimal_places=1, null=True, blank=True)  # set when marked
    max_score = models.DecimalField("满分", max_digits=6, decimal_places=1)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "作答"
        verbose_name_plural = "作答"
        ordering = ["assignment_id", "school_class_id", "student_id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="submission_unique"),
        ]
        indexes = [
            models.Index(fields=["student", "status"], name="submission_student_idx"),
            models.Index(fields=["assignment", "school_class"], name="submission_class_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}/{self.student_id}"


class Answer(models.Model):
    """One pupil's answer to one question of the paper, and its mark.

    ``response`` is the answer in the shape ``scoring.score_response`` takes (``None``: not answered, or a paper exam
    whose marking export gives only the score). ``score`` is ``None`` until marked: objective items are marked by
    the machine on submission (``auto``), 解答/作文 by a teacher per rubric criterion (``criteria``).
    """

    # no index of its own: the unique (submission, entry) index starts with it (1.3 M rows an exam import writes)
    submission = models.ForeignKey(Submission, models.CASCADE, related_name="answers", db_index=False)
    entry = models.ForeignKey(PaperItem, models.PROTECT, related_name="+")
    response = models.JSONField("作答", null=True, blank=True)
    score = models.DecimalField("得分", max_digits=5, decimal_places=1, null=True, blank=True)
    auto = models.BooleanField("自动批改", default=False)
    criteria = models.JSONField("评分细则得分", default=dict, blank=True)  # {"思路": 3, "计算": 2}
    comment = models.TextField("批语", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "答题记录"
        verbose_name_plural = "答题记录"
        ordering = ["submission_id", "entry__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "entry"], name="answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}/{self.entry_id}"


# ── Diagnosis (学情诊断): mastery per pupil × knowledge point ────────────────────────────────────────────────────


class MasteryModel(models.TextChoices):
    CDM = "cdm", "认知诊断（考试）"
    KT = "kt", "知识追踪（作业序列）"


class Mastery(models.Model):
    """The current estimate of one pupil's mastery of one knowledge point (0–1) with its uncertainty (a standard
    deviation on the same scale), written by the refit job after each exam or homework is marked; ``evidence`` is
    how many marked answers on the point stand behind it. Pages read this table, never a model."""

    student = models.ForeignKey("people.Student", models.CASCADE, related_name="+")
    knowledge_point = models.ForeignKey(KnowledgePoint, models.CASCADE, related_name="+")
    subject = models.CharField("学科", max_length=4)
    estimate = models.FloatField("掌握度")
    uncertainty = models.FloatField("不确定度")
    evidence = models.PositiveIntegerField("证据数", default=0)
    model = models.CharField("模型", max_length=8, choices=MasteryModel.choices)
    assignment = models.ForeignKey(Assignment, models.SET_NULL, null=True, blank=True, related_name="+")
    fitted_at = models.DateTimeField("估计时间")

    class Meta:
        verbose_name = "知识点掌握度"
        verbose_name_plural = "知识点掌握度"
        constraints = [
            models.UniqueConstraint(fields=["student", "knowledge_point"], name="mastery_unique"),
            models.CheckConstraint(condition=models.Q(estimate__gte=0, estimate__lte=1), name="mastery_range"),
        ]
        indexes = [models.Index(fields=["subject", "knowledge_point"], name="mastery_point_idx")]

    def __str__(self) -> str:
        return f"{self.student_id}/{self.knowledge_point_id} {self.estimate:.2f}"


class MasteryChange(models.Model):
    """History: each refit that moved a pupil's mastery of a point, and the assignment whose answers moved it (the
    term trend, and "what moved after the re-test")."""

    student = models.ForeignKey("people.Student", models.CASCADE, related_name="+")
    knowledge_point = models.ForeignKey(KnowledgePoint, models.CASCADE, related_name="+")
    before = models.FloatField("之前", null=True, blank=True)
    after = models.FloatField("之后")
    uncertainty = models.FloatField("不确定度")
    model = models.CharField("模型", max_length=8, choices=MasteryModel.choices)
    assignment = models.ForeignKey(Assignment, models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField("时间")
    # marked answers on the point behind the estimate before and after (a re-run of the refit starts from these)
    evidence_before = models.PositiveIntegerField("之前证据数", default=0)
    evidence = models.PositiveIntegerField("证据数", default=0)

    class Meta:
        verbose_name = "掌握度变化"
        verbose_name_plural = "掌握度变化"
        ordering = ["student_id", "knowledge_point_id", "at"]
        indexes = [
            models.Index(fields=["student", "at"], name="mastery_change_idx"),
            models.Index(fields=["assignment", "student"], name="mastery_change_assignment_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id}/{self.knowledge_point_id} → {self.after:.2f}"


# ── Diagnosis jobs and report summaries (decision 0054) ─────────────────────────────────────────────────────


class DiagnosisFit(models.Model):
    """One assignment's diagnosis state: the queue marker that debounces refits (``queued``: a job is waiting, so
    further ``marks_changed`` signals add nothing) and, after the job, the fitted model's parameters (an exam's CDM
    item parameters and class prior, so an explanation re-scores one pupil without refitting)."""

    assignment = models.OneToOneField(Assignment, models.CASCADE, related_name="diagnosis")
    queued = models.BooleanField("排队中", default=False)
    requested_at = models.DateTimeField("请求时间", null=True, blank=True)
    fitted_at = models.DateTimeField("估计时间", null=True, blank=True)
    model = models.CharField("模型", max_length=8, choices=MasteryModel.choices, blank=True)
    params = models.JSONField("模型参数", default=dict, blank=True)
    fits = models.PositiveIntegerField("估计次数", default=0)

    class Meta:
        verbose_name = "学情诊断任务"
        verbose_name_plural = "学情诊断任务"

    def __str__(self) -> str:
        return f"诊断 {self.assignment_id}"


class ClassReport(models.Model):
    """The heavy part of one class's 学情 report for one assignment, computed by the refit job (score distribution,
    item statistics, distractors, the mastery heatmap, level groups, common wrong answers, what to re-teach), so the
    page only reads one row."""

    assignment = models.ForeignKey(Assignment, models.CASCADE, related_name="class_reports")
    school_class = models.ForeignKey("org.SchoolClass", models.CASCADE, related_name="+")
    data = models.JSONField("报告数据", default=dict)
    built_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "班级学情报告"
        verbose_name_plural = "班级学情报告"
        constraints = [models.UniqueConstraint(fields=["assignment", "school_class"], name="class_report_unique")]
        indexes = [models.Index(fields=["school_class", "assignment"], name="class_report_class_idx")]

    def __str__(self) -> str:
        return f"{self.assignment_id}/{self.school_class_id}"
