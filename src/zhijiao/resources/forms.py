"""The upload form: metadata with pickers from the code tables and the textbook taxonomy, one file."""

from __future__ import annotations

from django import forms
from django.conf import settings

from zhijiao.core.codes import code_choices, code_name
from zhijiao.resources.models import Chapter, KnowledgePoint, Licence, ResourceType, SharingScope, TextbookEdition
from zhijiao.resources.services import ResourceData

BLANK = [("", "请选择")]


def _area(edition: TextbookEdition) -> str:
    """初中数学: the 学段 and 学科 of an edition, to tell 人教版 八年级上册 of one subject from another's."""
    return f"{code_name('stage', edition.stage)}{code_name('subject', edition.subject)}"


class ResourceForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    type = forms.ChoiceField(label="资源类型", choices=BLANK + ResourceType.choices)
    stage = forms.ChoiceField(label="学段", choices=BLANK + code_choices("stage"))
    subject = forms.ChoiceField(label="学科", choices=BLANK + code_choices("subject"))
    grade = forms.ChoiceField(label="年级", choices=[("", "不限"), *code_choices("grade")], required=False)
    chapter = forms.ModelChoiceField(
        label="教材章节",
        queryset=Chapter.objects.select_related("volume__edition", "parent"),
        required=False,
        empty_label="不关联章节",
    )
    knowledge_points = forms.ModelMultipleChoiceField(
        label="知识点", queryset=KnowledgePoint.objects.all(), required=False
    )
    description = forms.CharField(label="简介", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    keywords = forms.CharField(label="关键词", max_length=200, required=False, help_text="以逗号或空格分隔")
    licence = forms.ChoiceField(label="授权方式", choices=Licence.choices, initial=Licence.REGION)
    sharing = forms.ChoiceField(label="共享范围", choices=SharingScope.choices, initial=SharingScope.SCHOOL)
    file = forms.FileField(label="文件", required=False)
    # set by upload.js once a resumable upload (resources.uploads) finished: the file is already on the server
    upload_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chapter"].label_from_instance = (  # type: ignore[attr-defined]
            lambda c: f"{c.volume.edition.name} {_area(c.volume.edition)} {c.volume.name} · {c.label}"
        )
        self.fields["file"].help_text = (
            f"支持断点续传，单个文件不超过 {settings.ZHIJIAO_RESOURCE_UPLOAD_MAX_MB // 1024} GB"
            f"（浏览器未启用脚本时不超过 {settings.ZHIJIAO_RESOURCE_MAX_MB} MB）"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and upload.size > settings.ZHIJIAO_RESOURCE_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(f"文件超过 {settings.ZHIJIAO_RESOURCE_MAX_MB} MB 的上限")
        return upload

    def clean(self):
        cleaned = super().clean() or {}
        if not cleaned.get("file") and not cleaned.get("upload_id") and "file" not in self.errors:
            self.add_error("file", "请选择文件")
        chapter, stage, subject = cleaned.get("chapter"), cleaned.get("stage"), cleaned.get("subject")
        if chapter and stage and subject:  # several subjects have a 八年级上册 now
            edition = chapter.volume.edition
            if (edition.stage, edition.subject) != (stage, subject):
                self.add_error("chapter", f"所选章节属于{_area(edition)}，与所填学段、学科不一致")
        return cleaned

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
            chapter=d["chapter"],
            knowledge_points=list(d["knowledge_points"]),
        )
