"""Papers (组卷): manual assembly, assembly from a 双向细目表, preview and key; who sees and changes a paper."""

from __future__ import annotations

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.learning import paper_selectors, paper_services
from zhijiao.learning.assembly import Target
from zhijiao.learning.models import Paper, PaperItem
from zhijiao.learning.tests.conftest import ORIGIN, approve, make_item, math_point
from zhijiao.testing import login_as


@pytest.fixture
def accounts(region):
    return region.accounts


@pytest.fixture
def bank(accounts):
    """Approved 初中数学 items of school A: four 单选 (two on one knowledge point), two 填空, one draft."""
    teacher, principal = accounts["teacher"], accounts["principal"]
    point = math_point()
    items = []
    for i in range(4):
        extra = {"knowledge_points": [point]} if i < 2 else {}
        items.append(
            approve(make_item(teacher, stem=f"第{i}题：$x+{i}=0$ 的解是（  ）", difficulty=3, **extra), principal)
        )
    for i in range(2):
        items.append(
            approve(
                make_item(teacher, type="blank", stem=f"填空{i}：$2+{i}=$____", options=[], answer=[[str(2 + i)]]),
                principal,
            )
        )
    draft = make_item(teacher, stem="草稿题：$1+1=$（  ）")
    return {"point": point, "items": items, "draft": draft}


def new_paper(teacher) -> Paper:
    return paper_services.paper_create(
        actor=teacher, title="第一单元测验", stage="3", subject="14", grade="", origin=ORIGIN
    )


def test_manual_assembly_pins_versions_and_sums_points(accounts, bank):
    teacher = accounts["teacher"]
    paper = new_paper(teacher)
    single, blank = bank["items"][0], bank["items"][4]
    paper_services.paper_add_item(actor=teacher, paper=paper, item_id=blank.pk, origin=ORIGIN)
    e1 = paper_services.paper_add_item(actor=teacher, paper=paper, item_id=single.pk, origin=ORIGIN)
    assert e1.version_id == single.approved_version_id and e1.points == single.approved_version.points
    with pytest.raises(ZhijiaoError, match="已在试卷中"):
        paper_services.paper_add_item(actor=teacher, paper=paper, item_id=single.pk, origin=ORIGIN)
    with pytest.raises(ZhijiaoError, match="审核通过"):
        paper_services.paper_add_item(actor=teacher, paper=paper, item_id=bank["draft"].pk, origin=ORIGIN)
    view = paper_selectors.paper_view(paper)
    assert [s.title for s in view.sections] == ["一、单选题", "二、填空题"]  # by type, whatever the adding order
    assert view.count == 2 and view.total == 6
    paper_services.paper_set_points(actor=teacher, paper=paper, points={e1.pk: "4.5"}, origin=ORIGIN)
    assert paper_selectors.paper_view(paper).total == 7.5
    with pytest.raises(ZhijiaoError, match="第 1 题分值"):
        paper_services.paper_set_points(actor=teacher, paper=paper, points={e1.pk: "abc"}, origin=ORIGIN)
    assert PaperItem.objects.get(pk=e1.pk).points == 4.5  # nothing changed
    assert AuditEvent.objects.filter(action="paper.update").count() == 3
    paper_services.paper_set_status(actor=teacher, paper=paper, ready=True, origin=ORIGIN)
    with pytest.raises(ZhijiaoError, match="已定稿"):  # a ready paper is locked until reopened
        paper_services.paper_remove_entry(actor=teacher, paper=paper, entry_id=e1.pk, origin=ORIGIN)
    paper_services.paper_set_status(actor=teacher, paper=paper, ready=False, origin=ORIGIN)
    paper_services.paper_remove_entry(actor=teacher, paper=paper, entry_id=e1.pk, origin=ORIGIN)
    assert paper_selectors.paper_view(paper).count == 1


def test_reorder_within_a_section(accounts, bank):
    teacher = accounts["teacher"]
    paper = new_paper(teacher)
    entries = [
        paper_services.paper_add_item(actor=teacher, paper=paper, item_id=i.pk, origin=ORIGIN)
        for i in bank["items"][:3]
    ]
    paper_services.paper_move_entry(actor=teacher, paper=paper, entry_id=entries[2].pk, up=True, origin=ORIGIN)
    order = [e.pk for e in paper_selectors.paper_view(paper).sections[0].entries]
    assert order == [entries[0].pk, entries[2].pk, entries[1].pk]


def test_blueprint_assembly_meets_targets_and_reports_shortfalls(accounts, bank):
    teacher, point = accounts["teacher"], bank["point"]
    targets = [
        Target("single", 2, point_id=point.pk, point_name=point.name, difficulty=3),
        Target("single", 2),
        Target("blank", 3, points=4),
    ]
    paper, result = paper_services.paper_assemble(
        actor=teacher, title="细目表组卷", stage="3", subject="14", grade="", targets=targets, seed=5, origin=ORIGIN
    )
    assert result.shortfalls == ["不限知识点 不限难度 填空题 缺1题"]
    entries = list(paper.entries.select_related("item"))
    assert len(entries) == 6 and len({e.item_id for e in entries}) == 6
    on_point = {e.item_id for e in entries if point in e.item.knowledge_points.all()}
    assert on_point == {bank["items"][0].pk, bank["items"][1].pk}
    assert bank["draft"].pk not in {e.item_id for e in entries}  # only approved items
    assert sorted(float(e.points) for e in entries) == [3, 3, 3, 3, 4, 4]
    assert paper.seed == 5 and paper.blueprint[0]["point"] == point.pk


def test_a_teacher_sees_own_schools_papers_only(accounts, bank):
    paper = new_paper(accounts["teacher"])
    paper_services.paper_add_item(actor=accounts["teacher"], paper=paper, item_id=bank["items"][0].pk, origin=ORIGIN)
    assert paper_selectors.paper_get_for(actor=accounts["head"], paper_id=paper.pk) == paper  # a colleague
    assert paper_selectors.paper_get_for(actor=accounts["principal"], paper_id=paper.pk) == paper
    for name in ("nobody", "student", "parent", "inspector", "bureau"):  # another school; no item bank; a bureau
        with pytest.raises(NotFound):
            paper_selectors.paper_get_for(actor=accounts[name], paper_id=paper.pk)
    with pytest.raises(ZhijiaoError) as exc:  # a colleague reads, only the author changes
        paper_services.paper_remove_entry(actor=accounts["head"], paper=paper, entry_id=1, origin=ORIGIN)
    assert exc.value.status == 403


def test_pages_end_to_end(client, accounts, bank):
    teacher = accounts["teacher"]
    login_as(client, teacher)
    assert client.get("/learning/papers/").status_code == 200
    response = client.post("/learning/papers/new/", {"title": "期中练习", "stage": "3", "subject": "14"})
    paper = Paper.objects.get()
    assert response["Location"] == f"/learning/papers/{paper.pk}/"
    page = client.get(f"/learning/papers/{paper.pk}/?type=single").content.decode()
    assert "从题库选题" in page and "第0题" in page and "填空0" not in page and "草稿题" not in page
    item = bank["items"][0]
    client.post(f"/learning/papers/{paper.pk}/change/", {"op": "add", "item": item.pk})
    entry = paper.entries.get()
    bad = client.post(f"/learning/papers/{paper.pk}/change/", {"op": "points", f"points_{entry.pk}": "-1"}, follow=True)
    assert "第 1 题分值：应在 0.1 到 999 之间" in bad.content.decode()
    preview = client.get(f"/learning/papers/{paper.pk}/preview/").content.decode()
    assert "一、单选题" in preview and "第0题：$x+0=0$" in preview and "满分 3 分" in preview
    assert "答案：" not in preview and "vendor/katex/katex.min.js" in preview
    key = client.get(f"/learning/papers/{paper.pk}/key/").content.decode()
    assert "参考答案" in key and '<td class="math">A</td>' in key
    auto = client.post(
        "/learning/papers/auto/",
        {"title": "细目表", "stage": "3", "subject": "14", "type_1": "blank", "count_1": "5", "seed": "1"},
    )
    assert auto.status_code == 200 and "不限知识点 不限难度 填空题 缺3题" in auto.content.decode()
    assert Paper.objects.count() == 1  # a shortfall is shown before anything is saved
    bad_row = client.post("/learning/papers/auto/", {"title": "细目表", "type_2": "single", "count_2": "x"})
    assert bad_row.status_code == 400 and "第 2 行：题数应为 1 到 50 的整数" in bad_row.content.decode()
    ok = client.post(
        "/learning/papers/auto/",
        {
            "title": "细目表",
            "stage": "3",
            "subject": "14",
            "type_1": "blank",
            "count_1": "5",
            "seed": "1",
            "accept": "1",
        },
    )
    assert ok.status_code == 302 and Paper.objects.count() == 2
    login_as(client, accounts["student"])
    assert client.get("/learning/papers/").status_code == 403
    assert client.get(f"/learning/papers/{paper.pk}/preview/").status_code == 403
    login_as(client, accounts["nobody"])
    assert client.get(f"/learning/papers/{paper.pk}/preview/").status_code == 404


def test_qti_test_export(client, accounts, bank):
    """The paper as a QTI 3.0 package: one section per 大题, items in order, the paper's points as MAXSCORE."""
    import io
    import zipfile
    from xml.etree import ElementTree as ET

    from zhijiao.learning import qti

    teacher = accounts["teacher"]
    paper = new_paper(teacher)
    blank, single = bank["items"][4], bank["items"][0]
    paper_services.paper_add_item(actor=teacher, paper=paper, item_id=blank.pk, origin=ORIGIN)
    entry = paper_services.paper_add_item(actor=teacher, paper=paper, item_id=single.pk, origin=ORIGIN)
    paper_services.paper_set_points(actor=teacher, paper=paper, points={entry.pk: "5"}, origin=ORIGIN)
    login_as(client, accounts["head"])  # a colleague may export what they may see
    response = client.get(f"/learning/papers/{paper.pk}/qti.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data = response.content
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert "imsmanifest.xml" in zf.namelist() and "imsqti_test_xmlv3p0" in zf.read("imsmanifest.xml").decode()
    test = ET.fromstring(zf.read("assessment-test.xml"))  # noqa: S314  (our own output)
    ns = {"q": qti.NS}
    assert test.tag == f"{{{qti.NS}}}qti-assessment-test"
    sections = test.findall(".//q:qti-assessment-section", ns)
    assert [s.get("title") for s in sections] == ["一、单选题", "二、填空题"]
    refs = [r.get("identifier") for r in test.findall(".//q:qti-assessment-item-ref", ns)]
    assert refs == [f"item-{single.pk}-v1", f"item-{blank.pk}-v1"]
    maxscore = test.find("q:qti-outcome-declaration[@identifier='MAXSCORE']/q:qti-default-value/q:qti-value", ns)
    assert maxscore is not None and maxscore.text == "8"
    items = {i.identifier: i for i in qti.read_package(data)}  # the items read back, at the paper's points
    assert items[f"item-{single.pk}-v1"].points == "5" and items[f"item-{blank.pk}-v1"].type == "blank"
    assert AuditEvent.objects.filter(action="paper.export").count() == 1
