"""Operating the learning record store (administrators, 应用管理): credentials, lawful deletion, retention.

Every write here checks ``Perm.ADMINISTER_APPS`` and is audited.

**Deletion and xAPI's immutability.** xAPI statements are immutable: an app corrects one by *voiding* it (a new
statement), and a voided statement stays stored and answers ``voidedStatementId``. A lawful request to delete a
learner's data (PIPL art. 47) is stronger: the statements about that learner are removed from the store, of every
app — not voided — and a tombstone (:class:`Erasure`: who asked, the reason, how many, their ids, no content) is
kept with an audit event. Afterwards those ids are 404 to every app, both as statements and as voided statements;
statements of other people that refer to them (StatementRef) stay, pointing at nothing. Retention removes
statements the same way, app by app, once they are older than the app's period.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from zhijiao.access.permissions import Perm, require
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.core.masking import mask_name
from zhijiao.identity.models import Account
from zhijiao.oidc.models import RegisteredApp
from zhijiao.xapi.errors import XapiError
from zhijiao.xapi.learners import about_learner
from zhijiao.xapi.models import Credential, Erasure, Retention, Statement
from zhijiao.xapi.services import SCOPE_READ, SCOPE_WRITE, IssuedCredential, credential_issue

RETENTION_MAX = 120
DELETE_CHUNK = 2000


def learner_label(account: Account) -> str:
    """How a learner is named on the administrators' pages: the masked name (陈**), never the full name."""
    person = getattr(account, "person", None)
    name = (person.name if person else "") or account.display_name or "学习者"
    return mask_name(name)


def _app_label(app: RegisteredApp) -> str:
    return str(app.application.name)


@transaction.atomic
def credential_issue_for(*, actor: Actor, app_id: int, origin: Origin) -> tuple[RegisteredApp, IssuedCredential]:
    """A new key and secret (read and write on the app's own statements) for a registered app; the secret is shown
    once. Audited."""
    require(actor, Perm.ADMINISTER_APPS)
    app = RegisteredApp.objects.select_related("application").filter(pk=app_id).first()
    if app is None:
        raise NotFound()
    issued = credential_issue(app=app, scopes=(SCOPE_READ, SCOPE_WRITE))
    audit_record(
        actor=actor,
        action="xapi.credential_issue",
        origin=origin,
        target=Target("xapi_app", str(app.pk), _app_label(app)),
    )
    return app, issued


@transaction.atomic
def credential_revoke(*, actor: Actor, credential_id: int, origin: Origin) -> Credential:
    """Stop a key: every request with it is refused (401) from now on. Audited."""
    require(actor, Perm.ADMINISTER_APPS)
    credential = Credential.objects.select_related("app__application").filter(pk=credential_id).first()
    if credential is None:
        raise NotFound()
    if not credential.is_active:
        raise ZhijiaoError(XapiError.XAPI_CREDENTIAL_GONE, status=409)
    credential.is_active = False
    credential.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="xapi.credential_revoke",
        origin=origin,
        target=Target("xapi_app", str(credential.app_id), f"{_app_label(credential.app)}（{credential.key[:6]}…）"),
    )
    return credential


def _delete(qs: QuerySet[Statement]) -> list[str]:
    """Delete these statements (their links go with them) in chunks; returns their ids."""
    ids: list[str] = []
    while True:
        chunk = list(qs.values_list("pk", "statement_id")[:DELETE_CHUNK])
        if not chunk:
            return ids
        Statement.objects.filter(pk__in=[pk for pk, _ in chunk]).delete()
        ids.extend(str(sid) for _, sid in chunk)


@transaction.atomic
def learner_erase(*, actor: Actor, account_id: int, reason: str, origin: Origin) -> Erasure:
    """Delete every statement about this learner (of every app) on a lawful request; keep a tombstone. Audited."""
    require(actor, Perm.READ_LEARNING_RECORDS)
    reason = (reason or "").strip()
    if not 5 <= len(reason) <= 500:
        raise ZhijiaoError(XapiError.XAPI_REASON_REQUIRED, field="删除依据")
    account = Account.objects.select_related("person").filter(pk=account_id).first()
    if account is None:
        raise NotFound()
    # a Group's statements too: they name the learner as a member (immutable: removed for every member)
    ids = _delete(Statement.objects.filter(about_learner(account.pk)))
    label = learner_label(account)
    erasure = Erasure.objects.create(
        learner_id_kept=account.pk,
        learner_label=label,
        reason=reason,
        count=len(ids),
        statement_ids=ids,
        by_id=actor.pk,
    )
    audit_record(
        actor=actor,
        action="xapi.learner_erase",
        origin=origin,
        target=Target("xapi_learner", str(account.pk), f"{label}：删除 {len(ids)} 条（{reason[:40]}）"),
    )
    return erasure


@transaction.atomic
def retention_set(*, actor: Actor, app_id: int, months: object, origin: Origin) -> Retention:
    """Keep this app's statements ``months`` months (0: without limit). Audited."""
    require(actor, Perm.ADMINISTER_APPS)
    try:
        value = int(str(months).strip())
    except ValueError:
        raise ZhijiaoError(XapiError.XAPI_RETENTION_RANGE, field="保留月数") from None
    if not 0 <= value <= RETENTION_MAX:
        raise ZhijiaoError(XapiError.XAPI_RETENTION_RANGE, field="保留月数", detail=f"收到 {value}")
    app = RegisteredApp.objects.select_related("application").filter(pk=app_id).first()
    if app is None:
        raise NotFound()
    rule, _ = Retention.objects.update_or_create(app=app, defaults={"months": value, "updated_by_id": actor.pk})
    audit_record(
        actor=actor,
        action="xapi.retention_set",
        origin=origin,
        target=Target("xapi_app", str(app.pk), f"{_app_label(app)}：{value or '长期'}{'个月' if value else ''}"),
    )
    return rule


def retention_apply(*, actor: Actor | None, now=None) -> int:
    """Remove the statements older than their app's retention period; one audit event per app that lost any.
    Run nightly by the worker (``tasks.retention_task``) and by ``zhijiao xapi retention``."""
    now = now or timezone.now()
    total = 0
    for rule in Retention.objects.filter(months__gt=0).select_related("app__application"):
        cutoff = now - timedelta(days=30 * rule.months)
        with transaction.atomic():
            ids = _delete(Statement.objects.filter(app_id=rule.app_id, stored__lt=cutoff))
            if ids:
                audit_record(
                    actor=actor,
                    action="xapi.retention_apply",
                    origin=Origin(channel="job" if actor is None else "cli"),
                    target=Target(
                        "xapi_app",
                        str(rule.app_id),
                        f"{_app_label(rule.app)}：删除 {len(ids)} 条超过 {rule.months} 个月的记录",
                    ),
                )
        total += len(ids)
    return total
