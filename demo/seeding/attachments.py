"""Photos, a PDF and a short video on a few demo statuses, made here (Pillow, ffmpeg): nothing
is downloaded.

They go on recent company statuses in alice's feed, each as uploaded by the status's author
through `attachments.services` (checked and re-encoded like any upload). Each file is known by
its name: a second run finds it and creates nothing. Without ffmpeg the video is skipped, with
a line saying so.
"""

import io
import logging
import shutil
import subprocess  # noqa: S404 - ffmpeg with fixed arguments, no shell
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image, ImageDraw

from attachments import services
from attachments.models import Attachment
from feeds.models import STATUS_MAX_ATTACHMENTS, Status, Visibility
from feeds.selectors import feed
from profiles.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoFile:
    slot: int  # which of the chosen statuses it goes on
    name: str  # as uploaded (pictures are stored as .webp)
    stored: str  # as stored
    alt: str
    make: str  # the function below that makes its bytes


FILES = (
    DemoFile(
        0,
        "offsite-lake.jpg",
        "offsite-lake.jpg",
        "A lake under a blue sky with green "
        "hills and the sun low on the left: the view from the offsite venue.",
        "lake",
    ),
    DemoFile(
        0,
        "offsite-sunset.jpg",
        "offsite-sunset.jpg",
        "Orange sunset over dark hills, taken from the offsite terrace.",
        "sunset",
    ),
    DemoFile(1, "travel-policy-2027.pdf", "travel-policy-2027.pdf", "", "policy"),
    DemoFile(2, "factory-floor.mp4", "factory-floor.mp4", "", "video"),
)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def lake() -> bytes:
    image = Image.new("RGB", (1200, 800), (120, 180, 235))
    draw = ImageDraw.Draw(image)
    for y in range(0, 420, 4):  # the sky lightens towards the horizon
        shade = 150 + y // 4
        draw.rectangle((0, y, 1200, y + 4), fill=(shade - 60, shade - 10, 240))
    draw.ellipse((140, 120, 260, 240), fill=(255, 236, 160))
    draw.polygon(
        [(0, 470), (260, 300), (520, 460), (800, 320), (1200, 470), (1200, 520), (0, 520)],
        fill=(60, 120, 70),
    )
    draw.rectangle((0, 500, 1200, 800), fill=(40, 95, 150))
    for x in range(0, 1200, 60):
        draw.line((x, 560 + x % 90, x + 30, 560 + x % 90), fill=(190, 220, 240), width=3)
    return _jpeg(image)


def sunset() -> bytes:
    image = Image.new("RGB", (1200, 800))
    draw = ImageDraw.Draw(image)
    for y in range(0, 800, 4):
        draw.rectangle((0, y, 1200, y + 4), fill=(250, max(60, 190 - y // 5), max(30, 90 - y // 8)))
    draw.ellipse((500, 380, 700, 580), fill=(255, 210, 120))
    draw.polygon(
        [(0, 560), (300, 470), (650, 560), (950, 450), (1200, 540), (1200, 800), (0, 800)],
        fill=(45, 30, 50),
    )
    return _jpeg(image)


def policy() -> bytes:
    page = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
    draw = ImageDraw.Draw(page)
    draw.text((120, 120), "Travel policy 2027", fill="black", font_size=64)
    lines = [
        "1. Book trains for trips under five hours.",
        "2. Economy class for flights under eight hours.",
        "3. Hotels: up to the city rate in the travel tool.",
        "4. Claim expenses within 30 days, receipts attached.",
        "Questions: ask HR on Enterprise Social.",
    ]
    for n, line in enumerate(lines):
        draw.text((120, 280 + n * 70), line, fill="black", font_size=32)
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=150)
    return out.getvalue()


def video() -> bytes | None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None or shutil.which("ffprobe") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        subprocess.run(  # noqa: S603
            [
                ffmpeg,
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=duration=2:size=320x180:rate=15",
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                "-movflags",
                "+faststart",
                "-y",
                str(path),
            ],
            check=True,
            timeout=60,
        )
        return path.read_bytes()


MAKERS = {"lake": lake, "sunset": sunset, "policy": policy, "video": video}


class AttachmentSeeder:
    def __init__(self, *, log=None):
        self.log = log or logger.info
        self.now = timezone.now()

    def statuses(self) -> list[Status]:
        """Recent company statuses of three different people, in alice's feed if she has one."""
        fits = Q(
            visibility=Visibility.COMPANY,
            removal="",
            is_announcement=False,
            poll__isnull=True,
            blog_post=None,
            idea=None,
            created_at__lte=self.now,
        )
        alice = User.objects.filter(username="alice").first()
        candidates = []
        if alice is not None:
            # The feed's own order and limit: its time index, not a scan of every status.
            candidates = list(
                feed(user=alice).filter(fits).exclude(author=alice).select_related("author")[:200]
            )
        if not candidates:
            candidates = list(
                Status.objects.filter(fits).select_related("author").order_by("-created_at")[:200]
            )
        picked, authors = [], set()
        for status in candidates:
            if status.author_id not in authors and status.author.is_active:
                picked.append(status)
                authors.add(status.author_id)
            if len(picked) == 3:
                break
        return picked

    def run(self) -> int:
        """Returns how many files were new."""
        missing = [
            f
            for f in FILES
            if not Attachment.objects.filter(name=f.stored, owner_id__isnull=False).exists()
        ]
        if not missing:
            return 0
        statuses = self.statuses()
        created = 0
        for spec in missing:
            if spec.slot >= len(statuses):
                continue
            status = statuses[spec.slot]
            content = MAKERS[spec.make]()
            if content is None:
                self.log("ffmpeg is missing: the demo video is skipped (make run installs it).")
                continue
            with transaction.atomic():
                upload = services.upload_create(
                    uploader=status.author,
                    upload=SimpleUploadedFile(spec.name, content),
                    alt=spec.alt,
                )
                services.attachments_attach(
                    owner=status,
                    ids=[upload.token],
                    user=status.author,
                    limit=STATUS_MAX_ATTACHMENTS,
                )
            # Attached one by one: each goes after those already there.
            others = Attachment.objects.filter(
                owner_type=upload.owner_type, owner_id=status.pk
            ).exclude(pk=upload.pk)
            Attachment.objects.filter(pk=upload.pk).update(position=others.count())
            created += 1
        return created


def attachment_totals() -> tuple[int, int]:
    """(files on posts, of which pictures)."""
    attached = Attachment.objects.filter(owner_id__isnull=False)
    return attached.count(), attached.filter(kind="image").count()
