"""Re-seal the audit log under the audit key (HMAC-SHA256 over every column, the actor's id included).

Events written before this migration were chained with an unkeyed SHA-256 that left ``actor_id`` out. The old
chain is verified first, then every event is re-sealed in id order from the chain's start (the retention anchor),
and the re-sealing itself is recorded as ``audit.reseal``, saying whether the old chain was intact: a re-seal
never hides tampering that happened before it.
"""

from django.conf import settings
from django.db import migrations

from zhijiao.audit.chain import CONTENT_FIELDS, LEGACY_CONTENT_FIELDS, event_digest, legacy_digest

PAGE = 2000


def _pages(AuditEvent, fields):
    last_id = 0
    while True:
        # pages read whole before writing: SQLite gives no isolation between a cursor and writes on one connection
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id").values_list(*fields)[:PAGE])
        if not rows:
            return
        yield rows
        last_id = rows[-1][-1]


def reseal(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    head, _ = AuditChainHead.objects.get_or_create(pk=1)
    if not AuditEvent.objects.exists():
        return
    key = settings.ZHIJIAO_AUDIT_KEY

    broken: list[int] = []
    expected, last = head.anchor_hash, 0
    for rows in _pages(AuditEvent, ("prev_hash", "hash", *LEGACY_CONTENT_FIELDS)):
        for prev_hash, stored, *content in rows:
            if prev_hash != expected or legacy_digest(prev_hash, content) != stored:
                broken.append(content[-1])
            expected, last = stored, content[-1]
    if (last, expected) != (head.last_id, head.last_hash):
        broken.append(last)

    prev, count = head.anchor_hash, 0
    for rows in _pages(AuditEvent, CONTENT_FIELDS):
        sealed = []
        for row in rows:
            digest = event_digest(key, prev, row)
            sealed.append(AuditEvent(id=row[-1], prev_hash=prev, hash=digest))
            prev = digest
        AuditEvent.objects.bulk_update(sealed, ["prev_hash", "hash"], batch_size=500)
        count += len(rows)

    if broken:
        named = "、".join(f"#{i}" for i in broken[:5]) + ("等" if len(broken) > 5 else "")
        state = f"重新封存前原哈希链有 {len(broken)} 处异常：{named}"
    else:
        state = "重新封存前原哈希链完整"
    event = AuditEvent.objects.create(
        action="audit.reseal",
        target_type="audit_event",
        target_id=str(last),
        target_label=f"以审计密钥重新封存 {count} 条审计日志，{state}"[:128],
        channel="cli",
        prev_hash=prev,
    )
    row = AuditEvent.objects.filter(pk=event.pk).values_list(*CONTENT_FIELDS).get()
    digest = event_digest(key, prev, row)
    AuditEvent.objects.filter(pk=event.pk).update(hash=digest)
    AuditChainHead.objects.filter(pk=1).update(last_id=event.pk, last_hash=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_chain"),
    ]

    operations = [
        migrations.RunPython(reseal, migrations.RunPython.noop),
    ]
