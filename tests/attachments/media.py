"""Tiny media made on the spot (Pillow, zipfile, ffmpeg): nothing downloaded."""

import io
import struct
import time
import zipfile
import zlib

from PIL import Image

GPS = 0x8825


def picture(fmt="JPEG", size=(64, 48), color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


def jpeg_with_gps(size=(64, 48)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneCo"
    exif[GPS] = {1: "N", 2: (52.0, 22.0, 1.0), 3: "E", 4: (4.0, 53.0, 2.0)}
    return picture("JPEG", size=size, exif=exif.tobytes())


def heic() -> bytes:
    import pillow_heif

    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), (10, 120, 200))).save(out, quality=50)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(side=100_000) -> bytes:
    """A few hundred bytes that declare side × side pixels: Pillow must refuse to open it."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def zip_bytes(entries: dict[str, bytes], *, first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if first is not None:
            archive.writestr(first, entries.pop(first), compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


HTML_PAYLOAD = b"<html><body><script>alert(document.cookie)</script></body></html>"


def polyglot() -> bytes:
    """A valid PNG that is also an HTML page and a ZIP archive (both appended)."""
    return picture("PNG") + HTML_PAYLOAD + zip_bytes({"evil.html": HTML_PAYLOAD})


def pdf() -> bytes:
    out = io.BytesIO()
    fixed = time.gmtime(1_767_225_600)  # the same bytes every time
    Image.new("RGB", (60, 80), (255, 255, 255)).save(
        out, format="PDF", creationDate=fixed, modDate=fixed
    )
    return out.getvalue()


def docx() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": b"<?xml version='1.0'?><Types/>",
            "word/document.xml": b"<?xml version='1.0'?><w:document/>",
        }
    )


def odt() -> bytes:
    return zip_bytes(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
        first="mimetype",
    )


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 120
PE = b"MZ\x90\x00\x03" + b"\x00" * 120
SCRIPT = b"#!/bin/sh\nrm -rf ~\n"
MACHO = b"\xcf\xfa\xed\xfe" + b"\x00" * 120
