"""The chain-of-custody PDF writer: a well-formed file whose cross-reference table is exact."""

from __future__ import annotations

import re

from platekeeper.server.retention.pdf import Line, render_pdf


def test_every_object_sits_where_the_xref_table_says_and_long_text_pages():
    lines = [Line("Chain (of) custody \\ test", "title")] + [Line(f"line {n}") for n in range(120)]

    pdf = render_pdf(lines, title="Test - custody")

    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.rstrip().endswith(b"%%EOF")
    start = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    assert pdf[start:].startswith(b"xref")
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n", pdf)]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(b"%d 0 obj" % number)
    assert b"/Count 3" in pdf  # 120 lines need three Letter pages
    assert b"Chain \\(of\\) custody \\\\ test" in pdf
