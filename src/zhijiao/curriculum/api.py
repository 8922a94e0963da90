"""The taxonomy over the API (``/api/v1/curriculum/…``), read-only: editions with their books, one book's tree.

No ``from __future__ import annotations`` here: django-ninja reads the real types. ``config.api`` mounts the
router with the resource centre's auth (``resources:read``); who may read is asked with ``has_perm`` as on the
pages.
"""

from django.http import HttpRequest
from ninja import Router, Schema

from zhijiao.core.codes import code_name
from zhijiao.core.errors import Forbidden, NotFound
from zhijiao.core.params import DbId
from zhijiao.curriculum import selectors
from zhijiao.curriculum.models import TextbookEdition, TextbookVolume
from zhijiao.curriculum.permissions import VIEW
from zhijiao.curriculum.selectors import TreeNode

router = Router(tags=["课程体系"])


class VolumeOut(Schema):
    id: int
    code: str
    name: str
    grade: str
    term: str


class EditionOut(Schema):
    id: int
    code: str
    name: str
    publisher: str
    subject: str
    subject_name: str
    stage: str
    stage_name: str
    volumes: list[VolumeOut]

    @staticmethod
    def resolve_subject_name(obj: TextbookEdition) -> str:
        return code_name("subject", obj.subject)

    @staticmethod
    def resolve_stage_name(obj: TextbookEdition) -> str:
        return code_name("stage", obj.stage)

    @staticmethod
    def resolve_volumes(obj: TextbookEdition) -> list[TextbookVolume]:
        return list(obj.volumes.all())


class PointOut(Schema):
    id: int
    code: str
    name: str
    aliases: list[str]
    prerequisites: list[str]  # codes


class ChapterOut(Schema):
    id: int
    number: str
    name: str
    label: str
    points: list[PointOut]
    sections: list["ChapterOut"]


class TreeOut(Schema):
    volume: VolumeOut
    edition: str
    chapters: list[ChapterOut]


def _require_reader(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW):
        raise Forbidden()


def _chapter(node: TreeNode) -> dict:
    c = node.chapter
    points = [
        {
            "id": p.pk,
            "code": p.code,
            "name": p.name,
            "aliases": p.aliases,
            "prerequisites": [r.code for r in p.prerequisites.all()],
        }
        for p in node.points
    ]
    return {"id": c.pk, "number": c.number, "name": c.name, "label": c.label, "points": points,
            "sections": [_chapter(s) for s in node.sections]}  # fmt: skip


@router.get("/editions", response=list[EditionOut], summary="教材版本及其册次")
def editions(request: HttpRequest):
    _require_reader(request)
    return list(selectors.edition_overview())


@router.get("/volumes/{volume_id}/tree", response=TreeOut, summary="一册的章节目录与知识点")
def volume_tree(request: HttpRequest, volume_id: DbId):
    _require_reader(request)
    volume = selectors.volume_get(volume_id=volume_id)
    if volume is None:
        raise NotFound()
    tree = selectors.volume_tree(volume=volume)
    return {
        "volume": volume,
        "edition": selectors.edition_label(volume.edition),
        "chapters": [_chapter(n) for n in tree],
    }
