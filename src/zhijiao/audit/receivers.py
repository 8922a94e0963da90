"""Log sign-ins and failed sign-ins (Django announces them only through signals) and the imports of apps below
the audit layer that cannot call it (the curriculum's taxonomy files, through ``curriculum.hooks``)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.curriculum.hooks import TaxonomyImported, taxonomy_import_subscribe


@receiver(user_logged_in, dispatch_uid="zhijiao-audit-login")
def _logged_in(sender, request, user, **kwargs) -> None:
    origin = Origin.from_request(request) if request is not None else Origin()
    audit_record(actor=user, action="auth.login", origin=origin, target=Target("account", str(user.pk), user.username))


@receiver(user_login_failed, dispatch_uid="zhijiao-audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    origin = Origin.from_request(request) if request is not None else Origin()
    username = str(credentials.get("username", ""))[:128]
    audit_record(actor=None, action="auth.login_failed", origin=origin, target=Target("account", "", username))


def _taxonomy_imported(event: TaxonomyImported) -> None:
    origin = Origin.from_request(event.request, channel=event.channel) if event.request else Origin(event.channel)
    if event.ok:
        counts = f"{event.rows_in} 行：新增 {event.created}，更新 {event.updated}，未变 {event.unchanged}"
        what = f"{'、'.join(event.editions)}；{counts}" if event.editions else counts
    else:
        what = f"{event.rows_in} 行，{event.rejected} 行需改正，未导入"
    audit_record(
        actor=event.actor,
        action="taxonomy.import" if event.ok else "taxonomy.import_rejected",
        origin=origin,
        target=Target("curriculum_file", event.name[:64], f"课程体系：{event.name}（{what}）"[:128]),
    )


taxonomy_import_subscribe("audit", _taxonomy_imported)
