"""Uploaded files: checked by their content (never their name), then stored in the database."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from flask import current_app

from ..errors import ValidationError
from ..extensions import db
from ..integrations.documents import EXTENSIONS, ArchiveLimits, sniff_image_type, sniff_resume_type
from ..integrations.documents.archive import ArchiveRejected
from ..models import Document

MAX_LOGO_BYTES = 1024 * 1024


@dataclass
class CheckedFile:
    """An upload whose bytes were read and whose type was sniffed: ready to store."""

    filename: str
    content_type: str
    data: bytes


def archive_limits() -> ArchiveLimits:
    config = current_app.config
    return ArchiveLimits(
        max_total_bytes=config["PARSE_MAX_UNZIPPED_MB"] * 1024 * 1024,
        max_entries=config["PARSE_MAX_ZIP_ENTRIES"],
        max_ratio=config["PARSE_MAX_ZIP_RATIO"],
    )


def _read(upload, field: str) -> tuple[bytes, str]:
    if upload is None or not getattr(upload, "filename", ""):
        raise ValidationError("Choose a file to upload.", field=field)
    data = upload.read()
    filename = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:200] or "upload"
    return data, filename


def _named_for(filename: str, content_type: str) -> str:
    """The upload's name with the extension of what it really is: cv.exe holding a PDF is cv.pdf."""
    stem = os.path.splitext(filename)[0].strip(" .") or "document"
    return stem[:200] + EXTENSIONS[content_type]


def check_resume(upload) -> CheckedFile:
    """A resume upload (PDF or DOCX within the size limit, safe to open), or ValidationError(field="resume")."""
    data, filename = _read(upload, "resume")
    limit = current_app.config["MAX_RESUME_BYTES"]
    if len(data) > limit:
        raise ValidationError(
            f"This file is {len(data) / 1048576:.1f} MB; resumes can be at most {limit // 1048576} MB.", field="resume"
        )
    if not data:
        raise ValidationError("This file is empty.", field="resume")
    try:
        content_type = sniff_resume_type(data, archive_limits())
    except ArchiveRejected as error:
        raise ValidationError(str(error), field="resume") from None
    if content_type is None:
        raise ValidationError("This file is not a readable PDF or Word (.docx) document.", field="resume")
    return CheckedFile(_named_for(filename, content_type), content_type, data)


def check_logo(upload) -> CheckedFile:
    data, filename = _read(upload, "logo")
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError("Logos can be at most 1 MB.", field="logo")
    content_type = sniff_image_type(data)
    if content_type is None:
        raise ValidationError("The logo must be a PNG or JPEG image.", field="logo")
    return CheckedFile(_named_for(filename, content_type), content_type, data)


def store_resume(owner, upload) -> Document:
    """Validate a resume upload and store it. Flushes."""
    return store(owner, check_resume(upload))


def store_logo(owner, upload) -> Document:
    return store(owner, check_logo(upload))


def store(owner, checked: CheckedFile) -> Document:
    document = Document(
        owner_id=getattr(owner, "id", None),
        filename=checked.filename,
        content_type=checked.content_type,
        size=len(checked.data),
        sha256=hashlib.sha256(checked.data).hexdigest(),
        data=checked.data,
    )
    db.session.add(document)
    db.session.flush()
    return document
