"""A hostile resume cannot stall background work: archive checks before parsing, bounded PDF
reading, and the reading itself in a forked child with a memory limit and a timeout."""

from __future__ import annotations

import io
import zipfile
from io import BytesIO

import docx
import pytest
from conftest import app_config
from factories import login, make_user
from resume_samples import text_pdf

from app.extensions import db
from app.integrations.documents import PDF, ArchiveLimits, DocumentUnreadable, extract_text
from app.models import CandidateProfile
from app.services import resumes

# Roughly what the attacker sent: 50 KiB that inflates to 11 MB of empty paragraphs (about half a
# minute of python-docx and hundreds of MB before these fixes).
BOMB_PARAGRAPHS = 1_700_000
LOOSE_ARCHIVE_LIMITS = {"PARSE_MAX_ZIP_RATIO": 100_000, "PARSE_MAX_UNZIPPED_MB": 200}


def docx_bomb(paragraphs: int = BOMB_PARAGRAPHS) -> bytes:
    """A well-formed DOCX whose body is `paragraphs` empty paragraphs."""
    body = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
        b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + b"<w:p/>" * paragraphs
        + b"</w:body></w:document>"
    )
    template = io.BytesIO()
    docx.Document().save(template)
    source = zipfile.ZipFile(io.BytesIO(template.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item, body if item.filename == "word/document.xml" else source.read(item.filename))
    return out.getvalue()


def _upload(client, data: bytes, name: str = "cv.docx"):
    return client.post("/me/profile/resume", data={"resume": (BytesIO(data), name)}, content_type="multipart/form-data")


def _profile(user) -> CandidateProfile:
    db.session.expire_all()
    return db.session.scalar(db.select(CandidateProfile).where(CandidateProfile.user_id == user.id))


def test_a_zip_bomb_is_refused_at_upload_with_a_clear_message(client, app_ctx):
    login(client, make_user())
    response = _upload(client, docx_bomb())
    assert response.status_code == 422
    assert "could overload our reader" in response.text


@pytest.mark.parametrize(
    ("limits", "entries", "message"),
    [
        (ArchiveLimits(max_entries=20), 30, "too many parts"),
        (ArchiveLimits(max_total_bytes=1024 * 1024, max_ratio=10**9), 1, "far more data than a resume holds"),
    ],
)
def test_archive_limits_count_entries_and_inflated_size(limits, entries, message):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for n in range(entries):
            archive.writestr(f"word/part{n}.xml", b"x" * (2 * 1024 * 1024 // entries))
    with pytest.raises(DocumentUnreadable, match=message):
        extract_text(
            out.getvalue(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            archive_limits=limits,
        )


def _pages(count: int) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for n in range(1, count + 1):
        writer.append(PdfReader(io.BytesIO(text_pdf(f"Page {n} " + "word " * 50))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_pages_and_text_length_are_capped():
    pages = _pages(40)
    text = extract_text(pages, PDF, max_pages=3)
    assert "Page 3" in text
    assert "Page 4" not in text
    assert len(extract_text(pages, PDF, max_chars=500)) == 500


def test_a_file_that_reads_too_long_fails_its_own_parse_with_a_clear_status(client, app, app_ctx):
    user = make_user()
    login(client, user)
    with app_config(app, PARSE_TIMEOUT_SECONDS=1, **LOOSE_ARCHIVE_LIMITS):
        response = _upload(client, docx_bomb())  # no Redis here: the parse runs right after commit
    assert response.status_code == 302
    profile = _profile(user)
    assert profile.parse_status == "failed"
    assert profile.parse_error == resumes.HOSTILE_MESSAGE
    assert "We could not read this file" in client.get("/me/profile").text


def test_a_file_that_needs_too_much_memory_fails_its_own_parse(client, app, app_ctx):
    user = make_user()
    login(client, user)
    with app_config(app, PARSE_MEMORY_MB=64, PARSE_TIMEOUT_SECONDS=120, **LOOSE_ARCHIVE_LIMITS):
        _upload(client, docx_bomb())
    profile = _profile(user)
    assert profile.parse_status == "failed"
    assert profile.parse_error.startswith("We could not")


def test_a_parse_whose_worker_keeps_dying_stops_being_retried(app_ctx):
    from datetime import timedelta

    from sqlalchemy import update

    from app.models import utcnow

    user = make_user()
    profile = CandidateProfile(user_id=user.id, parse_status="parsing", parse_attempts=resumes.MAX_PARSE_ATTEMPTS)
    db.session.add(profile)
    db.session.commit()
    db.session.execute(update(CandidateProfile).values(updated_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert resumes.stale_parse_ids() == []
    profile = _profile(user)
    assert profile.parse_status == "failed"
    assert profile.parse_error == resumes.HOSTILE_MESSAGE
