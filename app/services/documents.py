"""Uploaded files: checked by their content (never their name), then stored in the database."""
from __future__ import annotations

import hashlib
import io
import zipfile

from flask import current_app

from ..errors import ValidationError
from ..extensions import db
from ..models import Document

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
MAX_LOGO_BYTES = 1024 * 1024


def sniff_resume_type(data: bytes) -> str | None:
    """PDF or DOCX by the bytes themselves: a renamed .exe or a text file called cv.pdf is refused."""
    if data.startswith(b"%PDF-"):
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if len(reader.pages) < 1:
                return None
        except (PyPdfError, ValueError, KeyError, TypeError, OSError):
            return None
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
    return None


def _read(upload) -> tuple[bytes, str]:
    if upload is None or not getattr(upload, "filename", ""):
        raise ValidationError("Choose a file to upload.", field="resume")
    data = upload.read()
    filename = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:255] or "upload"
    return data, filename


def store_resume(owner, upload) -> Document:
    """Validate a resume upload (PDF or DOCX, within the size limit) and store it. Flushes."""
    data, filename = _read(upload)
    limit = current_app.config["MAX_RESUME_BYTES"]
    if len(data) > limit:
        raise ValidationError(f"This file is {len(data) / 1048576:.1f} MB; resumes can be at most "
                              f"{limit // 1048576} MB.", field="resume")
    if not data:
        raise ValidationError("This file is empty.", field="resume")
    content_type = sniff_resume_type(data)
    if content_type is None:
        raise ValidationError("This file is not a readable PDF or Word (.docx) document.", field="resume")
    return _store(owner, filename, content_type, data)


def store_logo(owner, upload) -> Document:
    data, filename = _read(upload)
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError("Logos can be at most 1 MB.", field="logo")
    content_type = next((t for magic, t in IMAGE_TYPES.items() if data.startswith(magic)), None)
    if content_type is None:
        raise ValidationError("The logo must be a PNG or JPEG image.", field="logo")
    return _store(owner, filename, content_type, data)


def _store(owner, filename: str, content_type: str, data: bytes) -> Document:
    document = Document(
        owner_id=getattr(owner, "id", None), filename=filename, content_type=content_type,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
    )
    db.session.add(document)
    db.session.flush()
    return document
