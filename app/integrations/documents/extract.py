"""Plain text out of a PDF (pypdf) or a DOCX (python-docx), bounded in pages and characters."""

from __future__ import annotations

import io

import docx
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from .archive import ArchiveLimits, ArchiveRejected, check_docx_archive
from .sniff import DOCX, PDF


class DocumentUnreadable(Exception):
    """The file could not be opened to read its text (damaged, password-protected, unsafe)."""


def extract_text(
    data: bytes,
    content_type: str,
    *,
    max_pages: int = 30,
    max_chars: int = 200_000,
    archive_limits: ArchiveLimits | None = None,
) -> str:
    """The document's text, NUL-free and trimmed to `max_chars`. "" means no text layer (a scan).

    Raises DocumentUnreadable for a damaged, password-protected or unsafe (zip bomb) file.
    """
    if content_type == PDF:
        text = _pdf_text(data, max_pages, max_chars)
    elif content_type == DOCX:
        try:
            check_docx_archive(data, archive_limits or ArchiveLimits())
        except ArchiveRejected as error:
            raise DocumentUnreadable(str(error)) from error
        text = _docx_text(data)
    else:
        raise DocumentUnreadable(f"Cannot read text from {content_type} files.")
    return "\n".join(line.rstrip() for line in text.replace("\x00", "").splitlines()).strip()[:max_chars]


def _pdf_text(data: bytes, max_pages: int, max_chars: int) -> str:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):  # many PDFs are "encrypted" with an empty password
            raise DocumentUnreadable("The PDF is password-protected.")
        parts, size = [], 0
        for page in reader.pages[:max_pages]:
            text = page.extract_text() or ""
            parts.append(text)
            size += len(text)
            if size >= max_chars:  # enough text: stop reading pages
                break
        return "\n".join(parts)
    except DocumentUnreadable:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, NotImplementedError, RecursionError) as error:
        raise DocumentUnreadable(f"pypdf could not read the PDF: {error}") from error


def _docx_text(data: bytes) -> str:
    try:
        document = docx.Document(io.BytesIO(data))
        # Contact details often sit in the page header; sections share theirs, so each line once.
        header = dict.fromkeys(p.text for section in document.sections for p in section.header.paragraphs)
        lines = list(header) + [p.text for p in document.paragraphs]
        for table in document.tables:  # two-column resume templates are tables
            for row in table.rows:
                previous = None
                for cell in row.cells:
                    if cell.text == previous:  # a merged cell comes back once per grid column it spans
                        continue
                    previous = cell.text
                    lines += [p.text for p in cell.paragraphs]
    except Exception as error:  # python-docx raises assorted zip/XML/KeyError types for broken files
        raise DocumentUnreadable(f"python-docx could not read the file: {error}") from error
    return "\n".join(lines)
