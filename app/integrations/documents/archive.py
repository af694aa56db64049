"""Zip-bomb checks for DOCX files, read from the zip's central directory (nothing is inflated).

A 48 KiB .docx can inflate to 10 MB of empty paragraphs (tens of seconds of parsing and hundreds of
MB of memory); a 5 MB one to many GB. Real resumes are far from every limit here: a few dozen
entries, a few MB inflated, XML compressing 5-20 times.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class ArchiveLimits:
    max_total_bytes: int = 25 * 1024 * 1024
    max_entries: int = 500
    max_ratio: int = 100


class ArchiveRejected(ValueError):
    """The archive is a bomb or is not a zip at all; the message is for people."""


def check_docx_archive(data: bytes, limits: ArchiveLimits) -> list[str]:
    """The names in the archive, or ArchiveRejected if opening it could exhaust memory or time.

    The sizes come from the central directory, which an attacker writes: they bound what a
    well-formed reader inflates, and zipfile itself stops at the declared size of each entry.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ArchiveRejected("This file is not a valid Word (.docx) document.") from error
    if len(entries) > limits.max_entries:
        raise ArchiveRejected("This Word file has too many parts to read safely.")
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_total_bytes:
        raise ArchiveRejected(
            "This Word file unpacks to far more data than a resume holds, so we cannot read it safely."
        )
    packed = max(1, sum(entry.compress_size for entry in entries))
    if total / packed > limits.max_ratio:
        raise ArchiveRejected(
            "This Word file is compressed in a way that could overload our reader, so we cannot read it safely."
        )
    return [entry.filename for entry in entries]
