"""Pictures re-encoded from their pixels, video checked with ffprobe and given a poster frame.

A picture is decoded by Pillow (after `core.filetypes` recognised its signature) and written
again (JPEG, or WebP when transparent) from its pixels alone: EXIF (a phone's GPS position),
comments and anything appended after the image data (a ZIP or an HTML page in a polyglot)
cannot survive. A video
must be read by ffprobe as MP4, MOV or WebM with a video stream; ffmpeg takes its poster frame.
"""

import io
import json
import logging
import shutil
import subprocess  # noqa: S404 - ffprobe and ffmpeg, with fixed arguments and no shell
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from core import images  # noqa: F401 - sets Pillow's decompression-bomb limit

from .models import THUMBNAIL_SIDE

try:
    import pillow_heif
except ImportError:  # pragma: no cover - HEIC pictures are then refused as unreadable
    pillow_heif = None
else:
    pillow_heif.register_heif_opener()

logger = logging.getLogger(__name__)

MAX_SIDE = 2560
PROBE_TIMEOUT = 30
# What ffprobe must report for each signature core.filetypes recognised.
VIDEO_FORMATS = {
    "video/mp4": "mov,mp4,m4a,3gp,3g2,mj2",
    "video/quicktime": "mov,mp4,m4a,3gp,3g2,mj2",
    "video/webm": "matroska,webm",
}


class Unreadable(Exception):
    """The content does not decode as what its signature claims; `str()` is for people."""


@dataclass
class Picture:
    data: bytes
    content_type: str
    extension: str
    thumbnail: bytes
    width: int
    height: int


@dataclass
class Video:
    width: int | None
    height: int | None
    duration: float | None
    poster: bytes | None


def _webp(image: Image.Image, *, quality: int, method: int = 4) -> bytes:
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=quality, method=method)
    return out.getvalue()


def _encoded(image: Image.Image) -> tuple[bytes, str, str]:
    """JPEG for an opaque picture (a tenth of WebP's encoding time on a camera-sized photo:
    docs/performance.md), WebP when it has transparency. Neither carries metadata: nothing but
    the pixels is passed to the encoder."""
    if image.mode == "RGBA" and image.getchannel("A").getextrema() != (255, 255):
        return _webp(image, quality=85, method=2), "image/webp", "webp"
    image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue(), "image/jpeg", "jpg"


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("P", "LA", "RGBA", "PA") or "transparency" in image.info:
        return image.convert("RGBA")
    return image.convert("RGB")


def thumbnail_of(image: Image.Image) -> bytes:
    small = image.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return _webp(small, quality=75)


def picture_from(path: str) -> Picture:
    """The first frame of the picture at `path`, upright, at most MAX_SIDE on its longest side,
    as JPEG (WebP if transparent) with no metadata; and its WebP thumbnail. Raises Unreadable
    (a decompression bomb too)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as probe:
                if probe.width * probe.height > Image.MAX_IMAGE_PIXELS:
                    raise Unreadable("This picture has too many pixels to open safely.")
                probe.verify()
            with Image.open(path) as source:
                frame = next(ImageSequence.Iterator(source))
                frame.load()
                image = ImageOps.exif_transpose(_flatten(frame), in_place=False)
    except Unreadable:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Unreadable("This picture has too many pixels to open safely.") from exc
    except Exception as exc:
        # Pillow's decoders raise many kinds of errors on damaged or hostile input (OSError,
        # ValueError, SyntaxError, struct.error, IndexError…): all of them are a refusal (400).
        raise Unreadable("This picture cannot be read: the file is damaged.") from exc
    image.info.clear()  # nothing of the source's metadata (EXIF, XMP, ICC, comments)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BICUBIC)
    data, content_type, extension = _encoded(image)
    return Picture(
        data=data,
        content_type=content_type,
        extension=extension,
        thumbnail=thumbnail_of(image),
        width=image.width,
        height=image.height,
    )


def ffprobe_available() -> bool:
    return shutil.which("ffprobe") is not None and shutil.which("ffmpeg") is not None


def video_from(path: str, *, content_type: str) -> Video:
    """Checks the video at `path` with ffprobe and takes a poster frame with ffmpeg."""
    if not ffprobe_available():
        raise Unreadable("Video cannot be checked on this server (ffprobe is missing).")
    try:
        probe = subprocess.run(  # noqa: S603
            [
                shutil.which("ffprobe"),
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                path,
            ],
            capture_output=True,
            timeout=PROBE_TIMEOUT,
            check=False,
        )
        info = json.loads(probe.stdout or b"{}")
    except (subprocess.TimeoutExpired, ValueError, OSError) as exc:
        raise Unreadable("This video cannot be read.") from exc
    format_name = info.get("format", {}).get("format_name", "")
    streams = [s for s in info.get("streams", []) if s.get("codec_type") == "video"]
    if probe.returncode != 0 or format_name != VIDEO_FORMATS[content_type] or not streams:
        raise Unreadable("This video cannot be read: send MP4, WebM or MOV.")
    stream = streams[0]
    try:
        duration = float(info["format"].get("duration") or 0) or None
    except (TypeError, ValueError):
        duration = None
    return Video(
        width=stream.get("width"),
        height=stream.get("height"),
        duration=duration,
        poster=_poster(path),
    )


def _poster(path: str) -> bytes | None:
    """The first frame as a WebP thumbnail; None if ffmpeg cannot take one (kept without)."""
    try:
        run = subprocess.run(  # noqa: S603
            [
                shutil.which("ffmpeg"),
                "-v",
                "error",
                "-i",
                path,
                "-frames:v",
                "1",
                "-f",
                "image2pipe",
                "-c:v",
                "png",
                "pipe:1",
            ],
            capture_output=True,
            timeout=PROBE_TIMEOUT,
            check=False,
        )
        if run.returncode != 0 or not run.stdout:
            return None
        with Image.open(io.BytesIO(run.stdout)) as frame:
            return thumbnail_of(_flatten(frame))
    except (subprocess.TimeoutExpired, OSError, UnidentifiedImageError, ValueError):
        logger.warning("no poster frame for %s", path)
        return None
