"""What a file is, judged by its content: never by its name or the type its sender declared.

`sniff(path)` reads the first bytes (and, for ZIP containers, the directory; for text, the
whole file) and answers a `FileType`, or raises `Refused` naming what it found. Executables
(ELF, PE, Mach-O, scripts), markup a browser would run (HTML, SVG, XML) and anything it does
not recognise are refused. Images and video are only *candidates* here: the caller still
decodes them (Pillow, ffprobe), which is the real check.
"""

import codecs
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

IMAGE = "image"
FILE = "file"
VIDEO = "video"

HEAD = 4096
TEXT_CHUNK = 1024 * 1024

# ISO base media (MP4, MOV, HEIC) major brands.
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"dash",
    b"M4V ",
    b"M4VP",
    b"mmp4",
}
MOV_BRANDS = {b"qt  "}
MACHO = {
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
}
# Markup a browser may render as a page or run scripts from, anywhere near the start.
MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta|\?xml)\b",
    re.IGNORECASE,
)
OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.graphics": "odg",
}
ACCEPTED = (
    "JPEG, PNG, GIF, WebP or HEIC pictures; PDF, Office, OpenDocument, plain text, CSV or ZIP "
    "files; MP4, WebM or MOV video"
)


class Refused(Exception):
    """The file is of a kind we do not take; `str()` says which, for the person sending it."""


@dataclass(frozen=True)
class FileType:
    kind: str  # IMAGE, FILE or VIDEO
    content_type: str
    extension: str
    label: str  # for people: "PDF document", "JPEG picture"


def _iso_brand(head: bytes) -> bytes | None:
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return head[8:12]
    return None


def _executable(head: bytes) -> bool:
    return (
        head.startswith(b"\x7fELF")
        or head.startswith(b"MZ")
        or head[:4] in MACHO
        or head.startswith(b"#!")
        or head.startswith(b"\x00asm")
    )


def _zip_type(path: Path) -> FileType:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype":
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if mimetype in ODF:
                    return FileType(FILE, mimetype, ODF[mimetype], "OpenDocument file")
                raise Refused("This kind of packaged document is not accepted.")
            if "[Content_Types].xml" in names:
                for prefix, (content_type, extension) in OOXML.items():
                    if any(name.startswith(prefix) for name in names):
                        return FileType(FILE, content_type, extension, "Office document")
                raise Refused("This kind of Office document is not accepted.")
    except Refused:
        raise
    except Exception as exc:
        # zipfile raises many kinds of errors on damaged archives (BadZipFile, EOFError,
        # NotImplementedError, zlib.error…): all of them are a refusal.
        raise Refused("This ZIP archive is damaged.") from exc
    return FileType(FILE, "application/zip", "zip", "ZIP archive")


def _looks_like_csv(sample: str) -> bool:
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return False
    for separator in (",", ";", "\t"):
        counts = {line.count(separator) for line in lines}
        if len(counts) == 1 and counts.pop() >= 1:
            return True
    return False


def _text_type(path: Path, head: bytes) -> FileType:
    """UTF-8 through and through, no NUL nor other control characters, no markup."""
    if MARKUP.search(head):
        if re.search(rb"<\s*svg\b", head, re.IGNORECASE):
            raise Refused("SVG images are not accepted: they can carry scripts.")
        raise Refused("HTML and XML pages are not accepted: they can carry scripts.")
    decoder = codecs.getincrementaldecoder("utf-8")()
    sample = ""
    with path.open("rb") as handle:
        while chunk := handle.read(TEXT_CHUNK):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise Refused(f"This kind of file is not accepted. We take {ACCEPTED}.") from exc
            if re.search(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", text):
                raise Refused(f"This kind of file is not accepted. We take {ACCEPTED}.")
            if len(sample) < HEAD:
                sample += text[:HEAD]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise Refused(f"This kind of file is not accepted. We take {ACCEPTED}.") from exc
    if _looks_like_csv(sample.lstrip("\ufeff")):
        return FileType(FILE, "text/csv", "csv", "CSV table")
    return FileType(FILE, "text/plain", "txt", "text file")


def sniff(path: str | Path) -> FileType:
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(HEAD)
    if not head:
        raise Refused("The file is empty.")
    if _executable(head):
        raise Refused("Programs and scripts are not accepted.")
    if head.startswith(b"\xff\xd8\xff"):
        return FileType(IMAGE, "image/jpeg", "jpg", "JPEG picture")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType(IMAGE, "image/png", "png", "PNG picture")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return FileType(IMAGE, "image/gif", "gif", "GIF picture")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileType(IMAGE, "image/webp", "webp", "WebP picture")
    brand = _iso_brand(head)
    if brand in HEIC_BRANDS:
        return FileType(IMAGE, "image/heic", "heic", "HEIC picture")
    if brand in MP4_BRANDS:
        return FileType(VIDEO, "video/mp4", "mp4", "MP4 video")
    if brand in MOV_BRANDS:
        return FileType(VIDEO, "video/quicktime", "mov", "QuickTime video")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:64]:
            return FileType(VIDEO, "video/webm", "webm", "WebM video")
        raise Refused("Matroska video is not accepted: send MP4, WebM or MOV.")
    if head.startswith(b"%PDF-"):
        return FileType(FILE, "application/pdf", "pdf", "PDF document")
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zip_type(path)
    return _text_type(path, head)
