"""The data-integrity self-check behind ``zhijiao check``: facts that constraints alone cannot guarantee."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.checks import run_checks
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Concat

from zhijiao.analytics.models import Snapshot
from zhijiao.audit.selectors import audit_chain_verify
from zhijiao.audit.services import audit_anchor
from zhijiao.core.errors import ZhijiaoError
from zhijiao.core.feed import feed_position
from zhijiao.core.student_status import studying_q
from zhijiao.core.validators import validate_id_number
from zhijiao.intake.models import BatchStatus, ImportBatch
from zhijiao.intake.pipeline import batches_reap
from zhijiao.org.models import Division, School, SchoolClass
from zhijiao.people.models import Enrolment, Guardianship, Person, Staff, Student
from zhijiao.resources.indexing import search_backend
from zhijiao.resources.models import Resource, ResourceStatus
from zhijiao.resources.previews import preview_tools_missing


@dataclass
class CheckResult:
    title: str
    ok: bool
    detail: str
    warning: bool = False  # ok, but the operator should act (printed as 提示; `zhijiao check` still exits 0)

    def as_dict(self) -> dict:
        data = asdict(self)
        if not self.warning:  # the JSON keeps its three keys; "warning" appears only where there is one
            del data["warning"]
        return data


def integrity_report() -> list[CheckResult]:
    results = [
        _django_checks(),
        _migrations(),
        _secret_key(),
        _audit_key(),
        _secure_cookies(),
        _preview_tools(),
        _files_origin(),
    ]
    if not results[1].ok:
        return results
    results += [
        _divisions(),
        _id_numbers(),
        _student_numbers(),
        _enrolments(),
        _head_teachers(),
        _import_batches(),
        _change_feed(),
        _audit_chain(),
        _warehouse_snapshot(),
        _search_index(),
    ]
    return results


def _django_checks() -> CheckResult:
    problems = [m for m in run_checks(include_deployment_checks=False) if m.is_serious()]
    return CheckResult("配置检查", not problems, "通过" if not problems else "；".join(str(p) for p in problems[:5]))


def _migrations() -> CheckResult:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return CheckResult(
        "数据库结构",
        not pending,
        f"{connection.vendor}，全部迁移已应用"
        if not pending
        else f"有 {len(pending)} 个迁移未应用，请运行 zhijiao migrate",
    )


def _secret_key() -> CheckResult:
    configured = bool(os.environ.get("ZHIJIAO_SECRET_KEY"))
    return CheckResult(
        "密钥",
        True,
        "来自环境变量 ZHIJIAO_SECRET_KEY" if configured else "使用 $ZHIJIAO_HOME/secret.key（生产环境建议用环境变量）",
    )


def _preview_tools() -> CheckResult:
    """Resource previews need ffmpeg/ffprobe and poppler-utils on the server; users only see "暂无预览"."""
    missing = preview_tools_missing()
    if not missing:
        return CheckResult("资源预览工具", True, "ffmpeg、ffprobe、pdftoppm、pdfinfo 均已安装")
    packages = "、".join(sorted(set(missing.values())))
    return CheckResult(
        "资源预览工具",
        True,
        f"未找到 {'、'.join(missing)}：相应文件（视频封面与时长、PDF 首页与页数）没有预览。"
        f"请安装 {packages}，再运行 zhijiao manage resources_previews --failed 补生成",
        warning=True,
    )


def _files_origin() -> CheckResult:
    """User files from a separate origin in production (decision 0016)."""
    origin = settings.ZHIJIAO_FILES_ORIGIN
    if origin:
        return CheckResult("用户文件来源", True, f"由独立地址 {origin} 提供")
    if settings.SESSION_COOKIE_SECURE:  # behind TLS, i.e. in production
        return CheckResult(
            "用户文件来源",
            True,
            "上传的文件与平台同源提供（已限制为下载或安全类型）；生产环境建议设置 ZHIJIAO_FILES_ORIGIN 使用独立地址",
            warning=True,
        )
    return CheckResult("用户文件来源", True, "由平台自身提供（生产环境建议设置 ZHIJIAO_FILES_ORIGIN）")


def _audit_key() -> CheckResult:
    configured = bool(os.environ.get("ZHIJIAO_AUDIT_KEY", "").strip())
    return CheckResult(
        "审计密钥",
        True,
        "来自环境变量 ZHIJIAO_AUDIT_KEY"
        if configured
        else "使用 $ZHIJIAO_HOME/audit.key（生产环境请用环境变量，并与数据库分开保存）",
    )


_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1", "testserver"})


def _tls_signs() -> list[str]:
    """What says the site is reached over HTTPS: the settings an operator sets for a TLS front end."""
    signs = [f"ZHIJIAO_CSRF_TRUSTED_ORIGINS 含 {o}" for o in settings.CSRF_TRUSTED_ORIGINS if o.startswith("https://")]
    issuer = str(settings.OAUTH2_PROVIDER.get("OIDC_ISS_ENDPOINT") or "")
    if issuer.startswith("https://"):
        signs.append(f"ZHIJIAO_OIDC_ISSUER 为 {issuer}")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        signs.append("已设置 SECURE_PROXY_SSL_HEADER")
    return signs


def _secure_cookies() -> CheckResult:
    """Behind TLS the session and CSRF cookies must be Secure (ZHIJIAO_SECURE_COOKIES, which also turns on HSTS):
    otherwise one plain-HTTP request (a typed address, a link) hands the session cookie to the network."""
    title = "安全 Cookie"
    if settings.SESSION_COOKIE_SECURE:
        return CheckResult(
            title, True, "已开启（ZHIJIAO_SECURE_COOKIES=true），登录 Cookie 只经 HTTPS 发送，并启用 HSTS"
        )
    signs = _tls_signs()
    if signs:
        return CheckResult(
            title,
            False,
            f"站点经 HTTPS 提供服务（{'；'.join(signs)}），但未开启 ZHIJIAO_SECURE_COOKIES："
            "登录 Cookie 可能经明文 HTTP 发送，请设置 ZHIJIAO_SECURE_COOKIES=true",
        )
    public = [h for h in settings.ALLOWED_HOSTS if h not in _LOCAL_HOSTS]
    if public:
        return CheckResult(
            title,
            True,
            f"未开启 ZHIJIAO_SECURE_COOKIES，而站点对 {'、'.join(public[:3])} 提供服务："
            "若经 HTTPS 访问，请设置 ZHIJIAO_SECURE_COOKIES=true",
            warning=True,
        )
    return CheckResult(title, True, "仅本机访问，未开启 ZHIJIAO_SECURE_COOKIES（经 HTTPS 对外服务时须开启）")


def _divisions() -> CheckResult:
    counts = dict(Division.objects.values_list("level").annotate(n=Count("pk")).order_by())
    ok = all(counts.get(level, 0) > 0 for level in (1, 2, 3))
    return CheckResult("行政区划代码", ok, f"省 {counts.get(1, 0)}，市 {counts.get(2, 0)}，县 {counts.get(3, 0)}")


def _id_numbers() -> CheckResult:
    bad = []
    total = 0
    for pk, number in (
        Person.objects.filter(id_type="1", id_number__isnull=False)
        .values_list("pk", "id_number")
        .iterator(chunk_size=5000)
    ):
        total += 1
        try:
            validate_id_number(number)
        except ZhijiaoError as exc:
            bad.append(f"人员#{pk} {exc.code}")
    return CheckResult(
        "身份证号",
        not bad,
        f"已校验 {total} 个" + (f"，{len(bad)} 个无效：{'；'.join(bad[:5])}" if bad else "，全部有效"),
    )


def _student_numbers() -> CheckResult:
    mismatched = (
        Student.objects.filter(student_no__startswith="G", person__id_type="1")
        .exclude(student_no=Concat(Value("G"), F("person__id_number")))
        .count()
    )
    return CheckResult(
        "学籍号",
        mismatched == 0,
        "G字头学籍号与身份证号一致" if not mismatched else f"{mismatched} 个G字头学籍号与身份证号不一致",
    )


def _enrolments() -> CheckResult:
    studying = Student.objects.filter(studying_q())
    without = studying.exclude(enrolments__ended_on__isnull=True).count()
    out_of_step = (
        Enrolment.objects.filter(ended_on__isnull=True).exclude(school_class_id=F("student__school_class_id")).count()
    )
    ok = without == 0 and out_of_step == 0
    return CheckResult(
        "在籍记录",
        ok,
        "每名在读学生恰有一条在读记录，且与当前班级一致"
        if ok
        else f"{without} 名在读学生无在读记录，{out_of_step} 条在读记录与当前班级不一致",
    )


def _head_teachers() -> CheckResult:
    wrong = (
        SchoolClass.objects.filter(head_teacher__isnull=False)
        .filter(~Q(head_teacher__school_id=F("school_id")))
        .count()
    )
    return CheckResult(
        "班主任", wrong == 0, "班主任均为本校教职工" if not wrong else f"{wrong} 个班级的班主任不是本校教职工"
    )


def _import_batches() -> CheckResult:
    """Every finished batch accounts for each row; batches whose process died are marked interrupted."""
    reaped = batches_reap()
    done = ImportBatch.objects.filter(status=BatchStatus.DONE)
    wrong = done.exclude(rows_in=F("created") + F("updated") + F("unchanged") + F("rejected")).count()
    detail = f"{done.count()} 个已完成批次的行数均已对账" if not wrong else f"{wrong} 个批次的行数不相符"
    if reaped:
        detail += f"；{reaped} 个中途中止的批次已标记为“已中断”（未写入任何数据）"
    return CheckResult("数据导入批次", wrong == 0, detail)


def _change_feed() -> CheckResult:
    """No record claims a change-feed position the counter has not handed out (a pull would skip it)."""
    position = feed_position()
    top = max(
        (m.objects.order_by("-feed_seq").values_list("feed_seq", flat=True).first() or 0)
        for m in (School, SchoolClass, Student, Staff, Guardianship)
    )
    return CheckResult(
        "变更序号",
        top <= position,
        f"当前序号 {position}" if top <= position else f"记录序号 {top} 超过计数器 {position}",
    )


def _audit_chain() -> CheckResult:
    """The audit log's keyed hash chain holds and agrees with its anchors outside the database; then anchor it."""
    problems = audit_chain_verify()
    if not problems:
        # only an intact chain is anchored: anchoring a tampered head would vouch for it
        audit_anchor()
        return CheckResult("审计日志", True, "哈希链完整，未发现篡改")
    ids = sorted({p.event_id for p in problems if p.event_id is not None})
    named = "、".join(f"#{i}" for i in ids[:5]) + ("等" if len(ids) > 5 else "")
    return CheckResult(
        "审计日志",
        False,
        f"哈希链有 {len(problems)} 处异常，疑被篡改的记录：{named or '链头'}；"
        + "；".join(p.detail for p in problems[:3]),
    )


def _warehouse_snapshot() -> CheckResult:
    """Statistics pages read the latest warehouse snapshot; without one they show users "正在生成" and queue one,
    which only a running worker takes (decision 0022)."""
    title = "统计快照"
    latest = Snapshot.objects.order_by("-taken_on").first()
    if latest is None:
        return CheckResult(
            title,
            True,
            "尚无数据仓库快照，统计分析页面暂无数据：请确认后台任务进程在运行，或运行 zhijiao analytics snapshot 生成",
            warning=True,
        )
    if not Path(latest.path).is_dir():
        return CheckResult(
            title,
            True,
            f"最新快照（{latest.taken_on:%Y-%m-%d}）的文件已不存在：请运行 zhijiao analytics snapshot 重新生成",
            warning=True,
        )
    return CheckResult(title, True, f"最新快照 {latest.taken_on:%Y-%m-%d}")


def _search_index() -> CheckResult:
    """The resource search falls back to plain matching when its index is empty or unreadable; users are only
    told that full-text search is unavailable, so the rebuild is the operator's to do."""
    title = "资源搜索索引"
    published = Resource.objects.filter(status=ResourceStatus.PUBLISHED).count()
    try:
        indexed = search_backend().num_docs()
    except Exception as exc:  # any failure to open the index is what this check reports
        return CheckResult(
            title, True, f"索引无法读取（{exc}）：请运行 zhijiao manage resources_reindex 重建", warning=True
        )
    if published and not indexed:
        return CheckResult(
            title,
            True,
            f"已发布资源 {published} 条而索引为空，资源中心只能按标题直接匹配："
            "请运行 zhijiao manage resources_reindex 重建索引",
            warning=True,
        )
    return CheckResult(title, True, f"已发布资源 {published} 条，索引 {indexed} 条")
