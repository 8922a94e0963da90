"""The upload and edit form: metadata with pickers from the code tables and the textbook taxonomy, one file.

The taxonomy fields cascade 学段 → 学科 → 版本 → 册 → 章节 → 知识点: each offers only what fits the choices before
it (subjects by their 适用学校, editions by 学段 and 学科, chapters of the chosen book grouped under their chapter,
knowledge points of the chosen chapter or book). The page refreshes that block with htmx when a choice changes;
without JavaScript a 更新选项 button posts the form back to do the same.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings

from zhijiao.core.codes import code_choices, code_choices_for_stage, code_name
from zhijiao.curriculum import selectors as curriculum
from zhijiao.curriculum.models import Chapter, TextbookEdition
from zhijiao.resources.models import Licence, Resource, ResourceType, SharingScope
from zhijiao.resources.services import ResourceData

BLANK = [("", "请选择")]
# the cascade, in order; a change to one of them refreshes those after it
TAXONOMY_FIELDS = ("stage", "subject", "grade", "edition", "volume", "chapter", "knowledge_points")
TAXONOMY_URL = "/resources/form/taxonomy/"
# on each select that narrows the next one: fetch the block for the choices so far and swap it in
REFRESH = {"hx-get": TAXONOMY_URL, "hx-include": "#res-taxonomy", "hx-target": "#res-taxonomy", "hx-swap": "outerHTML"}


def _int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _area(edition: TextbookEdition) -> str:
    """初中数学: the 学段 and 学科 of an edition, to tell 人教版 八年级上册 of one subject from another's."""
    return f"{code_name('stage', edition.stage)}{code_name('subject', edition.subject)}"


class ResourceForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    type = forms.ChoiceField(label="资源类型", choices=BLANK + ResourceType.choices)
    description = forms.CharField(label="简介", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    keywords = forms.CharField(label="关键词", max_length=200, required=False, help_text="以逗号或空格分隔")
    stage = forms.ChoiceField(label="学段", choices=BLANK + code_choices("stage"))
    subject = forms.ChoiceField(label="学科")
    grade = forms.ChoiceField(label="年级", required=False)
    edition = forms.TypedChoiceField(label="教材版本", coerce=int, required=False, empty_value=None)
    volume = forms.TypedChoiceField(label="册", coerce=int, required=False, empty_value=None)
    chapter = forms.TypedChoiceField(label="章节", coerce=int, required=False, empty_value=None)
    knowledge_points = forms.TypedMultipleChoiceField(
        label="知识点", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    licence = forms.ChoiceField(label="授权方式", choices=Licence.choices, initial=Licence.REGION)
    sharing = forms.ChoiceField(label="共享范围", choices=SharingScope.choices, initial=SharingScope.SCHOOL)
    file = forms.FileField(label="文件", required=False)
    note = forms.CharField(label="版本说明", max_length=200, required=False, help_text="这一版改了什么（选填）")
    # set by upload.js once a resumable upload (resources.uploads) finished: the file is already on the server
    upload_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, resource: Resource | None = None, **kwargs) -> None:
        """``resource``: the draft being edited (its file is then optional: a new one becomes a new version)."""
        self.resource = resource
        self._implied: dict[str, int] = {}  # edition and book implied by a chapter posted without them
        if resource is not None and not args and "data" not in kwargs:
            kwargs.setdefault("initial", self.initial_for(resource))
        super().__init__(*args, **kwargs)
        if resource is None:
            del self.fields["note"]
        self.fields["file"].help_text = (
            f"支持断点续传，单个文件不超过 {settings.ZHIJIAO_RESOURCE_UPLOAD_MAX_MB // 1024} GB"
            f"（浏览器未启用脚本时不超过 {settings.ZHIJIAO_RESOURCE_MAX_MB} MB）"
        )
        for name in ("stage", "subject", "edition", "volume", "chapter"):
            self.fields[name].widget.attrs.update(REFRESH)
        self._cascade()

    @staticmethod
    def initial_for(resource: Resource) -> dict[str, Any]:
        return {
            "title": resource.title,
            "type": resource.type,
            "description": resource.description,
            "keywords": resource.keywords,
            "stage": resource.stage,
            "subject": resource.subject,
            "grade": resource.grade,
            "edition": resource.edition_id,
            "volume": resource.volume_id,
            "chapter": resource.chapter_id,
            "knowledge_points": list(resource.knowledge_points.values_list("pk", flat=True)),
            "licence": resource.licence,
            "sharing": resource.sharing,
        }

    def _chosen(self, name: str) -> str:
        """The value picked so far for a cascade field (posted, or the initial one)."""
        if name in self._implied:
            return str(self._implied[name])
        source = self.data if self.is_bound else self.initial
        value = source.get(name) if hasattr(source, "get") else None
        return "" if value is None else str(value)

    def _choices(self, name: str, choices: list) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    def _cascade(self) -> None:
        """Limit each taxonomy field to what fits the choices before it; a choice that no longer fits (a book
        of another edition) is dropped here and refused as invalid on a real submit."""
        stage = self._chosen("stage")
        subjects = code_choices_for_stage("subject", stage)
        self._choices("subject", BLANK + subjects)
        self._choices("grade", [("", "不限"), *code_choices_for_stage("grade", stage)])
        subject = self._chosen("subject")
        subject = subject if any(code == subject for code, _ in subjects) else ""
        editions = list(curriculum.edition_list(stage=stage, subject=subject))
        no_edition = "不关联教材" if editions else ("该学科暂无教材目录" if subject else "请先选择学段和学科")
        self._choices("edition", [("", no_edition)] + [(e.pk, e.name) for e in editions])
        edition = _int(self._chosen("edition"))
        volume = _int(self._chosen("volume"))
        chapter = _int(self._chosen("chapter"))
        if chapter and not (edition and volume):  # a chapter alone (a link, an old form): its book and edition
            c = Chapter.objects.select_related("volume").filter(pk=chapter, volume__edition__in=editions).first()
            if c is not None:
                edition, volume = c.volume.edition_id, c.volume_id
                self._implied = {"edition": edition, "volume": volume}
        edition = edition if any(e.pk == edition for e in editions) else None
        volumes = list(curriculum.volume_list(edition=edition))
        self._choices(
            "volume", [("", "请先选择教材版本" if edition is None else "不限册")] + [(v.pk, v.name) for v in volumes]
        )
        self._volume = next((v for v in volumes if v.pk == volume), None)
        chapters = list(curriculum.chapter_tree(volume=self._volume.pk if self._volume else None))
        self._chapters = {c.pk: c for c in chapters}
        no_chapter = "请先选择册" if self._volume is None else "整册（不限章节）"
        self._choices("chapter", [("", no_chapter), *_chapter_groups(chapters)])
        points = list(
            curriculum.knowledge_point_list(
                volume=self._volume.pk if self._volume else None, chapter=chapter if chapter in self._chapters else None
            )
        )
        self._points = {p.pk: p for p in points}
        self._choices("knowledge_points", [(p.pk, p.name) for p in points])
        if not points:
            if self._volume is not None:
                hint = "该章节暂无知识点"
            elif subject and not editions:
                hint = "该学科暂无教材目录，可不选知识点"
            else:
                hint = "选择教材的册或章节后，这里列出对应的知识点"
            self.fields["knowledge_points"].help_text = hint
        if self.resource is not None:
            self.fields["file"].help_text = "不更换文件可留空；上传新文件后成为新的版本，旧版本保留在版本记录中。"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and upload.size > settings.ZHIJIAO_RESOURCE_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(f"文件超过 {settings.ZHIJIAO_RESOURCE_MAX_MB} MB 的上限")
        return upload

    def clean(self):
        cleaned = super().clean() or {}
        has_file = cleaned.get("file") or cleaned.get("upload_id")
        if self.resource is None and not has_file and "file" not in self.errors:
            self.add_error("file", "请选择文件")
        chapter = self._chapters.get(cleaned["chapter"]) if cleaned.get("chapter") else None
        stage, subject = cleaned.get("stage"), cleaned.get("subject")
        if chapter and stage and subject:  # several subjects have a 八年级上册 now
            edition = chapter.volume.edition
            if (edition.stage, edition.subject) != (stage, subject):
                self.add_error("chapter", f"所选章节属于{_area(edition)}，与所填学段、学科不一致")
        return cleaned

    @property
    def has_new_file(self) -> bool:
        return bool(self.cleaned_data.get("file") or self.cleaned_data.get("upload_id"))

    def data_object(self) -> ResourceData:
        d = self.cleaned_data
        return ResourceData(
            title=d["title"],
            type=d["type"],
            stage=d["stage"],
            subject=d["subject"],
            grade=d["grade"] or "",
            description=d["description"],
            keywords=d["keywords"],
            licence=d["licence"],
            sharing=d["sharing"],
            chapter=self._chapters.get(d["chapter"]) if d.get("chapter") else None,
            volume=self._volume,
            knowledge_points=[self._points[pk] for pk in d["knowledge_points"]],
        )


def _chapter_groups(chapters: list[Chapter]) -> list[tuple[str, list[tuple[int, str]]]]:
    """The book's chapters as option groups: each chapter heads its group (choosable as a whole), its sections
    follow it."""
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    by_chapter: dict[int, list[tuple[int, str]]] = {}
    for c in chapters:
        if c.parent_id is None:
            options = [(c.pk, f"{c.label}（整章）")]
            by_chapter[c.pk] = options
            groups.append((c.label, options))
        elif c.parent_id in by_chapter:
            by_chapter[c.parent_id].append((c.pk, c.label))
    return groups
