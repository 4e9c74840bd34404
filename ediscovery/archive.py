"""The ZIP of an export, written as a stream: each member is hashed (SHA-256) and measured while
it is written, and `manifest.json`, written last, lists every other member with both.

Rows come from iterators and files are copied in blocks, so memory stays flat whatever the
size of the export. JSON Lines members are deflated; attached files are stored as they are
(pictures and video are compressed already)."""

import hashlib
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder

BLOCK = 1024 * 1024
MANIFEST = "manifest.json"


@dataclass
class Member:
    path: str
    size: int = 0
    sha256: str = ""
    rows: int | None = None


class _Hashing:
    def __init__(self, target):
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)


@dataclass
class ExportZip:
    """Usage: members with `write_jsonl` and `copy_file`, then `close(manifest)` once."""

    handle: object
    members: list[Member] = field(default_factory=list)

    def __post_init__(self):
        self.zip = zipfile.ZipFile(self.handle, "w", allowZip64=True)

    def _open(self, path: str, *, compress: bool):
        info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        return self.zip.open(info, "w", force_zip64=True)

    def _done(self, path: str, hashing: _Hashing, rows: int | None = None) -> Member:
        member = Member(path=path, size=hashing.size, sha256=hashing.digest.hexdigest(), rows=rows)
        self.members.append(member)
        return member

    def write_jsonl(self, path: str, rows: Iterable[dict]) -> Member:
        count = 0
        with self._open(path, compress=True) as raw:
            out = _Hashing(raw)
            for row in rows:
                line = json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
                out.write(line.encode() + b"\n")
                count += 1
        return self._done(path, out, rows=count)

    def copy_file(self, path: str, source) -> Member:
        with self._open(path, compress=False) as raw:
            out = _Hashing(raw)
            while block := source.read(BLOCK):
                out.write(block)
        return self._done(path, out)

    def close(self, manifest: dict) -> None:
        body = dict(manifest)
        body["files"] = [
            {"path": m.path, "size": m.size, "sha256": m.sha256}
            | ({"rows": m.rows} if m.rows is not None else {})
            for m in self.members
        ]
        data = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
        with self._open(MANIFEST, compress=True) as raw:
            raw.write(data)
        self.zip.close()
