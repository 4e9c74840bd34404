"""Reach: an announcement to 1,000 and to 10,000 people (to the quick company's 1,000 alone in
--quick), by email and web push, against a real SMTP server (aiosmtpd) and a push receiver on
loopback, both in a process of their own (as a mail relay and a push service are: they do not
share this process's interpreter lock).

Measured, one job-runner process doing the work in this process (as one `manage.py worker`
process would, minus its polling):
  * queue: the announcement request (status_announce) plus the announcement job, which
    creates one notification per person in batches of 1,000 and queues the dispatch jobs;
  * dispatch + push: the dispatch jobs (500 notifications each), which queue each person's
    email and send each subscribed browser its encrypted push (aes128gcm, VAPID-signed);
  * email: the outbox collects one email per person and sends them over SMTP, batches of 200
    over one connection per flush.
Everyone is set to "announcement: email immediately, push on" with one subscription each, so
every person gets both. For an announcement to fewer people than the company holds, the others
are marked as told beforehand (an announcement notification each, made before the clock
starts): the announcement job skips them, as it skips anyone it has told already. Everything it
creates is deleted afterwards.

Targets (full run, 10,000 people, one worker process): queued within QUEUE_TARGET_S, every push
sent within PUSH_TARGET_S and every email within EMAIL_TARGET_S of the end of the previous step.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import time
from datetime import timedelta

from .common import Result, log

SIZES = (1_000, 10_000)
REACH_JOBS = {
    "reach.jobs.announcement_notify",
    "reach.jobs.notifications_dispatch",
    "reach.jobs.mail_flush",
}
QUEUE_TARGET_S = 30
PUSH_TARGET_S = 120
EMAIL_TARGET_S = 300


def _serve(smtp_port: int, push_port: int, counters, ready, stop) -> None:
    """The SMTP server and the push receiver, in a process of their own. `counters`: emails
    received, SMTP connections, pushes received."""
    import logging
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    lock = threading.Lock()

    def add(index: int) -> None:
        with lock:
            counters[index] += 1

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            add(0)
            return "250 OK"

    class Counting(Controller):
        def factory(self):
            add(1)
            return super().factory()

    controller = Counting(Handler(), hostname="127.0.0.1", port=smtp_port)
    controller.start()

    class Push(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real push service

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            add(2)
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", push_port), Push)
    receiver.daemon_threads = True
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    with lock:
        counters[1] = 0  # aiosmtpd's own check that it started
    ready.set()
    stop.wait()
    receiver.shutdown()
    controller.stop()


def _run_queued(funcs: set[str]) -> int:
    """Run the queued jobs of `funcs` in this process, oldest first, until none is left."""
    ran = 0
    while True:
        mine = _queued(funcs)
        if not mine:
            return ran
        for row, task in mine:
            row.delete()
            module, name = task["func"].rsplit(".", 1)
            getattr(importlib.import_module(module), name)(*task["args"], **task["kwargs"])
            ran += 1


def _queued(funcs: set[str]) -> list:
    """The queued jobs of `funcs` (whatever else is queued before them), oldest first."""
    from django_q.models import OrmQ
    from django_q.signing import SignedPackage

    found = []
    for row in OrmQ.objects.order_by("pk").iterator(chunk_size=500):
        task = SignedPackage.loads(row.payload)
        if task["func"] in funcs:
            found.append((row, task))
    return found


def _wait_for(counter, index: int, expected: int, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while counter[index] < expected and time.monotonic() < deadline:
        time.sleep(0.05)


def _announce(ctx, size: int, author, push_port: int, counters) -> list[Result]:
    """One announcement to `size` people; its three rows."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from feeds.models import Status
    from feeds.services import status_announce, status_create
    from notifications.models import Notification
    from profiles.models import User
    from reach import services
    from reach.models import EmailDelivery, MailQueueItem, PushSubscription

    everyone = list(
        User.objects.filter(is_active=True)
        .exclude(pk=author.pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    recipients, others = everyone[:size], everyone[size:]
    n = len(recipients)
    # One browser each; the same keys for all (what is measured is the work, not keygen).
    key = ec.generate_private_key(ec.SECP256R1())
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
            for pk in recipients
        ],
        batch_size=2000,
    )
    status = status_create(author=author, body=f"Bench: an announcement to {n:,} people")
    if others:
        at = timezone.now()
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=pk,
                    kind="announcement",
                    actor=author,
                    actor_ids=[author.pk],
                    target_type=ContentType.objects.get_for_model(Status),
                    target_id=status.pk,
                    created_at=at,
                    updated_at=at,
                    read_at=at,
                )
                for pk in others
            ],
            batch_size=2000,
        )
    emails_before, connections_before, pushes_before = counters[0], counters[1], counters[2]
    try:
        log(f"reach: announcing to {n:,} people ({len(others):,} others marked as told)")
        started = time.perf_counter()
        status_announce(actor=author, status=status, pinned=True)
        request_s = time.perf_counter() - started
        _run_queued({"reach.jobs.announcement_notify"})
        queue_s = time.perf_counter() - started
        notified = Notification.objects.filter(
            kind="announcement", target_id=status.pk
        ).count() - len(others)

        started = time.perf_counter()
        dispatches = _run_queued({"reach.jobs.notifications_dispatch"})
        dispatch_s = time.perf_counter() - started
        _wait_for(counters, 2, pushes_before + n)
        pushes = counters[2] - pushes_before
        queued_mail = MailQueueItem.objects.count()

        started = time.perf_counter()
        counts = {"sent": 0, "failed": 0, "skipped": 0}
        flushes = 0
        while (
            MailQueueItem.objects.exists()
            or EmailDelivery.objects.filter(
                state="pending", next_attempt_at__lte=timezone.now()
            ).exists()
        ):
            batch = services.mail_flush(limit=500)
            flushes += 1
            for k, v in batch.items():
                counts[k] += v
            if not any(batch.values()) and not MailQueueItem.objects.exists():
                break
        email_s = time.perf_counter() - started
        _wait_for(counters, 0, emails_before + counts["sent"])
        emails = counters[0] - emails_before
        connections = counters[1] - connections_before
        log(
            f"reach {n:,}: {notified:,} notifications, {dispatches} dispatch jobs, "
            f"{queued_mail:,} emails queued, {counts['sent']:,} sent ({emails:,} received over "
            f"{connections} SMTP connections, {flushes} flushes), {pushes:,} pushes received"
        )
    finally:
        Notification.objects.filter(kind="announcement", target_id=status.pk).delete()
        Status.objects.filter(pk=status.pk).delete()
        EmailDelivery.objects.filter(created_at__gte=timezone.now() - timedelta(hours=1)).delete()
        MailQueueItem.objects.all().delete()
        PushSubscription.objects.filter(endpoint__startswith="http://127.0.0.1:").delete()

    log(
        f"reach {n:,}: queue {queue_s:.2f} s ({notified / queue_s:,.0f} notifications/s), "
        f"dispatch + push {dispatch_s:.2f} s ({pushes / dispatch_s:,.0f} pushes/s), "
        f"emails {email_s:.2f} s ({emails / email_s:,.0f} emails/s)"
    )
    judged = not ctx.quick and size == max(SIZES)
    everyone_reached = emails == n and pushes == n and notified == n

    def verdict(seconds: float, target: float) -> bool | None:
        return (seconds <= target and everyone_reached) if judged else None

    def target(seconds: float) -> str:
        return f"<= {seconds} s" if judged else "reported"

    return [
        Result(
            scenario=f"announcement to {n:,}: queue (request + notifications)",
            target=target(QUEUE_TARGET_S),
            passed=verdict(queue_s, QUEUE_TARGET_S),
            unit="s",
            value=queue_s,
            samples=1,
            notes=f"request {request_s * 1000:.0f} ms; {notified:,} notifications, "
            f"{notified / queue_s:,.0f}/s",
        ),
        Result(
            scenario=f"announcement to {n:,}: dispatch + web push",
            target=target(PUSH_TARGET_S),
            passed=verdict(dispatch_s, PUSH_TARGET_S),
            unit="s",
            value=dispatch_s,
            samples=1,
            notes=f"{pushes:,} pushes received, {dispatches} jobs of 500, "
            f"{pushes / dispatch_s:,.0f} pushes/s",
        ),
        Result(
            scenario=f"announcement to {n:,}: emails over SMTP",
            target=target(EMAIL_TARGET_S),
            passed=verdict(email_s, EMAIL_TARGET_S),
            unit="s",
            value=email_s,
            samples=1,
            notes=f"{emails:,} received over {connections} SMTP connection(s), "
            f"{counts['failed']} failed, {emails / email_s:,.0f} emails/s",
        ),
    ]


def run(ctx) -> list[Result]:
    from django.conf import settings
    from django_q.models import OrmQ

    from bench.servers import free_port
    from profiles.models import User
    from profiles.permissions import EXECUTIVES
    from reach.management.commands.vapid_keys import vapid_pair
    from reach.models import NotificationSettings
    from reach.preferences import settings_ensure_all

    smtp_port, push_port = free_port(), free_port()
    spawn = multiprocessing.get_context("spawn")
    counters = spawn.Array("q", 3, lock=False)  # emails, SMTP connections, pushes
    ready, stop = spawn.Event(), spawn.Event()
    servers = spawn.Process(
        target=_serve, args=(smtp_port, push_port, counters, ready, stop), daemon=True
    )
    servers.start()
    if not ready.wait(30):
        servers.kill()
        raise RuntimeError("the SMTP server and push receiver did not start")
    public, private = vapid_pair()
    overrides = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": smtp_port,
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
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
    rows: list[Result] = []
    try:
        # The seed's notifications left their dispatch jobs queued (no worker ran): they are
        # dropped, or they would be measured with the announcement's.
        stale = _queued(REACH_JOBS)
        if stale:
            log(f"reach: dropping {len(stale):,} reach jobs queued before the run")
            OrmQ.objects.filter(pk__in=[row.pk for row, _ in stale]).delete()
        settings_ensure_all()
        NotificationSettings.objects.update(email={"announcement": "immediate"}, push={})
        User.objects.filter(is_active=True, email="").update(email="bench@example.com")
        people = User.objects.filter(is_active=True).exclude(pk=author.pk).count()
        wanted = ctx.shared.get("reach_sizes") or (SIZES[:1] if ctx.quick else SIZES)
        sizes = sorted({min(size, people) for size in wanted})
        for size in sizes:
            rows.extend(_announce(ctx, size, author, push_port, counters))
        return rows
    finally:
        # A flush that reached its limit queued another (as in production): not left behind.
        OrmQ.objects.filter(pk__in=[row.pk for row, _ in _queued(REACH_JOBS)]).delete()
        NotificationSettings.objects.update(email={}, push={})
        for key, value in saved.items():
            setattr(settings, key, value)
        stop.set()
        servers.join(10)
        if servers.is_alive():
            servers.kill()


def main() -> None:
    """`python -m bench.reach [--quick] [--sizes 1000,10000]`: this scenario alone, on the bench
    database as it is (its people are the recipients), without the company checks and seed of
    `python -m bench`."""
    import argparse

    from .__main__ import build_context, setup_django
    from .common import table

    parser = argparse.ArgumentParser(prog="python -m bench.reach")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--sizes", default="", help=f"comma-separated numbers of recipients (default {SIZES})"
    )
    args = parser.parse_args()
    ctx = build_context(argparse.Namespace(quick=args.quick, reseed=False))
    ctx.shared["reach_sizes"] = [int(s) for s in args.sizes.split(",") if s]
    setup_django(ctx)
    print(table(run(ctx)))


if __name__ == "__main__":
    main()
