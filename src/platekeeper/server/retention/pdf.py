"""A minimal PDF writer for plain-text documents (standard library only).

Enough for a chain-of-custody form: Helvetica text, bold headings, lines that wrap, page
breaks and page numbers. Avoids a PDF dependency for one printable page or two.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

PAGE_WIDTH, PAGE_HEIGHT = 612, 792  # US Letter, in points
MARGIN = 54
LEADING = 14


@dataclass(frozen=True)
class Line:
    """A line of the document: `style` is "title", "heading", "text" or "mono"."""

    text: str
    style: str = "text"


_FONTS = {"title": ("F2", 16), "heading": ("F2", 12), "text": ("F1", 10), "mono": ("F3", 8)}
_WRAP = {"title": 60, "heading": 80, "text": 95, "mono": 110}


def _escape(text: str) -> str:
    latin = text.encode("latin-1", "replace").decode("latin-1")
    return latin.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _pages(lines: Sequence[Line]) -> list[list[tuple[Line, str]]]:
    pages: list[list[tuple[Line, str]]] = [[]]
    room = (PAGE_HEIGHT - 2 * MARGIN) // LEADING - 1
    for line in lines:
        pieces = textwrap.wrap(line.text, _WRAP[line.style]) or [""]
        for piece in pieces:
            if len(pages[-1]) >= room:
                pages.append([])
            pages[-1].append((line, piece))
    return pages


def render_pdf(lines: Sequence[Line], *, title: str) -> bytes:
    """Return a PDF document showing the lines, wrapped and paged."""
    pages = _pages(lines)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in once the page objects are numbered
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
        f"<< /Title ({_escape(title)}) /Producer (platekeeper) >>".encode("latin-1"),
    ]
    page_ids = []
    for number, page in enumerate(pages, start=1):
        stream = ["BT"]
        y = PAGE_HEIGHT - MARGIN
        for line, piece in page:
            font, size = _FONTS[line.style]
            stream.append(f"/{font} {size} Tf 1 0 0 1 {MARGIN} {y} Tm ({_escape(piece)}) Tj")
            y -= LEADING + (6 if line.style == "title" else 0)
        footer = f"{title} - page {number} of {len(pages)}"
        stream.append(f"/F1 8 Tf 1 0 0 1 {MARGIN} {MARGIN // 2} Tm ({_escape(footer)}) Tj")
        stream.append("ET")
        content = "\n".join(stream).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_id = len(objects)
        objects.append(
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
                f"/Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R >> >> "
                f"/Contents {content_id} 0 R >>"
            ).encode()
        )
        page_ids.append(len(objects))
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects[1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode()

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
