"""Move 招生's texts (``services.SmsMessage``) into the platform's outbox (``core.OutboxMessage``), every row kept:
channel ``sms``, source ``services.admission``; a text went out when it was written (``sent_at`` = its time, with
the sender that took it — ``outbox`` for the local outbox only), so no gateway sends an old code again."""

from django.db import migrations

SOURCE = "services.admission"
CHUNK = 2000


def forward(apps, schema_editor):
    Sms = apps.get_model("services", "SmsMessage")
    Outbox = apps.get_model("core", "OutboxMessage")
    rows = []
    fields = ("phone", "text", "purpose", "sender", "created_at")
    for phone, text, purpose, sender, created_at in Sms.objects.order_by("pk").values_list(*fields).iterator(CHUNK):
        rows.append(
            Outbox(
                channel="sms",
                address=phone,
                text=text,
                purpose=purpose,
                source=SOURCE,
                created_at=created_at,
                sent_at=created_at,
                sender=sender or "outbox",
            )
        )
        if len(rows) >= CHUNK:
            Outbox.objects.bulk_create(rows)
            rows = []
    Outbox.objects.bulk_create(rows)


def backward(apps, schema_editor):
    Sms = apps.get_model("services", "SmsMessage")
    Outbox = apps.get_model("core", "OutboxMessage")
    moved = Outbox.objects.filter(channel="sms", source=SOURCE)
    Sms.objects.bulk_create(
        [
            Sms(
                phone=m.address[:11],
                text=m.text,
                purpose=m.purpose,
                sender=m.sender or "outbox",
                created_at=m.created_at,
            )
            for m in moved.order_by("pk").iterator(CHUNK)
        ],
        batch_size=CHUNK,
    )
    moved.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0003_adm_admission"),
        ("core", "0002_outbox_message"),
    ]

    operations = [migrations.RunPython(forward, backward)]
