"""The download link of a ready export: signed (Django's TimestampSigner, the SECRET_KEY) over
the export's id and the ZIP's SHA-256, so it names exactly one file, and it stops working
EDISCOVERY_LINK_DAYS after it was made (the export itself expires the same number of days
after it was built, whichever link is used). It is not a credential on its own: the view also
wants a logged-in Compliance user."""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.http import urlencode

from .models import ExportRequest

SALT = "ediscovery.download"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def download_url(export: ExportRequest) -> str:
    token = _signer().sign(f"{export.pk}:{export.sha256}")
    path = reverse("ediscovery:download", kwargs={"export_id": export.pk})
    return f"{path}?{urlencode({'token': token})}"


def check(export: ExportRequest, token: str) -> None:
    """Raises LinkExpired or LinkInvalid; returns when `token` is a live link to `export`."""
    try:
        value = _signer().unsign(token, max_age=settings.EDISCOVERY_LINK_DAYS * 86400)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
    if value != f"{export.pk}:{export.sha256}":
        raise LinkInvalid
