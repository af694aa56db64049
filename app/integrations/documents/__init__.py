"""Reading uploaded documents: what a file is (by its bytes), whether it is safe to open, its text.

    sniff.py    PDF / DOCX / PNG / JPEG by content, never by name
    archive.py  DOCX (zip) bomb checks: total inflated size, entry count, compression ratio
    extract.py  the text of a PDF (pypdf) or DOCX (python-docx), bounded in pages and characters
    sandbox.py  run an extraction in a forked child with a memory limit and a timeout

No Flask here: limits come in as a `Limits` value built from the app's settings.
"""

from .archive import ArchiveLimits, check_docx_archive
from .extract import DocumentUnreadable, extract_text
from .sandbox import IsolationFailed, run_isolated
from .sniff import DOCX, EXTENSIONS, IMAGE_TYPES, PDF, sniff_image_type, sniff_resume_type

__all__ = [
    "ArchiveLimits",
    "check_docx_archive",
    "DocumentUnreadable",
    "extract_text",
    "IsolationFailed",
    "run_isolated",
    "DOCX",
    "EXTENSIONS",
    "IMAGE_TYPES",
    "PDF",
    "sniff_image_type",
    "sniff_resume_type",
]
