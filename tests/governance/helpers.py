"""Retention and legal holds in tests: policies, aged content, the job runner's queue."""

from datetime import timedelta

from django.utils import timezone

from feeds.models import Comment, Status
from governance import services


def set_policy(actor, communities=None, **company) -> None:
    services.retention_policies_set(actor=actor, company=company, communities=communities or {})


def age(obj, days: int) -> None:
    """Written `days` ago (the clock moved forward for it)."""
    when = timezone.now() - timedelta(days=days)
    model = type(obj)
    model.objects.filter(pk=obj.pk).update(created_at=when)
    if model in (Status, Comment):
        obj.refresh_from_db()
