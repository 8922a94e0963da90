"""Move the notice reminders' outbox (``spaces.OutboxMessage``) into the platform's outbox (``core.OutboxMessage``),
every row kept with its state (``send_after``, ``sent_at``, ``error``): source ``spaces.notice:<id>`` instead of the
foreign keys, e-mail rows get the subject they are sent with. Going back leaves the rows in core (the recipient
account is not kept there)."""

from django.db import migrations

CHUNK = 2000


def forward(apps, schema_editor):
    Old = apps.get_model("spaces", "OutboxMessage")
    Outbox = apps.get_model("core", "OutboxMessage")
    fields = (
        "channel",
        "address",
        "text",
        "created_at",
        "send_after",
        "sent_at",
        "error",
        "notice_id",
        "notice__title",
    )
    rows = []
    for channel, address, text, created_at, send_after, sent_at, error, notice_id, title in (
        Old.objects.order_by("pk").values_list(*fields).iterator(CHUNK)
    ):
        rows.append(
            Outbox(
                channel=channel,
                address=address,
                subject=f"【智教】未读通知提醒：{title}"[:120] if channel == "email" else "",
                text=text,
                purpose="未读通知提醒",
                source=f"spaces.notice:{notice_id}",
                created_at=created_at,
                send_after=send_after,
                sent_at=sent_at,
                sender=channel if sent_at is not None else "",
                error=error,
            )
        )
        if len(rows) >= CHUNK:
            Outbox.objects.bulk_create(rows)
            rows = []
    Outbox.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("spaces", "0005_space_space_homes"),
        ("core", "0002_outbox_message"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
