"""A webhook receiver on loopback that checks every signature with the `standardwebhooks`
library (written by the scheme's authors, not here), and settings that allow it."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from webhooks import services


class Receiver:
    def __init__(self):
        self.secret: str | None = None
        self.fail_next = 0  # answer 500 to this many requests, then 204
        self.always_fail = False
        self.received: list[dict] = []  # verified deliveries, in the order they arrived
        self.refused: list[str] = []  # requests whose signature did not verify
        self.requests = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k: v for k, v in self.headers.items()}
                with receiver.lock:
                    receiver.requests += 1
                    try:
                        payload = Webhook(receiver.secret).verify(body, headers)
                    except (WebhookVerificationError, TypeError, ValueError) as exc:
                        receiver.refused.append(f"{exc}")
                        self.send_response(401)
                        self.end_headers()
                        return
                    if receiver.always_fail or receiver.fail_next > 0:
                        receiver.fail_next = max(0, receiver.fail_next - 1)
                        self.send_response(500)
                        self.end_headers()
                        return
                    receiver.received.append(
                        {"id": headers["webhook-id"], "payload": payload, "raw": json.loads(body)}
                    )
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler

    @property
    def types(self) -> list[str]:
        return [r["payload"]["type"] for r in self.received]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_RETRY_BASE = 0
    settings.WEBHOOK_TIMEOUT = 3
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def subscribe(receiver, admin_user):
    def make(events=None, community=None):
        endpoint = services.endpoint_create(
            actor=admin_user,
            url=receiver.url,
            events=events or ["status.created"],
            community=community,
        )
        receiver.secret = endpoint.secret
        return endpoint

    return make
