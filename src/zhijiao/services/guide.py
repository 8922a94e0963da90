"""办事指南: the region's services for families, what each needs, how long it takes and where to do it online.

One table, stated once; the public catalogue page renders it. ``url_name`` is the page that starts the service
(None: not online yet, the entry says where to go instead). ``once`` marks 最多跑一次: at most one visit in person.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    code: str
    icon: str
    name: str
    group: str
    who: str
    summary: str
    needs: tuple[str, ...]
    time_limit: str
    visits: str
    once: bool
    url_name: str | None
    sign_in: bool
    offline: str = ""


SERVICES: tuple[Service, ...] = (
    Service(
        code="admission",
        icon="入",
        name="义务教育入学报名",
        group="入学",
        who="适龄儿童的监护人",
        summary="小学一年级、初中一年级新生网上报名，按学区和生源类别审核。",
        needs=("儿童和监护人身份证、户口簿", "房产证明或租赁合同", "居住证、社保缴纳证明（非本地户籍）"),
        time_limit="报名期内提交，10个工作日内公布审核结果",
        visits="0 次（材料网上上传）",
        once=True,
        url_name="services-admission-apply",
        sign_in=True,
    ),
    Service(
        code="lottery",
        icon="摇",
        name="民办学校摇号（电脑派位）结果",
        group="入学",
        who="报名民办学校的家庭",
        summary="报名人数超过招生计划的民办学校由电脑随机派位，公证人员现场监督，结果和验算文件公开。",
        needs=("报名编号",),
        time_limit="派位当日公布",
        visits="0 次",
        once=True,
        url_name=None,
        sign_in=False,
    ),
    Service(
        code="transfer",
        icon="转",
        name="转学",
        group="学籍",
        who="在读学生的监护人或所在学校",
        summary="转到本区域另一所学校就读（区内或跨区）。转出学校、转入学校和教育局依次网上审核，通过后学籍自动转移。",
        needs=("转学理由（如工作调动、搬家）", "转入学校名称", "需要时补充户籍或居住证明"),
        time_limit="各环节 5 个工作日内审核，一般 15 个工作日内办结",
        visits="最多 1 次（到转入学校报到）",
        once=True,
        url_name="services-status-new",
        sign_in=True,
    ),
    Service(
        code="suspend",
        icon="休",
        name="休学",
        group="学籍",
        who="在读学生的监护人或所在学校",
        summary="因病或其他特殊原因暂停学业，一般不超过一年。学校和教育局审核。",
        needs=("休学理由", "因病休学的，二级以上医院诊断证明"),
        time_limit="10 个工作日内办结",
        visits="0 次",
        once=True,
        url_name="services-status-new",
        sign_in=True,
    ),
    Service(
        code="resume",
        icon="复",
        name="复学",
        group="学籍",
        who="休学学生的监护人或所在学校",
        summary="休学期满或情况好转后返校，学校确定编入的班级。",
        needs=("复学申请", "因病休学的，医院康复证明"),
        time_limit="10 个工作日内办结",
        visits="最多 1 次（返校报到）",
        once=True,
        url_name="services-status-new",
        sign_in=True,
    ),
    Service(
        code="withdraw",
        icon="退",
        name="退学（离校）",
        group="学籍",
        who="学生的监护人或所在学校",
        summary="离开本区域的学校且不再转入本区域学校（如出国定居）。义务教育阶段须说明去向。",
        needs=("离校理由和去向说明", "出国的，签证或入学证明"),
        time_limit="10 个工作日内办结",
        visits="0 次",
        once=True,
        url_name="services-status-new",
        sign_in=True,
    ),
    Service(
        code="institutions",
        icon="查",
        name="校外培训机构查询",
        group="查询",
        who="所有家长",
        summary="报名培训班前查询机构是否经审批登记、是否在白名单、最近的检查结果。",
        needs=("机构名称或办学许可证号",),
        time_limit="即时",
        visits="0 次",
        once=True,
        url_name="services-institutions-public",
        sign_in=False,
    ),
)


def service_groups() -> list[tuple[str, list[Service]]]:
    groups: dict[str, list[Service]] = {}
    for service in SERVICES:
        groups.setdefault(service.group, []).append(service)
    return list(groups.items())
