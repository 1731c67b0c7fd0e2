"""Reading parts of a DOCX (a zip archive) without trusting what the archive says about itself.

Before Python's zipfile reads the central directory, its size and entry count are taken from the
end-of-archive record and checked: a directory of millions of entries would cost gigabytes just
to list. A part is read only if its declared size and compression ratio are plausible for XML,
and while it is read the bytes actually produced are counted too, so a part that lies about its
size is stopped at the limit all the same. Nothing is ever extracted to disk.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Generator
from pathlib import Path

from engine.documents.limits import MIB, Limits, describe_size
from engine.documents.model import ExtractionError

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_MAX_COMMENT = 0xFFFF
_CHUNK = MIB
# Below this size a part cannot hurt, whatever its compression ratio.
_RATIO_FLOOR = MIB


def check_directory(path: Path, limits: Limits) -> None:
    """Refuse an archive whose central directory is too large to list."""
    entries, directory_size = _directory_size(path)
    if entries > limits.max_zip_entries or directory_size > limits.max_zip_directory:
        raise ExtractionError(
            f"{path.name} is too large to read safely: the archive lists {entries:,} files",
            "too_large",
        )


def _directory_size(path: Path) -> tuple[int, int]:
    with open(path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        tail_start = max(0, size - (_EOCD_SIZE + _MAX_COMMENT))
        f.seek(tail_start)
        tail = f.read()
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < _EOCD_SIZE:
            raise _damaged(path)
        _, _, _, _, entries, dir_size, _, _ = struct.unpack(
            "<4sHHHHIIH", tail[at : at + _EOCD_SIZE]
        )
        if entries != 0xFFFF and dir_size != 0xFFFFFFFF:
            return entries, dir_size
        # Zip64: the real numbers are in a record the locator before this one points to.
        loc = at - 20
        if loc < 0 or tail[loc : loc + 4] != _ZIP64_LOCATOR:
            raise _damaged(path)
        (_, _, record_at, _) = struct.unpack("<4sIQI", tail[loc : loc + 20])
        if record_at > size - 56:
            raise _damaged(path)
        f.seek(record_at)
        record = f.read(56)
    if len(record) < 56 or record[:4] != _ZIP64_EOCD:
        raise _damaged(path)
    (_, _, _, _, _, _, _, entries64, dir_size64, _) = struct.unpack("<4sQHHIIQQQQ", record)
    return entries64, dir_size64


def _damaged(path: Path) -> ExtractionError:
    return ExtractionError(f"{path.name} is damaged: it is not a complete Word document", "corrupt")


def open_archive(path: Path, limits: Limits) -> zipfile.ZipFile:
    check_directory(path, limits)
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _damaged(path) from None


def read_part(
    archive: zipfile.ZipFile, name: str, path: Path, limits: Limits
) -> Generator[bytes, None, None]:
    """The uncompressed bytes of one part, in chunks, within the limits."""
    info = archive.getinfo(name)
    too_large = ExtractionError(
        f"{path.name} is too large to read safely: its {name} unpacks to more than "
        f"{describe_size(limits.max_xml_bytes)} (a zip bomb?)",
        "too_large",
    )
    if info.file_size > limits.max_xml_bytes:
        raise too_large
    if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_zip_ratio * max(
        1, info.compress_size
    ):
        raise ExtractionError(
            f"{path.name} is too large to read safely: {name} is compressed "
            f"{info.file_size // max(1, info.compress_size):,} times (a zip bomb?)",
            "too_large",
        )
    produced = 0
    try:
        with archive.open(info) as part:
            while chunk := part.read(_CHUNK):
                produced += len(chunk)
                if produced > limits.max_xml_bytes:
                    raise too_large
                yield chunk
    except RuntimeError:
        # zipfile's word for an entry encrypted with the legacy zip password scheme.
        raise ExtractionError(f"{path.name} is password-protected", "encrypted") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError):
        # A bad CRC, a broken deflate stream, a compression method Python lacks (Deflate64).
        raise _damaged(path) from None
