"""Attachments (issue 17): what pictures cost a feed page, and what a 10 MB photo costs to upload.

    .venv/bin/python -m bench --only attachments [--quick]

Rows:
- a feed page whose 20 statuses each carry a picture, against the same page without pictures:
  two bench viewers who follow only one bench author each (`bench-pics`, `bench-plain`), whose
  20 latest statuses have the same text; the two feeds alternate request by request on the
  deployed server (Uvicorn, 2 workers), p95 <= 1.10 x the plain page's;
- uploading a 10 MB photo (`POST /api/v1/uploads/`, multipart, over HTTP): sniffed, decoded,
  re-encoded to JPEG at 2560 px with its WebP thumbnail, stored; p95 reported.
"""

from __future__ import annotations

import io
import random
import statistics
import time

import requests

from . import company
from .common import BenchError, Context, Result, log, percentile
from .servers import free_port, start_uvicorn, stop

FEED = "/api/v1/feed/"
UPLOADS = "/api/v1/uploads/"
RATIO = 1.10
PAGE = 20
PHOTO_BYTES = 10 * 1024 * 1024
AUTHORS = {"pics": "bench-pics", "plain": "bench-plain"}
VIEWERS = {"pics": "bench-pics-viewer", "plain": "bench-plain-viewer"}


def photo(target: int = PHOTO_BYTES) -> bytes:
    """A JPEG of about `target` bytes: a camera-sized picture of noise (noise compresses as badly
    as a detailed photo), made here."""
    from PIL import Image

    rng = random.Random(17)  # noqa: S311 - test data
    side = 3000
    while True:
        noise = Image.frombytes("L", (side, side), rng.randbytes(side * side)).convert("RGB")
        out = io.BytesIO()
        noise.save(out, format="JPEG", quality=92)
        data = out.getvalue()
        if len(data) >= target * 0.9:
            return data
        side = int(side * (target / len(data)) ** 0.5) + 100


def _ensure_authors() -> None:
    """Two authors with the same 20 statuses, one with a picture on each; one viewer each."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from attachments import services as attachment_services
    from feeds import services as feed_services
    from feeds.models import Status
    from profiles.models import Follow, Profile, User

    department_id = Profile.objects.exclude(department=None).values_list(
        "department_id", flat=True
    )[:1][0]
    ids = company._ensure_people([*AUTHORS.values(), *VIEWERS.values()], department_id)
    # Viewers outside any department: their feeds are their author's posts (and announcements).
    Profile.objects.filter(user_id__in=[ids[v] for v in VIEWERS.values()]).update(department=None)
    for kind, author in AUTHORS.items():
        Follow.objects.get_or_create(follower_id=ids[VIEWERS[kind]], followee_id=ids[author])
        user = User.objects.get(pk=ids[author])
        have = Status.objects.filter(author=user).count()
        for n in range(have, PAGE):
            attachments = []
            if kind == "pics":
                out = io.BytesIO()
                Image.new("RGB", (1600, 1200), (40 + n * 9, 120, 200)).save(out, format="JPEG")
                upload = attachment_services.upload_create(
                    uploader=user,
                    upload=SimpleUploadedFile(f"photo-{n}.jpg", out.getvalue()),
                    alt=f"Photo {n} from the offsite",
                )
                attachments = [upload.token]
            feed_services.status_create(
                author=user, body=f"Offsite day {n}: what we saw #offsite", attachments=attachments
            )


def run(ctx: Context) -> list[Result]:
    _ensure_authors()
    keys = company.sessions([*VIEWERS.values(), AUTHORS["pics"]])
    env = {
        **ctx.env,
        "ATTACHMENTS_DAILY_QUOTA_MB": "100000",
    }
    port = free_port()
    process = start_uvicorn(port, env, workers=2)
    base = f"http://127.0.0.1:{port}"
    results = []
    try:
        pics = {"X-Session-Token": keys[VIEWERS["pics"]]}
        plain = {"X-Session-Token": keys[VIEWERS["plain"]]}
        with requests.Session() as http:
            for headers, wanted in ((pics, 1), (plain, 0)):
                page = http.get(base + FEED, headers=headers, timeout=30).json()["results"]
                carried = [
                    len(s["attachments"])
                    for s in page
                    if s["author"]["username"] in AUTHORS.values()
                ]
                if len(carried) < PAGE or set(carried) != {wanted}:
                    raise BenchError(f"the bench feeds are not as planned: {carried}")
            n = 60 if ctx.quick else 400
            with_pics, without = [], []
            for i in range(n + 10):
                for headers, samples in ((pics, with_pics), (plain, without)):
                    started = time.perf_counter()
                    answer = http.get(base + FEED, headers=headers, timeout=30)
                    elapsed = (time.perf_counter() - started) * 1000
                    if answer.status_code != 200:
                        raise BenchError(f"feed answered {answer.status_code}")
                    if i >= 10:
                        samples.append(elapsed)
            ratio = percentile(with_pics, 95) / percentile(without, 95)
            results.append(
                Result.from_samples(
                    "feed page, 20 statuses with a picture each vs none (uvicorn --workers 2)",
                    with_pics,
                    floor=percentile(without, 95),
                    ratio=ratio,
                    target=f"p95 <= {RATIO} x the page without pictures",
                    passed=ratio <= RATIO,
                    notes=f"without: median {statistics.median(without):.1f} ms",
                )
            )
            log(f"attachments: feed with pictures {ratio:.2f} x without (p95)")

            data = photo()
            rounds = 5 if ctx.quick else 20
            uploads, tokens = [], []
            headers = {"X-Session-Token": keys[AUTHORS["pics"]]}
            for i in range(rounds + 1):
                started = time.perf_counter()
                answer = http.post(
                    base + UPLOADS,
                    headers=headers,
                    files={"file": ("photo.jpg", data, "image/jpeg")},
                    data={"alt": "A bench photo"},
                    timeout=120,
                )
                elapsed = (time.perf_counter() - started) * 1000
                if answer.status_code != 201:
                    raise BenchError(f"upload answered {answer.status_code}: {answer.text[:200]}")
                tokens.append(answer.json()["id"])
                if i >= 1:
                    uploads.append(elapsed)
            results.append(
                Result.from_samples(
                    f"upload a {len(data) / 1024 / 1024:.1f} MB photo (POST /api/v1/uploads/)",
                    uploads,
                    target="report p95",
                    passed=None,
                    notes="sniff, decode, re-encode to JPEG at 2560 px, thumbnail, store",
                )
            )
    finally:
        stop([process])
    _forget_uploads(tokens if "tokens" in locals() else [])
    return results


def _forget_uploads(tokens: list[str]) -> None:
    """The bench's uploads are attached to nothing: delete them now rather than in 24 hours."""
    from attachments.models import Attachment
    from attachments.services import attachments_delete

    attachments_delete(list(Attachment.objects.filter(token__in=tokens)))
