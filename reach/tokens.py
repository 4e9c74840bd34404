"""Signed unsubscribe links: they work without logging in (from a mail client, RFC 8058), so
the token itself says whose email to turn off and which. Signed with SECRET_KEY and a salt of
their own (a token for anything else never verifies here); they do not expire, as a link in an
old email must still work, and all they can do is turn email off."""

from django.conf import settings
from django.core import signing

SALT = "reach.unsubscribe.v1"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def unsubscribe_token(*, user_id: int, scope: str | list[str]) -> str:
    return _signer().sign_object({"u": user_id, "s": scope}, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str | list[str]] | None:
    try:
        data = _signer().unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    scope = data.get("s")
    if not (scope in ("all", "digest") or isinstance(scope, list)):
        return None
    return data["u"], scope


def unsubscribe_url(*, user_id: int, scope: str | list[str]) -> str:
    return f"{settings.SITE_URL}/u/{unsubscribe_token(user_id=user_id, scope=scope)}/"
