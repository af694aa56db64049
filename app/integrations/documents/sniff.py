"""What a file is, by its bytes. A renamed .exe or a text file called cv.pdf is not a resume."""

from __future__ import annotations

import io
import zipfile

from ..lazy import lazy_module
from .archive import ArchiveLimits, ArchiveRejected, check_docx_archive

# Imported on first use (integrations/lazy.py): 18 MB a web worker needs only when a PDF is uploaded.
pypdf = lazy_module("pypdf")

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
# The stored name's extension follows the sniffed type, whatever the upload was called.
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", "image/png": ".png", "image/jpeg": ".jpg"}


def sniff_resume_type(data: bytes, limits: ArchiveLimits | None = None) -> str | None:
    """PDF or DOCX, or None. Raises ArchiveRejected for a DOCX that is unsafe to open."""
    if data.startswith(b"%PDF-"):
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if len(reader.pages) < 1:
                return None
        except (pypdf.errors.PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
            return None
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(check_docx_archive(data, limits or ArchiveLimits()))
        except ArchiveRejected:
            if not _is_zip(data):
                return None
            raise
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
    return None


def _is_zip(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)):
            return True
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def sniff_image_type(data: bytes) -> str | None:
    return next((kind for magic, kind in IMAGE_TYPES.items() if data.startswith(magic)), None)
