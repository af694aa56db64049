"""Resumes for tests: a realistic text, and real PDF/DOCX files built from it.

`text_pdf` writes a minimal but valid PDF by hand (Helvetica, one BT ... ET text object per page)
so pypdf has a real text layer to extract; `scanned_pdf` is a page that only paints an image, like
a scan without OCR.
"""

from __future__ import annotations

import io

RESUME = """Jane Doe
Senior Backend Engineer
Berlin, Germany | jane.doe@example.com | +49 30 1234 5678
linkedin.com/in/janedoe

Summary
Backend engineer with eight years of experience building reliable Python services.

Work Experience
Senior Backend Engineer - Acme GmbH
Jan 2019 - Present
- Led the move from a monolith to microservices on Kubernetes.
- Built payment APIs in Python and Django backed by PostgreSQL.

Backend Developer at Globex Corporation
03/2016 - 12/2018
- Maintained REST APIs in Flask; introduced Redis caching and CI/CD.

Education
Technical University of Munich
M.Sc. Computer Science, 2012 - 2014

Skills
Languages: Python, Go, SQL
Tools: Docker, Terraform, AWS, Git
"""

NO_SKILLS_RESUME = """Sam Smith
Florist
Leeds, United Kingdom | sam@example.com

Experience
Florist at Petals Ltd
2021 - Present
- Arranged flowers for weddings.
"""


def _pdf(page_content: bytes, resources: str, extra_objects: list[bytes] = ()) -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources {resources} /Contents 4 0 R >>".encode(),
        b"<< /Length %d >>\nstream\n" % len(page_content) + page_content + b"\nendstream",
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def text_pdf(text: str = RESUME) -> bytes:
    """A one-page PDF whose text layer is `text` (ASCII), one line per text line."""

    def escape(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 10 Tf", "12 TL", "50 770 Td"]
    ops += [f"({escape(line)}) Tj T*" for line in text.splitlines()]
    ops.append("ET")
    return _pdf(
        "\n".join(ops).encode("latin-1"),
        "<< /Font << /F1 5 0 R >> >>",
        [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"],
    )


def scanned_pdf() -> bytes:
    """A page that only paints a (tiny, grey) image: what a scanner without OCR produces."""
    image = (
        b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Length 4 >>\nstream\n\x80\x90\xa0\xb0\nendstream"
    )
    return _pdf(b"q 612 0 0 792 0 0 cm /Im1 Do Q", "<< /XObject << /Im1 5 0 R >> >>", [image])


def resume_docx(text: str = RESUME, table_rows: list[tuple[str, str]] = ()) -> bytes:
    """A Word file: the contact line in the page header, the rest as paragraphs, optional table."""
    import docx

    lines = text.splitlines()
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        document.add_paragraph(line)
    if table_rows:
        table = document.add_table(rows=0, cols=2)
        for left, right in table_rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = left, right
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
