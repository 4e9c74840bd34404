"""The core library's one table: live events crossing processes when there is no Redis."""

from django.db import models
from django.utils import timezone


class OutboxEvent(models.Model):
    """A live event published by a process that holds no sockets (the job runner) on the
    embedded default, where there is no Redis pub/sub: every server's hub reads the rows added
    since it started (`core.streaming`). Rows live a few minutes (`core.realtime`)."""

    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="outbox_created_idx")]

    def __str__(self) -> str:
        return f"live event {self.pk}"
