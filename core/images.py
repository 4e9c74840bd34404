"""The one place uploaded images are checked and re-encoded (avatars, blog images).

An upload is judged by its content, never by its name or declared type: a size cap, a format
allow-list checked before anything is decoded, Pillow's decompression-bomb limit, then a
re-encode to WebP with the EXIF orientation applied. Re-encoding drops metadata (the location
in a phone photo) and anything hidden in the file.
"""

import io

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

# The formats Pillow may decode; anything else is refused before decoding.
ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
Image.MAX_IMAGE_PIXELS = 40_000_000


def _megabytes(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:g} MB" if mb == int(mb) else f"{mb:.1f} MB"


def reencode_upload(
    upload, *, max_bytes: int, max_size: int, square: bool = False, field: str = "image"
) -> tuple[bytes, int, int]:
    """Validate `upload` and return it as WebP bytes with its width and height.

    `square`: cropped and scaled to `max_size` × `max_size` (avatars); otherwise scaled down,
    keeping the aspect ratio, to at most `max_size` pixels wide. Errors are a
    `ValidationError({field: ...})`."""
    if upload.size is None or upload.size > max_bytes:
        raise ValidationError({field: f"The picture must be at most {_megabytes(max_bytes)}."})
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise ValidationError({field: "Upload a JPEG, PNG, GIF or WebP image."})
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGBA") if image.mode in ("P", "LA", "RGBA") else image
            image = image.convert("RGB") if image.mode != "RGBA" else image
            if square:
                image = ImageOps.fit(image, (max_size, max_size), method=Image.Resampling.LANCZOS)
            elif image.width > max_size:
                height = max(1, round(image.height * max_size / image.width))
                image = image.resize((max_size, height), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, format="WEBP", quality=85, method=4)
            width, height = image.size
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError({field: "This file is not an image we can read."}) from exc
    return out.getvalue(), width, height
