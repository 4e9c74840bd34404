"""Fixtures for reach: a real SMTP server (aiosmtpd) and a push service on loopback, VAPID keys,
and a way to run the jobs the services queued, in this process."""

import base64
import importlib
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import TestCase
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from reach.management.commands.vapid_keys import vapid_pair


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the server received. `accept`: how many more messages it takes before it answers
    421 (closing) to every one (None: no limit); `refuse_once`: how many it answers 421 before
    taking them again (a connection that drops mid-batch)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.sessions: list = []  # the connection (aiosmtpd session) each message came over
        self.accept: int | None = None
        self.refuse_once = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's name
        with self.lock:
            if self.refuse_once:
                self.refuse_once -= 1
                return "421 Service not available, closing transmission channel"
            if self.accept is not None:
                if self.accept <= 0:
                    return "421 Service not available, closing transmission channel"
                self.accept -= 1
            self.messages.append(message_from_bytes(envelope.content))
            self.sessions.append(session)
        return "250 OK"

    @property
    def connections_used(self) -> int:
        """How many connections carried the messages received."""
        return len({id(s) for s in self.sessions})

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["To"]]


class CountingController(Controller):
    """Counts the connections made to the server (aiosmtpd makes one SMTP object each)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.connections = 0

    def factory(self):
        self.connections += 1
        return super().factory()


@dataclass
class Smtp:
    port: int
    inbox: Inbox
    controller: Controller | None = None
    # Connections made by clients (not counting the one aiosmtpd makes to check it started).
    connections: int = 0

    def start(self) -> None:
        self.controller = CountingController(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        self._base = self.controller.connections

    def count(self) -> int:
        """Connections made by clients since the server (re)started, and before."""
        now = self.controller.connections - self._base if self.controller else 0
        return self.connections + now

    def stop(self) -> None:
        if self.controller is not None:
            self.connections += self.controller.connections - self._base
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    server = Smtp(port=free_port(), inbox=Inbox())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 3
    settings.SITE_URL = "https://social.example.com"
    yield server
    server.stop()


@dataclass
class PushService:
    """A push service on loopback: records each request; answers `status` (or sleeps `delay`)."""

    port: int
    requests: list[dict] = field(default_factory=list)
    status: int = 201
    delay: float = 0.0
    in_flight: int = 0
    most_in_flight: int = 0  # the most requests it was answering at once
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def push_service(settings):
    service = PushService(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 -- http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with service.lock:
                service.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                service.in_flight += 1
                service.most_in_flight = max(service.most_in_flight, service.in_flight)
            if service.delay:
                time.sleep(service.delay)
            with service.lock:
                service.in_flight -= 1
            self.send_response(service.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", service.port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    public, private = vapid_pair()
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_PRIVATE_KEY = private
    settings.WEBHOOK_ALLOW_HOSTS = ["127.0.0.1"]
    yield service
    server.shutdown()
    server.server_close()


@dataclass
class BrowserKeys:
    """What a browser holds for a push subscription: its ECDH key pair and auth secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @property
    def auth_b64(self) -> str:
        return base64.urlsafe_b64encode(self.auth).rstrip(b"=").decode()

    def subscription(self, endpoint: str) -> dict:
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth_b64}}


@pytest.fixture
def browser_keys() -> BrowserKeys:
    return BrowserKeys(private_key=ec.generate_private_key(ec.SECP256R1()), auth=os.urandom(16))


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
        # As in a worker, the job's own transactions commit: run what they left for then.
        with TestCase.captureOnCommitCallbacks(execute=True):
            results.append(func(*task["args"], **task["kwargs"]))
    raise AssertionError("jobs keep queueing jobs")


def decoded(message: Message) -> tuple[str, str]:
    text = html = ""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode()
        elif part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode()
    return text, html


def payload_of(request: dict) -> dict:
    return json.loads(request["body"])
