"""Platform-wide primitives that belong to no single domain."""

from __future__ import annotations

from django.db import models


class FeedCounter(models.Model):
    """The change feed's clock: one row whose value is the last sequence number handed out.

    Writers take numbers inside their own transaction, so the row lock orders feed numbers the same way
    commits happen and a reader paging by ``feed_seq > cursor`` never skips a record committed later.
    """

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "变更序号"
        verbose_name_plural = "变更序号"

    def __str__(self) -> str:
        return str(self.value)


class FeedMixin(models.Model):
    """Lineage and change-feed columns for registry records.

    ``origin`` names where the record was created (``import:12#45`` = batch 12, row 45; ``web``; ``api``;
    ``demo``); later changes are in ``people.ChangeRecord``. ``feed_seq`` is the change-feed position of the
    record's latest write.
    """

    origin = models.CharField("来源", max_length=64, blank=True)
    feed_seq = models.BigIntegerField("变更序号", default=0, db_index=True)

    class Meta:
        abstract = True
