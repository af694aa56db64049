"""Plain text out of a PDF (pypdf) or a DOCX (python-docx), bounded in pages and characters."""

from __future__ import annotations

import io

from ..lazy import lazy_module
from .archive import ArchiveLimits, ArchiveRejected, check_docx_archive
from .sniff import DOCX, PDF

# Imported on first use (integrations/lazy.py): the readers run in the RQ worker's parse child, and
# a web worker that imported them would carry 26 MB it never uses.
docx = lazy_module("docx")
pypdf = lazy_module("pypdf")
_ns = lazy_module("docx.oxml.ns")
# Annotations name its Paragraph through it (never evaluated: `from __future__ import annotations`).
_paragraph = lazy_module("docx.text.paragraph")
# What pypdf raises, besides its own errors, on a damaged file.
_PDF_BREAKAGE = (ValueError, KeyError, TypeError, OSError, NotImplementedError, RecursionError)


def qn(tag: str) -> str:
    return _ns.qn(tag)


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
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
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
    except (pypdf.errors.PyPdfError, *_PDF_BREAKAGE) as error:
        raise DocumentUnreadable(f"pypdf could not read the PDF: {error}") from error


def _docx_text(data: bytes) -> str:
    try:
        document = docx.Document(io.BytesIO(data))
        # Contact details often sit in the page header; sections share theirs, so each line once.
        header = dict.fromkeys(p.text for section in document.sections for p in section.header.paragraphs)
        lines = list(header) + list(_docx_lines(document, _Numbering(document)))
    except Exception as error:  # python-docx raises assorted zip/XML/KeyError types for broken files
        raise DocumentUnreadable(f"python-docx could not read the file: {error}") from error
    return "\n".join(lines)


def _docx_lines(container, numbering: _Numbering, depth: int = 0):
    """Paragraphs and tables in document order (a two-column template is a layout table, and
    reading its cells after the body put the sidebar's headings in the wrong place)."""
    for item in container.iter_inner_content():
        if isinstance(item, _paragraph.Paragraph):
            yield numbering.marker(item) + item.text
        elif depth < 5:  # nested layout tables; deeper than this is not a resume
            for row in item.rows:
                seen = set()
                for cell in row.cells:
                    if cell._tc in seen:  # a merged cell comes back once per grid column it spans
                        continue
                    seen.add(cell._tc)
                    yield from _docx_lines(cell, numbering, depth + 1)


class _Numbering:
    """The marker Word draws in front of a list paragraph: `p.text` leaves it out, and without it a
    short bullet ("Kotlin modules") reads like a job title. Numbering comes from the paragraph's
    numPr or its style's; numbered lists count per list and level."""

    def __init__(self, document):
        self.formats: dict[tuple[str, str], str] = {}
        self.counters: dict[tuple[str, str], int] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {
            a.get(qn("w:abstractNumId")): {
                lvl.get(qn("w:ilvl")): fmt.get(qn("w:val"))
                for lvl in a.iterchildren(qn("w:lvl"))
                for fmt in lvl.iterchildren(qn("w:numFmt"))
            }
            for a in numbering.iterchildren(qn("w:abstractNum"))
        }
        for num in numbering.iterchildren(qn("w:num")):
            for ref in num.iterchildren(qn("w:abstractNumId")):
                for level, fmt in abstract.get(ref.get(qn("w:val")), {}).items():
                    self.formats[(num.get(qn("w:numId")), level)] = fmt

    def marker(self, paragraph: _paragraph.Paragraph) -> str:
        num_pr = _num_pr(paragraph)
        if num_pr is None or num_pr.numId is None or num_pr.numId.val == 0:
            return ""
        key = (str(num_pr.numId.val), str(num_pr.ilvl.val if num_pr.ilvl is not None else 0))
        if self.formats.get(key, "bullet") in ("bullet", "none", ""):
            return "• "
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"{self.counters[key]}. "


def _num_pr(paragraph: _paragraph.Paragraph):
    p_pr = paragraph._p.pPr
    if p_pr is not None and p_pr.numPr is not None:
        return p_pr.numPr
    style = paragraph.style
    for _ in range(10):  # the style, then the styles it is based on
        if style is None:
            return None
        style_pr = style.element.pPr
        if style_pr is not None and style_pr.numPr is not None:
            return style_pr.numPr
        style = style.base_style
    return None
