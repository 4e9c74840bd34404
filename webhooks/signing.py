"""Standard Webhooks signatures (https://www.standardwebhooks.com/): what a receiver checks
with any of the scheme's libraries."""

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
SECRET_BYTES = 24


def secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def msg_id_new() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def signature(*, secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """`v1,` + base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed by the secret's
    decoded bytes (without its `whsec_` prefix)."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(*, secret: str, msg_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(
            secret=secret, msg_id=msg_id, timestamp=timestamp, body=body
        ),
    }
