"""Reach: an announcement to everyone (10,000 people; the quick company's 1,000 in --quick),
by email and web push, against a real SMTP server (aiosmtpd) and a push receiver on loopback.

Measured, one job-runner process doing the work in this process (as one `manage.py worker`
process would, minus its polling):
  * queue: the announcement request (status_announce) plus the announcement job, which
    creates one notification per person in batches of 1,000 and queues the dispatch jobs;
  * dispatch + push: the dispatch jobs (500 notifications each), which queue each person's
    email and send each subscribed browser its encrypted push (aes128gcm, VAPID-signed);
  * email: the outbox collects one email per person and sends them over SMTP, 200 per
    connection.
Everyone is set to "announcement: email immediately, push on" with one subscription each, so
every person gets both. Everything it creates is deleted afterwards.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .common import Result, log


class _Counter:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def add(self) -> None:
        with self.lock:
            self.count += 1


def _smtp(counter: _Counter, port: int):
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            counter.add()
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def _push_receiver(counter: _Counter, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real push service

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            counter.add()
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _run_queued(funcs: set[str]) -> int:
    """Run the queued jobs of `funcs` in this process, oldest first, until none is left."""
    from django_q.models import OrmQ
    from django_q.signing import SignedPackage

    ran = 0
    while True:
        rows = list(OrmQ.objects.order_by("pk")[:100])
        mine = [(row, SignedPackage.loads(row.payload)) for row in rows]
        mine = [(row, task) for row, task in mine if task["func"] in funcs]
        if not mine:
            return ran
        for row, task in mine:
            row.delete()
            module, name = task["func"].rsplit(".", 1)
            getattr(importlib.import_module(module), name)(*task["args"], **task["kwargs"])
            ran += 1


def run(ctx) -> list[Result]:
    import logging

    from django.conf import settings
    from django.utils import timezone

    from bench.servers import free_port
    from feeds.models import Status
    from feeds.services import status_announce, status_create
    from notifications.models import Notification
    from profiles.models import User
    from profiles.permissions import EXECUTIVES
    from reach import services
    from reach.management.commands.vapid_keys import vapid_pair
    from reach.models import EmailDelivery, MailQueueItem, NotificationSettings, PushSubscription
    from reach.preferences import settings_ensure_all

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    smtp_count, push_count = _Counter(), _Counter()
    smtp_port, push_port = free_port(), free_port()
    controller = _smtp(smtp_count, smtp_port)
    receiver = _push_receiver(push_count, push_port)
    public, private = vapid_pair()
    overrides = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": smtp_port,
        "EMAIL_USE_TLS": False,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "VAPID_PUBLIC_KEY": public,
        "VAPID_PRIVATE_KEY": private,
        "WEBHOOK_ALLOW_HOSTS": ["127.0.0.1"],
        "REACH_MAIL_DELAY": 0,
    }
    saved = {k: getattr(settings, k, None) for k in overrides}
    for key, value in overrides.items():
        setattr(settings, key, value)
    author = (
        User.objects.filter(groups__name=EXECUTIVES, is_active=True).order_by("pk").first()
        or User.objects.filter(is_active=True).order_by("pk").first()
    )
    status = None
    try:
        settings_ensure_all()
        people = User.objects.filter(is_active=True).exclude(pk=author.pk).count()
        NotificationSettings.objects.update(email={"announcement": "immediate"}, push={})
        User.objects.filter(is_active=True, email="").update(email="bench@example.com")
        # One browser each; the same keys for all (what is measured is the work, not keygen).
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        key = ec.generate_private_key(ec.SECP256R1())
        import base64

        p256dh = base64.urlsafe_b64encode(
            key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        ).rstrip(b"=")
        auth = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=")
        PushSubscription.objects.filter(endpoint__startswith="http://127.0.0.1:").delete()
        PushSubscription.objects.bulk_create(
            [
                PushSubscription(
                    user_id=pk,
                    endpoint=f"http://127.0.0.1:{push_port}/push/{pk}",
                    p256dh=p256dh.decode(),
                    auth=auth.decode(),
                )
                for pk in User.objects.filter(is_active=True)
                .exclude(pk=author.pk)
                .values_list("pk", flat=True)
            ],
            batch_size=2000,
        )
        status = status_create(author=author, body="Bench: an announcement to everyone")
        log(f"reach: announcing to {people} people")

        started = time.perf_counter()
        status_announce(actor=author, status=status, pinned=True)
        request_s = time.perf_counter() - started
        _run_queued({"reach.jobs.announcement_notify"})
        queue_s = time.perf_counter() - started
        notified = Notification.objects.filter(kind="announcement", target_id=status.pk).count()

        started = time.perf_counter()
        dispatches = _run_queued({"reach.jobs.notifications_dispatch"})
        dispatch_s = time.perf_counter() - started
        queued_mail = MailQueueItem.objects.count()

        started = time.perf_counter()
        counts = {"sent": 0, "failed": 0, "skipped": 0}
        while (
            MailQueueItem.objects.exists()
            or EmailDelivery.objects.filter(
                state="pending", next_attempt_at__lte=timezone.now()
            ).exists()
        ):
            batch = services.mail_flush(limit=500)
            for k, v in batch.items():
                counts[k] += v
            if not any(batch.values()) and not MailQueueItem.objects.exists():
                break
        email_s = time.perf_counter() - started
        time.sleep(0.5)  # the SMTP server's last DATA handlers
        log(
            f"reach: {notified} notifications, {dispatches} dispatch jobs, {queued_mail} emails "
            f"queued, {counts['sent']} sent ({smtp_count.count} received), "
            f"{push_count.count} pushes received"
        )
        n = people
        rows = [
            Result(
                scenario=f"announcement to {n:,}: queue (request + notifications)",
                target="reported",
                passed=None,
                unit="s",
                value=queue_s,
                samples=1,
                notes=f"request {request_s * 1000:.0f} ms; {notified:,} notifications",
            ),
            Result(
                scenario=f"announcement to {n:,}: dispatch + web push",
                target="reported",
                passed=None,
                unit="s",
                value=dispatch_s,
                samples=1,
                notes=f"{push_count.count:,} pushes received, {dispatches} jobs of 500, "
                f"{push_count.count / dispatch_s:.0f} pushes/s",
            ),
            Result(
                scenario=f"announcement to {n:,}: emails over SMTP",
                target="reported",
                passed=None,
                unit="s",
                value=email_s,
                samples=1,
                notes=f"{smtp_count.count:,} received, {counts['failed']} failed, "
                f"{smtp_count.count / email_s:.0f} emails/s",
            ),
        ]
        return rows
    finally:
        if status is not None:
            Notification.objects.filter(kind="announcement", target_id=status.pk).delete()
            Status.objects.filter(pk=status.pk).delete()
        EmailDelivery.objects.filter(created_at__gte=timezone.now() - timedelta(hours=1)).delete()
        MailQueueItem.objects.all().delete()
        PushSubscription.objects.filter(endpoint__startswith="http://127.0.0.1:").delete()
        NotificationSettings.objects.update(email={}, push={})
        for key, value in saved.items():
            setattr(settings, key, value)
        receiver.shutdown()
        controller.stop()


def main() -> None:
    """`python -m bench.reach [--quick]`: this scenario alone, on the bench database as it is
    (its people are the recipients), without the company checks and seed of `python -m bench`."""
    import argparse

    from .__main__ import build_context, setup_django
    from .common import table

    parser = argparse.ArgumentParser(prog="python -m bench.reach")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    ctx = build_context(argparse.Namespace(quick=args.quick, reseed=False))
    setup_django(ctx)
    print(table(run(ctx)))


if __name__ == "__main__":
    main()
