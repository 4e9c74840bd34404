"""Retention and legal holds in tests: policies, aged content, the job runner's queue."""

import importlib
from datetime import timedelta

from django.test import TestCase
from django.utils import timezone
from django_q.models import OrmQ
from django_q.signing import SignedPackage

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


def run_jobs(limit: int = 200) -> list:
    """Run the queued jobs (django-q2's ORM queue) in this process, as a worker would, until
    none is left; returns their results."""
    results = []
    for _ in range(limit):
        row = OrmQ.objects.order_by("pk").first()
        if row is None:
            return results
        task = SignedPackage.loads(row.payload)
        row.delete()
        module, name = task["func"].rsplit(".", 1)
        func = getattr(importlib.import_module(module), name)
        with TestCase.captureOnCommitCallbacks(execute=True):
            results.append(func(*task["args"], **task["kwargs"]))
    raise AssertionError("jobs keep queueing jobs")
