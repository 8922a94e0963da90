"""Writes about minors' data: a bureau's consent policy, a guardian's consent and its withdrawal.

Consent rows are append-only in meaning: withdrawing stamps ``withdrawn_at``/``withdrawn_by`` on the active
row and a new consent is a new row. Every change is in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.oidc.models import RegisteredApp
from zhijiao.org.models import Division
from zhijiao.people.models import Guardianship, Student
from zhijiao.privacy.errors import PrivacyError
from zhijiao.privacy.models import ConsentPolicy, GuardianConsent
from zhijiao.privacy.selectors import minor_consent_missing


def _guardian_of(actor, student: Student) -> bool:
    person_id = getattr(actor, "person_id", None)
    return person_id is not None and Guardianship.objects.filter(guardian_id=person_id, student=student).exists()


def _consent_target(consent: GuardianConsent, suffix: str = "") -> Target:
    app_name = str(consent.app) if consent.app_id else "全部平台服务"
    return Target("student", str(consent.student_id), f"{consent.student.person.name} → {app_name}{suffix}")


@transaction.atomic
def consent_grant(
    *, actor: Actor, student: Student, app=None, scopes: Sequence[str] = (), origin: Origin
) -> GuardianConsent:
    """A guardian agrees that ``app`` (None: every platform service) may receive the child's data.

    Only the child's guardians (their account's person is a guardian in the registry) may consent; a second
    consent while one is active is refused. Audited as ``privacy.consent_grant``.
    """
    if not _guardian_of(actor, student):
        raise ZhijiaoError(PrivacyError.PRIVACY_NOT_GUARDIAN, status=403)
    if GuardianConsent.objects.filter(student=student, app=app, withdrawn_at__isnull=True).exists():
        raise ZhijiaoError(PrivacyError.PRIVACY_CONSENT_EXISTS, status=409)
    try:
        with transaction.atomic():
            consent = GuardianConsent.objects.create(
                student=student, guardian_id=actor.pk, app=app, scopes=list(scopes), granted_ip=origin.ip
            )
    except IntegrityError as exc:  # a concurrent consent won the race; the constraint keeps one active
        raise ZhijiaoError(PrivacyError.PRIVACY_CONSENT_EXISTS, status=409) from exc
    audit_record(
        actor=actor, action="privacy.consent_grant", origin=origin, target=_consent_target(consent), fields=scopes
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Actor, consent_id: int, origin: Origin) -> GuardianConsent:
    """A guardian of the child withdraws an active consent (history kept). Audited as ``privacy.consent_withdraw``."""
    consent = (
        GuardianConsent.objects.select_for_update(of=("self",))
        .select_related("student__person", "app__application")
        .filter(pk=consent_id)
        .first()
    )
    if consent is None or not _guardian_of(actor, consent.student):
        raise NotFound()
    if consent.withdrawn_at is not None:
        raise ZhijiaoError(PrivacyError.PRIVACY_CONSENT_NOT_ACTIVE, status=409)
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by_id = actor.pk
    consent.withdrawn_ip = origin.ip
    GuardianConsent.objects.filter(pk=consent.pk).update(
        withdrawn_at=consent.withdrawn_at, withdrawn_by_id=actor.pk, withdrawn_ip=origin.ip
    )
    revoked = _tokens_revoke_unconsented(consent)
    audit_record(
        actor=actor,
        action="privacy.consent_withdraw",
        origin=origin,
        target=_consent_target(consent, suffix=f"，吊销令牌 {revoked} 个" if revoked else ""),
        fields=consent.scopes,
    )
    return consent


def _tokens_revoke_unconsented(consent: GuardianConsent) -> int:
    """After a withdrawal, the child's tokens at every app that now lacks the consent it needs are revoked,
    so the app stops receiving the child's data at once rather than when its tokens expire."""
    account = Account.objects.filter(person_id=consent.student.person_id).first()
    if account is None:
        return 0
    apps = [consent.app] if consent.app is not None else list(RegisteredApp.objects.select_related("application"))
    applications = [app.application for app in apps if minor_consent_missing(account=account, app=app)]
    if not applications:
        return 0
    get_grant_model().objects.filter(user=account, application__in=applications).delete()
    get_refresh_token_model().objects.filter(user=account, application__in=applications).delete()
    revoked, _ = get_access_token_model().objects.filter(user=account, application__in=applications).delete()
    return revoked


@transaction.atomic
def consent_policy_set(
    *, actor: Actor | None, division: Division, require_app_consent: bool, origin: Origin | None = None
) -> ConsentPolicy:
    """Set whether third-party apps need a guardian's consent for pupils under the consent age in ``division``'s
    subtree. ``actor`` None is the operator (CLI, demo); otherwise a platform administrator or a region
    administrator at or above the division. Audited as ``privacy.policy_set``."""
    if actor is not None:
        scope = scope_for(actor)
        bureaus = scope.divisions(Role.REGION_ADMIN)
        if not scope.is_platform_admin and not any(division.code.startswith(code) for code in bureaus):
            raise Forbidden(division.name)
    policy, _ = ConsentPolicy.objects.update_or_create(
        division=division, defaults={"require_app_consent": require_app_consent, "updated_by": actor}
    )
    audit_record(
        actor=actor,
        action="privacy.policy_set",
        origin=origin or Origin(channel="cli"),
        target=Target(
            "division", division.code, f"{division.name}：{'须监护人同意' if require_app_consent else '无需同意'}"
        ),
    )
    return policy
